#!/usr/bin/env python3
"""The synthetic workload of benchmarks/compare (stdlib only).

Two parts:

* `serve`: an exporter with TARGETS pages at /metrics/<k>, each of about SERIES/TARGETS
  series, in the shapes the seed rules read:
    - nginx_http_response_count_total{method, path, status}   (prometheus-nginxlog-exporter; 40 %)
    - http_server_requests_seconds_count{application, method, status, uri, outcome}   (Spring; 40 %)
    - gauges with float jitter (19 %): process_memory_bytes (integers), cpu_usage_ratio
      (full-precision floats), temperature_celsius (2 decimals), queue_depth (small integers)
    - orders_created_total{application, region} (1 %)
  Counters grow by a per-series rate (integer steps), gauges move every second. A page is
  rebuilt at most once a second, when it is asked for.

* `push`: writes SERIES series x HOURS of samples at INTERVAL seconds, ending now, to a
  remote-write endpoint (Prometheus's 1.0 protocol: protobuf WriteRequest, snappy framing
  with literal blocks only, which every snappy decoder accepts). Each request carries BLOCK
  series with ROUNDS samples each; rounds go forward in time so every series stays in order.
  A probe series `compare_restart_probe` is written last.

* `noop`: a do-nothing HTTP server in one thread: what any query costs on this machine
  before a server does anything (the socket round trip and waking a sleeping thread).
"""
import argparse, http.server, math, queue, random, socketserver, struct, sys, threading, time, urllib.request

METHODS = ("GET", "POST", "PUT", "DELETE")
NGINX_STATUS = ("200", "201", "204", "301", "304", "400", "401", "403", "404", "429", "500", "502", "503", "504")
APP_STATUS = ("200", "201", "400", "404", "500", "503")


T0 = int(time.time()) - 86_400  # counters as if the process had run for a day


def outcome(status):
    return {"2": "SUCCESS", "3": "REDIRECTION", "4": "CLIENT_ERROR", "5": "SERVER_ERROR"}[status[0]]


class Page:
    """One target's series: a label prefix, and how its value moves with time."""

    def __init__(self, k, n, seed=1):
        rnd = random.Random(seed * 100_003 + k)
        app = f"app-{k % 17}"
        self.counters = []  # (prefix, base, rate per second)
        self.gauges = []    # (prefix, kind, base, phase)
        n_nginx = int(n * 0.40)
        n_http = int(n * 0.40)
        n_orders = max(1, n // 100)
        n_gauge = max(0, n - n_nginx - n_http - n_orders)
        for i in range(n_nginx):
            m = METHODS[i % len(METHODS)]
            s = NGINX_STATUS[(i // len(METHODS)) % len(NGINX_STATUS)]
            p = f"/api/v1/items/{i // (len(METHODS) * len(NGINX_STATUS))}"
            err = s[0] in "45"
            self.counters.append((f'nginx_http_response_count_total{{method="{m}",path="{p}",status="{s}"}} ',
                                  rnd.randrange(1000, 10_000_000), rnd.uniform(0.01, 0.5) if err else rnd.uniform(0.5, 40)))
        for i in range(n_http):
            m = METHODS[i % len(METHODS)]
            s = APP_STATUS[(i // len(METHODS)) % len(APP_STATUS)]
            u = f"/orders/{i // (len(METHODS) * len(APP_STATUS))}"
            self.counters.append((f'http_server_requests_seconds_count{{application="{app}",exception="None",method="{m}",'
                                  f'outcome="{outcome(s)}",status="{s}",uri="{u}"}} ',
                                  rnd.randrange(100, 1_000_000), rnd.uniform(0.01, 0.3) if s[0] == "5" else rnd.uniform(0.2, 20)))
        for i in range(n_orders):
            self.counters.append((f'orders_created_total{{application="{app}",region="r{i}"}} ',
                                  rnd.randrange(10, 100_000), rnd.uniform(0.1, 3)))
        kinds = ("process_memory_bytes", "cpu_usage_ratio", "temperature_celsius", "queue_depth")
        for i in range(n_gauge):
            kind = kinds[i % 4]
            self.gauges.append((f'{kind}{{application="{app}",id="{i // 4}"}} ', kind, rnd.uniform(0.5, 1.5), rnd.uniform(0, 6.283)))
        self.rnd = rnd
        self.cache_tick, self.cache = None, b""

    def body(self, t):
        if t == self.cache_tick:
            return self.cache
        lines = ["# TYPE nginx_http_response_count_total counter\n"]
        lines += [f"{p}{b + int(r * t)}\n" for (p, b, r) in self.counters]
        rnd = self.rnd
        for (p, kind, base, ph) in self.gauges:
            w = math.sin(t / 60 + ph)
            if kind == "process_memory_bytes":
                v = str(int(base * 2e8 * (1 + 0.05 * w)) // 4096 * 4096)
            elif kind == "cpu_usage_ratio":
                v = repr(min(1.0, max(0.0, base * 0.3 + 0.1 * w + rnd.random() * 0.02)))
            elif kind == "temperature_celsius":
                v = f"{40 + 10 * base + 2 * w + rnd.random() * 0.1:.2f}"
            else:
                v = str(max(0, int(20 * base * (1 + w)) + rnd.randrange(0, 3)))
            lines.append(p + v + "\n")
        self.cache_tick, self.cache = t, "".join(lines).encode()
        return self.cache


def serve(targets, series, port, seed):
    per = max(1, series // targets)
    pages = [Page(k, per, seed) for k in range(targets)]
    locks = [threading.Lock() for _ in range(targets)]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            try:
                k = int(self.path.rsplit("/", 1)[1])
                with locks[k]:
                    body = pages[k].body(int(time.time()) - T0)
            except (ValueError, IndexError):
                self.send_response(404)
                self.send_header("Content-Length", "0")
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
        request_queue_size = 256

    srv = Server(("127.0.0.1", port), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


# ---------------------------------------------------------------- remote write

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def label(name, value):
    return field(1, field(1, name.encode()) + field(2, value.encode()))


def snappy_literal(data):
    """Snappy framing with one literal element (tag 63: 4-byte length)."""
    n = len(data)
    return varint(n) + bytes([63 << 2]) + struct.pack("<I", n - 1) + data


def restart_labels(i):
    """1M-series-scale label sets: nginx-like counters over many instances."""
    inst, j = divmod(i, 1000)
    m = METHODS[j % len(METHODS)]
    s = NGINX_STATUS[(j // len(METHODS)) % len(NGINX_STATUS)]
    p = f"/api/v1/items/{j // (len(METHODS) * len(NGINX_STATUS))}"
    return (label("__name__", "nginx_http_response_count_total") + label("instance", f"web-{inst}:4040") +
            label("job", "restart") + label("method", m) + label("path", p) + label("status", s))


def push(url, series, hours, interval, block, rounds, log=sys.stderr):
    end = int(time.time()) // interval * interval
    n_rounds = int(hours * 3600) // interval
    start = end - (n_rounds - 1) * interval
    labels = [restart_labels(i) for i in range(series)]
    probe = label("__name__", "compare_restart_probe") + label("job", "restart")
    q = queue.Queue(maxsize=4)
    sent = [0, 0]  # samples, requests
    err = []

    def sender():
        while True:
            item = q.get()
            if item is None:
                return
            body, n = item
            req = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                "X-Prometheus-Remote-Write-Version": "0.1.0"})
            for attempt in range(20):
                try:
                    with urllib.request.urlopen(req, timeout=300) as r:
                        r.read()
                    break
                except Exception as e:  # 5xx while the server is busy: retry
                    if attempt == 19:
                        err.append(str(e))
                    time.sleep(0.5)
            sent[0] += n
            sent[1] += 1

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    pack = struct.Struct("<d").pack
    t0 = time.time()
    for r0 in range(0, n_rounds, rounds):
        rs = range(r0, min(n_rounds, r0 + rounds))
        tsb = [varint((start + r * interval) * 1000) for r in rs]
        # Values depend on i % 1000 and i % 13 only: encode each of the 13,000 profiles once per block of rounds.
        profiles = [b"".join(field(2, b"\x09" + pack(float(p % 1000 + (1 + p % 13) * r)) + b"\x10" + tsb[x])
                             for x, r in enumerate(rs)) for p in range(13_000)]
        for b0 in range(0, series, block):
            parts = [field(1, labels[i] + profiles[i % 13_000]) for i in range(b0, min(series, b0 + block))]
            q.put((snappy_literal(b"".join(parts)), len(parts) * len(rs)))
            if err:
                break
        print(f"  pushed rounds {rs.start}..{rs.stop - 1} of {n_rounds} ({sent[0]:,} samples, {time.time() - t0:.0f} s)", file=log, flush=True)
    ts = varint((start + (n_rounds - 1) * interval) * 1000)
    q.put((snappy_literal(field(1, probe + field(2, b"\x09" + pack(1.0) + b"\x10" + ts))), 1))
    q.put(None)
    th.join()
    if err:
        raise RuntimeError("remote write failed: " + err[0])
    return sent[0], time.time() - t0


def noop(port):
    """One thread answering every request on one connection at a time with a fixed small
    JSON body: the cheapest HTTP server there is, for the harness's latency floor."""
    import socket
    body = b'{"status":"success","data":{"resultType":"scalar","result":[0,"1"]}}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        with c:
            buf = b""
            while True:
                d = c.recv(65536)
                if not d:
                    break
                buf += d
                while b"\r\n\r\n" in buf:  # GETs only: no request bodies
                    buf = buf.split(b"\r\n\r\n", 1)[1]
                    c.sendall(answer)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--targets", type=int, default=20)
    s.add_argument("--series", type=int, default=10_000, help="series over all targets")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--seed", type=int, default=1)
    n = sub.add_parser("noop", help="a do-nothing HTTP server (the latency floor)")
    n.add_argument("--port", type=int, default=0)
    p = sub.add_parser("push")
    p.add_argument("--url", required=True)
    p.add_argument("--series", type=int, default=1_000_000)
    p.add_argument("--hours", type=float, default=1.0)
    p.add_argument("--interval", type=int, default=60)
    p.add_argument("--block", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=10)
    a = ap.parse_args()
    if a.cmd == "serve":
        serve(a.targets, a.series, a.port, a.seed)
    elif a.cmd == "noop":
        noop(a.port)
    else:
        n, secs = push(a.url, a.series, a.hours, a.interval, a.block, a.rounds)
        print(f"{n} {secs:.1f}")


if __name__ == "__main__":
    main()
