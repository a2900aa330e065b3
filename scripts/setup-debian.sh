#!/usr/bin/env bash
# Installs what a fresh Debian machine needs to build and test Vigil: the C libraries Vigil
# links (SQLite, zstd, snappy) and, for the comparison tests and benchmarks, Prometheus 2.42,
# Alertmanager 0.25 and Chromium (UI tests) from Debian. Swift itself is expected at /opt/swift or on PATH.
set -euo pipefail

need=()
for pkg in libsqlite3-dev libzstd-dev libsnappy-dev libcrypt-dev pkg-config sqlite3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${VIGIL_WITH_REFERENCE:-0}" = 1 ]; then
  for pkg in prometheus prometheus-alertmanager chromium; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "swift is at /opt/swift/usr/bin; add it to PATH: export PATH=/opt/swift/usr/bin:\$PATH" >&2
  else
    echo "Swift 6.x is required: https://www.swift.org/install/linux/" >&2
    exit 1
  fi
fi
echo "setup: ok"
