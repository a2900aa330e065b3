#!/usr/bin/env bash
# Records promtool 2.42's `check rules` output for every rule file in valid/ and invalid/
# (NAME.yml -> NAME.promtool.out: exit code, stdout and stderr, promtool run inside the
# directory), for Tests/RulesTests/CheckRulesTests.swift to compare `vigil check rules` with.
set -euo pipefail
cd "$(dirname "$0")"
for dir in valid invalid; do
  (
    cd "$dir"
    for f in *.yml; do
      name=${f%.yml}
      set +e
      promtool check rules "$f" >"/tmp/$name.stdout" 2>"/tmp/$name.stderr"
      code=$?
      set -e
      { echo "exit: $code"; echo "--- stdout"; cat "/tmp/$name.stdout"; echo "--- stderr"; cat "/tmp/$name.stderr"; } >"$name.promtool.out"
      rm -f "/tmp/$name.stdout" "/tmp/$name.stderr"
    done
  )
done
