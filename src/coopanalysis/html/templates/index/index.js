// Search and sort over the index's reports, offline: reads the rows' data attributes, never
// writes markup (only moves rows, toggles `hidden` and sets plain text).
(function () {
  "use strict";
  var tools = document.getElementById("ix-tools");
  var body = document.getElementById("ix-rows");
  if (!tools || !body) { return; }
  var q = document.getElementById("ix-q");
  var sort = document.getElementById("ix-sort");
  var count = document.getElementById("ix-count");
  var none = document.getElementById("ix-none");
  var rows = Array.prototype.slice.call(body.rows);
  var facts = rows.map(function (tr, i) {
    var d = {};
    try { d = JSON.parse(tr.getAttribute("data-sort") || "{}"); } catch (e) { d = {}; }
    return { tr: tr, i: i, d: d, text: tr.getAttribute("data-search") || "" };
  });
  function missingLast(a, b, f) {  // rows without the value go after those with it
    var x = f(a), y = f(b);
    if (x == null && y == null) { return a.i - b.i; }
    if (x == null) { return 1; }
    if (y == null) { return -1; }
    return x < y ? -1 : x > y ? 1 : a.i - b.i;
  }
  function order(how) {
    var list = facts.slice();
    if (how === "title") {
      list.sort(function (a, b) { return (a.d.title || "").localeCompare(b.d.title || "") || a.i - b.i; });
    } else if (how === "period-desc" || how === "period-asc") {
      var s = how === "period-desc" ? -1 : 1;
      list.sort(function (a, b) {
        return missingLast(a, b, function (r) { return r.d.end == null ? null : s * (r.d.end * 10000 + r.d.start); });
      });
    } else if (how.indexOf("fig-") === 0) {
      var key = how.slice(4);
      list.sort(function (a, b) {
        return missingLast(a, b, function (r) {
          var v = (r.d.figures || {})[key];
          return typeof v === "number" ? -v : null;
        });
      });
    } else {
      list.sort(function (a, b) { return a.i - b.i; });
    }
    return list;
  }
  function update() {
    var words = q.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    order(sort.value).forEach(function (r) {
      var hit = words.every(function (w) { return r.text.indexOf(w) !== -1; });
      r.tr.hidden = !hit;
      if (hit) { shown += 1; }
      body.appendChild(r.tr);
    });
    count.textContent = (tools.getAttribute("data-count") || "{shown} / {total}")
      .replace("{shown}", String(shown)).replace("{total}", String(facts.length));
    none.hidden = shown !== 0;
  }
  q.addEventListener("input", update);
  sort.addEventListener("change", update);
  tools.hidden = false;
  update();
})();
