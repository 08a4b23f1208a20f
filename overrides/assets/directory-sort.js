/* The find page's orders: each home page carries its rank in each order the build made (unknowns last);
   the best rating first is one search per rating. Pure given a search index (directory-facets.js; tested by node --test). */
import { FACE, VALUES } from "./directory-values.js";
import { fill, fitsKinds, own } from "./directory-text.js";

export function sortFits(key, chosen) {
  // whether a sort fits the kinds of service chosen: "beds free" is a care home's, "hours it can start" an agency's
  return fitsKinds((own(FACE.sorts, key) || {}).kind, chosen);
}
export function fittingSort(key, chosen, fallback) {
  // the sort chosen, or ``fallback`` (distance with a postcode, else A to Z) when it does not fit the kinds chosen
  return sortFits(key, chosen) ? key : fallback;
}
export function sortOf(key) { return own(FACE.sorts, key) || own(FACE.sorts, "name") || { words: "" }; }
export function unknownOf(sort) {
  // [filter, its value for homes with none for the sort, "has not given its fees", "have not ...", "has given its fees"]
  var u = own(FACE.sorts, sort);
  return u && u.filter && u.unknownValue ? [u.filter, u.unknownValue, u.unknownOne, u.unknownMany, u.knownNone] : null;
}
export function allows(value, v) { return typeof value === "string" ? value === v : !!(value && value.any && value.any.indexOf(v) >= 0); }
export function ratingSearch(pf, term, filters) {
  // Best rating first: one search per rating (the schema's order, best first, homes with no rating
  // last), each A to Z. No sort list to download, and the order is exact.
  var chosen = filters.rating;
  var order = VALUES.ratings.filter(function (r) { return !chosen || allows(chosen, r); });
  return Promise.all(order.map(function (r) {
    var f = Object.assign({}, filters);
    f.rating = r;
    return pf.search(term, { filters: f, sort: { name: "asc" } });
  })).then(function (all) {
    var out = [], unknown = 0;
    all.forEach(function (res, i) {
      if (!res) return;
      out = out.concat(res.results);
      if (order[i] === VALUES.noRating) unknown = res.results.length;
    });
    return [out, unknown];
  });
}
export function sortedSearch(pf, term, filters, sort) {
  if (sort === "rating") return ratingSearch(pf, term, filters);
  // Homes with a value for the sort are ranked at build time; those without one have no rank, so
  // they come from a second search (same words and filters, value not known), A to Z, after them.
  var opts = { filters: filters, sort: {} }, u = unknownOf(sort);
  opts.sort[own(FACE.sorts, sort) ? sort : "name"] = "asc";
  var known = pf.search(term, opts);
  if (!u) return known.then(function (r) { return r ? [r.results, 0] : null; });
  var wanted = u[1], unknown = Promise.resolve(null), ofKind = Promise.resolve(null);
  // a sort of one kind (beds free) on several kinds counts that kind's unknowns only (agencies have no beds)
  var kinds = FACE.kindFilters || {}, mine = own(kinds, (own(FACE.sorts, sort) || {}).kind);
  var chosen = Object.keys(kinds).some(function (k) { return own(filters, kinds[k]); });
  if (!filters[u[0]] || allows(filters[u[0]], wanted)) {
    var f = Object.assign({}, filters);
    f[u[0]] = wanted;
    unknown = pf.search(term, { filters: f, sort: { name: "asc" } });
    if (mine && !chosen) {
      var g = Object.assign({}, f);
      g[mine] = "yes";
      ofKind = pf.search(term, { filters: g, sort: { name: "asc" } });
    }
  }
  return Promise.all([known, unknown, ofKind]).then(function (all) {
    if (!all[0]) return null;
    var rest = all[1] ? all[1].results : [], later = {};
    // a sort no home has a value for is ignored by the index, which then returns every home: the
    // homes without a value are listed once, last
    rest.forEach(function (r) { later[r.id] = true; });
    var ranked = all[0].results.filter(function (r) { return !later[r.id]; });
    // third: how many have a value for the sort (none: every match is listed A to Z, the agencies among them)
    return [ranked.concat(rest), all[2] ? all[2].results.length : rest.length, ranked.length];
  });
}
export function unknownNote(sort, n) {
  // the schema's sentence (find.lastOne, lastMany) with the sort's words (unknownOne, unknownMany)
  var u = unknownOf(sort);
  if (!u || !n) return "";
  return " " + fill(n === 1 ? VALUES.find.lastOne : VALUES.find.lastMany, { n: n, what: n === 1 ? u[2] : u[3] });
}
