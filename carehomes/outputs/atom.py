"""changes.atom: the changelog as an Atom feed, one item per changelog entry."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from ..fsutil import read_regular

if TYPE_CHECKING:
    from ..releases import Entry

_ATOM = "{http://www.w3.org/2005/Atom}"


MAX_FEED_BYTES = 64 * 1024 * 1024  # a feed read for its dates (nationally some megabytes a year of releases)


class _Dates:
    """An XML parser's target that keeps only each entry's id and ``<updated>`` text (the root's ``entry`` children's
    ``id`` and ``updated`` children, as ``findtext`` gives them), not the tree: a feed of any shape read in a
    bounded memory."""

    def __init__(self) -> None:
        self.depth = 0
        self.found: dict[str, str] = {}  # of the entry being read: "id" and "updated", the first of each
        self.tag = ""  # the child of an entry whose text is being read
        self.text: list[str] = []
        self.out: dict[str, dt.date] = {}

    def start(self, tag: str, attrs: dict) -> None:
        self.depth += 1
        if self.depth == 2:
            self.found = {}
        if self.depth == 3 and tag in (f"{_ATOM}id", f"{_ATOM}updated") and tag not in self.found:
            self.tag, self.text = tag, []
        elif self.depth > 3:
            self._done()  # findtext: the text before the element's first child

    def data(self, text: str) -> None:
        if self.tag:
            self.text.append(text)

    def end(self, tag: str) -> None:
        if self.depth == 3:
            self._done()
        elif self.depth == 2 and tag == f"{_ATOM}entry":
            ident, day = self.found.get(f"{_ATOM}id"), self.found.get(f"{_ATOM}updated") or ""
            try:
                if ident:
                    self.out[ident] = dt.date.fromisoformat(day[:10])
            except ValueError:
                pass
        self.depth -= 1

    def _done(self) -> None:
        if self.tag:
            self.found[self.tag] = "".join(self.text)
            self.tag = ""

    def close(self) -> dict[str, dt.date]:
        return self.out


def published_dates(feed: Path) -> dict[str, dt.date]:
    """Each entry's id -> its ``<updated>`` day in the feed the site publishes now (``feed``, as ``atom`` wrote it, or
    the one the cache kept: checkcache.kept_feed); empty when there is none or it cannot be read (then every unreleased
    entry is new): not a regular file (a named pipe or a device would never end), over ``MAX_FEED_BYTES``, or not
    XML (an encoding Python does not know included), read without keeping its tree."""
    try:
        raw = read_regular(feed, MAX_FEED_BYTES)  # NotRegularFile (an OSError) for a pipe or a device
        if len(raw) > MAX_FEED_BYTES:
            return {}
        dates = _Dates()
        parser = ET.XMLParser(target=dates)
        parser.feed(raw)
        parser.close()  # a feed cut short: an error, no dates
        return dates.out
    except (OSError, ET.ParseError, LookupError, ValueError):  # LookupError, ValueError: an encoding not read
        return {}


def entry_date(e: Entry, entry_id: str, today: dt.date, published: dict[str, dt.date]) -> dt.date:
    """When an entry last changed, as a feed reader reads ``<updated>``: a release's entry on the release's day (it
    never changes after); the unreleased changes on the day the site first published them (the same id in the feed
    it replaces, ``published``), else today (the build's release date). Never a fact's date: a fact confirmed or
    rated before the entry existed does not date the entry."""
    if not e.unreleased:
        return e.date
    before = published.get(entry_id)
    return before if before is not None and (e.since or before) <= before <= today else today


def atom(entries: list[Entry], site_url: str, title: str, updated: dt.date,
         published: dict[str, dt.date] | None = None) -> str:
    """An Atom feed with one item per changelog entry, each dated by ``entry_date`` (``updated``: the build's
    release date; ``published``: the dates of the feed it replaces, ``published_dates``). The feed's date is its
    newest entry's (``updated`` only when it has none), so a rebuild with the same changes is the same feed."""
    base = site_url.rstrip("/") + "/"
    dated = [(e, f"{base}open-data/#{e.id}") for e in entries]
    days = [entry_date(e, ident, updated, published or {}) for e, ident in dated]
    items = []
    for (e, ident), day in zip(dated, days, strict=True):
        body = "\n".join(c.sentence() for c in e.changes) or e.title
        items.append(
            "<entry>"
            f"<id>{xml_escape(ident)}</id>"
            f"<title>{xml_escape(e.title)}</title>"
            f"<updated>{day.isoformat()}T00:00:00Z</updated>"
            f'<link rel="alternate" type="text/html" href="{xml_escape(base)}changes/#{e.anchor}"/>'
            f'<content type="text">{xml_escape(body)}</content>'
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{xml_escape(base)}data/changes.atom</id><title>{xml_escape(title)}: data changes</title>"
            f"<updated>{max(days, default=updated).isoformat()}T00:00:00Z</updated>"
            f'<link rel="self" type="application/atom+xml" href="{xml_escape(base)}data/changes.atom"/>'
            f'<link rel="alternate" type="text/html" href="{xml_escape(base)}changes/"/>'
            f'<author><name>{xml_escape(title)}</name></author>'
            + "".join(items) + "</feed>\n")
