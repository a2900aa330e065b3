"""The table of benchmarks/compare: one row per figure, Vigil / Prometheus against its goal."""
import os

from servers import RANGE_QUERY, SEED_QUERIES

V, P = "Vigil", "Prometheus 2.42"
MiB = 2 ** 20


def rows(res):
    """(figure, size, prometheus value, vigil value, unit, goal ratio or None, fmt)."""
    out = []
    for size, r in res["steady"].items():
        if V not in r or P not in r:
            continue
        v, p = r[V], r[P]
        k = f"{int(size) // 1000}k"
        out.append(("CPU seconds per million samples", k, p["cpu_per_msample"], v["cpu_per_msample"], "s", 0.5, "{:.3f}"))
        mem = {}
        for name, x in ((P, p), (V, v)):
            mem[name] = (x["rss_median"] - res["idle_rss"].get(name, 0)) / max(1, x["active_series"])
        out.append(("resident memory per active series (minus idle)", k, mem[P], mem[V], "B", 0.5, "{:.0f}"))
        out.append(("disk bytes per sample (after a clean stop)", k, p["disk_per_sample"], v["disk_per_sample"], "B", 1.0, "{:.2f}"))
        out.append(("rule evaluation per round (sum of group medians)", k, p["rule_eval_s"] * 1000, v["rule_eval_s"] * 1000, "ms", None, "{:.2f}"))
        for label, q in SEED_QUERIES + [RANGE_QUERY]:
            pq, vq = p["queries"][q], v["queries"][q]
            out.append((f"{label}: median", k, pq["median"] * 1000, vq["median"] * 1000, "ms", 0.5, "{:.2f}"))
            out.append((f"{label}: p90", k, pq["p90"] * 1000, vq["p90"] * 1000, "ms", None, "{:.2f}"))
            if "back_to_back_median" in pq and "back_to_back_median" in vq:
                out.append((f"{label}: median back to back", k, pq["back_to_back_median"] * 1000, vq["back_to_back_median"] * 1000, "ms", None, "{:.2f}"))
        if "wakeup_floor" in p and "wakeup_floor" in v:
            out.append(("vector(1) back to back (HTTP floor)", k, p["wakeup_floor"]["busy"] * 1000, v["wakeup_floor"]["busy"] * 1000, "ms", None, "{:.3f}"))
            out.append(("vector(1) after 20 ms idle (thread wake-up floor)", k, p["wakeup_floor"]["after_idle"] * 1000, v["wakeup_floor"]["after_idle"] * 1000, "ms", None, "{:.3f}"))
        if "noop_floor" in p and "noop_floor" in v:
            out.append(("do-nothing server (workload.py noop) back to back, during each run", k, p["noop_floor"]["busy"] * 1000, v["noop_floor"]["busy"] * 1000, "ms", None, "{:.3f}"))
            out.append(("do-nothing server after 20 ms idle, during each run", k, p["noop_floor"]["after_idle"] * 1000, v["noop_floor"]["after_idle"] * 1000, "ms", None, "{:.3f}"))
    rs = res.get("restart", {})
    if V in rs and P in rs and rs[V]["ready_s"] and rs[P]["ready_s"]:
        args = res["args"]
        label = (f"start to ready after kill -9 ({args['restart_series']:,} series x {args['restart_hours']:g} h at "
                 f"{args['restart_interval']} s, {rs[V]['pushed'] / 1e6:.0f} M samples)")
        out.append((label, "", rs[P]["ready_s"], rs[V]["ready_s"], "s", 0.5, "{:.2f}"))
        out.append(("remote-write ingest of that store, CPU seconds", "", rs[P]["push_cpu_s"], rs[V]["push_cpu_s"], "s", None, "{:.1f}"))
        out.append(("RSS with that store after restart", "", rs[P]["rss_after"] / MiB, rs[V]["rss_after"] / MiB, "MiB", None, "{:.0f}"))
        out.append(("disk bytes per sample of that store (after the restart's clean stop)", "",
                    rs[P]["disk_after_stop"] / rs[P]["pushed"], rs[V]["disk_after_stop"] / rs[V]["pushed"], "B", None, "{:.2f}"))
    return out


def table(res):
    lines = ["| figure | series | Prometheus 2.42 | Vigil | Vigil / Prometheus | goal | met |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for fig, k, p, v, unit, goal, fmt in rows(res):
        ratio = v / p if p else float("nan")
        met = "" if goal is None else ("yes" if ratio <= goal else "**no**")
        lines.append(f"| {fig} | {k} | {fmt.format(p)} {unit} | {fmt.format(v)} {unit} | {ratio:.2f} | {'' if goal is None else '≤ ' + str(goal)} | {met} |")
    return "\n".join(lines)


def details(res):
    lines = []
    for size, r in res["steady"].items():
        for name, x in r.items():
            lines.append(f"- {name}, {int(size):,} series: {x['samples'] / 1e6:.2f} M samples appended in {x['window_s']:.0f} s "
                         f"({x['samples'] / x['window_s']:,.0f}/s) for {x['cpu_s']:.1f} CPU s; active series {x['active_series']:,.0f}; "
                         f"RSS median {x['rss_median'] / MiB:.0f} MiB (max {x['rss_max'] / MiB:.0f}, idle {res['idle_rss'].get(name, 0) / MiB:.0f}); "
                         f"disk {x['disk_bytes'] / MiB:.1f} MiB for {x['samples_total'] / 1e6:.2f} M samples; "
                         f"range query step {x['range']['step']} s over {x['range']['end'] - x['range']['start']:.0f} s; "
                         f"machine load average (1 min) at the end of the window {x.get('loadavg_1m', 0):.2f}")
            for g, q in sorted(x["rule_groups"].items()):
                lines.append(f"  - rule group {g}: median {q['median'] * 1000:.2f} ms, p90 {q['p90'] * 1000:.2f} ms over {q['n']} rounds")
    for name, x in res.get("restart", {}).items():
        lines.append(f"- {name}, restart: pushed {x['pushed']:,} samples in {x['push_s']:.0f} s ({x['push_cpu_s']:.0f} CPU s), "
                     f"{x['series']:,.0f} series, RSS before the kill {x['rss_before_kill'] / MiB:.0f} MiB, "
                     f"disk before the kill {x['disk_before_kill'] / MiB:.0f} MiB; ready after {x['ready_s']:.2f} s "
                     f"with {x['series_after'] or 0:,.0f} series, RSS {x['rss_after'] / MiB:.0f} MiB")
    return "\n".join(lines)


def write_report(res, out_dir):
    text = (f"# benchmarks/compare — {res['started']}\n\n"
            f"Machine: {res['machine']}. Vigil: `{res['vigil_commit']}`. Command: `python3 benchmarks/compare/compare.py {' '.join(res['argv'])}` "
            f"({res['duration_s'] / 60:.1f} min). One run.\n\n{table(res)}\n\n{details(res)}\n")
    with open(os.path.join(out_dir, "compare.md"), "w") as f:
        f.write(text)
    print(text)
