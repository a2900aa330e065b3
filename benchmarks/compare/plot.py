#!/usr/bin/env python3
"""PNG plots of benchmarks/results/compare.json (needs matplotlib: apt-get install python3-matplotlib).

Usage: plot.py [RESULTS_DIR]   (default benchmarks/results)
Writes ratios.png (every figure as Vigil / Prometheus, with its goal), resources.png,
queries-<size>.png (median and p90 of each query) and timeline-<size>.png (CPU and RSS).
"""
import json, os, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from report import P, V, rows  # noqa: E402
from servers import RANGE_QUERY, SEED_QUERIES  # noqa: E402

COLORS = {P: "#e6522c", V: "#2c7be5"}


def ratios(res, out):
    rs = [r for r in rows(res) if r[5] is not None]
    if not rs:
        return
    labels = [f"{r[0].split(' (')[0]} {r[1]}".replace(": median", "") for r in rs]
    vals = [r[3] / r[2] if r[2] else 0 for r in rs]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(rs) + 1.5))
    y = range(len(rs))
    ax.barh(y, vals, color=["#2ca02c" if v <= r[5] else "#d62728" for v, r in zip(vals, rs)])
    for i, r in enumerate(rs):
        ax.plot([r[5], r[5]], [i - 0.4, i + 0.4], color="black", lw=1.5)
        ax.text(vals[i] + 0.02, i, f"{vals[i]:.2f}", va="center", fontsize=7)
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("Vigil / Prometheus 2.42 (lower is better; black tick = goal; green = met)")
    ax.set_title(f"benchmarks/compare, {res['started']}")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "ratios.png"), dpi=110)
    plt.close(fig)


def resources(res, out):
    figs = {}
    for r in rows(res):
        name = r[0]
        if r[5] is None or ":" in name:
            continue
        figs.setdefault(f"{name} ({r[4]})", []).append((r[1] or "1M", r[2], r[3]))
    if not figs:
        return
    fig, axes = plt.subplots(1, len(figs), figsize=(4 * len(figs), 3.6))
    axes = [axes] if len(figs) == 1 else axes
    for ax, (name, pts) in zip(axes, figs.items()):
        xs = range(len(pts))
        ax.bar([x - 0.2 for x in xs], [p[1] for p in pts], 0.4, label=P, color=COLORS[P])
        ax.bar([x + 0.2 for x in xs], [p[2] for p in pts], 0.4, label=V, color=COLORS[V])
        ax.set_xticks(list(xs))
        ax.set_xticklabels([p[0] for p in pts])
        ax.set_title(name, fontsize=8, wrap=True)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "resources.png"), dpi=110)
    plt.close(fig)


def queries(res, out):
    for size, r in res["steady"].items():
        if V not in r or P not in r:
            continue
        qs = SEED_QUERIES + [RANGE_QUERY]
        fig, ax = plt.subplots(figsize=(10, 4.5))
        for off, name in ((-0.2, P), (0.2, V)):
            med = [r[name]["queries"][q]["median"] * 1000 for _, q in qs]
            p90 = [r[name]["queries"][q]["p90"] * 1000 for _, q in qs]
            ax.bar([i + off for i in range(len(qs))], med, 0.4, label=name, color=COLORS[name],
                   yerr=[[0] * len(qs), [b - a for a, b in zip(med, p90)]], capsize=2)
        ax.set_xticks(range(len(qs)))
        ax.set_xticklabels([lbl for lbl, _ in qs], rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("ms (bar: median, whisker: p90)")
        ax.set_yscale("log")
        ax.set_title(f"seed queries and a range query, {int(size):,} active series")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, f"queries-{int(size) // 1000}k.png"), dpi=110)
        plt.close(fig)


def timeline(res, out):
    for size, r in res["steady"].items():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
        for name, x in r.items():
            tl = x["timeline"]
            if len(tl) < 2:
                continue
            t = [p[0] for p in tl]
            cpu = [(tl[i][1] - tl[i - 1][1]) / max(1e-9, tl[i][0] - tl[i - 1][0]) for i in range(1, len(tl))]
            a1.plot(t[1:], cpu, label=name, color=COLORS.get(name))
            a2.plot(t, [p[2] / 2 ** 20 for p in tl], label=name, color=COLORS.get(name))
        a1.set_title(f"CPU (cores), {int(size):,} series")
        a2.set_title(f"RSS (MiB), {int(size):,} series")
        for a in (a1, a2):
            a.set_xlabel("s since start")
            a.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out, f"timeline-{int(size) // 1000}k.png"), dpi=110)
        plt.close(fig)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "results")
    with open(os.path.join(out, "compare.json")) as f:
        res = json.load(f)
    ratios(res, out)
    resources(res, out)
    queries(res, out)
    timeline(res, out)
    print(f"plots in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
