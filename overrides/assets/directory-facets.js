/* The find page's own index (search/facets/, written by the build's search.write_facet_index from its views):
   it answers as Pagefind did before it (search(term, {filters, sort}) -> {results: [{id, number, data()}]}) so the
   orders in directory-sort.js work on it unchanged, but loads only the files of the words, filters and sort a
   search uses and the cards it draws. Homes are numbered in the site's name order. Pure given a loader
   (tested by node --test). */

export function searchWords(text) {
  // the words of a text as the build's search_index.words makes them (tests/js/words.json holds the cases both
  // are tested on): lower case, accents removed, apostrophes removed ("St Mary's" -> st, marys), every other
  // character that is not a letter or digit a separator ("Bryn-y-Mor" -> bryn, y, mor)
  return String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['\u2019]/g, "")
    .split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w; });
}

export function wordShard(word) {
  // the word file a word is in (search/facets/w<key>.json): its first two characters (search.word_shard)
  return Array.from(word).slice(0, 2).join("");
}

export function ranksOf(gaps) {
  // the numbers of the homes with a value, from the first number then the gaps between them
  var out = [], at = 0;
  (Array.isArray(gaps) ? gaps : []).forEach(function (g, i) { at = i ? at + g : g; out.push(at); });
  return out;
}

export function filterNames(filters, out) {
  // every filter a filter object names (through its all / any / none / not), each once
  out = out || [];
  Object.keys(filters || {}).forEach(function (k) {
    var v = filters[k];
    if (k === "all" || k === "any" || k === "none") (Array.isArray(v) ? v : []).forEach(function (f) { filterNames(f, out); });
    else if (k === "not") filterNames(v, out);
    else if (out.indexOf(k) < 0) out.push(k);
  });
  return out;
}

function all(n, on) { var s = new Uint8Array(n); if (on) s.fill(1); return s; }
function and(a, b) { for (var i = 0; i < a.length; i++) a[i] = a[i] & b[i]; return a; }
function or(a, b) { for (var i = 0; i < a.length; i++) a[i] = a[i] | b[i]; return a; }
function not(a) { for (var i = 0; i < a.length; i++) a[i] = a[i] ? 0 : 1; return a; }

export function matching(filters, files, homes) {
  // which homes (a Uint8Array over their numbers, 1 = matches) a filter object keeps: its keys all
  // hold; a filter's value is one value, {any|all|none: [values]} or {not: value}; all / any / none / not
  // combine filter objects; files: filter name -> {value: gaps} (a filter no home has matches nothing)
  function valueSet(name, value) {
    var s = all(homes, false), ranks = ranksOf((files[name] || {})[value]);
    ranks.forEach(function (r) { if (r >= 0 && r < homes) s[r] = 1; });
    return s;
  }
  function cond(name, c) {
    if (typeof c === "string") return valueSet(name, c);
    if (Array.isArray(c)) return c.reduce(function (s, v) { return and(s, cond(name, v)); }, all(homes, true));
    if (c && Array.isArray(c.any)) return c.any.reduce(function (s, v) { return or(s, cond(name, v)); }, all(homes, false));
    if (c && Array.isArray(c.all)) return cond(name, c.all);
    if (c && Array.isArray(c.none)) return not(cond(name, { any: c.none }));
    if (c && c.not !== undefined) return not(cond(name, c.not));
    return all(homes, false);
  }
  function obj(f) {
    var s = all(homes, true);
    Object.keys(f || {}).forEach(function (k) {
      var v = f[k], list = Array.isArray(v) ? v : [];
      if (k === "all") list.forEach(function (x) { and(s, obj(x)); });
      else if (k === "any") and(s, list.reduce(function (u, x) { return or(u, obj(x)); }, all(homes, false)));
      else if (k === "none") and(s, not(list.reduce(function (u, x) { return or(u, obj(x)); }, all(homes, false))));
      else if (k === "not") and(s, not(obj(v)));
      else and(s, cond(k, v));
    });
    return s;
  }
  return obj(filters);
}

export function facetIndex(load, url) {
  // load(file name in search/facets/) -> Promise of its JSON, rejected when it cannot be read; url(card's url)
  // -> the link. Resolves to a search object; rejects when the index cannot be read or is not one (the
  // page then says search could not load), and a search rejects when a file it needs cannot be read: never a
  // silent wrong answer.
  var files = {}, cards = {};
  function once(name) {
    if (!files[name]) {
      files[name] = Promise.resolve().then(function () { return load(name); }).then(function (got) {
        if (got === null || got === undefined) throw new Error("search/facets/" + name + " is missing");
        return got;
      });
      files[name].catch(function () { delete files[name]; });  // tried again by the next search
    }
    return files[name];
  }
  return once("index.json").then(function (m) {
    if (!m || typeof m.homes !== "number" || !(m.shard > 0) || !m.filters || !m.sorts || !Array.isArray(m.words)) {
      throw new Error("search/facets/index.json is not the find page's index");
    }
    function wordSet(word) {
      // the homes found by a word: none when no word file holds its first letters
      var key = wordShard(word), s = all(m.homes, false);
      if (m.words.indexOf(key) < 0) return Promise.resolve(s);
      return once("w" + key + ".json").then(function (found) {
        ranksOf(found[word]).forEach(function (r) { if (r >= 0 && r < m.homes) s[r] = 1; });
        return s;
      });
    }
    function card(n) {
      var shard = Math.floor(n / m.shard);
      if (!cards[shard]) cards[shard] = once("c" + shard + ".json");
      return cards[shard].then(function (list) {
        var d = Array.isArray(list) ? list[n % m.shard] : null;
        if (!d || typeof d.url !== "string" || !d.meta || typeof d.meta !== "object") return { url: "", meta: {} };
        return { url: url(d.url), meta: d.meta };
      });
    }
    return {
      homes: m.homes,
      valuesOf: function (name) {
        // a filter's values, each with the numbers of its homes ({} for a filter the index has not)
        if (typeof m.filters[name] !== "number") return Promise.resolve({});
        return once("f" + m.filters[name] + ".json").then(function (values) {
          var out = {};
          Object.keys(values || {}).forEach(function (v) { out[v] = ranksOf(values[v]); });
          return out;
        });
      },
      search: function (term, opts) {
        // term: the words every home listed must be found by (all of them, each a whole word); empty for none
        opts = opts || {};
        var names = filterNames(opts.filters), key = Object.keys(opts.sort || {})[0];
        var sortFile = key && typeof m.sorts[key] === "number" ? once("s" + m.sorts[key] + ".json") : Promise.resolve(null);
        var wanted = names.map(function (k) { return typeof m.filters[k] === "number" ? once("f" + m.filters[k] + ".json") : Promise.resolve({}); });
        var words = searchWords(term).filter(function (w, i, a) { return a.indexOf(w) === i; });
        return Promise.all([sortFile, Promise.all(wanted), Promise.all(words.map(wordSet))]).then(function (got) {
          var byName = {};
          names.forEach(function (k, i) { byName[k] = got[1][i] || {}; });
          var keep = matching(opts.filters, byName, m.homes), order = Array.isArray(got[0]) ? got[0] : null, out = [];
          got[2].forEach(function (s) { and(keep, s); });
          var push = function (n) { if (keep[n]) { keep[n] = 0; out.push({ id: "h" + n, number: n, data: function () { return card(n); } }); } };
          if (order) order.forEach(push);  // a sort: only the homes with a value for it, in its order
          else for (var n = 0; n < m.homes; n++) push(n);
          return { results: out };
        });
      }
    };
  });
}
