/// How OracleCases.swift and FuzzCorpus.swift were made, kept beside them so they can be
/// regenerated when the fixtures or the tool versions change. The expected strings come from
/// the real Alertmanager 0.25 (`amtool template render`) and Prometheus 2.42 (`promtool test
/// rules`, each template as an alert annotation), not from this implementation.
///
/// To re-render every case (needs Debian's prometheus, prometheus-alertmanager, python3-yaml),
/// from the repository root:
///
///     sed -n '/^#!\/usr\/bin\/env python3$/,/^"""#$/p' Tests/TemplateTests/OracleGenerator.swift \
///         | sed '$d' > /tmp/regen.py && python3 /tmp/regen.py
///
/// New cases are added by appending `c("template", "")` lines to a table and re-running it.
enum OracleGenerator {
    static let regenerateScript = #"""
#!/usr/bin/env python3
# Re-renders every case in OracleCases.swift and FuzzCorpus.swift with the real tools
# (amtool 0.25 from prometheus-alertmanager, promtool 2.42 from prometheus) and rewrites the
# expected outputs in place. Run from the repository root; prints how many expectations changed.
import json, os, re, subprocess, sys, tempfile

DIR = 'Tests/TemplateTests'
AM_DATA = {
    "receiver": "slack-critical", "status": "firing", "externalURL": "http://alertmanager.example.com:9093",
    "groupLabels": {"alertname": "InstanceDown"},
    "commonLabels": {"alertname": "InstanceDown", "job": "node", "severity": "critical"},
    "commonAnnotations": {},
    "alerts": [
        {"status": s, "labels": {"alertname": "InstanceDown", "instance": h + ":9100", "job": "node", "severity": "critical"},
         "annotations": {"summary": "Instance %s:9100 down" % h,
                         "description": "%s:9100 of job node has been down for more than 5 minutes." % h},
         "startsAt": st, "endsAt": en, "fingerprint": fp,
         "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1"}
        for s, h, st, en, fp in [
            ("firing", "host1", "2024-03-05T14:03:07.123456789Z", "0001-01-01T00:00:00Z", "a1b2c3d4e5f60718"),
            ("firing", "host2", "2024-03-05T14:05:00Z", "0001-01-01T00:00:00Z", "0f1e2d3c4b5a6978"),
            ("resolved", "host3", "2024-03-05T13:00:00Z", "2024-03-05T14:00:00.5Z", "1234567890abcdef")]],
}
DEFAULT_TMPL = '/usr/share/prometheus/alertmanager/default.tmpl'
PROM_PREFIX = 'error executing template __alert_A: '

def swift_decode(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != '\\': out.append(c); i += 1; continue
        n = s[i + 1]
        if n == 'u':
            j = s.index('}', i); out.append(chr(int(s[i + 3:j], 16))); i = j + 1; continue
        out.append({'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', '0': '\0'}[n]); i += 2
    return ''.join(out)

def swift_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '\\': out.append('\\\\')
        elif ch == '"': out.append('\\"')
        elif ch == '\n': out.append('\\n')
        elif ch == '\t': out.append('\\t')
        elif ch == '\r': out.append('\\r')
        elif o < 0x20 or o == 0x7f or 0x80 <= o < 0xa0 or o in (0x2028, 0x2029, 0xad, 0x200b): out.append('\\u{%x}' % o)
        else: out.append(ch)
    return ''.join(out) + '"'

def go_unquote(s):
    out, i = [], 0
    m = {'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\', '"': '"', "'": "'"}
    while i < len(s):
        c = s[i]
        if c != '\\': out.append(c); i += 1; continue
        n = s[i + 1]
        if n in m: out.append(m[n]); i += 2
        elif n == 'x': out.append(chr(int(s[i + 2:i + 4], 16))); i += 4
        elif n == 'u': out.append(chr(int(s[i + 2:i + 6], 16))); i += 6
        elif n == 'U': out.append(chr(int(s[i + 2:i + 10], 16))); i += 10
        else: out.append(chr(int(s[i + 1:i + 4], 8))); i += 4
    return ''.join(out)

def am(templates, glob, datafile):
    res = []
    for t in templates:
        p = subprocess.run(['amtool', 'template', 'render', '--template.glob=' + glob, '--template.data=' + datafile,
                            '--template.text=' + t], capture_output=True, text=True)
        res.append(p.stdout if p.returncode == 0 else 'ERR:' + p.stderr.strip().removeprefix('amtool: error: '))
    return res

def prom(templates, d):
    import yaml
    rules = {'groups': [{'name': 'g', 'rules': [{'alert': 'A', 'labels': {'severity': 'page'},
             'expr': 'label_replace(vector(1234567), "instance", "host1.example.com:9090", "", "")'}]}]}
    series = [{'series': 'test_metric{job="api",instance="b:1"}', 'values': '3'},
              {'series': 'test_metric{job="api",instance="a:1"}', 'values': '1.5'},
              {'series': 'test_metric{job="web",instance="c:1"}', 'values': '2'}]
    test = {'rule_files': ['rules.yml'], 'evaluation_interval': '1m', 'tests': [{'interval': '1m', 'input_series': series,
            'external_url': 'http://prom.example.com:9090/prom', 'external_labels': {'cluster': 'eu1'},
            'alert_rule_test': [{'eval_time': '0m', 'alertname': 'A', 'exp_alerts': []}]}]}
    open(d + '/test.yml', 'w').write(yaml.safe_dump(test))
    def write(ann):
        rules['groups'][0]['rules'][0]['annotations'] = ann
        open(d + '/rules.yml', 'w').write(yaml.safe_dump(rules))
    res, good = [None] * len(templates), {}
    for i, t in enumerate(templates):
        write({'a': t})
        p = subprocess.run(['promtool', 'check', 'rules', d + '/rules.yml'], capture_output=True, text=True)
        if p.returncode != 0:
            m = re.search(r'(template: .*)', p.stdout + p.stderr)
            res[i] = 'ERR:' + (m.group(1) if m else (p.stdout + p.stderr).strip())
        else:
            good['a%d' % i] = t
    for chunk in [dict(list(good.items())[k:k + 100]) for k in range(0, len(good), 100)]:
        write(chunk)
        p = subprocess.run(['promtool', 'test', 'rules', 'test.yml'], capture_output=True, text=True, cwd=d)
        m = re.search(r'Annotations:\{(.*)\}\n', p.stdout + p.stderr)
        for mm in re.finditer(r'(a\d+)="((?:[^"\\]|\\.)*)"', m.group(1) if m else ''):
            v = go_unquote(mm.group(2))
            if v.startswith('<error expanding template: '):
                v = 'ERR:' + v[len('<error expanding template: '):-1]
                if v.startswith('ERR:' + PROM_PREFIX): v = 'ERR:' + v[4 + len(PROM_PREFIX):]
            res[int(mm.group(1)[1:])] = v
    return res

CASE = re.compile(r'^(\s*c\()("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\)$')
d = tempfile.mkdtemp()
datafile = d + '/amdata.json'
json.dump(AM_DATA, open(datafile, 'w'))
open(d + '/empty.tmpl', 'w').write('')
changed = 0
for name in ['OracleCases.swift', 'FuzzCorpus.swift']:
    path = os.path.join(DIR, name)
    lines = open(path).read().split('\n')
    blocks, current = {}, None
    for i, line in enumerate(lines):
        f = re.match(r'\s*static func (\w+)\(', line)
        if f: current = f.group(1)
        m = CASE.match(line)
        if m and current: blocks.setdefault(current, []).append((i, swift_decode(m.group(2)[1:-1])))
    for block, cases in blocks.items():
        temps = [t for _, t in cases]
        if block == 'prometheus': outs = prom(temps, d)
        elif block == 'alertmanagerDefaults': outs = am(temps, DEFAULT_TMPL, datafile)
        else: outs = am(temps, d + '/empty.tmpl', datafile)
        for (i, t), o in zip(cases, outs):
            new = '        c(%s, %s)' % (swift_str(t), swift_str(o if o is not None else 'ERR:?'))
            if new != lines[i]: changed += 1; lines[i] = new
    open(path, 'w').write('\n'.join(lines))
print('changed expectations:', changed)
"""#
}
