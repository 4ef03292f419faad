// The query page of `mskg serve`: the YASQE editor, the named queries, the results table.
// Every request goes to this server. Graph text is untrusted: it only ever reaches the page as
// textContent, attribute values set through the DOM, or URLs this script builds itself.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("mskg-data").textContent);
  const PREFIXES = DATA.prefixes;
  const RESOURCE = DATA.resourceBase;
  const ONTOLOGY = DATA.ontologyBase;
  const SELECT_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  // The most IRIs "show as graph" sends; /graph refuses more.
  const GRAPH_MAX_NODES = 500;

  const $ = (id) => document.getElementById(id);
  const picker = $("picker"), paramsForm = $("params"), status = $("status");
  const out = $("out"), warningsBox = $("warnings"), tools = $("tools");

  const state = { named: null, queries: {}, suggestions: {}, terms: { class: [], property: [] } };
  const timing = { runs: 0 };
  window.mskgWorkbench = { timing: timing };

  // --- the editor ---------------------------------------------------------------------------

  const Yasqe = window.Yasqe;
  const prefixLines = Object.keys(PREFIXES).sort().map((p) => p + ": <" + PREFIXES[p] + ">");
  // YASQE's own completers ask prefix.cc and Linked Open Vocabularies: never enabled here.
  // Ours answer from the project's prefixes and the ontology's terms in this graph.
  Yasqe.forkAutocompleter("prefixes", { name: "mskgPrefixes", persistenceId: null,
    get: () => prefixLines }, false);
  const localTerms = (kind) => (yasqe, token) => {
    const start = (token && token.autocompletionString) || "";
    return state.terms[kind].filter((iri) => iri.startsWith(start)).slice(0, 100);
  };
  Yasqe.forkAutocompleter("property", { name: "mskgProperty", get: localTerms("property") }, false);
  Yasqe.forkAutocompleter("class", { name: "mskgClass", get: localTerms("class") }, false);
  // The editor's config is merged into its defaults index by index: the list is replaced here,
  // on this page's own copy of the library, so that no default completer remains.
  Yasqe.defaults.autocompleters = ["variables", "mskgPrefixes", "mskgProperty", "mskgClass"];

  const yasqe = new Yasqe($("editor"), {
    value: DATA.defaultQuery,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false,
    resizeable: true,
    editorHeight: "16rem",
    requestConfig: { endpoint: "/sparql", method: "POST" },
    extraKeys: {
      "Ctrl-Enter": () => run(),
      "Cmd-Enter": () => run(),
    },
  });
  window.mskgWorkbench.yasqe = yasqe;
  let settingText = false;
  function setText(text) {
    settingText = true;
    yasqe.setValue(text);
    settingText = false;
  }
  yasqe.on("change", () => {
    if (settingText || !state.named) return;
    // An edited named query is a query of one's own: it runs as text, without parameters.
    state.named = null;
    picker.value = "";
    $("named").hidden = true;
  });

  // --- talking to the server ----------------------------------------------------------------

  async function sparqlJson(text) {
    const r = await fetch("/sparql", { method: "POST",
      headers: { "Content-Type": "application/sparql-query",
                 "Accept": "application/sparql-results+json" }, body: text });
    if (!r.ok) throw new Error(await r.text());
    return r.json();
  }

  async function loadTerms() {
    const data = await sparqlJson(
      "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n" +
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" +
      "SELECT DISTINCT ?term ?type WHERE { ?term a ?type .\n" +
      "  FILTER(?type IN (owl:Class, rdfs:Class, owl:ObjectProperty, owl:DatatypeProperty,\n" +
      "                   owl:AnnotationProperty, rdf:Property) && isIRI(?term)) }");
    const classes = new Set(), properties = new Set();
    for (const row of data.results.bindings) {
      const type = row.type.value;
      (type.endsWith("Class") ? classes : properties).add(row.term.value);
    }
    state.terms.class = [...classes].sort();
    state.terms.property = [...properties].sort();
  }

  function expand(name) {
    const m = /^([A-Za-z][\w-]*):([\w-]+)$/.exec(name || "");
    return m && PREFIXES[m[1]] ? PREFIXES[m[1]] + m[2] : null;
  }

  async function suggestionsFor(cls) {
    const iri = expand(cls);
    if (!iri) return [];
    if (!state.suggestions[iri]) {
      // Every name a parameter value may be given by (labels, other labels, brand and generic
      // names, a layer's short name), for the instances of the class and of its subclasses.
      state.suggestions[iri] = sparqlJson(
        "SELECT DISTINCT ?name WHERE {\n" +
        "  ?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/" +
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <" + iri + "> .\n" +
        "  { ?x <http://www.w3.org/2004/02/skos/core#notation> ?n } UNION\n" +
        "  { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?n } UNION\n" +
        "  { ?x <http://www.w3.org/2004/02/skos/core#altLabel> ?n } UNION\n" +
        "  { ?x <http://schema.org/proprietaryName> ?n } UNION\n" +
        "  { ?x <http://schema.org/nonProprietaryName> ?n }\n" +
        "  BIND(STR(?n) AS ?name) } ORDER BY LCASE(?name) LIMIT 2000")
        .then((d) => d.results.bindings.map((row) => row.name.value))
        .catch(() => []);
    }
    return state.suggestions[iri];
  }

  // --- named queries ------------------------------------------------------------------------

  async function loadQueries() {
    const r = await fetch("/queries", { headers: { "Accept": "application/json" } });
    const list = await r.json();
    const groups = new Map(DATA.groups.map((g) => [g, []]));
    for (const q of list) {
      state.queries[q.name] = q;
      const group = groups.has(q.group) ? q.group : "other";
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group).push(q);
    }
    for (const [group, queries] of groups) {
      if (!queries.length) continue;
      const optgroup = document.createElement("optgroup");
      optgroup.label = group;
      for (const q of queries) {
        const option = document.createElement("option");
        option.value = q.name;
        option.textContent = q.title || q.name;
        option.title = q.name;
        optgroup.appendChild(option);
      }
      picker.appendChild(optgroup);
    }
  }

  function chooseNamed(name, values) {
    const q = state.queries[name];
    if (!q) { state.named = null; $("named").hidden = true; return; }
    state.named = name;
    picker.value = name;
    $("named-title").textContent = q.title || q.name;
    $("named-description").textContent = q.description || "";
    paramsForm.textContent = "";
    for (const p of q.params) {
      const row = document.createElement("p");
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.name = p.name;
      input.id = "param-" + p.name;
      input.placeholder = p.default ? p.default : "(all)";
      input.value = (values && values[p.name]) || "";
      label.htmlFor = input.id;
      label.textContent = p.name + (p.class ? " (" + p.class + ")" : "");
      row.append(label, " ", input);
      if (p.description) {
        const note = document.createElement("span");
        note.className = "note";
        note.textContent = p.description;
        row.append(" ", note);
      }
      if (p.class) {
        const list = document.createElement("datalist");
        list.id = "suggest-" + p.name;
        input.setAttribute("list", list.id);
        row.appendChild(list);
        suggestionsFor(p.class).then((names) => {
          for (const n of names) {
            const option = document.createElement("option");
            option.value = n;
            list.appendChild(option);
          }
          list.dataset.loaded = String(names.length);
        });
      }
      paramsForm.appendChild(row);
    }
    $("named").hidden = false;
    setText(q.text);
  }

  function paramValues() {
    const values = {};
    for (const input of paramsForm.querySelectorAll("input")) {
      if (input.value.trim()) values[input.name] = input.value.trim();
    }
    return values;
  }

  picker.addEventListener("change", () => {
    if (picker.value) chooseNamed(picker.value, {});
    else { state.named = null; $("named").hidden = true; }
  });
  paramsForm.addEventListener("submit", (event) => { event.preventDefault(); run(); });

  // --- the URL holds the state --------------------------------------------------------------

  function stateParams() {
    const params = new URLSearchParams();
    if (state.named) {
      params.set("query", state.named);
      for (const [k, v] of Object.entries(paramValues())) params.set("param." + k, v);
    } else {
      params.set("sparql", yasqe.getValue());
    }
    return params;
  }

  function restore() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("query") && state.queries[params.get("query")]) {
      const values = {};
      for (const [k, v] of params) if (k.startsWith("param.")) values[k.slice(6)] = v;
      chooseNamed(params.get("query"), values);
      return true;
    }
    if (params.has("sparql")) {
      state.named = null;
      picker.value = "";
      $("named").hidden = true;
      setText(params.get("sparql"));
      return true;
    }
    return false;
  }

  // --- running ------------------------------------------------------------------------------

  function requestFor(format) {
    if (state.named) {
      const params = new URLSearchParams(paramValues());
      if (format) params.set("format", format);
      const query = params.toString();
      return { url: "/queries/" + encodeURIComponent(state.named) + (query ? "?" + query : ""),
               init: { headers: { "Accept": SELECT_ACCEPT } } };
    }
    const params = new URLSearchParams({ query: yasqe.getValue() });
    if (format) params.set("format", format);
    return { url: "/sparql?" + params.toString(),
             init: { method: "POST", headers: { "Content-Type": "application/sparql-query",
                                                "Accept": SELECT_ACCEPT },
                     body: yasqe.getValue() } };
  }

  let running = 0;
  async function run() {
    const mine = ++running;
    history.replaceState(null, "", "#" + stateParams().toString());
    out.textContent = ""; warningsBox.textContent = ""; tools.hidden = true;
    out.dataset.state = "running";
    status.textContent = "running...";
    const started = performance.now();
    const request = requestFor(null);
    if (!state.named) request.url = "/sparql";
    let r, body;
    try {
      r = await fetch(request.url, request.init);
      body = await r.text();
    } catch (e) {
      if (mine !== running) return;
      status.textContent = "request failed: " + e;
      out.dataset.state = "failed";
      return;
    }
    if (mine !== running) return;
    const fetched = performance.now();
    const type = (r.headers.get("Content-Type") || "").split(";")[0].trim();
    showWarnings(r.headers.get("X-MSKG-Warning"));
    let summary;
    if (!r.ok) {
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = body;
      out.appendChild(pre);
      summary = "error " + r.status;
    } else if (type === "application/sparql-results+json") {
      const data = JSON.parse(body);
      if ("boolean" in data) {
        const p = document.createElement("p");
        p.className = "boolean";
        p.textContent = String(data.boolean);
        out.appendChild(p);
        summary = "ASK";
      } else {
        const iris = renderTable(data.head.vars, data.results.bindings);
        showTools("select", iris);
        summary = data.results.bindings.length + " rows";
      }
    } else if (type === "application/n-triples") {
      const triples = parseNTriples(body);
      const iris = renderTable(["subject", "predicate", "object"], triples.map((t) =>
        ({ subject: t[0], predicate: t[1], object: t[2] })), ["predicate"]);
      showTools("graph", iris);
      summary = triples.length + " triples";
    } else {
      const pre = document.createElement("pre");
      pre.textContent = body;
      out.appendChild(pre);
      summary = type;
    }
    const done = performance.now();
    if (r.headers.get("X-MSKG-Truncated")) {
      summary += " (cut at " + r.headers.get("X-MSKG-Max-Rows") + ")";
    }
    timing.runs += 1;
    timing.fetchMs = fetched - started;
    timing.renderMs = done - fetched;
    timing.totalMs = done - started;
    status.textContent = summary + " in " + Math.round(timing.totalMs) + " ms";
    out.dataset.state = r.ok ? "done" : "failed";
  }
  $("run").addEventListener("click", () => run());

  function showWarnings(header) {
    // X-MSKG-Warning: a comma-separated list of percent-encoded warnings; shown as text.
    if (!header) return;
    for (const item of header.split(",")) {
      let text = item.trim();
      try { text = decodeURIComponent(text); } catch (e) { /* shown as sent */ }
      const p = document.createElement("p");
      p.className = "warning";
      p.textContent = "warning: " + text;
      warningsBox.appendChild(p);
    }
  }

  // --- results ------------------------------------------------------------------------------

  function prefixed(iri) {
    let best = null;
    for (const [p, ns] of Object.entries(PREFIXES)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    if (!best) return null;
    const local = iri.slice(best[1].length);
    return /^[\w.-]*$/.test(local) ? best[0] + ":" + local : null;
  }

  // Where an IRI links to: this server's resource or ontology page for mskr:/mskg: IRIs,
  // the IRI itself for http(s) IRIs elsewhere, nothing for any other scheme (javascript:...).
  function linkFor(iri) {
    for (const [base, page] of [[RESOURCE, "/resource/"], [ONTOLOGY, "/ontology/"]]) {
      if (iri.startsWith(base)) {
        const local = iri.slice(base.length);
        if (local && !local.includes("/") && !local.includes("#")) {
          return page + encodeURIComponent(local);
        }
      }
    }
    return /^https?:\/\/[^\s]+$/i.test(iri) ? iri : null;
  }

  function termCell(cell, term, linkIri) {
    if (!term) return;
    if (term.type === "uri") {
      const shown = prefixed(term.value);
      const href = linkFor(term.value);
      const node = document.createElement(href ? "a" : "span");
      node.textContent = shown || term.value;
      node.title = term.value;
      if (href) {
        node.href = href;
        if (!href.startsWith("/")) { node.rel = "noopener noreferrer nofollow"; node.className = "outside"; }
      }
      cell.appendChild(node);
      return;
    }
    if (term.type === "bnode") { cell.textContent = "_:" + term.value; return; }
    // A literal: its text alone; the language tag or datatype goes into the tooltip.
    const href = linkIri ? linkFor(linkIri) : null;
    const node = document.createElement(href ? "a" : "span");
    node.textContent = term.value;
    if (href) { node.href = href; node.title = linkIri; }
    else if (term["xml:lang"]) node.title = "@" + term["xml:lang"];
    else if (term.datatype) node.title = prefixed(term.datatype) || term.datatype;
    if (href && !href.startsWith("/")) node.rel = "noopener noreferrer nofollow";
    cell.appendChild(node);
  }

  // The named queries give a label column ?x beside its IRI column ?xIri: the label links to
  // the IRI's page, and the IRI column is left out of the table (not of the downloads).
  function renderTable(vars, rows, notNodes) {
    const companion = {};
    for (const v of vars) {
      if (v.endsWith("Iri") && vars.includes(v.slice(0, -3))) companion[v.slice(0, -3)] = v;
    }
    const hidden = new Set(Object.values(companion));
    const shown = vars.filter((v) => !hidden.has(v));
    const iris = new Set();
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    for (const v of shown) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const tbody = table.createTBody();
    for (const row of rows) {
      const tr = tbody.insertRow();
      for (const v of shown) {
        const pair = companion[v] && row[companion[v]];
        const linkIri = pair && pair.type === "uri" ? pair.value : null;
        termCell(tr.insertCell(), row[v], linkIri);
      }
      for (const v of vars) {
        if (notNodes && notNodes.includes(v)) continue;
        const term = row[v];
        if (term && term.type === "uri" && /^https?:|^urn:/.test(term.value)) iris.add(term.value);
      }
    }
    out.appendChild(table);
    return [...iris];
  }

  function showTools(kind, iris) {
    tools.textContent = "";
    const formats = kind === "graph" ? [["ttl", "Turtle"], ["nt", "N-Triples"]]
                                     : [["csv", "CSV"], ["json", "JSON"]];
    tools.append("Download: ");
    for (const [format, name] of formats) {
      const a = document.createElement("a");
      const request = requestFor(format);
      a.href = request.url;
      a.download = (state.named || "query") + "." + format;
      a.textContent = name;
      a.className = "download";
      a.dataset.format = format;
      tools.append(a, " ");
    }
    if (iris.length) {
      const params = new URLSearchParams();
      for (const iri of iris.slice(0, GRAPH_MAX_NODES)) params.append("node", iri);
      const a = document.createElement("a");
      a.href = "/graph?" + params.toString();
      a.target = "_blank";
      a.rel = "noopener";
      a.id = "show-graph";
      a.textContent = "Show as graph" + (iris.length > GRAPH_MAX_NODES
        ? " (the first " + GRAPH_MAX_NODES + " of " + iris.length + " nodes)" : "");
      tools.append(" ", a);
    }
    tools.hidden = false;
  }

  // N-Triples as the server writes them: one triple a line, IRIs, blank nodes and literals.
  const NT_TERM = /\s*(<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?)/y;
  function unescapeNT(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (m, e) => {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[e] || e;
    });
  }
  function parseNTriples(text) {
    const triples = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      NT_TERM.lastIndex = 0;
      const terms = [];
      for (let i = 0; i < 3; i++) {
        const m = NT_TERM.exec(line);
        if (!m) break;
        if (m[2] !== undefined) terms.push({ type: "uri", value: unescapeNT(m[2]) });
        else if (m[3] !== undefined) terms.push({ type: "bnode", value: m[3] });
        else {
          const term = { type: "literal", value: unescapeNT(m[4]) };
          if (m[5]) term["xml:lang"] = m[5];
          if (m[6]) term.datatype = m[6];
          terms.push(term);
        }
      }
      if (terms.length === 3) triples.push(terms);
    }
    return triples;
  }

  // --- start --------------------------------------------------------------------------------

  async function start() {
    const terms = loadTerms().catch((e) => { status.textContent = "completion: " + e.message; });
    try {
      await loadQueries();
    } catch (e) {
      status.textContent = "could not list the named queries: " + e.message;
    }
    const restored = restore();
    window.addEventListener("hashchange", () => { if (restore()) run(); });
    await terms;
    window.mskgReady = true;
    if (restored) run();
  }
  start();
})();
