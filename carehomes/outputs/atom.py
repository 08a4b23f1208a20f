"""changes.atom: the changelog as an Atom feed, one item per changelog entry."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

if TYPE_CHECKING:
    from ..releases import Entry


def atom(entries: list[Entry], site_url: str, title: str, updated: dt.date) -> str:
    """An Atom feed with one item per changelog entry. The feed's date is its newest entry's (``updated``,
    the release date, only when it has none), so a rebuild with the same changes is the same feed."""
    base = site_url.rstrip("/") + "/"
    updated = max((e.updated or e.date for e in entries), default=updated)
    items = []
    for e in entries:
        body = "\n".join(c.sentence() for c in e.changes) or e.title
        items.append(
            "<entry>"
            f"<id>{xml_escape(base)}open-data/#{e.id}</id>"
            f"<title>{xml_escape(e.title)}</title>"
            f"<updated>{(e.updated or e.date).isoformat()}T00:00:00Z</updated>"
            f'<link rel="alternate" type="text/html" href="{xml_escape(base)}changes/#{e.anchor}"/>'
            f'<content type="text">{xml_escape(body)}</content>'
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{xml_escape(base)}data/changes.atom</id><title>{xml_escape(title)}: data changes</title>"
            f"<updated>{updated.isoformat()}T00:00:00Z</updated>"
            f'<link rel="self" type="application/atom+xml" href="{xml_escape(base)}data/changes.atom"/>'
            f'<link rel="alternate" type="text/html" href="{xml_escape(base)}changes/"/>'
            f'<author><name>{xml_escape(title)}</name></author>'
            + "".join(items) + "</feed>\n")
