#!/usr/bin/env python3
"""Remote write out: Vigil and Prometheus 2.42 shipping the same workload, one after the other.

Both scrape the same synthetic exporter (TARGETS pages of SERIES counters and gauges, moving
every second) at 1 s and remote-write to the same local receiver (a sink that reads each
request and answers 204, or 503 while "down"). Default queue settings for both. For each:

  steady   CPU seconds over STEADY s with remote_write, minus the same without it, per
           million samples shipped (the cost of shipping, scraping excluded);
  drain    the receiver answers 503 for OUTAGE s, then 204 again: samples shipped per second
           until the queue has caught up (highest sent timestamp within 3 s of the newest),
           and CPU seconds per million samples meanwhile.

Usage: benchmarks/remote-write/run.py [--targets 20] [--series 1000] [--steady 60]
                                      [--outage 60] [--out FILE]
Needs /usr/bin/prometheus (Debian's 2.42) and a release build of vigil (built if missing).
Stdlib only. Prints a markdown table.
"""
import argparse, http.server, os, shutil, socketserver, subprocess, sys, tempfile, threading, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
VIGIL = os.path.join(REPO, ".build", "release", "vigil")
PROMETHEUS = "/usr/bin/prometheus"


class Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a sender killed mid-request resets its connection; nothing to report


def serve(handler):
    server = Threaded(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Exporter:
    """TARGETS pages at /metrics/<k>, rebuilt every second."""

    def __init__(self, targets, series):
        self.targets, self.series, self.tick = targets, series, 0
        self.pages = [b""] * targets
        self.build()
        exporter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    body = exporter.pages[int(self.path.rsplit("/", 1)[1])]
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

        self.server = serve(Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.loop, daemon=True).start()

    def build(self):
        t = self.tick
        codes, methods = ["200", "404", "500", "503"], ["GET", "POST"]
        for k in range(self.targets):
            lines = ["# TYPE bench_requests_total counter"]
            n = self.series // 2
            for i in range(n):
                lines.append('bench_requests_total{code="%s",method="%s",path="/api/v%d"} %d'
                             % (codes[i % 4], methods[(i // 4) % 2], i // 8, (i + 1) * t))
            lines.append("# TYPE bench_temperature gauge")
            for i in range(self.series - n):
                lines.append('bench_temperature{sensor="%d"} %.3f' % (i, 20 + ((i * 7 + t * 13) % 100) / 10))
            self.pages[k] = ("\n".join(lines) + "\n").encode()

    def loop(self):
        while True:
            time.sleep(1)
            self.tick += 1
            self.build()


class Sink:
    """The receiver: reads every request; 204, or 503 while down."""

    def __init__(self):
        self.down = False
        self.requests = 0
        self.bytes = 0
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(n)
                sink.requests += 1
                sink.bytes += n
                self.send_response(503 if sink.down else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = serve(Handler)
        self.port = self.server.server_address[1]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metrics(port):
    out = {}
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("#") or " " not in line:
                continue
            name, value = line.rsplit(" ", 1)
            base = name.split("{", 1)[0]
            try:
                out[base] = out.get(base, 0.0) + float(value)
            except ValueError:
                pass
    return out


def wait_ready(port, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % port, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError("not ready on port %d" % port)


def free_port():
    s = Threaded(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    p = s.server_address[1]
    s.server_close()
    return p


def config(exporter, sink, targets, remote):
    """One job per exporter page, scraped every second; remote_write to the sink when asked."""
    text = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
    for k in range(targets):
        text += ("  - job_name: bench%d\n    metrics_path: /metrics/%d\n    static_configs:\n"
                 "      - targets: ['127.0.0.1:%d']\n" % (k, k, exporter.port))
    if remote:
        text += "remote_write:\n  - url: http://127.0.0.1:%d/api/v1/write\n    name: sink\n" % sink.port
    return text


def start(system, workdir, cfg_text):
    port = free_port()
    os.makedirs(workdir, exist_ok=True)
    cfg = os.path.join(workdir, "config.yml")
    with open(cfg, "w") as f:
        f.write(cfg_text)
    log = open(os.path.join(workdir, "log"), "w")
    if system == "vigil":
        argv = [VIGIL, "run", "--config.file", cfg, "--storage.tsdb.path", os.path.join(workdir, "data"),
                "--web.listen-address", "127.0.0.1:%d" % port, "--self-monitor.interval", "0", "--log.level", "warn"]
    else:
        argv = [PROMETHEUS, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(workdir, "data"),
                "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"]
    p = subprocess.Popen(argv, stdout=log, stderr=log)
    wait_ready(port)
    return p, port


def stop(p):
    p.kill()  # both resume from their logs; a graceful stop could wait on a full queue
    p.wait()


def lag(m):
    return m.get("prometheus_remote_storage_highest_timestamp_in_seconds", 0) - \
        m.get("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", 0)


def measure(system, args, exporter, sink, root):
    row = {}
    # Baseline: scraping only.
    p, port = start(system, os.path.join(root, system + "-base"), config(exporter, sink, args.targets, False))
    time.sleep(15)
    c0 = cpu_seconds(p.pid)
    time.sleep(args.steady)
    base_cpu = cpu_seconds(p.pid) - c0
    stop(p)
    # Steady shipping.
    p, port = start(system, os.path.join(root, system + "-rw"), config(exporter, sink, args.targets, True))
    time.sleep(15)
    c0, m0 = cpu_seconds(p.pid), metrics(port)
    time.sleep(args.steady)
    c1, m1 = cpu_seconds(p.pid), metrics(port)
    sent = m1["prometheus_remote_storage_samples_total"] - m0["prometheus_remote_storage_samples_total"]
    row["steady samples/s shipped"] = sent / args.steady
    row["CPU s per 1M samples shipped (minus scraping)"] = max(0.0, (c1 - c0) - base_cpu) / sent * 1e6
    row["CPU s per 1M samples, scrape + ship"] = (c1 - c0) / sent * 1e6
    # Outage, then drain.
    sink.down = True
    time.sleep(args.outage)
    m_before = metrics(port)
    backlog = lag(m_before)
    sink.down = False
    t0, c0, s0 = time.time(), cpu_seconds(p.pid), m_before["prometheus_remote_storage_samples_total"]
    while True:
        time.sleep(0.25)
        m = metrics(port)
        if lag(m) <= 3 or time.time() - t0 > 600:
            break
    elapsed, cpu = time.time() - t0, cpu_seconds(p.pid) - c0
    shipped = m["prometheus_remote_storage_samples_total"] - s0
    row["backlog at resume (s of samples)"] = backlog
    row["drain: samples/s shipped"] = shipped / elapsed
    row["drain: seconds to catch up"] = elapsed
    row["drain: CPU s per 1M samples"] = cpu / shipped * 1e6 if shipped else float("nan")
    row["failed + dropped samples"] = m.get("prometheus_remote_storage_samples_failed_total", 0) + \
        m.get("prometheus_remote_storage_samples_dropped_total", 0)
    stop(p)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=20)
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--steady", type=int, default=60)
    ap.add_argument("--outage", type=int, default=60)
    ap.add_argument("--out")
    args = ap.parse_args()
    if not os.path.exists(VIGIL):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "vigil"], cwd=REPO)
    exporter, sink = Exporter(args.targets, args.series), Sink()
    root = tempfile.mkdtemp(prefix="vigil-rw-bench-")
    try:
        rows = {}
        for system in ("prometheus", "vigil"):
            print("measuring", system, file=sys.stderr)
            rows[system] = measure(system, args, exporter, sink, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = ["%d targets x %d series at 1 s (%d samples/s), steady %d s, outage %d s, default queue_config"
             % (args.targets, args.series, args.targets * args.series, args.steady, args.outage), "",
             "| figure | Prometheus 2.42 | Vigil | Vigil better by |", "| --- | --- | --- | --- |"]
    for k in rows["vigil"]:
        a, b = rows["prometheus"][k], rows["vigil"][k]
        higher_is_better = k.endswith("samples/s shipped")
        if k.startswith("backlog") or k.startswith("failed") or not (a == a and b == b) or not a or not b:
            ratio = ""
        else:
            ratio = "%.2fx" % (b / a if higher_is_better else a / b)
        lines.append("| %s | %.2f | %.2f | %s |" % (k, a, b, ratio))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
