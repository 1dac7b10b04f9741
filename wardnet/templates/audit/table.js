(function () {
  "use strict";
  // Progressive enhancement of the device table: the page reads fully without this script (rows in
  // attention order); with it, headings sort and a filter box narrows the rows. ?q=WORDS&sort=KEY[-]
  // in the address opens the page filtered and sorted (a link to "every drifted switch of 27004").
  var table = document.getElementById("devices");
  var box = document.getElementById("device-filter");
  if (!table || !box) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var input = box.querySelector("input");
  var count = document.getElementById("device-count");
  var lang = document.documentElement.lang;
  function fold(text) {  // "Sai lệch" matches "sai lech": operators type without diacritics too
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\u0111/g, "d");
  }
  function value(row, i) {
    var cell = row.cells[i];
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function sortBy(i, ascending) {
    var numeric = heads[i].hasAttribute("data-numeric");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, i), y = value(b, i), d;
      if (numeric) { d = (x === "" ? -1 : parseFloat(x)) - (y === "" ? -1 : parseFloat(y)); }
      else { d = x.localeCompare(y, lang); }
      return ascending ? d : -d;
    });
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    heads[i].setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function filter(text) {
    var words = fold(text).split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var all = fold(r.textContent);
      var keep = words.every(function (w) { return all.indexOf(w) >= 0; });
      r.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    count.textContent = String(shown);
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(i, th.getAttribute("aria-sort") !== "ascending");
    });
  });
  input.addEventListener("input", function () { filter(input.value); });
  box.hidden = false;
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); filter(input.value); }
  var sort = params.get("sort") || "";
  var descending = sort.slice(-1) === "-";
  var key = descending ? sort.slice(0, -1) : sort;
  Array.prototype.forEach.call(heads, function (th, i) {
    if (key && th.getAttribute("data-key") === key) { sortBy(i, !descending); }
  });
}());
