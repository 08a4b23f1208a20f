/* Building elements: everything a home supplied goes in with textContent, never as HTML. */

export function el(tag, attrs, text) {
  var e = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
export function announce(region, text) { if (region) region.textContent = text; }
