#!/usr/bin/env python3
"""Vigil and Prometheus 2.42 on the same workload, one after the other, in one run.

For each size (--sizes, active series over --targets-per-10k targets per 10k series), each
server in turn: a fresh data directory, the synthetic exporter (workload.py serve) scraped
every --scrape-interval seconds with the seed rule files (examples/rules/*.yml) evaluated
every --eval-interval seconds; --warmup seconds, then a --measure window: CPU seconds and
samples appended (the server's own counter) give CPU per million samples, RSS sampled
every second (median) minus the idle process (same rules, nothing scraped) gives memory per
active series, /api/v1/rules gives each group's evaluation time per round. Then the seed
queries and a range query over the whole run (--repeat times each, interleaved; median and
p90 through the HTTP API), a clean stop, and the bytes on disk per sample appended.

Restart: --restart-series series x --restart-hours hours at --restart-interval seconds
pushed by remote write (workload.py push) into a fresh directory, kill -9 right after the
last acknowledged request, start again: seconds until /-/ready answers and a query returns
the last series pushed.

Writes benchmarks/results/compare.json, compare.md (the table) and PNG plots (plot.py,
matplotlib; installed with apt-get if missing and --no-install is not given).
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from servers import RANGE_QUERY, RULE_FILES, SEED_QUERIES, Client, Server, du  # noqa: E402


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def write_config(path, scrape, evaluation, rules_dir, exporter_port=None, targets=0):
    lines = ["global:", f"  scrape_interval: {scrape}s", f"  scrape_timeout: {min(scrape, 10)}s", f"  evaluation_interval: {evaluation}s", "rule_files:"]
    lines += [f"  - {os.path.join(rules_dir, f)}" for f in RULE_FILES]
    lines.append("scrape_configs:" if targets else "scrape_configs: []")
    for job in ("prometheus-nginxlog-exporter", "kubernetes-pods"):
        ks = [k for k in range(targets) if (k % 2 == 0) == (job == "kubernetes-pods")]
        if not ks:
            continue
        lines += [f"  - job_name: {job}", "    static_configs:"]
        for k in ks:
            lines += [f"      - targets: ['127.0.0.1:{exporter_port}']",
                      f"        labels: {{__metrics_path__: /metrics/{k}, instance: 'pod-{k}:8080'}}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def quantiles(xs):
    xs = sorted(xs)
    return {"median": statistics.median(xs), "p90": xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))], "n": len(xs)}


def idle_rss(server, work, a):
    """RSS of the process with the rules loaded and nothing scraped (median of 5 readings after 10 s)."""
    cfg = os.path.join(work, "idle.yml")
    write_config(cfg, a.scrape_interval, a.eval_interval, a.rules_dir)
    data = os.path.join(work, "idle-" + server.name.split()[0].lower())
    server.start(cfg, data, "idle")
    server.wait_ready()
    time.sleep(8)
    xs = []
    for _ in range(5):
        xs.append(server.rss())
        time.sleep(0.5)
    server.stop()
    shutil.rmtree(data, ignore_errors=True)
    return statistics.median(xs)


def http_floor(c, now, pause, n=20):
    """Median seconds of `vector(1)` on client `c`, each after `pause` seconds of idle."""
    xs = []
    for _ in range(n):
        if pause:
            time.sleep(pause)
        t0 = time.perf_counter()
        c.api("/api/v1/query", query="vector(1)", time=f"{now:.3f}")
        xs.append(time.perf_counter() - t0)
    return statistics.median(xs)


def steady(server, work, a, size, exporter_port, targets, noop_port=None):
    """One server on one size: CPU, memory, rules, queries, disk."""
    tag = f"{size // 1000}k"
    cfg = os.path.join(work, f"scrape-{tag}.yml")
    write_config(cfg, a.scrape_interval, a.eval_interval, a.rules_dir, exporter_port, targets)
    data = os.path.join(work, f"{tag}-{server.name.split()[0].lower()}")
    t_start = server.start(cfg, data, tag)
    server.wait_ready()
    c = server.client
    warm = a.warmup + (a.warmup if size >= 50_000 else 0) // 2
    log(f"{server.name} {tag}: warming up {warm} s")
    time.sleep(warm)
    cpu0, s0, w0 = server.cpu(), c.metric_sum(server.samples_metric), time.time()
    timeline, rss, evals = [], [], {}
    log(f"{server.name} {tag}: measuring {a.measure} s")
    while time.time() - w0 < a.measure:
        time.sleep(1)
        r = server.rss()
        rss.append(r)
        timeline.append((time.time() - t_start, server.cpu(), r))
        for key, (last, secs) in c.rule_groups().items():
            evals.setdefault(key, {})[last] = secs
    cpu1, s1, w1 = server.cpu(), c.metric_sum(server.samples_metric), time.time()
    load1 = os.getloadavg()[0]
    series = c.metric_sum(server.series_metric)
    out = {"loadavg_1m": load1, "cpu_s": cpu1 - cpu0, "samples": s1 - s0, "window_s": w1 - w0, "active_series": series,
           "rss_median": statistics.median(rss[len(rss) // 3:]), "rss_max": max(rss), "timeline": timeline,
           "rule_groups": {f"{k[0]}:{k[1]}": quantiles(list(v.values())) for k, v in evals.items() if v}}
    out["cpu_per_msample"] = out["cpu_s"] / (out["samples"] / 1e6)
    # Rule rounds: per group, median seconds per round; summed over the groups.
    out["rule_eval_s"] = sum(g["median"] for g in out["rule_groups"].values())
    # Queries: instant ones at one time, the range query from the server's start to now.
    now = time.time()
    rng_start, step = t_start, max(1, int((now - t_start) / 1000))
    lat = {q: [] for _, q in SEED_QUERIES + [RANGE_QUERY]}
    results = {}
    log(f"{server.name} {tag}: queries x {a.repeat}")
    for i in range(a.repeat):
        for _, q in SEED_QUERIES:
            t0 = time.perf_counter()
            d = c.api("/api/v1/query", query=q, time=f"{now:.3f}")
            lat[q].append(time.perf_counter() - t0)
            results[q] = len(d["result"])
        q = RANGE_QUERY[1]
        t0 = time.perf_counter()
        d = c.api("/api/v1/query_range", query=q, start=f"{rng_start:.3f}", end=f"{now:.3f}", step=f"{step}")
        lat[q].append(time.perf_counter() - t0)
        results[q] = sum(len(s["values"]) for s in d["result"])
    out["queries"] = {q: dict(quantiles(v), result_size=results[q]) for q, v in lat.items()}
    # The same queries back to back (one unmeasured run, then --repeat measured ones with no
    # pause): what the server itself takes. In the interleaved runs above, each query comes
    # after another one or a pause, and on this VM a thread woken from idle costs either
    # server ~0.8 ms (see the wake-up floor below), which dominates queries of 1-2 ms.
    for _, q in SEED_QUERIES:
        c.api("/api/v1/query", query=q, time=f"{now:.3f}")
        xs = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            c.api("/api/v1/query", query=q, time=f"{now:.3f}")
            xs.append(time.perf_counter() - t0)
        out["queries"][q]["back_to_back_median"] = statistics.median(xs)
    # Wake-up floor: the cheapest query, back to back and after 20 ms of idle.
    # The same for a do-nothing server (workload.py noop) at the same moment, with this
    # server still scraping in the background: what no server can go below here.
    out["wakeup_floor"] = {label: http_floor(c, now, pause) for label, pause in (("busy", 0.0), ("after_idle", 0.02))}
    if noop_port:
        nc = Client(noop_port)
        out["noop_floor"] = {label: http_floor(nc, now, pause) for label, pause in (("busy", 0.0), ("after_idle", 0.02))}
        nc.close()
    out["range"] = {"start": rng_start, "end": now, "step": step}
    total = c.metric_sum(server.samples_metric)
    server.stop()
    out["samples_total"] = total
    out["disk_bytes"] = du(data)
    out["disk_per_sample"] = out["disk_bytes"] / total
    shutil.rmtree(data, ignore_errors=True)
    return out


def restart(server, work, a):
    """Push --restart-series x --restart-hours by remote write, kill -9, time start to ready."""
    cfg = os.path.join(work, "restart.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    data = os.path.join(work, "restart-" + server.name.split()[0].lower())
    server.start(cfg, data, "restart")
    server.wait_ready()
    log(f"{server.name}: pushing {a.restart_series:,} series x {a.restart_hours} h at {a.restart_interval} s")
    cpu0 = server.cpu()
    p = subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), "push", f"--url=http://127.0.0.1:{server.port}/api/v1/write",
                        f"--series={a.restart_series}", f"--hours={a.restart_hours}", f"--interval={a.restart_interval}"],
                       stdout=subprocess.PIPE, text=True, check=True)
    pushed, push_s = p.stdout.split()
    out = {"pushed": int(pushed), "push_s": float(push_s), "push_cpu_s": server.cpu() - cpu0, "rss_before_kill": server.rss(),
           "series": server.client.metric_sum(server.series_metric), "disk_before_kill": du(data)}
    server.kill9()
    t0 = server.start(cfg, data, "restart")
    t1 = server.wait_ready(probe='compare_restart_probe{job="restart"}')
    out["ready_s"] = (t1 - t0) if t1 else None
    out["rss_after"] = server.rss()
    out["series_after"] = server.client.metric_sum(server.series_metric)
    server.stop()
    out["disk_after_stop"] = du(data)
    shutil.rmtree(data, ignore_errors=True)
    log(f"{server.name}: back in {out['ready_s']:.2f} s")
    return out


def ensure_vigil(a):
    if a.vigil:
        return a.vigil
    path = os.path.join(REPO, ".build", "release", "vigil")
    if not os.path.exists(path):
        log("building vigil (release)")
        subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=REPO, check=True)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="active series per run, comma-separated")
    ap.add_argument("--series-per-target", type=int, default=1000)
    ap.add_argument("--scrape-interval", type=int, default=1)
    ap.add_argument("--eval-interval", type=int, default=15, help="rule evaluation interval (the seeds' own)")
    ap.add_argument("--warmup", type=int, default=30, help="seconds before measuring (x1.5 from 50k series)")
    ap.add_argument("--measure", type=int, default=60, help="seconds of the CPU/memory/rules window")
    ap.add_argument("--repeat", type=int, default=15, help="runs of each query")
    ap.add_argument("--restart-series", type=int, default=1_000_000)
    ap.add_argument("--restart-hours", type=float, default=1.0)
    ap.add_argument("--restart-interval", type=int, default=60, help="seconds between the pushed samples")
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: idle, steady, restart")
    ap.add_argument("--only", default="", help="only this server: vigil or prometheus")
    ap.add_argument("--vigil", help="vigil binary (default: .build/release/vigil, built if missing)")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--rules-dir", default=os.path.join(REPO, "examples", "rules"))
    ap.add_argument("--out", default=os.path.join(REPO, "benchmarks", "results"))
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install python3-matplotlib for the plots")
    a = ap.parse_args()
    if not os.path.exists(a.prometheus):
        print("compare: prometheus not installed (apt-get install prometheus, or VIGIL_WITH_REFERENCE=1 scripts/setup-debian.sh)", file=sys.stderr)
        return 2
    vigil = ensure_vigil(a)
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="vigil-compare-")
    skip = set(filter(None, a.skip.split(",")))
    servers = [Server("Prometheus 2.42", a.prometheus, 19190, work), Server("Vigil", vigil, 19191, work)]
    if a.only:
        servers = [s for s in servers if s.name.lower().startswith(a.only.lower())]
    res = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "argv": sys.argv[1:], "args": vars(a),
           "machine": machine(), "vigil_commit": git_commit(), "idle_rss": {}, "steady": {}, "restart": {}}
    t_all = time.time()
    exporter = None
    noop = subprocess.Popen([sys.executable, os.path.join(HERE, "workload.py"), "noop"], stdout=subprocess.PIPE, text=True)
    noop_port = int(noop.stdout.readline())
    try:
        if "idle" not in skip:
            for s in servers:
                res["idle_rss"][s.name] = idle_rss(s, work, a)
                log(f"{s.name}: idle RSS {res['idle_rss'][s.name] / 2**20:.1f} MiB")
        for size in ([] if "steady" in skip else [int(x) for x in a.sizes.split(",")]):
            targets = max(1, size // a.series_per_target)
            exporter = subprocess.Popen([sys.executable, os.path.join(HERE, "workload.py"), "serve", f"--targets={targets}", f"--series={size}"],
                                        stdout=subprocess.PIPE, text=True)
            port = int(exporter.stdout.readline())
            for s in servers:
                r = res["steady"].setdefault(str(size), {})[s.name] = steady(s, work, a, size, port, targets, noop_port)
                log(f"{s.name} {size}: {r['cpu_per_msample']:.2f} CPU s / M samples, {r['active_series']:.0f} series, "
                    f"RSS {r['rss_median'] / 2**20:.0f} MiB, {r['disk_per_sample']:.2f} B/sample")
            exporter.send_signal(signal.SIGTERM)
            exporter.wait()
            exporter = None
        if "restart" not in skip:
            for s in servers:
                res["restart"][s.name] = restart(s, work, a)
    finally:
        for s in servers:
            s.stop()
        if exporter:
            exporter.kill()
        noop.kill()
    res["duration_s"] = time.time() - t_all
    with open(os.path.join(a.out, "compare.json"), "w") as f:
        json.dump(res, f, indent=1)
    from report import write_report
    write_report(res, a.out)
    plot(a)
    shutil.rmtree(work, ignore_errors=True)
    log(f"done in {res['duration_s'] / 60:.1f} min; {a.out}/compare.md")
    return 0


def plot(a):
    """plot.py under a Python that has matplotlib (Debian's python3-matplotlib is for /usr/bin/python3)."""
    for py in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([py, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            subprocess.run([py, os.path.join(HERE, "plot.py"), a.out], check=False)
            return
    if a.no_install or os.geteuid() != 0:
        log("no matplotlib: no plots (apt-get install python3-matplotlib, then python3 benchmarks/compare/plot.py)")
        return
    log("installing python3-matplotlib for the plots")
    subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib", shell=True, check=False)
    if os.path.exists("/usr/bin/python3"):
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "plot.py"), a.out], check=False)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024 // 1024
    except OSError:
        mem = 0
    return f"{os.cpu_count()} cores ({model}), {mem} GiB, {os.uname().sysname} {os.uname().release}"


def git_commit():
    p = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return p.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
