// controlbook site behaviour: the search box, the services menu and the matrix's domain
// filter and sorting. Works from a static host and from file:// (the data are scripts,
// not fetched files), and the pages stay usable without it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="controlbook-root"]');
  var root = meta ? meta.getAttribute("content") : "";
  var MAX_RESULTS = 60;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- search ----------------------------------------------------------------------
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var entries = null; // [{service, href, id, title, text, haystack}]
  var loading = false;
  var selected = -1;

  function loadIndex() {
    if (entries || loading) return;
    loading = true;
    var script = el("script", { src: root + "assets/search-index.js" });
    script.onload = function () {
      var data = window.controlbookSearch || { services: [], controls: [], entries: [] };
      entries = data.entries.map(function (e) {
        var s = data.services[e[0]], c = data.controls[e[1]];
        return {
          service: s[0], href: s[1] + "#" + c[2], id: c[0], title: c[1],
          features: e[2], guidance: e[3],
          fields: [c[0].toLowerCase(), s[0].toLowerCase(), c[1].toLowerCase(), e[2].toLowerCase(), e[3].toLowerCase()]
        };
      });
      search();
    };
    script.onerror = function () { loading = false; };
    document.head.appendChild(script);
  }

  // Every word must appear somewhere; where it appears decides the order.
  var WEIGHTS = [100, 30, 12, 10, 1];
  function score(entry, words, phrase) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var best = 0;
      for (var f = 0; f < entry.fields.length; f++) {
        if (entry.fields[f].indexOf(words[i]) !== -1 && WEIGHTS[f] > best) best = WEIGHTS[f];
      }
      if (!best) return 0;
      total += best;
    }
    if (entry.fields[0] === phrase) total += 200;
    if (words.length > 1 && (entry.fields[3].indexOf(phrase) !== -1 || entry.fields[2].indexOf(phrase) !== -1)) total += 50;
    return total;
  }

  function search() {
    if (!input || !list) return;
    var phrase = input.value.trim().toLowerCase();
    list.textContent = "";
    selected = -1;
    input.removeAttribute("aria-activedescendant");
    if (!phrase || !entries) { close(); return; }
    var words = phrase.split(/\s+/);
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], words, phrase);
      if (s) hits.push({ entry: entries[i], score: s, order: i });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    var total = hits.length;
    hits = hits.slice(0, MAX_RESULTS);
    if (!hits.length) {
      list.appendChild(el("p", { "class": "search-empty", role: "presentation" }, "No control matches “" + input.value.trim() + "”."));
      open();
      return;
    }
    // Grouped by service, services in the order of their best result.
    var groups = [], byService = {};
    hits.forEach(function (h) {
      var g = byService[h.entry.service];
      if (!g) { g = byService[h.entry.service] = { service: h.entry.service, hits: [] }; groups.push(g); }
      g.hits.push(h.entry);
    });
    var n = 0;
    groups.forEach(function (g) {
      var label = "sr-group-" + n;
      var group = el("div", { role: "group", "aria-labelledby": label, "class": "search-group" });
      group.appendChild(el("div", { id: label, "class": "search-service", role: "presentation" }, g.service));
      g.hits.forEach(function (e) {
        var a = el("a", { role: "option", id: "sr-" + n, href: root + e.href, "aria-selected": "false", tabindex: "-1" });
        a.appendChild(el("span", { "class": "search-control" }, e.id + ": " + e.title));
        if (e.features) a.appendChild(el("span", { "class": "search-features" }, e.features));
        group.appendChild(a);
        n++;
      });
      list.appendChild(group);
    });
    if (total > hits.length) {
      list.appendChild(el("p", { "class": "search-more", role: "presentation" }, (total - hits.length) + " more; add a word to narrow the search."));
    }
    open();
  }

  function options() { return list ? list.querySelectorAll('[role="option"]') : []; }
  function open() { list.hidden = false; }
  function close() { if (list) list.hidden = true; }

  function select(i) {
    var opts = options();
    if (!opts.length) return;
    if (i < 0) i = opts.length - 1;
    if (i >= opts.length) i = 0;
    if (selected >= 0 && opts[selected]) opts[selected].setAttribute("aria-selected", "false");
    selected = i;
    opts[i].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", opts[i].id);
    opts[i].scrollIntoView({ block: "nearest" });
  }

  if (input && list) {
    input.addEventListener("focus", loadIndex);
    input.addEventListener("input", function () { loadIndex(); search(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") {
        var opts = options();
        var target = opts[selected >= 0 ? selected : 0];
        if (target) { e.preventDefault(); window.location.href = target.href; }
      } else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); input.select(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) close();
    });
  }

  // ---- services menu ---------------------------------------------------------------
  var menu = document.getElementById("service-menu");
  if (menu && window.controlbookNav) {
    var normal = function (p) { return p.replace(/index\.html$/, ""); };
    var here = normal(location.pathname);
    window.controlbookNav.forEach(function (s) {
      var option = el("option", { value: root + s[1] }, s[0]);
      if (normal(new URL(root + s[1], location.href).pathname) === here) option.selected = true;
      menu.appendChild(option);
    });
    menu.parentNode.hidden = false;
    menu.addEventListener("change", function () { if (menu.value) window.location.href = menu.value; });
  }

  // ---- matrix ----------------------------------------------------------------------
  var matrix = document.getElementById("matrix");
  if (matrix) {
    var filter = document.getElementById("matrix-domain");
    if (filter) filter.addEventListener("change", function () {
      var key = filter.value;
      var cells = matrix.querySelectorAll("th[class*='d-'], td");
      for (var i = 0; i < cells.length; i++) {
        var c = cells[i];
        c.hidden = key !== "" && !c.classList.contains("d-" + key);
      }
    });
    var body = matrix.tBodies[0];
    var direction = {};
    matrix.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = parseInt(button.getAttribute("data-column"), 10);
        var ascending = direction[column] = !direction[column];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column], r;
          if (column === 0) r = x.textContent.localeCompare(y.textContent);
          else r = (parseInt(x.getAttribute("data-rank"), 10) - parseInt(y.getAttribute("data-rank"), 10)) ||
            a.cells[0].textContent.localeCompare(b.cells[0].textContent);
          return ascending ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        matrix.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
        button.parentNode.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }
})();
