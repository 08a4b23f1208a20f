/* The find page: reads the form, asks the site's own search index (search/facets/, or the nearest districts'
   files), places the build's finished card lines and counts. */
import { FACE, VALUES } from "./directory-values.js";
import { el, withLink } from "./directory-dom.js";
import { MILE, MISSPELT_FROM, byCount, byCoverageThenDistance, cardContact, coverageNote, coversDistrict, distanceText, emptyReasons, fill, foldNear, km, misspelt, money, needsIn,
  REACH_MARGIN, councilIn, nearestFirst, notListed, notListedNote, ofKind, officeDistanceText, outOf, outward, pickDistricts, placesIn, plainWords, plural, postcode, putRight, readCard, relaxable, relaxed, ringLink, safeSlug, whyMatched, withPostcode,
  withinCounts, withinMiles } from "./directory-text.js";
import { refreshButtons, setSearch } from "./directory-shortlist.js";
import { fittingSort, sortFits, sortOf, sortedSearch, unknownNote, unknownOf } from "./directory-sort.js";
import { facetIndex, searchWords } from "./directory-facets.js";

const PAGE = 20;
// The form's fields: the fixed ones and one (several values) per yes/no facet of the face.
var FIELDS = [], MULTI = { rating: 1 };
function addFacetFields() {
  // one search box: a postcode typed in it is where distances are measured from (there is no second box)
  FIELDS = ["q", "town", "locality"].concat(FACE.fields || [], ["sort", "unit"]);
  Object.keys(FACE.filters || {}).forEach(function (k) { MULTI[k] = 1; });
}
// Sorts made at build time: each home page carries its rank in each order (unknowns last).

function readForm(form) {
  var fd = new FormData(form), s = {};
  FIELDS.forEach(function (k) { s[k] = MULTI[k] ? fd.getAll(k) : (fd.get(k) || "").trim(); });
  // A postcode typed in the search box is where distances are measured from, not words to match; typed
  // with words ("Kington HR3 5AA"), the words still narrow the homes. It sorts them by distance unless
  // another order is chosen, which is honoured (and the count says the postcode is used only for distance).
  if (hasPostcode(s.q)) {
    var inQ = outward(s.q) ? null : withPostcode(s.q);
    s.nearFromQ = inQ ? inQ[0] : s.q;  // the postcode as typed in the search box
    s.near = s.nearFromQ;
    s.q = inQ ? inQ[1] : "";
  }
  return s;
}
function clipped(text) {
  // words said back: 60 characters at most, never half a character (an emoji is two of JavaScript's)
  var chars = Array.from(text);
  return chars.length > 60 ? chars.slice(0, 59).join("") + "…" : text;
}
function firstSentence(text) { return String(text).split(/\.(?:\s|$)/)[0]; }
function hasPostcode(q) { return !!(q && (outward(q) || withPostcode(q))); }
function writeForm(form, params) {
  // an older link's separate postcode (?near=) joins the search box; returns [[field, value]] of a link's town or
  // area that no option of its list is (a select left at "every town"), for the count to say so. Any other value
  // the form has no choice for (a sort, fee, unit or distance that is none of its options: ?sort=__proto__) leaves
  // that field as it was, without a word, as a box's unknown value is
  if (params.get("near")) params.set("q", foldNear(params.get("q"), params.get("near")));
  var missed = [];
  FIELDS.forEach(function (k) {
    var values = params.getAll(k), inputs = form.querySelectorAll("[name='" + k + "']");
    var offered = Array.prototype.map.call(inputs, function (i) { return i.value; });
    var known = values.filter(function (v) { return offered.indexOf(v) >= 0; });
    inputs.forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") input.checked = known.indexOf(input.value) >= 0 || (input.type === "radio" && !known.length && input.value === "");
      else if (values.length) {
        var before = input.value;
        input.value = values[0];
        if (input.tagName === "SELECT" && (input.selectedIndex < 0 || input.value !== values[0])) {
          input.value = before;
          if (values[0] && notListed(k)) missed.push([k, values[0]]);
        }
      }
    });
  });
  // with a postcode, distance unless the link chose another order the form offers
  if (hasPostcode(form.q.value) && form.sort.value !== params.get("sort")) form.sort.value = "distance";
  return missed;
}
function toParams(form) {
  var fd = new FormData(form), p = new URLSearchParams();
  FIELDS.forEach(function (k) {
    if (MULTI[k]) fd.getAll(k).forEach(function (v) { p.append(k, v); });
    else {
      var v = (fd.get(k) || "").trim();
      // the sort is left out when it is the default: distance with a postcode in the search box, else A to Z
      if (v && !(k === "sort" && v === (hasPostcode(form.q.value) ? "distance" : "name")) && !(k === "unit" && v === "mi")) p.set(k, v);
    }
  });
  return p;
}
function chosenKinds(form) {
  // the kinds of service ticked (their ids; none: every kind), from the face's field of kinds
  return FACE.kindField ? Array.prototype.map.call(form.querySelectorAll("input[name='" + FACE.kindField + "']:checked"), function (i) { return i.value; }) : [];
}
function fitSorts(form) {
  // only the sorts that fit the kinds chosen are offered ("beds free" is no order of home care agencies); the
  // order chosen falls back to distance with a postcode, else A to Z, when it stops fitting
  var chosen = chosenKinds(form);
  Array.prototype.forEach.call(form.sort.options, function (o) { o.disabled = o.hidden = !sortFits(o.value, chosen); });
  form.sort.value = fittingSort(form.sort.value, chosen, hasPostcode(form.q.value) ? "distance" : "name");
}
function fitFacets(form) {
  // only the filters of the kinds chosen are offered, as the sorts are: with "Care at home" ticked, "With nursing",
  // "Beds free now" or a weekly fee found only the care homes that are agencies too (the home care review); a filter
  // of another kind is hidden and disabled (FormData leaves a disabled box out: no chip, no filter), and offered again
  // with its answer when its kind is chosen again (data-kind: the facet's kind, the build's)
  var chosen = chosenKinds(form);
  form.querySelectorAll("[data-kind]").forEach(function (box) {
    var off = chosen.length > 0 && chosen.indexOf(box.dataset.kind) < 0;
    box.hidden = off;
    (box.tagName === "FIELDSET" ? [box] : box.querySelectorAll("fieldset, select")).forEach(function (c) { c.disabled = off; });
  });
}
function setAside(form) {
  // the names of the boxes ticked (and the fee chosen) that fitFacets set aside: a filter of a kind not chosen
  var out = [];
  form.querySelectorAll("[data-kind][hidden] input:checked, [data-kind][hidden] select").forEach(function (i) {
    if (i.tagName === "SELECT") { if (i.value) out.push(fill(VALUES.find.feeUpTo, { fee: money(i.value) })); }
    else if (i.value) out.push(labelFor(i));
  });
  return out;
}
function filtersFor(s, form) {
  var f = {};
  if (s.locality) f.locality = s.locality;
  if (s.town) f.town = s.town;
  // one filter per yes/no fact (care_nursing, band_dementia, need_tracheostomy...)
  Object.keys(FACE.filters || {}).forEach(function (name) {
    form.querySelectorAll("input[name='" + name + "']:checked:enabled").forEach(function (i) { if (i.dataset.filter) f[i.dataset.filter] = "yes"; });
  });
  if (s.rating.length) f.rating = { any: s.rating };
  if (s.free === "any") f.free = { any: ["nursing", "residential"] };
  else if (s.free === "nursing" || s.free === "residential") f.free = s.free;
  // the fee bands each choice holds are the build's (Values.fee_bands_up_to), on the option itself
  var fee = form.maxfee && form.maxfee.selectedOptions[0];
  if (s.maxfee && fee && fee.dataset.bands) f.feeband = { any: fee.dataset.bands.split(" ") };
  return f;
}

function card(data, distance, unit, why, unconfirmed, council, district) {
  var m = data.meta || {}, li = el("li");
  // a heading under the page's "Results" (h2), as each card is one of them (the accessibility review: the cards were
  // its siblings)
  var h = el("h3"), a = el("a", { href: data.url }, m.title || VALUES.find.noTitle);
  h.appendChild(a); li.appendChild(h);
  var built = readCard(m), ul = el("ul"), links = built.links || {};
  li.appendChild(el("p", null, built.address));
  // an agency found by the area it covers says so first ("Covers OL1")
  if (coversDistrict(built, district)) ul.appendChild(el("li", { class: "ch-covers" }, fill((FACE.coverage || {}).covers, { district: district })));
  // the card's lines, finished by the build (with their "not known" wording): placed, never reworded; the
  // words that link (the CQC page) are a real link
  built.lines.forEach(function (line, i) { ul.appendChild(withLink(el("li"), line, links[String(i)])); });
  // an agency's address is its office: its distance is only ever the distance to that office
  if (distance !== undefined) ul.appendChild(el("li", null, built.office ? officeDistanceText(distance, unit, VALUES.find, FACE.coverage) : distanceText(distance, unit, VALUES.find)));
  if (why) ul.appendChild(el("li", { class: "ch-why" }, why));
  // who to ring, on every card (a nurse phoning round, a printed list): the build's words and tel: link, placed; a
  // card with no number says there is none in our data, and links to its CQC page; a card not confirmed says it in its own
  // paragraph below (cardContact)
  var call = cardContact(built, unconfirmed, council, VALUES.find);
  if (!unconfirmed && call.ring) ul.appendChild(withLink(el("li", { class: "ch-ring" }), call.ring, call.link));
  else if (!unconfirmed && call.cqc) ul.appendChild(el("li", { class: "ch-ring" })).appendChild(el("a", { href: call.cqc[1], rel: "nofollow noopener" }, call.cqc[0]));
  li.appendChild(ul);
  if (unconfirmed) {
    // a home that matches every known filter but has not confirmed the rest: who to ring, and its CQC page
    var p = el("p", { class: "ch-unconfirmed" });
    p.appendChild(el("strong", null, VALUES.find.notConfirmed));
    // who to ring, finished by the build (or the council's line), its number a tel: link the build made (placed, never reworded)
    p.appendChild(document.createTextNode(". "));
    if (call.ring) { p.appendChild(withLink(el("span"), call.ring, call.link)); p.appendChild(document.createTextNode(". ")); }
    // with no number of its own nor the council's, where its number is (the card said "ring" and gave none: the review)
    if (call.cqc) p.appendChild(el("a", { href: call.cqc[1], rel: "nofollow noopener" }, call.cqc[0]));
    li.appendChild(p);
  }
  if (safeSlug(m.slug)) {
    var b = el("button", { type: "button", class: "md-button ch-shortlist", "data-slug": m.slug, "data-name": m.title || "" });
    li.appendChild(b);
  }
  return li;
}

function foldCounts(form, open) {
  // a folded group of boxes (face.json fold) says how many of them are ticked in its summary (the schema's words);
  // as the page opens, one with a box ticked is open
  form.querySelectorAll("details.ch-fold").forEach(function (d) {
    var n = d.querySelectorAll("input:checked").length, count = d.querySelector(".ch-fold-count");
    if (count) count.textContent = n ? " " + fill(VALUES.find.foldChosen, { n: n }) : "";
    if (open && n) d.open = true;
  });
}
function labelFor(input) {
  var l = input.id && document.querySelector("label[for='" + input.id + "']");
  return l ? l.textContent : input.value;
}
function knownKey(input) { return input.dataset.known || input.dataset.filter || ""; }
function question(input) {
  // "whether it can meet this need: Tracheostomy", from x-directory.find.questions
  var key = knownKey(input), q = FACE.questions || {};
  return q[key] || labelFor(input);
}
function showKnown(form, known, total, of, ofKinds) {
  // each filter says how many homes have given that fact at all (yes or no), out of how many of which kind
  form.querySelectorAll("[data-filter], [data-known]").forEach(function (input) {
    // beside the label, not in it: the control keeps its short name and gets the count as its description
    var key = knownKey(input), l = input.id && document.querySelector("label[for='" + input.id + "']");
    if (!l || known[key] === undefined || document.getElementById(input.id + "-known")) return;
    var words = ofKind(VALUES.find, "knownCount", key, ofKinds);
    var note = el("span", { class: "ch-known", id: input.id + "-known" }, " (" + fill(words, { n: known[key], total: outOf(key, total, of) }) + ")");
    l.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
  });
}
function chosenFilters(form, s, typed) {
  // [filter, count key, question] of every filter in use (filtersFor's, and needs named in the words)
  var out = [], q = FACE.questions || {};
  form.querySelectorAll("input[data-filter]:checked:enabled, input[data-known]:checked:enabled, select[data-known]:enabled").forEach(function (input) {
    if (input.tagName === "SELECT" && !input.value) return;
    var name = input.dataset.filter || (input.name === "maxfee" ? "feeband" : input.name);
    out.push([name, knownKey(input), question(input)]);
  });
  if (s.rating.length && s.rating.indexOf(VALUES.noRating) < 0) out.push(["rating", "rating", q.rating || "rating"]);
  Object.keys(typed).forEach(function (k) { out.push([k, k, q[k] || k]); });
  return out;
}
function activeFilters(form, s) {
  // [text, clear(), true for what the search box holds] for every filter in use, in the order of the form
  var out = [];
  // with words and a postcode in the search box, each chip removes its own part
  if (s.q) out.push([fill(VALUES.find.chipWords, { words: s.q }), function () { form.q.value = s.nearFromQ || ""; }, true]);
  var radius = FACE.radius && form.querySelector("input[name='" + FACE.radius.key + "'][value='']");
  var noRadius = function () { if (radius) radius.checked = true; };
  if (s.nearFromQ) out.push([fill(VALUES.find.nearestTo, { from: s.nearFromQ.toUpperCase() }), function () {
    form.q.value = s.q;
    noRadius();
    // no postcode left to measure from: A to Z, as the location's chip does (the distance order left an empty list
    // and "Enter a postcode", read as an error about the postcode just removed: the accessibility review)
    if (form.sort.value === "distance") form.sort.value = "name";
  }, true]);
  ["town", "locality"].forEach(function (k) {
    if (s[k] && form[k]) out.push([s[k], function () { form[k].value = ""; }]);
  });
  form.querySelectorAll("input[type=checkbox]:checked, input[type=radio]:checked").forEach(function (i) {
    if ((i.type === "radio" && !i.value) || i.matches(":disabled")) return;  // in a disabled fieldset too (fitFacets)
    out.push([labelFor(i), function () { if (i.type === "radio") form.querySelector("input[name='" + i.name + "'][value='']").checked = true; else i.checked = false; }]);
  });
  if (s.maxfee) out.push([fill(VALUES.find.feeUpTo, { fee: money(s.maxfee) }), function () { form.maxfee.value = ""; }]);
  return out;
}

export function initFind(root) {
  // what the list holds, in the build's words: "home"/"homes", or "service"/"services" on a site of several kinds
  var ONE = root.dataset.one || "home", MANY = root.dataset.many || "homes";
  // the council's named parts of its area, as a name typed in the search box is taken (placesIn; the build's JSON)
  var PLACES = [];
  try { PLACES = JSON.parse(root.dataset.places || "[]"); } catch (e) { PLACES = []; }
  addFacetFields();
  var base = new URL(root.dataset.base || "../", location.href);
  var form = document.getElementById("find-form"), status = document.getElementById("results-status"), pageTitle = document.title;
  var list = document.getElementById("results"), more = document.getElementById("more");
  var panel = document.getElementById("filter-panel"), active = document.getElementById("active-filters");
  var runId = 0, pending = [], shown = 0, geo = null, drawn = [], district = null;
  var why = function () { return ""; };  // why each card of the current search is listed
  form.hidden = false;
  var missed = writeForm(form, new URLSearchParams(location.search));  // a link's town that is not listed
  var asideOnce = true;  // a link's filters of another kind than those chosen, said on the first search
  foldCounts(form, true);
  // The filters are open beside the results on a wide screen, folded away above them on a phone.
  // a wide screen, where the filters stand beside the list, always open (directory.css: 60em)
  var wide = function () { return !!(window.matchMedia && window.matchMedia("(min-width: 60em)").matches); };
  if (wide()) panel.open = true;

  // Postcode areas (HR, M, ...) with their centres, and one file of districts per area, loaded as needed.
  var areas = null, shards = {};
  function loadAreas() {
    if (areas) return Promise.resolve(areas);
    return fetch(new URL("search/areas.json", base)).then(function (r) { return r.json(); }).then(function (a) { areas = a; return a; });
  }
  function loadShard(area) {
    if (!shards[area]) {
      shards[area] = fetch(new URL("search/districts/" + area + ".json", base)).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
    }
    return shards[area];
  }
  // The published exact-postcode lookup (postcodes/areas.json, then one small file per sector).
  var lookup = null, facets = null;
  function loadLookup() {
    if (!lookup) lookup = fetch(new URL("postcodes/areas.json", base)).then(function (r) { return r.ok ? r.json() : { areas: [] }; }).catch(function () { return { areas: [] }; });
    return lookup;
  }
  function loadFacets() {
    if (!facets) facets = fetch(new URL("search/facets.json", base)).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
    return facets;
  }
  function districtCentre(code, area) {
    // the middle of the homes in a postcode district (or area): [lat, lon, label], or null
    return loadAreas().then(function (a) {
      if (!a[area]) return null;
      return loadShard(area).then(function (d) {
        return d[code] ? [d[code][0], d[code][1], code] : [a[area][0], a[area][1], area];
      });
    });
  }
  function origin(s) {
    // {at: [lat, lon], note: "Distances are measured from ..."} or {error: "words"}; null when there is nothing to measure from
    if (geo) return Promise.resolve({ at: geo, note: VALUES.find.fromLocation });
    var whole = postcode(s.near), code = outward(s.near);
    if (!code) return Promise.resolve(null);
    var area = code.replace(/[0-9].*$/, "");
    var district = function () {
      return districtCentre(code, area).then(function (c) { return c ? { at: c, area: c[2] } : null; });
    };
    var homesMiddle = function () {
      return district().then(function (o) { return o ? { at: o.at, area: o.area, note: fill(VALUES.find.fromMiddle, { area: o.area }) } : null; });
    };
    if (!whole) {
      // an outward code alone (HR3): the middle of its postcodes where the area's postcodes are published
      return loadLookup().then(function (idx) {
        if ((idx.areas || []).indexOf(area) < 0) return homesMiddle();
        return fetch(new URL("postcodes/" + area + "/districts.json", base)).then(function (r) { return r.ok ? r.json() : null; })
          .catch(function () { return null; }).then(function (d) {
            if (!d) return homesMiddle();
            if (!Object.prototype.hasOwnProperty.call(d, code)) return { error: fill(VALUES.find.notDistrict, { district: code }) };
            return { at: d[code], note: fill(VALUES.find.fromOutward, { district: code }) };
          });
      });
    }
    var typed = whole[0] + " " + whole[1];
    return loadLookup().then(function (idx) {
      var areas = idx.areas || [];
      if (areas.indexOf(area) < 0) {
        // exact postcodes for this area are not published: the district centre, and say so
        return district().then(function (o) {
          return o ? { at: o.at, area: o.area, note: fill(VALUES.find.fromDistrict, { area: o.area }) }
            : { error: fill(VALUES.find.outside, { postcode: typed, areas: areas.join(", ") }) };
        });
      }
      var file = "postcodes/" + area + "/" + whole[0] + "-" + whole[1].charAt(0) + ".json";
      var notLive = function () {
        // a postcode that is not live (mistyped, or ended since: a home's address in CQC's register of years ago) is
        // measured from the middle of its district, saying so, where that district is known: a home's own postcode
        // copied from its page led nowhere (the Devon review)
        return fetch(new URL("postcodes/" + area + "/districts.json", base)).then(function (r) { return r.ok ? r.json() : null; })
          .catch(function () { return null; }).then(function (dd) {
            return dd && Object.prototype.hasOwnProperty.call(dd, code) && dd[code]
              ? { at: dd[code], note: fill(VALUES.find.notLiveFromOutward, { postcode: typed, district: code }) }
              : { error: fill(VALUES.find.notLive, { postcode: typed }) };
          });
      };
      return fetch(new URL(file, base)).then(function (r) { return r.ok ? r.json() : {}; }).then(function (d) {
        if (!Object.prototype.hasOwnProperty.call(d, whole[1])) return notLive();
        if (d[whole[1]]) return { at: d[whole[1]], note: fill(VALUES.find.fromPostcode, { postcode: typed }) };
        // a live postcode without a position: the district centre, and say so
        return district().then(function (o) { return o ? { at: o.at, area: o.area, note: fill(VALUES.find.fromDistrict, { area: o.area }) } : { error: fill(VALUES.find.notLive, { postcode: typed }) }; });
      });
    });
  }
  var SORT_ALL = 150;  // up to this many matching homes are all sorted by distance (one small file each)
  // More than that (a big site): the homes of the nearest postcode districts are sorted from their
  // summaries (search/near/<DISTRICT>.json: the home's number in the index, which is its A to Z place, latitude,
  // longitude; about 25 bytes a home), reading at most NEAR_MAX homes' summaries; a card is loaded only to draw it.
  var NEAR_MAX = 1000, nearFiles = {};
  function loadNear(code) {
    if (!nearFiles[code]) {
      nearFiles[code] = fetch(new URL("search/near/" + code + ".json", base)).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; });
    }
    return nearFiles[code];
  }
  // Every search but the plain distance one: the site's own index (search/facets/), which loads only the
  // words, filters, sort and cards a search uses. A file it cannot read fails the search ("could not load").
  var facetsReady = null, NOT_LOADED = {};
  function loadFacetIndex() {
    if (!facetsReady) {
      facetsReady = facetIndex(function (name) {
        return fetch(new URL("search/facets/" + name, base)).then(function (r) { if (!r.ok) throw NOT_LOADED; return r.json(); });
      }, function (u) { return new URL(u, base).pathname; }).catch(function () { facetsReady = null; throw NOT_LOADED; });
    }
    return facetsReady;
  }
  function searching(ix) {
    // the index's search, any file it cannot read told as "could not load"
    return { homes: ix.homes, search: function (term, opts) { return ix.search(term, opts).catch(function () { throw NOT_LOADED; }); } };
  }
  // The first load (no words, filters or other order): the first homes A to Z from search/first.json; the
  // index is read only when "Show more" reaches a home that file does not hold, or a search needs it.
  var firstFile = null;
  function firstResults(homes) {
    // the first search's results, [cards, 0] as searchFor's; null when the file is missing or wrong
    if (!firstFile) firstFile = fetch(new URL("search/first.json", base)).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
    return firstFile.then(function (cards) {
      if (!Array.isArray(cards) || !cards.length || typeof homes !== "number" || cards.length > homes) return null;
      if (!cards.every(function (d) { return d && typeof d.url === "string" && d.meta && typeof d.meta === "object"; })) return null;
      // each with its number in the index, its A to Z place, as the index's own results have it (the nearest
      // districts' summaries name a home by it: placed, a postcode's distances on a list A to Z)
      var all = null, out = cards.map(function (d, i) { return { url: new URL(d.url, base).pathname, meta: d.meta, number: i }; });
      var later = function (i) {
        return { number: i, data: function () {
          if (!all) all = loadFacetIndex().then(function (ix) { return sortedSearch(searching(ix), "", {}, "name"); });
          return all.then(function (found) { return found && found[0][i] ? found[0][i].data() : { url: "", meta: {} }; });
        } };
      };
      for (var i = out.length; i < homes; i++) out.push(later(i));
      return [out, 0];
    });
  }
  var cardFiles = {};
  function loadCards(code) {
    if (!cardFiles[code]) {
      cardFiles[code] = fetch(new URL("search/cards/" + code + ".json", base)).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; });
    }
    return cardFiles[code];
  }
  function nearestCards(at, want, reach) {
    // the result cards ({url, meta}, as the index has them) of every home in the nearest districts
    var cover = Infinity;
    return nearDistricts(at, want, reach).then(function (codes) { cover = codes.cover; return Promise.all(codes.map(loadCards)); }).then(function (files) {
      var out = [];
      files.forEach(function (cards) {
        (Array.isArray(cards) ? cards : []).forEach(function (d) {
          if (!d || typeof d.url !== "string" || !d.meta || typeof d.meta !== "object") return;
          var lat = parseFloat(d.meta.lat), lon = parseFloat(d.meta.lon);
          out.push({ url: new URL(d.url, base).pathname, meta: d.meta, title: String(d.meta.title || ""), km: isNaN(lat) || isNaN(lon) ? 9999 : km(at, [lat, lon]) });
        });
      });
      out.cover = cover;
      return out;
    });
  }
  function nearest(at, results, want, reach) {
    // the index says which homes match (its results, before any card is loaded); the summaries
    // of the nearest districts say where they are. Each matching home of those districts, once.
    var byId = {};
    results.forEach(function (r) { byId[r.number] = r; });
    var cover = Infinity;
    return nearDistricts(at, want, reach).then(function (codes) { cover = codes.cover; return Promise.all(codes.map(loadNear)); }).then(function (files) {
      var out = fromNear(at, files, byId);
      out.cover = cover;
      return out;
    });
  }
  function fromNear(at, files, byId) {
    // the results of ``byId`` (number -> result) the districts' files (search/near/) hold, each once with its distance,
    // its card read when shown; each one placed is taken out of ``byId``
    var out = [];
    files.forEach(function (homes) {
      (Array.isArray(homes) ? homes : []).forEach(function (h) {
        var r = Array.isArray(h) && Object.prototype.hasOwnProperty.call(byId, h[0]) ? byId[h[0]] : null;
        if (!r) return;
        delete byId[h[0]];
        var placed = typeof h[1] === "number" && typeof h[2] === "number";
        out.push({ data: r.data, rank: Number(h[0]), title: "", km: placed ? km(at, [h[1], h[2]]) : 9999 });
      });
    });
    return out;
  }
  function cardAt(d, number, at) {
    // a card read ({url, meta}) as a result at its distance from ``at`` (9999: no position)
    var lat = parseFloat(d.meta.lat), lon = parseFloat(d.meta.lon);
    return { url: d.url, meta: d.meta, number: number, title: d.meta.title || "", km: isNaN(lat) || isNaN(lon) ? 9999 : km(at, [lat, lon]) };
  }
  function nearDistricts(at, want, reach) {
    // big site: the areas that could hold the nearest homes (nearestFirst; 6 or more, all within 25 km, ``want`` homes), then
    // their districts (pickDistricts); ``cover``: the km within which every home is in them
    var areaCover = Infinity;
    return loadAreas().then(function (a) {
      var ranked = nearestFirst(at, a, 40), near = [], held = 0;
      for (var i = 0; i < ranked.length && i < 16 && (i < 6 || ranked[i][0] < 25 || held < want); i++) { near.push(ranked[i]); held += ranked[i][2]; }
      if (near.length < ranked.length) areaCover = ranked[near.length][0];
      return Promise.all(near.map(function (x) { return loadShard(x[1]); }));
    }).then(function (list) {
      var ranked = [];
      list.forEach(function (d) { ranked = ranked.concat(nearestFirst(at, d, REACH_MARGIN)); });
      ranked.sort(function (x, y) { return x[0] - y[0]; });
      var picked = pickDistricts(ranked, want, reach, NEAR_MAX), out = picked.codes;
      out.cover = Math.min(picked.cover, areaCover);
      return out;
    });
  }
  function placeMatches(ix, at, results) {
    // big site: the matching homes placed by their districts' files (the district filter says which), each card read
    // only when shown ("Leeds LS6 2QT" read every match's card file: 60 files, 273 KB)
    var byId = {};
    results.forEach(function (r) { byId[r.number] = r; });
    return ix.valuesOf("district").catch(function () { throw NOT_LOADED; }).then(function (byDistrict) {
      var codes = Object.keys(byDistrict).filter(function (d) { return byDistrict[d].some(function (n) { return byId[n]; }); });
      return Promise.all(codes.map(loadNear));
    }).then(function (files) {
      var out = fromNear(at, files, byId);
      // one in no district's file (no postcode): placed by its own card
      return Promise.all(Object.keys(byId).map(function (n) {
        return byId[n].data().then(function (d) { return cardAt(d, byId[n].number, at); });
      })).then(function (rest) { return out.concat(rest); });
    });
  }
  var unconfirmed = false;  // the list shows homes that match every known filter, not confirmed on the rest
  function onlyWithin(within, s) {
    // the schema's onlyWithin, of the distance chosen and where it is measured from
    return fill(VALUES.find.onlyWithin, { within: within, from: geo ? VALUES.find.yourLocation : String(s.nearFromQ || "").toUpperCase() });
  }
  function noneOfKind(none, n, unknown, sort) {
    // a sort by a fact only one kind gives (an agency's hours), with services of other kinds among those found and none
    // of that kind with a value: said of that kind alone ("The 5 home care agencies among them have not said ..."), not
    // of every service found (324 care homes were said not to have given an agency's hours: the Devon review)
    var k = (FACE.kinds || {})[sortOf(sort).kind || ""];
    if (!k || !(unknown > 0) || unknown >= n) return "";
    return fill(unknown === 1 ? VALUES.find.sortedNoneOfKindOne : VALUES.find.sortedNoneOfKind,
      { count: byCount(n, VALUES.find.matchOne, VALUES.find.matchMany), n: unknown, kinds: k.many, kind: k.one,
        what: unknown === 1 ? none[2] : none[3], sort: sortOf(sort).words });
  }
  function resultKey(x) {
    // which home a result is, whatever its form: its number in the index, its A to Z place (the index's {number}, a
    // district's {rank}), or a card's address
    return x.number !== undefined ? "n" + x.number : x.rank !== undefined ? "n" + x.rank : "u" + x.url;
  }
  function reachOf(r, d) {
    // a result's distance as its card says it: a home beyond the nearest districts' summaries (placed: far) by its
    // card's own position, which only a home with none lacks ("31.2 miles away", not "no location given")
    if (!r.far || !searched || !d || !d.meta) return r.km;
    var lat = parseFloat(d.meta.lat), lon = parseFloat(d.meta.lon);
    return isNaN(lat) || isNaN(lon) ? r.km : km(searched.at, [lat, lon]);
  }
  function showMore() {
    var next = pending.slice(shown, shown + PAGE);
    var frag = document.createDocumentFragment(), firstNew = null;
    return Promise.all(next.map(function (r) { return r.data ? r.data() : Promise.resolve(r); })).then(function (items) {
      items.forEach(function (d, i) {
        drawn.push(d);
        var li = card(d, reachOf(next[i], d), form.unit.value, why(d), unconfirmed || !!next[i].unconfirmed, { text: root.dataset.ringCouncil || "", link: ringLink(root.dataset.ringCouncilLink) }, district);
        if (!firstNew) firstNew = li;
        frag.appendChild(li);
      });
      list.appendChild(frag);
      shown += next.length;
      more.hidden = shown >= pending.length;
      // the build's words, with what the site lists ("homes", or "services" on a site of several kinds)
      if (!more.hidden) more.textContent = fill(VALUES.find.showMore, { n: Math.min(PAGE, pending.length - shown), total: pending.length - shown });
      refreshButtons();
      drawMap();
      return firstNew;
    });
  }
  // ---- the map: only on request; Leaflet is a file of this site, the tiles come from the
  // server set in mkdocs.yml, and nothing is fetched from it until the person opens the map.
  var mapButton = document.getElementById("show-map"), mapBox = document.getElementById("map-box");
  var map = null, markers = null, mapOpen = false;
  // the results fitted with room for each pin's head above its point (41 px) and for the search's mark
  var FIT = { paddingTopLeft: [24, 48], paddingBottomRight: [24, 24], maxZoom: 14 };
  var fitted = null, touched = false;  // the points the view was last fitted to; whether the person has since used the map
  var watched = false;  // the map's box is watched for its size and the person's use (once, whatever map is in it)
  // "reduce motion" set or unset while the page is open: Leaflet takes its animations only when a map is made, so the
  // map is made again, at the view the person had
  var motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  if (motion && motion.addEventListener) motion.addEventListener("change", function () {
    if (!map) return;
    var view = { center: map.getCenter(), zoom: map.getZoom() }, was = touched, box = map.getContainer();
    var focused = document.activeElement === box;
    map.remove();
    map = null;
    drawMap();
    if (map && was) { map.setView(view.center, view.zoom, { animate: false }); touched = true; }
    // the new map's keys work from a focus it has seen: the map that had the keyboard has it again
    if (map && focused) { box.blur(); box.focus({ preventScroll: true }); }
  });
  var searched = null;  // where the search measures from: {at: [lat, lon], label: "Your search: OL8 1AA"}, or null
  if (root.dataset.mapTiles) mapButton.hidden = false;
  function loadLeaflet() {
    if (window.L) return Promise.resolve(window.L);
    return new Promise(function (ok, fail) {
      document.head.appendChild(el("link", { rel: "stylesheet", href: new URL("assets/vendor/leaflet/leaflet.css", base).href }));
      var js = el("script", { src: new URL("assets/vendor/leaflet/leaflet.js", base).href });
      js.onload = function () { ok(window.L); };
      js.onerror = fail;
      document.head.appendChild(js);
    });
  }
  function drawMap() {
    if (!mapOpen || !window.L) return;
    var L = window.L;
    if (!map) {
      // with the system's "reduce motion" set the map jumps, as the rest of the site does: no zoom, marker or tile
      // fading animation, no glide after a drag, and every pan (the arrow keys, a popup brought into view, the view
      // fitted to new results) made at once (Leaflet has no option for panBy's animation, its own default)
      var still = !!(motion && motion.matches);
      map = L.map("map", { scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still, inertia: !still });
      if (still) {
        var panBy = map.panBy;
        map.panBy = function (offset, options) { return panBy.call(this, offset, L.extend({}, options, { animate: false })); };
      }
      L.tileLayer(root.dataset.mapTiles, { attribution: root.dataset.mapAttribution || "", maxZoom: 18 }).addTo(map);
      markers = L.layerGroup().addTo(map);
      // Leaflet takes a new size only when the window is resized: the map follows its own box (the page's layout
      // settling, a scroll bar coming or going, a phone turned), or its pins and the search's label are drawn for the
      // old size. Until the person moves the map themselves, a new size shows every pin again (kept centred on the
      // old middle, a narrowed map cut off the pins and the search's point at its sides); after, it keeps their view
      var box = map.getContainer();
      if (!watched) {  // once: a map made again (the motion setting changed) is in the box already watched
        watched = true;
        // moved by the person: a drag, a click (a pin's popup brought into view, the zoom buttons) or Leaflet's keys
        // for panning and zooming; Tab and Enter only go from pin to pin
        box.addEventListener("pointerdown", function () { touched = true; });
        box.addEventListener("keydown", function (k) { if (/^(Arrow|[-+=_]$)/.test(k.key)) touched = true; });
        // Escape anywhere on the map closes an open popup and goes back to its pin (from within the popup, its own
        // keys do it first): it stayed open over the other pins (the accessibility review)
        box.addEventListener("keydown", function (k) {
          if (k.key !== "Escape" || !markers) return;
          markers.eachLayer(function (layer) {
            if (!layer.isPopupOpen || !layer.isPopupOpen()) return;
            k.preventDefault();
            layer.closePopup();
            var pin = layer.getElement && layer.getElement();
            if (pin) pin.focus();
          });
        });
        if (window.ResizeObserver) {
          var sized = box.getBoundingClientRect();
          new window.ResizeObserver(function () {
            var now = box.getBoundingClientRect();
            // hidden (the map closed): nothing to fit into until it is open again
            if (!map || !now.width || !now.height || (now.width === sized.width && now.height === sized.height)) return;
            sized = now;
            map.invalidateSize({ debounceMoveend: true });
            if (!touched && fitted) map.fitBounds(fitted, L.extend({ animate: false }, FIT));
            // the search's label may now be on two lines (the stylesheet's container query): placed again for its size
            markers.eachLayer(function (layer) { if (layer.getTooltip() && layer.isTooltipOpen()) layer.getTooltip().update(); });
          }).observe(box);
        }
      }
    }
    markers.clearLayers();
    var points = [], spots = new Map();
    // services at the very same point (a business centre's agencies, homes of one postcode) share one pin: stacked
    // pins showed only the top one to a mouse and read as one pin to the eye
    drawn.forEach(function (d) {
      var lat = parseFloat((d.meta || {}).lat), lon = parseFloat((d.meta || {}).lon);
      if (isNaN(lat) || isNaN(lon)) return;
      var key = lat + "," + lon;
      if (!spots.has(key)) spots.set(key, { at: [lat, lon], here: [] });
      spots.get(key).here.push({ name: d.meta.title || VALUES.find.noTitle, url: d.url });
    });
    spots.forEach(function (spot) {
      var here = spot.here, n = here.length;
      var links = here.map(function (h) { return el("a", { href: h.url }, h.name); });
      // markers are keyboard-reachable (Tab, then Enter opens the name and link, or the list of those at the point)
      var name = n === 1 ? here[0].name : fill(VALUES.find.mapSpotPin, { n: n, names: here.map(function (h) { return h.name; }).join(", ") });
      var m = L.marker(spot.at, { alt: name, keyboard: true });  // its name once: a title would repeat it
      var content = links[0];
      if (n > 1) {
        content = el("div", { class: "ch-spot" });
        content.appendChild(el("p", null, fill(VALUES.find.mapSpot, { n: n })));
        var ul = el("ul");
        links.forEach(function (a) { var li = el("li"); li.appendChild(a); ul.appendChild(li); });
        content.appendChild(ul);
      }
      m.bindPopup(content, { maxHeight: 240 });
      // opened by keyboard, its first link is next (not 20 pins later); Escape or its close button goes back to the pin;
      // Tab on from its last stop (the close button) goes on to the next pin, and back from its first to its own pin,
      // the popup closing: it went on to the zoom buttons, skipping the pins after it (the accessibility review)
      m.on("popupopen", function (ev) {
        var box = ev.popup.getElement();
        if (box && !box.onkeydown) box.onkeydown = function (k) {
          var pin = m.getElement();
          if (k.key === "Tab") {
            var stops = box.querySelectorAll("a[href]");
            if (!stops.length || !pin || k.target !== stops[k.shiftKey ? 0 : stops.length - 1]) return;
            k.preventDefault();
            m.closePopup();
            var pins = Array.prototype.slice.call(pin.parentNode.querySelectorAll(".leaflet-marker-icon"));
            (k.shiftKey ? pin : pins[pins.indexOf(pin) + 1] || pin).focus();
            return;
          }
          if (k.key !== "Escape" && !(/^(Enter| )$/.test(k.key) && k.target.matches(".leaflet-popup-close-button"))) return;
          k.preventDefault();
          m.closePopup();
          if (pin) pin.focus();
        };
        if (document.activeElement === m.getElement()) links[0].focus();
      });
      markers.addLayer(m);
      points.push(spot.at);
    });
    if (searched) {
      // where the search measures from: a circle, not a pin, so it is never taken for a home; its label is on the
      // map for everyone and is its accessible name (the schema's words, x-directory.find mapOrigin)
      var origin = L.circleMarker(searched.at, { radius: 9, weight: 3, color: "#1a1a1a", fillColor: "#ffdd00", fillOpacity: 1,
        interactive: false, className: "ch-origin" });
      // the label on the side with room (auto: towards the map's middle), never cut off at a phone's edge
      origin.bindTooltip(searched.label, { permanent: true, direction: "auto", offset: [10, 0], className: "ch-origin-label" });
      // its circle is drawn once the map has a view (on "add"): named then, and the label it names is not read again
      origin.on("add", function (ev) {
        var node = ev.target.getElement(), tip = ev.target.getTooltip(), tipNode = tip && tip.getElement();
        if (node) {
          node.setAttribute("role", "img"); node.setAttribute("aria-label", tip.getContent());
          node.removeAttribute("aria-describedby");
        }
        if (tipNode) tipNode.setAttribute("aria-hidden", "true");
      });
      markers.addLayer(origin);
      points.push(searched.at);
    }
    fitted = points.length ? points : null;
    touched = false;  // the view is the results' again
    if (fitted) map.invalidateSize({ pan: false }).fitBounds(fitted, FIT);  // fitted to the box as it is now
  }
  mapButton.addEventListener("click", function () {
    mapOpen = !mapOpen;
    mapBox.hidden = !mapOpen;
    mapButton.setAttribute("aria-expanded", String(mapOpen));
    mapButton.textContent = mapOpen ? VALUES.find.mapHide : VALUES.find.mapShow;
    if (!mapOpen) return;
    loadLeaflet().then(function () { drawMap(); if (map) map.invalidateSize(); })
      .catch(function () { mapBox.hidden = true; mapOpen = false; status.textContent = VALUES.find.mapFailed; });
  });

  function drawActive(s) {
    var items = activeFilters(form, s), ul = active.querySelector("ul");
    if (geo) items.unshift([fill(VALUES.find.nearestTo, { from: VALUES.find.yourLocation }), function () { geo = null; setRadius(!!s.near); if (form.sort.value === "distance" && !s.near) form.sort.value = "name"; }, true]);
    ul.replaceChildren();
    items.forEach(function (item, i) {
      var li = el("li"), b = el("button", { type: "button", class: "ch-chip", "data-i": String(i) });
      b.appendChild(el("span", { class: "ch-sep" }, VALUES.find.chipRemove + " "));
      b.appendChild(document.createTextNode(item[0]));
      b.appendChild(el("span", { "aria-hidden": "true" }, " ×"));
      b.addEventListener("click", function () {
        item[1]();
        run(PUSH);
        // keep the keyboard where it was: the next filter, or the count
        var chips = ul.querySelectorAll("button.ch-chip");
        (chips[i] || chips[i - 1] || status).focus();
      });
      li.appendChild(b); ul.appendChild(li);
    });
    active.hidden = !items.length;
    var n = items.filter(function (x) { return !x[2]; }).length;
    document.getElementById("filter-count").textContent = n ? " " + fill(VALUES.find.filtersOn, { n: n }) : "";
    foldCounts(form, false);
  }
  // ---- the distance filter (the face's radius facet): only with a postcode in the search box or the
  // person's location; otherwise its hint says why. Each distance says how many of the homes are within it.
  var radiusBox = FACE.radius ? document.getElementById(FACE.radius.key + "-set") : null;
  function setRadius(on) {
    if (!radiusBox) return;
    document.getElementById(FACE.radius.key + "-hint").hidden = on;
    radiusBox.querySelectorAll("input[data-miles]").forEach(function (input) {
      input.disabled = !on;
      if (!on && input.checked) radiusBox.querySelector("input[value='']").checked = true;
      var note = document.getElementById(input.id + "-count");
      if (!on && note) { note.remove(); input.removeAttribute("aria-describedby"); }
    });
  }
  function showRadius(counts, cover) {
    if (!radiusBox || !counts) return;
    radiusBox.querySelectorAll("input[data-miles]").forEach(function (input) {
      var id = input.id + "-count", note = document.getElementById(id);
      if (!note) {
        note = el("span", { class: "ch-known", id: id });
        document.querySelector("label[for='" + input.id + "']").insertAdjacentElement("afterend", note);
        input.setAttribute("aria-describedby", id);
      }
      // on a big site only the districts near the postcode are read: beyond them a count is at least that
      note.textContent = " " + fill(parseFloat(input.value) * MILE > cover ? VALUES.find.withinAtLeast : VALUES.find.withinCount,
        { count: plural(counts[input.value] || 0, ONE, MANY) });
    });
  }
  function districtsWithin(at, kmMax) {
    // the postcode districts whose homes' middle is within kmMax (and a margin: a district is wider than its middle)
    return loadAreas().then(function (a) {
      var near = Object.keys(a).filter(function (k) { return km(at, a[k]) < kmMax + 60; });
      return Promise.all(near.map(loadShard));
    }).then(function (list) {
      var out = [];
      list.forEach(function (d) { Object.keys(d).forEach(function (k) { if (km(at, d[k]) < kmMax + 15) out.push(k); }); });
      return out;
    });
  }
  function placed(o, results) {
    // the index's results (any order but distance), each as it is (a card already read, or one to fetch) with its
    // distance, from the nearest districts' summaries (search/near/): a home further than the widest distance, or with
    // no position, is 9999, and far (its card's own position gives its distance as it is drawn). A postcode's list A
    // to Z had lost the first cards the page had read (20 "Unnamed home" cards linking nowhere: the Devon review)
    if (!o || !FACE.radius || !results.length || results[0].km !== undefined) return Promise.resolve(results);
    var widest = Math.max.apply(null, FACE.radius.miles) * MILE;
    return districtsWithin(o.at, widest).then(function (codes) { return Promise.all(codes.map(loadNear)); }).then(function (files) {
      var byId = {};
      files.forEach(function (homes) {
        (Array.isArray(homes) ? homes : []).forEach(function (h) {
          if (Array.isArray(h) && typeof h[1] === "number" && typeof h[2] === "number") byId[h[0]] = km(o.at, [h[1], h[2]]);
        });
      });
      return results.map(function (r) {
        var x = Object.assign({}, r), near = byId[r.number];
        x.km = near === undefined ? 9999 : near;
        x.far = near === undefined;
        return x;
      });
    });
  }
  // Back undoes the last change: each filter, order or search chosen is a history entry of its own, and a search
  // being typed is one entry however often it pauses (each pause searches); the page's first search and one that
  // Back or Forward reached only write the address as the form now says it
  var PUSH = "push", TYPED = "typed", typing = false, TYPING_PAUSE_MS = 700, lastRun = null;
  function remember(p, how) {
    var url = location.pathname + (p.toString() ? "?" + p : "");
    if (url !== location.pathname + location.search && (how === PUSH || (how === TYPED && !typing))) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
    if (how) typing = how === TYPED;
  }
  // the search box is marked wrong while the count's line says why its postcode found nothing, and names that line
  // (WCAG 3.3.1: the error was said in the status alone; the accessibility review)
  function wrong(yes) {
    var box = form.q;
    if (!box) return;
    if (yes) { box.setAttribute("aria-invalid", "true"); box.setAttribute("aria-describedby", "results-status q-hint"); }
    else if (box.hasAttribute("aria-invalid")) { box.removeAttribute("aria-invalid"); box.setAttribute("aria-describedby", "q-hint"); }
  }
  function run(how) {
    setRadius(hasPostcode(form.q.value) || !!geo);
    fitSorts(form);
    fitFacets(form);
    var kinds = chosenKinds(form);
    var s = readForm(form), my = ++runId, p = toParams(form);
    lastRun = String(p);
    remember(p, how);
    drawActive(s);
    var distanceMode = s.sort === "distance", filters = filtersFor(s, form);
    // the postcode district an agency's covered area is matched against (none from "use my location")
    district = distanceMode && !geo ? outward(s.near) : null;
    // the distance chosen, in km: a distance search on a big site then loads every district within it
    var reach = FACE.radius && s[FACE.radius.key] ? parseFloat(s[FACE.radius.key]) * MILE : 0;
    // distances are measured for the distance order, and for the distance filter whenever there is a postcode
    var prep = distanceMode || s.near || geo ? origin(s) : Promise.resolve(null);
    // every home A to Z, as the page opens: the first ones come from search/first.json, not the index
    var plain = !distanceMode && !s.q && !Object.keys(filters).length && sortOf(s.sort) === sortOf("name");
    // aria-busy is "false" again once this search's count (or why there is none) is written
    list.setAttribute("aria-busy", "true");
    // the searching note only for a search asked for (Enter, a filter): while words are typed the live region is left
    // to the count, once typing pauses (it said the note and that nothing matched after each letter: the
    // accessibility review)
    if (how !== TYPED) status.textContent = VALUES.find.searching;
    wrong(false);
    var finish = function (text, title) {
      if (my !== runId) return;
      status.textContent = text;
      list.setAttribute("aria-busy", "false");
      // the tab's title says what this search found, as the count's line does (its first sentence, or ``title``
      // where words typed, "St. Ledbuy", are in it): every search had the one title, in the history and the tabs
      // alike (the accessibility review, WCAG 2.4.2)
      document.title = (location.search ? (title || firstSentence(text)) + " - " : "") + pageTitle;
    };
    Promise.all([prep, loadFacets()]).then(function (got) {
      var o = got[0], known = (got[1] || {}).known || {}, homes = (got[1] || {}).homes, of = (got[1] || {}).of,
        ofKinds = (got[1] || {}).ofKinds;
      if (my !== runId) return;
      if (distanceMode && (!o || o.error)) {
        finish(o ? o.error : s.near ? fill(VALUES.find.noArea, { postcode: s.near.toUpperCase() }) : VALUES.find.needPostcode);
        if (o && o.error && !geo) wrong(true);
        list.replaceChildren(); more.hidden = true; pending = []; return;
      }
      var placeError = o && o.error ? o.error : "";  // said with the count when another order than distance is chosen
      if (o && o.error) o = null;  // another order than distance: a postcode that is not found only sorts nothing
      if (!o) setRadius(false);
      var unknown = 0, ranked = -1;  // ranked: how many have a value for the sort (-1: not a sort that says)
      // Words naming a need are that need's filter; every other word must be a whole word of a home's
      // name, town, provider or postcode (the index's words, read as search_index.words reads them: "St Mary's"
      // is st and marys, "Bryn-y-Mor" is bryn, y and mor). Each card says which.
      // only the chosen kinds' needs: a word naming another kind's ("nursing" with care at home chosen) is a word, as
      // its box is not offered (fitFacets; it found the care homes that are agencies too: the review of the kinds' filters)
      var needWords = (FACE.needWords || []).filter(function (w) {
        var box = form.querySelector("input[data-filter='" + String(w[1]).replace(/['\\]/g, "") + "']");
        return !box || !box.matches(":disabled");
      });
      var meant = needsIn(searchWords(s.q).join(" "), needWords), parts = placesIn(meant.rest, PLACES);
      // two kinds named ("care homes and home care"): either, so neither narrows (they were both asked of each service)
      var kindsNamed = Object.keys(meant.filters).filter(function (k) { return Object.values(FACE.kindFilters || {}).indexOf(k) >= 0; });
      if (kindsNamed.length > 1) kindsNamed.forEach(function (k) { delete meant.filters[k]; });
      // a council area the Area list names typed ("Richmond upon Thames"): that area, not words its homes must have
      var council = !s.locality && form.locality ? councilIn(parts.rest, Array.prototype.map.call(form.locality.options, function (o) { return [o.text, o.value]; })) : null;
      if (council) { parts.rest = council[2]; filters.locality = council[1]; }
      var ignored = (FACE.search || {}).ignore || [];  // "in", "near": no home's word (face.json search.ignore)
      var words = parts.rest ? parts.rest.split(" ").filter(function (w) { return ignored.indexOf(w) < 0; }) : [];
      Object.keys(meant.filters).forEach(function (k) { filters[k] = meant.filters[k]; });
      // a part of the area named: the services in its postcode districts, an agency by its office's or those it covers
      // and, a part named as a town is, that town's homes too (Exeter's in EX5, beside the part's EX1, EX2 and EX4)
      if (parts.towns.length) filters.any = [{ district: { any: parts.districts } }, { town: { any: parts.towns } }];
      else if (parts.districts.length) filters.district = { any: parts.districts };
      why = function (d) { return whyMatched(d.meta, words, meant.needs, FACE.search); };
      // what the compare page shows beside the shortlist: the distance from here and the needs filtered for
      var from = o ? (geo ? VALUES.find.yourLocation : String(s.nearFromQ || "").toUpperCase()) : "";
      // the map's mark of where distances are measured from: the middle of an area's homes when that is it
      searched = o ? { at: [o.at[0], o.at[1]], label: o.area ? fill(VALUES.find.mapOriginMiddle, { area: o.area })
        : fill(VALUES.find.mapOrigin, { from: from }) } : null;
      setSearch({ from: from, at: o ? [o.at[0], o.at[1]] : null,
        unit: form.unit.value, filters: Object.keys(filters).filter(function (k) { return (FACE.filterLabels || {})[k]; }) });
      var term = words.join(" ");
      var total = 0, chosen = chosenFilters(form, s, meant.filters);
      function searchFor(filters) {
        var search;
        if (plain) {
          search = firstResults(homes).then(function (first) {
            return first || loadFacetIndex().then(function (ix) { return sortedSearch(searching(ix), term, filters, s.sort); });
          });
        } else if (distanceMode && !words.length && !Object.keys(filters).length && homes > SORT_ALL) {
          // nearest first, no words, no filters, big site: every home matches, so the nearest districts'
          // cards are all it needs, and the index is not read at all
          total = homes;
          search = nearestCards(o.at, SORT_ALL, reach).then(function (items) { return [items, 0]; });
        } else search = loadFacetIndex().then(function (ix) {
          var index = searching(ix);
          return !distanceMode ? sortedSearch(index, term, filters, s.sort) : index.search(term, { filters: filters }).then(function (r) {
            if (!r) return null;
            total = r.results.length;
            if (total > SORT_ALL) {
              // too many to fetch them all: the matching homes in the nearest districts (about SORT_ALL of
              // them: more districts when the words or filters match fewer homes), and the count says how
              // many more there are
              var want = Math.min(NEAR_MAX, Math.ceil(SORT_ALL * Math.max(1, (homes || total) / total)));
              return nearest(o.at, r.results, want, reach).then(function (items) { return [items, 0]; });
            }
            if (homes > SORT_ALL && ix.valuesOf) return placeMatches(ix, o.at, r.results).then(function (items) { return [items, 0]; });
            return Promise.all(r.results.map(function (x) { return x.data(); })).then(function (items) {
              return [items.map(function (d, i) { return cardAt(d, r.results[i].number, o.at); }), 0];
            });
          });
        });
        return search.then(function (found) {
          if (my !== runId || !found) return;
          unknown = found[1];
          ranked = found.length > 2 ? found[2] : -1;
          if (!distanceMode) return found[0];
          // sorted by distance, agencies that cover the postcode's district first; homes with no location last,
          // A to Z (by the site's name order when known)
          found[0].forEach(function (x) { x.card = x.meta ? readCard(x.meta) : null; });
          return found[0].sort(byCoverageThenDistance(district));
        });
      }
      unconfirmed = false;
      var told = -1;  // with some homes not confirmed after them: how many matched every filter (listed first)
      return searchFor(filters).then(function (results) {
        if (my !== runId || !results) return results;
        // searched again without the filters on facts nobody or few homes have given (but never with a home that
        // said no to one of them): when none matched, those homes, listed as not confirmed, each with who to ring
        // and its CQC page (a next step, never a dead end); when some did, the rest after them, not confirmed
        // (the one home that said yes to weekend admissions, 19 miles away, was all a discharge team saw, the 64
        // nearer homes that had not answered gone without a word: the Devon review)
        var drop = relaxable(chosen, known, homes, of);
        if (!drop.length) return results;
        var strict = { unknown: unknown, ranked: ranked, total: total };
        return searchFor(relaxed(filters, chosen, drop, FACE.requires)).then(function (more) {
          if (my !== runId) return null;
          if (!results.length) {
            if (more && more.length) unconfirmed = true;
            return more && more.length ? more : results;
          }
          unknown = strict.unknown; ranked = strict.ranked; total = strict.total;  // the count's notes: the first list's
          var seen = {};
          results.forEach(function (x) { seen[resultKey(x)] = true; });
          var rest = (more || []).filter(function (x) { return !seen[resultKey(x)]; });
          if (!rest.length) return results;
          told = results.length;
          rest.forEach(function (x) { x.unconfirmed = true; });
          return results.concat(rest);
        });
      }).then(function (results) {
        return my !== runId || !results ? null : placed(o, results);
      }).then(function (results) {
        if (my !== runId || !results) return;
        var rkey = FACE.radius ? FACE.radius.key : "", radiusChoice = rkey && o ? s[rkey] : "";
        var cover = results.cover === undefined ? Infinity : results.cover;
        if (o && FACE.radius) showRadius(withinCounts(results.map(function (x) { return x.km; }), FACE.radius.miles), cover);
        var within = radiusChoice ? String(FACE.radius.labels[radiusChoice] || "").toLowerCase() : "";
        if (within) results = withinMiles(results, radiusChoice);
        // those that said yes, counted after the distance limit: with none of them within it, the list is of those not
        // confirmed alone (a confirmed home 11.6 miles away was counted in a list within 5 miles: the review)
        if (told >= 0) {
          told = results.filter(function (x) { return !x.unconfirmed; }).length;
          if (!told) { unconfirmed = true; told = -1; }
        }
        pending = results; shown = 0; drawn = []; list.replaceChildren();
        var n = results.length, text, title = "", reasons = emptyReasons(chosen, known, homes, VALUES.find, of, ofKinds), placeAlone = false;
        // no match has a value for the sort (find.sortedNone): every one unknown, or none ranked (agencies have no beds)
        var none = (unknown === n || (ranked === 0 && unknown > 0)) && n > 1 ? unknownOf(s.sort) : null;
        // that an agency's distance is its office's, said once whether or not every home has confirmed
        var offices = distanceMode && n ? coverageNote(results.map(function (x) { return x.card; }), district, FACE.coverage, kinds) : "";
        if (n === 0) {
          // words alone (a need named among them too), nothing chosen in the form: no filter to remove, the words to
          // check, as typed (and a town's name put right below)
          var wordsAlone = !!s.q && activeFilters(form, s).every(function (a) { return a[2]; });
          // a part of the area named alone, where no service is: said so, not "check the spelling" (the review)
          placeAlone = wordsAlone && parts.names.length > 0 && !words.length && !meant.needs.length;
          text = reasons.length ? reasons.join(" ") : within ? fill(VALUES.find.noneWithin, { within: within })
            : placeAlone ? fill(VALUES.find.noneInPlace, { places: parts.names.join("; "), districts: parts.districts.join(", ") })
            : wordsAlone ? fill(VALUES.find.noneMatchWords, { words: clipped(s.q) }) : VALUES.find.noneMatch;
          if (!reasons.length && !within && wordsAlone && !placeAlone) title = fill(firstSentence(VALUES.find.noneMatchWords), { words: clipped(s.q) });
        } else if (told >= 0 && n > told) {
          // those that matched every filter, as the count says them ("1 home matches every filter, nearest first"), then
          // how many more are not confirmed after them, then where distances are from (it sat between the two: the review)
          var firstPart = fill(VALUES.find.matchEvery, { count: byCount(told, VALUES.find.matchOne, VALUES.find.matchMany),
            sort: distanceMode ? VALUES.find.nearestWords : sortOf(s.sort).words });
          // a postcode with another order than distance: that it does not narrow the list, as a list all confirmed says
          text = [firstPart, fill(n - told === 1 ? VALUES.find.thenPartialOne : VALUES.find.thenPartial, { count: plural(n - told, ONE, MANY) }),
            within ? onlyWithin(within, s) : "", !distanceMode && s.nearFromQ ? (FACE.search || {}).postcodeNotAFilter : "",
            o ? o.note : "", offices,
            // on a big site, how many more match every filter further away, as a list all confirmed says
            distanceMode && !within && total > told ? byCount(total - told, VALUES.find.furtherOne, VALUES.find.furtherMany) : ""
          ].filter(Boolean).join(" ");
        } else if (unconfirmed) {
          // sorted by distance, it says so, from where, and that an agency's is its office's, as when all are confirmed;
          // within a distance, that too (it was not said: the review)
          var partial = n === 1 ? (distanceMode ? VALUES.find.partialNearestOne : VALUES.find.partialOne)
            : distanceMode ? VALUES.find.partialNearest : VALUES.find.partial;  // "1 service matches" (it said "match")
          text = reasons.concat(fill(partial, { count: plural(n, ONE, MANY) }), within ? [onlyWithin(within, s)] : [],
            o ? [o.note, offices].filter(Boolean) : []).join(" ");
        } else if (within && distanceMode) {
          var count = plural(n, ONE, MANY);
          text = fill(VALUES.find.nearestWithin, { count: reach > cover ? fill(VALUES.find.atLeast, { count: count }) : count, within: within }) + " " + o.note;
        } else if (distanceMode) {
          var noPlace = results.filter(function (x) { return x.km >= 9999; }).length;
          text = fill(VALUES.find.nearestFirst, { count: plural(n, ONE, MANY) }) + " " + o.note +
            (offices ? " " + offices : "") +
            (noPlace ? " " + byCount(noPlace, VALUES.find.noLocationOne, VALUES.find.noLocationMany) : "") +
            (total > n ? " " + byCount(total - n, VALUES.find.furtherOne, VALUES.find.furtherMany) : "");
        } else if (s.sort === "rating" && unknown === n) {
          text = byCount(n, VALUES.find.matchOne, VALUES.find.matchMany) + ". " + VALUES.find.ratingSortNotKnown;
        } else text = (none
            ? noneOfKind(none, n, unknown, s.sort) || fill(none[4] ? VALUES.find.sortedNoneGiven : VALUES.find.sortedNone, { count: byCount(n, VALUES.find.matchOne, VALUES.find.matchMany), what: none[4] || none[2], sort: sortOf(s.sort).words })
            : fill(VALUES.find.sortedBy, { count: byCount(n, VALUES.find.matchOne, VALUES.find.matchMany), sort: sortOf(s.sort).words }) + unknownNote(s.sort, unknown)) +
          (within ? " " + onlyWithin(within, s)
            // a postcode with another order: it does not narrow the list, and each card's distance is from it (or from
            // its district's middle, when it is not live), said; or why it gave none (it said "used only to sort by
            // distance" over cards that each gave a distance: the review)
            : s.nearFromQ ? " " + [(FACE.search || {}).postcodeNotAFilter, o ? o.note : placeError].filter(Boolean).join(" ") : "");
        // a fact few have given, filtered on, with homes found: how few, before the count (the tab's title stays the
        // count); said when those that have not told us follow, and when none does (the other filters kept them out)
        if (n && reasons.length && !unconfirmed) {
          title = firstSentence(text);
          text = reasons.join(" ") + " " + text;
        }
        // a part of the area named, said with its districts; words typed where agencies are listed, that an agency
        // is found by its office's town and the towns it says it covers (Shaw found the one agency whose office is
        // there: the home care review)
        if (parts.names.length && !placeAlone) {
          var taken = parts.towns.length ? [VALUES.find.placeTownTakenOne, VALUES.find.placeTownTakenMany]
            : [VALUES.find.placeTakenOne, VALUES.find.placeTakenMany];
          text += " " + fill(parts.names.length === 1 ? taken[0] : taken[1],
            { places: parts.names.join("; "), districts: parts.districts.join(", "), towns: parts.towns.join("; ") });
        }
        var coverage = FACE.coverage || {};
        if (words.length && !distanceMode && coverage.wordsNote && (of || {}).covers &&
            (!kinds.length || kinds.some(function (k) { return (coverage.kinds || []).indexOf(k) >= 0; }))) text += " " + coverage.wordsNote;
        // the tab's title is the count's sentence, not a note put before it (the review: "Left out, ..." was the title)
        if (!title) title = firstSentence(text);
        // a link's town or area the page does not list, said on the first search (it was dropped without a word)
        text = missed.map(function (m) { return notListedNote(VALUES.find, m[0], m[1]); }).join("") + text;
        missed = [];
        // a link's filters of a kind not chosen (?kind=home_care_agency&care=Nursing), which fitFacets set aside: named
        // once, as a town not listed is (they were dropped without a word: the review of the kinds' filters)
        if (asideOnce) {
          var aside = setAside(form);
          if (aside.length) text = fill(VALUES.find.setAside, { filters: aside.join("; ") }) + " " + text;
        }
        asideOnce = false;
        // the count is announced once the first homes are on the page
        // a word that matches nothing, one letter off a listed town: the town offered in the same sentence, written
        // at once with it (appended after, the whole status was announced twice: the accessibility review); a town
        // or area chosen as well: a town's name put right would match nothing there either
        var suggest = n !== 0 || !words.length || s.town || s.locality ? Promise.resolve(null)
          : Promise.all([placeNames(form, base), unmatched(words)]).then(function (got) {
            // the council's parts of the area too ("Sadleworth": the review of the place search)
            return misspelt(got[1], got[0].concat(PLACES.map(function (p) { return Array.isArray(p) ? String(p[1]) : ""; })));
          },
            function () { return null; });
        return showMore().then(function () { return suggest; }).then(function (pair) {
          finish(text, title);
          didYouMean(pair, s, my);
        }).then(function () {
          if (my !== runId) return;
          return reopen();
        });
      });
    }).catch(function (e) {
      finish(e === NOT_LOADED ? VALUES.find.notLoaded : VALUES.find.notWorking);
    });
  }
  function unmatched(words) {
    // the words (as long as misspelt takes them; the first 8) that match no home on their own: only such a word may
    // be misspelt ("Leominister" is in a home's name; "orchard" in many)
    var some = words.filter(function (w) { return w.length >= MISSPELT_FROM; }).slice(0, 8);
    return loadFacetIndex().then(function (ix) {
      var index = searching(ix);
      return Promise.all(some.map(function (w) {
        return index.search(w, { filters: {} }).then(function (r) { return r && r.results.length ? null : w; });
      }));
    }).then(function (found) { return found.filter(Boolean); }).catch(function () { return []; });
  }
  function didYouMean(pair, s, my) {
    // "Did you mean Oldham?" after the count's line of a search whose word matches no home and is one letter off a
    // listed town or area (find.didYouMean): the town's name a link that searches again with it in place of the word
    // (the words as the search read them: plainWords, which the word put right is one of)
    if (!pair || my !== runId) return;
    // the other words as typed (putRight); the words as the search read them when the word is not one of the box's alone
    var words = putRight(s.q, pair[0], pair[1]) ||
      plainWords(searchWords(s.q).join(" ")).split(" ").map(function (w) { return w === pair[0] ? pair[1] : w; }).join(" ");
    var q = (s.nearFromQ ? s.nearFromQ + " " : "") + words;
    var params = new URLSearchParams(location.search);
    params.set("q", q);
    var link = el("a", { href: "?" + params.toString() }, pair[1]);
    link.addEventListener("click", function (ev) {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;  // a new tab or window: the address
      ev.preventDefault(); form.q.value = q; run(PUSH); form.q.focus();
    });
    var parts = String(VALUES.find.didYouMean || "").split("{value}");
    if (parts.length !== 2) return;
    status.append(" " + parts[0], link, parts[1]);
  }
  var timer = null, hadPostcode = hasPostcode(form.q.value);
  form.addEventListener("input", function (ev) {
    // a postcode typed in the search box sorts by distance, unless another order than A to Z was chosen; taken out of
    // it, A to Z again (a town typed in its place found nothing: "Enter a postcode": the national review)
    if (ev.target.name === "q") {
      var has = hasPostcode(form.q.value);
      if (has && form.sort.value === "name") form.sort.value = "distance";
      else if (!has && hadPostcode && form.sort.value === "distance" && !geo) form.sort.value = "name";
      hadPostcode = has;
    }
    // searched once typing pauses: 700 ms, longer than the gap between keys of someone typing slowly (about 400 ms)
    if (ev.target.name === "q") { clearTimeout(timer); timer = setTimeout(function () { run(TYPED); }, TYPING_PAUSE_MS); }
  });
  form.addEventListener("change", function (ev) {
    if (ev.target.name === "sort" && ev.target.value !== "distance") geo = null;
    if (ev.target.name !== "q") run(ev.isTrusted ? PUSH : undefined);  // a town's name put right: the same entry
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault(); clearTimeout(timer);
    // "Apply filters" after a box ticked has searched already: not again, so the count is not written (and read out)
    // a second time, as the person is taken to it (the accessibility review)
    if (String(toParams(form)) !== lastRun) run(PUSH);
    else typing = false;  // as run(PUSH) would have left it: the next words typed are a new entry in the history
    // "Apply filters" on a phone folds the panel away and takes the person to the count
    if (ev.submitter && panel.contains(ev.submitter) && !wide()) {
      panel.open = false;
      status.focus();
    }
  });
  // Escape folds the phone's filters away, back to their button, as the menu closes (the accessibility review); on a
  // wide screen they are beside the list, always open
  panel.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !panel.open || wide()) return;
    if (ev.target && ev.target.tagName === "SELECT") return;  // a list of choices open on it closes first
    panel.open = false;
    var summary = panel.querySelector("summary");
    if (summary) summary.focus();
  });
  // Back from a home's page (or its CQC page) to this list: the list is drawn again, and the browser's own scroll
  // lands wherever the half-drawn page let it (at the foot of the page on a phone). The history entry keeps the
  // link opened and how many cards were shown; the list is shown that far again and the link has the focus.
  var opened = history.state && typeof history.state.opened === "string" ? history.state : null;
  list.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a) return;
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    history.replaceState({ opened: a.getAttribute("href"), shown: shown }, "", location.href);
  });
  function reopen() {
    var was = opened;
    opened = null;
    if (!was) return;
    var find = function () {
      return [].filter.call(list.querySelectorAll("a[href]"), function (a) { return a.getAttribute("href") === was.opened; })[0];
    };
    // the browser's own restoring is over: a filter chosen from here on is a history entry as before
    if ("scrollRestoration" in history) history.scrollRestoration = "auto";
    var upTo = function () {
      var a = find();
      if (a || shown >= Math.min(pending.length, was.shown)) return a;
      return showMore().then(upTo);
    };
    return Promise.resolve(upTo()).then(function (a) {
      if (!a) return;
      a.closest("li").scrollIntoView({ block: "center" });
      a.focus({ preventScroll: true });
    });
  }
  more.addEventListener("click", function () {
    showMore().then(function (first) { if (first) first.querySelector("a").focus(); })
      .catch(function () { status.textContent = VALUES.find.notLoaded; });
  });
  var locate = document.getElementById("use-location");
  if (locate) locate.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = VALUES.find.geoNone; return; }
    status.textContent = VALUES.find.geoAsking;
    navigator.geolocation.getCurrentPosition(function (p) {
      geo = [p.coords.latitude, p.coords.longitude];
      form.sort.value = "distance";
      run(PUSH);
    }, function () { status.textContent = VALUES.find.geoRefused; }, { timeout: 10000 });
  });
  ["clear", "clear-top"].forEach(function (id) {
    document.getElementById(id).addEventListener("click", function (ev) {
      ev.preventDefault(); form.reset(); geo = null; run(PUSH); form.q.focus();
    });
  });
  window.addEventListener("popstate", function () {
    // Back or Forward: the form as that entry's address says, searched again
    clearTimeout(timer); form.reset(); geo = null; typing = false;
    writeForm(form, new URLSearchParams(location.search));
    run();
  });
  suggestTowns(form, base);
  loadFacets().then(function (f) { if (f && f.known) showKnown(form, f.known, f.homes, f.of, f.ofKinds); });
  run();
}

var townsFile = null;
function townsOf(base) {
  // search/towns.json's towns (a national site's, not in the page), fetched once; [] when it cannot be read
  if (!townsFile) {
    townsFile = fetch(new URL("search/towns.json", base)).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; })
      .then(function (all) { return Array.isArray(all) ? all.filter(function (t) { return typeof t === "string"; }) : []; });
  }
  return townsFile;
}
function placeNames(form, base) {
  // the towns and areas the page lists: its lists' choices, and search/towns.json where the town is a text box
  var listed = [];
  ["town", "locality"].forEach(function (k) {
    var f = form[k];
    if (f && f.tagName === "SELECT") Array.prototype.forEach.call(f.options, function (o) { if (o.value) listed.push(o.value); });
  });
  return form.town && form.town.tagName === "INPUT" ? townsOf(base).then(function (t) { return t.concat(listed); }) : Promise.resolve(listed);
}

function suggestTowns(form, base) {
  // Many towns (a national site): the town filter is a text box whose suggestions come from
  // search/towns.json, fetched when the box is first used, not a list of thousands in the page.
  var list = document.getElementById("town-list"), names = null;
  if (!list || !form.town) return;
  function load() {
    if (names) return names;
    names = townsOf(base)
      .then(function (all) {
        var frag = document.createDocumentFragment();
        all.forEach(function (t) { frag.appendChild(el("option", { value: t })); });
        list.appendChild(frag);
        return all;
      });
    return names;
  }
  form.town.addEventListener("focus", load);
  form.town.addEventListener("input", load);
  // "ross on wye" typed is the town Ross-on-Wye: the filter takes the name as the build wrote it (and
  // searches again with it)
  var key = function (t) { return t.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim(); };
  form.town.addEventListener("change", function () {
    var typed = key(form.town.value);
    (names || Promise.resolve([])).then(function (all) {
      var same = all.filter(function (t) { return key(t) === typed; })[0];
      if (typed && same && same !== form.town.value) {
        form.town.value = same;
        form.town.dispatchEvent(new window.Event("change", { bubbles: true }));
      }
    });
  });
}
