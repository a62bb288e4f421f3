// The controls under each chart and table: CSV / XLSX of their data, PNG / SVG of a chart, "show
// as table", and the chart state in the address (#chart-id:focus=Telegram,Meta&brush=2021-01-01..2021-12-31).
// Everything is built here from data in the page: no network. Texts come from #coop-strings.
(function () {
"use strict";
var S = {}, charts = {}, wanted = {}, timer = null;
try { S = JSON.parse(document.getElementById("coop-strings").textContent); } catch (e) { S = {}; }
function t(k) { return S[k] || k; }
function json(sel) { var el = document.querySelector(sel); return el ? JSON.parse(el.textContent) : null; }
function dataFor(cls, id) {
  var all = document.querySelectorAll("script." + cls);
  for (var i = 0; i < all.length; i++) { if (all[i].getAttribute("data-for") === id) { return JSON.parse(all[i].textContent); } }
  return null;
}

// ---- the address: id:param=v1,v2&param=a..b;id2:...
function readHash() {
  var out = {}, h = location.hash.replace(/^#/, "");
  h.split(";").forEach(function (part) {
    var at = part.indexOf(":"); if (at < 1) { return; }
    var id = decodeURIComponent(part.slice(0, at)), st = {};
    part.slice(at + 1).split("&").forEach(function (kv) {
      var eq = kv.indexOf("="); if (eq < 1) { return; }
      var v = kv.slice(eq + 1);
      st[decodeURIComponent(kv.slice(0, eq))] = v.indexOf("..") >= 0 ? v.split("..").map(decodeURIComponent) : v.split(",").map(decodeURIComponent);
    });
    out[id] = st;
  });
  return out;
}
function day(ms) { var d = new Date(ms), p = function (n) { return (n < 10 ? "0" : "") + n; }; return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()); }
function dateTime(s) { var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(s); return m ? { year: +m[1], month: +m[2], date: +m[3] } : +s; }
function stateOf(c) {
  var parts = [];
  (c.meta.params || []).forEach(function (p) {
    var v; try { v = c.view.signal(p.name) || {}; } catch (e) { return; }
    var e = encodeURIComponent;
    if (p.type === "point") {
      var vals = v[p.fields[0]];
      if (vals && vals.length) { parts.push(e(p.name) + "=" + vals.map(function (x) { return e(String(x)); }).join(",")); }
    } else {
      var r = null; for (var k in v) { if (v[k] && v[k].length === 2) { r = v[k]; } }
      if (r) { parts.push(e(p.name) + "=" + r.map(function (x) { return e(p.temporal ? day(+x) : String(+(+x).toPrecision(6))); }).join("..")); }
    }
  });
  return parts.join("&");
}
function writeHash() {
  clearTimeout(timer);
  timer = setTimeout(function () {
    var parts = [];
    Object.keys(charts).forEach(function (id) { var c = charts[id]; if (c.view) { var s = stateOf(c); if (s) { parts.push(encodeURIComponent(id) + ":" + s); } } });
    var url = location.pathname + location.search + (parts.length ? "#" + parts.join(";") : "");
    try { history.replaceState(null, "", url); } catch (e) { location.hash = parts.join(";"); }
  }, 200);
}
function setParams(node, name, value) {
  if (!node || typeof node !== "object") { return; }
  (node.params || []).forEach(function (p) { if (p.name === name) { p.value = value; } });
  ["layer", "vconcat", "hconcat", "concat"].forEach(function (k) { (node[k] || []).forEach(function (n) { setParams(n, name, value); }); });
  if (node.spec) { setParams(node.spec, name, value); }
}
function applyState(spec, meta, st) {
  (meta.params || []).forEach(function (p) {
    var v = st[p.name]; if (!v || !v.length) { return; }
    if (p.type === "point") {
      setParams(spec, p.name, v.map(function (x) { var o = {}; o[p.fields[0]] = (p.numeric || [])[0] ? +x : x; return o; }));
    } else if (v.length === 2) {
      var o = {}; o[p.channel] = v.map(function (x) { return p.temporal ? dateTime(x) : +x; }); setParams(spec, p.name, o);
    }
  });
  return spec;
}
window.coopSpec = function (id, spec) {
  var meta = dataFor("coop-chart-data", id) || { columns: [], params: [] };
  charts[id] = { spec: JSON.parse(JSON.stringify(spec)), meta: meta };
  return wanted[id] ? applyState(spec, meta, wanted[id]) : spec;
};
window.coopView = function (id, view) {
  var c = charts[id]; if (!c) { return; }
  c.view = view;
  (c.meta.params || []).forEach(function (p) { try { view.addSignalListener(p.name, writeHash); } catch (e) { /* no such signal */ } });
  if (wanted[id] && !wanted.scrolled) { wanted.scrolled = true; var el = document.getElementById(id); if (el) { el.scrollIntoView(); } }
};
wanted = readHash();

// ---- the data of a chart or table: {title, columns: [{title, type}], rows}
function chartRows(c) {
  var src = c.meta.source || {}, rows = [];
  if (src.dataset) { rows = (c.spec.datasets || {})[src.dataset] || []; }
  else if (src.path) { rows = src.path.reduce(function (n, k) { return n ? n[k] : n; }, c.spec) || []; }
  return rows.map(function (r) {
    return c.meta.columns.map(function (col) {
      if (col.hidden && r[col.hidden] != null) { return r[col.hidden]; }
      var v = r[col.field];
      return (col.type === "date" && typeof v === "string") ? v.replace(/T00:00:00(\.0+)?Z?$/, "") : (v === undefined ? null : v);
    });
  });
}
function tableOf(id) {
  if (charts[id]) { var c = charts[id]; return { title: c.meta.title, columns: c.meta.columns, rows: chartRows(c) }; }
  var p = dataFor("coop-table-data", id);
  return p ? { title: p.caption, columns: p.columns, rows: p.rows } : null;
}

// ---- CSV (UTF-8 with BOM, RFC 4180, formula-looking text neutralised)
function csvCell(v) {
  if (v == null) { return ""; }
  if (typeof v === "number" || typeof v === "boolean") { return String(v); }
  var s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; }
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
function csv(d) {
  var lines = [d.columns.map(function (c) { return csvCell(c.title); }).join(",")];
  d.rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
  return new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
}

// ---- XLSX: a store-only ZIP of five small XML files, one sheet of inline strings and numbers
var CRC = [];
for (var n = 0; n < 256; n++) { var c = n; for (var k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; } CRC[n] = c >>> 0; }
function crc32(b) { var c = 0xFFFFFFFF; for (var i = 0; i < b.length; i++) { c = CRC[(c ^ b[i]) & 255] ^ (c >>> 8); } return (c ^ 0xFFFFFFFF) >>> 0; }
function zip(files) {
  var enc = new TextEncoder(), parts = [], dir = [], off = 0;
  function le(n, size) { var a = []; for (var i = 0; i < size; i++) { a.push((n >>> (8 * i)) & 255); } return a; }
  files.forEach(function (f) {
    var name = enc.encode(f[0]), data = enc.encode(f[1]), crc = crc32(data);
    var common = [].concat(le(20, 2), le(0, 2), le(0, 2), le(0, 2), le(0x21, 2), le(crc, 4), le(data.length, 4), le(data.length, 4), le(name.length, 2), le(0, 2));
    var head = new Uint8Array([].concat(le(0x04034b50, 4), common));
    parts.push(head, name, data);
    dir.push(new Uint8Array([].concat(le(0x02014b50, 4), le(20, 2), common, le(0, 2), le(0, 2), le(0, 2), le(0, 4), le(off, 4))), name);
    off += head.length + name.length + data.length;
  });
  var size = dir.reduce(function (s, a) { return s + a.length; }, 0);
  var end = new Uint8Array([].concat(le(0x06054b50, 4), le(0, 2), le(0, 2), le(files.length, 2), le(files.length, 2), le(size, 4), le(off, 4), le(0, 2)));
  return new Blob(parts.concat(dir, [end]), { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
}
function xml(s) { return String(s).replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"); }
function col(i) { var s = ""; i++; while (i > 0) { var m = (i - 1) % 26; s = String.fromCharCode(65 + m) + s; i = Math.floor((i - 1) / 26); } return s; }
function xlsxCell(v, ref) {
  if (v == null) { return ""; }
  if (typeof v === "number" && isFinite(v)) { return '<c r="' + ref + '"><v>' + v + "</v></c>"; }
  if (typeof v === "boolean") { return '<c r="' + ref + '" t="b"><v>' + (v ? 1 : 0) + "</v></c>"; }
  return '<c r="' + ref + '" t="inlineStr"><is><t xml:space="preserve">' + xml(v) + "</t></is></c>";
}
function xlsx(d) {
  var all = [d.columns.map(function (c) { return c.title; })].concat(d.rows), rows = all.map(function (r, i) {
    return '<row r="' + (i + 1) + '">' + r.map(function (v, j) { return xlsxCell(v, col(j) + (i + 1)); }).join("") + "</row>";
  }).join("");
  var ns = 'xmlns="http://schemas.openxmlformats.org/', rel = ns + 'package/2006/relationships"';
  return zip([
    ["[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types ' + ns + 'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'],
    ["_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships ' + rel + '><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'],
    ["xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook ' + ns + 'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'],
    ["xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships ' + rel + '><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'],
    ["xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet ' + ns + 'spreadsheetml/2006/main"><sheetData>' + rows + "</sheetData></worksheet>"]
  ]);
}

// ---- saving, images, the table view
function save(href, name, revoke) {
  var a = document.createElement("a"); a.href = href; a.download = name; a.style.display = "none";
  document.body.appendChild(a); a.click(); a.remove();
  if (revoke) { setTimeout(function () { URL.revokeObjectURL(href); }, 30000); }
}
function saveBlob(blob, name) { save(URL.createObjectURL(blob), name, true); }
var TOP = ["$schema", "datasets", "config", "background", "padding", "autosize", "usermeta"];
function image(id, fmt) {
  var c = charts[id], banner = S.banner;
  if (!c || !c.view) { return; }
  if (!banner) { return c.view.toImageURL(fmt, fmt === "png" ? 2 : 1).then(function (u) { save(u, id + "." + fmt, false); }); }
  var inner = {}, outer = {}, spec = applyState(JSON.parse(JSON.stringify(c.spec)), c.meta, readState(c));
  Object.keys(spec).forEach(function (k) { (TOP.indexOf(k) >= 0 ? outer : inner)[k] = spec[k]; });
  outer.title = { text: banner, color: "#9a2a1b", anchor: "start", fontSize: 12, fontWeight: "bold" };
  outer.vconcat = [inner];
  var box = document.createElement("div"), view = null;
  box.style.cssText = "position:absolute;left:-99999px;top:0"; document.body.appendChild(box);
  return window.vegaEmbed.call(null, box, outer, { actions: false, renderer: "svg" })
    .then(function (r) { view = r.view; return view.toImageURL(fmt, fmt === "png" ? 2 : 1); })
    .then(function (u) { save(u, id + "." + fmt, false); })
    .finally(function () { if (view) { view.finalize(); } box.remove(); });
}
function readState(c) { var st = {}; stateOf(c).split("&").forEach(function (kv) { var eq = kv.indexOf("="); if (eq > 0) { var v = kv.slice(eq + 1); st[decodeURIComponent(kv.slice(0, eq))] = (v.indexOf("..") >= 0 ? v.split("..") : v.split(",")).map(decodeURIComponent); } }); return st; }
function showTable(id, button) {
  var box = document.getElementById(id + "-table"), open = button.getAttribute("aria-expanded") === "true";
  if (!box) { return; }
  if (!box.firstChild) {
    var d = tableOf(id), tb = document.createElement("table"), cap = tb.createCaption(), head = tb.createTHead().insertRow(), body = tb.createTBody();
    tb.className = "coop-table"; cap.textContent = d.title || "";
    d.columns.forEach(function (col) { var th = document.createElement("th"); th.scope = "col"; th.textContent = col.title; head.appendChild(th); });
    d.rows.forEach(function (r) {
      var tr = body.insertRow();
      r.forEach(function (v) { var td = tr.insertCell(); td.textContent = v == null ? "–" : (typeof v === "number" ? v.toLocaleString(document.documentElement.lang || "en", { maximumFractionDigits: 3 }) : String(v)); if (typeof v === "number") { td.className = "num"; } });
    });
    box.appendChild(tb);
  }
  box.hidden = open;
  button.setAttribute("aria-expanded", open ? "false" : "true");
  button.textContent = open ? t("Show as table") : t("Hide table");
}
document.addEventListener("click", function (ev) {
  var b = ev.target.closest ? ev.target.closest(".coop-controls button[data-act]") : null;
  if (!b) { return; }
  var id = b.parentNode.getAttribute("data-for"), act = b.getAttribute("data-act");
  try {
    if (act === "table") { showTable(id, b); return; }
    if (act === "png" || act === "svg") { var p = image(id, act); if (p && p.catch) { p.catch(function (e) { b.title = t("The file could not be made:") + " " + e; }); } return; }
    var d = tableOf(id); if (!d) { return; }
    saveBlob(act === "csv" ? csv(d) : xlsx(d), id + "." + act);
  } catch (e) { b.title = t("The file could not be made:") + " " + e; }
});
window.coopData = { charts: charts,  table: tableOf, csv: csv, xlsx: xlsx, state: function (id) { return charts[id] ? stateOf(charts[id]) : ""; } };
})();
