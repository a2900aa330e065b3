#!/usr/bin/env bash
# `vigil check config` against `promtool check config` 2.42 on every config fixture
# (Tests/IngestTests/Fixtures/configs/*.yml), with and without --syntax-only: stdout, stderr
# and exit code must be byte-identical, rule-file checks included.
#
# VIGIL_BIN overrides the vigil binary (default: the debug build, built if missing).
# VIGIL_REQUIRE_PROMTOOL=1 fails when promtool is missing instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not installed: check config comparison skipped"
  [ "${VIGIL_REQUIRE_PROMTOOL:-0}" = 1 ] && exit 1
  exit 0
fi
vigil=${VIGIL_BIN:-$PWD/.build/debug/vigil}
[ -x "$vigil" ] || swift build --product vigil >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd Tests/IngestTests/Fixtures/configs
runs=0; differ=0
for f in *.yml; do
  for flag in "" "--syntax-only"; do
    set +e
    promtool check config $flag "$f" >"$tmp/p.out" 2>"$tmp/p.err"; prc=$?
    "$vigil" check config $flag "$f" >"$tmp/v.out" 2>"$tmp/v.err"; vrc=$?
    set -e
    runs=$((runs + 1))
    if ! cmp -s "$tmp/p.out" "$tmp/v.out" || ! cmp -s "$tmp/p.err" "$tmp/v.err" || [ "$prc" != "$vrc" ]; then
      differ=$((differ + 1))
      echo "DIFFERENT: check config $flag $f (exit $prc vs $vrc)"
      diff "$tmp/p.out" "$tmp/v.out" || true
      diff "$tmp/p.err" "$tmp/v.err" || true
    fi
  done
done
echo "check config: $runs runs, $differ different from promtool"
[ "$differ" = 0 ]
