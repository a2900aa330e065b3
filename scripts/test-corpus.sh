#!/usr/bin/env bash
# Runs every `test rules` file of the PromQL corpus (Tests/RulesTests/Corpus/*.yml) through
# promtool 2.42, when it is installed, and through `vigil test rules`; fails if either fails.
# The corpus's expected samples are promtool's answers, so promtool passing proves the corpus
# and vigil passing proves the engine. Cases listed in Corpus/known-engine-gaps.txt may fail
# under vigil (they are printed); any other vigil failure fails the script.
#
# The seed rule files' unit tests (examples/rules/tests/*.test.yml) must pass under both tools too.
#
# VIGIL_BIN overrides the vigil binary (default: the debug build, built if missing).
# VIGIL_REQUIRE_PROMTOOL=1 fails when promtool is missing instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
corpus=Tests/RulesTests/Corpus
gaps=$corpus/known-engine-gaps.txt
files=("$corpus"/*.yml)
status=0

if command -v promtool >/dev/null 2>&1; then
  echo "== promtool ($(promtool --version 2>&1 | head -n1))"
  if ! promtool test rules "${files[@]}"; then
    echo "corpus: promtool FAILED" >&2
    status=1
  fi
  if ! promtool test rules examples/rules/tests/*.test.yml; then
    echo "seed rule tests: promtool FAILED" >&2
    status=1
  fi
elif [ "${VIGIL_REQUIRE_PROMTOOL:-0}" = 1 ]; then
  echo "corpus: promtool not installed (VIGIL_WITH_REFERENCE=1 scripts/setup-debian.sh installs it)" >&2
  exit 1
else
  echo "corpus: promtool not installed, checking vigil only" >&2
fi

bin=${VIGIL_BIN:-}
if [ -z "$bin" ]; then
  bin="$(swift build --show-bin-path)/vigil"
  [ -x "$bin" ] || swift build --product vigil 2>&1 | tail -n 20
fi
echo "== vigil ($bin)"
if ! "$bin" test rules examples/rules/tests/*.test.yml; then
  echo "seed rule tests: vigil FAILED" >&2
  status=1
fi
allowed=$(grep -v '^#' "$gaps" 2>/dev/null | sed 's/  # .*$//' | sed '/^$/d' || true)
cases=0
for f in "${files[@]}"; do
  name=$(basename "$f")
  n=$(grep -c '^      - expr:' "$f" || true)
  cases=$((cases + n))
  err=$("$bin" test rules "$f" 2>&1 >/dev/null) && { echo "$name: $n cases, SUCCESS"; continue; }
  # Every failure block starts with "    expr: ..."; anything else is a file-level error.
  failed=0; unexpected=0
  while IFS= read -r line; do
    case "$line" in
      "  FAILED:"|"") ;;
      "    expr: "*)
        failed=$((failed + 1))
        key="$name: $(printf '%s' "${line#    }" | sed -E 's/, err: .*$//; s/,$//')"
        if grep -qxF -- "$key" <<<"$allowed"; then
          echo "  known engine gap: $key"
        else
          echo "  FAILED: $key" >&2; unexpected=1
        fi ;;
      "        exp: "*|"        got: "*) ;;
      *) echo "  $line" >&2; unexpected=1 ;;
    esac
  done <<<"$err"
  if [ "$unexpected" = 1 ]; then
    echo "$name: FAILED under vigil" >&2
    printf '%s\n' "$err" >&2
    status=1
  else
    echo "$name: $n cases, $((n - failed)) pass, $failed known engine gaps"
  fi
done
echo "corpus: ${#files[@]} files, $cases promql_expr_test cases"
exit $status
