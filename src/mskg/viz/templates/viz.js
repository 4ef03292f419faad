/* mskg viz: the page script. Every text from the graph goes into the DOM with textContent,
   never innerHTML; links are made only for http(s) URLs. The globals network, nodes and edges
   are kept (as in pyvis pages) so scripts and tests can drive the page. */
var network = null;
var nodes = null;
var edges = null;
var mskgData = null;
var mskgReady = false;
// readyMs: when the page became usable; iterations: physics steps the layout took;
// converged: whether it came to rest before the step limit; empty: nothing to draw. Once labels
// are placed for a view: labelsPlacedFor (that view), nodeLabels and edgeLabels (how many drawn).
var mskgStats = { readyMs: null, iterations: 0, converged: null, empty: false };

(function () {
  "use strict";

  mskgData = JSON.parse(document.getElementById("mskg-data").textContent);
  var data = mskgData;
  var large = data.large;
  var details = data.details;
  var edgeDetails = data.edge_details;
  var sourceTable = data.sources;
  var relations = data.relations;
  var groupsByKey = {};
  data.groups.forEach(function (g) { groupsByKey[g.key] = g; });
  var TREATMENTS = { dmt: true, relapse: true, treatment: true };

  // Labels stay readable at any zoom: never drawn smaller than these sizes on screen (px)...
  var MIN_LABEL_PX = 11;
  var MIN_TREATMENT_PX = 14;
  var MIN_EDGE_LABEL_PX = 11;
  // ...from these sizes in graph units at zoom 1.
  var LABEL_SIZE = 14;
  var TREATMENT_SIZE = 20;
  var EDGE_LABEL_SIZE = 12;
  // Zoomed in this far, every edge in view shows its relation where there is room; before
  // that, only the edges of the selected or hovered node do.
  var ALL_EDGE_LABELS_SCALE = 0.9;
  var LABEL_COLOR = "#1a1a1a";
  var TREATMENT_COLOR = "#0b2a5b";
  // Outside a highlighted neighbourhood, nodes stay as faint shapes without their labels.
  var DIM_FONT = { color: "rgba(0,0,0,0)", strokeColor: "rgba(0,0,0,0)" };

  var labelOf = {};
  var clsOf = {};
  // Source layers (the article, the labels...): a node's or an edge's layers are an index into
  // layerSets, lists of indexes into layers; 0 is [], "other sources".
  var layers = data.layers || [];
  var layerSets = data.layer_sets || [[]];
  var layerSetOf = {};
  data.nodes.forEach(function (n) { labelOf[n.id] = n.label; clsOf[n.id] = n.cls; layerSetOf[n.id] = n.layers || 0; });

  // Edges arrive as [from, to, relation, severity, fatal, layer set] (indexes; the layer set
  // only when it is not 0); expand them.
  var edgeList = data.edges.map(function (e, i) {
    var rel = relations[e[2]];
    return {
      id: "e" + i,
      from: data.nodes[e[0]].id,
      to: data.nodes[e[1]].id,
      rel: rel.iri,
      relLabel: rel.label,
      severity: data.severities[e[3]] || "",
      fatal: e[4] === 1,
      layerSet: e[5] || 0
    };
  });
  var edgeById = {};
  var outEdges = {};
  var inEdges = {};
  edgeList.forEach(function (e) {
    edgeById[e.id] = e;
    (outEdges[e.from] = outEdges[e.from] || []).push(e);
    (inEdges[e.to] = inEdges[e.to] || []).push(e);
  });
  var SVGNS = "http://www.w3.org/2000/svg";

  function layerKeys(set) { return (layerSets[set] || []).map(function (i) { return layers[i].key; }); }

  // "article + label", or "other sources" for none.
  function layerText(set) { var keys = layerKeys(set); return keys.length ? keys.join(" + ") : "other sources"; }

  // How an edge's layers draw it: one layer other than the base alone gives it its dashes;
  // two or more, a halo; the base alone, or none, nothing.
  function layerLook(set) {
    var members = layerSets[set] || [];
    if (members.length === 1 && !layers[members[0]].base) { return { dashes: layers[members[0]].dashes, halo: false }; }
    return { dashes: false, halo: members.length > 1 };
  }

  // A node that only layers other than the base give (a label's boxed warning).
  function layerOnly(id) {
    var members = layerSets[layerSetOf[id]] || [];
    return members.length > 0 && !members.some(function (i) { return layers[i].base; });
  }

  function nodeInfo(id) {
    var d = details[id] || {};
    return {
      iri: d.iri || id,
      "class": d["class"] || "",
      definition: d.definition || "",
      alt_labels: d.alt_labels || [],
      properties: d.properties || [],
      parts: d.parts || [],
      dosing: d.dosing || [],
      identifiers: d.identifiers || [],
      sources: (d.sources || []).map(function (i) { return sourceTable[i]; }),
      layers: layerKeys(layerSetOf[id])
    };
  }

  function edgeInfo(e) {
    var d = edgeDetails[e.id] || {};
    return {
      label: e.relLabel,
      predicate: e.rel,
      severity: e.severity,
      potentially_fatal: e.fatal,
      frequency: d.frequency || "",
      properties: d.properties || [],
      sources: (d.sources || []).map(function (i) { return sourceTable[i]; }),
      layers: layerKeys(e.layerSet)
    };
  }

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

  function swatch(shape, color, border, size) {
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
    shapeEl.setAttribute("stroke", border || "#2b2b2b");
    shapeEl.setAttribute("stroke-width", "1.5");
    svg.appendChild(shapeEl);
    return svg;
  }

  function lineSwatch(color, width, dashes, halo) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", 34); svg.setAttribute("height", 12);
    svg.setAttribute("class", "mskg-swatch");
    [halo ? [halo.color, Math.min(10, halo.size), false] : null, [color, width, dashes]].forEach(function (spec) {
      if (!spec) { return; }
      var line = document.createElementNS(SVGNS, "line");
      line.setAttribute("x1", 1); line.setAttribute("y1", 6); line.setAttribute("x2", 33); line.setAttribute("y2", 6);
      line.setAttribute("stroke", spec[0]);
      line.setAttribute("stroke-width", spec[1]);
      if (spec[2]) { line.setAttribute("stroke-dasharray", spec[2].join(" ")); }
      svg.appendChild(line);
    });
    return svg;
  }

  function groupSwatch(key, size) {
    var g = groupsByKey[key];
    return g ? swatch(g.shape, g.color, g.border, size) : null;
  }

  function nodeTooltip(n) {
    var d = nodeInfo(n.id);
    var tip = el("div", "mskg-tip");
    tip.appendChild(el("b", null, n.label));
    var g = groupsByKey[n.cls];
    tip.appendChild(el("span", "mskg-tip-class", d["class"] || (g ? g.label : "")));
    if (d.definition) {
      var text = d.definition.length > 280 ? d.definition.slice(0, 277) + "…" : d.definition;
      tip.appendChild(el("div", null, text));
    }
    if (d.layers.length) { tip.appendChild(el("div", "mskg-tip-layers", "from: " + d.layers.join(" + "))); }
    return tip;
  }

  function nodeTooltipText(n) {
    var d = details[n.id] || {};
    var g = groupsByKey[n.cls];
    var text = n.label + "\n" + (d["class"] || (g ? g.label : ""));
    if (d.definition) { text += "\n" + (d.definition.length > 280 ? d.definition.slice(0, 277) + "…" : d.definition); }
    if (layerSetOf[n.id]) { text += "\nfrom: " + layerText(layerSetOf[n.id]); }
    return text;
  }

  function edgeTooltip(e) {
    var d = edgeInfo(e);
    var tip = el("div", "mskg-tip");
    tip.appendChild(el("b", null, (labelOf[e.from] || e.from) + " → " + (labelOf[e.to] || e.to)));
    var line = el("div", null, d.label);
    if (d.severity) { line.appendChild(el("span", "mskg-badge " + d.severity, d.severity)); }
    if (d.potentially_fatal) { line.appendChild(el("span", "mskg-badge fatal", "can be fatal")); }
    if (d.frequency) { line.appendChild(el("span", "mskg-badge", d.frequency)); }
    tip.appendChild(line);
    if (layers.length) { tip.appendChild(el("div", "mskg-tip-layers", "from: " + layerText(e.layerSet))); }
    return tip;
  }

  function edgeStyle(e) {
    var style = data.edge_styles[e.severity || "other"];
    var look = layerLook(e.layerSet);
    return {
      width: style.width + (e.fatal ? data.fatal_extra_width : 0),
      dashes: look.dashes || style.dashes,
      color: style.color,
      halo: look.halo
    };
  }

  function edgeColor(e, dim) {
    var c = edgeStyle(e).color;
    return { color: c, highlight: c, hover: c, opacity: dim ? 0.12 : 0.9 };
  }

  // The halo of an edge that several layers give; gone while the edge is dimmed.
  function edgeHalo(e, dim) {
    var halo = data.several_layers_halo;
    return { enabled: !dim, color: halo.color, size: halo.size, dashes: false };
  }

  // ---- the network ------------------------------------------------------------------------
  // Treatments last: vis-network draws nodes in order, so their labels end up on top.
  var drawOrder = data.nodes.filter(function (n) { return !TREATMENTS[n.cls]; })
    .concat(data.nodes.filter(function (n) { return TREATMENTS[n.cls]; }));
  var degree = {};
  edgeList.forEach(function (e) {
    degree[e.from] = (degree[e.from] || 0) + 1;
    degree[e.to] = (degree[e.to] || 0) + 1;
  });
  nodes = new vis.DataSet(drawOrder.map(function (n) {
    // Large graphs: plain-text tooltips (vis-network sets them as innerText), far cheaper than
    // thousands of elements made up front.
    var item = { id: n.id, label: n.label, cls: n.cls, group: n.cls, size: n.size, title: large ? nodeTooltipText(n) : nodeTooltip(n) };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    // Heavier nodes push harder: hubs and treatments get room for their many edges and labels.
    else { item.mass = 1 + Math.min(3, (degree[n.id] || 0) / 6) + (TREATMENTS[n.cls] ? 1 : 0); }
    if (layerOnly(n.id)) {
      // A dashed grey outline, which reads on dark fills as on light ones. A node's own colour
      // replaces its group's whole colour in vis-network, so the fill is given again.
      var outline = data.layer_only_border;
      var g = groupsByKey[n.cls];
      item.shapeProperties = { borderDashes: outline.dashes };
      item.borderWidth = outline.width;
      if (g) {
        item.color = {
          background: g.color, border: outline.color,
          highlight: { background: g.color, border: "#000000" },
          hover: { background: g.color, border: "#000000" }
        };
      }
    }
    return item;
  }));
  var parallel = {};
  edges = new vis.DataSet(edgeList.map(function (e) {
    var style = edgeStyle(e);
    var item = {
      id: e.id, from: e.from, to: e.to, rel: e.rel, severity: e.severity,
      width: style.width, dashes: style.dashes, color: edgeColor(e, false)
    };
    if (style.halo) { item.background = edgeHalo(e, false); }
    // Springs between two well-connected nodes (a drug and the disease it treats) are longer,
    // so the hubs do not pile up in the middle with all their labels.
    var hub = Math.min(degree[e.from], degree[e.to]) - 1;
    if (!large && hub > 0) { item.length = Math.round(200 + 30 * Math.sqrt(hub)); }
    // Several relations between the same two nodes: bend them apart instead of drawing one
    // over the other.
    var pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
    var nth = parallel[pair] = (parallel[pair] || 0) + 1;
    if (nth > 1) {
      var clockwise = (nth % 2 === 0) === (e.from < e.to);
      item.smooth = { enabled: true, type: clockwise ? "curvedCW" : "curvedCCW", roundness: 0.15 * Math.ceil((nth - 1) / 2) + 0.1 };
    }
    if (!large) { item.title = edgeTooltip(e); }
    return item;
  }));

  function groupOptions(treatmentSize) {
    var out = {};
    data.groups.forEach(function (g) {
      out[g.key] = {
        shape: g.shape,
        color: {
          background: g.color, border: g.border,
          highlight: { background: g.color, border: "#000000" },
          hover: { background: g.color, border: "#000000" }
        }
      };
      if (TREATMENTS[g.key]) { out[g.key].font = { size: treatmentSize, color: TREATMENT_COLOR }; }
    });
    return out;
  }

  var empty = data.nodes.length === 0;
  var options = {
    autoResize: true,
    groups: groupOptions(large ? 15 : TREATMENT_SIZE),
    nodes: {
      borderWidth: 1.5,
      borderWidthSelected: 3,
      font: { size: large ? 11 : LABEL_SIZE, face: "system-ui, sans-serif", color: LABEL_COLOR, strokeWidth: 4, strokeColor: "#ffffff" },
      // Long labels wrap instead of running over their neighbours.
      widthConstraint: large ? false : { maximum: 170 },
      // Large graphs: labels appear once zoomed in far enough to read them.
      scaling: { label: { drawThreshold: large ? 9 : 5 } }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.2 },
      font: { size: EDGE_LABEL_SIZE, align: "horizontal", face: "system-ui, sans-serif", color: "#333333", strokeWidth: 0, background: "rgba(255,255,255,0.88)" },
      selectionWidth: 1.5,
      hoverWidth: 0.8,
      chosen: { label: false, edge: true }
    },
    // improvedLayout (Kamada-Kawai on clusters) is slow and logs warnings on graphs of more
    // than about a hundred nodes; forceAtlas2 settles them well from the seeded random start.
    layout: { randomSeed: data.seed, improvedLayout: data.nodes.length <= 100 },
    interaction: { hover: !large, tooltipDelay: 300, hideEdgesOnDrag: large, hideEdgesOnZoom: large, keyboard: false },
    physics: large || empty ? { enabled: false } : {
      enabled: true,
      solver: "forceAtlas2Based",
      // Up to 150 nodes: long springs, and nodes kept apart. Above (the curated graph with its
      // label layer has 260), those forces take thousands of steps to settle, or never do:
      // shorter, stiffer springs, a stronger pull to the centre and more damping settle them
      // in a few hundred (seeded, so the same every time).
      forceAtlas2Based: data.nodes.length <= 150
        ? { gravitationalConstant: -150, centralGravity: 0.012, springLength: 200, springConstant: 0.05, damping: 0.6, avoidOverlap: 0.9 }
        : { gravitationalConstant: -80, centralGravity: 0.05, springLength: 100, springConstant: 0.1, damping: 0.9, avoidOverlap: 0 },
      maxVelocity: 80,
      minVelocity: 2.5,
      timestep: 0.5,
      stabilization: { enabled: true, iterations: 1500, updateInterval: 25, fit: true }
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
    if (!empty) { loading.classList.add("done"); }
  }

  network = new vis.Network(document.getElementById("mynetwork"), { nodes: nodes, edges: edges }, options);

  // ---- label sizes --------------------------------------------------------------------------
  var labelScale = null;

  function applyScale() {
    if (large || empty) { refreshEdgeLabels(); return; }
    var scale = network.getScale();
    var sizes = [
      Math.max(LABEL_SIZE, MIN_LABEL_PX / scale),
      Math.max(TREATMENT_SIZE, MIN_TREATMENT_PX / scale),
      Math.max(EDGE_LABEL_SIZE, MIN_EDGE_LABEL_PX / scale)
    ].map(function (s) { return Math.round(s * 10) / 10; });
    var key = sizes.join(",");
    edgeFontSize = sizes[2];
    if (key !== labelScale) {
      labelScale = key;
      var wrapAt = Math.round(Math.max(170, 110 / scale));
      network.setOptions({
        // Wrap long labels at about 110 px on screen.
        nodes: { font: { size: sizes[0] }, widthConstraint: { maximum: wrapAt } },
        groups: groupOptions(sizes[1])
      });
      widenForLongWords(wrapAt, sizes);
      // Node labels have new sizes once drawn: place edge labels around them then.
      network.once("afterDrawing", refreshEdgeLabels);
      network.redraw();
      return;
    }
    refreshEdgeLabels();
  }

  // vis-network wraps a label inside a word that is wider than the wrapping width
  // ("leukoencephalopath" / "y"): a node with such a word gets a wrapping width of its own, its
  // widest word (measured bold, as a selected node's label is drawn), so words are never split.
  var wordMeasure = document.createElement("canvas").getContext("2d");
  var ownWidth = {};

  function widestWord(text, size) {
    wordMeasure.font = "bold " + size + "px system-ui, sans-serif";
    return String(text).split(/\s+/).reduce(function (w, word) {
      return Math.max(w, wordMeasure.measureText(word).width);
    }, 0);
  }

  function widenForLongWords(wrapAt, sizes) {
    var updates = [];
    data.nodes.forEach(function (n) {
      var need = Math.ceil(widestWord(n.label, TREATMENTS[n.cls] ? sizes[1] : sizes[0]) * 1.05) + 8;
      if (need > wrapAt || ownWidth[n.id]) {
        ownWidth[n.id] = Math.max(need, wrapAt);
        updates.push({ id: n.id, widthConstraint: { maximum: ownWidth[n.id] } });
      }
    });
    if (updates.length) { nodes.update(updates); }
  }

  // ---- edge labels and the highlighted neighbourhood -----------------------------------------
  var selectedNode = null;
  var selectedEdge = null;
  var hoveredNode = null;
  var labelled = {};
  var dimmed = { nodes: {}, edges: {} };

  function incident(id) { return (outEdges[id] || []).concat(inEdges[id] || []); }

  // Which edges show their relation: those of the selected and the hovered node (or the
  // selected edge), and, zoomed in, every edge in view. A label is drawn only where it covers
  // no other edge label, node or node label; the rest stay in the tooltips and the details.
  var measure = document.createElement("canvas").getContext("2d");
  var edgeFontSize = EDGE_LABEL_SIZE;

  function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

  function shown(e) {
    var item = edges.get(e.id);
    var a = nodes.get(e.from);
    var b = nodes.get(e.to);
    return item && !item.hidden && a && !a.hidden && b && !b.hidden;
  }

  function edgeLabelBox(e) {
    var body = network.body.edges[e.id];
    var point = null;
    if (body && body.edgeType && body.edgeType.getPoint) {
      try { point = body.edgeType.getPoint(0.5); } catch (err) { point = null; }
    }
    if (!point) {
      var p = network.getPositions([e.from, e.to]);
      point = { x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2 };
    }
    measure.font = edgeFontSize + "px system-ui, sans-serif";
    var w = measure.measureText(e.relLabel).width + 0.4 * edgeFontSize;
    var h = edgeFontSize * 1.3;
    return { x1: point.x - w / 2, x2: point.x + w / 2, y1: point.y - h / 2, y2: point.y + h / 2 };
  }

  // Where vis-network drew a node's label (canvas coordinates), or null.
  function nodeLabelBox(body) {
    var size = body.labelModule && body.labelModule.size;
    if (!size || !(size.width > 0) || !body.labelModule.elementOptions.label) { return null; }
    return { x1: size.left, x2: size.left + size.width, y1: size.top, y2: size.top + size.height };
  }

  // What an edge label must not cover: every node in full colour (not the faint ones dimmed
  // outside a highlighted neighbourhood), and the node labels that are drawn.
  function nodeBoxes() {
    var boxes = [];
    nodes.forEach(function (n) {
      if (n.hidden || dimmed.nodes[n.id]) { return; }
      var body = network.body.nodes[n.id];
      if (!body) { return; }
      var r = (body.options && body.options.size) || 10;
      boxes.push({ x1: body.x - r, x2: body.x + r, y1: body.y - r, y2: body.y + r });
      var label = labelLeftOut[n.id] ? null : nodeLabelBox(body);
      if (label) { boxes.push(label); }
    });
    return boxes;
  }

  // Node labels never cover one another either. Zoomed out, labels keep their 11 px on screen,
  // so the whole graph has room for only some of them: the selected node's first (or the
  // selected edge's ends), then the treatments', then the best-connected nodes'; a label with no
  // room is left out (drawn transparent, as a dimmed node's) until zooming in makes room, and
  // the node's tooltip, the search and the details still name it. Only the labels in view are
  // placed: vis-network measures a label when it draws it, and it draws only what is in view.
  var labelLeftOut = {};
  var labelOrder = data.nodes.map(function (n) { return n.id; }).sort(function (a, b) {
    return (TREATMENTS[clsOf[b]] ? 1 : 0) - (TREATMENTS[clsOf[a]] ? 1 : 0) ||
      (degree[b] || 0) - (degree[a] || 0) || (a < b ? -1 : a > b ? 1 : 0);
  });

  function placeNodeLabels() {
    if (large || empty) { return; }
    var box = document.getElementById("mynetwork").getBoundingClientRect();
    var tl = network.DOMtoCanvas({ x: -20, y: -20 });
    var br = network.DOMtoCanvas({ x: box.width + 20, y: box.height + 20 });
    var view = { x1: tl.x, y1: tl.y, x2: br.x, y2: br.y };
    var first = [];
    if (selectedNode !== null) { first.push(selectedNode); }
    if (selectedEdge !== null) { first.push(edgeById[selectedEdge].from, edgeById[selectedEdge].to); }
    var placed = [];
    var done = {};
    var updates = [];
    // Labels out of view keep their state until they come into view and are placed.
    first.concat(labelOrder).forEach(function (id) {
      if (done[id]) { return; }
      done[id] = true;
      var n = nodes.get(id);
      var body = network.body.nodes[id];
      if (!n || n.hidden || dimmed.nodes[id] || !body) { return; }
      var label = nodeLabelBox(body);
      if (!label || !overlaps(label, view)) { return; }
      var out = placed.some(function (b) { return overlaps(label, b); });
      if (!out) { placed.push(label); }
      if (out !== !!labelLeftOut[id]) {
        if (out) { labelLeftOut[id] = true; } else { delete labelLeftOut[id]; }
        updates.push({ id: id, font: out ? DIM_FONT : normalFont(id) });
      }
    });
    if (updates.length) { nodes.update(updates); }
    mskgStats.nodeLabels = placed.length;  // labels drawn in view
  }

  function severityRank(e) { return e.severity === "serious" ? (e.fatal ? 0 : 1) : e.severity === "common" ? 2 : 3; }

  function refreshEdgeLabels() {
    placeNodeLabels();
    var want = {};
    if (!empty) {
      var first = {};
      [selectedNode, hoveredNode].forEach(function (id) {
        if (id !== null) { incident(id).forEach(function (e) { first[e.id] = true; }); }
      });
      if (selectedEdge !== null) { first[selectedEdge] = true; }
      // Hidden edges, and those of hidden nodes (which have no position), are never labelled.
      var candidates = edgeList.filter(function (e) { return first[e.id] && shown(e); });
      if (!large && network.getScale() >= ALL_EDGE_LABELS_SCALE) {
        var box = document.getElementById("mynetwork").getBoundingClientRect();
        var tl = network.DOMtoCanvas({ x: 0, y: 0 });
        var br = network.DOMtoCanvas({ x: box.width, y: box.height });
        var view = { x1: tl.x, y1: tl.y, x2: br.x, y2: br.y };
        var positions = network.getPositions();
        edgeList.forEach(function (e) {
          if (first[e.id]) { return; }
          var a = positions[e.from], b = positions[e.to];
          if (!a || !b) { return; }
          var mid = { x1: (a.x + b.x) / 2, x2: (a.x + b.x) / 2, y1: (a.y + b.y) / 2, y2: (a.y + b.y) / 2 };
          if (overlaps(mid, view) && !dimmed.edges[e.id]) { candidates.push(e); }
        });
      }
      var scale = network.getScale();
      var placed = candidates.length ? nodeBoxes() : [];
      var pos = network.getPositions(candidates.reduce(function (acc, e) { acc.push(e.from, e.to); return acc; }, []));
      candidates.map(function (e) {
        var a = pos[e.from], b = pos[e.to];
        return [first[e.id] ? 0 : 1, severityRank(e), -Math.hypot(a.x - b.x, a.y - b.y) * scale, e.id, e];
      }).sort(function (x, y) {
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || (x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0);
      }).forEach(function (row) {
        var e = row[4];
        if (!shown(e)) { return; }
        var lb = edgeLabelBox(e);
        if (placed.some(function (b) { return overlaps(lb, b); })) { return; }
        placed.push(lb);
        want[e.id] = true;
      });
    }
    // vis-network 9.1.2 keeps drawing an edge's old label when it is set to "" (or null), so a
    // label is hidden by giving it a font too small to draw, and shown at the current size.
    var updates = [];
    Object.keys(labelled).forEach(function (id) {
      if (!want[id]) { updates.push({ id: id, font: { size: 0 } }); delete labelled[id]; }
    });
    Object.keys(want).forEach(function (id) {
      if (labelled[id] !== edgeFontSize) {
        updates.push({ id: id, label: edgeById[id].relLabel, font: { size: edgeFontSize } });
        labelled[id] = edgeFontSize;
      }
    });
    if (updates.length) { edges.update(updates); }
    mskgStats.edgeLabels = Object.keys(labelled).length;
    mskgStats.labelsPlacedFor = viewKey();  // tests wait for this, not for a fixed time
  }

  function viewKey() {
    var at = network.getViewPosition();
    return network.getScale() + ":" + Math.round(at.x) + ":" + Math.round(at.y);
  }

  function normalFont(id) {
    return { color: TREATMENTS[clsOf[id]] ? TREATMENT_COLOR : LABEL_COLOR, strokeColor: "#ffffff" };
  }

  // Highlight a node (or an edge's two ends) with its neighbours; dim everything else.
  function highlight(nodeIds, edgeIds) {
    var keepNodes = {};
    var keepEdges = {};
    nodeIds.forEach(function (id) {
      keepNodes[id] = true;
      incident(id).forEach(function (e) {
        keepEdges[e.id] = true;
        keepNodes[e.from] = true;
        keepNodes[e.to] = true;
      });
    });
    (edgeIds || []).forEach(function (id) { keepEdges[id] = true; });
    var active = nodeIds.length > 0;
    var nodeUpdates = [];
    data.nodes.forEach(function (n) {
      var dim = active && !keepNodes[n.id];
      if (dim !== !!dimmed.nodes[n.id]) {
        if (dim) { dimmed.nodes[n.id] = true; } else { delete dimmed.nodes[n.id]; }
        nodeUpdates.push({ id: n.id, opacity: dim ? 0.2 : 1, font: dim || labelLeftOut[n.id] ? DIM_FONT : normalFont(n.id) });
      }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    var edgeUpdates = [];
    edgeList.forEach(function (e) {
      var dim = active && !keepEdges[e.id];
      if (dim !== !!dimmed.edges[e.id]) {
        if (dim) { dimmed.edges[e.id] = true; } else { delete dimmed.edges[e.id]; }
        var update = { id: e.id, color: edgeColor(e, dim) };
        if (edgeStyle(e).halo) { update.background = edgeHalo(e, dim); }
        edgeUpdates.push(update);
      }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
  }

  function clearSelection() {
    selectedNode = null;
    selectedEdge = null;
    network.unselectAll();
    highlight([]);
    refreshEdgeLabels();
    showHint();
  }

  // ---- layout, then ready ---------------------------------------------------------------------
  // The layout is final: show it whole (or, on a --focus page, beside the focus node's details)
  // and be ready once that is drawn.
  function settled() {
    var focus = data.focus && details[data.focus] !== undefined;
    if (large && !focus) {
      ready();  // the first drawing, just done, is already the whole graph
      applyScale();
      return;
    }
    network.fit();
    if (focus) {
      selectNode(data.focus, { zoom: false, dim: false });
      frameNodes(data.nodes.map(function (n) { return n.id; }), true, false);
    }
    applyScale();
    network.once("afterDrawing", ready);
    network.redraw();
  }

  if (empty) {
    // vis-network never reports a stabilised layout for an empty graph: say so and be ready.
    mskgStats.empty = true;
    loading.classList.add("empty");
    loadingText.textContent = "Nothing to draw: no nodes were selected (check the query, --focus or --types).";
    ready();
  } else if (large) {
    network.once("afterDrawing", function () { settled(); });
  } else {
    network.on("stabilizationProgress", function (p) {
      mskgStats.iterations = p.iterations;
      loadingText.textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      mskgStats.iterations = network.physics.stabilizationIterations;
      mskgStats.converged = network.physics.stabilized === true;
      // Freeze the settled layout: nodes stay where they are unless physics is turned back on.
      network.setOptions({ physics: { enabled: false } });
      settled();
    });
  }
  physicsBox.checked = false;
  physicsBox.addEventListener("change", function () {
    network.setOptions({ physics: large ? { enabled: physicsBox.checked, stabilization: false } : { enabled: physicsBox.checked } });
  });
  document.getElementById("mskg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });
  // Whatever moved the view (the wheel, a drag, an animation, a script calling moveTo), labels
  // are resized and edge labels placed again once it has stopped moving.
  var lastView = null;
  var viewTimer = null;
  network.on("afterDrawing", function () {
    if (!mskgReady || empty) { return; }
    var view = viewKey();
    if (view === lastView) { return; }
    lastView = view;
    clearTimeout(viewTimer);
    viewTimer = setTimeout(applyScale, 80);
  });
  network.on("dragEnd", function () { refreshEdgeLabels(); });
  // Physics switched back on moves nodes: place the labels again once they are at rest.
  network.on("stabilized", function () { if (mskgReady) { refreshEdgeLabels(); } });
  // vis-network leaves a tooltip up when the pointer leaves the canvas over a node or edge.
  document.getElementById("mynetwork").addEventListener("mouseleave", function () {
    var popup = network.interactionHandler && network.interactionHandler.popup;
    if (popup && popup.hidden === false) { popup.hide(); }
  });

  // ---- filters ------------------------------------------------------------------------------
  var hiddenClasses = {};
  var hiddenRelations = {};
  var hiddenLayers = {};  // by index into layers

  // A layer switched off hides what only switched-off layers give: an edge none of whose
  // layers is on (edges of no layer, "other sources", always stay), and a node none of whose
  // edges stays (or, without edges, none of whose own layers is on).
  function layerSetShown(set) {
    var members = layerSets[set] || [];
    return !members.length || members.some(function (i) { return !hiddenLayers[i]; });
  }

  function hiddenByLayers(id) {
    var own = incident(id);
    if (own.length) { return !own.some(function (e) { return layerSetShown(e.layerSet); }); }
    return !layerSetShown(layerSetOf[id]);
  }

  function applyFilters() {
    var layersOff = Object.keys(hiddenLayers).length > 0;
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      var hide = !!hiddenClasses[n.cls] || (layersOff && hiddenByLayers(n.id));
      if (!!n.hidden !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = !!hiddenRelations[e.rel] || (layersOff && !layerSetShown(edgeById[e.id].layerSet));
      if (!!e.hidden !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    refreshEdgeLabels();
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
    return box;
  }

  var classBox = document.getElementById("mskg-classes");
  data.groups.forEach(function (g) {
    filterRow(classBox, g.key, g.label, g.count, groupSwatch(g.key), hiddenClasses, "class");
  });
  var relationBox = document.getElementById("mskg-relations");
  relations.forEach(function (r) {
    filterRow(relationBox, r.iri, r.label, r.count, null, hiddenRelations, "relation");
  });
  // One switch per source layer, each with the line its facts alone are drawn with; then the
  // legend of the layers' lines and of the outline of nodes that only other layers give.
  var layerSection = document.getElementById("mskg-layer-section");
  var layerBox = document.getElementById("mskg-layers");
  var layerLegend = document.getElementById("mskg-layer-legend");
  var plain = data.edge_styles.other;
  layerSection.hidden = layers.length === 0;
  layers.forEach(function (layer, i) {
    var box = filterRow(layerBox, String(i), layer.label, layer.edges,
      lineSwatch(plain.color, plain.width + 0.6, layer.dashes), hiddenLayers, "layer-index");
    box.setAttribute("data-layer", layer.key);
    if (layer.definition) { box.parentNode.title = layer.definition; }
  });

  function legendRow(container, graphic, text) {
    var line = el("div", "mskg-legend-row");
    line.appendChild(graphic);
    line.appendChild(el("span", null, text));
    container.appendChild(line);
  }

  layers.forEach(function (layer) {
    legendRow(layerLegend, lineSwatch(plain.color, plain.width + 0.6, layer.dashes), layer.key + " only");
  });
  if (layers.length > 1) {
    legendRow(layerLegend, lineSwatch(plain.color, plain.width + 0.6, false, data.several_layers_halo),
      layers.length === 2 ? layers[0].key + " and " + layers[1].key : "two or more layers");
  }
  if (layers.length) {
    legendRow(layerLegend, lineSwatch(plain.color, plain.width + 0.6, false), "other sources (always shown)");
  }
  var notBase = layers.filter(function (layer) { return !layer.base; }).map(function (layer) { return layer.key; });
  if (notBase.length) {
    var outline = swatch("dot", "#e8e8e8", data.layer_only_border.color);
    outline.firstChild.setAttribute("stroke-dasharray", "3.5 2.5");
    outline.firstChild.setAttribute("stroke-width", "2.2");
    legendRow(layerLegend, outline, "node from the " + notBase.join(" or ") + " only");
  }

  var edgeLegend = document.getElementById("mskg-edge-legend");
  var styles = data.edge_styles;
  [
    [styles.serious, 0, "serious adverse effect"],
    [styles.serious, data.fatal_extra_width, "serious, can be fatal"],
    [styles.common, 0, "common adverse effect"],
    [styles.other, 0, "other relation"]
  ].forEach(function (row) {
    var line = el("div", "mskg-legend-row");
    line.appendChild(lineSwatch(row[0].color, row[0].width + row[1], row[0].dashes));
    line.appendChild(el("span", null, row[2]));
    edgeLegend.appendChild(line);
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
  var hint = panel.firstElementChild ? panel.firstElementChild.cloneNode(true) : null;

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function showHint() {
    clear(panel);
    panel.removeAttribute("data-node");
    panel.removeAttribute("data-edge");
    panel.classList.remove("open");
    if (hint) { panel.appendChild(hint.cloneNode(true)); }
  }

  function openPanel() {
    clear(panel);
    panel.classList.add("open");
    var close = el("button", "mskg-close", "×");
    close.type = "button";
    close.title = "Close the details";
    close.setAttribute("aria-label", "Close the details");
    close.addEventListener("click", clearSelection);
    panel.appendChild(close);
  }

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

  function badges(parent, d) {
    if (d.severity) { parent.appendChild(el("span", "mskg-badge " + d.severity, d.severity)); }
    if (d.potentially_fatal) { parent.appendChild(el("span", "mskg-badge fatal", "can be fatal")); }
    if (d.frequency) { parent.appendChild(el("span", "mskg-badge", d.frequency)); }
  }

  function relationItem(e, outgoing) {
    var d = edgeInfo(e);
    var li = el("li", "mskg-rel");
    li.appendChild(el("span", null, (outgoing ? "" : "← ") + d.label + (outgoing ? " → " : " of ")));
    li.appendChild(nodeButton(outgoing ? e.to : e.from));
    badges(li, d);
    return li;
  }

  function showNode(id) {
    if (details[id] === undefined) { return; }
    var d = nodeInfo(id);
    openPanel();
    panel.setAttribute("data-node", id);
    panel.removeAttribute("data-edge");
    var g = groupsByKey[clsOf[id]];
    panel.appendChild(el("h2", "mskg-node-label", labelOf[id]));
    var cls = el("div", "mskg-class");
    var sw = groupSwatch(clsOf[id]);
    if (sw) { cls.appendChild(sw); }
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
        if (reg.properties && reg.properties.length) { box.appendChild(definitionList(reg.properties)); }
        (reg.parts || []).forEach(function (p) { box.appendChild(partBlock(p)); });
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
        li.appendChild(linkOrText(x.iri, x.label || x.iri));
        if (x.relation && x.relation !== "skos:exactMatch") { li.appendChild(el("span", "mskg-iri", " " + x.relation)); }
        xl.appendChild(li);
      });
      panel.appendChild(xl);
    }
    if (d.layers.length) {
      panel.appendChild(el("h3", null, "Source layers"));
      panel.appendChild(el("p", "mskg-layers", d.layers.join(" + ")));
    }
    if (d.sources.length) {
      panel.appendChild(el("h3", null, "Sources"));
      panel.appendChild(sourcesList(d.sources));
    }
  }

  function showEdge(eid) {
    var e = edgeById[eid];
    if (!e) { return; }
    var d = edgeInfo(e);
    openPanel();
    panel.setAttribute("data-edge", eid);
    panel.removeAttribute("data-node");
    panel.appendChild(el("h2", null, d.label));
    var line = el("div", "mskg-rel");
    line.appendChild(nodeButton(e.from));
    line.appendChild(el("span", null, " → "));
    line.appendChild(nodeButton(e.to));
    panel.appendChild(line);
    var rows = [];
    if (d.severity) { rows.push(["severity", "", [d.severity]]); }
    if (d.potentially_fatal) { rows.push(["potentially fatal", "", ["yes"]]); }
    if (d.frequency) { rows.push(["frequency", "", [d.frequency]]); }
    if (layers.length) { rows.push(["source layers", "", [layerText(e.layerSet)]]); }
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

  // Select a node: its neighbourhood highlighted, its relations labelled, its details shown.
  // options.zoom (default true) also brings it into view.
  function selectNode(id, opts) {
    if (details[id] === undefined) { return; }
    var n = nodes.get(id);
    if (n && n.hidden) {
      // Searching for a filtered-out node shows its class again, and its layers.
      var box = classBox.querySelector("input[data-class='" + CSS.escape(n.cls) + "']");
      if (box) { box.checked = true; }
      delete hiddenClasses[n.cls];
      if (hiddenByLayers(id)) {
        var sets = [layerSetOf[id]].concat(incident(id).map(function (e) { return e.layerSet; }));
        sets.forEach(function (set) {
          (layerSets[set] || []).forEach(function (i) {
            delete hiddenLayers[i];
            var layerInput = layerBox.querySelector("input[data-layer-index='" + i + "']");
            if (layerInput) { layerInput.checked = true; }
          });
        });
      }
      applyFilters();
    }
    selectedNode = id;
    selectedEdge = null;
    network.selectNodes([id]);
    // A --focus page draws the focus node's whole neighbourhood (two hops and more): none of
    // it is dimmed, so every node of it keeps its label.
    highlight(opts && opts.dim === false ? [] : [id]);
    refreshEdgeLabels();
    // A selected node's label is drawn bold, so a little wider: place the labels again then.
    network.once("afterDrawing", refreshEdgeLabels);
    showNode(id);
    if (!opts || opts.zoom !== false) {
      showNeighbourhood(id);
    }
  }
  window.mskgSelect = selectNode;

  // Bring nodes into view, in the part of the canvas the details panel leaves free; zoom in
  // (never out, unless zoomOut) so their labels and the relations' labels have room.
  function frameNodes(ids, zoomOut, animate) {
    var visible = ids.filter(function (v) { var n = nodes.get(v); return n && !n.hidden; });
    if (!visible.length) { return; }
    var positions = network.getPositions(visible);
    var xs = [], ys = [];
    visible.forEach(function (v) { xs.push(positions[v].x); ys.push(positions[v].y); });
    var box = document.getElementById("mynetwork").getBoundingClientRect();
    var covered = panel.classList.contains("open") ? panel.getBoundingClientRect().width : 0;
    var free = Math.max(200, box.width - covered);
    var margin = 90;  // px on screen, for the labels of the outermost nodes
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var scale = Math.min(
      Math.max(100, free - 2 * margin) / Math.max(1, maxX - minX),
      Math.max(100, box.height - 2 * margin) / Math.max(1, maxY - minY),
      large ? 1.5 : 1.2
    );
    if (!zoomOut) { scale = Math.max(scale, network.getScale()); }
    network.moveTo({
      position: { x: (minX + maxX) / 2 + covered / 2 / scale, y: (minY + maxY) / 2 },
      scale: scale,
      animation: animate ? { duration: 400, easingFunction: "easeInOutQuad" } : false
    });
  }

  function showNeighbourhood(id) {
    var ids = [id];
    incident(id).forEach(function (e) { ids.push(e.from === id ? e.to : e.from); });
    frameNodes(ids, false, true);
  }

  window.mskgClearSelection = clearSelection;

  function selectEdge(eid) {
    var e = edgeById[eid];
    if (!e) { return; }
    selectedNode = null;
    selectedEdge = eid;
    highlight([e.from, e.to].filter(function (v, i, a) { return a.indexOf(v) === i; }), [eid]);
    refreshEdgeLabels();
    showEdge(eid);
  }

  network.on("click", function (params) {
    if (params.nodes.length) { selectNode(params.nodes[0]); }
    else if (params.edges.length) { selectEdge(params.edges[0]); }
    else { clearSelection(); }
  });
  network.on("hoverNode", function (params) { hoveredNode = params.node; refreshEdgeLabels(); });
  network.on("blurNode", function () { hoveredNode = null; refreshEdgeLabels(); });

  // ---- search -------------------------------------------------------------------------------
  var search = document.getElementById("mskg-search");
  var results = document.getElementById("mskg-results");
  var current = [];
  var NAME_PROPERTIES = { "schema:proprietaryName": true, "schema:nonProprietaryName": true, "schema:name": true };
  var searchText = null;

  function buildSearchText() {
    searchText = {};
    data.nodes.forEach(function (n) {
      var d = details[n.id] || {};
      var words = [n.label].concat(d.alt_labels || []);
      (d.properties || []).forEach(function (row) {
        if (NAME_PROPERTIES[row[1]]) { words = words.concat(row[2]); }
      });
      words.push(n.id.split("/").pop(), n.id);
      searchText[n.id] = words.join(" | ").toLowerCase();
    });
  }

  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    if (searchText === null) { buildSearchText(); }
    var found = [];
    data.nodes.forEach(function (n) {
      var text = searchText[n.id];
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
      var sw = groupSwatch(clsOf[id], 12);
      if (sw) { li.appendChild(sw); }
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
    // A node chosen from another view is shown where it is drawn: in the network.
    if (window.mskgShowView) { window.mskgShowView("graph"); }
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
