/* Building elements: everything a home supplied goes in with textContent, never as HTML. */
import { linkParts, safeHref } from "./directory-text.js";

export function el(tag, attrs, text) {
  var e = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
export function announce(region, text) { if (region) region.textContent = text; }
export function withLink(node, text, link) {
  // the text, with the words that link (a checked https link from the build: the CQC page) as a real link
  if (!Array.isArray(link) || !safeHref(link[1])) { node.textContent = String(text); return node; }
  var parts = linkParts(text, link[0]);
  node.append(parts[0], el("a", { href: link[1], rel: "nofollow noopener" }, parts[1]), parts[2]);
  return node;
}
