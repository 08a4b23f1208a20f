"""changes.atom: the changelog as an Atom feed, one item per changelog entry."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

if TYPE_CHECKING:
    from ..releases import Entry

_ATOM = "{http://www.w3.org/2005/Atom}"


def published_dates(feed: Path) -> dict[str, dt.date]:
    """Each entry's id -> its ``<updated>`` day in the feed the site publishes now (``feed``, as ``atom`` wrote it);
    empty when there is none or it cannot be read (then every unreleased entry is new)."""
    try:
        root = ET.fromstring(feed.read_bytes())
    except (OSError, ET.ParseError):
        return {}
    out: dict[str, dt.date] = {}
    for e in root.findall(f"{_ATOM}entry"):
        ident, day = e.findtext(f"{_ATOM}id"), e.findtext(f"{_ATOM}updated") or ""
        try:
            if ident:
                out[ident] = dt.date.fromisoformat(day[:10])
        except ValueError:
            continue
    return out


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
