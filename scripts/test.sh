#!/usr/bin/env bash
# The test command of README.md: installs missing system packages, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
scripts/setup-debian.sh >/dev/null
# Serially: many tests are real-time (scrapes, timers, notification schedules) and would
# miss their windows if every suite ran at once on a 2-core machine.
swift test --no-parallel "$@"
