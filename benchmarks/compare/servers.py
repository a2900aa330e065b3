"""Process and HTTP helpers for benchmarks/compare: the two servers, /proc readings, the API."""
import http.client, json, os, signal, subprocess, time, urllib.parse

SEED_QUERIES = [
    ("4xx rate (recording rule 1)", 'sum(rate(nginx_http_response_count_total{status=~"4.."}[1m]))'),
    ("5xx rate (recording rule 2)", 'sum(rate(nginx_http_response_count_total{status=~"5.."}[1m]))'),
    ("all rate (recording rule 3)", 'sum(rate(nginx_http_response_count_total[1m]))'),
    ("ErrorStatusAndFailRate, optimised", "(job:prometheus_nginxlog_exporter:status_4xx_1m + job:prometheus_nginxlog_exporter:status_5xx_1m) >= 10"
     " and ((job:prometheus_nginxlog_exporter:status_4xx_1m + job:prometheus_nginxlog_exporter:status_5xx_1m)"
     " / job:prometheus_nginxlog_exporter:status_total_1m * 100) >= 50"),
    ("ErrorStatusAndFailRate, initial", 'sum(rate(nginx_http_response_count_total{status=~"4.."}[1m])) >= 10 and'
     ' (sum(rate(nginx_http_response_count_total{status=~"4.."}[1m])) / sum(rate(nginx_http_response_count_total[1m])) * 100) >= 50'),
    ("InstanceDown", 'up{job="kubernetes-pods"} == 0'),
    ("HighErrorRate", '(sum(rate(http_server_requests_seconds_count{status=~"5.*"}[5m])) by (application)'
     ' / sum(rate(http_server_requests_seconds_count[5m])) by (application)) * 100 > 5'),
    ("NoOrdersPlaced", "rate(orders_created_total[10m]) == 0"),
]
RANGE_QUERY = ("range: 5xx/4xx/... rate by status over the run", "sum by (status) (rate(nginx_http_response_count_total[1m]))")

RULE_FILES = ["prometheus-rules.yml", "prometheus_nginxlog_exporter_rules.yml", "prometheus_nginxlog_exporter_rules_initial.yml"]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for n in files:
            try:
                total += os.path.getsize(os.path.join(root, n))
            except OSError:
                pass
    return total


class Client:
    """One keep-alive HTTP connection to a server."""

    def __init__(self, port, timeout=300):
        self.port, self.timeout, self.conn = port, timeout, None

    def get(self, path):
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def api(self, path, **params):
        status, body = self.get(path + "?" + urllib.parse.urlencode(params))
        d = json.loads(body)
        if d.get("status") != "success":
            raise RuntimeError(f"{path} {params}: {status} {body[:300]!r}")
        return d["data"]

    def metric_sum(self, name, absent=0.0):
        """Sum of all series of `name` on /metrics (`absent` if none: a counter not yet incremented)."""
        _, body = self.get("/metrics")
        total, seen = 0.0, False
        for line in body.decode().splitlines():
            if line.startswith(name) and (line[len(name)] in " {"):
                total += float(line.rsplit(" ", 1)[1])
                seen = True
        return total if seen else absent

    def rule_groups(self):
        """{(file, group): (lastEvaluation, evaluationTime)} from /api/v1/rules."""
        out = {}
        for g in self.api("/api/v1/rules")["groups"]:
            out[(g["file"].rsplit("/", 1)[-1], g["name"])] = (g.get("lastEvaluation", ""), float(g.get("evaluationTime", 0)))
        return out


class Server:
    """Vigil or Prometheus: argv per data directory and config, the metric names that differ."""

    def __init__(self, name, binary, port, log_dir):
        self.name, self.binary, self.port, self.log_dir = name, binary, port, log_dir
        self.proc, self.client = None, Client(port)
        self.is_vigil = name == "Vigil"
        self.samples_metric = "vigil_tsdb_head_samples_appended_total" if self.is_vigil else "prometheus_tsdb_head_samples_appended_total"
        self.series_metric = "vigil_tsdb_head_series" if self.is_vigil else "prometheus_tsdb_head_series"

    def argv(self, config, data):
        common = [f"--config.file={config}", f"--storage.tsdb.path={data}", f"--web.listen-address=127.0.0.1:{self.port}"]
        if self.is_vigil:
            return [self.binary, "run"] + common + ["--self-monitor.interval=0", "--log.level=warn"]
        return [self.binary] + common + ["--web.enable-remote-write-receiver", "--log.level=warn"]

    def start(self, config, data, tag):
        os.makedirs(data, exist_ok=True)
        log = open(os.path.join(self.log_dir, f"{self.name.split()[0].lower()}-{tag}.log"), "ab")
        self.proc = subprocess.Popen(self.argv(config, data), stdout=log, stderr=log)
        self.client.close()
        return time.time()

    def wait_ready(self, deadline_s=600, probe=None):
        """Seconds until /-/ready answers 200 (and `probe`, if given, returns data); None on timeout."""
        t0 = time.time()
        while time.time() - t0 < deadline_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_dir}")
            try:
                status, _ = self.client.get("/-/ready")
                if status == 200 and (probe is None or self.client.api("/api/v1/query", query=probe)["result"]):
                    return time.time()
            except Exception:
                self.client.close()
            time.sleep(0.02)
        return None

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def rss(self):
        return rss_bytes(self.proc.pid)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.client.close()

    def stop(self):
        self.client.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
