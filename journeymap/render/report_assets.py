"""The fixed parts of the HTML report: style sheet, script and glossary.

Nothing here depends on the log, so nothing here needs escaping; the script reads only
the page's own structure (view buttons, tables) and never writes log text as HTML.
"""

from __future__ import annotations

__all__ = [
    "GLOSSARY",
    "HYPOTHESIS_NOTE",
    "MORE_OF_THE_MAP",
    "SCRIPT",
    "STYLE",
    "TEMPLATE_TERMS",
    "ZOOM_HELP",
]

HYPOTHESIS_NOTE = (
    "Failure demand found in a log is a hypothesis, not a verdict: check it by listening "
    "to real demand (calls, letters, e-mails) before acting on it."
)

#: (term, definition) in plain words, consistent with docs MEASURES.md.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Case", "One unit of demand: a customer request, ticket or application, followed "
     "from its first event to its last."),
    ("Activity", "What happened in a case: a step, a status or a touchpoint."),
    ("Transition", "Two events of one case that follow each other directly. The journey "
     "map draws one arrow for each pair of activities that occur as a transition."),
    ("Wait", "The time between two consecutive events of a case. With start times, the "
     "time from the end of one step to the start of the next (never below zero)."),
    ("Hand-off", "A change of handler (team, or person when no team is recorded) between "
     "two consecutive events of a case whose handlers are known."),
    ("Ping-pong", "Work that goes from one handler to another and straight back "
     "(X to Y to X). A ping-pong case has at least one."),
    ("Reintegration plan", "Groups of handlers that, working as one, would remove the most "
     "waiting at hand-offs: the hand-offs between two handlers of a group, their total "
     "wait and share of all hand-off waiting, and the cases with at least one. A "
     "hypothesis to study, not a reorganisation chart."),
    ("Rework, redo, repeat", "A rework event is an activity that already happened earlier "
     "in the same case. It is a redo when someone else does it again, and a repeat when "
     "the same person does it again. A self-loop is an activity followed directly by "
     "itself."),
    ("Failure demand", "Demand caused by a failure to do something, or to do something "
     "right, for the customer: chasing, complaining, re-opening, contacting again soon "
     "after. A case is failure demand when any failure rule matches it. "
     + HYPOTHESIS_NOTE),
    ("Value demand", "Demand the service exists to meet: what customers want from it. "
     "Every case that no failure rule matches."),
    ("One-stop", "A case handled by one handler only, with no rework, that is value "
     "demand."),
    ("Clean", "A case with no rework, no ping-pong, that is value demand and that avoids "
     "the activities named as dirty (for example asking for more information)."),
    ("End-to-end time", "From the first event of a case (its first start time, when "
     "recorded) to its last event: what the customer experiences."),
    ("XmR chart, natural process limits, signals", "A process behaviour chart: the values "
     "in time order, their mean (the centre line) and the natural process limits, centre "
     "± 2.66 × the average moving range between successive values. Values inside the "
     "limits are what the system predictably delivers. A signal is a point outside the "
     "limits, eight or more successive points on one side of the centre line, or three of "
     "four successive points beyond the halfway line on the same side: something "
     "special happened, worth understanding."),
    ("Variant", "The sequence of activities of a case. Cases with the same sequence "
     "share a variant; variants are ranked by how many cases follow them."),
    ("Journey template", "The journey a type of demand is designed to take: its steps in "
     "order, some optional, repeatable, in any order or alternatives, or a BPMN model. A "
     "case went through as designed when its activities are one of the sequences the "
     "template allows."),
    ("Skipped, inserted, repeated", "What a case did differently from its template, by the "
     "fewest changes that turn it into a designed journey: a designed step it did not do "
     "(skipped), an activity the design does not expect there (inserted) or does again "
     "(repeated)."),
    ("Could have been straightforward", "A case of value demand that did not go through "
     "as designed: the service could have handled it the designed way."),
    ("Extra end-to-end time", "The median end-to-end time of the cases that deviated from "
     "the template minus the median of those that went through as designed."),
)  # fmt: skip

#: The glossary's terms of journey templates: a report without templates leaves them out.
TEMPLATE_TERMS = frozenset(
    {
        "Journey template",
        "Skipped, inserted, repeated",
        "Could have been straightforward",
        "Extra end-to-end time",
    }
)

STYLE = """
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b5394;
  --soft: #eef3f8; --warn: #8a1c1c; }
* { box-sizing: border-box; }
html { font-size: 19px; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem 2rem 4rem; color: var(--ink);
  background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
h1 { font-size: 2rem; margin: 0 0 .5rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 3px solid var(--accent); }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
p.statement { font-size: 1.2rem; font-weight: 600; }
.note { color: var(--muted); }
.hypothesis, .warning { border-left: 5px solid var(--warn); padding: .5rem 1rem;
  background: #fbf1f1; }
ul.warnings li { color: var(--warn); }
nav.toc ul { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding: 0;
  list-style: none; }
a { color: var(--accent); }
dl.numbers { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
  gap: .75rem; margin: 1rem 0; }
dl.numbers div { background: var(--soft); border-radius: 6px; padding: .6rem .8rem; }
dl.numbers dt { font-size: .85rem; color: var(--muted); }
dl.numbers dd { margin: 0; font-size: 1.5rem; font-weight: 700; }
.views { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; align-items: center; }
button { font: inherit; font-size: .95rem; padding: .35rem .9rem; border-radius: 4px;
  border: 2px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
button[aria-pressed="true"] { background: var(--accent); color: #fff; }
button:focus-visible, .viewport:focus-visible, th button:focus-visible {
  outline: 3px solid #e69500; outline-offset: 2px; }
.viewport { position: relative; height: min(75vh, 56rem); min-height: 420px; overflow: hidden;
  border: 1px solid var(--line); border-radius: 6px; cursor: grab; touch-action: none;
  background: #fff; }
.viewport.dragging { cursor: grabbing; }
.viewport .more { position: absolute; right: .5rem; bottom: .5rem; margin: 0;
  padding: .2rem .5rem; font-size: .85rem; color: var(--muted); background: #fffe;
  border: 1px solid var(--line); border-radius: 4px; pointer-events: none; }
.view { display: none; }
.view.active { display: block; }
.pan { width: 100%; height: 100%; transform-origin: 0 0; }
.pan > svg { width: 100%; height: 100%; display: block; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; color: var(--muted); padding-bottom: .3rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: var(--soft); }
th button { border: 0; background: none; color: var(--ink); padding: 0; font-weight: 700;
  font-size: inherit; text-align: inherit; width: 100%; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
ol.opportunities li { margin-bottom: .6rem; }
dl.glossary dt { font-weight: 700; margin-top: .6rem; }
dl.glossary dd { margin-left: 1.25rem; }
code, pre { font-family: ui-monospace, Consolas, monospace; font-size: .85rem; }
pre { background: var(--soft); padding: .75rem; overflow-x: auto; white-space: pre-wrap; }
@media print {
  html { font-size: 12pt; }
  body { max-width: none; padding: 0; }
  .views, .zoom-help, nav.toc, .viewport .more { display: none; }
  .viewport { height: auto !important; min-height: 0; overflow: visible; border: 0; }
  .view { display: block; break-inside: avoid; page-break-inside: avoid; }
  .pan { transform: none !important; height: auto; }
  .pan > svg { height: auto; max-height: 24cm; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, figure, li { break-inside: avoid; page-break-inside: avoid; }
}
"""

#: How to move about a map in a report (the keys :data:`SCRIPT` gives the map's frame).
ZOOM_HELP = (
    '<span class="note zoom-help">Zoom: mouse wheel or + and −; move: drag or arrow keys; '
    "0 shows the whole map, 1 its start at a readable size.</span>"
)

#: Inside a map's frame: shown by :data:`SCRIPT` while part of the map is outside the
#: frame, so that a reader (or a screenshot) does not take the part for the whole.
MORE_OF_THE_MAP = (
    '<p class="more" hidden>Part of the map is outside the frame: drag it, or press 0 '
    "to see it whole.</p>"
)

SCRIPT = """
(function () {
  "use strict";
  // Journey map views: one button per view, no reload.
  document.querySelectorAll("[data-views]").forEach(function (box) {
    var buttons = box.querySelectorAll("button[data-view]");
    var views = box.querySelectorAll(".view");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        buttons.forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        views.forEach(function (v) {
          v.classList.toggle("active", v.getAttribute("data-view") === button.dataset.view);
        });
      });
    });
  });
  // Zoom and pan: mouse wheel, drag, and keys + - 0 1 and arrows on the focused map.
  document.querySelectorAll(".viewport").forEach(function (port) {
    var s = 1, x = 0, y = 0, drag = null, more = port.querySelector(".more");
    function apply() {
      port.querySelectorAll(".pan").forEach(function (p) {
        p.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
      });
      // Say so while part of the map is outside the frame.
      var svg = port.querySelector(".view.active svg");
      if (!more || !svg) { return; }
      var r = port.getBoundingClientRect(), d = svg.getBoundingClientRect();
      more.hidden = d.left >= r.left - 2 && d.top >= r.top - 2 &&
        d.right <= r.right + 2 && d.bottom <= r.bottom + 2;
    }
    // A big map fitted to the frame has text too small to read: it opens instead at
    // the size where its smallest text is READABLE px high, its start in sight. One
    // whose text is nearly that size (within NEAR times) opens whole. A map taller
    // than the frame first makes the frame taller, up to GROW of the window's height
    // (a frame the size of the window would take the mouse wheel from the page).
    var READABLE = 11, NEAR = 1.25, GROW = 0.85;
    function start() {
      s = 1; x = 0; y = 0; port.style.height = ""; apply();
      var svg = port.querySelector(".view.active svg");
      if (!svg || !svg.viewBox || !svg.viewBox.baseVal) { return; }
      var box = svg.viewBox.baseVal, sizes = [];
      svg.querySelectorAll("text[font-size]").forEach(function (t) {
        sizes.push(parseFloat(t.getAttribute("font-size")));
      });
      sizes = sizes.filter(function (v) { return v > 0; }).sort(function (a, b) { return a - b; });
      if (!sizes.length || !box.width || !box.height) { return; }
      var d = svg.getBoundingClientRect(), room = Math.floor(window.innerHeight * GROW);
      if (d.height > port.clientHeight && room > port.offsetHeight) {
        port.style.height = Math.min(room, Math.ceil(d.height) + port.offsetHeight -
          port.clientHeight) + "px";
      }
      // Where the drawing is at scale 1, in the frame's coordinates, and its scale.
      var r = port.getBoundingClientRect();
      d = svg.getBoundingClientRect();
      var left = d.left - r.left - port.clientLeft, top = d.top - r.top - port.clientTop;
      var fit = Math.min(d.width / box.width, d.height / box.height);
      var small = sizes[Math.floor(sizes.length / 10)];  // the smallest, bar a few
      var need = READABLE / (small * fit);
      // The whole map, if its text is still nearly readable at the size that fits it.
      var whole = Math.min(1, port.clientHeight / d.height, port.clientWidth / d.width);
      if (need <= NEAR * whole) { showWhole(); return; }
      if (need <= NEAR) { apply(); return; }  // text nearly readable: the map as drawn
      s = Math.min(20, need);
      // At that size too, the frame takes the map's height if the window has room.
      var tall = Math.min(room, Math.ceil(d.height * s) + port.offsetHeight - port.clientHeight);
      if (tall > port.offsetHeight) { port.style.height = tall + "px"; }
      // Its top left corner (the title) at the frame's, unless the start node would
      // then be out of sight: then the start at the left, half way down.
      x = -left * s; y = -top * s;
      var first = null;
      svg.querySelectorAll("g.node > title").forEach(function (t) {
        if (!first && t.textContent === "start") { first = t.parentNode; }
      });
      if (first) {
        var n = first.getBoundingClientRect();
        var cx = n.left + n.width / 2 - r.left, cy = n.top + n.height / 2 - r.top;
        if (x + cx * s > port.clientWidth - 60) { x = 60 - cx * s; }
        if (y + cy * s > port.clientHeight - 60) { y = port.clientHeight / 2 - cy * s; }
      }
      // No side of the frame left empty while the map is cut off at the other.
      x = within(x, port.clientWidth, left, d.width);
      y = within(y, port.clientHeight, top, d.height);
      apply();
    }
    // The whole map in the frame: a tall one made smaller to fit, and centred.
    function showWhole() {
      s = 1; x = 0; y = 0; apply();
      var svg = port.querySelector(".view.active svg");
      if (!svg) { return; }
      var r = port.getBoundingClientRect(), d = svg.getBoundingClientRect();
      if (!(d.height > port.clientHeight)) { return; }
      s = port.clientHeight / d.height;
      x = (port.clientWidth - d.width * s) / 2 - (d.left - r.left - port.clientLeft) * s;
      y = -(d.top - r.top - port.clientTop) * s;
      apply();
    }
    // A translation along one axis that keeps the drawing (at offset `off` and of size
    // `size` at scale 1) over the frame (of size `frame`) at scale s, or at its start
    // when it is smaller.
    function within(at, frame, off, size) {
      var low = frame - (off + size) * s, high = -off * s;
      return low > high ? high : Math.min(high, Math.max(low, at));
    }
    start();
    // Another view of the map may fit where this one did not.
    var views = port.closest("[data-views]");
    if (views) {
      views.querySelectorAll("button[data-view]").forEach(function (button) {
        button.addEventListener("click", apply);
      });
    }
    function zoom(factor, cx, cy) {
      var next = Math.min(20, Math.max(0.2, s * factor));
      x = cx - (cx - x) * next / s; y = cy - (cy - y) * next / s; s = next; apply();
    }
    port.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = port.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    port.addEventListener("pointerdown", function (e) {
      drag = { x: e.clientX - x, y: e.clientY - y };
      port.classList.add("dragging"); port.setPointerCapture(e.pointerId);
    });
    port.addEventListener("pointermove", function (e) {
      if (drag) { x = e.clientX - drag.x; y = e.clientY - drag.y; apply(); }
    });
    function stop() { drag = null; port.classList.remove("dragging"); }
    port.addEventListener("pointerup", stop);
    port.addEventListener("pointercancel", stop);
    port.addEventListener("keydown", function (e) {
      var w = port.clientWidth / 2, h = port.clientHeight / 2, step = 60;
      if (e.key === "+" || e.key === "=") { zoom(1.25, w, h); }
      else if (e.key === "-" || e.key === "_") { zoom(0.8, w, h); }
      else if (e.key === "0") { showWhole(); }
      else if (e.key === "1") { start(); }
      else if (e.key === "ArrowLeft") { x += step; apply(); }
      else if (e.key === "ArrowRight") { x -= step; apply(); }
      else if (e.key === "ArrowUp") { y += step; apply(); }
      else if (e.key === "ArrowDown") { y -= step; apply(); }
      else { return; }
      e.preventDefault();
    });
  });
  // Sortable tables: numbers (data-sort) numerically, text alphabetically.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var n = cell.getAttribute("data-sort");
          return n !== null ? parseFloat(n) : cell.textContent.trim().toLowerCase();
        }
        rows.sort(function (a, b) {
          var p = key(a), q = key(b);
          var c = (typeof p === "number" && typeof q === "number")
            ? (isNaN(p) ? 1 : isNaN(q) ? -1 : p - q)
            : String(p).localeCompare(String(q));
          return up ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
"""
