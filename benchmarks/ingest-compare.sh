#!/usr/bin/env bash
# Side by side: CPU per 1M scraped samples, Vigil vs Prometheus 2.42 (Debian), same workload:
# 100 targets x 1,000 series at a 1 s interval, served by one Python HTTP server.
#   cd benchmarks && ./ingest-compare.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-20}
command -v prometheus >/dev/null || { echo "prometheus is not installed (apt-get install prometheus)"; exit 1; }
swift build -c release --product ingest-figures >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
./.build/release/ingest-figures write-page "$work/page.prom"
cat > "$work/serve.py" <<'PY'
import http.server, socketserver, sys
body = open(sys.argv[1], 'rb').read()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        self.send_response(200); self.send_header('Content-Type', 'text/plain; version=0.0.4')
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(('127.0.0.1', int(sys.argv[2])), H)
s.serve_forever()
PY
port=$((20000 + RANDOM % 20000)); pport=$((port + 1))
python3 "$work/serve.py" "$work/page.prom" "$port" & pids+=($!)
{
  echo "scrape_configs:"
  echo "  - job_name: bench"
  echo "    scrape_interval: 1s"
  echo "    scrape_timeout: 900ms"
  echo "    static_configs:"
  for i in $(seq 0 99); do echo "    - targets: ['127.0.0.1:$port']"; echo "      labels: {shard: '$i'}"; done
} > "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$pport" >"$work/prom.log" 2>&1 & ppid=$!; pids+=($ppid)
sleep 8
ticks() { awk '{print $14 + $15}' "/proc/$ppid/stat"; }
hz=$(getconf CLK_TCK)
# Samples appended, from Prometheus's own /metrics (summed over its type label).
q() { curl -s "127.0.0.1:$pport/metrics" | awk '/^prometheus_tsdb_head_samples_appended_total/ {s += $NF} END {printf "%.0f\n", s}'; }
t0=$(ticks); s0=$(q); w0=$(date +%s.%N)
sleep "$SECS"
t1=$(ticks); s1=$(q); w1=$(date +%s.%N)
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$ppid/status")
kill -9 "$ppid"
python3 - "$t0" "$t1" "$s0" "$s1" "$w0" "$w1" "$hz" "$rss" <<'PY'
import sys
t0,t1,s0,s1,w0,w1,hz,rss = map(float, sys.argv[1:])
cpu=(t1-t0)/hz; n=s1-s0; w=w1-w0
print("## Prometheus 2.42, same workload\n")
print("| seconds | samples appended | samples/s | process CPU s | CPU s per 1M samples | CPU share of one core | RSS MB |")
print("| --- | --- | --- | --- | --- | --- | --- |")
print(f"| {w:.2f} | {n:.0f} | {n/w:.0f} | {cpu:.2f} | {cpu/n*1e6:.2f} | {cpu/w*100:.1f} % | {rss/1024:.0f} |\n")
PY
./.build/release/ingest-figures http "$SECS"
