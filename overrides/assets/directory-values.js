/* The page's declarations, put in by the build as JSON: the schema's value lists and wording
   (<script id="directory-values">, Values.for_script) and the face (<script id="directory-face">,
   Face.for_script: filters, questions, sorts and compare rows, every wording finished). */

// The schema's value lists (ratings, wording, staleness, fee bands); a service's page and a browse list carry the
// shortlist's wording alone (the page shell).
export const VALUES = { ratings: [], noRating: "", notProvided: "", staleness: {}, feeBands: {}, find: { units: {} }, compare: {}, shortlist: {} };
// The face (schema/face.json): the yes/no filters, the questions a filter nobody answered asks, the sorts' words
// and the compare table's rows.
export const FACE = { fields: [], filters: {}, questions: {}, sorts: {}, compare: [] };

function readJson(doc, id) {
  var node = doc.getElementById(id);
  if (!node) return {};
  try { return JSON.parse(node.textContent); } catch (e) { return {}; }
}
export function readValues(doc) {
  Object.assign(VALUES, readJson(doc, "directory-values"));
  Object.assign(FACE, readJson(doc, "directory-face"));
}
