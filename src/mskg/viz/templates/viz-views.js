/* mskg viz: the views beside the network, as tabs: the effect matrix and the dosing timeline
   (their data: mskg.viz.views). The URL's hash picks the view (#matrix, #timeline; the network
   otherwise), so a view can be linked. Graph text goes into the DOM with textContent only. */
var mskgViews = { shown: "graph", matrixOrder: [], sortKey: null };

(function () {
  "use strict";

  var data = mskgData || JSON.parse(document.getElementById("mskg-data").textContent);
  var views = data.views || null;
  var SVGNS = "http://www.w3.org/2000/svg";
  var VIEWS = ["graph", "matrix", "timeline"];
  var layerKeys = (data.layers || []).map(function (l) { return l.key; });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // ---- tooltip (the matrix's and the timeline's): text only, beside the pointer or the focus ----
  var tip = document.getElementById("mskg-view-tip");
  var tipText = typeof WeakMap === "function" ? new WeakMap() : null;

  function setTip(node, text) {
    tipText.set(node, text);
  }

  function showTip(node, x, y) {
    var text = tipText.get(node);
    if (!text) { return; }
    clear(tip);
    text.split("\n").forEach(function (line, i) { tip.appendChild(el(i ? "div" : "b", null, line)); });
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 16 + h > window.innerHeight ? y - h - 10 : y + 16;
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }

  function hideTip() { tip.hidden = true; }

  function tipTarget(node) {
    while (node && node !== document) {
      if (tipText.has(node)) { return node; }
      node = node.parentNode;
    }
    return null;
  }

  ["mskg-view-matrix", "mskg-view-timeline"].forEach(function (id) {
    var panel = document.getElementById(id);
    panel.addEventListener("mouseover", function (ev) {
      var target = tipTarget(ev.target);
      if (target) { showTip(target, ev.clientX, ev.clientY); } else { hideTip(); }
    });
    panel.addEventListener("mousemove", function (ev) {
      var target = tipTarget(ev.target);
      if (target && !tip.hidden) { showTip(target, ev.clientX, ev.clientY); }
    });
    panel.addEventListener("mouseleave", hideTip);
    panel.addEventListener("focusin", function (ev) {
      var target = tipTarget(ev.target);
      if (target) { var r = target.getBoundingClientRect(); showTip(target, r.left, r.bottom - 8); }
    });
    panel.addEventListener("focusout", hideTip);
  });

  // A short name per layer, for the cells: the shortest start of its key no other key shares.
  var layerShort = {};
  layerKeys.forEach(function (key) {
    for (var n = 1; n <= key.length; n++) {
      var start = key.slice(0, n);
      if (!layerKeys.some(function (other) { return other !== key && other.slice(0, n) === start; })) {
        layerShort[key] = start;
        return;
      }
    }
    layerShort[key] = key;
  });

  function layerName(key) { return key === "" ? "other sources" : key; }

  function layerList(keys) { return keys.map(layerName).join(" + "); }

  // A node of the drawing, shown where it is drawn: the network, with it selected.
  function inNetwork(id) { return !!(data.details && data.details[id] !== undefined); }

  function showInNetwork(id) {
    if (!inNetwork(id) || typeof window.mskgSelect !== "function") { return; }
    window.mskgShowView("graph");
    window.mskgSelect(id);
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function empty(panel, text) {
    panel.appendChild(el("p", "mskg-view-empty", text));
  }

  // ---- the effect matrix --------------------------------------------------------------------
  var KINDS = [
    ["fatal", "†", "potentially fatal"],
    ["serious", "S", "serious"],
    ["common", "C", "common"],
    ["infusion", "IR", "infusion reaction"],
    ["rare", "r", "rare"]
  ];

  function rank(marks) {
    if (!marks) { return 9; }
    if (marks.fatal) { return 0; }
    if (marks.serious) { return 1; }
    if (marks.common) { return 2; }
    if (marks.infusion) { return 3; }
    return 4;
  }

  function level(marks) {
    return ["fatal", "serious", "common", "infusion", "other"][rank(marks)];
  }

  function markText(marks) {
    return KINDS.filter(function (k) { return marks[k[0]]; }).map(function (k) { return k[1]; }).join(" ");
  }

  function markWords(marks) {
    return KINDS.filter(function (k) { return marks[k[0]]; }).map(function (k) {
      return k[2] + " (" + layerList(marks[k[0]]) + ")";
    }).join("; ");
  }

  function symptomText(effect) {
    return effect.symptoms.length ? "Symptoms: " + effect.symptoms.join(", ") : "No symptoms in the graph";
  }

  function renderMatrix() {
    var panel = document.getElementById("mskg-view-matrix");
    clear(panel);
    panel.appendChild(el("h2", null, "Adverse effects by treatment"));
    var m = views && views.matrix;
    if (!m || !m.treatments.length || !m.effects.length) {
      empty(panel, m && m.treatments.length ? "The treatments drawn have no adverse effects in the graph." :
        "No treatment is drawn on this page, so there is no effect matrix.");
      return;
    }
    var intro = el("p", "mskg-view-intro",
      plural(m.effects.length, "adverse effect") + " of " + plural(m.treatments.length, "treatment") + ". " +
      "Click a column heading to sort by it; hover an effect or a cell for its symptoms and sources.");
    panel.appendChild(intro);
    var legend = el("div", "mskg-matrix-legend");
    legend.setAttribute("aria-hidden", "true");
    [["fatal", "† S", "serious, potentially fatal"], ["serious", "S", "serious"],
     ["common", "C", "common"], ["infusion", "IR", "infusion reaction"]].forEach(function (row) {
      var item = el("span", "mskg-legend-item");
      item.appendChild(el("span", "mskg-cell-sample mskg-level-" + row[0], row[1]));
      item.appendChild(el("span", null, row[2]));
      legend.appendChild(item);
    });
    legend.appendChild(el("span", "mskg-legend-item", "r: rare"));
    legend.appendChild(el("span", "mskg-legend-item", "sources: " + layerKeys.map(function (k) {
      return layerShort[k] + " = " + k + ", ";
    }).join("") + "o = other sources"));
    panel.appendChild(legend);

    var byEffect = m.effects.map(function () { return {}; });
    var sharedBy = m.effects.map(function () { return 0; });
    m.cells.forEach(function (c) { byEffect[c[1]][c[0]] = c[2]; sharedBy[c[1]] += 1; });

    var table = el("table", "mskg-matrix");
    table.id = "mskg-matrix";
    var caption = el("caption", "mskg-sr-only", "Adverse effects (rows) by treatment (columns)");
    table.appendChild(caption);
    var head = el("thead");
    var hr = el("tr");
    var headers = [];

    function sortButton(text, key, title) {
      var th = el("th");
      th.setAttribute("scope", "col");
      var button = el("button", "mskg-sort", text);
      button.type = "button";
      button.setAttribute("data-sort", key);
      button.title = title;
      button.addEventListener("click", function () { sortMatrix(key); });
      th.appendChild(button);
      headers.push([th, key]);
      return th;
    }

    hr.appendChild(sortButton("Adverse effect", "name", "Sort by effect name"));
    hr.appendChild(sortButton("Shared by", "count", "Sort by the number of treatments with the effect"));
    m.treatments.forEach(function (t, i) {
      var th = sortButton(t.label, "t" + i, "Sort by " + t.label + "'s effects, the most serious first");
      th.className = "mskg-treatment-col";
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    var body = el("tbody");
    table.appendChild(body);
    var rows = m.effects.map(function (effect, e) {
      var tr = el("tr");
      tr.setAttribute("data-effect", effect.id);
      var th = el("th", "mskg-effect", effect.label);
      th.setAttribute("scope", "row");
      th.tabIndex = 0;
      setTip(th, effect.label + "\n" + symptomText(effect) + (inNetwork(effect.id) ? "\nClick to show it in the network" : ""));
      th.addEventListener("click", function () { showInNetwork(effect.id); });
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { showInNetwork(effect.id); } });
      if (effect.symptoms.length) { th.classList.add("mskg-has-symptoms"); }
      tr.appendChild(th);
      var count = el("td", "mskg-count", sharedBy[e]);
      count.setAttribute("aria-label", "shared by " + sharedBy[e] + " treatment" + (sharedBy[e] === 1 ? "" : "s"));
      tr.appendChild(count);
      m.treatments.forEach(function (t, i) {
        var marks = byEffect[e][i];
        var td = el("td", "mskg-cell");
        if (marks) {
          td.classList.add("mskg-level-" + level(marks));
          td.setAttribute("data-marks", KINDS.filter(function (k) { return marks[k[0]]; }).map(function (k) { return k[0]; }).join(" "));
          td.appendChild(el("span", "mskg-mark", markText(marks)));
          var keys = {};
          KINDS.forEach(function (k) { (marks[k[0]] || []).forEach(function (key) { keys[key] = true; }); });
          var srcs = Object.keys(keys).sort().map(function (key) { return key === "" ? "o" : layerShort[key] || key; });
          td.appendChild(el("span", "mskg-src", srcs.join(" ")));
          var words = t.label + " – " + effect.label + ": " + markWords(marks);
          td.setAttribute("aria-label", words);
          setTip(td, t.label + " – " + effect.label + "\n" + markWords(marks) + "\n" + symptomText(effect));
        } else {
          td.setAttribute("aria-label", t.label + " – " + effect.label + ": not linked");
        }
        tr.appendChild(td);
      });
      return { tr: tr, effect: effect, index: e, count: sharedBy[e], marks: byEffect[e] };
    });

    function sortMatrix(key) {
      var name = function (a, b) {
        var x = a.effect.label.toLowerCase(), y = b.effect.label.toLowerCase();
        return x < y ? -1 : x > y ? 1 : a.index - b.index;
      };
      var order = rows.slice();
      if (key === "name") {
        order.sort(name);
      } else if (key === "count") {
        order.sort(function (a, b) { return b.count - a.count || name(a, b); });
      } else {
        var t = Number(key.slice(1));
        order.sort(function (a, b) { return rank(a.marks[t]) - rank(b.marks[t]) || name(a, b); });
      }
      order.forEach(function (row) { body.appendChild(row.tr); });
      headers.forEach(function (h) {
        if (h[1] === key) { h[0].setAttribute("aria-sort", key === "name" ? "ascending" : "descending"); }
        else { h[0].removeAttribute("aria-sort"); }
      });
      mskgViews.sortKey = key;
      mskgViews.matrixOrder = order.map(function (row) { return row.effect.id; });
    }

    var wrap = el("div", "mskg-matrix-wrap");
    wrap.appendChild(table);
    panel.appendChild(wrap);
    sortMatrix("count");
  }

  // ---- the dosing timeline ------------------------------------------------------------------
  var PHASE_COLOURS = { initial: "#1565c0", repeat: "#6a1b9a", maintenance: "#00897b" };
  var PHASE_WORDS = { initial: "initial / loading dose", repeat: "repeat course", maintenance: "maintenance" };
  var DAYS_PER_MONTH = 365.25 / 12;

  function when(days) {
    if (days < 1) { return "day 0"; }
    var months = days / DAYS_PER_MONTH;
    if (days < 60) { return "day " + Math.round(days); }
    return "month " + (Math.round(months * 10) / 10);
  }

  function dose(value, unit) { return value === null || value === undefined ? "" : value + " " + unit; }

  function renderTimeline() {
    var panel = document.getElementById("mskg-view-timeline");
    clear(panel);
    panel.appendChild(el("h2", null, "Dosing over the first 3 years"));
    var t = views && views.timeline;
    if (!t || (!t.lanes.length && !t.unscheduled.length)) {
      empty(panel, "No treatment is drawn on this page, so there is no dosing timeline.");
      return;
    }
    panel.appendChild(el("p", "mskg-view-intro",
      "Each treatment's regimens from the graph's structured dosing data, one row per regimen and source. " +
      "A phase with no start in the data follows the phase before by one of its own intervals; " +
      "one that cannot be placed is named, not drawn. Hover a mark for its dose and time."));
    var legend = el("div", "mskg-timeline-legend");
    ["initial", "repeat", "maintenance"].forEach(function (kind) {
      var item = el("span", "mskg-legend-item");
      var sw = el("span", "mskg-phase-sample");
      sw.style.background = PHASE_COLOURS[kind];
      item.appendChild(sw);
      item.appendChild(el("span", null, PHASE_WORDS[kind]));
      legend.appendChild(item);
    });
    var capItem = el("span", "mskg-legend-item");
    capItem.appendChild(el("span", "mskg-cap-sample"));
    capItem.appendChild(el("span", null, "cumulative dose cap: last dose allowed / usually reached"));
    legend.appendChild(capItem);
    panel.appendChild(legend);

    var WIDTH = 1400, LEFT = 190, RIGHT = 40, TOP = 34, ROW = 46, GAP = 14;
    var window_ = t.window_days;
    var scale = (WIDTH - LEFT - RIGHT) / window_;
    function x(days) { return LEFT + days * scale; }
    var rowsTotal = t.lanes.reduce(function (n, lane) { return n + lane.regimens.length; }, 0);
    var height = TOP + rowsTotal * ROW + t.lanes.length * GAP + 10;
    var root = svg("svg", {
      id: "mskg-timeline", viewBox: "0 0 " + WIDTH + " " + height, width: "100%",
      role: "img", "aria-label": "Dosing timeline of " + t.lanes.length + " treatments over " + Math.round(window_ / 365.25) + " years",
      "data-left": LEFT, "data-scale": scale
    });
    // Axis: a line every 3 months, labelled every 6.
    for (var month = 0; month * DAYS_PER_MONTH <= window_ + 0.01; month += 3) {
      var gx = x(month * DAYS_PER_MONTH);
      root.appendChild(svg("line", { x1: gx, x2: gx, y1: TOP - 8, y2: height - 6, "class": month % 12 === 0 ? "mskg-grid-year" : "mskg-grid" }));
      if (month % 6 === 0) {
        var text = month === 0 ? "start" : month % 12 === 0 ? "year " + month / 12 : "month " + month;
        root.appendChild(svg("text", { x: gx, y: TOP - 14, "class": "mskg-axis-label", "text-anchor": "middle" }, text));
      }
    }
    var y = TOP;
    t.lanes.forEach(function (lane) {
      var g = svg("g", { "class": "mskg-lane", "data-treatment": lane.id });
      var laneTop = y;
      g.appendChild(svg("rect", { x: 4, y: laneTop - 4, width: WIDTH - 8, height: lane.regimens.length * ROW + 4, "class": "mskg-lane-bg" }));
      // The name in the left column, wrapped between words (never inside one).
      var name = svg("text", { x: 12, y: laneTop + 18, "class": "mskg-lane-label" });
      var lines = [""];
      lane.label.split(/\s+/).forEach(function (word) {
        var line = lines[lines.length - 1];
        if (line && (line + " " + word).length > 18) { lines.push(word); } else { lines[lines.length - 1] = line ? line + " " + word : word; }
      });
      lines.forEach(function (line, k) { name.appendChild(svg("tspan", { x: 12, dy: k ? 18 : 0 }, line)); });
      g.appendChild(name);
      lane.regimens.forEach(function (regimen) {
        var base = y + ROW - 12;
        var row = svg("g", { "class": "mskg-regimen", "data-regimen": regimen.id });
        var caption = (regimen.layers.length ? "[" + layerList(regimen.layers) + "] " : "") + regimen.label;
        var unplaced = regimen.phases.filter(function (p) { return p.unplaced; });
        if (unplaced.length) {
          caption += " · not drawn: " + unplaced.map(function (p) { return p.label + " (" + p.unplaced + ")"; }).join("; ");
        }
        row.appendChild(svg("text", { x: LEFT + 2, y: y + 12, "class": "mskg-regimen-label" }, caption));
        row.appendChild(svg("line", { x1: LEFT, x2: x(window_), y1: base, y2: base, "class": "mskg-baseline" }));
        // The usual time to reach a limit of the lane, on the regimens of its layers.
        lane.limits.forEach(function (limit) {
          var shares = !limit.layers.length || !regimen.layers.length || limit.layers.some(function (k) { return regimen.layers.indexOf(k) >= 0; });
          if (!limit.reached_after_days || !shares || regimen.cap) { return; }
          var from = limit.reached_after_days[0] === null ? limit.reached_after_days[1] : limit.reached_after_days[0];
          var to = limit.reached_after_days[1] === null ? from : limit.reached_after_days[1];
          var band = svg("rect", { x: x(from), y: base - 16, width: Math.max(2, x(Math.min(to, window_)) - x(from)), height: 22,
            "class": "mskg-cap-band", "data-limit": limit.id });
          setTip(band, limit.label + "\nusually reached between " + when(from) + " and " + when(to) +
            " (" + dose(limit.dose_value, limit.dose_unit) + ", " + limit.span + ")" +
            (limit.layers.length ? "\nsource: " + layerList(limit.layers) : ""));
          row.appendChild(band);
          row.appendChild(svg("text", { x: x(from) + 4, y: base + 18, "class": "mskg-cap-text" },
            "cap " + dose(limit.dose_value, limit.dose_unit) + " usually reached"));
        });
        regimen.phases.forEach(function (phase) {
          if (!phase.times.length) { return; }
          var colour = PHASE_COLOURS[phase.type] || "#555";
          var first = phase.times[0], last = phase.times[phase.times.length - 1];
          if (phase.times.length > 1 && phase.interval_days && phase.interval_days <= 7) {
            row.appendChild(svg("rect", { x: x(first) - 1, y: base - 9, width: Math.max(3, x(last) - x(first) + 2), height: 18,
              fill: colour, "class": "mskg-course" }));
          }
          phase.times.forEach(function (day, k) {
            var mark = svg("rect", { x: x(day) - 2.5, y: base - 9, width: 5, height: 18, fill: colour,
              "class": "mskg-dose", "data-day": day, "data-phase": phase.id, "data-type": phase.type });
            setTip(mark, lane.label + ": " + PHASE_WORDS[phase.type] + ", dose " + (k + 1) + " of the phase\n" +
              when(day) + (dose(phase.dose_value, phase.dose_unit) ? " · " + dose(phase.dose_value, phase.dose_unit) : " · amount not given") +
              (phase.interval ? " · every " + phase.interval : "") + "\n" + phase.label);
            row.appendChild(mark);
          });
          if (phase.continues) {
            var endX = phase.interval_days ? x(window_) + 4 : x(last) + 8;
            var words = phase.interval_days ? "continues" : "repeated, at least " + phase.minimum_interval + " apart";
            var arrow = svg("text", { x: endX, y: base + 4, "class": "mskg-continues" }, phase.interval_days ? "→" : "→ " + words);
            setTip(arrow, lane.label + ": " + words + (phase.interval ? " every " + phase.interval : ""));
            row.appendChild(arrow);
          }
        });
        if (regimen.cap) {
          var cap = regimen.cap;
          var cx = x(cap.day) + 6;
          var line = svg("line", { x1: cx, x2: cx, y1: base - 16, y2: base + 12, "class": "mskg-cap-line", "data-day": cap.day });
          var capText = "cumulative cap " + cap.cap + " " + cap.unit + ": " + cap.doses + " doses give " + cap.total + " " + cap.unit + "; no more after " + when(cap.day);
          setTip(line, lane.label + "\n" + capText);
          row.appendChild(line);
          row.appendChild(svg("text", { x: cx + 4, y: base + 4, "class": "mskg-cap-text" }, "cap reached: " + cap.total + " of " + cap.cap + " " + cap.unit));
        }
        g.appendChild(row);
        y += ROW;
      });
      root.appendChild(g);
      y += GAP;
    });
    panel.appendChild(root);
    if (t.unscheduled.length) {
      var none = el("div", "mskg-unscheduled");
      none.appendChild(el("h3", null, "No structured schedule"));
      var ul = el("ul");
      t.unscheduled.forEach(function (u) { var li = el("li", null, u.label); li.setAttribute("data-treatment", u.id); ul.appendChild(li); });
      none.appendChild(ul);
      none.appendChild(el("p", "mskg-hint", "The graph has no dosing regimen for these; see their details in the network view."));
      panel.appendChild(none);
    }
  }

  // ---- tabs ---------------------------------------------------------------------------------
  var rendered = {};
  var tabs = {};
  VIEWS.forEach(function (name) { tabs[name] = document.getElementById("mskg-tab-" + name); });

  function show(name) {
    if (VIEWS.indexOf(name) < 0) { name = "graph"; }
    if (name === "matrix" && !rendered.matrix) { renderMatrix(); rendered.matrix = true; }
    if (name === "timeline" && !rendered.timeline) { renderTimeline(); rendered.timeline = true; }
    VIEWS.forEach(function (v) {
      tabs[v].setAttribute("aria-selected", v === name ? "true" : "false");
      tabs[v].tabIndex = v === name ? 0 : -1;
      if (v !== "graph") { document.getElementById("mskg-view-" + v).hidden = v !== name; }
    });
    document.body.setAttribute("data-view", name);
    hideTip();
    mskgViews.shown = name;
  }

  function fromHash() { show(location.hash.replace(/^#/, "")); }

  VIEWS.forEach(function (name, i) {
    tabs[name].addEventListener("click", function () {
      if (location.hash !== "#" + name) { location.hash = name; } else { show(name); }
    });
    tabs[name].addEventListener("keydown", function (ev) {
      var step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (!step) { return; }
      var next = tabs[VIEWS[(i + step + VIEWS.length) % VIEWS.length]];
      next.focus();
      next.click();
    });
  });
  window.addEventListener("hashchange", fromHash);
  window.mskgShowView = function (name) {
    if (location.hash.replace(/^#/, "") !== name) { location.hash = name; } else { show(name); }
  };
  fromHash();
})();
