#!/usr/bin/env bash
# Records promtool 2.42's output for every file here (NAME.yml -> NAME.out: exit code,
# stdout and stderr), for Tests/RulesTests/FailingFileTests.swift to compare `test rules` with.
set -euo pipefail
cd "$(dirname "$0")"
for f in *.yml; do
  [ "$f" = empty-rules.yml ] && continue
  name=${f%.yml}
  set +e
  promtool test rules "$f" >"/tmp/$name.stdout" 2>"/tmp/$name.stderr"
  code=$?
  set -e
  { echo "exit: $code"; echo "--- stdout"; cat "/tmp/$name.stdout"; echo "--- stderr"; cat "/tmp/$name.stderr"; } >"$name.out"
  rm -f "/tmp/$name.stdout" "/tmp/$name.stderr"
done
