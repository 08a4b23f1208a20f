"""Each home's pieces of the open data files, made where its profile is loaded and checked (in the worker, for
large sets: ``checking.check_paths(pieces=True)``) and put together in location ID order by
``publish.join_pieces``: its CSV rows, JSON, capabilities rows, ORUK service, map point, typed rows and ORUK
tabular lines.
"""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..kinds import kinds_of
from ..records import canonical, flatten
from ..schema import Schema
from .geojson import geo_feature
from .oruk import service
from .oruk_tabular import ServiceLines, service_lines
from .tables import capability_rows, home_row, line_writer
from .typed import record_rows


# json.dumps(value, ensure_ascii=False), with the encoder made once rather than for each of 3 values a home
_TO_JSON = json.JSONEncoder(ensure_ascii=False).encode


class HomePieces(NamedTuple):
    """One home's pieces of the published files, made where its profile was checked (``checking.check_paths``)
    or by ``home_pieces`` here, put together in location ID order by ``publish.join_pieces``."""

    key: str  # the location ID, the files' order
    kinds: tuple[str, ...]  # the kinds it is (kind ids), each with its CSV row in ``rows``
    rows: tuple[str, ...]
    json: str  # its record as JSON, in each of its kinds' JSON files
    caps: str  # its capabilities rows ("" when its kinds have no capabilities table)
    oruk: bytes  # its Open Referral UK service, as JSON in UTF-8 (not as an object: 5 times quicker between processes)
    geo: str | None  # its map point (GeoJSON feature), if it has coordinates
    typed: dict[str, list[list[Any]]]  # its rows with their types, by table name (outputs.typed.record_rows)
    tabular: ServiceLines  # its ORUK service's rows of the tabular form, as CSV lines (outputs.oruk_tabular)


def home_pieces(data: dict, schema: Schema) -> HomePieces:
    """Every per-home piece of the published files for one profile's data (see HomePieces)."""
    line = line_writer()
    record = canonical(data, schema)
    flat = flatten(record)
    mine = kinds_of(record, schema)
    caps = "".join(line.writerow(row) for row in capability_rows(data, schema)) \
        if any(k.needs_resource == "capabilities" for k in mine) else ""
    feature = geo_feature(record)
    oruk = service(record, schema, is_canonical=True, flat=flat)  # dates as text already: the same object back from its JSON
    return HomePieces(str(data.get("location_id")), tuple(k.id for k in mine),
                      tuple(line.writerow(home_row(data, schema, flat, k)) for k in mine),
                      _TO_JSON(record), caps, _TO_JSON(oruk).encode("utf-8"),
                      _TO_JSON(feature) if feature else None, record_rows(record, schema, flat),
                      service_lines(oruk))
