"""How people find homes: name order, towns, the words a search matches, sort ranks and the static
lists (A to Z, by town, by need) that reach every home without JavaScript.

Sort orders are worked out here, at build time, as one whole-number rank per home and order; the
search index holds each order (search.facet_index), so every order is exact and homes whose value is not
known come last (in A to Z order), never mixed in as 0.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .face import face_kinds, face_of
from .kinds import kinds, tally_words
from .text import slugify, with_article
from .sources.postcodes import postcode_position, prime_positions as prime_postcodes

if TYPE_CHECKING:
    from .views import HomeView

PER_PAGE = 200  # homes per static list page, so each stays well under 60 KB on the national data
SMALL_WORDS = {"on", "upon", "in", "under", "le", "by", "the", "of", "en", "next", "cum", "super", "and"}


# Latin letters NFKD does not take apart, as English writes them; apostrophes joined, not a space ("St Mary's")
_LATIN = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
                        "'": "", "\u2019": "", "\u2018": "", "\u02bc": ""})


@functools.lru_cache(maxsize=1 << 16)  # each name and town is made plain several times a build (A to Z, towns, lists) and again at each of serve's previews
def _plain(text: str) -> str:
    """Lower case words separated by single spaces, accents taken off ("Ross-on-Wye" -> "ross on wye", "Bronllys Hospital
    Café" -> "bronllys hospital cafe"); letters of other scripts are kept ("北京" -> "北京"), so a town written in one is
    a town, not none."""
    letters = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN))
    return re.sub(r"[\W_]+", " ", "".join(c for c in letters if not unicodedata.combining(c))).strip()


def name_key(name: str) -> str:
    """The A to Z key of a home's name: case and punctuation ignored, a leading "The" ignored."""
    plain = _plain(name)
    return plain[4:] if plain.startswith("the ") else plain


def town_key(town: str) -> str:
    """Spellings of one town share a key: "Ross On Wye", "Ross-on-wye" and "Ross-on-Wye" -> "ross on wye"."""
    return _plain(town)


def _town_label(spellings: list[str]) -> str:
    hyphenated = any("-" in s for s in spellings)
    words = town_key(spellings[0]).split()
    out = [w if (i and w in SMALL_WORDS) else w.capitalize() for i, w in enumerate(words)]
    return ("-" if hyphenated else " ").join(out)


TOWN_SELECT_MAX = 80  # more towns than this: the find page's town filter is a text box suggesting from search/towns.json


def towns(views: list[HomeView]) -> dict[str, str]:
    """Town key -> the one label shown for it, from the homes' addresses."""
    spellings: dict[str, list[str]] = {}
    for v in views:
        town = v.get("address.town")
        if isinstance(town, str) and town_key(town):
            spellings.setdefault(town_key(town), []).append(town)
    return {k: _town_label(s) for k, s in sorted(spellings.items())}


@dataclass(frozen=True)
class Listed:
    """The homes the lists, counts and find page show (``homes``: closed ones left out, in the views' order), A to Z
    (``ordered``: a_to_z) and their towns' labels (``labels``: towns), worked out once for the pages stage's
    browse lists and Markdown pages."""

    homes: list[HomeView]
    ordered: list[HomeView]
    labels: dict[str, str]


def listed(views: list[HomeView]) -> Listed:
    """The views' Listed: those still on the register, A to Z, and their towns' labels."""
    homes = [v for v in views if not v.closed]
    return Listed(homes, a_to_z(homes), towns(homes))


def search_example(views: list[HomeView], known: Listed | None = None) -> tuple[str, str]:
    """What the find page's search box offers as examples of a town and a postcode: the town most of the
    site's services are in and the postcode of the first of them A to Z ("Hereford", "HR1 1AB"); without a service
    that gives both, the first town and the first postcode any gives, "" for one none gives (a site imported from a
    register without addresses offers neither: never another council's). ``known``: listed(views') when the caller
    has it, with ``views`` its homes."""
    labels = known.labels if known is not None else towns(views)
    prime_positions(views)
    by_town: dict[str, list[HomeView]] = {}
    ordered = known.ordered if known is not None else a_to_z(views)
    for v in ordered:
        t = town_of(v, labels)
        if t and isinstance(v.get("address.postcode"), str):
            by_town.setdefault(t, []).append(v)
    if not by_town:
        with_postcode = [v for v in ordered if isinstance(v.get("address.postcode"), str)]
        return (next((t for v in ordered if (t := town_of(v, labels))), ""),
                str(_placed_first(with_postcode)[0].get("address.postcode")) if with_postcode else "")
    town, homes = min(by_town.items(), key=lambda x: (-len(x[1]), town_key(x[0])))  # most homes; then A to Z
    return town, str(_placed_first(homes)[0].get("address.postcode"))


def position_of(view: HomeView) -> tuple[float, float] | None:
    """Where a distance search places a home: its own latitude and longitude, or, where its record gives none (CQC's
    care directory file gives none), its postcode's position from OS Code-Point Open, as CQC's own positions are its
    postcode's; None when neither is known. Its own page still says its map position is not known."""
    lat, lon = view.get("address.latitude"), view.get("address.longitude")
    if lat is not None and lon is not None:
        return lat, lon
    return postcode_position(view.get("address.postcode"))


def prime_positions(views: Iterable[HomeView]) -> None:
    """Read at once the postcode positions position_of will ask for, those of the homes without a position of their
    own (postcodes.prime_positions): nothing to read on a site whose homes all have one."""
    prime_postcodes(v.get("address.postcode") for v in views
                    if v.get("address.latitude") is None or v.get("address.longitude") is None)


def _placed_first(homes: list[HomeView]) -> list[HomeView]:
    """The homes, those a distance search can place (position_of) first: the example postcode a person is offered to
    type finds something (a postcode not live finds nothing)."""
    return sorted(homes, key=lambda v: position_of(v) is None)


def town_of(view: HomeView, labels: dict[str, str]) -> str | None:
    town = view.get("address.town")
    return labels.get(town_key(town)) if isinstance(town, str) else None


# words naming a road, and a building or site: an address part holding one is not the place it is in
_ROAD = frozenset("""road rd street st lane ln avenue ave drive dr close way crescent grove place square terrace hill
gardens court row walk view parade mews""".split())
_BUILDING = frozenset("""house mill centre center estate park building buildings suite unit floor office offices
chambers works wharf quay yard""".split())


def street_place(street: str) -> str | None:
    """The place an address's street line ends with, where CQC gives one after the road ("Ivy Mill, Crown Street,
    Failsworth": Failsworth; "Perth Street, Royton": Royton): its last part, when that has no digit and no word naming a
    road or a building, and the part before it is a road (it holds a number, or ends with a word naming a road). Else
    None: "Martha House, Hampton Green" is a house on a road called Hampton Green, "Hollinwood Business Centre, Albert
    Street" a building on a road."""
    parts = [p.strip() for p in street.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    last, before = parts[-1], parts[-2]
    if any(ch.isdigit() for ch in last) or any(w.lower().strip(".") in _ROAD | _BUILDING for w in last.split()):
        return None
    words = before.split()
    road = any(ch.isdigit() for ch in before) or (bool(words) and words[-1].lower().strip(".") in _ROAD)
    return last if road else None


def sector_localities(directory: dict[str, Any]) -> dict[str, list[str]]:
    """The council's localities named by postcode sectors, each with its codes upper-cased (mkdocs.yml
    extra.directory.localities: Saltdean: [BN2 8]): the find page's places cannot filter by a sector (render.find_places
    leaves them out), so each home's words hold the name of the one it is in (``locality_word``)."""
    places = directory.get("localities")
    out: dict[str, list[str]] = {}
    for name, codes in places.items() if isinstance(places, dict) else ():
        if isinstance(name, str) and isinstance(codes, list):
            upper = [str(c).strip().upper() for c in codes]
            if any(" " in c for c in upper):
                out[name] = upper
    return out


def locality_for(postcode: str, localities: dict[str, list[str]]) -> str | None:
    """The name of the locality of ``localities`` (name -> postcode districts or sectors, HR6 or 'HR1 2') that lists
    ``postcode``, by its longest code (a sector's locality before its district's); None when none does."""
    postcode = postcode.strip().upper()
    best = max(((len(p), name) for name, codes in localities.items() for p in codes
                if postcode == p.upper() or postcode.startswith(p.upper() + (" " if " " not in p else ""))), default=None)
    return best[1] if best else None


def locality_word(view: HomeView, localities: dict[str, list[str]] | None) -> str | None:
    """The name of the locality of ``localities`` (sector_localities) the home's postcode is in, as the market page
    counts it (locality_for); None when none is."""
    postcode = view.get("address.postcode")
    return locality_for(postcode, localities) if localities and isinstance(postcode, str) else None


def search_words(view: HomeView, labels: dict[str, str]) -> str:
    """Words a home is found by besides its name (search_index.home_words): town with spaces for hyphens, the
    place its street line ends with (street_place: the village or district CQC names before the post town,
    "Failsworth" in "Ivy Mill, Crown Street, Failsworth": a review searching for Failsworth found none of 11 services
    there), postcode with and without its space, provider, and the other name CQC records it by (cqc.also_known_as).
    Never the needs it meets: a word naming a need is a filter on the find page (schema/face.json, search), so
    "bariatric" can never find a postcode. Its whole street only when its address gives no town: CQC's care directory
    gives the address on one line ("12 High Street, Kingstone, Hereford"), kept whole in the street, and its village
    was found by nothing (with a town, "Hereford" would find every home on a Hereford Road)."""
    words: list[str] = []
    town = view.get("address.town")
    if isinstance(town, str):
        words += [town, town_key(town), town_of(view, labels) or ""]
        place = street_place(street) if isinstance(street := view.get("address.street"), str) else None
        if place:
            words += [place, town_key(place)]
    elif isinstance(street := view.get("address.street"), str):
        words += [street, town_key(street)]
    pc = view.get("address.postcode")
    if isinstance(pc, str):
        words += [pc, pc.replace(" ", "")]
    provider = view.get("provider.name")
    if isinstance(provider, str):
        words.append(provider)
    also = view.get("cqc.also_known_as")  # the name a family may know it by ("Visiting Angels", "C24 Homecare")
    if isinstance(also, str):
        words.append(also)
    covers = view.get("coverage.towns")  # an agency is found by the towns it says it visits, not only its office's
    if isinstance(covers, list):
        words += [t for c in covers if isinstance(c, str) for t in (c, town_key(c))]
    return " ".join(w for w in words if w)


def a_to_z(views: list[HomeView]) -> list[HomeView]:
    """The homes in the site's name order: A to Z ignoring case, punctuation and a leading "The"; slug breaks ties."""
    return sorted(views, key=lambda v: (name_key(v.name), v.slug))


def sort_ranks(views: list[HomeView], in_order: bool = False,
               value_of: Callable[[HomeView, str], Any] | None = None) -> dict[str, dict[str, int]]:
    """slug -> {"name", "free", "fee": rank}: the place of the home in each order the face ranks (its sorts' ``rank``).

    Only homes whose value is known get a rank (so a sort's file in the search index stays small on the
    national data); the find page lists the homes without a
    value after them, A to Z, and says how many there are. Rating order needs no rank: the find page
    searches one rating at a time, best first. ``in_order``: the views are already A to Z (a_to_z);
    ``value_of(view, field)``: the view's value (``view.value(field)``; serve's keeps each home's from one preview
    to the next)."""
    value_of = value_of or (lambda v, field: v.value(field))
    by_name = views if in_order else a_to_z(views)
    az = {v.slug: i for i, v in enumerate(by_name)}
    orders: dict[str, list[HomeView]] = {}
    for s in face_of(views[0].s).sorts if views else ():  # the site's sorts: every kind's
        if s.rank == "name":
            orders[s.key] = by_name
        elif s.rank:
            sign = -1 if s.descending else 1
            known = [(value, v) for v in views if (value := value_of(v, s.rank)) is not None]
            orders[s.key] = [v for _, v in sorted(known, key=lambda x: (sign * x[0], az[x[1].slug]))]
    ranks: dict[str, dict[str, int]] = {v.slug: {} for v in views}
    for key, ordered in orders.items():
        for i, v in enumerate(ordered):
            ranks[v.slug][key] = i
    return ranks


def kinds_present(views: list[HomeView]) -> list[str]:
    """The kinds of service (ids, in the schema's order) at least one of the homes is: the find page offers
    only their filters and sorts, and the choice of kind only when there are several."""
    if not views:
        return []
    held = kinds_held(views)
    return [k for k in face_kinds(views[0].s) if k in held]


def kinds_held(views: list[HomeView]) -> set[str]:
    """The ids of the kinds of service at least one of the profiles is, closed or not: the open data tables that have
    rows (a closed service keeps its row, with its status)."""
    return {k.id for v in views for k in v.kinds}


def kind_counts(views: list[HomeView]) -> dict[str, int]:
    """Search filter of each kind ("kind_home_care_agency") -> how many homes are that kind (a location that
    is two kinds counts in both)."""
    out: dict[str, int] = {}
    for v in views:
        for f in v.yes_filters:
            if f.startswith("kind_"):
                out[f] = out.get(f, 0) + 1
    return out


@dataclass(frozen=True)
class SiteWords:
    """What a site calls what it lists, from its kinds' declared words (x-directory.kinds' title and plural):
    a site of care homes words everything as it always has; a site of several kinds speaks of services."""

    one: str            # "home", "agency", "service"
    many: str           # "homes", "agencies", "services"
    listing: str        # "care homes", "care homes and home care agencies"
    find: str           # the find page's title and menu entry: "Find a care home", "Find care"
    kind_one: str = "care home"  # one of what it lists, by its kind's title: "care home", "home care agency", "service"
    counts: str = ""    # with several kinds, how many of each: "44 care homes and 62 home care agencies (2 are both)"
    kinds: tuple[tuple[str, str], ...] = ()  # the kinds it holds, (id, plural): the home page's shortcut to each

    @property
    def a_one(self) -> str:
        """'a home', 'an agency'."""
        return with_article(self.one)

    @property
    def several(self) -> bool:
        return self.one == "service"

    def count(self, n: int) -> str:
        """'104 homes', '1 service'."""
        return f"{n:,} {self.one if n == 1 else self.many}"

    def summary(self, n: int) -> str:
        """The build's summary: '104 homes'; '104 services (44 care homes and 62 home care agencies; 2 are both)'."""
        return f"{self.count(n)} ({self.counts})" if self.counts else self.count(n)


def site_words(views: list[HomeView]) -> SiteWords:
    """The site's words for what it lists (``views``: the homes it counts, closed ones left out by the caller)."""
    present = set(kinds_present(views))  # one pass over the homes' kinds (nationally 0.04 s)
    held = [k for k in kinds(views[0].s) if k.id in present] if views else []
    if len(held) != 1:
        one, many = ("service", "services") if held else ("home", "homes")
    else:
        one, many = str(held[0].title).split()[-1].lower(), str(held[0].plural).split()[-1].lower()
    kind_one = str(held[0].title).lower() if len(held) == 1 else "service" if held else "care home"
    find = "Find care" if len(held) > 1 else f"Find a {kind_one}"
    counts = ""
    if len(held) > 1:
        counts = tally_words([{k.id for k in v.kinds} for v in views], held)  # "44 care homes and 62 home care agencies"
    return SiteWords(one, many, " and ".join(k.plural.lower() for k in held) or "care homes", find, kind_one, counts,
                     tuple((k.id, k.plural) for k in held))


@dataclass
class ListPage:
    """One static list page: browse/<key>/ with its title, short label and homes (A to Z)."""

    key: str
    title: str
    label: str
    homes: list[HomeView]
    note: str = ""  # whose word puts a service on the list (a need list's: Face.browse_notes), after its count


def paged(key: str, title: str, label: str, homes: list[HomeView], note: str = "") -> list[ListPage]:
    if len(homes) <= PER_PAGE:
        return [ListPage(key, title, label, homes, note)]
    out = []
    for start in range(0, len(homes), PER_PAGE):
        part = homes[start:start + PER_PAGE]
        span = f"{name_key(part[0].name)[:3].title()} to {name_key(part[-1].name)[:3].title()}"
        out.append(ListPage(f"{key}-{start // PER_PAGE + 1}", f"{title} ({span})", f"{label} ({span})", part, note))
    return out


OTHER_LETTERS = "other"  # the A to Z list of names that begin with a letter of another script


def letter(name: str) -> str:
    """The A to Z list a name is on: its first letter a to z, "0-9" (a figure, or no letter at all), or OTHER_LETTERS."""
    first = name_key(name)[:1]
    if first.isascii() and first.isalpha():
        return first
    return OTHER_LETTERS if first.isalpha() else "0-9"


def town_list_key(town: str) -> str:
    """A town's list page, browse/town-<this>/: its name in lower-case ASCII words ("ross-on-wye"), or, for a name with
    no letter or figure in ASCII (a town in another script), its plain words as Punycode ("xn-..."), so two such towns
    never share one page."""
    if re.search(r"[A-Za-z0-9]", unicodedata.normalize("NFKD", town.translate(_LATIN))):
        return slugify(town)
    return "xn-" + town_key(town).replace(" ", "-").encode("punycode").decode("ascii").strip("-")


def list_pages(views: list[HomeView], needs: list[tuple[str, str]], known: Listed | None = None,
               many: str = "homes", titles: dict[str, str] | None = None,
               notes: dict[str, str] | None = None) -> dict[str, list[ListPage]]:
    """The static lists by first letter, by town and by need ((filter key, label) pairs), each home A to Z.
    Long lists are split so no page is too heavy; empty lists are left out. ``known``: listed(views) when the
    caller has it (``views`` then its homes); ``many``: what the site calls what it lists (SiteWords.many), in
    the titles: "Homes beginning with A", "Services in Oldham"; ``titles``: each need's title template (Face.browse_titles:
    "{many} for: {label}"), else "{many} for: {label}"; ``notes``: each need's note (Face.browse_notes: whose word it is)."""
    named = many.capitalize()
    ordered = known.ordered if known is not None else a_to_z(views)
    letters: dict[str, list[HomeView]] = {}
    by_town: dict[str, list[HomeView]] = {}
    labels = known.labels if known is not None else towns(views)
    no_town: list[HomeView] = []
    for v in ordered:
        letters.setdefault(letter(v.name), []).append(v)
        t = town_of(v, labels)
        (by_town.setdefault(t, []) if t else no_town).append(v)
    out: dict[str, list[ListPage]] = {"letters": [], "towns": [], "needs": []}
    for k, homes in sorted(letters.items(), key=lambda x: (x[0] == OTHER_LETTERS, x[0])):  # other scripts last
        if k == OTHER_LETTERS:
            out["letters"] += paged(k, f"{named} beginning with a letter of another alphabet", "Other alphabets", homes)
        else:
            out["letters"] += paged(k, f"{named} beginning with {k.upper()}", k.upper(), homes)
    for t, homes in sorted(by_town.items(), key=lambda x: town_key(x[0])):
        out["towns"] += paged("town-" + town_list_key(t), f"{named} in {t}", t, homes)
    if no_town:
        out["towns"] += paged("town-none", f"{named} with no town given", "No town given", no_town)
    said = [(v, set(v.yes_filters)) for v in ordered]  # once a home, not once a home and need
    for key, label in needs:
        homes = [v for v, yes in said if key in yes]
        if homes:
            title = (titles or {}).get(key, "{many} for: {label}").format(many=named, label=label)
            out["needs"] += paged("need-" + slugify(key), title, label, homes, (notes or {}).get(key, ""))
    return out
