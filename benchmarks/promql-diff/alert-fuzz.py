#!/usr/bin/env python3
"""Randomized differential test of Vigil's rule engine against promtool 2.42.

Generates random rule files (recording rules feeding alerting rules, `for`, `keep_firing_for`,
label and annotation templates, group `limit`) and random input series (gauges crossing
thresholds, counters with error bursts, gaps `_` and `stale` markers), and a `test rules`
file that asks, at every evaluation, which alerts fire (alert_rule_test with no expected
alerts) and what the recorded series, `ALERTS` and `ALERTS_FOR_STATE` hold (promql_expr_test
with no expected samples). Both tools then print everything they got; the two outputs must
be identical, byte for byte.

Values are small integers so sums do not depend on the order promtool loads series in, and
group_eval_order is always given (promtool's own order is Go's random map order).

Usage: benchmarks/promql-diff/alert-fuzz.py [--seed N] [--cases N] [--keep DIR] [-v]
Environment: VIGIL_BIN (default: the debug build), PROMTOOL (default promtool),
VIGIL_REQUIRE_PROMTOOL=1 (fail instead of skipping when promtool is missing).
Exit status: 0 all agree, 1 a disagreement (the case is kept and printed), 2 setup error.
"""
import argparse, os, random, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

JOBS = ["api", "web", "db"]
INSTANCES = ["a:1", "b:1"]


def series_values(rng, n, kind):
    """promtool series notation, one value per minute."""
    vals = []
    if kind == "counter":
        v = rng.randint(0, 50)
        for _ in range(n):
            v += rng.choice([0, 0, 1, 5, 10, 30, 60])
            if rng.random() < 0.03:
                v = 0
            vals.append(str(v))
    else:
        v = rng.randint(0, 10)
        for _ in range(n):
            if rng.random() < 0.3:
                v = rng.randint(0, 10)
            vals.append(str(v))
    out = []
    for x in vals:
        r = rng.random()
        out.append("_" if r < 0.06 else "stale" if r < 0.1 else x)
    return " ".join(out)


def gen_series(rng, n):
    lines = []
    for job in JOBS:
        for inst in INSTANCES:
            if rng.random() < 0.8:
                lines.append((f'level{{job="{job}",instance="{inst}"}}', series_values(rng, n, "gauge")))
            for code in ["200", "500"]:
                if rng.random() < 0.7:
                    lines.append((f'req_total{{job="{job}",instance="{inst}",code="{code}"}}',
                                  series_values(rng, n, "counter")))
    return lines


LABEL_TEMPLATES = ["", "static", "{{ $labels.job }}", "v{{ $value }}", "{{ if gt $value 5.0 }}high{{ else }}low{{ end }}",
                   "{{ $labels.nothere }}"]
ANNOTATION_TEMPLATES = ["{{ $labels.job | toUpper }} {{ query \"vector(2)\" | first | value }}",
                        "{{ with $x := 1 }}{{ $x }}{{ end }}{{ index $labels \"job\" }}","", "Job {{ $labels.job }} is at {{ $value }}", "{{ humanize $value }}",
                        "{{ printf \"%.2f\" $value }} on {{ $labels.instance }}", "{{ $externalLabels.env }}",
                        "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "{{ $value | humanizePercentage }}"]
DURATIONS = ["0s", "1m", "2m", "3m", "5m"]


def gen_rules(rng):
    groups = []
    recorded = []
    ngroups = rng.randint(1, 3)
    for gi in range(ngroups):
        rules = []
        for ri in range(rng.randint(1, 4)):
            if rng.random() < 0.4:
                name = f"rec:g{gi}:r{ri}"
                expr = rng.choice([
                    "sum by (job) (level)", "max(level)", "sum by (job, code) (increase(req_total[2m]))",
                    "level * 2", "count by (instance) (level > 3)", "sum by (job) (rate(req_total{code=\"500\"}[3m])) * 60",
                    "vector(1)", "scalar(sum(level))"] + [f"{r} + 1" for r in recorded])
                labels = {}
                if rng.random() < 0.4:
                    labels["tier"] = rng.choice(["x", "y"])
                if rng.random() < 0.05:
                    labels["instance"] = "same"  # may make two outputs one label set: a rule error
                recorded.append(name)
                rules.append({"record": name, "expr": expr, "labels": labels})
            else:
                base = rng.choice(["level", "sum by (job) (level)", "max by (instance) (level)"] + recorded)
                expr = f"{base} {rng.choice(['>', '>=', '<'])} {rng.randint(2, 8)}"
                rule = {"alert": f"A{gi}x{ri}", "expr": expr, "for": rng.choice(DURATIONS)}
                if rng.random() < 0.4:
                    rule["keep_firing_for"] = rng.choice(DURATIONS[1:])
                labels = {}
                for _ in range(rng.randint(0, 2)):
                    labels[rng.choice(["severity", "team", "kind"])] = rng.choice(LABEL_TEMPLATES)
                ann = {}
                for _ in range(rng.randint(0, 2)):
                    ann[rng.choice(["summary", "description"])] = rng.choice(ANNOTATION_TEMPLATES)
                rule["labels"] = labels
                rule["annotations"] = ann
                rules.append(rule)
        g = {"name": f"g{gi}", "rules": rules}
        if rng.random() < 0.15:
            g["limit"] = rng.randint(1, 4)
        groups.append(g)
    return groups, recorded


def yq(s):
    return "'" + s.replace("'", "''") + "'"


def render_rules(groups):
    out = ["groups:"]
    for g in groups:
        out.append(f"  - name: {g['name']}")
        if "limit" in g:
            out.append(f"    limit: {g['limit']}")
        out.append("    rules:")
        for r in g["rules"]:
            if "record" in r:
                out.append(f"      - record: {yq(r['record'])}")
            else:
                out.append(f"      - alert: {r['alert']}")
                out.append(f"        for: {r['for']}")
                if "keep_firing_for" in r:
                    out.append(f"        keep_firing_for: {r['keep_firing_for']}")
            out.append(f"        expr: {yq(r['expr'])}")
            for key in ["labels", "annotations"]:
                if r.get(key):
                    out.append(f"        {key}:")
                    for k, v in r[key].items():
                        out.append(f"          {k}: {yq(v)}")
    return "\n".join(out) + "\n"


def render_test(groups, recorded, series, n, rng):
    order = [g["name"] for g in groups]
    rng.shuffle(order)
    out = ["rule_files: [rules.yml]", "evaluation_interval: 1m", f"group_eval_order: [{', '.join(order)}]", "tests:",
           "  - interval: 1m", "    external_labels:", "      env: prod", "    input_series:"]
    for s, v in series:
        out.append(f"      - series: {yq(s)}")
        out.append(f"        values: {yq(v)}")
    alerts = [r["alert"] for g in groups for r in g["rules"] if "alert" in r]
    out.append("    alert_rule_test:" if alerts else "    alert_rule_test: []")
    for t in range(0, n):
        for a in alerts:
            out.append(f"      - eval_time: {t}m")
            out.append(f"        alertname: {a}")
    exprs = ["ALERTS", "ALERTS_FOR_STATE"] + recorded
    out.append("    promql_expr_test:")
    for t in sorted(rng.sample(range(n), min(4, n))):
        for e in exprs:
            out.append(f"      - expr: {yq(e)}")
            out.append(f"        eval_time: {t}m")
    return "\n".join(out) + "\n"


def run(argv, cwd):
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
        return f"exit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
    except subprocess.TimeoutExpired:
        return "timeout"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--keep")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    promtool = os.environ.get("PROMTOOL", "promtool")
    if not shutil.which(promtool):
        if os.environ.get("VIGIL_REQUIRE_PROMTOOL") == "1":
            print("alert-fuzz: promtool not installed", file=sys.stderr)
            return 2
        print("alert-fuzz: promtool not installed, skipped")
        return 0
    vigil = os.environ.get("VIGIL_BIN") or os.path.join(REPO, ".build", "debug", "vigil")
    if not os.path.exists(vigil):
        print(f"alert-fuzz: {vigil} missing (swift build)", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    failures = 0
    alerts_seen = 0
    for i in range(a.cases):
        n = rng.randint(8, 25)
        groups, recorded = gen_rules(rng)
        series = gen_series(rng, n)
        d = tempfile.mkdtemp(prefix="alert-fuzz-")
        with open(os.path.join(d, "rules.yml"), "w") as f:
            f.write(render_rules(groups))
        with open(os.path.join(d, "test.yml"), "w") as f:
            f.write(render_test(groups, recorded, series, n, rng))
        p = run([promtool, "test", "rules", "test.yml"], d)
        v = run([vigil, "test", "rules", "test.yml"], d)
        alerts_seen += p.count("Labels:{")
        if p != v:
            failures += 1
            print(f"case {i}: DISAGREE (files in {d})")
            import difflib
            for line in list(difflib.unified_diff(p.splitlines(), v.splitlines(), "promtool", "vigil", lineterm=""))[:60]:
                print("  " + line)
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                shutil.copytree(d, os.path.join(a.keep, f"case{i}"), dirs_exist_ok=True)
        else:
            if a.v:
                print(f"case {i}: agree ({p.count('Labels:{')} firing alerts reported)")
            shutil.rmtree(d)
    print(f"alert-fuzz: {a.cases} cases, {failures} disagreements, {alerts_seen} firing alerts compared")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
