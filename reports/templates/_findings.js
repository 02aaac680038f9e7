// The list of findings on index.html: sort by a column, filter by severity, department and rule.
// The table is complete without this script; it only shows the filters and makes the headings
// buttons. Rows are moved and hidden with DOM operations (no HTML is built from cell text).
// The page allows exactly this text by its hash (hyoka.output.report computes it).
(function () {
  "use strict";
  var table = document.getElementById("findings");
  var bar = document.getElementById("findings-filters");
  if (!table || !bar || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows).map(function (tr, i) {
    var d = tr.dataset;
    return {
      tr: tr, o: i, s: +d.s, d: +d.d, p: +d.p, sev: d.sev, dep: d.d, r: d.r,
      j: tr.cells[4].textContent, m: tr.cells[5].textContent
    };
  });
  var selects = Array.prototype.slice.call(bar.querySelectorAll("select"));
  var count = document.getElementById("findings-shown");
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });

  function filter() {
    var want = {};
    selects.forEach(function (s) { want[s.name] = s.value; });
    var n = 0;
    rows.forEach(function (row) {
      var show = (!want.sev || row.sev === want.sev) && (!want.dep || row.dep === want.dep) &&
        (!want.rule || row.r === want.rule);
      row.tr.hidden = !show;
      if (show) n += 1;
    });
    count.textContent = count.getAttribute("data-format")
      .replace("{n}", String(n)).replace("{total}", String(rows.length));
  }

  var current = { key: null, dir: 1 };
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function sortBy(key, th) {
    var dir = current.key === key ? -current.dir : 1;
    current = { key: key, dir: dir };
    rows.sort(function (a, b) {
      var x = a[key], y = b[key];
      var c = typeof x === "number" ? x - y : collator.compare(x, y);
      return c * dir || a.o - b.o;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (row) { frag.appendChild(row.tr); });
    body.appendChild(frag);
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }

  heads.forEach(function (th) {
    var key = th.getAttribute("data-key");
    if (!key) return;
    // the heading's text stays beside the button for print: Chromium leaves buttons blank in the
    // table head it repeats on every printed page
    var label = document.createElement("span");
    label.className = "print-label";
    while (th.firstChild) label.appendChild(th.firstChild);
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label.textContent;
    th.appendChild(label);
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(key, th); });
  });
  selects.forEach(function (s) { s.addEventListener("change", filter); });
  bar.hidden = false;
  filter();
})();
