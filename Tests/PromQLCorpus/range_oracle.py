#!/usr/bin/env python3
"""Range-query oracle: writes random series as OpenMetrics, builds a Prometheus 2.42 TSDB from
them (promtool tsdb create-blocks-from openmetrics), starts Prometheus on it, runs range
queries through its HTTP API and stores series + queries + answers in range/oracle.json,
which EngineRangeOracleTests replays against Vigil's engine.

Usage: Tests/PromQLCorpus/range_oracle.py WORKDIR
"""
import json, os, random, shutil, subprocess, sys, time, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = 1_700_000_000  # seconds
PORT = 19391

QUERIES = [
    "a", "b", "a offset 1m", "a offset -2m", "a @ start()", "a @ end()",
    f"a @ {BASE + 600}", "rate(a[5m])", "irate(a[2m])", "increase(b[3m])", "delta(c[4m])",
    "resets(b[10m])", "changes(c[5m])", "deriv(c[5m])", "predict_linear(c[5m], 300)",
    "avg_over_time(c[3m])", "max_over_time(c[2m] offset 1m)", "count_over_time(a[1m])",
    "last_over_time(b[10m])", "quantile_over_time(0.3, c[5m])", "stddev_over_time(c[5m])",
    "holt_winters(c[5m], 0.4, 0.6)", "sum by (j) (rate(a[5m]))", "avg without (j) (c)",
    "topk(2, c)", "bottomk(1, b)", "quantile(0.75, c)", "count_values(\"v\", b)", "group by (k) (a)",
    "stddev(c)", "max_over_time(c[5m:1m])", "min_over_time(rate(a[2m])[10m:2m])",
    "sum_over_time(c[7m:45s])", "rate(a[5m:30s])", "max_over_time(c[3m:1m] offset 2m)",
    "last_over_time(c[5m:1m] @ end())", "c > 5", "c > bool 5", "a / on(j) group_left b",
    "b and on(j) (c > 3)", "b or c", "b unless on(k) c", "timestamp(b)", "absent(nonexistent{j=\"x\"})",
    "absent_over_time(b{j=\"x\"}[2m])", "vector(time())", "time() - timestamp(b)", "scalar(sum(b))",
    "sort_desc(c)", "clamp(c, 2, 8)", "round(c / 3)", "hour(vector(time()))", "-c", "c ^ 2 % 7",
    "label_replace(c, \"x\", \"$1\", \"j\", \"(.)\")", "histogram_quantile(0.9, h)",
    "histogram_quantile(0.5, rate(h[5m]))", "sum by (le) (h)", "present_over_time(b[1m])",
    "idelta(c[3m])", "c @ start() + c", "rate(a[5m] @ end())",
    "predict_linear(c[5m] @ start(), 60)", f"predict_linear(a[3m] @ {BASE + 900}, 0)",
    f"max_over_time(c[5m:1m] @ {BASE + 1200})", "sum_over_time(c[5m:1m] offset -3m)",
    "c offset 5m", "last_over_time(c[10m] @ start())", "timestamp(c @ end())",
    f"timestamp(c offset 1m @ {BASE + 700})", "count_over_time(c[1m])", "count_over_time(c[30s])",
    "b - b offset 5m", "changes(b[30m])", "rate(b[30s])", "deriv(a[10m:2m])",
    "quantile by (j) (0.5, rate(a[3m]))", "topk by (k) (1, rate(a[3m]))",
    "count_values by (j) (\"v\", round(c / 5))", "sum(c) by (j) / on(j) group_left count(c) by (j)",
    "c and c > 5 or vector(1)", "absent(c{j=\"z\"})", "day_of_week()", "days_in_month(vector(time()))",
    "avg_over_time(absent(b{j=\"x\", k=\"q\"})[5m:1m])", "histogram_quantile(0.99, sum by (le) (rate(h[2m])))",
    "scalar(c{j=\"x\", k=\"p\"}) * c", "irate(b[1m]) > 0", "resets(b[5m:15s])",
    "min_over_time(timestamp(c)[5m:1m])", "label_join(c, \"jk\", \"-\", \"j\", \"k\")",
]

# Instant queries whose raw JSON answer (order included) the engine must reproduce.
INSTANT = [
    "c", "sort(c)", "sort_desc(c)", "sort(-c)", "c[2m]", "b[1m] offset 1m", "c[3m:1m]", "time()", "1.5",
    "\"hello\"", "vector(1)", "sum by (k) (c)", "topk(3, c)", "c / 3", "max(a)", "a > 100", "count_values(\"x\", c)",
    "histogram_quantile(0.5, h)", "-1e-7 * c", "c * 1e21", "label_replace(c, \"x\", \"a\\\"<&>\", \"j\", \".*\")",
    "rate(a[5m])", "absent(nothing)", "c or a", "a and on(j) c",
]

def series(r):
    out = {}
    n = 120  # 30 minutes of 15s samples
    for j in ["x", "y"]:
        for k in ["p", "q"]:
            v = float(r.randint(0, 50)); pts = []
            for i in range(n):
                if r.random() < 0.9:
                    v += r.randint(0, 10)
                    pts.append((i * 15, v))
            out[f'a{{j="{j}",k="{k}"}}'] = pts
            pts = []
            v = 0.0
            for i in range(n):
                if r.random() < 0.05:
                    v = 0.0
                v += r.randint(0, 3)
                if i < 40 or i > 60 or k == "p":
                    pts.append((i * 15, v))
            out[f'b{{j="{j}",k="{k}"}}'] = pts
            out[f'c{{j="{j}",k="{k}"}}'] = [(i * 30 + 7, float(r.randint(0, 10))) for i in range(60) if r.random() < 0.8]
    for le in ["0.1", "0.5", "1", "+Inf"]:
        mult = {"0.1": 1, "0.5": 3, "1": 4, "+Inf": 5}[le]
        out[f'h{{le="{le}"}}'] = [(i * 15, float(i * mult + r.randint(0, 1))) for i in range(n)]
    return out

def random_queries(n):
    """Random well-typed expressions from gen_random.py's grammar."""
    sys.path.insert(0, HERE)
    import gen_random
    r = random.Random(11)
    out = []
    while len(out) < n:
        q = gen_random.vec(r)
        # topk/bottomk between equal values pick by Prometheus's heap and series order
        # (random inside range queries): not comparable.
        if "topk" not in q and "bottomk" not in q:
            out.append(q)
    return out

def main(work):
    r = random.Random(7)
    data = series(r)
    queries = QUERIES + random_queries(150)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    om = os.path.join(work, "in.om")
    with open(om, "w") as f:
        names = sorted({k.split("{")[0] for k in data})
        for name in names:
            f.write(f"# TYPE {name} gauge\n")
            for key, pts in sorted(data.items()):
                if key.split("{")[0] != name:
                    continue
                for t, v in pts:
                    f.write(f"{key} {v} {BASE + t}\n")
        f.write("# EOF\n")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", om, os.path.join(work, "data")], check=True,
                   capture_output=True)
    cfg = os.path.join(work, "prometheus.yml")
    open(cfg, "w").write("global:\n  scrape_interval: 1h\n")
    p = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={work}/data",
                          f"--web.listen-address=127.0.0.1:{PORT}", "--storage.tsdb.retention.time=100y"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/-/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.3)
        instant = []
        for q in INSTANT:
            for t in [BASE + 600, BASE + 1234.5]:
                qs = urllib.parse.urlencode({"query": q, "time": t})
                try:
                    body = urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/query?{qs}", timeout=10).read()
                except urllib.error.HTTPError as e:
                    body = e.read()
                instant.append({"query": q, "time": t, "body": body.decode()})
        results = []
        for q in queries:
            for (start, end, step) in [(BASE + 300, BASE + 1800, 60), (BASE, BASE + 1900, 37), (BASE + 450, BASE + 1500, 300)]:
                qs = urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": step})
                try:
                    body = urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/query_range?{qs}", timeout=10).read()
                except urllib.error.HTTPError as e:
                    body = e.read()
                results.append({"query": q, "start": start, "end": end, "step": step, "response": json.loads(body)})
    finally:
        p.terminate()
        p.wait()
    out = {"series": [{"labels": k, "samples": [[t + BASE, v] for t, v in pts]} for k, pts in sorted(data.items())],
           "queries": results, "instant": instant}
    os.makedirs(os.path.join(HERE, "range"), exist_ok=True)
    with open(os.path.join(HERE, "range", "oracle.json"), "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print(f"{len(results)} range queries recorded", file=sys.stderr)

if __name__ == "__main__":
    main(sys.argv[1])
