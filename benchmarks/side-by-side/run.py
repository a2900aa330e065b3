#!/usr/bin/env python3
"""Vigil and Prometheus 2.42 side by side, on this machine, in one run.

Both scrape the same synthetic exporters (TARGETS pages of SERIES_PER_TARGET counters and
gauges, values moving every second) at the same interval for DURATION seconds, with the
same recording rules. Then, for each: CPU seconds and peak/final RSS of the process, bytes on
disk, samples stored, the latency of the same queries (median of REPEAT runs through the
HTTP API), and the time to come back after kill -9 (until a query answers with data).

Usage: benchmarks/side-by-side/run.py [--targets 20] [--series 2500] [--interval 5]
                                      [--duration 300] [--repeat 15] [--out FILE]
Needs: /usr/bin/prometheus (Debian's 2.42), a release build of vigil (built if missing).
Prints a markdown table; --out also writes it to a file. Stdlib only.
"""
import argparse, http.server, json, os, shutil, signal, socketserver, statistics, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


class Exporter:
    """TARGETS pages at /metrics/<k>, rebuilt once a second (counters grow, gauges move)."""

    def __init__(self, targets, series):
        self.targets, self.series = targets, series
        self.pages = [b""] * targets
        self.tick = 0
        self.lock = threading.Lock()
        self.build()
        exporter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    k = int(self.path.rsplit("/", 1)[1])
                    body = exporter.pages[k]
                except (ValueError, IndexError):
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self.loop, daemon=True).start()

    def build(self):
        t = self.tick
        for k in range(self.targets):
            lines = ["# TYPE bench_requests_total counter", "# TYPE bench_temperature gauge"]
            for i in range(self.series // 2):
                code = ("200", "404", "500", "503")[i % 4]
                lines.append(f'bench_requests_total{{path="/p{i // 4}",code="{code}"}} {t * (i % 7 + 1) + i}')
                lines.append(f'bench_temperature{{sensor="s{i}"}} {20 + ((i * 31 + t) % 17) / 4}')
            self.pages[k] = ("\n".join(lines) + "\n").encode()

    def loop(self):
        while True:
            time.sleep(1)
            self.tick += 1
            self.build()


RULES = """groups:
  - name: bench
    rules:
      - record: job:bench_requests:rate1m
        expr: sum by (job, code) (rate(bench_requests_total[1m]))
      - alert: BenchErrors
        expr: job:bench_requests:rate1m{code="500"} > 1e9
"""

QUERIES = [
    "sum by (code) (rate(bench_requests_total[1m]))",
    "topk(5, rate(bench_requests_total[5m]))",
    "avg by (job) (bench_temperature)",
    "count(bench_temperature > 22)",
    "job:bench_requests:rate1m",
]


def config(targets, port, interval):
    jobs = "".join(
        f"  - job_name: t{k}\n    metrics_path: /metrics/{k}\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        for k in range(targets))
    return f"global:\n  scrape_interval: {interval}s\n  evaluation_interval: {interval}s\nrule_files: [rules.yml]\nscrape_configs:\n{jobs}"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for n in files:
            try:
                total += os.path.getsize(os.path.join(root, n))
            except OSError:
                pass
    return total


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def query(base, q, t=None):
    params = {"query": q}
    if t is not None:
        params["time"] = str(t)
    return json.loads(get(base + "/api/v1/query?" + urllib.parse.urlencode(params)))


def wait_ready(base, probe, deadline):
    while time.time() < deadline:
        try:
            d = query(base, probe)
            if d.get("status") == "success" and d["data"]["result"]:
                return True
        except Exception:
            pass
        time.sleep(0.05)
    return False


class Server:
    def __init__(self, name, argv, base, data):
        self.name, self.argv, self.base, self.data = name, argv, base, data
        self.proc = None
        self.peak_rss = 0

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample(self):
        if self.proc and self.proc.poll() is None:
            self.peak_rss = max(self.peak_rss, rss_bytes(self.proc.pid))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=20)
    ap.add_argument("--series", type=int, default=2500, help="series per target")
    ap.add_argument("--interval", type=int, default=5, help="scrape and evaluation interval, seconds")
    ap.add_argument("--duration", type=int, default=300, help="seconds of scraping before measuring")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--out")
    a = ap.parse_args()
    prometheus = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not os.path.exists(prometheus):
        print("side-by-side: prometheus not installed (VIGIL_WITH_REFERENCE=1 scripts/setup-debian.sh)", file=sys.stderr)
        return 2
    vigil = os.path.join(REPO, ".build", "release", "vigil")
    if not os.path.exists(vigil):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=REPO, check=True)

    work = tempfile.mkdtemp(prefix="side-by-side-")
    exporter = Exporter(a.targets, a.series)
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(config(a.targets, exporter.port, a.interval))
    with open(os.path.join(work, "rules.yml"), "w") as f:
        f.write(RULES)
    pport, vport = 19190, 19191
    prom = Server("Prometheus 2.42", [prometheus, f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/prom",
                                      f"--web.listen-address=127.0.0.1:{pport}"], f"http://127.0.0.1:{pport}", f"{work}/prom")
    vig = Server("Vigil", [vigil, "run", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/vigil",
                           f"--web.listen-address=127.0.0.1:{vport}", "--self-monitor.interval=0", "--log.level=warn"],
                 f"http://127.0.0.1:{vport}", f"{work}/vigil")
    servers = [prom, vig]
    try:
        for s in servers:
            s.start()
        start = time.time()
        cpu0 = {}
        time.sleep(2)
        for s in servers:
            cpu0[s.name] = cpu_seconds(s.proc.pid)
        print(f"side-by-side: {a.targets} targets x {a.series} series at {a.interval}s for {a.duration}s ...", file=sys.stderr)
        while time.time() - start < a.duration:
            for s in servers:
                s.sample()
            time.sleep(1)
        rows = {}
        for s in servers:
            r = rows[s.name] = {}
            r["cpu"] = cpu_seconds(s.proc.pid) - cpu0[s.name]
            r["rss"] = rss_bytes(s.proc.pid)
            r["peak_rss"] = s.peak_rss
            r["series"] = float(query(s.base, "count({__name__=~'bench_.+'})")["data"]["result"][0]["value"][1])
            r["samples"] = float(query(s.base, f"sum(count_over_time({{__name__=~'bench_.+'}}[{a.duration + 60}s]))")["data"]["result"][0]["value"][1])
            t = time.time()
            for q in QUERIES:
                times = []
                for _ in range(a.repeat):
                    t0 = time.perf_counter()
                    query(s.base, q, t)
                    times.append(time.perf_counter() - t0)
                r["q:" + q] = statistics.median(times)
        # Disk after a clean stop (both flush), then restart after kill -9 from a running state.
        for s in servers:
            s.stop()
            rows[s.name]["disk"] = du(s.data)
        for s in servers:
            s.start()
        time.sleep(max(10, a.interval * 3))
        for s in servers:
            s.kill9()
            t0 = time.time()
            s.start()
            ok = wait_ready(s.base, "count(bench_temperature)", time.time() + 300)
            rows[s.name]["restart"] = time.time() - t0 if ok else float("nan")
    finally:
        for s in servers:
            s.stop()

    p, v = rows[prom.name], rows[vig.name]
    def ratio(x, y):
        return f"{x / y:.2f}x" if y else "-"
    mb = 1 << 20
    lines = [f"Side by side: {a.targets} targets x {a.series} series, scraped every {a.interval}s for {a.duration}s, one run on this machine.",
             "", "| figure | Prometheus 2.42 | Vigil | Prometheus / Vigil |", "| --- | --- | --- | --- |"]
    lines.append(f"| series | {p['series']:.0f} | {v['series']:.0f} | |")
    lines.append(f"| samples stored | {p['samples']:.0f} | {v['samples']:.0f} | |")
    lines.append(f"| CPU seconds while scraping | {p['cpu']:.1f} | {v['cpu']:.1f} | {ratio(p['cpu'], v['cpu'])} |")
    lines.append(f"| RSS at the end (MiB) | {p['rss'] / mb:.0f} | {v['rss'] / mb:.0f} | {ratio(p['rss'], v['rss'])} |")
    lines.append(f"| peak RSS (MiB) | {p['peak_rss'] / mb:.0f} | {v['peak_rss'] / mb:.0f} | {ratio(p['peak_rss'], v['peak_rss'])} |")
    lines.append(f"| disk after stop (MiB) | {p['disk'] / mb:.1f} | {v['disk'] / mb:.1f} | {ratio(p['disk'], v['disk'])} |")
    lines.append(f"| disk bytes per sample | {p['disk'] / p['samples']:.2f} | {v['disk'] / v['samples']:.2f} | |")
    for q in QUERIES:
        lines.append(f"| `{q}` (median ms) | {p['q:' + q] * 1000:.1f} | {v['q:' + q] * 1000:.1f} | {ratio(p['q:' + q], v['q:' + q])} |")
    lines.append(f"| back after kill -9 (s) | {p['restart']:.2f} | {v['restart']:.2f} | {ratio(p['restart'], v['restart'])} |")
    out = "\n".join(lines) + "\n"
    print(out)
    if a.out:
        with open(a.out, "w") as f:
            f.write(out)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
