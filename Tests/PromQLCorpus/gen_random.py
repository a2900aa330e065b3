#!/usr/bin/env python3
"""Randomized differential corpus: random series and random well-typed PromQL expressions,
evaluated by promtool 2.42 (through scripts/corpus-fill.py), written as a test file that
EngineCorpusTests replays against Vigil's engine.

Usage: Tests/PromQLCorpus/gen_random.py SEED COUNT OUT.yml
Cases promtool cannot compare (NaN results, errors) are left out; cases whose result
depends on promtool's summation order (they fail some of 6 promtool runs) are dropped too.
"""
import os, random, re, subprocess, sys, tempfile
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
FILL = os.path.join(HERE, "..", "..", "scripts", "corpus-fill.py")

def series(r):
    out = []
    for name in ["a", "b"]:
        for j in ["x", "y", "z"]:
            kind = r.choice(["counter", "gauge", "gappy"])
            if kind == "counter":
                v = f"{r.randint(0, 20)}+{r.randint(1, 9)}x{r.randint(10, 30)}"
            elif kind == "gauge":
                v = " ".join(str(r.randint(-5, 20)) for _ in range(r.randint(10, 30)))
            else:
                items = []
                for _ in range(r.randint(10, 30)):
                    items.append(r.choice(["_", "stale", str(r.randint(0, 9)), str(r.randint(0, 9))]))
                v = " ".join(items)
            out.append({"series": f'{name}{{j="{j}", k="{r.choice(["p", "q"])}"}}', "values": v})
    return out

def offset(r):
    return f" offset {r.choice(['1m', '2m', '-1m', '30s'])}" if r.random() < 0.15 else ""

def sel(r, rangeSuffix=""):
    return r.choice(["a", "b", 'a{j="x"}', 'b{k="p"}', 'a{j=~"x|y"}', 'b{j!="z"}']) + rangeSuffix + offset(r)

def rng(r):
    return r.choice(["1m", "2m", "3m", "5m", "10m", "90s"])

RANGE_FNS = ["rate", "increase", "delta", "irate", "idelta", "resets", "changes", "deriv",
             "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time",
             "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time"]
VEC_FNS = ["abs", "ceil", "floor", "sqrt", "exp", "ln", "sgn", "round", "timestamp", "sort", "-"]
AGGS = ["sum", "min", "max", "avg", "count", "group", "stddev", "stdvar"]

def scalar(r, d):
    c = r.random()
    if c < 0.6 or d > 2:
        return str(r.choice([0, 1, 2, 3, 5, 10, 0.5]))
    if c < 0.8:
        return f"scalar({vec(r, d + 1)})"
    return "time()"

def vec(r, d=0):
    c = r.random()
    if d > 2 or c < 0.2:
        return sel(r)
    if c < 0.4:
        f = r.choice(RANGE_FNS)
        if r.random() < 0.2:
            return f"{f}(({vec(r, d + 1)})[{rng(r)}:{r.choice(['1m', '30s', '2m'])}])"
        return f"{f}({sel(r, '[' + rng(r) + ']')})"
    if c < 0.5:
        f = r.choice(VEC_FNS)
        if f == "-":
            return f"-({vec(r, d + 1)})"
        return f"{f}({vec(r, d + 1)})"
    if c < 0.65:
        a = r.choice(AGGS)
        g = r.choice(["", " by (j)", " by (k)", " without (j)", " by (j, k)"])
        return f"{a}{g} ({vec(r, d + 1)})"
    if c < 0.7:
        a = r.choice(["topk", "bottomk", "quantile"])
        p = r.choice(["1", "2"]) if a != "quantile" else r.choice(["0.5", "0.9", "0"])
        return f"{a}({p}, {vec(r, d + 1)})"
    if c < 0.85:
        op = r.choice(["+", "-", "*", "/", ">", "<", "==", ">=", "!=", "> bool", "< bool", "%", "^"])
        if r.random() < 0.5:
            return f"({vec(r, d + 1)}) {op} {scalar(r, d + 1)}"
        return f"{scalar(r, d + 1)} {op} ({vec(r, d + 1)})"
    op = r.choice(["+", "-", "*", "/", ">", "<", "and", "or", "unless", "> bool"])
    m = r.choice(["", " on(j, k)", " ignoring(k)", " on(j)", " ignoring(j)"])
    return f"({vec(r, d + 1)}) {op}{m} ({vec(r, d + 1)})"

def main(seed, count, out):
    r = random.Random(seed)
    groups = []
    per = 25
    for g in range(max(1, count // per)):
        cases = [{"expr": vec(r), "eval_time": f"{r.randint(0, 35)}m"} for _ in range(per)]
        groups.append({"interval": "1m", "input_series": series(r), "promql_expr_test": cases})
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"tests": groups}, f, width=1000)
        src = f.name
    subprocess.run([sys.executable, FILL, src, out], check=True)
    os.unlink(src)
    # Drop cases that are not stable across promtool runs (summation order).
    flaky = set()
    for _ in range(6):
        p = subprocess.run(["promtool", "test", "rules", out], capture_output=True, text=True)
        for m in re.finditer(r'\n    expr: (".*?"), time: ', p.stdout + p.stderr):
            flaky.add(yaml.safe_load(m.group(1)))
    if flaky:
        lines = open(out).read().split("\n")
        kept, skip = [], False
        for line in lines:
            m = re.match(r"      - expr: '(.*)'$", line)
            if m:
                skip = m.group(1).replace("''", "'") in flaky
            elif not line.startswith("        ") and not line.startswith("          "):
                skip = False
            if not skip:
                kept.append(line)
        open(out, "w").write("\n".join(kept))
        print(f"dropped {len(flaky)} order-dependent expressions", file=sys.stderr)

if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
