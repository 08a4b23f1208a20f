"""care-homes.geojson: every service with coordinates as a point on a map, for any map tool (one feature per location,
with its kinds and its first kind's capacity flags)."""
from __future__ import annotations

import json

from ..kinds import kinds_of
from ..records import get_path
from .tables import json_array


def geo_feature(record: dict) -> dict | None:
    """One home (a canonical profile) as a GeoJSON Feature, or None without coordinates."""
    d = record
    lat, lon = get_path(d, ("address", "latitude")), get_path(d, ("address", "longitude"))
    if lat is None or lon is None:
        return None
    kind = kinds_of(d)[0]
    props = {"location_id": d.get("location_id"), "slug": d.get("slug"), "name": d.get("name"),
             "locality": d.get("locality"), "postcode": get_path(d, ("address", "postcode")),
             **{c.key: get_path(d, c.flag.split(".")) for c in kind.capacity if c.flag},  # nursing, residential
             f"{kind.unit}_registered": get_path(d, kind.registered.split(".")) if kind.registered else None,
             "cqc_rating": get_path(d, ("cqc", "rating")),
             "cqc_rating_date": get_path(d, ("cqc", "rating_date")), "cqc_status": get_path(d, ("cqc", "status"))}
    mine = kinds_of(d)
    props["kinds"] = [k.id for k in mine]  # every feature: a map of every kind is counted or filtered by it
    if all(k.point for k in mine):  # what the point is when it is not the service itself (an agency's office)
        props["point"], props["point_note"] = mine[0].point, mine[0].point_note
    return {"type": "Feature", "id": d.get("location_id"), "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {k: v for k, v in props.items() if v is not None}}


def feature_collection(features_json: list[str], pkg: dict) -> str:
    """The FeatureCollection text, with the release's title, version, licence and attribution."""
    meta = {"title": pkg.get("title"), "version": pkg.get("version"), "created": pkg.get("created"),
            "licence": pkg["licenses"][0]["title"], "attribution": pkg["sources"][0]["description"]}
    return ('{"type": "FeatureCollection", "metadata": ' + json.dumps(meta, ensure_ascii=False)
            + ', "features": ' + json_array(features_json) + "}\n")
