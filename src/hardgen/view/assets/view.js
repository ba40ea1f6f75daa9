/* hardgen view: the page's whole behaviour, in plain JavaScript with no library.
 *
 * Sample text is untrusted data: it only ever reaches the page as text nodes (h() below), never
 * as HTML. Data comes in script chunks that register themselves in window.HARDGEN_VIEW_DATA and
 * are loaded on demand with a <script> tag, because browsers block fetch() of file:// URLs.
 * The state of the page (tab, filters, page, open sample) lives in location.hash, so a view can
 * be bookmarked, shared and reloaded.
 */
(function () {
  "use strict";
  var DATA = window.HARDGEN_VIEW_DATA = window.HARDGEN_VIEW_DATA || {};
  var RUN = DATA.run, INDEX = DATA.index;
  var PAGE = 50, LONG_OBSERVATION = 400, SVG = "http://www.w3.org/2000/svg";
  var main = document.getElementById("main");

  // ---- small helpers -------------------------------------------------------------------------
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "class") el.className = attrs[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function s(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) {
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  // Marks the body when a view has its data on screen, with the milliseconds since navigation
  // started: what tests and the load-time measurement of a big run read.
  function ready(what) {
    document.body.setAttribute("data-ready", what);
    document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function pct(x) { return x === null || x === undefined ? "unknown" : (100 * x).toFixed(1) + "%"; }
  function json(v) { return JSON.stringify(v, null, 2); }
  function badge(text, cls) { return h("span", { "class": "badge " + (cls || "") }, text); }

  var pending = {};
  function load(name) {
    if (DATA[name] !== undefined) return Promise.resolve(DATA[name]);
    if (!pending[name]) {
      pending[name] = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = "data/" + name + ".js";
        tag.onload = function () { resolve(DATA[name]); };
        tag.onerror = function () { delete pending[name]; reject(new Error("cannot load data/" + name + ".js")); };
        document.head.appendChild(tag);
      });
    }
    return pending[name];
  }
  function chunkName(kind, i, per) { return kind + "-" + ("00" + Math.floor(i / per)).slice(-3); }

  // ---- state in the hash ----------------------------------------------------------------------
  function readState() {
    var st = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv) return;
      var at = kv.indexOf("=");
      st[decodeURIComponent(at < 0 ? kv : kv.slice(0, at))] = at < 0 ? "" : decodeURIComponent(kv.slice(at + 1));
    });
    st.tab = st.tab || "samples";
    return st;
  }
  function writeState(update, replace) {
    var st = readState();
    for (var k in update) { if (update[k] === "" || update[k] === null || update[k] === undefined) delete st[k]; else st[k] = update[k]; }
    var hash = "#" + Object.keys(st).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(st[k]); }).join("&");
    if (replace) history.replaceState(null, "", hash); else location.hash = hash;
    if (replace) render();
  }

  // ---- samples: filtering ---------------------------------------------------------------------
  function textChunks() {
    var names = [];
    for (var i = 0; i < INDEX.count; i += INDEX.rows_per_chunk) names.push(chunkName("text", i, INDEX.rows_per_chunk));
    return Promise.all(names.map(load));
  }
  function matches(st) {
    var dom = st.domain === undefined ? -1 : INDEX.domains.indexOf(st.domain);
    var tool = st.tool === undefined ? -1 : INDEX.tools.indexOf(st.tool);
    var mode = st.mode === undefined ? -1 : INDEX.modes.indexOf(st.mode);
    var verdict = st.verdict === undefined ? -1 : INDEX.verdicts.indexOf(st.verdict);
    var agent = st.agent === undefined ? -1 : INDEX.agent_results.indexOf(st.agent);
    var lo = st.min ? +st.min : -Infinity, hi = st.max ? +st.max : Infinity;
    var implicit = st.implicit ? +st.implicit : 0;
    var terms = (st.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    var out = [];
    // A filter naming a value the run does not have matches nothing (not everything).
    if ((st.domain !== undefined && dom < 0) || (st.tool !== undefined && tool < 0) || (st.mode !== undefined && mode < 0)) return out;
    for (var i = 0; i < INDEX.count; i++) {
      var r = INDEX.rows[i];
      if (dom >= 0 && r[0].indexOf(dom) < 0) continue;
      if (tool >= 0 && r[1].indexOf(tool) < 0) continue;
      if (r[2] < lo || r[2] > hi || r[3] < implicit) continue;
      if (verdict >= 0 && r[5] !== verdict) continue;
      if (mode >= 0 && r[6] !== mode) continue;
      if (agent >= 0 && r[8] !== agent) continue;
      if (terms.length) {
        var text = DATA[chunkName("text", i, INDEX.rows_per_chunk)][i % INDEX.rows_per_chunk];
        var ok = true;
        for (var t = 0; t < terms.length && ok; t++) ok = text.indexOf(terms[t]) >= 0;
        if (!ok) continue;
      }
      out.push(i);
    }
    return out;
  }

  function select(label, key, values, st, names) {
    var el = h("select", { "data-filter": key, onchange: function () { writeState(obj(key, this.value, "page", "")); } },
      h("option", { value: "" }, "any"));
    values.forEach(function (v, i) {
      el.appendChild(h("option", { value: v, selected: st[key] === v ? "selected" : null }, names ? names[i] : v));
    });
    return [h("label", {}, label), el];
  }
  function obj() { var o = {}; for (var i = 0; i < arguments.length; i += 2) o[arguments[i]] = arguments[i + 1]; return o; }

  function filtersPanel(st) {
    var search = h("input", { type: "search", id: "search", placeholder: "words in queries, answers, calls", value: st.q || "" });
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var v = this.value;
      timer = setTimeout(function () { writeState({ q: v, page: "" }, true); }, 250);
    });
    function num(key, placeholder) {
      return h("input", { type: "number", min: "0", placeholder: placeholder, value: st[key] || "", "data-filter": key,
        onchange: function () { writeState(obj(key, this.value, "page", "")); } });
    }
    var agents = INDEX.agent_results.slice(1);
    return h("div", { "class": "filters" },
      h("label", { "for": "search" }, "search"), search,
      select("domain", "domain", INDEX.domains.slice().sort(), st),
      select("tool", "tool", INDEX.tools.slice().sort(), st),
      select("family (sampling mode)", "mode", INDEX.modes, st),
      h("label", {}, "gold chain length"), h("div", { "class": "range" }, num("min", "min"), num("max", "max")),
      h("label", {}, "at least this many implicit dependencies"), num("implicit", "0"),
      select("verdict", "verdict", INDEX.verdicts, st),
      RUN.evaluation ? select("agent (eval/eval.json)", "agent", agents, st) : null,
      h("p", {}, h("a", { href: "#tab=samples" }, "clear filters")));
  }

  function renderSamples(st) {
    var reading = st.sample !== undefined;
    var layout = h("div", { "class": reading ? "" : "layout" });
    var right = h("div", {});
    if (!reading) layout.appendChild(filtersPanel(st));
    layout.appendChild(right);
    main.appendChild(layout);
    if (!INDEX.count) { right.appendChild(h("div", { "class": "panel empty" }, "This run has no samples.")); return; }
    var searchText = st.q ? textChunks() : Promise.resolve();
    var status = h("p", { "class": "muted" }, st.q ? "loading the search text…" : "");
    right.appendChild(status);
    searchText.then(function () {
      var hits = matches(st);
      var pages = Math.max(1, Math.ceil(hits.length / PAGE));
      var page = Math.min(Math.max(1, +(st.page || 1)), pages);
      var shown = hits.slice((page - 1) * PAGE, page * PAGE);
      status.textContent = hits.length + " of " + INDEX.count + " samples" + (hits.length === INDEX.count ? "" : " match");
      var open = st.sample !== undefined ? INDEX.ids.indexOf(st.sample) : -1;
      if (st.sample !== undefined) {
        // One sample at a time, with a way back to the list and to its neighbours in the list.
        var at = hits.indexOf(open);
        var nav = h("div", { "class": "pager" },
          h("a", { href: "javascript:void 0", id: "back", onclick: function () { writeState({ sample: "", page: String(at >= 0 ? 1 + Math.floor(at / PAGE) : page) }); } }, "← back to the list"),
          h("button", { id: "prev", disabled: at <= 0 ? "disabled" : null, onclick: function () { writeState({ sample: INDEX.ids[hits[at - 1]] }); } }, "‹ previous"),
          h("span", {}, at >= 0 ? "sample " + (at + 1) + " of " + hits.length : "not in the filtered list"),
          h("button", { id: "next", disabled: at < 0 || at >= hits.length - 1 ? "disabled" : null, onclick: function () { writeState({ sample: INDEX.ids[hits[at + 1]] }); } }, "next ›"));
        right.appendChild(nav);
        var detail = h("div", { "class": "detail", id: "sample-detail" });
        right.appendChild(detail);
        if (open < 0) detail.appendChild(h("div", { "class": "panel empty" }, "No sample with id " + st.sample + "."));
        else renderSample(open, detail);
        return;
      }
      var list = h("div", { "class": "list", id: "sample-list" });
      right.appendChild(list);
      right.appendChild(pager(page, pages, "page"));
      var titleChunks = {};
      shown.forEach(function (i) { titleChunks[chunkName("titles", i, INDEX.rows_per_chunk)] = 1; });
      Promise.all(Object.keys(titleChunks).map(load)).then(function () {
        if (!shown.length) list.appendChild(h("div", { "class": "empty" }, "No sample matches these filters."));
        shown.forEach(function (i) { list.appendChild(sampleRow(i, st)); });
        ready("samples");
      }, showError(list));
    }, showError(right));
  }

  function sampleRow(i, st) {
    var r = INDEX.rows[i], id = INDEX.ids[i];
    var title = DATA[chunkName("titles", i, INDEX.rows_per_chunk)][i % INDEX.rows_per_chunk];
    var tags = h("span", {},
      r[0].map(function (d) { return badge(INDEX.domains[d]); }),
      badge(r[2] + " calls"), r[3] ? badge(r[3] + " implicit") : null,
      badge(INDEX.verdicts[r[5]], INDEX.verdicts[r[5]]),
      r[8] ? badge("agent " + INDEX.agent_results[r[8]], INDEX.agent_results[r[8]]) : null);
    return h("div", { "class": "row" + (st.sample === id ? " selected" : ""), "data-id": id, onclick: function () { writeState({ sample: id }); } },
      h("span", { "class": "rid" }, id), h("span", { "class": "rtitle", title: title }, title), tags);
  }

  function pager(page, pages, key) {
    function go(p) { return function () { writeState(obj(key, String(p))); }; }
    return h("div", { "class": "pager" },
      h("button", { disabled: page <= 1 ? "disabled" : null, onclick: go(page - 1) }, "‹ previous"),
      h("span", {}, "page " + page + " of " + pages),
      h("button", { disabled: page >= pages ? "disabled" : null, onclick: go(page + 1) }, "next ›"));
  }

  function showError(el) {
    return function (err) { el.appendChild(h("div", { "class": "panel empty" }, String(err && err.message || err))); };
  }

  // ---- one sample -----------------------------------------------------------------------------
  function renderSample(i, el) {
    load(chunkName("samples", i, INDEX.samples_per_chunk)).then(function (chunk) {
      var rec = chunk[i % INDEX.samples_per_chunk];
      var md = rec.metadata, v = rec.verification;
      clear(el);
      el.appendChild(h("div", { "class": "detail-head" }, h("h2", {}, "Sample " + rec.id),
        md.domains.map(function (d) { return badge(d); }), badge(v.verdict, v.verdict)));
      el.appendChild(h("div", { "class": "columns" },
        h("div", { "class": "panel", id: "conversation" }, h("h3", {}, "Conversation"), rec.messages.map(message)),
        goldPanel(rec),
        h("div", { "class": "panel", id: "sample-meta" }, h("h3", {}, "About this sample"), metaList(rec))));
      window.scrollTo(0, 0);
      ready("sample");
      requestAnimationFrame(function () { drawFlow(el.querySelector(".gold")); });
    }, showError(el));
  }

  function message(m) {
    if (m.role === "system") return h("details", { "class": "msg system" }, h("summary", {}, "system prompt"), m.content || "");
    if (m.role === "user") return h("div", { "class": "msg user" }, h("span", { "class": "who" }, "user"), m.content || "");
    if (m.role === "tool") {
      var text = m.content || "";
      var error = /^\{"error":/.test(text);
      var who = h("span", { "class": "who" }, "tool " + (m.name || "") + (error ? " (error)" : ""));
      if (text.length <= LONG_OBSERVATION) return h("div", { "class": "msg tool" + (error ? " error" : "") }, who, text);
      return h("details", { "class": "msg tool" + (error ? " error" : "") },
        h("summary", {}, who, text.slice(0, 120) + "… (" + text.length + " characters)"), pretty(text));
    }
    return h("div", { "class": "msg assistant" }, h("span", { "class": "who" }, "assistant"),
      m.reasoning ? h("details", { "class": "reasoning" }, h("summary", {}, "reasoning"), m.reasoning) : null,
      m.content ? h("div", {}, m.content) : null,
      (m.calls || []).map(function (c) {
        return h("div", { "class": "call" }, h("span", { "class": "fn" }, c.name), "(" + json(c.arguments) + ")");
      }));
  }
  function pretty(text) { try { return h("pre", {}, json(JSON.parse(text))); } catch (e) { return h("pre", {}, text); } }

  function goldPanel(rec) {
    var box = h("div", { "class": "panel gold" }, h("h3", {}, "Gold trace"),
      h("p", { "class": "muted" }, "Highlighted arguments came from an earlier result; the arrows point from the step that produced them."));
    rec.gold.forEach(function (turn, t) {
      if (rec.gold.length > 1) box.appendChild(h("h3", {}, "Turn " + (t + 1)));
      box.appendChild(h("div", { "class": "muted" }, turn.query));
      turn.steps.forEach(function (step, k) {
        var bySource = {};
        step.sources.forEach(function (src) { bySource[src.parameter] = src; });
        var args = Object.keys(step.arguments).map(function (p) {
          var src = bySource[p];
          return h("div", { "class": "arg" + (src ? " implicit" : ""), "data-from": src ? "t" + t + "s" + src.step : null },
            p + " = " + JSON.stringify(step.arguments[p]),
            src ? h("span", { "class": "src" }, "← ",
              h("a", { href: "javascript:void 0", onclick: function () { flash("t" + t + "s" + src.step); } },
                "step " + (src.step + 1) + (src.tool ? " " + src.tool : "")),
              " result" + src.path.map(function (x) { return typeof x === "number" ? "[" + x + "]" : "." + x; }).join(""),
              src.value !== undefined ? " = " + src.value : "") : null);
        });
        var required = turn.required_observations.indexOf(k) >= 0;
        box.appendChild(h("div", { "class": "step" + (required ? " required" : ""), id: "t" + t + "s" + k },
          h("span", { "class": "n" }, "step " + (k + 1) + (required ? " · its result is required" : "") + (step.ok ? "" : " · error")),
          h("div", { "class": "call" }, h("span", { "class": "fn" }, step.name)),
          args.length ? args : h("div", { "class": "arg muted" }, "no arguments"),
          step.observation.length > LONG_OBSERVATION
            ? h("details", {}, h("summary", {}, "result (" + step.observation.length + " characters)"), pretty(step.observation))
            : h("pre", {}, step.observation)));
      });
      if (turn.answer_values.length) box.appendChild(h("div", {}, h("b", {}, "the answer must say: "), turn.answer_values.map(function (a) { return badge(JSON.stringify(a)); })));
    });
    return box;
  }

  function flash(id) {
    var el = document.getElementById(id);
    if (!el) return;
    el.scrollIntoView({ block: "center", behavior: "smooth" });
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 1200);
  }

  // Arrows in the gold panel's left margin, from the step that produced a value to the argument
  // that used it: the data flow of the implicit dependencies at a glance.
  function drawFlow(box) {
    if (!box) return;
    var old = box.querySelector("svg.flow");
    if (old) old.remove();
    var base = box.getBoundingClientRect();
    var svg = s("svg", { "class": "flow", width: "44", height: String(box.scrollHeight) });
    var args = box.querySelectorAll(".arg[data-from]");
    for (var i = 0; i < args.length; i++) {
      var from = document.getElementById(args[i].getAttribute("data-from"));
      if (!from) continue;
      var a = from.getBoundingClientRect(), b = args[i].getBoundingClientRect();
      var y1 = a.top - base.top + 14, y2 = b.top - base.top + b.height / 2, x = 40 - Math.min(36, 8 + 4 * (i % 8));
      svg.appendChild(s("path", { d: "M44," + y1 + " C" + x + "," + y1 + " " + x + "," + y2 + " 44," + y2,
        fill: "none", stroke: "#d9822b", "stroke-width": "1.3", "marker-end": "url(#arrow)" }));
    }
    svg.insertBefore(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 6 6", refX: "5", refY: "3", markerWidth: "6", markerHeight: "6", orient: "auto" },
      s("path", { d: "M0,0 L6,3 L0,6 z", fill: "#d9822b" }))), svg.firstChild);
    box.insertBefore(svg, box.firstChild);
  }

  function metaList(rec) {
    var md = rec.metadata, v = rec.verification;
    function item(k, val) { return val === null || val === undefined || (Array.isArray(val) && !val.length) ? null : [h("dt", {}, k), h("dd", {}, val)]; }
    function tags(list, cls) { return list.map(function (x) { return badge(x, cls); }); }
    return h("dl", { "class": "meta" },
      item("family", md.mode), item("domains", tags(md.domains)), item("gold chain", md.chain_length + " calls"),
      item("implicit deps", String(md.implicit_dependencies)), item("turns", String(md.turns)),
      item("target tools", tags(md.target_tools)), item("failure tools", tags(md.failure_tools, "fail-tool")),
      item("written from", tags(md.advanced_tools)), item("tools offered", tags(rec.tools)),
      item("environments", rec.environments.join(", ")),
      item("verification", v.method + ": " + v.verdict + " after " + v.attempts + " attempt" + (v.attempts === 1 ? "" : "s")),
      item("critic hints", v.hints.map(function (x) { return h("div", {}, "• " + x); })),
      item("failed attempts", v.reasons.map(function (x) { return h("div", {}, "• " + x); })),
      item("state hash", v.expected_state_hash === v.actual_state_hash ? (v.actual_state_hash || "").slice(0, 16) : "expected " + v.expected_state_hash + ", got " + v.actual_state_hash),
      item("backend", md.backend + (md.model ? " / " + md.model : "")), item("seed", String(md.seed)),
      Object.keys(md.extra).map(function (k) { return item(k, typeof md.extra[k] === "string" ? md.extra[k] : JSON.stringify(md.extra[k])); }));
  }

  // ---- rejected candidates --------------------------------------------------------------------
  function renderRejected(st) {
    var names = [];
    for (var i = 0; i < INDEX.rejected; i += INDEX.rows_per_chunk) names.push(chunkName("rejected", i, INDEX.rows_per_chunk));
    var wrap = h("div", {});
    main.appendChild(wrap);
    if (!INDEX.rejected) { wrap.appendChild(h("div", { "class": "panel empty" }, "This run rejected no candidates (or has no rejected.jsonl).")); return; }
    Promise.all(names.map(load)).then(function (chunks) {
      var all = [].concat.apply([], chunks);
      var stages = {};
      all.forEach(function (r) { stages[r.stage] = (stages[r.stage] || 0) + 1; });
      var terms = (st.rq || "").toLowerCase().split(/\s+/).filter(Boolean);
      var hits = all.filter(function (r) {
        if (st.stage && r.stage !== st.stage) return false;
        var text = (r.unit_id + " " + r.reason + " " + (r.advanced_tool || "") + " " + r.details.join(" ")).toLowerCase();
        return terms.every(function (t) { return text.indexOf(t) >= 0; });
      });
      var pages = Math.max(1, Math.ceil(hits.length / PAGE));
      var page = Math.min(Math.max(1, +(st.rpage || 1)), pages);
      var search = h("input", { type: "search", id: "rsearch", placeholder: "words in reasons", value: st.rq || "",
        onchange: function () { writeState({ rq: this.value, rpage: "" }); } });
      var stageSel = h("select", { "data-filter": "stage", onchange: function () { writeState({ stage: this.value, rpage: "" }); } },
        h("option", { value: "" }, "any stage"),
        Object.keys(stages).sort().map(function (k) { return h("option", { value: k, selected: st.stage === k ? "selected" : null }, k + " (" + stages[k] + ")"); }));
      var list = h("div", { "class": "list", id: "rejected-list" });
      hits.slice((page - 1) * PAGE, page * PAGE).forEach(function (r) {
        list.appendChild(h("div", { "class": "row" + (st.open === r.unit_id ? " selected" : ""), "data-id": r.unit_id,
          onclick: function () { writeState({ open: r.unit_id }); } },
          h("span", { "class": "rid" }, r.unit_id), h("span", { "class": "rtitle", title: r.reason }, r.reason), badge(r.stage, "failed")));
      });
      if (!hits.length) list.appendChild(h("div", { "class": "empty" }, "No rejected candidate matches."));
      wrap.appendChild(h("div", { "class": "layout" },
        h("div", { "class": "filters" }, h("label", {}, "search"), search, h("label", {}, "stage"), stageSel,
          h("p", { "class": "muted" }, hits.length + " of " + all.length + " rejected candidates")),
        h("div", {}, list, pager(page, pages, "rpage"), rejectedDetail(all, st.open))));
    }, showError(wrap));
  }

  function rejectedDetail(all, id) {
    if (id === undefined) return null;
    var r = all.filter(function (x) { return x.unit_id === id; })[0];
    if (!r) return h("div", { "class": "panel empty" }, "No rejected candidate " + id + ".");
    return h("div", { "class": "panel detail", id: "rejected-detail" }, h("h2", {}, "Rejected candidate " + r.unit_id),
      h("dl", { "class": "meta" }, h("dt", {}, "stage"), h("dd", {}, r.stage), h("dt", {}, "reason"), h("dd", {}, r.reason),
        h("dt", {}, "written from"), h("dd", {}, r.advanced_tool || "-"), h("dt", {}, "attempts"), h("dd", {}, String(r.attempts)),
        r.hints.length ? [h("dt", {}, "critic hints"), h("dd", {}, r.hints.map(function (x) { return h("div", {}, "• " + x); }))] : null,
        r.details.length ? [h("dt", {}, "details"), h("dd", {}, r.details.map(function (x) { return h("pre", {}, x); }))] : null,
        Object.keys(r.other).length ? [h("dt", {}, "other"), h("dd", {}, h("pre", {}, json(r.other)))] : null));
  }

  // ---- charts ---------------------------------------------------------------------------------
  // One horizontal bar chart: labels on the left, values at the bar ends. At most `top` bars;
  // the rest are folded into a note under the chart (never one giant "other" bar).
  function barChart(title, pairs, opts) {
    opts = opts || {};
    var top = opts.top || 15, fmt = opts.format || String;
    var box = h("div", { "class": "panel chart" }, h("h3", {}, title));
    if (!pairs.length) { box.appendChild(h("div", { "class": "empty" }, opts.empty || "no data")); return box; }
    var shown = pairs.slice(0, top), rest = pairs.slice(top);
    var max = opts.max || Math.max.apply(null, shown.map(function (p) { return p[1]; })) || 1;
    var row = 18, left = 190, width = 560, height = shown.length * row + 24;
    var svg = s("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": title });
    shown.forEach(function (p, i) {
      var y = i * row + 4, w = Math.max(p[1] > 0 ? 1 : 0, (width - left - 70) * p[1] / max);
      var label = String(p[0]).length > 30 ? String(p[0]).slice(0, 29) + "…" : String(p[0]);
      svg.appendChild(s("text", { x: left - 6, y: y + 12, "text-anchor": "end", "font-size": "11" }, s("title", {}, String(p[0])), label));
      svg.appendChild(s("rect", { x: left, y: y + 2, width: w, height: row - 5, fill: (opts.colour && opts.colour(p)) || "#4c72b0" }));
      svg.appendChild(s("text", { x: left + w + 4, y: y + 12, "font-size": "11", fill: "#444" }, fmt(p[1], p)));
    });
    svg.appendChild(s("text", { x: left, y: height - 4, "font-size": "10", fill: "#6a737d" }, opts.axis || ""));
    box.appendChild(svg);
    if (rest.length) {
      var sum = rest.reduce(function (a, p) { return a + p[1]; }, 0);
      box.appendChild(h("div", { "class": "note" }, "top " + shown.length + " of " + pairs.length + " shown; " + rest.length + " more folded (" + fmt(sum) + " in all)."));
    }
    if (opts.note) box.appendChild(h("div", { "class": "note" }, opts.note));
    return box;
  }
  function histogram(title, dist, unit) {
    var pairs = Object.keys(dist.histogram || {}).map(function (k) { return [+k, dist.histogram[k]]; }).sort(function (a, b) { return a[0] - b[0]; });
    pairs = pairs.map(function (p) { return [p[0] + " " + unit, p[1]]; });
    return barChart(title, pairs, { top: 30, axis: "samples", note: dist.count ? "mean " + dist.mean.toFixed(2) + ", median " + dist.median + ", p90 " + dist.p90 + ", max " + dist.max : null });
  }
  function entries(o) { return Object.keys(o || {}).map(function (k) { return [k, o[k]]; }).sort(function (a, b) { return b[1] - a[1]; }); }
  function figures(rows) {
    return h("table", { "class": "figures" }, rows.filter(Boolean).map(function (r) { return h("tr", {}, h("td", {}, r[0]), h("td", { "class": "v" }, String(r[1]))); }));
  }

  function renderStats() {
    var st = RUN.stats, lang = RUN.language, val = RUN.validity, man = RUN.manifest, ev = RUN.evaluation;
    main.appendChild(h("h2", {}, "Run " + RUN.name));
    if (RUN.invalid_count) main.appendChild(h("p", { "class": "muted" }, RUN.invalid_count + " invalid sample lines were skipped, e.g. " + RUN.invalid_lines.join("; ")));
    var near = st.near_duplicates;
    main.appendChild(h("div", { "class": "charts" },
      h("div", { "class": "panel" }, h("h3", {}, "Overview"), figures([
        ["samples", st.samples], ["rejected candidates", st.rejected === null ? "unknown" : st.rejected],
        ["yield", pct(st.yield_rate)], ["first-try pass rate", pct(st.first_try_rate)],
        ["distinct tools offered / called", st.tools_offered + " / " + st.tools_called],
        ["advanced tools", st.advanced_tools], ["distinct tool-sequence ratio", st.distinct_tool_sequence_ratio.toFixed(3)],
        ["near-duplicate queries", pct(near.rate) + " (" + near.groups + " groups)"],
        ["assistant messages with parallel calls", st.parallel_call_messages], ["tool error observations", st.error_observations],
        man.units_planned !== undefined ? ["units planned", man.units_planned] : null,
        man.phase_seconds ? ["phase seconds", Object.keys(man.phase_seconds).map(function (k) { return k + " " + man.phase_seconds[k]; }).join(", ")] : null])),
      histogram("Gold chain length per sample", st.chain_length, "calls"),
      histogram("Tool calls per sample", st.calls_per_sample, "calls"),
      histogram("Implicit dependencies per sample", st.implicit_dependencies, "implicit"),
      histogram("User turns per sample", st.turns, "turns"),
      histogram("Reasoner attempts per sample", st.attempts, "attempts"),
      barChart("Samples per domain", entries(st.domains), { axis: "samples" }),
      barChart("Most called tools", entries(st.tool_calls), { top: 20, axis: "calls" }),
      validityChart(val),
      languagePanel(lang),
      barChart("Rejections by stage", entries(man.rejections_by_stage), { axis: "candidates", empty: "no rejections recorded in manifest.json" }),
      barChart("Most frequent rejection reasons", entries(man.rejections_by_reason), { top: 12, axis: "candidates", empty: "no rejections recorded in manifest.json" }),
      ev ? evaluationCharts(ev) : h("div", { "class": "panel chart" }, h("h3", {}, "Evaluation"), h("div", { "class": "empty" }, "no evaluation yet: hardgen eval on this run writes RUN/eval/eval.json, which this page then charts"))));
  }

  function validityChart(val) {
    if (!val) return h("div", { "class": "panel chart" }, h("h3", {}, "Validity of the golds"), h("div", { "class": "empty" }, "no validity report in manifest.json"));
    var keys = [["implicit_writes", "implicit writes"], ["create_then_destroy", "create-then-destroy"], ["duplicate_new_entities", "duplicate new entities"],
      ["unused_calls", "unused gold calls"], ["undetermined_arguments", "undetermined arguments"], ["ambiguous_queries", "ambiguous queries"],
      ["multiple_identities", "several identities"], ["disconnected_turns", "disconnected turns"], ["short_conversations", "fewer turns than asked"]];
    var pairs = keys.filter(function (k) { return val[k[0]] !== undefined; }).map(function (k) { return [k[1], val[k[0]]]; });
    var box = barChart("Validity of the golds (every count should be 0)", pairs, { top: 20, axis: "samples / calls", max: Math.max(1, Math.max.apply(null, pairs.map(function (p) { return p[1]; }))),
      colour: function (p) { return p[1] ? "#c4314b" : "#1a7f37"; },
      note: "mean calls per turn " + (val.mean_calls_per_turn || 0).toFixed(2) + ", turns with ≥ 3 calls " + pct(val.share_turns_ge_3_calls) });
    var ex = val.examples || {};
    Object.keys(ex).forEach(function (k) {
      if (ex[k].length) box.appendChild(h("div", { "class": "note" }, k + ": ", ex[k].map(function (id) { return h("a", { href: "#tab=samples&sample=" + encodeURIComponent(id) }, id + " "); })));
    });
    return box;
  }

  function languagePanel(lang) {
    if (!lang || !lang.samples) return h("div", { "class": "panel chart" }, h("h3", {}, "Language"), h("div", { "class": "empty" }, "no data"));
    var box = barChart("Language: how template-like the text reads (lower is better, except skeletons)", [
      ["distinct skeletons / 100 samples", lang.skeletons_per_100_samples / 100],
      ["queries in top-20 frames", lang.top20_frame_share], ["4-grams from descriptions", lang.description_4gram_share],
      ["answers with dumps", lang.answers ? lang.answers_with_dumps / lang.answers : 0],
      ["answers with index paths", lang.answers ? lang.answers_with_index_paths / lang.answers : 0],
      ["answers with Python literals", lang.answers ? lang.answers_with_python_literals / lang.answers : 0],
      ["top reasoning frame", lang.top_reasoning_frame_share]], { top: 10, max: 1, format: function (x) { return pct(x); }, axis: "share" });
    box.appendChild(h("div", { "class": "note" }, "most frequent reasoning frame: “" + lang.top_reasoning_frame + "”"));
    if (lang.top_query_frames && lang.top_query_frames.length) {
      box.appendChild(h("div", { "class": "note" }, "most frequent query frames: ", lang.top_query_frames.slice(0, 5).map(function (f) { return badge(f[0] + " ×" + f[1]); })));
    }
    return box;
  }

  function evaluationCharts(ev) {
    function buckets(o) { return Object.keys(o).map(function (k) { return [k, o[k].accuracy, o[k]]; }); }
    var acc = { max: 1, format: function (x, p) { return p ? pct(x) + " of " + p[2].samples : pct(x); }, axis: "samples passed" };
    return h("div", { "class": "panel" }, h("h3", {}, "Evaluation: " + (ev.model || ev.agent) + ", " + ev.passed + "/" + ev.scored + " passed (" + pct(ev.accuracy) + ")"),
      barChart("by domain", buckets(ev.by_domain), acc),
      barChart("by gold chain length", buckets(ev.by_chain_length), acc),
      barChart("by implicit dependencies", buckets(ev.by_implicit_dependencies), acc),
      barChart("tools failed most (turns needing the tool that failed)", ev.tools.filter(function (t) { return t.failures; }).map(function (t) { return [t.tool, t.failures, t]; }),
        { top: 20, format: function (x, p) { return p ? x + " of " + p[2].attempts : String(x); }, axis: "failed turns", empty: "no tool failed" }));
  }

  // ---- graph ----------------------------------------------------------------------------------
  function renderGraph(st) {
    var wrap = h("div", {});
    main.appendChild(wrap);
    if (!RUN.has_graph) { wrap.appendChild(h("div", { "class": "panel empty" }, "This run has no graph.json.")); return; }
    load("graph").then(function (g) { drawGraph(wrap, g, st); }, showError(wrap));
  }

  function drawGraph(wrap, g, st) {
    var colours = { data_flow: "#1f77b4", state_prerequisite: "#d62728" };
    var out = g.nodes.map(function () { return []; }), inc = g.nodes.map(function () { return []; });
    g.edges.forEach(function (e, k) { out[e.s].push(k); inc[e.t].push(k); });
    var byName = {};
    g.nodes.forEach(function (n, i) { byName[n.id] = i; });
    var domainSel = h("select", { id: "graph-domain", onchange: function () { writeState({ domain: this.value, node: "" }); } },
      h("option", { value: "" }, "all domains"),
      g.domains.map(function (d) { return h("option", { value: d.name, selected: st.domain === d.name ? "selected" : null }, d.name + " (" + d.tools + " tools, " + d.failure_tools + " failing)"); }));
    var onlyFail = h("input", { type: "checkbox", id: "graph-failing", checked: st.failing ? "checked" : null,
      onchange: function () { writeState({ failing: this.checked ? "1" : "" }); } });
    var cross = h("input", { type: "checkbox", id: "graph-cross", checked: st.cross ? "checked" : null,
      onchange: function () { writeState({ cross: this.checked ? "1" : "" }); } });
    var find = h("input", { type: "search", placeholder: "find a tool", list: "graph-tools",
      onchange: function () { if (byName[this.value] !== undefined) writeState({ node: this.value }); } });
    var tools = h("datalist", { id: "graph-tools" }, g.nodes.map(function (n) { return h("option", { value: n.id }); }));
    var svg = s("svg", { id: "graph-svg" });
    var side = h("div", { "class": "panel", id: "graph-node" });
    wrap.appendChild(h("div", { "class": "graph-controls" }, domainSel, h("label", {}, onlyFail, " failure tools and their neighbours only"),
      h("label", {}, cross, " edges between domains"), find, tools,
      h("span", { "class": "muted" }, "scroll to zoom, drag to pan, click a tool for its neighbourhood. ",
        h("span", { style: "color:#1f77b4" }, "— data flow "), h("span", { style: "color:#d62728" }, "— state prerequisite "), "(dashed: candidate) ",
        h("span", { style: "color:#e8590c" }, "● failure tool"))));
    wrap.appendChild(h("div", { "class": "graph-wrap" }, h("div", { "class": "graph-box" }, svg), side));

    var focus = st.node !== undefined ? byName[st.node] : undefined;
    var near = {};
    if (focus !== undefined) {
      near[focus] = 1;
      out[focus].forEach(function (k) { near[g.edges[k].t] = 1; });
      inc[focus].forEach(function (k) { near[g.edges[k].s] = 1; });
    }
    var failing = {};
    if (st.failing) {
      g.nodes.forEach(function (n, i) {
        if (!n.failures) return;
        failing[i] = 1;
        out[i].forEach(function (k) { failing[g.edges[k].t] = 1; });
        inc[i].forEach(function (k) { failing[g.edges[k].s] = 1; });
      });
    }
    function visible(i) { return !st.failing || failing[i]; }
    var layer = s("g", {});
    g.domains.forEach(function (d) {
      layer.appendChild(s("rect", { x: d.box[0], y: d.box[1], width: d.box[2], height: d.box[3], fill: "#fafbfc", stroke: "#e1e4e8", rx: 3, "vector-effect": "non-scaling-stroke" }));
      layer.appendChild(s("text", { x: d.box[0] + 2, y: d.box[1] + 6, "class": "domain-label" }, d.name));
    });
    g.edges.forEach(function (e, k) {
      if (!visible(e.s) || !visible(e.t)) return;
      var a = g.nodes[e.s], b = g.nodes[e.t];
      var touches = e.s === focus || e.t === focus;
      // Edges between domains are most of the lines and little of the meaning: off unless asked
      // for, or unless they touch the tool being looked at.
      if (a.domain !== b.domain && !st.cross && !touches) return;
      var lit = focus === undefined || touches;
      layer.appendChild(s("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: colours[e.kind] || "#888",
        "stroke-width": e.status === "confirmed" ? 0.35 : 0.2, "stroke-dasharray": e.status === "confirmed" ? null : "0.8 0.6",
        "marker-end": "url(#garrow)", "class": lit ? "" : "dim" }));
    });
    g.nodes.forEach(function (n, i) {
      if (!visible(i)) return;
      var lit = focus === undefined || near[i];
      var r = 1.2 + (n.failures ? Math.min(2.2, 0.6 + 0.4 * Math.sqrt(n.failures)) : 0);
      var node = s("circle", { cx: n.x, cy: n.y, r: r, fill: n.failures ? "#e8590c" : "#9aa4ae", stroke: i === focus ? "#000" : (n.failures ? "#b30000" : "#fff"),
        "stroke-width": i === focus ? 0.6 : 0.2, "class": lit ? "" : "dim", "data-tool": n.id, style: "cursor:pointer",
        onclick: function (ev) { ev.stopPropagation(); writeState({ node: n.id }); } }, s("title", {}, n.id + (n.failures ? " (failed " + n.failures + " of " + n.attempts + ")" : "")));
      layer.appendChild(node);
      layer.appendChild(s("text", { x: n.x + r + 0.4, y: n.y + 0.8, "class": "node-label" + (lit ? "" : " dim") }, n.id));
    });
    svg.appendChild(s("defs", {}, s("marker", { id: "garrow", viewBox: "0 0 6 6", refX: "9", refY: "3", markerWidth: "4", markerHeight: "4", orient: "auto" }, s("path", { d: "M0,0 L6,3 L0,6 z", fill: "#888" }))));
    svg.appendChild(layer);

    // The view box: the chosen domain's square, the focused tool's neighbourhood, or everything.
    var box;
    var dom = g.domains.filter(function (d) { return d.name === st.domain; })[0];
    if (focus !== undefined) {
      var pts = Object.keys(near).map(function (i) { return g.nodes[i]; });
      var xs = pts.map(function (p) { return p.x; }), ys = pts.map(function (p) { return p.y; });
      var x0 = Math.min.apply(null, xs) - 12, y0 = Math.min.apply(null, ys) - 12;
      box = [x0, y0, Math.max(40, Math.max.apply(null, xs) + 30 - x0), Math.max(40, Math.max.apply(null, ys) + 12 - y0)];
    } else if (dom) box = [dom.box[0] - 4, dom.box[1] - 4, dom.box[2] + 8, dom.box[3] + 8];
    else {
      var maxX = Math.max.apply(null, g.domains.map(function (d) { return d.box[0] + d.box[2]; }).concat([100]));
      var maxY = Math.max.apply(null, g.domains.map(function (d) { return d.box[1] + d.box[3]; }).concat([100]));
      box = [-5, -5, maxX + 10, maxY + 10];
    }
    function setBox() { svg.setAttribute("viewBox", box.join(" ")); }
    setBox();
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var rect = svg.getBoundingClientRect(), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      var mx = box[0] + box[2] * (ev.clientX - rect.left) / rect.width, my = box[1] + box[3] * (ev.clientY - rect.top) / rect.height;
      box = [mx - (mx - box[0]) * f, my - (my - box[1]) * f, box[2] * f, box[3] * f];
      setBox();
    }, { passive: false });
    var drag = null;
    svg.addEventListener("mousedown", function (ev) { drag = [ev.clientX, ev.clientY, box[0], box[1]]; });
    window.addEventListener("mouseup", function () { drag = null; });
    svg.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      box[0] = drag[2] - (ev.clientX - drag[0]) * box[2] / rect.width;
      box[1] = drag[3] - (ev.clientY - drag[1]) * box[3] / rect.height;
      setBox();
    });

    if (focus === undefined) {
      var worst = g.nodes.filter(function (n) { return n.failures && (!dom || n.domain === dom.name); }).sort(function (a, b) { return b.failures - a.failures; }).slice(0, 15);
      side.appendChild(h("h3", {}, g.nodes.length + " tools, " + g.edges.length + " live edges"));
      side.appendChild(h("p", { "class": "muted" }, "Click a tool to see where its inputs come from and what its results feed."));
      side.appendChild(h("h3", {}, "Tools failed most" + (dom ? " in " + dom.name : "")));
      if (!worst.length) side.appendChild(h("p", { "class": "muted" }, "no failure data in graph.json"));
      worst.forEach(function (n) { side.appendChild(h("div", {}, h("span", { "class": "nodelink", onclick: function () { writeState({ node: n.id }); } }, n.id), " failed " + n.failures + " of " + n.attempts)); });
      return;
    }
    var n = g.nodes[focus];
    function links(ks, end) {
      if (!ks.length) return h("p", { "class": "muted" }, "none");
      return ks.map(function (k) {
        var e = g.edges[k], other = g.nodes[e[end]];
        return h("div", {}, h("span", { "class": "nodelink", onclick: function () { writeState({ node: other.id }); } }, other.id),
          " ", badge(e.kind.replace("_", " ")), e.status === "confirmed" ? "" : badge(e.status));
      });
    }
    side.appendChild(h("h3", {}, n.id));
    side.appendChild(h("dl", { "class": "meta" }, h("dt", {}, "domain"), h("dd", {}, n.domain), h("dt", {}, "writes"), h("dd", {}, n.mutates ? "yes" : "no"),
      h("dt", {}, "failures"), h("dd", {}, n.failures + " of " + n.attempts + " probe tasks"),
      Object.keys(n.taxonomy).length ? [h("dt", {}, "kinds"), h("dd", {}, Object.keys(n.taxonomy).map(function (k) { return badge(k + " " + n.taxonomy[k]); }))] : null));
    side.appendChild(h("p", {}, n.description));
    side.appendChild(h("h3", {}, "Inputs from (" + inc[focus].length + ")"));
    append(side, links(inc[focus], "s"));
    side.appendChild(h("h3", {}, "Results feed (" + out[focus].length + ")"));
    append(side, links(out[focus], "t"));
    side.appendChild(h("p", {}, h("a", { href: "#tab=samples&tool=" + encodeURIComponent(n.id) }, "samples calling " + n.id), " · ",
      h("a", { href: "javascript:void 0", onclick: function () { writeState({ node: "" }); } }, "back to the whole graph")));
  }

  // ---- tabs -----------------------------------------------------------------------------------
  function render() {
    var st = readState();
    clear(main);
    var tabs = document.querySelectorAll("#tabs a");
    for (var i = 0; i < tabs.length; i++) tabs[i].className = tabs[i].getAttribute("data-tab") === st.tab ? "active" : "";
    if (!RUN || !INDEX) { main.appendChild(h("div", { "class": "panel empty" }, "The data files next to this page are missing: build it again with hardgen view.")); return; }
    if (st.tab === "rejected") renderRejected(st);
    else if (st.tab === "stats") renderStats();
    else if (st.tab === "graph") renderGraph(st);
    else renderSamples(st);
    document.body.setAttribute("data-rendered", st.tab);
  }
  window.addEventListener("hashchange", render);
  render();
})();
