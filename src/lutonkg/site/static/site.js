/* lutonkg review site: search over every name (a prebuilt index, loaded on first use) and sortable tables.
   Everything else on the site works without this script. */
(function () {
  "use strict";
  var doc = document.documentElement;
  doc.classList.add("js");
  var root = doc.getAttribute("data-root") || ".";

  function norm(text) {
    return text.toLowerCase().replace(/[\u2019']/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /* score: 0 exact name, 1 every word whole, 2 every word a prefix, 3 every word inside; null: no match */
  function score(names, words, wanted) {
    var best = null;
    names.forEach(function (name) {
      var n = norm(name), parts = n.split(" "), tier = null;
      if (n === wanted) tier = 0;
      else if (words.every(function (w) { return parts.indexOf(w) >= 0; })) tier = 1;
      else if (words.every(function (w) { return parts.some(function (p) { return p.indexOf(w) === 0; }); })) tier = 2;
      else if (words.every(function (w) { return n.indexOf(w) >= 0; })) tier = 3;
      if (tier !== null && (best === null || tier < best)) best = tier;
    });
    return best;
  }

  function search(text) {
    var wanted = norm(text), words = wanted.split(" ").filter(Boolean), found = [];
    if (!words.length) return found;
    (window.LUTONKG_SEARCH || []).forEach(function (entry) {
      var s = score([entry[0]].concat(entry[1] ? entry[1].split(" | ") : []), words, wanted);
      if (s !== null) found.push([s, entry]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1][0].length - b[1][0].length || (a[1][0] < b[1][0] ? -1 : 1); });
    return found.slice(0, 12).map(function (f) { return f[1]; });
  }

  function setUpSearch() {
    var box = document.getElementById("search-box"), list = document.getElementById("search-results");
    if (!box || !list) return;
    var loading = false;
    function load(then) {
      if (window.LUTONKG_SEARCH) { then(); return; }
      if (loading) return;
      loading = true;
      var script = document.createElement("script");
      script.src = root + "/search-index.js";
      script.onload = then;
      document.head.appendChild(script);
    }
    function show() {
      var results = search(box.value);
      list.innerHTML = "";
      if (!box.value.trim()) { list.hidden = true; return; }
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = "Nothing matches; try fewer or shorter words.";
        list.appendChild(none);
      }
      results.forEach(function (entry) {
        var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
        a.href = root + "/" + entry[3];
        a.textContent = entry[0];
        kind.className = "kind";
        kind.textContent = entry[2];
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = false;
    }
    box.addEventListener("focus", function () { load(function () { if (box.value) show(); }); });
    box.addEventListener("input", function () { load(show); });
    box.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) window.location.href = first.href;
    });
    box.addEventListener("keydown", function (event) {
      var first = list.querySelector("a");
      if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
      if (event.key === "Escape") { list.hidden = true; }
    });
    list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a")), at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : box).focus(); }
      if (event.key === "Escape") { list.hidden = true; box.focus(); }
    });
  }

  function cellValue(row, column) {
    var cell = row.cells[column];
    return cell ? cell.textContent.trim() : "";
  }

  function setUpSorting() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var head = table.tHead, body = table.tBodies[0];
      if (!head || !body) return;
      Array.prototype.forEach.call(head.rows[0].cells, function (th, column) {
        var button = document.createElement("button");
        button.type = "button";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(head.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          var numeric = rows.every(function (r) { var v = cellValue(r, column); return v === "" || !isNaN(Number(v)); });
          rows.sort(function (a, b) {
            var x = cellValue(a, column), y = cellValue(b, column);
            var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en", { sensitivity: "base", numeric: true });
            return ascending ? order : -order;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  setUpSearch();
  setUpSorting();
})();
