/* The compare page: the shortlist side by side. The rows are the face's; each cell is finished by the
   build (homes/<slug>/home.json); this only places them. */
import { FACE, VALUES } from "./directory-values.js";
import { el } from "./directory-dom.js";
import { plural, safeSlug } from "./directory-text.js";
import { MAX, getList, setList } from "./directory-shortlist.js";

export function byKind(homes, kinds) {
  // [{homes, rows, caption}]: one group per kind of service in the shortlist's order, each with its own compare
  // rows (FACE.kinds, from the build); a site of one kind is one group with the face's rows
  var ids = Object.keys(kinds || {});
  if (ids.length < 2) return [{ homes: homes, rows: FACE.compare || [], caption: null }];
  var out = [], at = {};
  homes.forEach(function (h) {
    var k = kinds[h.kind] ? h.kind : ids[0];
    if (at[k] === undefined) { at[k] = out.length; out.push({ kind: k, homes: [], rows: kinds[k].compare || [], plural: kinds[k].plural || k }); }
    out[at[k]].homes.push(h);
  });
  out.forEach(function (g) { g.caption = out.length > 1 ? "Your shortlist: " + g.plural + " (" + g.homes.length + ")" : null; });
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
  var clear = document.getElementById("clear-shortlist");
  // A shared link (compare/?homes=a,b,c) adds its homes to this browser's shortlist.
  var shared = (new URLSearchParams(location.search).get("homes") || "").split(",").filter(safeSlug);
  var sharedNote = "";
  if (shared.length) {
    var mine = getList(), added = 0;
    shared.forEach(function (slug) {
      if (mine.length < MAX && !mine.some(function (x) { return x.slug === slug; })) { mine.push({ slug: slug, name: slug }); added++; }
    });
    setList(mine);
    sharedNote = added ? plural(added, "home", "homes") + " from the shared link added to your shortlist. " : "";
  }
  function draw(message, focusSlug) {
    var list = getList();
    holder.replaceChildren();
    clear.hidden = !list.length;
    tools.hidden = !list.length;
    history.replaceState(null, "", location.pathname + (list.length ? "?homes=" + list.map(function (x) { return x.slug; }).join(",") : ""));
    linkBox.value = shareUrl(base, list);
    printed.textContent = "Printed on " + new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }) + " from " + linkBox.value;
    if (!list.length) { status.textContent = (message || "") + "Your shortlist is empty. Add homes from the search or a home's page."; if (focusSlug !== undefined) status.focus(); return Promise.resolve(); }
    if (!message) status.textContent = "Loading " + plural(list.length, "home…", "homes…");
    return Promise.all(list.map(function (x) {
      return fetch(new URL("homes/" + x.slug + "/home.json", base)).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
    })).then(function (homes) {
      var all = homes.filter(Boolean);
      // keep the names the shortlist shows up to date (a shared link knows only the slugs)
      setList(list.map(function (x) { var h = all.filter(function (f) { return f.slug === x.slug; })[0]; return h ? { slug: x.slug, name: h.name } : x; }));
      // care homes compare with care homes, agencies with agencies: one table per kind, with that kind's rows
      var groups = byKind(all, FACE.kinds || {});
      groups.forEach(function (g) { holder.appendChild(kindTable(g.homes, g.rows, g.caption)); });
      var missing = list.length - all.length, shut = all.filter(function (h) { return h.closed; }).length;
      status.textContent = (message || "") + "Comparing " + plural(all.length, "home.", "homes.") + (groups.length > 1 ? " " + (FACE.compareApart || "") : "") +
        (missing ? " " + missing + " could not be found and may have left the directory." : "") +
        (shut ? " " + plural(shut, "home has", "homes have") + " closed since " + (shut === 1 ? "it was" : "they were") + " shortlisted: see " + (shut === 1 ? "its" : "their") + " CQC page, or remove " + (shut === 1 ? "it" : "them") + "." : "");
      if (focusSlug) {
        var target = holder.querySelector("button.ch-remove[data-slug='" + focusSlug + "']");
        if (target) target.focus();
      } else if (focusSlug === null) status.focus();
    });
  }
  function kindTable(found, rows, captionText) {
      var wrap = el("div", { class: "ch-compare-wrap", role: "region", "aria-label": "Shortlisted homes side by side", tabindex: "0" });
      var table = el("table"), caption = el("caption", null, captionText || "Your shortlist: " + plural(found.length, "home", "homes"));
      table.appendChild(caption);
      var thead = el("thead"), tr = el("tr");
      tr.appendChild(el("th", { scope: "col" }, "Home"));
      found.forEach(function (h, i) {
        var th = el("th", { scope: "col" }), a = el("a", { href: new URL("homes/" + h.slug + "/", base).pathname }, h.name);
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
        var b = el("button", { type: "button", class: "md-button ch-remove", "data-slug": h.slug }, "Remove");
        b.setAttribute("aria-label", "Remove " + h.name + " from your shortlist");
        b.addEventListener("click", function () {
          setList(getList().filter(function (x) { return x.slug !== h.slug; }));
          // focus goes to the next home's Remove button (or the one before), never to the top of the page
          var next = found[i + 1] || found[i - 1];
          draw(h.name + " removed from your shortlist. ", next ? next.slug : null);
        });
        th.appendChild(el("br")); th.appendChild(b);
        tr.appendChild(th);
      });
      thead.appendChild(tr); table.appendChild(thead);
      var tbody = el("tbody");
      // the rows are the face's (FACE.compare: [id, label]); each cell is finished by the build (home.json)
      rows.forEach(function (row) {
        var r = el("tr");
        r.appendChild(el("th", { scope: "row" }, row[1]));
        found.forEach(function (h) {
          var v = (h.compare || {})[row[0]], missing = v === null || v === undefined || v === "";
          r.appendChild(el("td", missing ? { class: "ch-missing" } : null, missing ? VALUES.notProvided : v));
        });
        tbody.appendChild(r);
      });
      table.appendChild(tbody); wrap.appendChild(table);
      return wrap;
  }
  document.getElementById("copy-link").addEventListener("click", function () {
    linkBox.select();
    var done = function () { copyStatus.textContent = "Link copied. Paste it into an email or a note; it holds only the names of the homes."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(linkBox.value).then(done, function () {
        copyStatus.textContent = "Your browser did not allow copying. The link is selected: copy it with Ctrl+C (or Cmd+C).";
      });
    } else copyStatus.textContent = "The link is selected: copy it with Ctrl+C (or Cmd+C).";
  });
  document.getElementById("print-page").addEventListener("click", function () { window.print(); });
  clear.addEventListener("click", function () { setList([]); draw("Your shortlist was cleared. ", null); });
  draw(sharedNote);
}
