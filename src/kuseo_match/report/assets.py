"""The page's print stylesheet and its one inline script (no outside request).

:data:`PRINT_CSS` sets A4 pages, starts each district's pair list on a new
page and hides what only works on a screen (``.screen-only``: the search
box, scroll boxes).  :data:`SCRIPT` makes every ``table.sortable`` sortable
by a click on a header (numbers by their ``data-value``, text in Thai order)
and filters the rows of the district lists as the search box
(``#pair-search``) is typed in; a section none of whose rows match is
hidden.  Both are plain text, inlined into the page by
:func:`kuseo_match.report.render_report`.
"""

from __future__ import annotations

PRINT_CSS = """
th.sort { cursor: pointer; user-select: none; }
th.sort::after { content: " \\2195"; color: #999; font-size: .8em; }
th.sort[aria-sort="ascending"]::after { content: " \\25B2"; color: #222; }
th.sort[aria-sort="descending"]::after { content: " \\25BC"; color: #222; }
.search { margin: .4rem 0 1rem; }
.search input { font: inherit; padding: .3rem .5rem; width: min(30rem, 100%); }
section.district { margin: 1.5rem 0 2rem; }
section.district h3 { font-size: 1.1rem; margin-bottom: .2rem; }
.totals { margin: .2rem 0 .6rem; }
.signature { margin-top: 2.2rem; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; padding: 0; max-width: none; font-size: 10pt; }
  .screen-only, .search, .map-interactive { display: none !important; }
  .scroll { max-height: none; overflow: visible; display: block; }
  section.district { break-before: page; page-break-before: always; margin: 0; }
  section.district table { width: 100%; font-size: 9pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .signature { break-inside: avoid; break-before: avoid; page-break-before: avoid; }
  th.sort::after { content: ""; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var collator = new Intl.Collator("th", {numeric: true});
  function key(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-value");
    return value === null ? cell.textContent.trim() : value;
  }
  function sortBy(table, th) {
    var i = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var up = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.getAttribute("data-type") === "number";
    Array.prototype.forEach.call(th.parentNode.cells, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i), y = key(b, i), d;
        if (numeric) {
          d = (x === "" ? Infinity : Number(x)) - (y === "" ? Infinity : Number(y));
          d = isNaN(d) ? 0 : d;
        } else {
          d = collator.compare(x, y);
        }
        return up ? d : -d;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th) {
      th.classList.add("sort");
      th.addEventListener("click", function () { sortBy(table, th); });
    });
  });
  var box = document.getElementById("pair-search");
  if (box) {
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
      document.querySelectorAll("section.district").forEach(function (section) {
        var shown = 0;
        section.querySelectorAll("tbody tr").forEach(function (row) {
          var text = row.textContent.toLowerCase();
          var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
          row.hidden = !hit;
          shown += hit ? 1 : 0;
        });
        section.hidden = words.length > 0 && shown === 0;
      });
    });
  }
})();
"""
