"""Outside text made safe: as HTML for pages, and quoted for messages, logs and GitHub comments.

Pages: nothing a provider writes can become a tag or attribute: every character is escaped
before the few allowed patterns (paragraphs, line breaks, bulleted and numbered lists, **bold**, *italic*, links)
are turned into markup, and links are kept only for http, https, mailto and tel. A picture
(``![text](url)``) is a link to it, never an image on the page. A link to another address is no link: its words
are shown with the address in brackets after them ('our website (www.example.org)'), or alone when the address
names another scheme (``javascript:``, ``data:``), which is left out.

Messages: every value from a file, an API or a form that is printed, logged or posted goes through
``outside`` (Markdown: comments, issue and pull request bodies) or ``plain`` (a terminal or a
workflow log): one line, control characters shown as escapes, no workflow command, and in Markdown
no mention, link, cross-reference or markup.
"""
from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# [text](url): the url may hold one level of parentheses, as Wikipedia's addresses do (a_(b)); ![text](url), a
# picture, is shown as a link to it (a page shows no picture a provider names: no tracking, no layout broken)
_LINK = re.compile(r"(?P<picture>!?)\[(?P<text>[^\]\n]{0,200})\]\((?P<url>(?:[^()\s]|\([^()\s]{0,500}\)){1,500})\)")
# [text][name] and [name]: https://... (Markdown's reference links), which markdown_lite shows as they are written
_REFERENCE = re.compile(r"\[[^\]\n]{1,200}\]\[[^\]\n]{0,200}\]|^[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]*\S", re.MULTILINE)
PICTURE_TEXT = "picture"  # the link's words for a picture with no text of its own: ![](https://...)
# both may run over a line break in a paragraph, as they did when its lines were joined with spaces
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")
# a list item's line, once stripped: '- ' or '* ' (a bullet), or a number of at most 3 digits then '.' or ')' (a
# numbered item), then its words; '2026. A good year' (a year, not an item's number) and '3.' alone are text
_BULLET = re.compile(r"[-*][ \t]+(?=\S)")
_NUMBERED = re.compile(r"([0-9]{1,3})[.)][ \t]+(?=\S)")


def json_for_html(text: str) -> str:
    """JSON text that no HTML parser reads as markup (inside a script element, or a JSON file a host
    serves as text/html): ``<``, ``>`` and ``&`` as JSON escapes, the same string to any JSON reader."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# A character no address a setting names may hold: white space, a control character, or one that ends an HTML
# attribute or starts markup (the tile server, attribution links, the repository and the ORUK API's address)
UNSAFE_IN_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f\"'<>\\`]")


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


def tel_href(phone: str | None) -> str | None:
    """A phone number as written ("01432 260000", "+44 (0)1432 260-000") -> its tel: link, of digits and a leading +
    only ("tel:01432260000"); None when it holds anything else than digits, spaces, brackets, dashes and a leading
    +, or fewer than 6 digits (the find and compare pages link only such an address: directory-text.js safeHref)."""
    text = (phone or "").strip()
    if not re.fullmatch(r"\+?[0-9 ()-]+", text) or sum(c.isdigit() for c in text) < 6:
        return None
    if text.startswith("+"):  # +44 (0)1432: the (0) is dialled only from within the country
        return "tel:+" + re.sub(r"[^0-9]", "", text.replace("(0)", ""))
    return "tel:" + re.sub(r"[^0-9]", "", text)


def tel_link(phone: str | None) -> list[str] | None:
    """[the number as written, its tel: link] (a finished page string's link, as withLink places it), or None."""
    href = tel_href(phone)
    return [str(phone).strip(), href] if href else None


# an address starting with a scheme no link may have ('javascript:', 'data:', 'ftp:'): left out of the page, where any
# other address no link may have ('www.example.org', 'http:/x.org') is shown as text after the link's words
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+-]*:")


def address_left_out(url: str) -> bool:
    """Whether ``markdown_lite`` leaves out a link's address it makes no link (its words shown alone): one starting
    with another scheme than http, https, mailto and tel; any other such address is shown in brackets after them."""
    m = _SCHEME.match(url.strip())
    return m is not None and m.group(0)[:-1].lower() not in SAFE_SCHEMES


def refused_links(text: str | None) -> list[tuple[str, str]]:
    """The Markdown links in ``text`` that ``markdown_lite`` will not make links (not http(s), mailto or tel, or with
    characters no address has), each as (its address, what the page shows instead, unescaped): its words and the
    address in brackets ('our website (www.example.org)'), or its words alone when the address is left out
    (``address_left_out``: 'click' for '[click](javascript:...)')."""
    out = []
    for m in _LINK.finditer(text or ""):
        words = _unmarked(m["text"]) or (PICTURE_TEXT if m["picture"] else "")
        if words and not safe_url(m["url"]):
            out.append((m["url"], words if address_left_out(m["url"]) else f"{words} ({m['url']})"))
    return out


def _unmarked(text: str) -> str:
    """Link words as the page shows them, without the marks of bold and italic ('**bold**' is shown 'bold')."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


def pictures(text: str | None) -> list[str]:
    """The addresses of Markdown pictures (``![text](url)``) in ``text`` that ``markdown_lite`` shows as links to them
    (a picture with an address no link may have is one of ``refused_links``)."""
    return [m["url"] for m in _LINK.finditer(text or "") if m["picture"] and safe_url(m["url"])]


def reference_links(text: str | None) -> list[str]:
    """Markdown reference links in ``text`` (``[text][name]``, ``[name]: https://...``), which ``markdown_lite``
    shows as they are written: each as written (its first 60 characters)."""
    return [m.group(0)[:60] for m in _REFERENCE.finditer(text or "")]


# an HTML tag as people type one into a description: <b>, </p>, <br/>, <a href="...">; never '< 5' or '<3'
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>")


def html_tags(text: str | None) -> list[str]:
    """The HTML tags in ``text``, which ``markdown_lite`` shows as typed (escaped, never markup): the first of each
    tag's name as written ('<b>' for '<b>x</b>'), in the order they come."""
    seen: dict[str, str] = {}
    for m in _TAG.finditer(text or ""):
        seen.setdefault(re.match(r"</?([A-Za-z0-9]+)", m.group(0))[1].lower(), m.group(0))  # type: ignore[index]
    return list(seen.values())


def _marks(escaped: str) -> str:
    """**bold** and *italic* in escaped text."""
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escaped))


def _inline(raw: str) -> str:
    """Links, **bold** and *italic* in raw text, escaped. Each link is found in the text as typed (as refused_links finds
    it, so that the two agree: a link whose '&' or "'" escaped past the length limits was shown as written, unwarned)
    and set aside while the rest is escaped and bold and italic are marked (a NUL holds its place), so that a '*' in
    an address is part of it: 'https://x.org/*b*/' had been linked as 'https://x.org/<em>b</em>/'."""
    links: list[str] = []

    def link(m: re.Match) -> str:
        text, url = m["text"] or (PICTURE_TEXT if m["picture"] else ""), m["url"]
        if not text:  # [](url): no words to be the link; shown as written
            links.append(escape(m.group(0)))
            return f"\x00{len(links) - 1}\x00"
        words, safe = _marks(escape(text)), safe_url(url)
        if not safe:  # no link: its words, and the address as typed in brackets unless it is left out (refused_links)
            links.append(words if address_left_out(url) else f"{words} ({escape(url)})")
        else:
            links.append(f'<a href="{escape(safe, quote=True)}" rel="nofollow noopener">{words}</a>')
        return f"\x00{len(links) - 1}\x00"

    out = _marks(escape(_LINK.sub(link, raw.replace("\x00", "\ufffd"))))  # a NUL typed is shown as a browser shows it
    return re.sub("\x00([0-9]+)\x00", lambda m: links[int(m[1])], out) if links else out


def _list_item(line: str) -> tuple[str, int, str] | None:
    """A stripped line as a list item: ("ul", 1, its words) or ("ol", its number, its words); else None."""
    m = _BULLET.match(line)
    if m:
        return "ul", 1, line[m.end():]
    m = _NUMBERED.match(line)
    return ("ol", int(m[1]), line[m.end():]) if m else None


def _lines_html(lines: list[str]) -> str:
    """Lines of one paragraph or list item, escaped and marked up, a <br> between each."""
    return _inline("\n".join(lines)).replace("\n", "<br>\n")


def markdown_lite(text: str | None) -> str:
    """Render limited Markdown to HTML that cannot carry script, styles or unsafe links.

    A blank line starts a new paragraph and a single line break is a line break (<br>), as a form's text was typed.
    A line starting '- ' or '* ' is a bullet, one starting a number then '.' or ')' ('1. ', '2) ') a numbered item
    (<ol>, its first number kept as ``start`` when it is not 1); a bullet may follow a paragraph's line directly, a
    numbered list only when it starts at 1 (as CommonMark has it: 'Rooms:\n2. Garden' is a paragraph of two lines).
    An indented line after an item goes on in it; any other line ends the list and starts a paragraph."""
    if not text:
        return ""
    html = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        parts: list[tuple[str, int, list[list[str]]]] = []  # (p, ul or ol; its first number; its items' lines)
        for raw in block.split("\n"):
            line = raw.strip()
            if not line:
                continue
            item = _list_item(line)
            last = parts[-1] if parts else None
            if item and (last is None or last[0] != "p" or item[0] == "ul" or item[1] == 1):
                if last and last[0] == item[0]:
                    last[2].append([item[2]])
                else:
                    parts.append((item[0], item[1], [[item[2]]]))
            elif last and (last[0] == "p" or raw[:1].isspace()):  # a paragraph's next line, or an item's indented one
                last[2][-1].append(line)
            else:
                parts.append(("p", 1, [[line]]))
        for kind, start, items in parts:
            if kind == "p":
                html.append(f"<p>{_lines_html(items[0])}</p>")
            else:
                first = f' start="{start}"' if kind == "ol" and start != 1 else ""
                html.append(f"<{kind}{first}>{''.join(f'<li>{_lines_html(lines)}</li>' for lines in items)}</{kind}>")
    return "\n".join(html)


# --- outside text in messages -------------------------------------------------------------------

# A workflow command (::error ...::, ::add-mask::, ::stop-commands::) or the legacy ##[...] form,
# which the runner reads at the start of a line after any whitespace
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]()#|!~])")


def shown(text: str) -> str:
    """Control characters (C0, C1, DEL), line and paragraph separators, bidi overrides, zero-width and
    other format characters shown as escapes, so the text stays one line and reads as what it is."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def cut(text: str, limit: int | None) -> str:
    """``text`` at most ``limit`` characters long, ending "..." when cut (None: whole)."""
    return text if limit is None or len(text) <= limit else text[: max(limit - 3, 0)] + "..."


def plain(value: object, limit: int | None = None) -> str:
    """An outside value for a terminal or a workflow log: one line, control characters as escapes, and a
    workflow command at its start written ``\\::`` / ``\\##[`` so the runner does not run it."""
    return unrun(shown(cut(str(value), limit)))


def unrun(text: str) -> str:
    """``text`` with a workflow command at its start written with a backslash (``\\::error``), shown as is."""
    return _COMMAND_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def outside(value: object, limit: int | None = 300) -> str:
    """An outside value for Markdown that GitHub renders (an issue comment, an issue or pull request body,
    a table cell): one line, no markup, and it mentions nobody, links nowhere and refers to no issue.

    Every ``@`` becomes a full-width ``＠`` (GitHub reads '@x, (@x, <@x, "@x and @org/team as mentions, and
    its mention filter works on the rendered text, so no escape survives); ``scheme://`` becomes
    ``scheme[:]//`` and ``www.`` ``www[.]`` (no autolink); ``#12`` and ``GH-12`` lose their link with a
    full-width ``＃`` and a non-breaking hyphen; Markdown punctuation (links, images, emphasis, table pipes,
    code) is backslash-escaped, ``<``, ``>``, ``&`` written as entities, and a leading ``::`` as ``\\::``."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    text = shown(cut(text, limit))
    text = text.replace("@", "\uff20")
    text = re.sub(r"(?i)\b(gh)-(?=\d)", "\\1\u2011", text)
    text = re.sub(r"#(?=\d)", "\uff03", text)
    # every one, whatever comes before it: GitHub links 'https://x.example' after a digit or '_' ('1https://',
    # '\\_https://') and 'www.x.example' after '_', '*', '~' or '(', where there is no word boundary to break at
    text = re.sub(r":(?=//)", "[:]", text)
    text = re.sub(r"(?i)(www)\.", "\\1[.]", text)
    text = escape(text, quote=False)
    return unrun(_MD_PUNCTUATION.sub(r"\\\1", text))


def web_address(url: str) -> bool:
    """Whether ``url`` is a web address a link may start with: http or https, a host, and no space, quote or angle
    bracket (mkdocs refuses the build of another; the report and the forms, which link from it, refuse it too)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # 'http://[::1' (a bracket not closed)
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not re.search(r"[\s\"'<>`\x00-\x1f\x7f]", text)
