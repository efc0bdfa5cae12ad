// Applies the reader's saved colour scheme before the page paints, and wires the toggle.
(function () {
  var key = "controlbook-theme";
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem(key); } catch (e) { /* storage may be disabled */ }
  if (saved === "light" || saved === "dark") root.setAttribute("data-theme", saved);
  document.addEventListener("DOMContentLoaded", function () {
    // The table of contents starts closed on narrow screens, where it would push the
    // article below the fold; it stays open without JavaScript.
    var toc = document.getElementById("toc");
    if (toc && matchMedia("(max-width: 60rem)").matches) toc.removeAttribute("open");
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var current = root.getAttribute("data-theme");
      if (!current) current = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
      var next = current === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(key, next); } catch (e) { /* ignore */ }
    });
  });
})();
