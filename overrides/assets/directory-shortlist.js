/* The shortlist: kept in this browser's localStorage only; nothing is sent anywhere. Its words are the schema's
   (x-directory.shortlist), finished by the build with what the site lists; the page fills in names and numbers. */
import { el, announce } from "./directory-dom.js";
import { byCount, fill, safeSlug } from "./directory-text.js";
import { VALUES } from "./directory-values.js";

const KEY = "carehomes.shortlist";
const SEARCH = "carehomes.search";  // the last search's postcode (as typed), its position and the needs filtered for
export const MAX = 10;

export function getList() {
  try {
    // each service once (one stored twice was compared twice)
    var v = JSON.parse(localStorage.getItem(KEY) || "[]"), seen = [];
    return Array.isArray(v) ? v.filter(function (x) {
      var keep = !!x && safeSlug(x.slug) && seen.indexOf(x.slug) < 0;
      if (keep) seen.push(x.slug);
      return keep;
    }).slice(0, MAX) : [];
  } catch (e) { return []; }
}
export function setList(list) {
  try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode: keep going */ }
  refreshButtons();
}
export function setSearch(search) {
  try { localStorage.setItem(SEARCH, JSON.stringify(search)); } catch (e) { /* private mode: keep going */ }
}
export function getSearch() {
  // {from, at: [lat, lon] or null, unit, filters: [...]} as the find page left it, or an empty search
  try {
    var v = JSON.parse(localStorage.getItem(SEARCH) || "{}") || {};
    var at = Array.isArray(v.at) && typeof v.at[0] === "number" && typeof v.at[1] === "number" ? [v.at[0], v.at[1]] : null;
    return { from: at ? String(v.from || "").slice(0, 40) : "", at: at, unit: v.unit === "km" ? "km" : "mi",
      filters: Array.isArray(v.filters) ? v.filters.filter(function (f) { return typeof f === "string"; }) : [] };
  } catch (e) { return { from: "", at: null, unit: "mi", filters: [] }; }
}
function inList(slug) { return getList().some(function (x) { return x.slug === slug; }); }
export function toggle(slug, name, region) {
  var list = getList(), S = VALUES.shortlist;
  if (inList(slug)) {
    setList(list.filter(function (x) { return x.slug !== slug; }));
    announce(region, fill(S.removed, { name: name, n: getList().length }));
  } else if (list.length >= MAX) {
    announce(region, fill(S.full, { n: MAX }));
  } else {
    list.push({ slug: slug, name: String(name).slice(0, 200) });
    setList(list);
    announce(region, fill(S.added, { name: name, n: list.length }));
  }
}
export function refreshButtons() {
  var n = getList().length, S = VALUES.shortlist;
  document.querySelectorAll("button.ch-shortlist").forEach(function (b) {
    b.hidden = false;
    // the button names its service (x-directory.shortlist.add or remove, with its name)
    b.textContent = fill(inList(b.dataset.slug) ? S.remove : S.add, { name: b.dataset.name });
  });
  var link = document.getElementById("shortlist-link");
  if (link) {
    link.textContent = byCount(n, S.linkOne, S.linkMany);
    if (link.closest(".ch-result-links")) link.hidden = n === 0;  // on the find page, only once there is one
  }
  // the find page's bar, kept in sight at the foot of the screen while the results scroll
  var bar = document.getElementById("shortlist-bar"), barLink = document.getElementById("shortlist-bar-link");
  if (bar && barLink) {
    bar.hidden = n === 0;
    barLink.replaceChildren(fill(S.bar, { n: n }), el("span", { class: "ch-sep" }, " " + byCount(n, S.barOne, S.barMany)));
    if (!bar.hidden) uncover(bar);
  }
}
// the bar coming into sight at the foot of the screen (the first one shortlisted) covered the button that added it, which
// keeps the focus (WCAG 2.2's focus not obscured): the page is scrolled up by as much as the bar hides of it
function uncover(bar) {
  var f = document.activeElement;
  if (!f || f === document.body || bar.contains(f)) return;
  var covered = f.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
  if (covered > 0) window.scrollBy(0, covered + 8);
}
export function liveRegion() {
  var r = document.getElementById("ch-live");
  if (!r) { r = el("div", { id: "ch-live", role: "status", "aria-live": "polite", class: "md-typeset ch-sep" }); document.body.appendChild(r); }
  return r;
}
