"""Provider text to safe HTML: escape first, then allow a tiny Markdown subset.

Nothing a provider writes can become a tag or attribute: every character is escaped
before the few allowed patterns (paragraphs, lists, **bold**, *italic*, links) are
turned into markup, and links are kept only for http, https, mailto and tel.
"""
from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# [text](url): the url may hold one level of parentheses, as Wikipedia's addresses do (a_(b))
_LINK = re.compile(r"\[([^\]\n]{1,200})\]\(((?:[^()\s]|\([^()\s]{0,500}\)){1,500})\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


def json_for_html(text: str) -> str:
    """JSON text that no HTML parser reads as markup (inside a script element, or a JSON file a host
    serves as text/html): ``<``, ``>`` and ``&`` as JSON escapes, the same string to any JSON reader."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is allowed (http, https, mailto, tel), else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or any(c in url for c in "\x00\r\n\t<>\"'` "):
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    return url


def unsafe_links(text: str | None) -> list[str]:
    """The addresses of Markdown links in ``text`` that ``markdown_lite`` will not make links (their
    text is shown without a link): not http(s), mailto or tel, or with characters no address has."""
    return [m.group(2) for m in _LINK.finditer(text or "") if not safe_url(m.group(2))]


def _inline(escaped: str) -> str:
    def link(m: re.Match) -> str:
        text, raw_url = m.group(1), m.group(2)
        # the URL was escaped with the rest; unescape the entities escape() makes, then re-check it
        url = safe_url(raw_url.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", '"'))
        if not url:
            return text
        return f'<a href="{escape(url, quote=True)}" rel="nofollow noopener">{text}</a>'

    out = _LINK.sub(link, escaped)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def markdown_lite(text: str | None) -> str:
    """Render limited Markdown to HTML that cannot carry script, styles or unsafe links."""
    if not text:
        return ""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines and all(re.match(r"[-*] ", line) for line in lines):
            items = "".join(f"<li>{_inline(escape(line[2:].strip()))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{_inline(escape(' '.join(lines)))}</p>")
    return "\n".join(html)
