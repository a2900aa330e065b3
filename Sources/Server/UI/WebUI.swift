import Hummingbird

/// The web UI: one self-contained page (no build step, nothing fetched from the network)
/// that reads the same API Grafana and promtool use. Pages: Graph, Alerts, Rules, Status.
enum WebUI {
    static func register(_ router: Router<BasicRequestContext>) {
        for path in ["/", "/graph", "/alerts", "/rules", "/status", "/targets", "/silences", "/notifications"] {
            router.get(RouterPath(stringLiteral: path)) { _, _ in
                APIResponse.text(page, contentType: "text/html; charset=utf-8")
            }
        }
    }

    static let page = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Vigil</title>
    <style>
      :root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --accent:#2456d6;
              --firing:#d92d20; --pending:#dc8a00; --inactive:#12a150; }
      * { box-sizing: border-box; }
      body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--fg); background:var(--bg); }
      nav { display:flex; gap:4px; align-items:center; padding:0 16px; background:#101828; height:48px; }
      nav b { color:#fff; margin-right:16px; font-size:16px; letter-spacing:.5px; }
      nav a { color:#cfd4dc; text-decoration:none; padding:6px 10px; border-radius:6px; }
      nav a.on, nav a:hover { background:#344054; color:#fff; }
      main { max-width:1200px; margin:0 auto; padding:16px; }
      .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin-bottom:12px; }
      h2 { font-size:16px; margin:4px 0 10px; }
      table { border-collapse:collapse; width:100%; }
      th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
      th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; }
      code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; }
      pre { white-space:pre-wrap; margin:0; }
      .badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px; font-weight:600; }
      .firing { background:var(--firing); } .pending { background:var(--pending); } .inactive { background:var(--inactive); }
      .ok { color:var(--inactive); } .err { color:var(--firing); } .unknown { color:var(--muted); }
      .label { display:inline-block; background:#eef2ff; color:#283593; border-radius:4px; padding:0 6px; margin:1px 2px; font-size:12px; }
      .row { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
      input[type=text], textarea { width:100%; padding:8px; border:1px solid var(--line); border-radius:6px; font-family:ui-monospace,monospace; font-size:13px; }
      button, select { padding:7px 12px; border:1px solid var(--line); border-radius:6px; background:#fff; cursor:pointer; }
      button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
      .muted { color:var(--muted); } .error { color:var(--firing); white-space:pre-wrap; }
      details summary { cursor:pointer; }
      svg text { font-size:11px; fill:var(--muted); }
      .legend span { display:inline-block; margin:2px 10px 2px 0; font-size:12px; }
      .legend i { display:inline-block; width:10px; height:10px; margin-right:4px; border-radius:2px; }
    </style>
    </head>
    <body>
    <nav><b>VIGIL</b>
      <a href="#/graph" data-page="graph">Graph</a><a href="#/alerts" data-page="alerts">Alerts</a>
      <a href="#/rules" data-page="rules">Rules</a><a href="#/targets" data-page="targets">Targets</a>
      <a href="#/silences" data-page="silences">Silences</a><a href="#/notifications" data-page="notifications">Notifications</a>
      <a href="#/status" data-page="status">Status</a>
    </nav>
    <main id="main"></main>
    <script>
    "use strict";
    const $ = (s, el=document) => el.querySelector(s);
    const esc = s => String(s).replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
    const labelsHTML = l => Object.keys(l||{}).map(k => `<span class="label">${esc(k)}="${esc(l[k])}"</span>`).join("");
    const metricName = m => { const n = m.__name__ || ""; const rest = Object.keys(m).filter(k => k !== "__name__").map(k => `${k}="${m[k]}"`); return n + (rest.length || !n ? "{" + rest.join(", ") + "}" : ""); };
    const ago = t => { if (!t || t.startsWith("0001")) return "never"; const s = (Date.now() - Date.parse(t)) / 1000; return s < 1 ? "just now" : s < 90 ? Math.round(s) + "s ago" : s < 5400 ? Math.round(s/60) + "m ago" : Math.round(s/3600) + "h ago"; };
    const dur = s => s < 0.001 ? (s*1e6).toFixed(0) + "µs" : s < 1 ? (s*1000).toFixed(2) + "ms" : s.toFixed(2) + "s";
    async function api(path, params) {
      const r = await fetch(path + (params ? "?" + new URLSearchParams(params) : ""));
      const j = await r.json();
      if (j.status !== "success") throw new Error((j.errorType || "error") + ": " + j.error);
      return j.data;
    }

    const pages = {
      async graph(main) {
        const q = new URLSearchParams(location.hash.split("?")[1] || "");
        main.innerHTML = `<div class="card">
          <textarea id="expr" rows="2" placeholder="Expression (press Shift+Enter to execute)">${esc(q.get("expr") || "")}</textarea>
          <div class="row" style="margin-top:8px">
            <button class="primary" id="run">Execute</button>
            <select id="range">${["5m","15m","1h","3h","6h","12h","1d","2d","7d"].map(r => `<option ${r===(q.get("range")||"1h")?"selected":""}>${r}</option>`).join("")}</select>
            <select id="tab"><option value="graph">Graph</option><option value="table" ${q.get("tab")==="table"?"selected":""}>Table</option></select>
            <span class="muted" id="info"></span>
          </div></div><div class="card" id="out"><span class="muted">Enter an expression.</span></div>`;
        const run = () => {
          const expr = $("#expr").value.trim(); if (!expr) return;
          const params = new URLSearchParams({expr, range: $("#range").value, tab: $("#tab").value});
          history.replaceState(null, "", "#/graph?" + params);
          ($("#tab").value === "table" ? table : graph)(expr, $("#range").value);
        };
        $("#run").onclick = run;
        $("#expr").onkeydown = e => { if (e.key === "Enter" && e.shiftKey) { e.preventDefault(); run(); } };
        if (q.get("expr")) run();
      },
      async alerts(main) {
        const d = await api("/api/v1/rules", {type: "alert"});
        const rules = d.groups.flatMap(g => g.rules.map(r => ({...r, group: g.name})));
        const count = s => rules.filter(r => r.state === s).length;
        main.innerHTML = `<div class="card row"><span class="badge inactive">INACTIVE ${count("inactive")}</span>
          <span class="badge pending">PENDING ${count("pending")}</span><span class="badge firing">FIRING ${count("firing")}</span></div>` +
          (rules.length ? rules.map(r => `<div class="card"><details ${r.state !== "inactive" ? "open" : ""}>
            <summary><span class="badge ${r.state}">${r.state.toUpperCase()}</span> <b>${esc(r.name)}</b>
              <span class="muted">(${r.alerts.length} active) · ${esc(r.group)}</span></summary>
            <pre style="margin-top:8px">alert: ${esc(r.name)}\nexpr: ${esc(r.query)}${r.duration ? "\nfor: " + r.duration + "s" : ""}${r.keepFiringFor ? "\nkeep_firing_for: " + r.keepFiringFor + "s" : ""}</pre>
            ${Object.keys(r.labels).length ? "<div>labels: " + labelsHTML(r.labels) + "</div>" : ""}
            ${r.alerts.length ? `<table style="margin-top:8px"><tr><th>Labels</th><th>State</th><th>Active since</th><th>Value</th><th>Annotations</th></tr>
              ${r.alerts.map(a => `<tr><td>${labelsHTML(a.labels)}</td><td><span class="badge ${a.state}">${a.state.toUpperCase()}</span></td>
                <td>${esc(a.activeAt)}</td><td class="mono">${esc(a.value)}</td>
                <td>${Object.keys(a.annotations).map(k => `<div><b>${esc(k)}</b>: ${esc(a.annotations[k])}</div>`).join("")}</td></tr>`).join("")}</table>` : ""}
          </details></div>`).join("") : `<div class="card muted">No alerting rules.</div>`) + previewCard();
        wirePreview();
      },
      async rules(main) {
        const d = await api("/api/v1/rules");
        main.innerHTML = d.groups.map(g => `<div class="card"><h2>${esc(g.name)}</h2>
          <div class="muted">${esc(g.file)} · every ${g.interval}s · last evaluation ${ago(g.lastEvaluation)} · took ${dur(g.evaluationTime)}</div>
          <table style="margin-top:8px"><tr><th>Rule</th><th>State</th><th>Error</th><th>Last evaluation</th><th>Evaluation time</th></tr>
          ${g.rules.map(r => `<tr><td><pre>${r.type === "alerting" ? "alert" : "record"}: ${esc(r.name)}\nexpr: ${esc(r.query)}</pre>${labelsHTML(r.labels)}</td>
            <td class="${r.health}">${r.health.toUpperCase()}</td><td class="error">${esc(r.lastError || "")}</td>
            <td>${ago(r.lastEvaluation)}</td><td>${dur(r.evaluationTime)}</td></tr>`).join("")}</table></div>`).join("")
          || `<div class="card muted">No rule groups.</div>`;
      },
      async targets(main) {
        const d = await api("/api/v1/targets");
        const pools = {};
        for (const t of d.activeTargets) (pools[t.scrapePool] = pools[t.scrapePool] || []).push(t);
        const names = Object.keys(pools).sort();
        main.innerHTML = names.length ? names.map(p => { const ts = pools[p], up = ts.filter(t => t.health === "up").length;
          return `<div class="card"><h2>${esc(p)} <span class="muted">(${up}/${ts.length} up)</span></h2><table>
            <tr><th>Endpoint</th><th>State</th><th>Labels</th><th>Last scrape</th><th>Duration</th><th>Error</th></tr>
            ${ts.map(t => `<tr><td class="mono">${esc(t.scrapeUrl)}</td><td><span class="badge ${t.health === "up" ? "inactive" : t.health === "down" ? "firing" : "pending"}">${t.health.toUpperCase()}</span></td>
              <td>${labelsHTML(t.labels)}</td><td>${ago(t.lastScrape)}</td><td>${dur(t.lastScrapeDuration)}</td><td class="error">${esc(t.lastError)}</td></tr>`).join("")}</table></div>`; }).join("")
          : `<div class="card muted">No scrape targets (start vigil with --config.file prometheus.yml).</div>`;
      },
      async silences(main) {
        const r = await fetch("/api/v2/silences");
        if (!r.ok) { main.innerHTML = `<div class="card muted">${esc(await r.json())}</div>`; return; }
        const list = (await r.json()).sort((a, b) => a.status.state.localeCompare(b.status.state) || b.endsAt.localeCompare(a.endsAt));
        const m = x => x.map(m => `<span class="label">${esc(m.name)}${m.isEqual ? (m.isRegex ? "=~" : "=") : (m.isRegex ? "!~" : "!=")}"${esc(m.value)}"</span>`).join("");
        main.innerHTML = `<div class="card"><h2>New silence</h2>
            <div class="row"><input type="text" id="sil-matchers" placeholder='alertname="HighErrorRate", severity=~"warn.*"' style="flex:3">
            <select id="sil-dur">${["1h","2h","4h","12h","1d","7d"].map(d => `<option>${d}</option>`).join("")}</select></div>
            <div class="row" style="margin-top:8px"><input type="text" id="sil-by" placeholder="Creator" style="flex:1"><input type="text" id="sil-comment" placeholder="Comment" style="flex:3">
            <button class="primary" id="sil-add">Silence</button></div><div id="sil-err" class="error"></div></div>
          <div class="card"><table><tr><th>State</th><th>Matchers</th><th>Ends</th><th>Created by</th><th>Comment</th><th></th></tr>
          ${list.map(x => `<tr><td><span class="badge ${x.status.state === "active" ? "pending" : "inactive"}">${x.status.state.toUpperCase()}</span></td><td>${m(x.matchers)}</td>
            <td>${esc(x.endsAt)}</td><td>${esc(x.createdBy)}</td><td>${esc(x.comment)}</td>
            <td>${x.status.state !== "expired" ? `<button data-expire="${esc(x.id)}">Expire</button>` : ""}</td></tr>`).join("")}</table></div>`;
        document.querySelectorAll("[data-expire]").forEach(b => b.onclick = async () => { await fetch("/api/v2/silence/" + b.dataset.expire, {method: "DELETE"}); route(); });
        $("#sil-add").onclick = async () => {
          const matchers = [];
          for (const part of $("#sil-matchers").value.split(",").map(p => p.trim()).filter(Boolean)) {
            const mm = part.match(/^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?$/);
            if (!mm) { $("#sil-err").textContent = "Bad matcher: " + part; return; }
            matchers.push({name: mm[1], value: mm[3], isRegex: mm[2].includes("~"), isEqual: !mm[2].startsWith("!")});
          }
          const secs = {h:3600, d:86400}[$("#sil-dur").value.slice(-1)] * parseInt($("#sil-dur").value);
          const body = {matchers, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + secs * 1000).toISOString(),
                        createdBy: $("#sil-by").value || "vigil-ui", comment: $("#sil-comment").value};
          const res = await fetch("/api/v2/silences", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
          if (!res.ok) { $("#sil-err").textContent = await res.text(); return; }
          route();
        };
      },
      async notifications(main) {
        const list = await api("/api/v1/notifications", {limit: 200});
        main.innerHTML = list.length ? `<div class="card"><table><tr><th>Time</th><th>Receiver</th><th>Status</th><th>Outcome</th><th>Alerts</th><th>Body</th></tr>
          ${list.map(n => `<tr><td>${esc(n.at)}</td><td>${esc(n.receiver)} <span class="muted">${esc(n.integration)}</span></td>
            <td><span class="badge ${n.status === "resolved" ? "inactive" : "firing"}">${esc(n.status.toUpperCase())}</span></td>
            <td class="${n.outcome === "sent" ? "ok" : "err"}">${esc(n.outcome)}${n.attempts > 1 ? " (" + n.attempts + " attempts)" : ""} ${esc(n.error)}</td>
            <td>${n.firing} firing, ${n.resolved} resolved</td><td><details><summary>show</summary><pre>${esc(n.body)}</pre></details></td></tr>`).join("")}</table></div>`
          : `<div class="card muted">No notifications sent yet.</div>`;
      },
      async status(main) {
        const [b, r, f, t] = await Promise.all(["buildinfo", "runtimeinfo", "flags", "tsdb"].map(p => api("/api/v1/status/" + p)));
        const kv = o => `<table>${Object.keys(o).map(k => `<tr><th>${esc(k)}</th><td class="mono">${esc(typeof o[k] === "object" ? JSON.stringify(o[k]) : o[k])}</td></tr>`).join("")}</table>`;
        const top = (title, xs) => `<h2>${title}</h2><table>${xs.map(x => `<tr><td class="mono">${esc(x.name)}</td><td>${x.value}</td></tr>`).join("")}</table>`;
        main.innerHTML = `<div class="card"><h2>Build</h2>${kv(b)}</div><div class="card"><h2>Runtime</h2>${kv(r)}</div>
          <div class="card"><h2>TSDB</h2>${kv(t.headStats)}${top("Series by metric name", t.seriesCountByMetricName)}${top("Values by label name", t.labelValueCountByLabelName)}</div>
          <div class="card"><h2>Flags</h2>${kv(f)}</div>`;
      },
    };

    async function table(expr) {
      const out = $("#out"), t0 = performance.now();
      try {
        const d = await api("/api/v1/query", {query: expr});
        $("#info").textContent = `${(performance.now() - t0).toFixed(0)} ms`;
        if (d.resultType === "scalar" || d.resultType === "string") { out.innerHTML = `<span class="mono">${esc(d.result[1])}</span>`; return; }
        const rows = d.result.map(s => d.resultType === "vector" ? [metricName(s.metric), s.value[1]] : [metricName(s.metric), s.values.map(v => v[1] + " @" + v[0]).join("\n")]);
        out.innerHTML = rows.length ? `<table>${rows.map(r => `<tr><td class="mono">${esc(r[0])}</td><td class="mono"><pre>${esc(r[1])}</pre></td></tr>`).join("")}</table>` : `<span class="muted">Empty query result</span>`;
      } catch (e) { out.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
    }

    const colors = ["#2456d6","#d92d20","#12a150","#dc8a00","#7a5af8","#0e9384","#c11574","#475467","#e04f16","#1570ef"];
    async function graph(expr, range) {
      const out = $("#out"), t0 = performance.now();
      const secs = {m:60, h:3600, d:86400}[range.slice(-1)] * parseInt(range);
      const end = Date.now() / 1000, start = end - secs, step = Math.max(1, Math.round(secs / 250));
      try {
        const d = await api("/api/v1/query_range", {query: expr, start, end, step});
        $("#info").textContent = `${d.result.length} series · ${(performance.now() - t0).toFixed(0)} ms`;
        out.innerHTML = chart(d.result, start, end, step, []);
      } catch (e) { out.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
    }

    // A line chart of range-query series; `bands` ({start, end, state}) shade the background.
    function chart(result, start, end, step, bands) {
      const series = result.map(s => ({name: metricName(s.metric), pts: s.values.map(v => [v[0], parseFloat(v[1])]).filter(p => isFinite(p[1]))}));
      const all = series.flatMap(s => s.pts.map(p => p[1]));
      if (!all.length && !bands.length) return `<span class="muted">No data points</span>`;
      let lo = all.length ? Math.min(...all) : 0, hi = all.length ? Math.max(...all) : 1; if (lo === hi) { lo -= 1; hi += 1; }
      const W = 1100, H = 320, L = 60, B = 24, x = t => L + (t - start) / (end - start) * (W - L - 10), y = v => 10 + (hi - v) / (hi - lo) * (H - B - 10);
      let svg = `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="graph">`;
      for (const b of bands) svg += `<rect class="band-${b.state}" x="${x(b.start)}" y="10" width="${Math.max(1, x(b.end) - x(b.start))}" height="${H - B - 10}" fill="${b.state === "firing" ? "#fde2e1" : "#fff1d6"}"><title>${b.state}</title></rect>`;
      for (let i = 0; i <= 4; i++) { const v = lo + (hi - lo) * i / 4; svg += `<line x1="${L}" x2="${W-10}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="4" y="${y(v)+4}">${+v.toPrecision(4)}</text>`; }
      for (let i = 0; i <= 5; i++) { const t = start + (end - start) * i / 5; svg += `<text x="${x(t)-20}" y="${H-6}">${new Date(t*1000).toLocaleTimeString([], {hour:"2-digit", minute:"2-digit"})}</text>`; }
      series.forEach((s, i) => {
        let path = "", prev = null;
        for (const [t, v] of s.pts) { path += (prev !== null && t - prev <= step * 1.5 ? "L" : "M") + x(t).toFixed(1) + "," + y(v).toFixed(1); prev = t; }
        svg += `<path d="${path}" fill="none" stroke="${colors[i % colors.length]}" stroke-width="1.5"><title>${esc(s.name)}</title></path>`;
      });
      return svg + `</svg><div class="legend">${series.slice(0, 50).map((s, i) => `<span><i style="background:${colors[i % colors.length]}"></i>${esc(s.name)}</span>`).join("")}</div>`;
    }

    function previewCard() {
      return `<div class="card"><h2>Preview a rule over stored history</h2>
        <p class="muted">Replays the rule exactly as it would have run (nothing is saved) and shades when it was pending and firing.</p>
        <textarea id="bt-rule" rows="5">alert: HighLoad\nexpr: rate(process_cpu_seconds_total[1m]) > 0.5\nfor: 5m</textarea>
        <div class="row" style="margin-top:8px"><button class="primary" id="bt-run">Preview</button>
          <select id="bt-range">${["1h","6h","1d","7d"].map(r => `<option>${r}</option>`).join("")}</select>
          <span class="muted" id="bt-info"></span></div><div id="bt-out"></div></div>`;
    }

    function wirePreview() {
      $("#bt-run").onclick = async () => {
        const range = $("#bt-range").value, out = $("#bt-out");
        const secs = {h:3600, d:86400}[range.slice(-1)] * parseInt(range);
        const end = Math.floor(Date.now() / 1000), start = end - secs, step = Math.max(1, Math.round(secs / 250));
        try {
          const r = await fetch(`/api/v1/rules/backtest?start=${start}&end=${end}`, {method: "POST", headers: {"Content-Type": "text/plain"}, body: $("#bt-rule").value});
          const j = await r.json();
          if (j.status !== "success") throw new Error(j.error);
          const rule = j.data.rules[0];
          if (!rule) { out.innerHTML = `<div class="muted">No alerting rule in the text.</div>`; return; }
          const bands = rule.alerts.flatMap(a => a.intervals.map(iv => ({state: iv.state, start: Date.parse(iv.start) / 1000, end: iv.end ? Date.parse(iv.end) / 1000 : end})));
          const d = await api("/api/v1/query_range", {query: rule.query, start, end, step});
          $("#bt-info").textContent = `${rule.name} (for ${rule.for}): fired ${rule.firings} time${rule.firings === 1 ? "" : "s"}, ${j.data.evaluations} evaluations`;
          out.innerHTML = chart(d.result, start, end, step, bands) +
            `<table>${rule.alerts.map(a => `<tr><td>${labelsHTML(a.labels)}</td><td>${a.intervals.map(iv => `<div><span class="badge ${iv.state}">${iv.state.toUpperCase()}</span> ${esc(iv.start)} → ${esc(iv.end || "now")}</div>`).join("")}</td></tr>`).join("")}</table>`;
        } catch (e) { out.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
      };
    }

    async function route() {
      const page = (location.hash.match(/^#\/(\w+)/) || [, location.pathname.slice(1) || "graph"])[1];
      const name = pages[page] ? page : "graph";
      document.querySelectorAll("nav a").forEach(a => a.classList.toggle("on", a.dataset.page === name));
      const main = $("#main");
      try { await pages[name](main); } catch (e) { main.innerHTML = `<div class="card error">${esc(e.message)}</div>`; }
    }
    window.addEventListener("hashchange", route);
    route();
    </script>
    </body>
    </html>
    """#
}
