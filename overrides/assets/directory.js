/* Care home directory: shortlist, find page and compare page (ES modules, no bundler).
   Everything a home supplied is put into the page with textContent, never as HTML.
   The shortlist lives in this browser's localStorage only; nothing is sent anywhere. */
import { readValues } from "./directory-values.js";
import { el } from "./directory-dom.js";
import { fill } from "./directory-text.js";
import { liveRegion, refreshButtons, toggle } from "./directory-shortlist.js";
import { initFind } from "./directory-find.js";

document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("button.ch-shortlist");
  if (b) toggle(b.dataset.slug, b.dataset.name, liveRegion());
});


// ---- page not found (404.html) -----------------------------------------------------------
function initNotFound(root) {
  // an address of a home's page that is not there (/homes/aston-house/): offer a search for its name
  var m = /\/homes\/([a-z0-9]+(?:-[a-z0-9]+)*)\/?(?:index\.html)?$/.exec(location.pathname);
  var box = document.getElementById("ch-not-found-search");
  if (!m || !box || !root.dataset.find) return;
  var words = m[1].replace(/-/g, " ");
  // the page's words (overrides/404.html, with what the site lists put in by the build), the address's words in them
  var a = el("a", { href: root.dataset.find + "?q=" + encodeURIComponent(words) }, fill(root.dataset.search || "{words}", { words: words }));
  box.replaceChildren(a);
  box.hidden = false;
}

// ---- the theme's menu drawer on a phone ------------------------------------------------------------
// Escape closes it, as a menu drawn over the page is expected to (the theme closes it only by a tap beside it); the
// keyboard leaves it too, which keeps it in view while it is within (directory.css)
document.addEventListener("keydown", function (ev) {
  var box = document.getElementById("__drawer"), at = document.activeElement;
  // in the drawer (below the theme's 76.25em), not in the menu beside the page on a wide screen
  var within = at && at.closest && at.closest(".md-sidebar--primary") && window.matchMedia("(max-width: 76.234375em)").matches;
  if (ev.key !== "Escape" || !box || !(box.checked || within)) return;
  if (box.checked) box.click();
  if (within) at.blur();
});

function start() {
  readValues(document);
  refreshButtons();
  var f = document.getElementById("find");
  // the shortlist's status region there before its first message (one made and filled at once goes unsaid)
  if (f || document.querySelector("button.ch-shortlist")) liveRegion();
  if (f) initFind(f);
  // the compare page's script is loaded on the compare page only (the find page's first load stays light)
  var c = document.getElementById("compare"); if (c) import("./directory-compare.js").then(function (m) { m.initCompare(c); });
  var n = document.getElementById("ch-not-found"); if (n) initNotFound(n);
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
