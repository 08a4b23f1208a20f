"""What the find page's own index says of each home, from the build's views: its result card, its filters and
the words it is found by (search.py writes them as search/facets/, search/near/, search/cards/ and search/first.json).

Words are normalised one way in Python (``words``) and in the find page (directory-facets.js ``searchWords``),
both tested against tests/js/words.json: lower case, accents removed (NFKD, combining marks dropped),
apostrophes (' and ’) removed ("St Mary's" -> "st", "marys"), and every other character that is not a letter
or digit a separator ("Bryn-y-Mor" -> "bryn", "y", "mor"). A query word matches a home's word only when equal.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from .finding import search_words, town_of

if TYPE_CHECKING:
    from .views import HomeView

APOSTROPHES = re.compile("['\u2019]")
WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a text as the find page matches them (see the module's docstring), in order."""
    if text.isascii():  # nothing to decompose nor any mark to drop (nationally nearly every name): as the loop gives
        return WORD.findall(APOSTROPHES.sub("", text.lower()))
    return WORD.findall(APOSTROPHES.sub("", _unmarked(text).lower()))


def _unmarked(text: str) -> str:
    """The text decomposed (NFKD) with its combining marks dropped."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))


def home_words(view: HomeView, labels: dict[str, str], locality: str | None = None) -> set[str]:
    """The words a home is found by: its name, town, town label, postcode with and without its space, provider
    and the towns an agency covers (finding.search_words), and the name of the council's ``locality`` it is in when
    that is named by postcode sectors (finding.locality_word: "Saltdean", in BN2 8, found nothing). Never a need: a
    word naming one is its filter."""
    return set(words(f"{view.name} {search_words(view, labels)} {locality or ''}"))


def _text(value: Any) -> str:
    """A value as the page's ``data-v`` attribute held it (Jinja's str; None as "None")."""
    return str(value)


def card(view: HomeView, labels: dict[str, str]) -> dict[str, Any]:
    """The home's result card ``{"url", "meta"}``: title, slug, town (its label), provider, postcode, covers (the
    towns an agency visits, ", " between), kind (its first kind's id: whose word a need it was found by is),
    card (views.card_meta) and lat, lon; a key without a value is left out."""
    meta: dict[str, str] = {"title": view.name, "slug": view.slug, "kind": view.kinds[0].id}
    covers = view.get("coverage.towns") or []
    for key, value in (("town", town_of(view, labels)), ("provider", view.get("provider.name")),
                       ("postcode", view.get("address.postcode")), ("covers", ", ".join(str(c) for c in covers))):
        if value:
            meta[key] = _text(value)
    meta["card"] = view.card_meta()
    lat = view.get("address.latitude")
    if lat is not None:
        meta["lat"], meta["lon"] = _text(lat), _text(view.get("address.longitude"))
    return {"url": f"homes/{view.slug}/", "meta": meta}


def filters(view: HomeView, labels: dict[str, str]) -> dict[str, list[str]]:
    """The home's filters, {filter: [values]}: locality, town, district (an agency's: its office's and those it covers,
    for a part of the area named in the search box: render.find_places), each yes/no fact ("yes"), untold (the
    facts it has not given), free (kinds of bed free), trust, and each sort's filter (its value)."""
    out: dict[str, dict[str, None]] = {}  # each filter's values, once each, in the order first added

    def add(name: str, value: Any) -> None:
        text = _text(value)
        if text:
            out.setdefault(name, {})[text] = None
    if "locality" in view.d:
        add("locality", view.d["locality"])
    town = town_of(view, labels)
    if town:
        add("town", town)
    if view.district:
        add("district", view.district)
    covers = view.get("coverage.districts")  # an agency's: the districts it says it covers, as well as its office's
    for code in covers if isinstance(covers, list) else ():
        add("district", code)
    for key in view.yes_filters:
        add(key, "yes")
    untold = view.untold
    if untold:  # a home has told us few facts: 28 of them nationally, added at once
        out.setdefault("untold", {}).update(dict.fromkeys(text for text in map(_text, untold) if text))
    for kind in ("nursing", "residential"):
        if view.free_now(kind):  # a count older than the availability staleness age is not "free now"
            add("free", kind)
    for name in view.trust_names:
        add("trust", name)
    for s in view.site_face.sorts:
        if s.filter:
            add(s.filter, view.value(s.filter_value or ""))
    return {k: list(v) for k, v in out.items() if v}
