"""The query page at ``/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    )
}


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mskg SPARQL</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
textarea { width: 100%; height: 14rem; font: 13px/1.4 monospace; }
table { border-collapse: collapse; margin-top: 1rem; }
td, th { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
#status { margin-left: 1rem; color: #555; }
#queries { max-width: 40rem; }
pre { background: #f7f7f7; padding: .5rem; overflow: auto; }
.warning { color: #8a4b00; margin: .25rem 0; }
</style>
</head>
<body>
<h1>mskg SPARQL endpoint</h1>
<p>Read-only. Endpoint: <code>/sparql</code> (GET or POST).
Named queries: <a href="queries">/queries</a>. Drawn graph: <a href="graph">/graph</a>.</p>
<p><label>Named query: <select id="queries">
<option value="">(type your own)</option></select></label></p>
<textarea id="text" spellcheck="false">SELECT ?drug ?label WHERE {
  ?drug a mskg:Drug ; rdfs:label ?label .
} ORDER BY ?label</textarea>
<p><button id="run">Run</button><span id="status"></span></p>
<div id="out"></div>
<script>
"use strict";
const texts = {};
const sel = document.getElementById("queries");
fetch("queries").then(r => r.json()).then(list => {
  for (const q of list) {
    texts[q.name] = q.text;
    const o = document.createElement("option");
    o.value = q.name; o.textContent = q.name + ": " + q.title;
    sel.appendChild(o);
  }
});
sel.addEventListener("change", () => {
  if (texts[sel.value]) document.getElementById("text").value = texts[sel.value];
});
function warn(out, header) {
  // X-MSKG-Warning: why the query may answer less than meant, a comma-separated list of
  // percent-encoded warnings; shown as text, never as HTML.
  if (!header) return;
  for (const item of header.split(",")) {
    let text = item.trim();
    try { text = decodeURIComponent(text); } catch (e) { /* shown as sent */ }
    const p = document.createElement("p");
    p.className = "warning"; p.textContent = "warning: " + text;
    out.appendChild(p);
  }
}
function show(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  return term.value;
}
document.getElementById("run").addEventListener("click", async () => {
  const status = document.getElementById("status"), out = document.getElementById("out");
  out.textContent = ""; status.textContent = "running...";
  const started = performance.now();
  let r;
  try {
    r = await fetch("sparql", {method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: document.getElementById("text").value});
  } catch (e) { status.textContent = "request failed: " + e; return; }
  const ms = Math.round(performance.now() - started);
  const type = r.headers.get("Content-Type") || "";
  if (r.ok) warn(out, r.headers.get("X-MSKG-Warning"));
  if (!r.ok || !type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre"); pre.textContent = await r.text();
    out.appendChild(pre);
    status.textContent = (r.ok ? "" : "error " + r.status + " ") + "(" + ms + " ms)";
    return;
  }
  const data = await r.json();
  if ("boolean" in data) { status.textContent = String(data.boolean) + " (" + ms + " ms)"; return; }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of vars) {
    const th = document.createElement("th"); th.textContent = v; head.appendChild(th);
  }
  for (const row of rows) {
    const tr = table.insertRow();
    for (const v of vars) tr.insertCell().textContent = show(row[v]);
  }
  out.appendChild(table);
  const cut = r.headers.get("X-MSKG-Truncated")
    ? " (cut at " + r.headers.get("X-MSKG-Max-Rows") + ")" : "";
  status.textContent = rows.length + " rows" + cut + " (" + ms + " ms)";
});
</script>
</body>
</html>
"""
