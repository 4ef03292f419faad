/* mskg viz: the page script. Every text from the graph goes into the DOM with textContent,
   never innerHTML; links are made only for http(s) URLs. The globals network, nodes and edges
   are kept (as in pyvis pages) so scripts and tests can drive the page. */
var network = null;
var nodes = null;
var edges = null;
var mskgData = null;
var mskgReady = false;
var mskgStats = { readyMs: null, iterations: 0 };

(function () {
  "use strict";

  mskgData = JSON.parse(document.getElementById("mskg-data").textContent);
  var data = mskgData;
  var details = data.details;
  var edgeDetails = data.edge_details;
  var groupsByKey = {};
  data.groups.forEach(function (g) { groupsByKey[g.key] = g; });
  var labelOf = {};
  var clsOf = {};
  data.nodes.forEach(function (n) { labelOf[n.id] = n.label; clsOf[n.id] = n.cls; });
  var outEdges = {};
  var inEdges = {};
  data.edges.forEach(function (e) {
    (outEdges[e.from] = outEdges[e.from] || []).push(e);
    (inEdges[e.to] = inEdges[e.to] || []).push(e);
  });
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(value) {
    try {
      var url = new URL(String(value));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function linkOrText(url, text) {
    var href = safeUrl(url);
    if (!href) { return el("span", null, text); }
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function swatch(shape, color, size) {
    size = size || 14;
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("class", "mskg-swatch");
    var shapeEl;
    var pts = {
      diamond: "10,1 19,10 10,19 1,10",
      triangle: "10,2 19,18 1,18",
      triangleDown: "1,2 19,2 10,18",
      hexagon: "5,2 15,2 19,10 15,18 5,18 1,10",
      star: "10,1 12.6,7.4 19.5,7.6 14,11.9 16,18.6 10,14.6 4,18.6 6,11.9 0.5,7.6 7.4,7.4"
    };
    if (shape === "square") {
      shapeEl = document.createElementNS(SVGNS, "rect");
      shapeEl.setAttribute("x", 2); shapeEl.setAttribute("y", 2);
      shapeEl.setAttribute("width", 16); shapeEl.setAttribute("height", 16);
    } else if (pts[shape]) {
      shapeEl = document.createElementNS(SVGNS, "polygon");
      shapeEl.setAttribute("points", pts[shape]);
    } else {
      shapeEl = document.createElementNS(SVGNS, "circle");
      shapeEl.setAttribute("cx", 10); shapeEl.setAttribute("cy", 10); shapeEl.setAttribute("r", 8);
    }
    shapeEl.setAttribute("fill", color);
    shapeEl.setAttribute("stroke", "#2b2b2b");
    shapeEl.setAttribute("stroke-width", "1.2");
    svg.appendChild(shapeEl);
    return svg;
  }

  function lineSwatch(style) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", 34); svg.setAttribute("height", 12);
    svg.setAttribute("class", "mskg-swatch");
    var line = document.createElementNS(SVGNS, "line");
    line.setAttribute("x1", 1); line.setAttribute("y1", 6); line.setAttribute("x2", 33); line.setAttribute("y2", 6);
    line.setAttribute("stroke", style.color);
    line.setAttribute("stroke-width", style.width);
    if (style.dashes) { line.setAttribute("stroke-dasharray", style.dashes.join(" ")); }
    svg.appendChild(line);
    return svg;
  }

  function nodeTooltip(n) {
    var d = details[n.id] || {};
    var tip = el("div", "mskg-tip");
    tip.appendChild(el("b", null, n.label));
    var g = groupsByKey[n.cls];
    tip.appendChild(el("span", "mskg-tip-class", d["class"] || (g ? g.label : "")));
    if (d.definition) {
      var text = d.definition.length > 280 ? d.definition.slice(0, 277) + "…" : d.definition;
      tip.appendChild(el("div", null, text));
    }
    return tip;
  }

  function edgeTooltip(e) {
    var d = edgeDetails[e.id] || {};
    var tip = el("div", "mskg-tip");
    tip.appendChild(el("b", null, (labelOf[e.from] || e.from) + " → " + (labelOf[e.to] || e.to)));
    var line = el("div", null, d.label || "");
    if (d.severity) { line.appendChild(el("span", "mskg-badge " + d.severity, d.severity)); }
    if (d.potentially_fatal) { line.appendChild(el("span", "mskg-badge fatal", "can be fatal")); }
    if (d.frequency) { line.appendChild(el("span", "mskg-badge", d.frequency)); }
    tip.appendChild(line);
    return tip;
  }

  // ---- the network ------------------------------------------------------------------------
  nodes = new vis.DataSet(data.nodes.map(function (n) {
    var item = {};
    for (var k in n) { if (Object.prototype.hasOwnProperty.call(n, k)) { item[k] = n[k]; } }
    item.title = nodeTooltip(n);
    return item;
  }));
  edges = new vis.DataSet(data.edges.map(function (e) {
    var item = {};
    for (var k in e) { if (Object.prototype.hasOwnProperty.call(e, k)) { item[k] = e[k]; } }
    item.title = edgeTooltip(e);
    return item;
  }));

  var large = data.large;
  var options = {
    autoResize: true,
    nodes: {
      borderWidth: 1.2,
      font: { size: large ? 11 : 16, face: "system-ui, sans-serif", color: "#1a1a1a", strokeWidth: 3, strokeColor: "#ffffff" },
      // Large graphs: labels appear once zoomed in far enough to read them.
      scaling: { label: { drawThreshold: large ? 9 : 5 } }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.25 },
      font: { size: 10, align: "middle", color: "#4a4a4a", strokeWidth: 3, strokeColor: "#ffffff" },
      selectionWidth: 1.5,
      hoverWidth: 0.5
    },
    layout: { randomSeed: data.seed, improvedLayout: !large },
    interaction: { hover: !large, tooltipDelay: 120, hideEdgesOnDrag: large, hideEdgesOnZoom: large, keyboard: false },
    physics: large ? { enabled: false } : {
      enabled: true,
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -80, centralGravity: 0.01, springLength: 110, springConstant: 0.07, damping: 0.55, avoidOverlap: 0.5 },
      maxVelocity: 60,
      minVelocity: 1.5,
      timestep: 0.45,
      stabilization: { enabled: true, iterations: 500, updateInterval: 50, fit: true }
    }
  };

  var loading = document.getElementById("mskg-loading");
  var loadingText = document.getElementById("mskg-loading-text");
  var physicsBox = document.getElementById("mskg-physics");

  function ready() {
    if (mskgReady) { return; }
    mskgStats.readyMs = performance.now();
    mskgReady = true;
    document.body.setAttribute("data-ready", "1");
    loading.classList.add("done");
  }

  network = new vis.Network(document.getElementById("mynetwork"), { nodes: nodes, edges: edges }, options);
  if (large) {
    network.once("afterDrawing", ready);
  } else {
    network.on("stabilizationProgress", function (p) {
      mskgStats.iterations = p.iterations;
      loadingText.textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      // Freeze the settled layout: nodes stay where they are unless physics is turned back on.
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      network.once("afterDrawing", ready);
      network.redraw();
    });
  }
  physicsBox.checked = false;
  physicsBox.addEventListener("change", function () {
    network.setOptions({ physics: large ? { enabled: physicsBox.checked, stabilization: false } : { enabled: physicsBox.checked } });
  });
  document.getElementById("mskg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });

  // ---- filters ------------------------------------------------------------------------------
  var hiddenClasses = {};
  var hiddenRelations = {};

  function applyFilters() {
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      var hide = !!hiddenClasses[n.cls];
      if (!!n.hidden !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = !!hiddenRelations[e.rel];
      if (!!e.hidden !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
  }

  function filterRow(container, key, text, count, graphic, hiddenMap, dataName) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-" + dataName, key);
    box.addEventListener("change", function () {
      if (box.checked) { delete hiddenMap[key]; } else { hiddenMap[key] = true; }
      applyFilters();
    });
    label.appendChild(box);
    if (graphic) { label.appendChild(graphic); }
    label.appendChild(el("span", null, text));
    label.appendChild(el("span", "mskg-count", count));
    container.appendChild(label);
  }

  var classBox = document.getElementById("mskg-classes");
  data.groups.forEach(function (g) {
    filterRow(classBox, g.key, g.label, g.count, swatch(g.shape, g.color), hiddenClasses, "class");
  });
  var relationBox = document.getElementById("mskg-relations");
  data.relations.forEach(function (r) {
    var label = r.label;
    filterRow(relationBox, r.iri, label, r.count, null, hiddenRelations, "relation");
  });
  var edgeLegend = document.getElementById("mskg-edge-legend");
  [["serious", "serious (thicker: can be fatal)"], ["common", "common"], ["other", "other relation"]].forEach(function (pair) {
    var row = el("div", "mskg-legend-row");
    row.appendChild(lineSwatch(data.edge_styles[pair[0]]));
    row.appendChild(el("span", null, pair[1]));
    edgeLegend.appendChild(row);
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.mskg-all"), function (button) {
    button.addEventListener("click", function () {
      var boxes = document.getElementById(button.getAttribute("data-target")).querySelectorAll("input");
      var anyOff = Array.prototype.some.call(boxes, function (b) { return !b.checked; });
      Array.prototype.forEach.call(boxes, function (b) {
        if (b.checked !== anyOff) { b.checked = anyOff; b.dispatchEvent(new Event("change")); }
      });
    });
  });

  // ---- details panel ------------------------------------------------------------------------
  var panel = document.getElementById("mskg-details");

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function definitionList(rows) {
    var dl = el("dl");
    rows.forEach(function (row) {
      dl.appendChild(el("dt", null, row[0]));
      dl.appendChild(el("dd", null, row[2].join("; ")));
    });
    return dl;
  }

  function sourcesList(sources) {
    var ul = el("ul");
    sources.forEach(function (s) {
      var li = el("li");
      li.appendChild(linkOrText(s.url || s.iri, s.label || s.iri));
      if (s.part_of) { li.appendChild(el("span", "mskg-iri", " (" + s.part_of + ")")); }
      ul.appendChild(li);
    });
    return ul;
  }

  function partBlock(part) {
    var box = el("div", "mskg-part");
    box.appendChild(el("div", "mskg-part-title", part.label));
    if (part.definition) { box.appendChild(el("div", null, part.definition)); }
    if (part.properties && part.properties.length) { box.appendChild(definitionList(part.properties)); }
    return box;
  }

  function nodeButton(id) {
    var button = el("button", null, labelOf[id] || id);
    button.type = "button";
    button.addEventListener("click", function () { selectNode(id); });
    return button;
  }

  function relationItem(e, outgoing) {
    var d = edgeDetails[e.id] || {};
    var li = el("li", "mskg-rel");
    li.appendChild(el("span", null, (outgoing ? "" : "← ") + d.label + (outgoing ? " → " : " of ")));
    li.appendChild(nodeButton(outgoing ? e.to : e.from));
    if (d.severity) { li.appendChild(el("span", "mskg-badge " + d.severity, d.severity)); }
    if (d.potentially_fatal) { li.appendChild(el("span", "mskg-badge fatal", "can be fatal")); }
    if (d.frequency) { li.appendChild(el("span", "mskg-badge", d.frequency)); }
    return li;
  }

  function showNode(id) {
    var d = details[id];
    if (!d) { return; }
    clear(panel);
    panel.setAttribute("data-node", id);
    var g = groupsByKey[clsOf[id]];
    panel.appendChild(el("h2", "mskg-node-label", labelOf[id]));
    var cls = el("div", "mskg-class");
    if (g) { cls.appendChild(swatch(g.shape, g.color)); }
    cls.appendChild(el("span", null, d["class"] || (g ? g.label : "")));
    panel.appendChild(cls);
    var iri = el("div", "mskg-iri");
    iri.appendChild(linkOrText(d.iri, d.iri));
    panel.appendChild(iri);
    if (d.definition) {
      panel.appendChild(el("h3", null, "Definition"));
      panel.appendChild(el("p", "mskg-definition", d.definition));
    }
    if (d.alt_labels.length) {
      panel.appendChild(el("h3", null, "Also called"));
      panel.appendChild(el("p", null, d.alt_labels.join(", ")));
    }
    if (d.properties.length) {
      panel.appendChild(el("h3", null, "Properties"));
      panel.appendChild(definitionList(d.properties));
    }
    if (d.parts.length || d.dosing.length) {
      panel.appendChild(el("h3", null, "Dosing"));
      d.parts.forEach(function (p) { panel.appendChild(partBlock(p)); });
      d.dosing.forEach(function (reg) {
        var box = el("div", "mskg-dosing");
        box.appendChild(nodeButton(reg.id));
        if (reg.properties.length) { box.appendChild(definitionList(reg.properties)); }
        reg.parts.forEach(function (p) { box.appendChild(partBlock(p)); });
        panel.appendChild(box);
      });
    }
    var outs = outEdges[id] || [];
    var ins = inEdges[id] || [];
    if (outs.length || ins.length) {
      panel.appendChild(el("h3", null, "Relations (" + (outs.length + ins.length) + ")"));
      var ul = el("ul", "mskg-relations");
      outs.forEach(function (e) { ul.appendChild(relationItem(e, true)); });
      ins.forEach(function (e) { ul.appendChild(relationItem(e, false)); });
      panel.appendChild(ul);
    }
    if (d.identifiers.length) {
      panel.appendChild(el("h3", null, "Cross-references"));
      var xl = el("ul", "mskg-xrefs");
      d.identifiers.forEach(function (x) {
        var li = el("li");
        li.appendChild(linkOrText(x.iri, x.label));
        if (x.relation && x.relation !== "skos:exactMatch") { li.appendChild(el("span", "mskg-iri", " " + x.relation)); }
        xl.appendChild(li);
      });
      panel.appendChild(xl);
    }
    if (d.sources.length) {
      panel.appendChild(el("h3", null, "Sources"));
      panel.appendChild(sourcesList(d.sources));
    }
  }

  function showEdge(eid) {
    var d = edgeDetails[eid];
    var e = edges.get(eid);
    if (!d || !e) { return; }
    clear(panel);
    panel.setAttribute("data-edge", eid);
    panel.removeAttribute("data-node");
    var head = el("h2", null, d.label);
    panel.appendChild(head);
    var line = el("div", "mskg-rel");
    line.appendChild(nodeButton(e.from));
    line.appendChild(el("span", null, " → "));
    line.appendChild(nodeButton(e.to));
    panel.appendChild(line);
    var rows = [];
    if (d.severity) { rows.push(["severity", "", [d.severity]]); }
    if (d.potentially_fatal) { rows.push(["potentially fatal", "", ["yes"]]); }
    if (d.frequency) { rows.push(["frequency", "", [d.frequency]]); }
    rows = rows.concat(d.properties);
    if (rows.length) { panel.appendChild(definitionList(rows)); }
    var pred = el("div", "mskg-iri");
    pred.appendChild(linkOrText(d.predicate, d.predicate));
    panel.appendChild(pred);
    if (d.sources.length) {
      panel.appendChild(el("h3", null, "Sources"));
      panel.appendChild(sourcesList(d.sources));
    }
  }

  function selectNode(id) {
    if (!details[id]) { return; }
    var n = nodes.get(id);
    if (n && n.hidden) {
      // Searching for a filtered-out node shows its class again.
      var box = classBox.querySelector("input[data-class='" + CSS.escape(n.cls) + "']");
      if (box) { box.checked = true; }
      delete hiddenClasses[n.cls];
      applyFilters();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 350 } });
    showNode(id);
  }
  window.mskgSelect = selectNode;

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  // ---- search -------------------------------------------------------------------------------
  var search = document.getElementById("mskg-search");
  var results = document.getElementById("mskg-results");
  var current = [];

  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    data.nodes.forEach(function (n) {
      var text = details[n.id].search;
      var at = text.indexOf(q);
      if (at >= 0) {
        var label = n.label.toLowerCase();
        var rank = label === q ? 0 : label.indexOf(q) === 0 ? 1 : text.indexOf("| " + q) >= 0 || at === 0 ? 2 : 3;
        found.push([rank, n.label.length, n.label, n.id]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0); });
    return found.slice(0, 15).map(function (f) { return f[3]; });
  }

  function showResults() {
    current = matches(search.value);
    clear(results);
    if (!search.value.trim()) { results.hidden = true; return; }
    if (!current.length) {
      results.appendChild(el("li", "mskg-none", "no match"));
    }
    current.forEach(function (id, i) {
      var li = el("li", i === 0 ? "active" : "");
      li.setAttribute("data-node", id);
      var g = groupsByKey[clsOf[id]];
      if (g) { li.appendChild(swatch(g.shape, g.color, 12)); }
      li.appendChild(el("span", null, labelOf[id]));
      li.appendChild(el("span", "mskg-cls", g ? g.label : ""));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(id); });
      results.appendChild(li);
    });
    results.hidden = false;
  }

  function choose(id) {
    results.hidden = true;
    search.value = labelOf[id];
    selectNode(id);
  }

  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      current = matches(search.value);
      if (current.length) { choose(current[0]); }
    } else if (ev.key === "Escape") {
      results.hidden = true;
    }
  });
  search.addEventListener("blur", function () { results.hidden = true; });
})();
