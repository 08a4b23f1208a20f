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
var MENU_BUTTON = "#ch-menu";  // the button that opens it, in place of the theme's label (menuButton makes it)
// Escape closes it, as a menu drawn over the page is expected to (the theme closes it only by a tap beside it); the
// keyboard leaves it too, which keeps it in view while it is within (directory.css)
document.addEventListener("keydown", function (ev) {
  var box = document.getElementById("__drawer"), at = document.activeElement;
  // in the drawer (below the theme's 76.25em), not in the menu beside the page on a wide screen
  var within = at && at.closest && at.closest(".md-sidebar--primary") && window.matchMedia("(max-width: 76.234375em)").matches;
  if (ev.key !== "Escape" || !box || !(box.checked || within)) return;
  if (box.checked) box.click();
  // back to the button that opens it (a blur left nothing focused, and the next Tab opened the menu again)
  var button = document.querySelector(MENU_BUTTON);
  if (within || (at && at.closest && at.closest(MENU_BUTTON))) { if (button) button.focus(); else at.blur(); }
});

// Leaving the open drawer by keyboard closes it (it hid what was focused: WCAG 2.4.11)
document.addEventListener("focusin", function (ev) {
  var box = document.getElementById("__drawer"), t = ev.target;
  if (!box || !box.checked || !t || !t.closest || !window.matchMedia("(max-width: 76.234375em)").matches) return;
  if (t.closest(".md-sidebar--primary") || t.closest(MENU_BUTTON)) return;
  box.click();
});

// The theme draws the button that opens the drawer as a label with an icon: no name, no role, out of the tab order
// (WCAG 4.1.2; the accessibility review), and a label may not be given the role of a button (axe: aria-allowed-role).
// A real button takes its place, with its icon, named by the page (the header's #ch-menu-name), saying whether the
// menu is open; it ticks the theme's box as the label did. Without the script the label stays as the theme made it.
function menuButton() {
  var box = document.getElementById("__drawer"), name = document.getElementById("ch-menu-name");
  var label = document.querySelector("label.md-header__button[for=__drawer]"), drawer = document.querySelector(".md-sidebar--primary");
  if (!box || !name || !label) return;
  var button = el("button", { type: "button", id: "ch-menu", class: label.className + " ch-menu", "aria-labelledby": "ch-menu-name" });
  var icon = label.querySelector("svg");
  if (icon) { icon = icon.cloneNode(true); icon.setAttribute("aria-hidden", "true"); button.appendChild(icon); }
  if (drawer) { drawer.id = drawer.id || "ch-drawer"; button.setAttribute("aria-controls", drawer.id); }
  label.parentNode.insertBefore(button, label);
  label.hidden = true;
  var said = function () { button.setAttribute("aria-expanded", box.checked ? "true" : "false"); };
  said();
  box.addEventListener("change", said);
  button.addEventListener("click", function () { box.click(); });
}

// Below the theme's 76.25em the closed drawer is off the screen, yet its links were in the Tab order: 12 stops unseen,
// the page shifting, before the page's own (the review at 375 px). Closed there, it is inert; open, or beside the page
// on a wide screen, it is not. The keyboard reaches it by the menu button.
function drawerStops() {
  var box = document.getElementById("__drawer"), drawer = document.querySelector(".md-sidebar--primary");
  var narrow = window.matchMedia("(max-width: 76.234375em)");
  if (!box || !drawer) return;
  var set = function () { drawer.inert = narrow.matches && !box.checked; };
  set();
  box.addEventListener("change", set);
  narrow.addEventListener("change", set);
}

// The theme goes to the next or the previous page on a single key (n, p, "." and ","), pressed anywhere but in a
// field: a search's results were lost to a stray "n" (WCAG 2.1.4: a single-key shortcut must be able to be turned off).
// Caught before the theme's handler (on window, as the key bubbles up), and only these keys, without a modifier.
document.addEventListener("keydown", function (ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ["n", "p", ".", ","].indexOf(ev.key) < 0) return;
  var t = ev.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  ev.stopPropagation();
}, true);

// A wide table's box is a tab stop so that a keyboard can scroll it (WCAG 2.1.1); one that fits needs no stop (the market
// page had 12 at 1280 px that scrolled nothing: the accessibility review). Without the script, every one keeps it.
function tableStops() {
  var wraps = document.querySelectorAll(".ch-table-wrap");
  if (!wraps.length) return;
  var mark = function () {
    for (var i = 0; i < wraps.length; i++) {
      var w = wraps[i];
      if (w.scrollWidth > w.clientWidth + 1) w.setAttribute("tabindex", "0"); else if (w !== document.activeElement) w.removeAttribute("tabindex");
    }
  };
  mark();
  window.addEventListener("resize", mark);
}

function start() {
  menuButton();
  drawerStops();
  tableStops();
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
