// The document index's search, filter and sort. It only hides and reorders the rows of the table that is
// already on the page (which reads the same without it), from the JSON in #doc-index-data; nothing is
// fetched. Row i of the JSON is row i of the table: [file, site, title, date, story, relation, source, ...
// extra columns, story id].
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("doc-index-data").textContent);
  var table = document.getElementById("doc-index");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var nColumns = data.columns.length;
  var haystack = data.rows.map(function (r) { return r.slice(0, nColumns).join(" ").toLowerCase(); });
  var query = document.getElementById("doc-index-q");
  var relation = document.getElementById("doc-index-relation");
  var site = document.getElementById("doc-index-site");
  var story = document.getElementById("doc-index-story");
  var count = document.getElementById("doc-index-count");
  var sortColumn = -1;
  var descending = false;
  data.stories.forEach(function (s) {
    var option = document.createElement("option");
    option.value = s[0];
    option.textContent = s[1];
    story.appendChild(option);
  });
  function compare(a, b) {
    var x = data.rows[a][sortColumn], y = data.rows[b][sortColumn];
    var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
    return (descending ? -c : c) || a - b;
  }
  function update() {
    var words = query.value.toLowerCase().split(/\s+/).filter(Boolean);
    var order = data.rows.map(function (r, i) { return i; });
    if (sortColumn >= 0) { order.sort(compare); }
    var shown = 0;
    order.forEach(function (i) {
      var r = data.rows[i];
      var keep = (!relation.value || r[5] === relation.value) && (!site.value || r[1] === site.value) &&
        (!story.value || r[r.length - 1] === story.value) &&
        words.every(function (w) { return haystack[i].indexOf(w) >= 0; });
      rows[i].hidden = !keep;
      shown += keep ? 1 : 0;
      body.appendChild(rows[i]);
    });
    count.textContent = shown + " of " + rows.length + " documents shown";
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, column) {
    cell.className = "sortable";
    cell.tabIndex = 0;
    function sortHere() {
      descending = sortColumn === column ? !descending : false;
      sortColumn = column;
      update();
    }
    cell.addEventListener("click", sortHere);
    cell.addEventListener("keydown", function (event) { if (event.key === "Enter") { sortHere(); } });
  });
  [query, relation, site, story].forEach(function (control) { control.addEventListener("input", update); });
  document.getElementById("doc-index-controls").hidden = false;
  update();
}());
