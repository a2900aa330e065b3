#!/usr/bin/env python3
"""Randomized differential test of Vigil's PromQL engine against promtool 2.42.

Generates random input series (counters with resets, gauges with negative and fractional
values, classic histogram buckets with +Inf, gaps `_` and `stale` markers) in the notation
of `promtool test rules`, and random well-typed PromQL expressions (selectors with every
matcher kind, ranges, offset, @, subqueries, functions, aggregations, binary operators with
vector matching, scalars). Every case is an instant query at a random eval_time.

The same test file, with empty exp_samples, goes through `promtool test rules` (the
reference) and `vigil test rules`; both print what they got for each case (or its error),
and the two answers are compared: same label sets, values equal (NaN equals NaN), or equal
within a relative tolerance of 1e-9 (float sums depend on the order in which promtool loads
series, which is random; results within the tolerance are counted apart, and -v lists those
outside aggregations, where they mean a last-bit difference of a function). Both erroring
agrees when the texts match once the series they name are left out. A vigil crash or
timeout is isolated to its case and reported as a disagreement.

promtool's own answer can depend on its random load order: a disagreement is rechecked by
running promtool on it --recheck more times, and is not counted if one of those answers
matches Vigil's, or if a topk/bottomk answer has the same values on other series (a tie).
The rest are minimized (input series removed, sub-expressions replaced by smaller ones of
the same type, modifiers dropped, while promtool and vigil still disagree the same way) and
reported: expression, eval time, input series, promtool's and Vigil's answers.

Usage:
  benchmarks/promql-diff/promql-fuzz.py [--seed N] [--cases N] [--keep DIR] [-v]

Options (see --help): --seed (default 1), --cases (default 200 expressions), --keep DIR
(writes the generated test files, the outputs, and `regressions.yml`, the minimized
disagreements as a promtool test file whose exp_samples are promtool's answers),
--allowlist FILE (default: allowlist.txt next to this script, lines `REGEX  # reason`;
a disagreement whose text `expr: E\npromtool: A\nvigil: B` matches a REGEX is a known gap,
reported but not failing), --minimize N, --recheck N, -v (progress and notes).

Environment: VIGIL_BIN (default .build/debug/vigil, built if missing), PROMTOOL (default
promtool on PATH), VIGIL_REQUIRE_PROMTOOL=1 (fail instead of skipping when promtool is
missing). Exit status: 0 agreement (or only allowlisted gaps), 1 disagreements, 2 setup error.
Stdlib only.
"""
import argparse, math, os, random, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
REL_TOL = 1e-9

# ---------------------------------------------------------------------------------------------
# Input series

LABEL_VALUES = {
    "job": ["api", "web", "db"],
    "instance": ["a:1", "b:1", "c:2"],
    "code": ["200", "404", "500"],
    "mode": ["idle", "user", "sys"],
}
METRIC_LABELS = {"req_total": ["job", "instance", "code"], "err_total": ["job", "instance"],
                 "temp": ["job", "instance", "mode"], "up": ["job", "instance"], "lat_bucket": ["job", "le"],
                 "lat_count": ["job"], "lat_sum": ["job"]}
LE_SETS = [["0.1", "0.5", "1", "2.5", "+Inf"], ["0.25", "1", "+Inf"], ["1", "10", "100", "+Inf"],
           ["0.5", "1.0", "+Inf"], ["0.1", "1", "10"], ["1", "+Inf"]]


def fnum(x):
    """A value as the notation writes it (shortest exact decimal)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class Series:
    def __init__(self, labels, tokens):
        self.labels = labels          # list of (name, value); first is __name__
        self.tokens = tokens          # list of strings

    def selector(self):
        name = self.labels[0][1]
        rest = ", ".join(f'{n}="{v}"' for n, v in self.labels[1:])
        return name + "{" + rest + "}" if rest else name

    def values(self):
        return " ".join(self.tokens)


def compress(vals):
    """Writes runs of equal steps as `a+bxN`, the rest as single values, `_` and `stale`."""
    out, i = [], 0
    while i < len(vals):
        v = vals[i]
        if isinstance(v, str):
            j = i
            while j < len(vals) and vals[j] == v:
                j += 1
            if v == "_" and j - i >= 2 and random.random() < 0.7:
                out.append(f"_x{j - i}")
            else:
                out.extend([v] * (j - i))
            i = j
            continue
        # longest arithmetic run of numbers starting at i
        j = i + 1
        if j < len(vals) and not isinstance(vals[j], str):
            step = vals[j] - v
            while j + 1 < len(vals) and not isinstance(vals[j + 1], str) and vals[j + 1] - vals[j] == step:
                j += 1
            n = j - i
            if n >= 2 and random.random() < 0.7 and step == round(step, 2) and v == round(v, 2):
                sign = "+" if step >= 0 else "-"
                out.append(f"{fnum(v)}{sign}{fnum(abs(step))}x{n}")
                i = j + 1
                continue
        out.append(fnum(v))
        i += 1
    return out


def sprinkle(vals, gap_p, stale_p):
    out = []
    for v in vals:
        r = random.random()
        if r < gap_p:
            out.append("_")
        elif r < gap_p + stale_p:
            out.append("stale")
        else:
            out.append(v)
    if random.random() < 0.15:   # starts late
        k = random.randint(1, max(1, len(out) // 3))
        out[:k] = ["_"] * k
    if random.random() < 0.15:   # stops early
        k = random.randint(1, max(1, len(out) // 3))
        out[-k:] = ["_"] * k
    while out and out[-1] == "_":
        out.pop()
    return out


def counter_values(n):
    v = float(random.choice([0, 0, 1, 10, 100, 37]))
    vals = []
    incs = [0, 1, 1, 2, 3, 5, 10, 60, 0.5, 0.25, 1.5]
    for _ in range(n):
        vals.append(v)
        if random.random() < 0.06:
            v = float(random.choice([0, 0, 1, 3]))
        else:
            v += random.choice(incs)
    return vals


def gauge_values(n):
    v = random.choice([0, 1, -3, 12.5, 0.25, 100])
    vals = []
    for _ in range(n):
        vals.append(round(v, 2))
        r = random.random()
        if r < 0.2:
            pass
        elif r < 0.25:
            v = random.choice([0, -1, 1e3, -0.5])
        elif r < 0.27:
            v = random.choice([1e21, -1.5e-7, 1e300, 123456789.125, 0.1, 5e-324, -2e19, 1e15 + 0.5])
        else:
            v += random.choice([-2, -1, -0.5, -0.25, 0.1, 0.25, 1, 2, 3.75])
    return vals


def label_combos(names, k):
    combos = set()
    for _ in range(k * 3):
        combos.add(tuple((n, random.choice(LABEL_VALUES[n])) for n in names))
        if len(combos) >= k:
            break
    return sorted(combos)


def gen_world():
    interval = random.choice([15, 30, 60, 60])
    n = random.randint(8, 30)
    series = []
    # counters
    for lbls in label_combos(["job", "instance", "code"], random.randint(2, 5)):
        series.append(Series([("__name__", "req_total")] + list(lbls),
                             compress(sprinkle(counter_values(n), 0.05, 0.03))))
    if random.random() < 0.6:
        for lbls in label_combos(["job", "instance"], random.randint(1, 3)):
            series.append(Series([("__name__", "err_total")] + list(lbls),
                                 compress(sprinkle(counter_values(n), 0.05, 0.03))))
    # gauges
    for lbls in label_combos(["job", "instance", "mode"], random.randint(2, 4)):
        series.append(Series([("__name__", "temp")] + list(lbls),
                             compress(sprinkle(gauge_values(n), 0.06, 0.03))))
    if random.random() < 0.5:
        for lbls in label_combos(["job", "instance"], random.randint(1, 3)):
            series.append(Series([("__name__", "up")] + list(lbls),
                                 compress(sprinkle([float(random.random() < 0.8) for _ in range(n)], 0.03, 0.02))))
    # classic histogram
    les = random.choice(LE_SETS)
    for lbls in label_combos(["job"], random.randint(1, 2)):
        counts = [[0.0] * len(les) for _ in range(n)]
        cur = [0.0] * len(les)
        sums = []
        s = 0.0
        for t in range(n):
            if t and random.random() < 0.05:
                cur = [0.0] * len(les)
                s = 0.0
            inc = [random.choice([0, 0, 1, 2, 5]) for _ in les]
            acc = 0.0
            for i in range(len(les)):
                acc += inc[i]
                cur[i] += acc
            s += random.choice([0, 0.5, 1.25, 3])
            counts[t] = list(cur)
            sums.append(s)
        holes = ["_" if random.random() < 0.05 else "" for _ in range(n)]
        for i, le in enumerate(les):
            vals = [h or counts[t][i] for t, h in enumerate(holes)]
            series.append(Series([("__name__", "lat_bucket")] + list(lbls) + [("le", le)], compress(vals)))
        series.append(Series([("__name__", "lat_count")] + list(lbls),
                             compress([h or counts[t][-1] for t, h in enumerate(holes)])))
        series.append(Series([("__name__", "lat_sum")] + list(lbls),
                             compress([h or sums[t] for t, h in enumerate(holes)])))
    series = [s for s in series if s.tokens]
    return {"interval": interval, "n": n, "series": series, "les": les}


# ---------------------------------------------------------------------------------------------
# Expressions: a tree of nodes, each typed ('v' instant vector, 's' scalar, 'm' range vector),
# rendered to text; minimization replaces a node by a descendant of the same type or by one of
# its simpler alternatives.

class N:
    __slots__ = ("typ", "parts", "alts", "tag")

    def __init__(self, typ, parts, alts=(), tag=""):
        self.typ, self.parts, self.alts, self.tag = typ, list(parts), list(alts), tag

    def render(self):
        return "".join(p if isinstance(p, str) else p.render() for p in self.parts)

    def kids(self):
        return [p for p in self.parts if isinstance(p, N)]


def go_dur(sec):
    """model.Duration.String() for a whole number of seconds (>= 0)."""
    if sec == 0:
        return "0s"
    out = ""
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if sec >= size:
            out += f"{sec // size}{unit}"
            sec %= size
    return out


class Gen:
    def __init__(self, world):
        self.w = world
        self.iv = world["interval"]
        self.span = world["interval"] * world["n"]
        self.metrics = sorted({s.labels[0][1] for s in world["series"]})
        self.present = {}   # (metric, label) -> values in this world
        for s in world["series"]:
            for n, v in s.labels[1:]:
                self.present.setdefault((s.labels[0][1], n), set()).add(v)

    # -- leaves
    def number(self):
        r = random.random()
        if r < 0.6:
            return random.choice(["0", "1", "2", "3", "0.5", "10", "100", "0.25", "5", "60"])
        if r < 0.8:
            return random.choice(["-1", "-2.5", "1e3", "1.5", "0.1", "7", "0.9", "-0.5"])
        return random.choice(["0x10", "NaN", "Inf", "-Inf", "1e-3", "0", "2"])

    def dur(self, kind):
        if kind == "range":
            c = [30, 60, 90, 120, 180, 300, 300, 300, 600, 900]
            c = [x for x in c if x > self.iv or random.random() < 0.3]
            c.append(self.iv * random.choice([1, 2, 3, 4]))
        elif kind == "offset":
            c = [30, 60, 120, 300, self.iv, -60, -self.iv]
        else:  # step
            c = [15, 30, 60, 60, 120, self.iv, 45]
        s = random.choice(c)
        sign = "-" if s < 0 else ""
        return sign + go_dur(abs(s))

    def matcher(self, name=None):
        own = METRIC_LABELS.get(name)
        if own and random.random() < 0.85:
            lbl = random.choice(own)
        else:
            lbl = random.choice(list(LABEL_VALUES) + ["le", "job", "job", "nope"])
        vals = LABEL_VALUES.get(lbl, self.w["les"] if lbl == "le" else ["x"])
        if (name, lbl) in self.present and random.random() < 0.8:
            vals = sorted(self.present[(name, lbl)])
        op = random.choice(["=", "=", "!=", "=~", "!~"])
        if op in ("=", "!="):
            v = random.choice(vals + [""]) if random.random() < 0.1 else random.choice(vals)
        else:
            pool = ["|".join(random.sample(vals, min(2, len(vals)))), vals[0][:1] + ".*", ".+", ".*", "",
                    random.choice(vals), "(?i)" + random.choice(vals).upper(), "[ab].*", vals[-1] + "|nope"]
            v = random.choice(pool)
        if lbl == "le" and op in ("=", "!=") and random.random() < 0.3:
            v = "+Inf"
        return f'{lbl}{op}"{v}"'

    def selector_parts(self, allow_mods=True):
        name = random.choice(self.metrics) if random.random() < 0.96 else "nonexistent"
        ms = [self.matcher(name) for _ in range(random.choice([0, 0, 1, 1, 2]))]
        nameless = random.random() < 0.08
        if nameless:
            rx = random.choice([name, name + "|" + random.choice(self.metrics), "req.*", ".*_total", "temp|up"])
            ms.insert(0, f'__name__=~"{rx}"')
            name = ""
        return name, ms

    def sel_text(self, name, ms):
        if ms:
            return name + "{" + ", ".join(ms) + "}"
        return name

    def modifiers(self):
        mods = []
        if random.random() < 0.15:
            mods.append(" offset " + self.dur("offset"))
        if random.random() < 0.1:
            r = random.random()
            if r < 0.5:
                t = random.choice([self.span // 2, self.span, self.iv * 3, 0, self.span + 120])
                mods.append(f" @ {t}")
            elif r < 0.7:
                mods.append(f" @ {random.randint(0, self.span)}.5")
            else:
                mods.append(random.choice([" @ start()", " @ end()"]))
            if len(mods) == 2 and random.random() < 0.5:
                mods.reverse()
        return mods

    def selector(self):
        name, ms = self.selector_parts()
        mods = self.modifiers()
        text = self.sel_text(name, ms)
        alts = []
        if name and ms:
            alts.append(N("v", [name]))
        if mods:
            alts.append(N("v", [text]))
        return N("v", [text + "".join(mods)], alts, tag="sel")

    def matrix(self, d):
        if d > 0 and random.random() < 0.18:
            inner = self.vector(d - 1)
            base = [inner] if inner.tag in ("sel", "call") else ["(", inner, ")"]
            step = random.choice(["", self.dur("step")])
            mods = "".join(self.modifiers())
            return N("m", base + [f"[{self.dur('range')}:{step}]{mods}"], tag="subq")
        name, ms = self.selector_parts()
        rng = self.dur("range")
        mods = self.modifiers()
        text = self.sel_text(name, ms)
        alts = []
        if mods:
            alts.append(N("m", [f"{text}[{rng}]"]))
        if name and ms:
            alts.append(N("m", [f"{name}[{rng}]"]))
        return N("m", [f"{text}[{rng}]" + "".join(mods)], alts, tag="msel")

    def counter_matrix(self, d):
        if random.random() < 0.55:
            name = random.choice([m for m in self.metrics if m.endswith(("_total", "_bucket", "_count", "_sum"))] or self.metrics)
            ms = [self.matcher(name) for _ in range(random.choice([0, 0, 1]))]
            text = self.sel_text(name, ms)
            rng = self.dur("range")
            mods = "".join(self.modifiers())
            return N("m", [f"{text}[{rng}]{mods}"], [N("m", [f"{name}[{rng}]"])], tag="msel")
        return self.matrix(d)

    # -- scalars
    def scalar(self, d):
        r = random.random()
        if d <= 0 or r < 0.55:
            x = self.number()
            return N("s", [x], tag="num")
        if r < 0.7:
            return N("s", ["scalar(", self.vector(d - 1), ")"], [N("s", ["1"])], tag="call")
        if r < 0.78:
            return N("s", [random.choice(["time()", "pi()"])], tag="call")
        if r < 0.92:
            op = random.choice(["+", "-", "*", "/", "%", "^", "== bool", "> bool", "<= bool", "atan2"])
            return N("s", ["(", self.scalar(d - 1), f" {op} ", self.scalar(d - 1), ")"], tag="bin")
        return N("s", ["-", self.scalar(d - 1)], tag="neg")

    # -- vectors
    def grouping(self):
        r = random.random()
        if r < 0.3:
            return ""
        labels = random.sample(["job", "instance", "code", "mode", "le", "nope"], random.choice([0, 1, 1, 2, 2, 3]))
        if random.random() < 0.05:
            labels.append("__name__")
        kw = "by" if r < 0.75 else "without"
        return f"{kw} ({', '.join(labels)})"

    def aggregation(self, d):
        op = random.choice(["sum", "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar",
                            "topk", "bottomk", "quantile", "count_values"])
        g = self.grouping()
        arg = self.vector(d - 1)
        if op in ("topk", "bottomk"):
            args = [random.choice(["1", "2", "3", "1"]), ", ", arg]
        elif op == "quantile":
            args = [random.choice(["0.5", "0.9", "0", "1", "0.25", "0.99", "-1", "2"]), ", ", arg]
        elif op == "count_values":
            args = ['"' + random.choice(["value", "v", "job", "v", "__name__", "le"]) + '", ', arg]
        else:
            args = [arg]
        alts = []
        if g:
            alts.append(N("v", [op + "("] + args + [")"], tag="call"))
        if g and random.random() < 0.3:
            parts = [op + "("] + args + [") " + g]
        else:
            parts = [op + (" " + g + " " if g else "") + "("] + args + [")"]
        return N("v", parts, alts, tag="call")

    def range_call(self, d):
        f = random.choice(["rate", "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
                           "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                           "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
                           "quantile_over_time", "predict_linear", "holt_winters", "absent_over_time"])
        m = self.counter_matrix(d) if f in ("rate", "irate", "increase", "resets") else self.matrix(d)
        if f == "quantile_over_time":
            return N("v", [f"{f}({random.choice(['0.5', '0.9', '0', '1', '0.75'])}, ", m, ")"], tag="call")
        if f == "predict_linear":
            return N("v", [f"{f}(", m, f", {random.choice(['60', '300', '0', '-120', '3600'])})"], tag="call")
        if f == "holt_winters":
            sf, tf = random.choice(["0.5", "0.1", "0.9"]), random.choice(["0.5", "0.3", "0.8"])
            if random.random() < 0.1:  # outside (0, 1): an error, or not, depending on the data
                sf, tf = random.choice([(sf, "1"), ("0", tf), ("1", tf), (sf, "0")])
            return N("v", [f"{f}(", m, f", {sf}, {tf})"], tag="call")
        return N("v", [f + "(", m, ")"], tag="call")

    def math_call(self, d):
        f = random.choice(["abs", "ceil", "floor", "round", "round", "sqrt", "exp", "ln", "log2", "log10", "sgn",
                           "clamp", "clamp_min", "clamp_max", "sort", "sort_desc", "timestamp", "deg", "rad",
                           "sin", "cos", "tan", "asin", "acos", "atan", "tanh", "asinh", "acosh", "atanh",
                           "minute", "hour", "day_of_week", "day_of_month", "days_in_month", "month", "year"])
        arg = self.vector(d - 1)
        if f == "round" and random.random() < 0.5:
            return N("v", ["round(", arg, ", ", N("s", [random.choice(["0.5", "10", "0.1", "3", "-2", "0", "0.3"])]), ")"], tag="call")
        if f == "clamp":
            lo, hi = sorted([random.choice(["-1", "0", "1", "5", "10", "2.5"]) for _ in range(2)], key=float)
            if random.random() < 0.1:
                lo, hi = hi, lo
            return N("v", ["clamp(", arg, f", {lo}, {hi})"], tag="call")
        if f in ("clamp_min", "clamp_max"):
            return N("v", [f + "(", arg, ", ", self.scalar(0), ")"], tag="call")
        if f in ("minute", "hour", "day_of_week", "day_of_month", "days_in_month", "month", "year") and random.random() < 0.3:
            return N("v", [f + "()"], tag="call")
        return N("v", [f + "(", arg, ")"], tag="call")

    def label_call(self, d):
        arg = self.vector(d - 1)
        if random.random() < 0.6:
            dst = random.choice(["job", "foo", "instance", "__name__", "host"])
            src = random.choice(["instance", "job", "code", "nope", "__name__"])
            rx, repl = random.choice([("(.*):.*", "$1"), ("(.*)", "x-$1"), ("a.*", "A"), ("", "e"),
                                      ("(?P<h>[a-z]+):(?P<p>\\\\d+)", "${p}-$h"), (".*", ""), ("(2)(0)(0)", "$3$2$1")])
            return N("v", ["label_replace(", arg, f', "{dst}", "{repl}", "{src}", "{rx}")'], tag="call")
        dst = random.choice(["joined", "job", "foo"])
        srcs = random.sample(["job", "instance", "code", "nope", "__name__"], random.randint(0, 3))
        sep = random.choice([",", "-", "", "::"])
        return N("v", ["label_join(", arg, f', "{dst}", "{sep}"' + "".join(f', "{s}"' for s in srcs) + ")"], tag="call")

    def histogram(self, d):
        q = random.choice(["0.5", "0.9", "0.99", "0", "1", "0.25", "-0.5", "1.5", "NaN"])
        rng = self.dur("range")
        ms = [self.matcher("lat_bucket") for _ in range(random.choice([0, 0, 1]))]
        sel = self.sel_text("lat_bucket", ms)
        r = random.random()
        if r < 0.35:
            inner = N("v", [f"rate({sel}[{rng}])"], tag="call")
        elif r < 0.7:
            g = random.choice(["le", "le", "le, job", "job, le"])
            fn = random.choice(["rate", "increase", "irate"])
            inner = N("v", [f"sum by ({g}) ({fn}({sel}[{rng}]))"], [N("v", [f"{fn}({sel}[{rng}])"], tag="call")], tag="call")
        elif r < 0.85:
            inner = N("v", [sel], tag="sel")
        else:
            inner = self.vector(d - 1)
        return N("v", [f"histogram_quantile({q}, ", inner, ")"], tag="call")

    def binary(self, d):
        kind = random.random()
        arith = ["+", "-", "*", "/", "%", "^", "atan2"]
        cmp_ = ["==", "!=", ">", "<", ">=", "<="]
        op = random.choice(arith + cmp_ + ["and", "or", "unless"])
        if op in cmp_ and random.random() < 0.4:
            op += " bool"
        setop = op in ("and", "or", "unless")
        if not setop and kind < 0.35:
            # vector op scalar / scalar op vector
            v, s = self.vector(d - 1), self.scalar(d - 1)
            parts = [v, f" {op} ", s] if random.random() < 0.6 else [s, f" {op} ", v]
            return N("v", self.wrap(parts), tag="bin")
        labels = random.sample(["job", "instance", "code", "mode", "le"], random.randint(0, 2))
        lab = ", ".join(labels)
        mod = ""
        strategy = random.random()
        if strategy < 0.3 and not setop:
            agg1, agg2 = random.choice(["sum", "max", "min", "count", "avg"]), random.choice(["sum", "max", "min", "count", "avg"])
            l = N("v", [f"{agg1} by ({lab}) (", self.vector(d - 1), ")"], tag="call")
            r = N("v", [f"{agg2} by ({lab}) (", self.vector(d - 1), ")"], tag="call")
            if random.random() < 0.4:
                mod = random.choice([f" on ({lab})", " ignoring (nope)"])
        elif strategy < 0.5 and not setop:
            l = self.vector(d - 1)
            agg = random.choice(["sum", "max", "count"])
            r = N("v", [f"{agg} by ({lab}) (", self.vector(d - 1), ")"], tag="call")
            extra = random.choice(["", "", "mode", "code", "job"])
            mod = f" on ({lab}) group_left" + (f" ({extra})" if extra else "")
            if random.random() < 0.3:
                l, r = r, l
                mod = mod.replace("group_left", "group_right")
        elif strategy < 0.85:
            base = self.vector(max(0, d - 2))
            l = base
            r = self.transform(base)
            if random.random() < 0.5:
                l, r = r, l
            if setop and random.random() < 0.5:
                mod = random.choice([f" on ({lab})", f" ignoring ({lab})"])
        else:
            l, r = self.vector(d - 1), self.vector(d - 1)
            if random.random() < 0.5:
                mod = random.choice([f" on ({lab})", f" ignoring ({lab})"])
                if not setop and random.random() < 0.3:
                    mod += random.choice([" group_left", " group_right"])
        alts = [N("v", self.wrap([l, f" {op} ", r]), tag="bin")] if mod else []
        return N("v", self.wrap([l, f" {op}{mod} ", r]), alts, tag="bin")

    def transform(self, base):
        """Something with the same label sets as `base` (one-to-one matching)."""
        c = random.choice(["abs", "ceil", "sort", "clamp_min", "scale", "same", "neg"])
        if c == "scale":
            return N("v", self.wrap([base, random.choice([" * 2", " + 1", " / 3", " - 0.5"])]), tag="bin")
        if c == "same":
            return base
        if c == "neg":
            return N("v", ["-", base] if base.tag in ("sel", "call") else ["-(", base, ")"], tag="neg")
        if c == "clamp_min":
            return N("v", ["clamp_min(", base, ", 1)"], tag="call")
        return N("v", [c + "(", base, ")"], tag="call")

    def wrap(self, parts):
        out = []
        for p in parts:
            if isinstance(p, N) and p.tag in ("bin", "neg"):
                out.extend(["(", p, ")"])
            else:
                out.append(p)
        return out

    def vector(self, d):
        if d <= 0:
            return self.selector() if random.random() < 0.7 else self.range_call(0)
        r = random.random()
        if r < 0.14:
            return self.selector()
        if r < 0.34:
            return self.range_call(d)
        if r < 0.44:
            return self.math_call(d)
        if r < 0.60:
            return self.aggregation(d)
        if r < 0.78:
            return self.binary(d)
        if r < 0.83:
            return self.label_call(d)
        if r < 0.88:
            return self.histogram(d)
        if r < 0.91:
            a = self.vector(d - 1) if random.random() < 0.7 else self.selector()
            return N("v", ["absent(", a, ")"], tag="call")
        if r < 0.94:
            return N("v", ["vector(", self.scalar(d - 1), ")"], tag="call")
        if r < 0.97:
            v = self.vector(d - 1)
            return N("v", ["-", v] if v.tag in ("sel", "call") else ["-(", v, ")"], tag="neg")
        return N("v", ["(", self.vector(d - 1), ")"], tag="paren")

    def top(self):
        d = random.choice([1, 2, 2, 3, 3, 4])
        if random.random() < 0.08:
            return self.scalar(d)
        return self.vector(d)

    def eval_time(self):
        r = random.random()
        hi = self.span + (6 if random.random() < 0.2 else 1) * self.iv
        if r < 0.45:
            return random.randint(0, hi // self.iv) * self.iv
        return random.randint(0, hi)


# ---------------------------------------------------------------------------------------------
# Test files and outputs

def yq(s):
    return "'" + s.replace("'", "''") + "'"


def render_group(world, cases, exp=None):
    """cases: list of (expr_text, eval_seconds). exp: optional list of sample lists (or None)."""
    out = [f"  - interval: {go_dur(world['interval'])}", "    input_series:"]
    for s in world["series"]:
        out.append(f"      - series: {yq(s.selector())}")
        out.append(f"        values: {yq(s.values())}")
    if not world["series"]:
        out[-1] = "    input_series: []"
    out.append("    promql_expr_test:")
    for i, (e, t) in enumerate(cases):
        out.append(f"      - expr: {yq(e)}")
        out.append(f"        eval_time: {go_dur(t)}")
        if exp is not None and exp[i] is not None:
            if not exp[i]:
                out.append("        exp_samples: []")
            else:
                out.append("        exp_samples:")
                for labels, val in exp[i]:
                    out.append(f"          - labels: {yq(fmt_labels(labels))}")
                    out.append(f"            value: {yaml_float(val)}")
    return "\n".join(out)


def render_file(groups):
    """groups: list of (world, cases[, exp])."""
    # evaluation_interval is the default step of subqueries `[r:]`; one per file
    ei = groups[0][0].get("ei", "1m") if groups else "1m"
    head = ["# Generated by benchmarks/promql-diff/promql-fuzz.py", "rule_files: []", f"evaluation_interval: {ei}", "tests:"]
    return "\n".join(head + [render_group(*g) for g in groups]) + "\n"


def fmt_labels(labels):
    """labels as parsed from output: list of (name, go-quoted-value-body)."""
    name = next((v for n, v in labels if n == "__name__"), None)
    rest = ", ".join(f'{n}="{v}"' for n, v in labels if n != "__name__")
    if name is not None:
        return name + ("{" + rest + "}" if rest else "")
    return "{" + rest + "}"


def yaml_float(v):
    f = parse_float(v)
    if f != f:
        return ".nan"
    if f == math.inf:
        return ".inf"
    if f == -math.inf:
        return "-.inf"
    return repr(f)


def parse_float(s):
    s = s.strip()
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    return float(s)


def go_unquote(s, i):
    """Parses a Go-quoted string starting at s[i] == '"'; returns (raw body, decoded, end)."""
    assert s[i] == '"', s[i:]
    j = i + 1
    dec = []
    while s[j] != '"':
        if s[j] == "\\":
            c = s[j + 1]
            m = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
            if c in m:
                dec.append(m[c]); j += 2
            elif c == "x":
                dec.append(chr(int(s[j + 2:j + 4], 16))); j += 4
            elif c == "u":
                dec.append(chr(int(s[j + 2:j + 6], 16))); j += 6
            elif c == "U":
                dec.append(chr(int(s[j + 2:j + 10], 16))); j += 10
            else:
                dec.append(c); j += 2
        else:
            dec.append(s[j]); j += 1
    return s[i + 1:j], "".join(dec), j + 1


def parse_samples(s):
    """`{a="b"} 1E+00, {...} NaN` or `nil` -> list of (labels, value-string)."""
    s = s.strip()
    if s == "nil" or s == "":
        return []
    out, i = [], 0
    while i < len(s):
        if s[i] != "{":
            raise ValueError("bad samples: " + s[i:i + 40])
        i += 1
        labels = []
        while s[i] != "}":
            m = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)=', s[i:])
            name = m.group(1)
            i += m.end()
            raw, _, i = go_unquote(s, i)
            labels.append((name, raw))
            if s[i:i + 2] == ", ":
                i += 2
        i += 2
        m = re.match(r'[^,]+', s[i:])
        out.append((labels, m.group(0).strip()))
        i += m.end()
        if s[i:i + 2] == ", ":
            i += 2
    return out


EXPR_RE = re.compile(r'^    expr: ')


def parse_output(text):
    """stderr of `test rules` -> {(expr, time_str): ('err', msg) | ('got', samples)}, leftovers."""
    res, other = {}, []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("    expr: \""):
            _, expr, j = go_unquote(line, 10)
            rest = line[j:]
            m = re.match(r', time: (\S+?),( err: (.*))?$', rest, re.S)
            if not m:
                other.append(line); i += 1; continue
            t = m.group(1)
            if m.group(2):
                msg = m.group(3)
                # error texts may continue over several lines until the next case
                while i + 1 < len(lines) and lines[i + 1] and not lines[i + 1].startswith("    expr: ") and not lines[i + 1].startswith("  "):
                    i += 1
                    msg += "\n" + lines[i]
                res[(expr, t)] = ("err", msg)
                i += 1
                continue
            got = None
            k = i + 1
            while k < len(lines) and k <= i + 2:
                if lines[k].startswith("        got: "):
                    got = lines[k][len("        got: "):]
                k += 1
            try:
                res[(expr, t)] = ("got", parse_samples(got or "nil"))
            except Exception as e:  # noqa
                res[(expr, t)] = ("unparsed", got)
            i = k
            continue
        if line.strip() and line.strip() != "FAILED:" and not line.startswith("        exp: ") and not line.startswith("        got: "):
            other.append(line)
        i += 1
    return res, other


def run_tool(argv, path, timeout):
    t0 = time.time()
    try:
        p = subprocess.run(argv + ["test", "rules", path], capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired:
        return "timeout", "", "", time.time() - t0


# ---------------------------------------------------------------------------------------------
# Comparison

def norm_err(msg):
    """Error texts are compared without the series they name: which duplicate series an error
    reports depends on promtool's random load order."""
    msg = re.sub(r"\[.*?\]", "[...]", msg)
    msg = re.sub(r"\{[^{}]*\}", "{...}", msg)
    return msg.strip()


def values_agree(a, b):
    x, y = parse_float(a), parse_float(b)
    if x != x and y != y:
        return "exact"
    if x == y:  # also 0 and -0, equal for promtool's comparison too
        return "exact"
    if math.isfinite(x) and math.isfinite(y) and abs(x - y) <= REL_TOL * max(abs(x), abs(y)):
        return "near"
    return None


def labels_near(a, b):
    """Label sets that differ only in values that are numbers within the tolerance (labels
    made by count_values from float results)."""
    if len(a) != len(b):
        return False
    for (n1, v1), (n2, v2) in zip(a, b):
        if n1 != n2:
            return False
        if v1 != v2:
            try:
                if values_agree(v1, v2) is None:
                    return False
            except ValueError:
                return False
    return True


def compare(p, v):
    """-> 'exact' | 'near' | None (disagree). p, v: result entries (or None = empty result)."""
    p = p or ("got", [])
    v = v or ("got", [])
    if p[0] == "err" or v[0] == "err":
        if p[0] == v[0] == "err":
            return "exact" if norm_err(p[1]) == norm_err(v[1]) else "errmsg"
        return None
    if p[0] != "got" or v[0] != "got":
        return None
    ps = sorted(p[1], key=lambda s: s[0])
    vs = sorted(v[1], key=lambda s: s[0])
    if len(ps) != len(vs):
        return None
    worst = "exact"
    for (pl, pv), (vl, vv) in zip(ps, vs):
        if pl != vl:
            if not labels_near(pl, vl):
                return None
            worst = "near"
        a = values_agree(pv, vv)
        if a is None:
            return None
        if a == "near":
            worst = "near"
    return worst


def same_values_tie(expr, p, v):
    """topk/bottomk keep the first of equal values in promtool's random series order: when
    the two answers have the same values but not the same series, it is such a tie."""
    if not re.search(r"\b(topk|bottomk)\b", expr) or not p or not v or p[0] != "got" or v[0] != "got":
        return False
    a = sorted((parse_float(x) for _, x in p[1]), key=lambda f: (f != f, f))
    b = sorted((parse_float(x) for _, x in v[1]), key=lambda f: (f != f, f))
    return len(a) == len(b) and all((x != x and y != y) or x == y or abs(x - y) <= REL_TOL * max(abs(x), abs(y)) for x, y in zip(a, b))


def topk_args(tree):
    """(argument of each topk/bottomk in tree, whether it sits inside a subquery)."""
    out = []

    def walk(n, in_subq):
        first = n.parts[0] if n.parts and isinstance(n.parts[0], str) else ""
        if n.tag == "call" and first.startswith(("topk", "bottomk")) and n.kids():
            out.append((n.kids()[0], in_subq))
        for k in n.kids():
            walk(k, in_subq or n.tag == "subq")
    walk(tree, False)
    return out


def topk_ties(runner, ds):
    """ids of the disagreements with a topk/bottomk whose argument has equal values at the
    eval time (or that sits in a subquery, where it is evaluated at other times): which of
    equal values promtool keeps depends on its random load order."""
    out, todo = set(), []
    for d in ds:
        args = topk_args(d[1])
        if any(sq for _, sq in args):
            out.add(id(d))
        elif args:
            todo.append((d, [a.render() for a, _ in args]))
    if not todo:
        return out
    groups = []
    for d, exprs in todo:
        groups.append((d[0], [(e, d[2]) for e in dict.fromkeys(exprs)]))
    for (d, exprs), g in zip(todo, groups):
        res = runner.promtool_only([g], "ties")
        for e in exprs:
            r = res.get((e, go_dur(d[2])))
            if r and r[0] == "got":
                vals = [parse_float(v) for _, v in r[1]]
                keys = ["NaN" if v != v else v for v in vals]
                if len(set(keys)) < len(keys):
                    out.add(id(d))
    return out


def show(entry):
    if entry is None:
        return "(empty result)"
    if entry[0] == "err":
        return "error: " + entry[1]
    if entry[0] == "crash":
        return "CRASH (" + entry[1] + ")"
    if entry[0] == "got":
        if not entry[1]:
            return "(empty result)"
        return ", ".join(fmt_labels(l) + " " + v for l, v in sorted(entry[1], key=lambda s: s[0]))
    return repr(entry)


# ---------------------------------------------------------------------------------------------

def crash_summary(text):
    """The lines of a crash report that say what happened (Swift runtime errors, backtrace top)."""
    lines = [l for l in text.split("\n") if l.strip()]
    keep = [l.strip() for l in lines if re.search(r"(Fatal error|fatal|Crash|error:|at /)", l)]
    return " | ".join(keep[:4]) if keep else " | ".join(l.strip() for l in lines[:3])


class Runner:
    def __init__(self, args, workdir):
        self.promtool = args.promtool
        self.vigil = args.vigil
        self.dir = workdir
        self.n = 0
        self.timeout = args.timeout

    def path(self, tag):
        self.n += 1
        return os.path.join(self.dir, f"{self.n:05d}-{tag}.yml")

    def both(self, groups, tag):
        """Runs promtool and vigil (in parallel) on one file; returns (p_res, v_res, v_status)."""
        path = self.path(tag)
        with open(path, "w") as f:
            f.write(render_file(groups))
        procs = {}
        outs = {}
        for name, argv in (("p", [self.promtool]), ("v", [self.vigil])):
            procs[name] = (subprocess.Popen(argv + ["test", "rules", path], stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True), time.time())
        for name, (proc, t0) in procs.items():
            try:
                out, err = proc.communicate(timeout=self.timeout)
                outs[name] = (proc.returncode, out, err)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                outs[name] = ("timeout", "", "")
        pres, pother = parse_output(outs["p"][2])
        vres, vother = parse_output(outs["v"][2])
        vstatus = outs["v"][0]
        bad_v = vstatus not in (0, 1) or (vother and not vres)
        if outs["p"][0] not in (0, 1) or pother:
            sys.stderr.write(f"promtool: unexpected output for {path}:\n{outs['p'][2][:2000]}\n")
        return pres, vres, (None if not bad_v else f"exit {vstatus}: " + crash_summary(outs["v"][2] or outs["v"][1]))

    def promtool_only(self, groups, tag):
        path = self.path(tag)
        with open(path, "w") as f:
            f.write(render_file(groups))
        rc, out, err, _ = run_tool([self.promtool], path, self.timeout)
        return parse_output(err)[0]


def evaluate(runner, world, cases, tag):
    """Runs one group; returns per-case (promtool entry, vigil entry, verdict)."""
    pres, vres, vbad = runner.both([(world, cases)], tag)
    out = []
    if vbad:
        if len(cases) == 1:
            e, t = cases[0]
            return [(pres.get((e, go_dur(t))), ("crash", vbad), None)]
        for c in cases:  # isolate the case that crashes vigil
            out.extend(evaluate(runner, world, [c], tag + "-solo"))
        return out
    for e, t in cases:
        k = (e, go_dur(t))
        p, v = pres.get(k), vres.get(k)
        out.append((p, v, compare(p, v)))
    return out


def still_disagrees(p, v):
    verdict = compare(p, v)
    return verdict is None


def shape(p, v):
    """Coarse kind of a disagreement, kept while minimizing."""
    def k(e):
        if e is None:
            return "got"
        return e[0]
    return (k(p), k(v))


def replace_at(node, path, new):
    if not path:
        return new
    i = path[0]
    parts = list(node.parts)
    parts[i] = replace_at(parts[i], path[1:], new)
    return N(node.typ, parts, node.alts, node.tag)


def candidates(tree):
    out = []

    def descendants(n):
        for k in n.kids():
            yield k
            yield from descendants(k)

    def walk(n, path):
        for d in descendants(n):
            if d.typ == n.typ:
                out.append(replace_at(tree, path, d))
        for a in n.alts:
            out.append(replace_at(tree, path, a))
        if n.typ == "s" and n.tag != "num":
            out.append(replace_at(tree, path, N("s", ["1"], tag="num")))
        for i, p in enumerate(n.parts):
            if isinstance(p, N):
                walk(p, path + [i])
    walk(tree, [])
    seen, uniq = set(), []
    for c in sorted(out, key=lambda c: len(c.render())):
        r = c.render()
        if r not in seen and r != tree.render():
            seen.add(r)
            uniq.append(c)
    return uniq


def minimize(runner, world, tree, t, p0, v0, budget=40):
    """Shrinks (world, expression) while promtool and vigil still disagree the same way."""
    want = shape(p0, v0)
    best = (world, tree, p0, v0)
    for _ in range(budget):
        w, tr, _, _ = best
        progress = False
        # 1. smaller expressions (one group, many cases)
        cands = candidates(tr)[:60]
        if cands:
            cases = [(c.render(), t) for c in cands]
            res = evaluate(runner, w, cases, "min-expr")
            for c, (p, v, verdict) in zip(cands, res):
                if verdict is None and shape(p, v) == want and not (v and v[0] == "crash" and want[1] != "crash"):
                    best = (w, c, p, v)
                    progress = True
                    break
        # 2. fewer input series (one group per candidate)
        w, tr, _, _ = best
        if len(w["series"]) > 1:
            e = tr.render()
            groups = []
            step = max(1, len(w["series"]) // 4) if len(w["series"]) > 8 else 1
            for i in range(0, len(w["series"]), step):
                nw = dict(w)
                nw["series"] = w["series"][:i] + w["series"][i + step:]
                groups.append(nw)
            for nw in groups:
                res = evaluate(runner, nw, [(e, t)], "min-series")
                p, v, verdict = res[0]
                if verdict is None and shape(p, v) == want:
                    best = (nw, tr, p, v)
                    progress = True
                    break
        if not progress:
            break
    return best


def load_allowlist(path):
    """Lines `REGEX  # reason`. REGEX is searched (re.M) in the text
    `expr: EXPR\npromtool: ANSWER\nvigil: ANSWER` of a disagreement, so it can name the
    expression alone or also the answers (e.g. `(?s)^expr: .*\\byear\\(.*^vigil: .*NaN`)."""
    out = []
    if path and os.path.exists(path):
        for line in open(path):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            pat, _, reason = line.partition("  # ")
            out.append((re.compile(pat.strip(), re.M), reason.strip()))
    return out


def case_text(expr, p, v):
    return f"expr: {expr}\npromtool: {show(p)}\nvigil: {show(v)}"


def find_vigil():
    b = os.environ.get("VIGIL_BIN")
    if b:
        return b
    b = os.path.join(REPO, ".build", "debug", "vigil")
    if not os.path.exists(b):
        env = dict(os.environ)
        if os.path.exists("/opt/swift/usr/bin"):
            env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
        subprocess.run(["swift", "build", "--product", "vigil"], cwd=REPO, env=env, check=False)
    return b


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=200, help="number of expressions (default 200)")
    ap.add_argument("--per-group", type=int, default=12, help="expressions per random set of series")
    ap.add_argument("--groups-per-file", type=int, default=6)
    ap.add_argument("--keep", metavar="DIR", help="keep generated files, outputs and regressions.yml here")
    ap.add_argument("--allowlist", default=os.path.join(HERE, "allowlist.txt"))
    ap.add_argument("--minimize", type=int, default=25, help="minimize at most this many disagreements")
    ap.add_argument("--recheck", type=int, default=20, help="promtool reruns of a disagreeing case")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    args.promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if args.promtool and not (os.path.isfile(args.promtool) and os.access(args.promtool, os.X_OK)):
        print(f"promql-fuzz: PROMTOOL={args.promtool} is not an executable", file=sys.stderr)
        return 2
    if not args.promtool:
        if os.environ.get("VIGIL_REQUIRE_PROMTOOL") == "1":
            print("promql-fuzz: promtool not installed (VIGIL_WITH_REFERENCE=1 scripts/setup-debian.sh)", file=sys.stderr)
            return 2
        print("promql-fuzz: promtool not installed, skipped")
        return 0
    args.vigil = find_vigil()
    if not os.path.exists(args.vigil):
        print(f"promql-fuzz: no vigil binary at {args.vigil}", file=sys.stderr)
        return 2
    allow = load_allowlist(args.allowlist)

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        workdir = args.keep
    else:
        workdir = tempfile.mkdtemp(prefix="promql-fuzz-")
    runner = Runner(args, workdir)
    random.seed(args.seed)
    t_start = time.time()

    # generate
    groups = []   # (world, [(tree, t)])
    total = 0
    while total < args.cases:
        if len(groups) % args.groups_per_file == 0:
            ei = random.choice(["1m", "1m", "30s", "2m", "15s"])
        w = gen_world()
        w["ei"] = ei
        g = Gen(w)
        seen, cases = set(), []
        k = min(args.per_group, args.cases - total)
        while len(cases) < k:
            tree, t = g.top(), g.eval_time()
            key = (tree.render(), t)
            if key in seen:
                continue
            seen.add(key)
            cases.append((tree, t))
        groups.append((w, cases))
        total += len(cases)

    stats = {"exact": 0, "near": 0, "errmsg": 0, "disagree": 0, "flaky": 0, "both_error": 0, "empty": 0, "allowlisted": 0}
    disagreements = []
    notes = []
    for fi in range(0, len(groups), args.groups_per_file):
        chunk = groups[fi:fi + args.groups_per_file]
        pres, vres, vbad = runner.both([(w, [(tr.render(), t) for tr, t in cs]) for w, cs in chunk], "fuzz")
        for w, cs in chunk:
            if vbad:
                results = evaluate(runner, w, [(tr.render(), t) for tr, t in cs], "fuzz-group")
            else:
                results = []
                for tr, t in cs:
                    k = (tr.render(), go_dur(t))
                    p, v = pres.get(k), vres.get(k)
                    results.append((p, v, compare(p, v)))
            for (tr, t), (p, v, verdict) in zip(cs, results):
                e = tr.render()
                if verdict is not None:
                    if p and p[0] == "err":
                        stats["both_error"] += 1
                    elif p is None or (p[0] == "got" and not p[1]):
                        stats["empty"] += 1
                    stats[verdict] += 1
                    if verdict == "errmsg":
                        notes.append(("error text differs", e, t, p, v))
                    elif verdict == "near" and not re.search(r"\b(sum|avg|stddev|stdvar|count_values|quantile|histogram_quantile)\b", e):
                        notes.append(("last bits differ", e, t, p, v))
                    continue
                disagreements.append([w, tr, t, p, v])
        if args.verbose:
            print(f"  {min(fi + args.groups_per_file, len(groups))}/{len(groups)} groups, {len(disagreements)} disagreements, {time.time() - t_start:.0f}s", file=sys.stderr)

    # recheck disagreements against more promtool runs (its load order is random)
    confirmed = []
    if disagreements and args.recheck:
        by_world = {}
        for d in disagreements:
            by_world.setdefault(id(d[0]), []).append(d)
        alt = {}
        for _ in range(args.recheck):
            gs = [(ds[0][0], [(d[1].render(), d[2]) for d in ds]) for ds in by_world.values()]
            res = runner.promtool_only(gs, "recheck")
            for ds in by_world.values():
                for d in ds:
                    alt.setdefault(id(d), []).append(res.get((d[1].render(), go_dur(d[2]))))
        ties = topk_ties(runner, [d for d in disagreements if not same_values_tie(d[1].render(), d[3], d[4])])
        for d in disagreements:
            if id(d) in ties:
                stats["flaky"] += 1
                notes.append(("topk/bottomk over tied values (promtool keeps the first in its random order)", d[1].render(), d[2], d[3], d[4]))
            elif same_values_tie(d[1].render(), d[3], d[4]):
                stats["flaky"] += 1
                notes.append(("topk/bottomk tie: same values, other series", d[1].render(), d[2], d[3], d[4]))
            elif any(compare(a, d[4]) is not None for a in alt.get(id(d), [])):
                stats["flaky"] += 1
                notes.append(("promtool's answer varies; vigil matches one of them", d[1].render(), d[2], d[3], d[4]))
            else:
                confirmed.append(d)
    else:
        confirmed = disagreements

    failures, gaps = [], []
    for d in confirmed:
        e = d[1].render()
        reason = next((r for rx, r in allow if rx.search(case_text(e, d[3], d[4]))), None)
        if reason is not None:
            stats["allowlisted"] += 1
            gaps.append((d, reason))
        else:
            stats["disagree"] += 1
            failures.append(d)

    # minimize and report
    reported = []
    for i, d in enumerate(failures):
        w, tr, t, p, v = d
        if i < args.minimize:
            w2, tr2, p2, v2 = minimize(runner, w, tr, t, p, v)
        else:
            w2, tr2, p2, v2 = w, tr, p, v
        reported.append((w2, tr2, t, p2, v2, tr.render()))

    n_ok = stats["exact"] + stats["near"] + stats["errmsg"] + stats["flaky"]
    print(f"promql-fuzz: seed {args.seed}, {total} expressions over {len(groups)} random sets of series, {time.time() - t_start:.0f}s")
    print(f"  agree: {n_ok} ({100.0 * n_ok / max(1, total):.1f}%): {stats['exact']} identical, {stats['near']} within {REL_TOL:g} relative, "
          f"{stats['errmsg']} both errors with different texts, {stats['flaky']} where promtool's own answer varies")
    print(f"  of all: {stats['both_error']} errors in both, {stats['empty']} empty results in both")
    print(f"  disagree: {stats['disagree']}, known gaps (allowlist): {stats['allowlisted']}")
    if args.verbose:
        for kind, e, t, p, v in notes:
            print(f"  note ({kind}): {e} @ {go_dur(t)}\n    promtool: {show(p)}\n    vigil:    {show(v)}")
    for (d, reason) in gaps:
        print(f"  known gap ({reason}): {d[1].render()} @ {go_dur(d[2])}")
    regress = []
    for w, tr, t, p, v, orig in reported:
        print()
        print(f"DISAGREEMENT  expr: {tr.render()}\n  eval_time: {go_dur(t)}  (interval {go_dur(w['interval'])})")
        if orig != tr.render():
            print(f"  minimized from: {orig}")
        print("  input_series:")
        for s in w["series"]:
            print(f"    {s.selector()}  {s.values()}")
        print(f"  promtool: {show(p)}")
        print(f"  vigil:    {show(v)}")
        if (p is None or p[0] == "got") and not any(parse_float(x) != parse_float(x) for _, x in (p[1] if p else [])):
            regress.append((w, [(tr.render(), t)], [p[1] if p else []]))
    if args.keep and regress:
        path = os.path.join(args.keep, "regressions.yml")
        with open(path, "w") as f:
            f.write(render_file(regress))
        print(f"\nminimized disagreements as a test file (exp_samples from promtool): {path}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
