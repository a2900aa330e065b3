#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs Vigil on its embedded default (data in ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
scripts/setup-debian.sh >/dev/null
swift build -c release --product vigil
exec .build/release/vigil run "$@"
