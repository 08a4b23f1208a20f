/* Pure helpers of the find and compare pages: no page, no storage, no network (tested by node --test,
   tests/js/). Every wording of a fact is finished by the build; these only fill, count and measure. */

import { searchWords } from "./directory-facets.js";

export const MILE = 1.609344;
export function fill(template, parts) {
  // "{n} of {total}" -> "3 of 89": the wording is the schema's (x-directory.find)
  return String(template || "").replace(/\{(\w+)\}/g, function (m, k) { return parts[k] !== undefined ? String(parts[k]) : m; });
}
export function own(obj, key) {
  // obj's own value of key, never one it inherits (constructor, toString, __proto__): a link's or a file's word is
  // never taken for a key of the page's own objects
  return obj && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
// The link's fields whose value names an item of a list the page shows (a town, an area), with the schema's sentence
// for one it does not list (x-directory.find); any other field's unknown value (a sort, a fee, a unit) is left at
// its default without a word, as an unknown box's is.
const NOT_LISTED = new Map([["town", "notTown"], ["locality", "notLocality"]]);
export function notListed(field) { return NOT_LISTED.has(field); }
export function notListedNote(find, field, value) {
  // "“Nowhere” is not a town listed here, so every town is shown. ", or "" for a field that names no listed item
  var key = NOT_LISTED.get(field), words = key ? own(find, key) : undefined;
  return typeof words === "string" ? fill(words, { value: String(value).slice(0, 60) }) + " " : "";
}
export function money(n) { return "£" + Number(n).toLocaleString("en-GB", { maximumFractionDigits: 2 }); }
export function safeSlug(s) { return typeof s === "string" && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s); }
export function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
export function byCount(n, one, many) {
  // the schema's sentence for one ("1 {home} matches") or for n ("{n} {homes} match"), with n filled in
  return fill(n === 1 ? one : many, { n: n });
}
export function withPostcode(text) {
  // "Kington HR3 5AA" -> ["HR3 5AA", "Kington"]: a whole postcode among other words, else an outward code among
  // them ("OL2 dementia" -> ["OL2", "dementia"]: where to measure from, as the code alone is, not a word to match,
  // which found only the services whose office is in OL2, never an agency covering OL2 from elsewhere), or null
  var m = /(^|\s)([A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*[0-9][A-Za-z]{2})(?=\s|$)/.exec(text);
  if (!m || !postcode(m[2])) m = /(^|\s)([A-Za-z]{1,2}[0-9][0-9A-Za-z]?)(?=\s|$)/.exec(text);
  if (!m || !(postcode(m[2]) || outward(m[2]))) return null;
  var rest = (text.slice(0, m.index) + " " + text.slice(m.index + m[0].length)).replace(/\s+/g, " ").trim();
  return rest ? [m[2], rest] : null;
}
export function outward(text) {
  var t = String(text || "").toUpperCase().replace(/\s+/g, "");
  var m = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})?$/.exec(t);
  return m ? m[1] : null;
}
export function postcode(text) {
  // "hr3 5aa" -> ["HR3", "5AA"]; null unless it is a whole postcode
  var t = String(text || "").toUpperCase().replace(/\s+/g, "");
  var m = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$/.exec(t);
  return m ? [m[1], m[2]] : null;
}
export function km(a, b) {
  var R = 6371, r = Math.PI / 180, dLat = (b[0] - a[0]) * r, dLon = (b[1] - a[1]) * r;
  var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a[0] * r) * Math.cos(b[0] * r) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  return 2 * R * Math.asin(Math.sqrt(h));
}

export function distanceText(km, unit, find) {
  // "3.2 miles away (approximately)": the schema's wording (x-directory.find distance, and noLocation for a home
  // with no location) around the number and its unit
  if (km >= 9999) return find.noLocation;
  return fill(find.distance || "{distance}", { distance: (unit === "km" ? km : km / MILE).toFixed(1) + " " + ((find.units || {})[unit] || unit) });
}

export function plainWords(text) {
  // how the build names a need in plain words (face.py plain_words): lower case letters and digits, single spaces
  return String(text || "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

export function needsIn(q, needWords) {
  // A word or phrase of the search box that names a need is that filter, never text to match (so "dementia"
  // finds the homes registered for dementia, and no word can match a postcode by its first letters).
  // needWords: [[phrase, filter, {kind: why a card of that kind it found is listed}], ...], longest first.
  // -> {rest: the other words, filters, needs: the build's finished reasons by kind, once each}
  var rest = " " + plainWords(q) + " ", filters = {}, needs = [];
  (needWords || []).forEach(function (w) {
    if (rest.indexOf(" " + w[0] + " ") < 0) return;
    // each time it is named ("dementia dementia" matched nothing)
    while (rest.indexOf(" " + w[0] + " ") >= 0) rest = rest.replace(" " + w[0] + " ", " ");
    filters[w[1]] = "yes";
    if (needs.indexOf(w[2]) < 0) needs.push(w[2] || {});
  });
  return { rest: rest.trim().replace(/\s+/g, " "), filters: filters, needs: needs };
}

export function councilIn(q, areas) {
  // A council area of the Area list ([[its name, its value], ...]) of two words or more named in the search's words
  // ("Richmond upon Thames"), the longest: [its words, its value, the other words], or null. One word (Leeds) stays a
  // word to match, as a town's name is (the national review: the Area list's own names found nothing when typed)
  var typed = " " + plainWords(q) + " ", found = null;
  (areas || []).forEach(function (a) {
    var key = plainWords(a[0]);
    if (a[1] && key.indexOf(" ") > 0 && typed.indexOf(" " + key + " ") >= 0 && (!found || key.length > found[0].length)) found = [key, a[1]];
  });
  return found ? [found[0], found[1], typed.replace(" " + found[0] + " ", " ").trim().replace(/\s+/g, " ")] : null;
}
export function placesIn(q, places) {
  // A part of the council's area named in the search's words ("Saddleworth": mkdocs.yml's localities, the find page's
  // data-places: [[its words, its name, [postcode districts]], ...], longest first) is those districts, never text
  // to match (a coordinator typing the patient's area found nothing). q: the words as needsIn leaves them. A part named
  // as a town is (its label after its districts) is that town as well (towns).
  // -> {rest: the other words, names: the parts named, districts: their districts, towns: those towns, once each}
  var typed = " " + plainWords(q) + " ", rest = typed, found = [], names = [], districts = [], towns = [];
  (Array.isArray(places) ? places : []).forEach(function (p) {
    if (!Array.isArray(p) || !Array.isArray(p[2])) return;
    var key = plainWords(p[0]);
    if (!key || rest.indexOf(" " + key + " ") < 0) return;
    while (rest.indexOf(" " + key + " ") >= 0) rest = rest.replace(" " + key + " ", " ");
    found.push([typed.indexOf(" " + key + " "), p]);
  });
  found.sort(function (a, b) { return a[0] - b[0]; });  // in the order typed
  found.forEach(function (f) {
    names.push(String(f[1][1]));
    f[1][2].forEach(function (d) { if (typeof d === "string" && d && districts.indexOf(d) < 0) districts.push(d); });
    if (typeof f[1][3] === "string" && f[1][3] && towns.indexOf(f[1][3]) < 0) towns.push(f[1][3]);
  });
  return { rest: rest.trim().replace(/\s+/g, " "), names: names, districts: districts, towns: towns };
}

export function whyMatched(meta, words, needs, search) {
  // "Matched on: name; registered with CQC to support dementia": which of the home's name, town, provider or
  // postcode has each word, and the needs named (each as the build words why it found the card)
  var m = meta || {}, reasons = [], wording = (search || {}).reasons || {};
  var fields = { name: m.title, town: m.town, provider: m.provider, postcode: m.postcode, covers: m.covers };
  Object.keys(fields).forEach(function (k) {
    var plain = searchWords(fields[k]).join(" ");  // as the word index has them (directory-facets.js)
    var own = (" " + plain + " " + (k === "postcode" ? plain.replace(/ /g, "") + " " : ""));
    if ((words || []).some(function (w) { return own.indexOf(" " + w + " ") >= 0; }) && wording[k]) reasons.push(wording[k]);
  });
  var why = (needs || []).map(function (byKind) {  // the card's own kind's words, else the first kind's
    return byKind[m.kind] || byKind[Object.keys(byKind)[0]] || "";
  }).filter(Boolean);
  if (why.length && wording.needs) reasons.push(fill(wording.needs, { needs: why.join("; ") }));
  return reasons.length ? fill(search.why, { reasons: reasons.join("; ") }) : "";
}

export function readCard(meta) {
  // the card the build finished ({address, lines}, and for an agency office: true and the districts it covers),
  // from the card's base64 meta (views.card_meta); empty if unreadable
  try {
    var bytes = Uint8Array.from(atob(String((meta || {}).card || "")), function (c) { return c.charCodeAt(0); });
    var card = JSON.parse(new TextDecoder().decode(bytes));
    var cqc = typeof card.cqc === "string" && /^https:\/\//.test(card.cqc) ? card.cqc : "";
    var links = card.links && typeof card.links === "object" ? card.links : {};
    var out = { address: String(card.address || ""), lines: Array.isArray(card.lines) ? card.lines.map(String) : [],
      ring: typeof card.ring === "string" ? card.ring : "", cqc: cqc,
      office: card.office === true, covers: Array.isArray(card.covers) ? card.covers.map(String) : [] };
    // a line's link (the CQC page): [the words that link, the link], by the line's place
    if (Object.keys(links).length) out.links = links;
    // the number in who to ring, as a tel: link ([number, link], ringLink)
    var ring = ringLink(card.ringLink);
    if (ring) out.ringLink = ring;
    return out;
  } catch (e) { return { address: "", lines: [], ring: "", cqc: "", office: false, covers: [] }; }
}
export function cardContact(built, unconfirmed, council, words) {
  // how a result card says who to ring ({ring, link, cqc}), from the card the build finished (readCard) and the schema's
  // words (VALUES.find): its own number and tel: link; else, on a card not confirmed, the council's placement line;
  // cqc: [the words, the CQC page] where the card is not confirmed or has no number to ring (the schema's cqcPageNumber:
  // a card with no number said nothing of how to reach it, the compare review), else null
  var c = council || {}, w = words || {};
  var ring = built.ring || (unconfirmed ? c.text || "" : ""), link = built.ring ? built.ringLink || null : unconfirmed ? c.link || null : null;
  var cqc = built.cqc && (unconfirmed || !ring) ? [ring ? w.cqcPage : w.cqcPageNumber, built.cqc] : null;
  return { ring: ring, link: ring ? link : null, cqc: cqc && cqc[0] ? cqc : null };
}
export function ringLink(link) {
  // who to ring's number and its tel: link, as the build made them ([number, link]: views.card_meta's ringLink,
  // the find page's data-ring-council-link), or null: the number is then placed as plain text
  if (typeof link === "string") { try { link = JSON.parse(link); } catch (e) { return null; } }
  return Array.isArray(link) && link.length === 2 && typeof link[0] === "string" && safeHref(link[1]) && /^tel:/.test(link[1]) ? [link[0], link[1]] : null;
}
export function outOf(key, homes, of) {
  // how many homes a count key's count is out of: those of a kind that gives the fact at all (search/facets.json
  // "of": a care home's nursing is not a fact a home care agency leaves untold), else every home
  return of && typeof of[key] === "number" ? of[key] : homes;
}
export function relaxable(chosen, known, homes, of) {
  // chosen: [filter, count key] of each filter in use; the filters on a fact some homes have not given, which the
  // list is searched again without, those that have not told us listed after the rest as not confirmed (a filter
  // most had answered left the others out without a word: 1 of Oldham's 62 agencies on personal care, the task
  // review); a rating only when under half have one (it has its own option for those without: a true no match)
  var out = [];
  chosen.forEach(function (c) {
    var n = known[c[1]], total = outOf(c[1], homes, of);
    if (typeof n === "number" && (c[1] === "rating" ? n * 2 < total : n < total) && out.indexOf(c[0]) < 0) out.push(c[0]);
  });
  return out;
}
export function without(filters, names) {
  var out = {};
  Object.keys(filters).forEach(function (k) { if (names.indexOf(k) < 0) out[k] = filters[k]; });
  return out;
}
export function relaxed(filters, chosen, names, requires) {
  // The filters of the search again, each filter named (one on a fact few homes have given) kept as "matches
  // it, or has not told us that fact" (the build's filter untold: each home's count keys it has not
  // given), so a home that said no is never offered as "ring to check". chosen: [filter, count key, ...].
  // requires: count key -> the yes/no filter a home that has not told us must not answer no to (face.json
  // known.requires: a bed with nursing free is asked of a home registered with nursing, or not known to be without)
  var out = without(filters, names), either = [];
  chosen.forEach(function (c) {
    if (names.indexOf(c[0]) < 0 || !Object.prototype.hasOwnProperty.call(filters, c[0])) return;
    var one = {}, need = (requires || {})[c[1]], untold = { untold: c[1] };
    one[c[0]] = filters[c[0]];
    if (need) {
      var yes = {};
      yes[need] = "yes";
      untold = { all: [untold, { any: [yes, { untold: need }] }] };
    }
    var rule = { any: [one, untold] };
    if (!either.some(function (e) { return JSON.stringify(e) === JSON.stringify(rule); })) either.push(rule);
  });
  if (either.length) out.all = either;
  return out;
}
export function ofKind(words, name, key, ofKinds) {
  // the schema's sentence ``name`` for a count out of one kind of service (search/facets.json "ofKinds": ["care
  // home", "care homes"]), its ``name + "Of"`` with {kind} and {kinds} filled in; else ``name`` as the build finished
  // it with the site's nouns
  var kind = ofKinds && Array.isArray(ofKinds[key]) && ofKinds[key].length === 2 && typeof ofKinds[key][0] === "string" &&
    typeof ofKinds[key][1] === "string" ? ofKinds[key] : null;
  return kind && typeof words[name + "Of"] === "string" ? fill(words[name + "Of"], { kind: kind[0], kinds: kind[1] }) : words[name];
}
export function emptyReasons(chosen, known, homes, find, of, ofKinds) {
  // why a list is empty, one finished sentence per filter on a fact nobody or few have given (x-directory.find);
  // chosen: [filter, count key, question]; a rating nobody has says how many homes have none; of: outOf's, and
  // ofKinds: what kind of service those are (ofKind); those nobody of a kind answered, one sentence (questionsJoin)
  var out = [], untold = {};  // a sentence's words -> its place and questions
  chosen.forEach(function (c) {
    var n = known[c[1]], total = outOf(c[1], homes, of);
    if (typeof n !== "number" || n * 2 >= total) return;
    if (c[1] === "rating" && n === 0) return out.push(fill(ofKind(find, "ratingNotKnown", c[1], ofKinds), { n: total - n, total: total }));
    var words = ofKind(find, n === 0 ? "noHomeToldUs" : "fewToldUs", c[1], ofKinds), join = find.questionsJoin;
    if (n === 0 && Array.isArray(join) && join.length === 2) {
      var key = String(words), held = untold[key];
      if (held) { if (held.questions.indexOf(c[2]) < 0) held.questions.push(c[2]); return; }
      untold[key] = { at: out.length, questions: [c[2]] };
      out.push("");
      return;
    }
    out.push(fill(words, { n: n, total: total, question: c[2] }));
  });
  Object.keys(untold).forEach(function (key) {
    var q = untold[key].questions, last = q[q.length - 1];
    out[untold[key].at] = fill(key, { question: q.length > 1 ? q.slice(0, -1).join(find.questionsJoin[0]) + find.questionsJoin[1] + last : last });
  });
  return out.filter(function (text, i) { return text && out.indexOf(text) === i; });
}

export function coversDistrict(card, district) {
  // whether a card's agency has said it covers this postcode district (OL1): it then ranks first
  return !!(district && card && (card.covers || []).indexOf(district) >= 0);
}

export function officeDistanceText(km, unit, find, coverage) {
  // an agency's distance, only ever as the distance to its office ("Office 2.1 miles away")
  if (km >= 9999) return find.noLocation;
  var d = (unit === "km" ? km : km / MILE).toFixed(1) + " " + ((find.units || {})[unit] || unit);
  return fill((coverage || {}).office || "Office {distance} away", { distance: d });
}

export function byCoverageThenDistance(district) {
  // a sort comparator of distance results ({card, km, rank, title}): agencies covering the district first, then nearest
  return function (a, b) {
    var ca = coversDistrict(a.card, district) ? 0 : 1, cb = coversDistrict(b.card, district) ? 0 : 1;
    return ca - cb || a.km - b.km || ((a.rank || 0) - (b.rank || 0)) || String(a.title || "").localeCompare(String(b.title || ""));
  };
}

export function fitsKinds(kind, chosen) {
  // whether something of a kind ("": of every kind) can be in the results when the kinds of service ``chosen``
  // (their ids; none chosen: every kind) are ticked
  return !kind || !(chosen || []).length || chosen.indexOf(kind) >= 0;
}

export function coverageNote(cards, district, coverage, chosen) {
  // what the count adds when agencies are listed by distance: that those covering the district come first,
  // or that none has given its area, so they are listed by the distance to their office. Said only when the
  // kinds chosen can list agencies (coverage.kinds): a care home that is also an agency, found as a care home, is not
  var offices = (cards || []).filter(function (c) { return c && c.office; });
  if (!offices.length || !district) return "";
  var kinds = (coverage || {}).kinds;
  if (Array.isArray(kinds) && !kinds.some(function (k) { return fitsKinds(k, chosen); })) return "";
  var given = offices.some(function (c) { return (c.covers || []).length; });
  return fill(given ? (coverage || {}).officeNote : (coverage || {}).noneGiven, { district: district });
}

export function withinCounts(kms, miles) {
  // {"5": 3, "10": 8, "20": 19}: how many of the homes (their distances in km) are within each distance in miles
  var out = {};
  (miles || []).forEach(function (m) {
    out[String(m)] = (kms || []).filter(function (k) { return typeof k === "number" && k <= m * MILE; }).length;
  });
  return out;
}
export function withinMiles(items, miles) {
  // the items ({km}) within ``miles`` (a number, or "" for any distance), in their order
  var m = parseFloat(miles);
  if (!(m > 0)) return items;
  return items.filter(function (x) { return typeof x.km === "number" && x.km <= m * MILE; });
}
export function foldNear(q, near) {
  // an old link's separate postcode (?near=HR6+8AA) joins the one search box, unless the box has one already
  var n = String(near || "").trim(), words = String(q || "").trim();
  if (!n || outward(words) || withPostcode(words)) return words;
  return (words ? words + " " : "") + n;
}
export function linkParts(text, link) {
  // [before, the words that link, after] when the text holds them; else [text, the words, ""] (appended)
  var t = String(text || ""), words = String(link || ""), i = words ? t.indexOf(words) : -1;
  return i < 0 ? [t ? t + " " : "", words, ""] : [t.slice(0, i), words, t.slice(i + words.length)];
}
// a link the build made: an https page, or a phone number's tel: link of digits, spaces and + only (safetext.tel_href)
export function safeHref(h) { return typeof h === "string" && (/^https:\/\/[^\s"<>]+$/.test(h) || /^tel:\+?[0-9][0-9 ]*$/.test(h)); }
export const REACH_MARGIN = 15;  // km: a postcode district's homes lie around its middle, not on it
export function nearestFirst(at, places, fallback) {
  // [[km nearer than which none of its homes is, key, homes], ...], nearest first, of {key: [lat, lon, homes, reach km]}
  return Object.keys(places || {}).map(function (k) {
    var p = places[k], reach = typeof p[3] === "number" ? p[3] : fallback;
    return [Math.max(0, km(at, p) - reach), k, p[2]];
  }).sort(function (x, y) { return x[0] - y[0]; });
}
export function pickDistricts(ranked, want, reach, cap) {
  // ranked: nearestFirst's. The districts to load: until they hold ``want`` homes and all that could hold one within
  // ``reach`` km, at most ``cap`` homes. cover: every home within this many km is in them (Infinity: all)
  var codes = [], count = 0, i = 0;
  for (; i < ranked.length && (count < want || ranked[i][0] < (reach || 0)) && count < (cap || Infinity); i++) {
    codes.push(ranked[i][1]); count += ranked[i][2];
  }
  return { codes: codes, cover: i < ranked.length ? ranked[i][0] : Infinity };
}
export function editDistance(a, b) {
  // letters to change, add, remove or swap (two side by side) to make a into b: "oldam" -> "oldham" is 1
  var d = [], i, j;
  for (i = 0; i <= a.length; i++) { d[i] = [i]; }
  for (j = 1; j <= b.length; j++) d[0][j] = j;
  for (i = 1; i <= a.length; i++) {
    for (j = 1; j <= b.length; j++) {
      var cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
export function putRight(text, word, name) {
  // the search box's text with each of its words that reads as the word put right (searchWords: "Leominstr," reads
  // as leominstr) in its place, as the page writes the town ("Care homes Leominstr" -> "Care homes Leominster"): the
  // other words as they were typed, spaces and case kept. Null when no word of the text reads as that word alone
  var found = false;
  var out = String(text || "").split(/(\s+)/).map(function (part) {
    var read = searchWords(part);
    if (read.length === 1 && read[0] === word) { found = true; return name; }
    return part;
  }).join("");
  return found ? out : null;
}
export const MISSPELT_FROM = 5;  // letters a word needs to be put right: shorter ones are one off too many common words
export function misspelt(words, names) {
  // [word, name] for the first search word (5 letters or more) that is one letter off the name of a town or area the
  // page lists that is one word (two off for 8 letters or more): "oldam" -> "Oldham", the name as the page writes it.
  // A word of a name of several words ("Long" of Long Itchington, "Near" of "Near Leominster") is no name: a
  // common word one letter off it is not a misspelt town. None when the word is one of them already, or is as
  // near to two. words: the search's words as the build cuts text into words (searchWords), each one that matched no
  // home (a home's own word is never put right)
  var vocab = new Map();
  (names || []).forEach(function (name) {
    var parts = searchWords(name);
    if (parts.length === 1 && parts[0].length >= MISSPELT_FROM && !vocab.has(parts[0])) vocab.set(parts[0], String(name));
  });
  for (var i = 0; i < words.length; i++) {
    var w = words[i];
    if (w.length < MISSPELT_FROM || vocab.has(w)) continue;
    var limit = w.length >= 8 ? 2 : 1, best = null, bestAt = limit + 1, tie = false;
    vocab.forEach(function (name, k) {
      if (Math.abs(k.length - w.length) > limit) return;
      var at = editDistance(w, k);
      if (at < bestAt) { best = name; bestAt = at; tie = false; } else if (at === bestAt) tie = true;
    });
    if (best && !tie) return [w, best];
  }
  return null;
}
