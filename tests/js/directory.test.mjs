// Unit tests of the find page's pure modules, run by Node's own test runner (python3 build.py test runs
// node --test tests/js/). The wording they check is the build's (schema/face.json), placed, not made, here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byCount, cardContact, councilIn, distanceText, editDistance, emptyReasons, fill, foldNear, km, linkParts, misspelt, nearestFirst, needsIn, ofKind, pickDistricts, outOf, outward, plainWords, placesIn, plural, postcode, putRight, readCard, relaxable,
  relaxed, ringLink, safeHref, safeSlug, whyMatched, withinCounts, withinMiles, withPostcode, without } from "../../overrides/assets/directory-text.js";
import { compareCell, compareRows } from "../../overrides/assets/directory-compare.js";
import { FACE, VALUES } from "../../overrides/assets/directory-values.js";
import { sortOf, sortedSearch, unknownNote, unknownOf } from "../../overrides/assets/directory-sort.js";
import { MAX, getList, refreshButtons, toggle } from "../../overrides/assets/directory-shortlist.js";
import { readFileSync } from "node:fs";

Object.assign(VALUES, { ratings: ["Outstanding", "Good", "Rating not in our data"], noRating: "Rating not in our data",
  find: { noLocation: "Distance: not known (no location given)", distance: "{distance} away (approximately)", units: { mi: "miles", km: "km" } },
  compare: { captionKind: "Your shortlist: {kinds} ({n})" } });
Object.assign(FACE, { sorts: {
  name: { words: "A to Z by name", filter: null },
  rating: { words: "best CQC rating first", filter: "rating", unknownValue: "Rating not in our data", unknownOne: "has no CQC rating known", unknownMany: "have no CQC rating known",
    knownNone: "has a CQC rating known" },
  fee: { words: "lowest fee first", filter: "feeband", unknownValue: "none", unknownOne: "has not given its fees", unknownMany: "have not given their fees" },
} });

test("postcodes: whole, outward code alone, or among words", () => {
  assert.deepEqual(postcode("hr3 5aa"), ["HR3", "5AA"]);
  assert.equal(postcode("HR3"), null);
  assert.equal(outward("hr3"), "HR3");
  assert.equal(outward("bariatric"), null);
  assert.deepEqual(withPostcode("Kington HR3 5AA"), ["HR3 5AA", "Kington"]);
  assert.equal(withPostcode("HR3 5AA"), null);
  // an outward code among words is where to measure from too (it was text: only offices in OL2 matched)
  assert.deepEqual(withPostcode("OL2 dementia"), ["OL2", "dementia"]);
  assert.deepEqual(withPostcode("live-in care ol2"), ["ol2", "live-in care"]);
  assert.deepEqual(withPostcode("dementia OL2 OL2 6PX"), ["OL2 6PX", "dementia OL2"]);  // a whole postcode first
  assert.equal(withPostcode("OL2"), null);
  assert.equal(withPostcode("care 24 hours"), null);
});

test("distance wording: miles or km to one place, and the schema's words when a home has no location", () => {
  const hereford = [52.056, -2.716], leominster = [52.227, -2.737];
  const d = km(hereford, leominster);
  assert.ok(d > 18 && d < 20, String(d));
  assert.equal(distanceText(d, "km", VALUES.find), d.toFixed(1) + " km away (approximately)");
  assert.equal(distanceText(16.09344, "mi", VALUES.find), "10.0 miles away (approximately)");
  assert.equal(distanceText(9999, "mi", VALUES.find), "Distance: not known (no location given)");
  // the words around the number are the schema's, never the script's
  assert.equal(distanceText(16.09344, "mi", { distance: "about {distance} from here", units: { mi: "miles" } }), "about 10.0 miles from here");
});

test("the find page's script words nothing itself: each sentence it shows is the schema's (x-directory.find)", () => {
  const script = readFileSync(new URL("../../overrides/assets/directory-find.js", import.meta.url), "utf-8");
  const text = readFileSync(new URL("../../overrides/assets/directory-text.js", import.meta.url), "utf-8");
  for (const words of ['"Care home"', "the middle of the homes in postcode area", "Hide the map", "Show these homes on a map",
    "The map could not load", "no location given and", "listed last", "Only the homes", "Search could not load",
    "Search is not working right now", "Distances are measured from \"", "your location\"", "Nearest to \""]) {
    assert.ok(!script.includes(words), "directory-find.js words it itself: " + words);
  }
  assert.ok(!text.includes("\" away (approximately)"), "directory-text.js words the distance itself");
  const find = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].find;
  for (const key of ["distance", "noTitle", "fromMiddle", "fromLocation", "yourLocation", "nearestTo", "noLocationOne", "noLocationMany", "onlyWithin",
    "mapShow", "mapHide", "mapFailed", "mapOrigin", "mapSpot", "mapSpotPin", "notLoaded", "notWorking"]) {
    assert.equal(typeof find[key], "string", key);
    assert.ok(script.includes("VALUES.find." + key) || text.includes("find." + key), key + " is not read by the page");
  }
  // what the site lists is the build's word, never "home" written into a sentence
  for (const key of ["noTitle", "fromMiddle", "noLocationOne", "noLocationMany", "onlyWithin", "mapShow", "mapFailed", "mapSpot", "mapSpotPin", "notLoaded", "notWorking",
    "noneMatch", "noneWithin", "matchOne", "matchMany", "furtherOne", "furtherMany"]) {
    assert.ok(/\{homes?\}/.test(find[key]) && !/\bhomes?\b/.test(find[key].replace(/\{homes?\}/g, "")), key);
  }
  // its counts, notes, filter chips and the answers to asking for the person's location
  for (const words of ['"Words: ', '"Remove filter', ' on)"', '"Searching', '"No " + MANY', " match. Try removing", "nearest first. \"",
    "These are the \"", "further away: choose", '"At least ', '"at least ', '"Fee up to ', "Your browser cannot share", "Asking your browser",
    "Your location was not shared", "We could not find the postcode area", "Enter a postcode, or use your location", ' + " match"', ' + " matches"']) {
    assert.ok(!script.includes(words), "directory-find.js words it itself: " + words);
  }
  for (const key of ["searching", "needPostcode", "noArea", "noneMatch", "noneWithin", "matchOne", "matchMany", "sortedBy", "nearestFirst",
    "nearestWithin", "atLeast", "furtherOne", "furtherMany", "withinCount", "withinAtLeast", "chipWords", "chipRemove", "feeUpTo", "filtersOn",
    "geoNone", "geoAsking", "geoRefused"]) {
    assert.equal(typeof find[key], "string", key);
    assert.ok(script.includes("VALUES.find." + key), key + " is not read by the page");
  }
});

test("the find page's template words nothing itself: its labels and buttons are the schema's (x-directory.find)", () => {
  const page = readFileSync(new URL("../../carehomes/templates/find.md", import.meta.url), "utf-8");
  const find = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].find;
  for (const words of [">Any distance<", ">Use my location<", ">Show all ", ">Any bed free<", ">Bed with nursing free<", ">Bed without nursing free<",
    ">Apply filters<", ">Clear all filters<", ">Showing:<", "Active filters (select", ">Clear all<", ">Sort by<", ">Distances in<",
    ">Compare your shortlist<", "The map shows the", "the map server", "Map of the"]) {
    assert.ok(!page.includes(words), "find.md words it itself: " + words);
  }
  for (const key of ["anyDistance", "useLocation", "freeAll", "freeAny", "freeNursing", "freeResidential", "applyFilters", "clearFilters", "sortBy",
    "unitsLabel", "compareLink", "showing", "activeLabel", "clearAll", "mapHint", "mapServer", "mapLabel", "mapShow"]) {
    assert.equal(typeof find[key], "string", key);
    assert.ok(page.includes("fw." + key), key + " is not read by find.md");
  }
  for (const key of ["freeAll", "mapHint", "mapLabel"]) {
    assert.ok(/\{homes\}/.test(find[key]) && !/\bhomes?\b/.test(find[key].replace(/\{homes?\}/g, "")), key);
  }
});

test("the compare page's script words nothing itself: each sentence it shows is the schema's (x-directory.compare)", () => {
  const script = readFileSync(new URL("../../overrides/assets/directory-compare.js", import.meta.url), "utf-8");
  const compare = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].compare;
  for (const words of ['"Comparing ', "could not be loaded", "closed since", "removed from your shortlist", "from your shortlist\"",
    "(scrolls sideways)", '"Shortlisted ', '"Your shortlist', '"Remove"', '"Remove ', "Link copied", "did not allow copying", "The link is selected",
    "from the shared link", "could not be found and may", '"Loading ', '"Printed on ', " from \" + ", "was cleared", "is empty. Add"]) {
    assert.ok(!script.includes(words), "directory-compare.js words it itself: " + words);
  }
  for (const key of ["empty", "loadingOne", "loadingMany", "sharedOne", "sharedMany", "goneOne", "goneMany", "comparingOne", "comparingMany",
    "notLoaded", "closedOne", "closedMany", "captionOne", "captionMany", "captionKind", "tableLabel", "remove", "removeLabel", "removed",
    "cleared", "printed", "copied", "copyRefused", "copySelected"]) {
    assert.equal(typeof compare[key], "string", key);
    assert.ok(new RegExp("\\b(C|VALUES\\.compare)\\." + key + "\\b").test(script), key + " is not read by the page");
  }
  // what the site lists is the build's word, never "home" written into a sentence
  for (const key of ["empty", "loadingOne", "loadingMany", "sharedOne", "sharedMany", "goneOne", "goneMany", "comparingOne", "comparingMany",
    "closedOne", "closedMany", "captionOne", "captionMany", "tableLabel", "copied"]) {
    assert.ok(/\{homes?\}/.test(compare[key]) && !/\bhomes?\b/.test(compare[key].replace(/\{homes?\}/g, "")), key);
  }
});

test("the shortlist's buttons, notes and counts are the schema's words (x-directory.shortlist), finished by the build", () => {
  // Oldham's site of care homes and agencies said "Your shortlist is full (10 homes)" and "Compare your shortlist (2 homes)"
  const script = readFileSync(new URL("../../overrides/assets/directory-shortlist.js", import.meta.url), "utf-8");
  const words = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].shortlist;
  assert.ok(!/\bhomes?\b/.test(script.replace(/"carehomes\.\w+"/g, "")), "directory-shortlist.js says home or homes itself");
  for (const text of ["to shortlist", "from shortlist", "on your shortlist", "is full", "Compare ", "shortlisted "]) {
    assert.ok(!script.includes(text), "directory-shortlist.js words it itself: " + text);
  }
  for (const key of ["add", "remove", "added", "removed", "full", "linkOne", "linkMany", "bar", "barOne", "barMany"]) {
    assert.equal(typeof words[key], "string", key);
    assert.ok(new RegExp("\\bS\\." + key + "\\b").test(script), key + " is not read by the shortlist");
  }
  // the page places the build's finished sentences (here a site of several kinds: "service", "services")
  const store = new Map(), region = { textContent: "" };
  const button = { dataset: { slug: "amber-care", name: "Amber Care" }, hidden: true, textContent: "" };
  const link = { textContent: "", hidden: true, closest: () => null };
  globalThis.localStorage = { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, String(v)) };
  globalThis.document = { querySelectorAll: () => [button], getElementById: (id) => (id === "shortlist-link" ? link : null) };
  Object.assign(VALUES.shortlist, Object.fromEntries(Object.entries(words).map(([k, v]) => [k, v.replace("{homes}", "services").replace("{home}", "service")])));
  try {
    refreshButtons();
    assert.deepEqual([button.hidden, button.textContent, link.textContent], [false, "Add Amber Care to shortlist", "Compare your shortlist (0 services)"]);
    toggle("amber-care", "Amber Care", region);
    assert.equal(region.textContent, "Amber Care added to your shortlist. 1 on your shortlist.");
    assert.deepEqual([button.textContent, link.textContent], ["Remove Amber Care from shortlist", "Compare your shortlist (1 service)"]);
    for (let i = 1; i < MAX; i++) toggle("other-" + i, "Other " + i, region);
    toggle("one-too-many", "One Too Many", region);
    assert.equal(region.textContent, "Your shortlist is full (" + MAX + " services). Remove one first.");
    toggle("amber-care", "Amber Care", region);
    assert.equal(region.textContent, "Amber Care removed from your shortlist. " + (MAX - 1) + " on your shortlist.");
    assert.equal(link.textContent, "Compare your shortlist (" + (MAX - 1) + " services)");
  } finally {
    delete globalThis.localStorage;
    delete globalThis.document;
  }
});

test("small words", () => {
  // the schema's sentence for one or for several, its count filled in
  assert.equal(byCount(1, "Comparing 1 service.", "Comparing {n} services."), "Comparing 1 service.");
  assert.equal(byCount(3, "Comparing 1 service.", "Comparing {n} services."), "Comparing 3 services.");
  assert.equal(fill("{n} of {total} homes have told us", { n: 3, total: 89 }), "3 of 89 homes have told us");
  assert.equal(fill("{missing} stays", {}), "{missing} stays");
  assert.equal(plural(1, "home", "homes"), "1 home");
  assert.equal(plural(0, "home", "homes"), "0 homes");
  assert.ok(safeSlug("aston-house") && !safeSlug("../x") && !safeSlug(7));
});

function fakePagefind(homes) {
  // homes: [{id, rating, feeband, fee}]; a search honours equality filters and the fee rank (unranked homes left out)
  return {
    search(term, opts) {
      const f = opts.filters || {};
      let found = homes.filter((h) => Object.keys(f).every((k) => (typeof f[k] === "string" ? h[k] === f[k] : f[k].any.includes(h[k]))));
      if (opts.sort && opts.sort.fee) found = found.filter((h) => h.fee !== undefined).sort((a, b) => a.fee - b.fee);
      return Promise.resolve({ results: found.map((h) => ({ id: h.id })) });
    },
  };
}

test("a sort lists the homes with no value last, each once, and the count says how many", async () => {
  const pf = fakePagefind([{ id: "a", fee: 900, feeband: "00900" }, { id: "b", feeband: "none" }, { id: "c", fee: 700, feeband: "00700" }]);
  const [results, unknown] = await sortedSearch(pf, "x", {}, "fee");
  assert.deepEqual(results.map((r) => r.id), ["c", "a", "b"]);
  assert.equal(unknown, 1);
  // the schema's sentence as the build finished it with what the site lists (x-directory.find lastOne, lastMany)
  const find = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].find;
  const finished = (words, one, many) => words.replace("{home}", one).replace("{homes}", many);
  Object.assign(VALUES.find, { lastOne: finished(find.lastOne, "home", "homes"), lastMany: finished(find.lastMany, "home", "homes") });
  assert.equal(unknownNote("fee", unknown), " 1 home has not given its fees and is listed last, A to Z.");
  assert.equal(unknownNote("fee", 2), " 2 homes have not given their fees and are listed last, A to Z.");
  assert.equal(unknownNote("name", 2), "");
  Object.assign(VALUES.find, { lastOne: finished(find.lastOne, "service", "services"), lastMany: finished(find.lastMany, "service", "services") });
  assert.equal(unknownNote("fee", 2), " 2 services have not given their fees and are listed last, A to Z.");
  assert.equal(unknownNote("fee", 1), " 1 service has not given its fees and is listed last, A to Z.");
  const sorter = readFileSync(new URL("../../overrides/assets/directory-sort.js", import.meta.url), "utf-8");
  assert.ok(!sorter.includes("listed last") && !sorter.includes('"home"'), "directory-sort.js words the note itself");
});

test("a sort of one kind on services of several counts only that kind's unknowns; the others are still listed", async () => {
  // Oldham's "beds free" with no kind chosen said "104 services have not said how many beds are free", its 60 agencies
  // (which have no beds) among them
  const sorts = FACE.sorts, kinds = FACE.kindFilters;
  Object.assign(FACE, { sorts: { ...sorts, fee: { ...sorts.fee, kind: "care_home" } },
    kindFilters: { care_home: "kind_care_home", home_care_agency: "kind_home_care_agency" } });
  try {
    const pf = fakePagefind([{ id: "h1", fee: 900, feeband: "00900", kind_care_home: "yes" }, { id: "h2", feeband: "none", kind_care_home: "yes" },
      { id: "a1", feeband: "none", kind_home_care_agency: "yes" }, { id: "a2", feeband: "none", kind_home_care_agency: "yes" }]);
    const [all, unknown] = await sortedSearch(pf, "x", {}, "fee");
    assert.deepEqual([all.map((r) => r.id), unknown], [["h1", "h2", "a1", "a2"], 1]);
    const [homes, alone] = await sortedSearch(pf, "x", { kind_care_home: "yes" }, "fee");
    assert.deepEqual([homes.map((r) => r.id), alone], [["h1", "h2"], 1]);
    // none has a value (Oldham's beds free: no home has said): none ranked, so the page says they are listed A to Z,
    // not "most beds free first" with the agencies mixed in among them
    const untold = fakePagefind([{ id: "h2", feeband: "none", kind_care_home: "yes" }, { id: "a1", feeband: "none", kind_home_care_agency: "yes" }]);
    const [every, count, ranked] = await sortedSearch(untold, "x", {}, "fee");
    assert.deepEqual([every.map((r) => r.id), count, ranked], [["h2", "a1"], 1, 0]);
    assert.equal((await sortedSearch(pf, "x", {}, "fee"))[2], 1);
  } finally { FACE.sorts = sorts; FACE.kindFilters = kinds; }
});

test("best rating first: one search per rating, in the schema's order, no rating last", async () => {
  const pf = fakePagefind([{ id: "g", rating: "Good" }, { id: "n", rating: "Rating not in our data" }, { id: "o", rating: "Outstanding" }]);
  const [results, unknown] = await sortedSearch(pf, "x", {}, "rating");
  assert.deepEqual(results.map((r) => r.id), ["o", "g", "n"]);
  assert.equal(unknown, 1);
});

test("the sorts' words and unknown filters are the face's", () => {
  assert.equal(sortOf("fee").words, "lowest fee first");
  assert.equal(sortOf("nonsense").words, "A to Z by name");
  assert.deepEqual(unknownOf("rating"), ["rating", "Rating not in our data", "has no CQC rating known", "have no CQC rating known",
    "has a CQC rating known"]);
  assert.equal(unknownOf("fee")[4], undefined, "a sort without knownNone: each of them, as the face words it");
  assert.equal(unknownOf("name"), null);
});

const HOME_SAYS = { care_home: "the home says: intermediate care" }, TRACHY = { care_home: "the home says: tracheostomy" };
const RESIDENTIAL = { care_home: "CQC: without nursing" }, NURSING = { care_home: "CQC: with nursing" };
const DEMENTIA = { care_home: "CQC: dementia", home_care_agency: "gives dementia care (its own answer)" };
const NEED_WORDS = [["intermediate care", "need_intermediate_care", HOME_SAYS], ["without nursing", "care_residential", RESIDENTIAL],
  ["tracheostomy", "need_tracheostomy", TRACHY], ["residential", "care_residential", RESIDENTIAL],
  ["dementia", "band_dementia", DEMENTIA], ["nursing", "care_nursing", NURSING]];
const SEARCH = { why: "Matched on: {reasons}", reasons: { name: "name", town: "town", provider: "provider", postcode: "postcode", needs: "{needs}" } };

test("a word naming a need is that need's filter, never text", () => {
  assert.deepEqual(needsIn("Kington dementia", NEED_WORDS), { rest: "kington", filters: { band_dementia: "yes" }, needs: [DEMENTIA] });
  assert.deepEqual(needsIn("intermediate care, Tracheostomy", NEED_WORDS),
    { rest: "", filters: { need_intermediate_care: "yes", need_tracheostomy: "yes" }, needs: [HOME_SAYS, TRACHY] });
  assert.deepEqual(needsIn("without nursing", NEED_WORDS), { rest: "", filters: { care_residential: "yes" }, needs: [RESIDENTIAL] });
  assert.deepEqual(needsIn("residential without nursing", NEED_WORDS).needs, [RESIDENTIAL]);  // one reason, once
  // a need named twice is that filter once, with no word left over to match (the find page said "No services match")
  assert.deepEqual(needsIn("dementia dementia", NEED_WORDS), { rest: "", filters: { band_dementia: "yes" }, needs: [DEMENTIA] });
  assert.deepEqual(needsIn("Nursing home, nursing, Kington nursing", NEED_WORDS), { rest: "home kington", filters: { care_nursing: "yes" }, needs: [NURSING] });
  // words that name no need the schema knows stay words, to be matched whole (and so match nothing here)
  for (const q of ["bariatric", "epilepsy", "respite", "parkinsons"]) assert.deepEqual(needsIn(q, NEED_WORDS), { rest: q, filters: {}, needs: [] });
  assert.equal(plainWords("Ross-on-Wye, HR9"), "ross on wye hr9");
});

test("each card says why it is listed", () => {
  const meta = { title: "Kington Court", town: "Kington", provider: "Example Care Group", postcode: "HR5 3BX" };
  assert.equal(whyMatched(meta, ["kington"], [], SEARCH), "Matched on: name; town");
  // a need says whose word found the card, as its own kind reads it (else the first kind's words)
  assert.equal(whyMatched(meta, ["example", "group"], [DEMENTIA], SEARCH), "Matched on: provider; CQC: dementia");
  assert.equal(whyMatched({ kind: "home_care_agency" }, [], [DEMENTIA, NURSING], SEARCH),
    "Matched on: gives dementia care (its own answer); CQC: with nursing");
  assert.equal(whyMatched({ kind: "care_home" }, [], [DEMENTIA], SEARCH), "Matched on: CQC: dementia");
  assert.equal(whyMatched(meta, ["hr53bx"], [], SEARCH), "Matched on: postcode");
  assert.equal(whyMatched(meta, [], [], SEARCH), "");
  assert.equal(whyMatched({ title: "X" }, ["x"], [], SEARCH), "Matched on: name");
});

test("words are read one way in the page and the build (tests/js/words.json, also read by tests/test_search_near.py)", () => {
  const cases = JSON.parse(readFileSync(new URL("./words.json", import.meta.url), "utf-8"));
  assert.ok(cases.length >= 10);
  for (const [text, words] of cases) assert.deepEqual(searchWords(text), words, text);
  assert.equal(wordShard("marys"), "ma");
  assert.equal(wordShard("y"), "y");
  assert.equal(whyMatched({ title: "St Mary's Court" }, ["marys"], [], SEARCH), "Matched on: name");
});

test("the card comes from the build as base64 JSON, so its words are never search text", () => {
  const card = { address: "45 Hampton Park Road, Hereford, HR1 1TJ", lines: ["Care home without nursing", "Fees from £890 a week"] };
  const none = { ring: "", cqc: "", office: false, covers: [] };
  assert.deepEqual(readCard({ card: Buffer.from(JSON.stringify(card), "utf-8").toString("base64") }), { ...card, ...none });
  assert.deepEqual(readCard({ card: "not base64 json" }), { address: "", lines: [], ...none });
  assert.deepEqual(readCard({}), { address: "", lines: [], ...none });
  // an agency's card: its address is an office, and it names the districts it covers
  const agency = { address: "Oldham, OL1 1ZZ", lines: [], office: true, covers: ["OL1"] };
  assert.deepEqual(readCard({ card: Buffer.from(JSON.stringify(agency), "utf-8").toString("base64") }), { ...agency, ring: "", cqc: "" });
});

test("an empty list is searched again without the filters on facts nobody or few homes have given", () => {
  // the discharge search: nursing (every home, from CQC), a nursing bed free, weekend admissions, tracheostomy
  const known = { care_nursing: 88, free_nursing: 0, weekend: 3, need_tracheostomy: 50, rating: 0 };
  const chosen = [["care_nursing", "care_nursing", "offers nursing"], ["free", "free_nursing", "has beds with nursing free now"],
    ["weekend", "weekend", "admits at weekends"], ["need_tracheostomy", "need_tracheostomy", "can meet this need: Tracheostomy"]];
  assert.deepEqual(relaxable(chosen, known, 88), ["free", "weekend", "need_tracheostomy"]);
  assert.deepEqual(without({ care_nursing: "yes", free: "nursing", weekend: "yes" }, ["free", "weekend"]), { care_nursing: "yes" });
  const find = { noHomeToldUs: "No home has told us yet whether it {question}.", fewToldUs: "We know for only {n} of {total} homes whether it {question}.",
    ratingNotKnown: "Rating not in our data: {n} of {total} homes have no known CQC rating." };
  assert.deepEqual(emptyReasons(chosen, known, 88, find), ["No home has told us yet whether it has beds with nursing free now.",
    "We know for only 3 of 88 homes whether it admits at weekends."]);
  assert.deepEqual(emptyReasons([["rating", "rating", "has a CQC rating"]], known, 88, find),
    ["Rating not in our data: 88 of 88 homes have no known CQC rating."]);
  assert.deepEqual(relaxable([["rating", "rating", "has a CQC rating"]], { rating: 38 }, 44), [], "most homes have a rating: a true no match");
  // a fact most homes have given, but not every one: those that have not are listed after, not confirmed (1 of
  // Oldham's 62 agencies on personal care was left out without a word: the task review); every one known: none
  assert.deepEqual(relaxable([["need_tracheostomy", "need_tracheostomy", "x"]], { need_tracheostomy: 87 }, 88), ["need_tracheostomy"]);
  assert.deepEqual(relaxable([["need_tracheostomy", "need_tracheostomy", "x"]], { need_tracheostomy: 88 }, 88), []);
  // the questions nobody has answered, one sentence (three alike took a phone's first screen: the task review)
  const joined = { ...find, questionsJoin: [", whether it ", ", or whether it "] };
  const none = { ...known, weekend: 0, need_tracheostomy: 0 };
  assert.deepEqual(emptyReasons(chosen, none, 88, joined), ["No home has told us yet whether it has beds with nursing free "
    + "now, whether it admits at weekends, or whether it can meet this need: Tracheostomy."]);
  assert.deepEqual(emptyReasons(chosen, known, 88, joined), emptyReasons(chosen, known, 88, find), "one: as before");
  assert.deepEqual(emptyReasons(chosen.slice(1, 3), none, 88, joined),
    ["No home has told us yet whether it has beds with nursing free now, or whether it admits at weekends."]);
});

test("a count on a fact only one kind gives is out of the services of that kind, never every service", () => {
  // Oldham: 44 care homes and 60 home care agencies; "with nursing" is CQC's word on each care home, no agency's to give
  const known = { care_nursing: 44, weekend: 0, band_dementia: 103 }, of = { care_nursing: 44, weekend: 44 };
  const chosen = [["care_nursing", "care_nursing", "offers this type of care: With nursing"],
    ["weekend", "weekend", "accepts people from hospital at weekends"], ["band_dementia", "band_dementia", "dementia"]];
  const find = { noHomeToldUs: "No service has told us yet whether it {question}.",
    fewToldUs: "We know for only {n} of {total} services whether it {question}." };
  assert.deepEqual(relaxable(chosen, known, 104, of), ["weekend", "band_dementia"]);
  assert.deepEqual(emptyReasons(chosen, known, 104, find, of), ["No service has told us yet whether it accepts people from hospital at weekends."]);
  assert.equal(outOf("care_nursing", 104, of), 44);
  assert.equal(outOf("band_dementia", 104, of), 104, "a fact every kind gives: out of every service");
  assert.deepEqual(relaxable(chosen, known, 104), ["care_nursing", "weekend", "band_dementia"], "without of: as before");
});

test("a count out of one kind of service names that kind, in the schema's words (search/facets.json ofKinds)", () => {
  const find = { knownCount: "known for {n} of {total} services", knownCountOf: "known for {n} of {total} {kinds}",
    noHomeToldUs: "No service has told us yet whether it {question}.", noHomeToldUsOf: "No {kind} has told us yet whether it {question}.",
    fewToldUs: "We know for only {n} of {total} services whether it {question}.",
    fewToldUsOf: "We know for only {n} of {total} {kinds} whether it {question}." };
  const ofKinds = { weekend: ["care home", "care homes"], taking: ["home care agency", "home care agencies"] };
  assert.equal(fill(ofKind(find, "knownCount", "weekend", ofKinds), { n: 0, total: 44 }), "known for 0 of 44 care homes");
  assert.equal(fill(ofKind(find, "knownCount", "band_dementia", ofKinds), { n: 103, total: 104 }), "known for 103 of 104 services");
  assert.equal(ofKind(find, "knownCount", "weekend", undefined), find.knownCount, "an older facets.json: the site's noun");
  assert.equal(ofKind(find, "knownCount", "weekend", { weekend: 5 }), find.knownCount, "only words are placed");
  assert.equal(ofKind(find, "knownCount", "weekend", { weekend: ["care homes"] }), find.knownCount, "one and many, or the site's");
  const known = { weekend: 3, taking: 0 }, of = { weekend: 44, taking: 60 };
  assert.deepEqual(emptyReasons([["weekend", "weekend", "accepts people from hospital at weekends"],
    ["taking", "taking", "is taking new clients"]], known, 104, find, of, ofKinds),
  ["We know for only 3 of 44 care homes whether it accepts people from hospital at weekends.",
    "No home care agency has told us yet whether it is taking new clients."]);
  assert.deepEqual(emptyReasons([["band_dementia", "band_dementia", "dementia"]], { band_dementia: 0 }, 104, find, of, ofKinds),
    ["No service has told us yet whether it dementia."], "a fact every kind gives: the site's noun");
  const rated = { ...find, ratingNotKnown: "Rating not in our data: {n} of {total} services have no known CQC rating.",
    ratingNotKnownOf: "Rating not in our data: {n} of {total} {kinds} have no known CQC rating." };
  assert.deepEqual(emptyReasons([["rating", "rating", "has a CQC rating"]], { rating: 0 }, 104, rated, { rating: 44 },
    { rating: ["care home", "care homes"] }), ["Rating not in our data: 44 of 44 care homes have no known CQC rating."]);
});

test("the search again keeps, for each relaxed filter, the homes that match it or never told us: never one that said no", () => {
  const chosen = [["care_nursing", "care_nursing", "offers nursing"], ["free", "free_nursing", "has beds with nursing free now"],
    ["weekend", "weekend", "admits at weekends"], ["rating", "rating", "has a CQC rating"], ["weekend", "weekend", "typed"]];
  const filters = { care_nursing: "yes", free: "nursing", weekend: "yes", rating: { any: ["Good"] } };
  assert.deepEqual(relaxed(filters, chosen, ["free", "weekend", "rating"]), {
    care_nursing: "yes",
    all: [{ any: [{ free: "nursing" }, { untold: "free_nursing" }] }, { any: [{ weekend: "yes" }, { untold: "weekend" }] },
      { any: [{ rating: { any: ["Good"] } }, { untold: "rating" }] }],
  });
  assert.deepEqual(relaxed({ care_nursing: "yes" }, chosen, []), { care_nursing: "yes" }, "nothing relaxed: the filters as they were");
  // three homes, as Pagefind filters them: only the home that has not told us about weekends is offered
  const homes = { said_no: { care_nursing: "yes" }, said_yes: { care_nursing: "yes", weekend: "yes" }, untold: { care_nursing: "yes", untold: ["weekend", "free"] } };
  const has = (h, k, v) => [].concat(homes[h][k] || []).includes(v);
  const matches = (h, f) => Object.keys(f).every((k) => k === "all" ? f.all.every((r) => r.any.some((o) => matches(h, o))) : has(h, k, f[k]));
  const f = relaxed({ care_nursing: "yes", weekend: "yes" }, chosen, ["weekend"]);
  assert.deepEqual(Object.keys(homes).filter((h) => matches(h, f)), ["said_yes", "untold"]);
});

test("a result card carries who to ring and the CQC page, finished by the build; only an https CQC link is kept", () => {
  const meta = (card) => ({ card: Buffer.from(JSON.stringify(card)).toString("base64") });
  const card = readCard(meta({ address: "1 Guido Street", lines: [], ring: "Ring the home: 0161 681 8000", cqc: "https://www.cqc.org.uk/location/1-1" }));
  assert.deepEqual([card.ring, card.cqc], ["Ring the home: 0161 681 8000", "https://www.cqc.org.uk/location/1-1"]);
  assert.equal(readCard(meta({ address: "", lines: [], cqc: "javascript:alert(1)" })).cqc, "");
  assert.equal(readCard(meta({ address: "", lines: [] })).ring, "");
});

test("agencies: ranked first where they cover the postcode's district, distance only to the office", async () => {
  const { byCoverageThenDistance, coverageNote, coversDistrict, officeDistanceText } = await import("../../overrides/assets/directory-text.js");
  const coverage = { covers: "Covers {district}", office: "office {distance} away",
    noneGiven: "No agency has given its area", officeNote: "Agencies that cover {district} first." };
  const covers = { office: true, covers: ["OL1", "OL2"] }, near = { office: true, covers: [] }, home = { office: false, covers: [] };
  assert.ok(coversDistrict(covers, "OL1") && !coversDistrict(covers, "OL8") && !coversDistrict(near, "OL1") && !coversDistrict(home, null));
  // a care home that is an agency too: no office (its distance is the home's), still first where it covers
  assert.ok(coversDistrict({ office: false, covers: ["OL1"] }, "OL1"));
  const found = [{ card: home, km: 0.5, title: "Home" }, { card: near, km: 0.2, title: "Near" }, { card: covers, km: 3, title: "Covers" }];
  assert.deepEqual(found.sort(byCoverageThenDistance("OL1")).map((x) => x.title), ["Covers", "Near", "Home"]);
  assert.deepEqual(found.sort(byCoverageThenDistance(null)).map((x) => x.title), ["Near", "Home", "Covers"]);
  assert.equal(officeDistanceText(3.3796, "mi", VALUES.find, coverage), "office 2.1 miles away");
  assert.equal(officeDistanceText(9999, "mi", VALUES.find, coverage), "Distance: not known (no location given)");
  assert.equal(coverageNote([covers, near, home], "OL1", coverage), "Agencies that cover OL1 first.");
  assert.equal(coverageNote([near, home], "OL1", coverage), "No agency has given its area");
  assert.equal(coverageNote([home], "OL1", coverage), "");
});

test("the coverage note is said only when the kinds chosen can list agencies", async () => {
  const { coverageNote, fitsKinds } = await import("../../overrides/assets/directory-text.js");
  const coverage = { noneGiven: "No agency has given its area", officeNote: "Agencies that cover {district} first.", kinds: ["home_care_agency"] };
  // a care home that is also an agency (an office, no area given), found with only care homes chosen
  const both = { office: true, covers: [] };
  assert.equal(coverageNote([both], "OL1", coverage, ["care_home"]), "");
  assert.equal(coverageNote([both], "OL1", coverage, []), "No agency has given its area");  // no kind chosen: every kind
  assert.equal(coverageNote([both], "OL1", coverage, ["care_home", "home_care_agency"]), "No agency has given its area");
  assert.equal(coverageNote([{ office: true, covers: ["OL1"] }], "OL1", coverage, ["home_care_agency"]), "Agencies that cover OL1 first.");
  assert.ok(fitsKinds("", ["care_home"]) && fitsKinds("care_home", []) && !fitsKinds("home_care_agency", ["care_home"]));
});

test("sorts: only those that fit the kinds chosen, else distance or A to Z", async () => {
  const { fittingSort, sortFits } = await import("../../overrides/assets/directory-sort.js");
  const sorts = FACE.sorts;
  Object.assign(FACE, { sorts: { name: { words: "A to Z by name", kind: "" }, free: { words: "most beds free first", kind: "care_home" },
    hours: { words: "most hours of care a week first", kind: "home_care_agency" }, distance: { words: "nearest first", kind: "" } } });
  try {
    assert.deepEqual(["name", "free", "hours", "distance"].filter((k) => sortFits(k, ["home_care_agency"])), ["name", "hours", "distance"]);
    assert.deepEqual(["name", "free", "hours", "distance"].filter((k) => sortFits(k, ["care_home"])), ["name", "free", "distance"]);
    assert.deepEqual(["name", "free", "hours", "distance"].filter((k) => sortFits(k, [])), ["name", "free", "hours", "distance"]);
    assert.equal(fittingSort("free", ["home_care_agency"], "name"), "name");
    assert.equal(fittingSort("free", ["home_care_agency"], "distance"), "distance");
    assert.equal(fittingSort("hours", ["home_care_agency", "care_home"], "name"), "hours");
  } finally { FACE.sorts = sorts; }
});

test("compare: one table per kind of service, each with its own rows; one kind is one table as before", async () => {
  const { byKind } = await import("../../overrides/assets/directory-compare.js");
  const kinds = { care_home: { plural: "Care homes", compare: [["beds", "Beds"]] },
    home_care_agency: { plural: "Home care agencies", compare: [["taking", "Taking new clients"]] } };
  const groups = byKind([{ slug: "a", kind: "home_care_agency" }, { slug: "b", kind: "care_home" }, { slug: "c", kind: "home_care_agency" }], kinds);
  assert.deepEqual(groups.map((g) => [g.kind, g.homes.map((h) => h.slug), g.rows, g.caption]), [
    ["home_care_agency", ["a", "c"], [["taking", "Taking new clients"]], "Your shortlist: Home care agencies (2)"],
    ["care_home", ["b"], [["beds", "Beds"]], "Your shortlist: Care homes (1)"]]);
  const one = byKind([{ slug: "a", kind: "home_care_agency" }], kinds);
  assert.deepEqual(one.map((g) => [g.rows, g.caption]), [[[["taking", "Taking new clients"]], null]]);
});

test("an agency found by a town it covers says so", () => {
  const search = { why: "Matched on: {reasons}", reasons: { name: "name", town: "town", covers: "area covered" } };
  assert.equal(whyMatched({ title: "Example Covers Care", town: "Chadderton", covers: "Oldham, Shaw" }, ["shaw"], [], search),
    "Matched on: area covered");
});

test("withinCounts and withinMiles count and keep the homes within each distance in miles", () => {
  const kms = [1, 8.1, 16.2, 40, 9999];  // 8.1 km is just over 5 miles; 16.2 km just over 10
  assert.deepEqual(withinCounts(kms, [5, 10, 20]), { 5: 1, 10: 2, 20: 3 });
  const items = kms.map((k) => ({ km: k }));
  assert.deepEqual(withinMiles(items, "10").map((x) => x.km), [1, 8.1]);
  assert.equal(withinMiles(items, ""), items);
});

test("foldNear puts an old link's separate postcode into the one search box", () => {
  assert.equal(foldNear("dementia", "HR6 8AA"), "dementia HR6 8AA");
  assert.equal(foldNear("", "hr9"), "hr9");
  assert.equal(foldNear("Kington HR5 3BA", "HR6 8AA"), "Kington HR5 3BA");  // the box's own postcode wins
  assert.equal(foldNear("dementia", ""), "dementia");
});

test("linkParts makes only the words that link a link, or appends them", () => {
  assert.deepEqual(linkParts("CQC rating: none (see the CQC page)", "see the CQC page"), ["CQC rating: none (", "see the CQC page", ")"]);
  assert.deepEqual(linkParts("Good (3 May 2023)", "See the CQC page"), ["Good (3 May 2023) ", "See the CQC page", ""]);
  assert.equal(safeHref("https://www.cqc.org.uk/location/1-1"), true);
  assert.equal(safeHref("javascript:alert(1)"), false);
});

test("a phone number's tel: link, built by the build, is kept only as digits, spaces and +", () => {
  assert.equal(safeHref("tel:01432260000"), true);
  assert.equal(safeHref("tel:+441432260000"), true);
  for (const bad of ["tel:", "tel:0143\"><script>", "tel:javascript:alert(1)", "tel:01432;ext=2", "tel:(01432)260000", "TEL:01432"]) {
    assert.equal(safeHref(bad), false, bad);
  }
  assert.deepEqual(ringLink(["01432 260000", "tel:01432260000"]), ["01432 260000", "tel:01432260000"]);
  assert.deepEqual(ringLink(JSON.stringify(["01432 260000", "tel:01432260000"])), ["01432 260000", "tel:01432260000"]);  // data-ring-council-link
  // only a tel: link, never a web page or a script, and nothing when the build gave none
  assert.equal(ringLink(["CQC", "https://www.cqc.org.uk/"]), null);
  assert.equal(ringLink(["x", "javascript:alert(1)"]), null);
  assert.equal(ringLink(undefined), null);
  assert.equal(ringLink("not json"), null);
  const meta = (card) => ({ card: Buffer.from(JSON.stringify(card)).toString("base64") });
  const card = readCard(meta({ address: "", lines: [], ring: "Ring the home: 0161 681 8000", ringLink: ["0161 681 8000", "tel:01616818000"] }));
  assert.deepEqual(card.ringLink, ["0161 681 8000", "tel:01616818000"]);
  assert.equal(readCard(meta({ address: "", lines: [], ring: "Ring", ringLink: ["x", "tel:1<b>"] })).ringLink, undefined);
});

test("compareRows: distance only with a postcode, one row per need filtered for; compareCell words each cell", () => {
  // a row's third item from the build: its cells' words when not known, by whose fact it is ("" for the home's own)
  const face = { compare: [["distance", "Distance from {from}"], ["rating", "CQC rating", "Not in the CQC data we hold"],
    ["filtered", "You searched for: {label}"], ["fee", "Fees", ""]],
    compareRows: { distance: "distance", filtered: "filtered" }, filterLabels: { band_dementia: "Dementia", care_nursing: "With nursing" } };
  assert.deepEqual(compareRows(face, { at: null, filters: [] }), [["rating", "CQC rating", "", "Not in the CQC data we hold"], ["fee", "Fees", "", ""]]);
  const search = { from: "HR6 8AA", at: [52.2, -2.7], unit: "mi", filters: ["band_dementia", "unknown_filter"] };
  const rows = compareRows(face, search);
  assert.deepEqual(rows, [["distance", "Distance from HR6 8AA", "distance"], ["rating", "CQC rating", "", "Not in the CQC data we hold"],
    ["band_dementia", "You searched for: Dementia", "filtered"], ["fee", "Fees", "", ""]]);
  const home = { at: [52.2, -2.7], compare: { rating: "Good (3 May 2023)" }, links: { rating: ["See the CQC page", "https://www.cqc.org.uk/location/1"] },
    notes: {}, answers: { band_dementia: "Yes" } };
  const values = { find: { units: { mi: "miles" }, noLocation: "No location given", distance: "{distance} away (approximately)" } };
  assert.deepEqual(compareCell(home, rows[0], search, values), ["0.0 miles away (approximately)", null, null]);
  assert.deepEqual(compareCell(home, rows[1], search, values), ["Good (3 May 2023)", ["See the CQC page", "https://www.cqc.org.uk/location/1"], null]);
  assert.deepEqual(compareCell(home, rows[2], search, values), ["Yes", null, null]);
  assert.deepEqual(compareCell({ compare: { rating: null } }, rows[1], search, values), [null, null, null]);
  assert.deepEqual(compareCell({}, rows[0], search, values), [null, null, null]);
});

test("compareRows and compareCell: a stored search's filters are the site's own, each once; nothing inherited is shown", () => {
  // carehomes.search is this browser's, and any page of the origin can write it: "constructor" showed a row
  // "You searched for: function Object() { [native code] }" with that text in every cell, and a filter twice two rows
  const face = { compare: [["filtered", "You searched for: {label}"], ["rating", "CQC rating"]], compareRows: { filtered: "filtered" },
    filterLabels: { care_nursing: "With nursing" } };
  const search = { at: null, filters: ["__proto__", "constructor", "toString", "hasOwnProperty", "care_nursing", "care_nursing"] };
  const rows = compareRows(face, search);
  assert.deepEqual(rows, [["care_nursing", "You searched for: With nursing", "filtered"], ["rating", "CQC rating", "", ""]]);
  const values = { find: {} };
  for (const key of ["constructor", "toString", "__proto__"]) {
    assert.deepEqual(compareCell({ answers: {}, compare: {} }, [key, "x", "filtered"], search, values), [null, null, null], key);
    assert.deepEqual(compareCell({ compare: {}, links: {}, notes: {} }, [key, "x", ""], search, values), [null, null, null], key);
  }
  assert.deepEqual(compareCell({ answers: { care_nursing: "Yes" } }, rows[0], search, values), ["Yes", null, null]);
});

test("getList: the stored shortlist's services each once, slugs only of the site's shape, at most MAX", () => {
  const store = new Map();
  globalThis.localStorage = { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, String(v)) };
  try {
    store.set("carehomes.shortlist", JSON.stringify([{ slug: "amber-care", name: "A" }, { slug: "amber-care", name: "A again" },
      { slug: "../x" }, { slug: "javascript:alert(1)" }, null, 5, { slug: "bay-view", name: "B" }, { slug: "amber-care" }]));
    assert.deepEqual(getList(), [{ slug: "amber-care", name: "A" }, { slug: "bay-view", name: "B" }]);
    store.set("carehomes.shortlist", JSON.stringify(Array.from({ length: 10000 }, (_, i) => ({ slug: "home-" + (i % 3) }))));
    assert.deepEqual(getList().map((x) => x.slug), ["home-0", "home-1", "home-2"]);
    store.set("carehomes.shortlist", JSON.stringify(Array.from({ length: 10000 }, (_, i) => ({ slug: "home-" + i }))));
    assert.equal(getList().length, MAX);
    for (const bad of ["{not json", "null", "5", '"abc"', '{"slug": "x"}']) {
      store.set("carehomes.shortlist", bad);
      assert.deepEqual(getList(), [], bad);
    }
  } finally {
    delete globalThis.localStorage;
  }
});

test("pickDistricts loads enough homes and every district within the distance chosen, and says how far that covers", () => {
  // each entry: the km within which none of its homes can be (nearestFirst), the district, its homes
  const ranked = [[1, "HR6", 10], [5, "HR1", 40], [20, "HR2", 30], [40, "HR9", 20], [80, "SY1", 50]];
  assert.deepEqual(pickDistricts(ranked, 45, 0, 1000), { codes: ["HR6", "HR1"], cover: 20 });
  assert.deepEqual(pickDistricts(ranked, 45, 32, 1000), { codes: ["HR6", "HR1", "HR2"], cover: 40 });
  assert.deepEqual(pickDistricts(ranked, 500, 0, 1000), { codes: ["HR6", "HR1", "HR2", "HR9", "SY1"], cover: Infinity });
  assert.deepEqual(pickDistricts(ranked, 45, 100, 60), { codes: ["HR6", "HR1", "HR2"], cover: 40 });
});

test("nearestFirst ranks places by the nearest any of their homes can be: a wide area's own homes are never left out", () => {
  // Sevenoaks (TN13): TN's middle is 40 km away, BR's 17, but TN reaches 60 km from its middle (the national review)
  const at = [51.276, 0.179];
  const areas = { TN: [51.05, 0.6, 600, 60], BR: [51.4, 0.041, 44, 8], XX: [52.5, 1.5, 10] };
  const ranked = nearestFirst(at, areas, 40);
  assert.deepEqual(ranked.map((x) => x[1]), ["TN", "BR", "XX"]);
  assert.equal(ranked[0][0], 0, "TN could hold a home where the search is");
  assert.ok(Math.abs(ranked[1][0] - (km(at, areas.BR) - 8)) < 1e-9);
  assert.ok(Math.abs(ranked[2][0] - (km(at, areas.XX) - 40)) < 1e-9, "a file without reaches: the fallback");
});

// ---- the facet index (search/facets/, directory-facets.js): answers filter-only searches like Pagefind
import { facetIndex, filterNames, matching, ranksOf, searchWords, wordShard } from "../../overrides/assets/directory-facets.js";

test("facet index: gaps decode to the homes' numbers in name order", () => {
  assert.deepEqual(ranksOf([3, 1, 5]), [3, 4, 9]);
  assert.deepEqual(ranksOf([0]), [0]);
  assert.deepEqual(ranksOf(undefined), []);
});

test("facet index: the filters a search names, through all / any / none / not", () => {
  assert.deepEqual(filterNames({ care_nursing: "yes", all: [{ any: [{ need_x: "yes" }, { untold: "need_x" }] }], not: { rating: "Good" } }),
    ["care_nursing", "need_x", "untold", "rating"]);
});

test("facet index: a filter object keeps what Pagefind keeps", () => {
  const files = { care_nursing: { yes: [0, 2] }, rating: { Good: [1, 1], Outstanding: [0] }, untold: { need_x: [3] }, need_x: { yes: [2] } };
  const keep = (f) => Array.from(matching(f, files, 5)).flatMap((on, i) => (on ? [i] : []));
  assert.deepEqual(keep({}), [0, 1, 2, 3, 4]);
  assert.deepEqual(keep({ care_nursing: "yes" }), [0, 2]);
  assert.deepEqual(keep({ care_nursing: "yes", rating: "Good" }), [2]);
  assert.deepEqual(keep({ rating: { any: ["Good", "Outstanding"] } }), [0, 1, 2]);
  assert.deepEqual(keep({ rating: { none: ["Good"] } }), [0, 3, 4]);
  assert.deepEqual(keep({ all: [{ any: [{ need_x: "yes" }, { untold: "need_x" }] }] }), [2, 3]);
  assert.deepEqual(keep({ care_nursing: "yes", all: [{ any: [{ need_x: "yes" }, { untold: "need_x" }] }] }), [2]);
  assert.deepEqual(keep({ band_children: "yes" }), [], "a filter no home has matches nothing");
  // a part of the area named as a town is: its districts' homes or the town's (directory-find.js, placesIn's towns)
  const placed = { district: { EX1: [0], EX5: [3] }, town: { Exeter: [0, 3], Exmouth: [4] } };
  const where = (f) => Array.from(matching(f, placed, 5)).flatMap((on, i) => (on ? [i] : []));
  assert.deepEqual(where({ any: [{ district: { any: ["EX1"] } }, { town: { any: ["Exeter"] } }] }), [0, 3]);
  assert.deepEqual(where({ district: { any: ["EX1"] } }), [0]);
  assert.deepEqual(keep({ rating: "Requires improvement" }), []);
});

test("the search again for a bed with nursing free leaves out the homes CQC registers without nursing", () => {
  // five homes: 0 said it has a nursing bed free; 1 registered with nursing, has not said; 2 registered without nursing
  // (the count of its nursing beds is no fact of its), has not said; 3 not known whether with nursing, has not said;
  // 4 registered with nursing, said none is free
  const files = { free: { nursing: [0] }, care_nursing: { yes: [0, 1, 3] },
    untold: { free_nursing: [1, 1, 1], care_nursing: [3] } };
  const chosen = [["free", "free_nursing", "has beds with nursing free now"]];
  const keep = (f) => Array.from(matching(f, files, 5)).flatMap((on, i) => (on ? [i] : []));
  assert.deepEqual(keep(relaxed({ free: "nursing" }, chosen, ["free"])), [0, 1, 2, 3], "without requires: every home that has not said");
  const f = relaxed({ free: "nursing" }, chosen, ["free"], { free_nursing: "care_nursing" });
  assert.deepEqual(f, { all: [{ any: [{ free: "nursing" }, { all: [{ untold: "free_nursing" },
    { any: [{ care_nursing: "yes" }, { untold: "care_nursing" }] }] }] }] });
  assert.deepEqual(keep(f), [0, 1, 3], "with nursing, or not known to be without: never the home without nursing, nor the one that said none");
});

function siteFiles() {
  // five homes A to Z (0-4), cards in shards of two, a fee order known for three of them
  const cards = ["a", "b", "c", "d", "e"].map((s) => ({ url: "homes/" + s + "/", meta: { title: s.toUpperCase(), slug: s } }));
  return {
    "index.json": { homes: 5, shard: 2, filters: { care_nursing: 0, feeband: 1 }, sorts: { name: null, fee: 0 }, words: ["ho", "ki", "ma", "y"] },
    "who.json": { house: [1, 1, 2], holme: [0] },
    "wki.json": { kington: [0, 3, 1] },
    "wma.json": { marys: [2] },
    "wy.json": { y: [3] },
    "f0.json": { yes: [1, 2, 1] },
    "f1.json": { none: [0, 3], "600": [1, 1, 2] },
    "s0.json": [4, 1, 2],
    "c0.json": cards.slice(0, 2), "c1.json": cards.slice(2, 4), "c2.json": cards.slice(4),
  };
}

test("facet index: results in name or sort order, a card file loaded only for the cards drawn", async () => {
  const files = siteFiles(), asked = [];
  const ix = await facetIndex((name) => { asked.push(name); return files[name] || null; }, (u) => "/site/" + u);
  let r = await ix.search("", { filters: { care_nursing: "yes" }, sort: { name: "asc" } });
  assert.deepEqual(r.results.map((x) => x.number), [1, 3, 4]);
  assert.deepEqual(asked, ["index.json", "f0.json"], "no sort file for name order, no card yet");
  assert.deepEqual(await r.results[0].data(), { url: "/site/homes/b/", meta: { title: "B", slug: "b" } });
  assert.deepEqual(asked.slice(2), ["c0.json"]);
  r = await ix.search("", { filters: { care_nursing: "yes" }, sort: { fee: "asc" } });
  assert.deepEqual(r.results.map((x) => x.number), [4, 1], "only the homes with a fee, in fee order");
  // the orders of directory-sort.js run on it unchanged: homes with no fee last, A to Z, and counted
  const sorted = await sortedSearch(ix, "", { care_nursing: "yes" }, "fee");
  assert.deepEqual(sorted[0].map((x) => x.number), [4, 1, 3]);
  assert.equal(sorted[1], 1);
});

test("facet index: words, each a whole word, all of them, with the filters and in any order", async () => {
  const files = siteFiles(), asked = [];
  const ix = await facetIndex((name) => { asked.push(name); return files[name] || null; }, (u) => "/site/" + u);
  const numbers = async (term, opts) => (await ix.search(term, opts || {})).results.map((x) => x.number);
  assert.deepEqual(await numbers("house"), [1, 2, 4]);
  assert.deepEqual(await numbers("House Kington"), [4], "every word must match");
  assert.deepEqual(await numbers("kington", { filters: { care_nursing: "yes" } }), [3, 4]);
  assert.deepEqual(await numbers("kington", { filters: { care_nursing: "yes" }, sort: { fee: "asc" } }), [4], "the sort's order, its homes only");
  assert.deepEqual(await numbers("hous"), [], "not the start of a word");
  assert.deepEqual(await numbers("St Mary's"), [], "st: no word file for its letters, so nothing, without asking for one");
  assert.ok(!asked.includes("wst.json"));
  assert.deepEqual(await numbers("Mary's"), [2]);
  assert.deepEqual(await numbers("Bryn-y"), [], "bryn has no file: no match");
  assert.deepEqual(await numbers("y"), [3]);
  assert.equal(asked.filter((n) => n === "who.json").length, 1, "a word file is read once");
  const sorted = await sortedSearch(ix, "kington", { care_nursing: "yes" }, "fee");
  assert.deepEqual([sorted[0].map((x) => x.number), sorted[1]], [[4, 3], 1], "no fee known: last, counted");
});

test("facet index: a file that cannot be read fails the search, never a silent wrong answer", async () => {
  const files = siteFiles();
  delete files["wki.json"];
  delete files["f1.json"];
  const ix = await facetIndex((name) => (name in files ? files[name] : Promise.reject(new Error("404"))), (u) => u);
  await assert.rejects(ix.search("kington", {}));
  await assert.rejects(ix.search("", { filters: { feeband: "600" } }));
  assert.equal((await ix.search("house", {})).results.length, 3, "other searches still answer");
  await assert.rejects(facetIndex(() => null, (u) => u));
  await assert.rejects(facetIndex(() => Promise.reject(new Error("404")), (u) => u));
  await assert.rejects(facetIndex(() => ({ homes: 3 }), (u) => u), "not the find page's index");
});

test("a link's value that names an object's own property is no key: prototype names are never sorts, filters or words", async () => {
  const { own, notListed, notListedNote } = await import("../../overrides/assets/directory-text.js");
  const { fittingSort, sortFits } = await import("../../overrides/assets/directory-sort.js");
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    assert.equal(own({ a: 1 }, name), undefined, name);
    assert.equal(sortOf(name).words, "A to Z by name", name);  // was Object.prototype's (no words: "sorted {sort}")
    assert.equal(unknownOf(name), null, name);
    assert.equal(sortFits(name, ["care_home"]), true, name);  // no sort of a kind: as any value the form has no choice for
    assert.equal(fittingSort(name, [], "name"), name);  // the form never holds one (writeForm keeps its own choice)
    assert.equal(notListed(name), false, name);
    assert.equal(notListedNote({ notTown: "x", [name]: "y" }, name, "v"), "", name);
  }
  assert.equal(own(JSON.parse('{"__proto__": 5}'), "__proto__"), 5);  // a file's own key is read as any other
  assert.equal(own(null, "a"), undefined);
});

test("a link's unknown value: a town or an area in the schema's words for that field, any other field quietly", async () => {
  const { notListed, notListedNote } = await import("../../overrides/assets/directory-text.js");
  const find = { notTown: "“{value}” is not a town listed here, so every town is shown.",
    notLocality: "“{value}” is not an area listed here, so every area is shown." };
  assert.equal(notListedNote(find, "town", "Nowhere"), "“Nowhere” is not a town listed here, so every town is shown. ");
  assert.equal(notListedNote(find, "locality", "Nowhere"), "“Nowhere” is not an area listed here, so every area is shown. ");
  // a sort, a fee, a unit, a distance the page does not offer were each said to be "not an area listed here"
  for (const field of ["sort", "maxfee", "unit", "within", "need", "area", "q"]) {
    assert.equal(notListed(field), false, field);
    assert.equal(notListedNote(find, field, "__proto__"), "", field);
  }
  assert.ok(notListedNote(find, "town", "x".repeat(80)).startsWith("“" + "x".repeat(60) + "” is not a town"));  // cut at 60
  assert.equal(notListedNote({}, "town", "Nowhere"), "");  // no sentence in the schema: nothing said, never undefined
});

test("a sorted search never takes a prototype name for a sort of the index", async () => {
  const pf = fakePagefind([{ id: "b", rating: "Good" }, { id: "a", rating: "Good" }]);
  const asked = [];
  const spy = { search: (term, opts) => { asked.push(Object.keys(opts.sort)); return pf.search(term, opts); } };
  const [results] = await sortedSearch(spy, "x", {}, "constructor");
  assert.deepEqual(asked, [["name"]]);
  assert.equal(results.length, 2);
});

test("a search word one letter off a listed town or area of one word is that town, said as the page writes it", () => {
  assert.equal(editDistance("oldam", "oldham"), 1);
  assert.equal(editDistance("hereofrd", "hereford"), 1);  // two letters swapped
  assert.equal(editDistance("leominster", "leominster"), 0);
  const places = ["Oldham", "Ashton-under-Lyne", "Hereford", "Ross-on-Wye", "Royton", "Near Leominster", "Long Itchington", "Leominster"];
  assert.deepEqual(misspelt(["oldam"], places), ["oldam", "Oldham"]);
  assert.deepEqual(misspelt(["dementia", "herefrd"], places), ["herefrd", "Hereford"]);
  assert.deepEqual(misspelt(["rotyon"], places), ["rotyon", "Royton"]);  // two letters swapped
  assert.equal(misspelt(["herferd"], places), null);  // 7 letters, two off: too far
  assert.equal(misspelt(["oldham"], places), null);  // a listed name already: nothing to put right
  assert.equal(misspelt(["olda"], places), null);  // under 5 letters: too many common words are one off a name
  assert.equal(misspelt(["ashten"], places), null);  // a word of a name of several words is no name ("Long", "Near")
  assert.equal(misspelt(["lond"], places), null);
  assert.equal(misspelt(["bear"], places), null);
  assert.equal(misspelt(["oldxxm"], places), null);  // two letters off a word of 6: too far
  assert.deepEqual(misspelt(["hereforrdd"], places), ["hereforrdd", "Hereford"]);  // 8 letters or more: two may be off
  assert.equal(misspelt(["heefod"], places), null);  // 6 letters, two off: too far
  assert.equal(misspelt(["royon"], ["Royton", "Roydon"]), null);  // as near to two: no guess
  assert.equal(misspelt(["oldam"], []), null);
});

test("the word put right takes its place in the search box's text; the other words stay as typed", () => {
  assert.equal(putRight("Care homes Leominstr", "leominstr", "Leominster"), "Care homes Leominster");
  assert.equal(putRight("  NURSING   leominstr, ", "leominstr", "Leominster"), "  NURSING   Leominster ");  // spaces and case kept
  assert.equal(putRight("Leominstr leominstr", "leominstr", "Leominster"), "Leominster Leominster");
  assert.equal(putRight("Léominstr", "leominstr", "Leominster"), "Leominster");  // read as the search reads it
  assert.equal(putRight("St-Leominstr", "leominstr", "Leominster"), null);  // two words as the search reads it: none alone
  assert.equal(putRight("Hereford", "leominstr", "Leominster"), null);
  assert.equal(putRight("", "leominstr", "Leominster"), null);
});


test("a part of the council's area named in the search's words is its postcode districts, never text to match", () => {
  const places = [["royton shaw and crompton", "Royton, Shaw and Crompton", ["OL2"]], ["oldham town and lees", "Oldham town and Lees", ["OL1", "OL4", "OL8"]],
    ["saddleworth", "Saddleworth", ["OL3"]]];
  assert.deepEqual(placesIn("saddleworth", places), { rest: "", names: ["Saddleworth"], districts: ["OL3"], towns: [] });
  assert.deepEqual(placesIn("abbey saddleworth saddleworth", places), { rest: "abbey", names: ["Saddleworth"], districts: ["OL3"], towns: [] });
  assert.deepEqual(placesIn("royton shaw and crompton oldham town and lees", places),
    { rest: "", names: ["Royton, Shaw and Crompton", "Oldham town and Lees"], districts: ["OL2", "OL1", "OL4", "OL8"], towns: [] });
  assert.deepEqual(placesIn("shaw", places), { rest: "shaw", names: [], districts: [], towns: [] });  // a word of a part's name is a word
  assert.deepEqual(placesIn("saddleworthy", places), { rest: "saddleworthy", names: [], districts: [], towns: [] });
  assert.deepEqual(placesIn("saddleworth", [["saddleworth", "S", "OL3"], "x", null, [1, 2, [3, "OL3"]]]), { rest: "saddleworth", names: [], districts: [], towns: [] });
  assert.deepEqual(placesIn("", null), { rest: "", names: [], districts: [], towns: [] });
  // a part named as a town is: that town too (the Devon review: "Exeter" of EX1, EX2 and EX4 lost Exeter's homes in EX5)
  const devon = [["exeter", "Exeter", ["EX1", "EX2", "EX4"], "Exeter"], ["golden valley", "Golden Valley", ["HR2"]]];
  assert.deepEqual(placesIn("exeter nursing", devon), { rest: "nursing", names: ["Exeter"], districts: ["EX1", "EX2", "EX4"], towns: ["Exeter"] });
  assert.deepEqual(placesIn("golden valley", devon), { rest: "", names: ["Golden Valley"], districts: ["HR2"], towns: [] });
  assert.deepEqual(placesIn("exeter", [["exeter", "Exeter", ["EX1"], 7]]).towns, [], "a label that is not text is no town");
});

test("a council area of the Area list typed is that area; one of one word stays a word", () => {
  const areas = [["All areas", ""], ["Richmond upon Thames", "Richmond upon Thames"], ["Leeds", "Leeds"],
    ["Brighton and Hove", "Brighton and Hove"], ["Richmond upon Thames North", "RN"]];
  assert.deepEqual(councilIn("dementia richmond upon thames", areas), ["richmond upon thames", "Richmond upon Thames", "dementia"]);
  assert.deepEqual(councilIn("Richmond upon Thames North", areas), ["richmond upon thames north", "RN", ""], "the longest");
  assert.deepEqual(councilIn("brighton and hove", areas), ["brighton and hove", "Brighton and Hove", ""]);
  assert.equal(councilIn("leeds", areas), null);
  assert.equal(councilIn("richmond", areas), null);
  assert.equal(councilIn("all areas", areas), null, "the list's empty choice is no area");
  assert.equal(councilIn("anything", undefined), null);
});

test("facet index: a filter's values with the numbers of their homes (the district filter places a big site's matches)", async () => {
  const files = { "index.json": { homes: 3, shard: 16, filters: { district: 0 }, sorts: {}, words: [] }, "f0.json": { LS6: [0, 2], HR1: [1] } };
  const ix = await facetIndex((name) => Promise.resolve(files[name]), (u) => u);
  assert.deepEqual(await ix.valuesOf("district"), { LS6: [0, 2], HR1: [1] });
  assert.deepEqual(await ix.valuesOf("town"), {}, "a filter the index has not");
});

test("cardContact: every card says who to ring, or that its number is on its CQC page and links there", () => {
  // Millfield and Ordinary Lifestyles (Oldham; CQC gives no phone number): their cards said nothing of how to reach
  // them unless a filter listed them as not confirmed
  // the schema's own words (x-directory.find), as the build gives them to the page
  const words = JSON.parse(readFileSync(new URL("../../schema/datapackage.json", import.meta.url), "utf-8"))["x-directory"].find;
  const cqc = "https://www.cqc.org.uk/location/1-123";
  const council = { text: "Ring the council on 0161 770 1234", link: ["0161 770 1234", "tel:01617701234"] };
  const own = { ring: "Ring 0161 624 9510", ringLink: ["0161 624 9510", "tel:01616249510"], cqc: cqc };
  assert.equal(words.cqcPageNumber, "No phone number in our data: see its CQC page");
  assert.deepEqual(cardContact(own, false, council, words), { ring: "Ring 0161 624 9510", link: ["0161 624 9510", "tel:01616249510"], cqc: null });
  assert.deepEqual(cardContact({ ring: "", cqc: cqc }, false, council, words), { ring: "", link: null, cqc: ["No phone number in our data: see its CQC page", cqc] });
  // not confirmed: its own number, else the council's line, and its CQC page either way
  assert.deepEqual(cardContact(own, true, council, words), { ring: "Ring 0161 624 9510", link: ["0161 624 9510", "tel:01616249510"], cqc: [words.cqcPage, cqc] });
  assert.deepEqual(cardContact({ ring: "", cqc: cqc }, true, council, words), { ring: council.text, link: council.link, cqc: [words.cqcPage, cqc] });
  assert.deepEqual(cardContact({ ring: "", cqc: cqc }, true, {}, words), { ring: "", link: null, cqc: ["No phone number in our data: see its CQC page", cqc] });
  // no number and no CQC page (readCard keeps only an https link): nothing said, never an empty link
  assert.deepEqual(cardContact({ ring: "", cqc: "" }, false, council, words), { ring: "", link: null, cqc: null });
});
