/* The compare page: the shortlist side by side. The rows are the face's; each cell is finished by the
   build (homes/<slug>/home.json); this only places them. */
import { FACE, VALUES } from "./directory-values.js";
import { el, withLink } from "./directory-dom.js";
import { byCount, distanceText, fill, km, own, safeSlug } from "./directory-text.js";
import { MAX, getList, getSearch, setList } from "./directory-shortlist.js";

export function compareRows(face, search) {
  // The table's rows: [id, label, kind, unknown] from the face's compare rows, in its order. The distance row only
  // when the last search had a postcode (or a location); one row for each need it filtered for.
  var kinds = face.compareRows || {}, out = [];
  (face.compare || []).forEach(function (row) {
    var kind = kinds[row[0]];
    if (kind === "distance") { if (search.at) out.push([row[0], fill(row[1], { from: search.from }), kind]); }
    else if (kind === "filtered") {
      // only the site's own filters, each once: a stored search (this browser's, any page of the origin can write it)
      // naming "constructor" or "toString" showed "You searched for: function Object() { [native code] }"
      var done = [];
      (search.filters || []).forEach(function (f) {
        var label = own(face.filterLabels, f);
        if (typeof label === "string" && label && done.indexOf(f) < 0) { done.push(f); out.push([f, fill(row[1], { label: label }), kind]); }
      });
    } else out.push([row[0], row[1], "", row[2] || ""]);  // and its cells' words when not known, the build's
  });
  return out;
}
export function compareCell(home, row, search, values) {
  // [text or null (not known), link or null, note or null] for one home's cell of a row (compareRows)
  var h = home || {};
  if (row[2] === "distance") {
    var at = h.at;
    if (!search.at || !Array.isArray(at) || typeof at[0] !== "number" || typeof at[1] !== "number") return [null, null, null];
    return [distanceText(km(search.at, at), search.unit, values.find || {}), null, null];
  }
  if (row[2] === "filtered") return [own(h.answers, row[0]) || null, null, null];
  var v = own(h.compare, row[0]);
  return [v === undefined || v === "" ? null : v, own(h.links, row[0]) || null, own(h.notes, row[0]) || null];
}

export function byKind(homes, kinds) {
  // [{homes, rows, caption}]: one group per kind of service in the shortlist's order, each with its own compare
  // rows (FACE.kinds, from the build); a site of one kind is one group with the face's rows
  var ids = Object.keys(kinds || {});
  if (ids.length < 2) return [{ homes: homes, rows: FACE.compare || [], labels: FACE.filterLabels, caption: null }];
  var out = [], at = {};
  homes.forEach(function (h) {
    var k = kinds[h.kind] ? h.kind : ids[0];
    // each kind's rows, and the filters its homes answer (a care home is never asked an agency's question)
    if (at[k] === undefined) { at[k] = out.length; out.push({ kind: k, homes: [], rows: kinds[k].compare || [], labels: kinds[k].filterLabels || {}, plural: kinds[k].plural || k }); }
    out[at[k]].homes.push(h);
  });
  out.forEach(function (g) { g.caption = out.length > 1 ? fill(VALUES.compare.captionKind, { kinds: g.plural, n: g.homes.length }) : null; });
  return out;
}
function shareUrl(base, list) {
  var u = new URL("compare/", base);
  if (list.length) u.search = "?homes=" + list.map(function (x) { return x.slug; }).join(",");
  return u.href;
}

export function initCompare(root) {
  var base = new URL(root.dataset.base || "../", location.href);
  var status = document.getElementById("compare-status"), holder = document.getElementById("compare-table");
  var tools = document.getElementById("compare-tools"), linkBox = document.getElementById("share-link");
  var copyStatus = document.getElementById("copy-status"), printed = document.getElementById("print-date");
  var clear = document.getElementById("clear-shortlist"), hint = document.getElementById("compare-scroll-hint");
  // the Undo of "Clear the shortlist", just after the status and not in it: a button inside role=status was read as
  // part of its sentence (the accessibility review); any later draw takes it away
  var undoBox = document.getElementById("compare-undo");
  // what the site calls one of what it lists, as the build words it ("home"; "service" with several kinds): the
  // table's corner; every sentence is the schema's (x-directory.compare), its nouns filled in by the build
  var ONE = root.dataset.one || "home", C = VALUES.compare;
  // A shared link (compare/?homes=a,b,c) adds its homes to this browser's shortlist.
  var shared = (new URLSearchParams(location.search).get("homes") || "").split(",").filter(safeSlug)
    .filter(function (slug, i, all) { return all.indexOf(slug) === i; });  // a home named twice is one home
  var sharedAdded = [];  // the slugs a shared link added, said once the first draw knows which of them the site holds
  var sharedLeft = 0;  // how many of its homes the site holds a full shortlist had no room for: said once (they were
  // dropped without a word)
  function addShared(held) {
    // the link's homes the site holds first: one it does not (404) never takes a place a real one needs (a full list
    // said "full" and then "could not be found", one place short: the review of the full-shortlist note), nor is it
    // counted among those left out
    var mine = getList(), pairs = shared.map(function (slug, i) { return [slug, held[i]]; });
    pairs.filter(function (p) { return p[1]; }).concat(pairs.filter(function (p) { return !p[1]; })).forEach(function (p) {
      if (mine.some(function (x) { return x.slug === p[0]; })) return;
      if (mine.length < MAX) { mine.push({ slug: p[0], name: p[0] }); sharedAdded.push(p[0]); } else if (p[1]) sharedLeft++;
    });
    setList(mine);
  }
  var sharedRead = !shared.length ? Promise.resolve() : Promise.all(shared.map(function (slug) {
    // whether the site holds it: only a 404 says not (a page that cannot be read now may be there)
    return fetch(new URL("homes/" + slug + "/home.json", base)).then(function (r) { return r.status !== 404; }).catch(function () { return true; });
  })).then(addShared);
  function showLink(list) {  // the address, the link to share and the print's foot name the homes on the list
    history.replaceState(null, "", location.pathname + (list.length ? "?homes=" + list.map(function (x) { return x.slug; }).join(",") : ""));
    linkBox.value = shareUrl(base, list);
    printed.textContent = fill(C.printed, { date: new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }), link: linkBox.value });
  }
  var drawn = 0;  // the latest draw: an earlier one whose homes are read after it changes nothing (Clear, Undo, Clear)
  function draw(message, focusSlug) {
    var list = getList(), mine = ++drawn;
    holder.replaceChildren();
    if (undoBox) { undoBox.replaceChildren(); undoBox.hidden = true; }
    clear.hidden = !list.length;
    tools.hidden = !list.length;
    showLink(list);
    // no table left: nor the hint that one is wider than the screen (it stayed after "Clear the shortlist")
    if (!list.length) {
      sharedAdded = [];  // nothing a shared link added is on the list now: said never, not after a later Undo
      if (hint) hint.hidden = true;
      status.textContent = (message || "") + C.empty;
      if (focusSlug !== undefined) status.focus();
      return Promise.resolve();
    }
    if (!message) status.textContent = byCount(list.length, C.loadingOne, C.loadingMany);
    var left = sharedLeft;
    return Promise.all(list.map(function (x) {
      // false: no such home (404: it left the directory, or a shared link named none); null: it could not be read now
      return fetch(new URL("homes/" + x.slug + "/home.json", base)).then(function (r) { return r.ok ? r.json() : r.status === 404 ? false : null; })
        .catch(function () { return null; });
    })).then(function (homes) {
      if (mine !== drawn) return;
      var all = homes.filter(Boolean);
      // a home that is not there leaves the shortlist, said once: it had no Remove button, and stayed counted as
      // "could not be found" on every visit, down to comparing 0 homes with a link and a print of nothing
      var kept = list.filter(function (x, i) { return homes[i] !== false; }), gone = list.length - kept.length;
      var fromLink = sharedAdded.filter(function (slug) { return kept.some(function (x) { return x.slug === slug; }); });
      if (sharedAdded.length) message = (fromLink.length ? byCount(fromLink.length, C.sharedOne, C.sharedMany) + " " : "") + (message || "");
      if (left) message = (message || "") + fill(byCount(left, C.sharedFullOne, C.sharedFullMany), { max: MAX }) + " ";
      sharedAdded = []; if (left) sharedLeft = 0;  // said once: each counts only the homes the site holds
      var goneNote = gone ? byCount(gone, C.goneOne, C.goneMany) + " " : "";
      // keep the names the shortlist shows up to date (a shared link knows only the slugs)
      setList(kept.map(function (x) { var h = all.filter(function (f) { return f.slug === x.slug; })[0]; return h ? { slug: x.slug, name: h.name } : x; }));
      if (!kept.length) return draw((message || "") + goneNote, focusSlug);
      if (gone) showLink(kept);
      // care homes compare with care homes, agencies with agencies: one table per kind, with that kind's rows
      var groups = byKind(all, FACE.kinds || {});
      groups.forEach(function (g) { holder.appendChild(kindTable(g.homes, g.rows, g.caption, g.labels)); });
      showHint();
      var missing = kept.length - all.length, shut = all.filter(function (h) { return h.closed; }).length;
      status.textContent = (message || "") + goneNote + byCount(all.length, C.comparingOne, C.comparingMany) + (groups.length > 1 ? " " + (FACE.compareApart || "") : "") +
        (missing ? " " + fill(C.notLoaded, { n: missing }) : "") +
        (shut ? " " + byCount(shut, C.closedOne, C.closedMany) : "");
      if (focusSlug) {
        var target = holder.querySelector("button.ch-remove[data-slug='" + focusSlug + "']");
        if (target) target.focus();
      } else if (focusSlug === null) status.focus();
    });
  }
  function kindTable(found, rows, captionText, labels) {
      // the region scrolls sideways on a narrow screen: it takes the keyboard (arrow keys) and the hint says so
      // a region the keyboard can scroll only while it is wider than the screen (showHint): its name kept till then
      var wrap = el("div", { class: "ch-compare-wrap", "data-label": C.tableLabel });
      var table = el("table"), caption = el("caption", null, captionText || byCount(found.length, C.captionOne, C.captionMany));
      table.appendChild(caption);
      var thead = el("thead"), tr = el("tr");
      tr.appendChild(el("th", { scope: "col" }, ONE.charAt(0).toUpperCase() + ONE.slice(1)));
      found.forEach(function (h, i) {
        // the column is named by its service (and that it closed), not also by its Remove button's words, which a
        // screen reader otherwise repeats with every cell read across the row
        var th = el("th", { scope: "col", "aria-label": h.name + (typeof h.closed === "string" && h.closed ? ". " + h.closed : "") }),
          a = el("a", { href: new URL("homes/" + h.slug + "/", base).pathname }, h.name);
        th.appendChild(a);
        if (typeof h.closed === "string" && h.closed) {
          // shortlisted before it closed: marked, with its CQC page (the build's words; its cells show no beds)
          var gone = el("p", { class: "ch-closed" });
          gone.appendChild(el("strong", null, h.closed));
          if (typeof h.cqc === "string" && /^https:\/\//.test(h.cqc)) {
            gone.appendChild(document.createTextNode(". "));
            gone.appendChild(el("a", { href: h.cqc, rel: "nofollow noopener" }, VALUES.find.cqcPage));
          }
          th.appendChild(gone);
        }
        var b = el("button", { type: "button", class: "md-button ch-remove", "data-slug": h.slug }, C.remove);
        b.setAttribute("aria-label", fill(C.removeLabel, { name: h.name }));
        b.addEventListener("click", function () {
          setList(getList().filter(function (x) { return x.slug !== h.slug; }));
          // focus goes to the next home's Remove button (or the one before), never to the top of the page
          var next = found[i + 1] || found[i - 1];
          draw(fill(C.removed, { name: h.name }) + " ", next ? next.slug : null);
        });
        th.appendChild(el("br")); th.appendChild(b);
        tr.appendChild(th);
      });
      thead.appendChild(tr); table.appendChild(thead);
      var tbody = el("tbody");
      // the rows are the face's (FACE.compare, or the kind's: [id, label]); each cell is finished by the build
      // (home.json), but for the distance from the last search's postcode and its needs, worked out here
      var search = getSearch();
      compareRows({ compare: rows, compareRows: FACE.compareRows, filterLabels: labels }, search).forEach(function (row) {
        var r = el("tr");
        r.appendChild(el("th", { scope: "row" }, row[1]));
        found.forEach(function (h) {
          var cell = compareCell(h, row, search, VALUES), td = el("td", cell[0] === null ? { class: "ch-missing" } : null);
          // not known: in the words of whose fact it is (x-directory.compare.unknownBy), else the schema's notProvided
          if (cell[0] === null) td.textContent = row[3] || VALUES.notProvided;
          else withLink(td, cell[0], cell[1]);
          if (cell[0] !== null && cell[2]) { td.appendChild(el("br")); td.appendChild(el("span", { class: "ch-note" }, cell[2])); }
          td.setAttribute("data-home", h.name);  // shown above it on a phone (directory.css), where the names at the head scroll away
          r.appendChild(td);
        });
        tbody.appendChild(r);
      });
      table.appendChild(tbody); wrap.appendChild(table);
      return wrap;
  }
  function showHint() {
    // said only when a table is wider than the screen (a phone), and in every case kept out of print; only a table
    // that scrolls is a region the keyboard stops at and the hint describes (a wide screen has no such stop)
    var wide = false;
    holder.querySelectorAll(".ch-compare-wrap").forEach(function (w) {
      var scrolls = w.scrollWidth > w.clientWidth + 1;
      wide = wide || scrolls;
      if (scrolls) {
        w.setAttribute("role", "region"); w.setAttribute("aria-label", w.getAttribute("data-label") || "");
        w.setAttribute("tabindex", "0"); w.setAttribute("aria-describedby", "compare-scroll-hint");
      } else {
        ["role", "aria-label", "tabindex", "aria-describedby"].forEach(function (a) { w.removeAttribute(a); });
      }
      var corner = w.querySelector("thead th");
      if (corner) w.style.scrollPaddingLeft = corner.offsetWidth + "px";
    });
    if (hint) hint.hidden = !wide;
  }
  window.addEventListener("resize", showHint);
  // what the keyboard reaches in a table is scrolled clear of its row labels, held at its left (directory.css), not
  // left under them (WCAG 2.4.11): browsers bring a focused cell into view but not out from under a sticky column,
  // nor all the way in from the right edge (Chromium leaves a link a few pixels in sight where it was)
  holder.addEventListener("focusin", function (ev) {
    var t = ev.target, w = t && t.closest ? t.closest(".ch-compare-wrap") : null;
    if (!w || t === w || t.closest("th[scope=row]")) return;
    var corner = w.querySelector("thead th");
    if (!corner) return;
    var box = w.getBoundingClientRect(), r = t.getBoundingClientRect();
    // ring: the focus outline's 10 px (directory.css) kept in sight too
    var ring = 12, gap = box.left + corner.offsetWidth + ring - r.left, over = r.right + ring - (box.left + w.clientWidth);
    if (gap > 0) w.scrollLeft -= gap;
    else if (over > 0) w.scrollLeft += Math.min(over, -gap);
  });
  document.getElementById("copy-link").addEventListener("click", function () {
    // copied with the focus left on the button; the link selected (the focus moved into its box) only where the
    // browser will not copy, for Ctrl+C (selecting it first took the focus away, and its label and address were read
    // over the note that it was copied: the accessibility review)
    var selected = function (words) { linkBox.select(); copyStatus.textContent = words; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(linkBox.value).then(function () { copyStatus.textContent = C.copied; },
        function () { selected(C.copyRefused); });
    } else selected(C.copySelected);
  });
  document.getElementById("print-page").addEventListener("click", function () { window.print(); });
  clear.addEventListener("click", function () {
    // cleared at once, with a button that puts every one back (a tap on the wrong button lost the whole list)
    var was = getList();
    setList([]);
    draw(C.cleared + " ", null).then(function () {
      if (!was.length || getList().length) return;
      var undo = el("button", { type: "button", class: "ch-linkbutton", id: "undo-clear" }, C.undoClear);
      undo.addEventListener("click", function () {
        // the homes cleared, first, then any shortlisted since (in another tab); those beyond the most a shortlist
        // holds are said, never dropped without a word
        var since = getList().filter(function (x) { return !was.some(function (w) { return w.slug === x.slug; }); });
        var all = was.concat(since), left = all.slice(MAX);
        setList(all.slice(0, MAX));
        draw(byCount(was.length, C.restoredOne, C.restoredMany) + " " +
          (left.length ? fill(C.restoredFull, { max: MAX, names: left.map(function (x) {
            return typeof x.name === "string" && x.name.trim() ? x.name : x.slug;  // stored by another tab: a slug at least
          }).join(", ") }) + " " : ""), null);
      });
      if (undoBox) { undoBox.replaceChildren(undo); undoBox.hidden = false; } else status.append(" ", undo);
    });
  });
  sharedRead.then(function () { draw(""); });
}
