"""The data package in ``schema/``: the one list of fields everything else derives from."""
from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .ages import Age, parse_age
from .safetext import json_for_html, web_address
from .text import with_article

ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "CAREHOMES_SHARED"


def shared_folder() -> Path:
    """Where the real open data sets live: ``$CAREHOMES_SHARED`` or ``../shared`` beside the repository."""
    import os

    return Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared")
SCHEMA_PATH = ROOT / "schema" / "datapackage.json"
VALUES_KEY = "x-directory"


class SchemaError(ValueError):
    """schema/datapackage.json cannot be read as the directory's schema: the message names the file, the entry and
    what to do (every command says it and stops, without a traceback)."""


JSON_WORDS = {str: "text in quotes", bool: "true or false", list: "a list in [ ]", dict: "an entry in { }", int: "a number",
              float: "a number", type(None): "null"}
_NUM = (int, float)
Shape = dict[str, tuple[tuple[type, ...], tuple[type, ...]]]  # key -> (the JSON types it takes, its list's items' types)
# The JSON types each key of datapackage.json takes wherever it is; a key not named here is not checked. Read before
# anything else, so a wrong type is named, never a traceback.
_SHAPE: Shape = {
    **dict.fromkeys(("required", "unique", "exampleIsReal"), ((bool,), ())),
    **dict.fromkeys(("compare", "constraints", "cqcApiFilter", "feeBands", "files", "find", "kinds", "labels", "missingBy", "notHeldBy", "oruk",
                     "orukTerm", "owners", "reference", "schema", "shortlist", "staleness", "units", "unknowns", VALUES_KEY), ((dict,), ())),
    **dict.fromkeys(("council", "cqc", "fsa", "provider"), ((dict, str), ())),
    **dict.fromkeys(("capacity", "categories", "dated", "foreignKeys", "licenses", "list", "ranges", "onlyIfYes", "resources",
                     "serviceAreas", "sources", "terms"), ((list,), (dict,))),
    "fields": ((list,), (dict, str)),
    **dict.fromkeys(("cqcServiceTypes", "extensionKeys", "facts", "primaryKey", "ratingsOfConcern", "ungradedRatings"),
                    ((list,), (str,))),
    "enum": ((list,), (str, *_NUM)),
    **dict.fromkeys(("first", "last", "maxLength", "maximum", "minimum", "step"), (_NUM, ())),
    "decimalPlaces": ((int,), ()),
    **dict.fromkeys(("name", "profilePath", "type", "owner", "title", "description", "format", "pattern", "id",
                     "resource", "path", "label", "value", "plural", "unit", "source", "changedBy", "meaning", "when",
                     "what", "lead", "text", "link", "url", "x-owner", "missingAsKind", "cqcServiceTypeName"), ((str,), ())),
}
_FIELD_KEYS = ("name", "type")  # every field of a table has these


def _wrong_type(value: Any, want: tuple[type, ...]) -> str | None:
    """"is a list in [ ]; give text in quotes" when ``value`` is none of ``want`` (true is no number), else None."""
    if isinstance(value, want) and not (isinstance(value, bool) and bool not in want):
        return None
    return f"is {JSON_WORDS.get(type(value), 'not a value')}; give {' or '.join(dict.fromkeys(JSON_WORDS[t] for t in want))}"


def shape_problem(value: Any, where: str, shape: Shape, default: tuple[tuple[type, ...], tuple[type, ...]] = ((), ()),
                  skip: frozenset[str] = frozenset()) -> str | None:
    """The first entry of ``value`` (at ``where``) whose type its key does not take (``shape``; ``default`` for a key
    it does not name; ``skip``: keys the reader checks itself), as "where: what is wrong", or None. A table's fields
    (schema.fields) are entries with a name and a type."""
    if not isinstance(value, dict):
        return None
    for k, x in value.items():
        if k in skip:
            continue
        here = f"{where}.{k}" if where else k
        want, items = shape.get(k, default)
        wrong = _wrong_type(x, want) if want else None
        if wrong:
            return f"{here}: {wrong}"
        if isinstance(x, list):
            table = k == "fields" and where.endswith("schema")  # a table's fields, not a foreign key's
            for i, item in enumerate(x):
                wrong = _wrong_type(item, (dict,) if table else items) if (table or items) else None
                if wrong:
                    return f"{here}[{i}]: {wrong}"
                missing = [n for n in _FIELD_KEYS if n not in item] if table else []
                if missing:
                    return f"{here}[{i}]: has no {missing[0]}; every field of a table has a name and a type"
                found = shape_problem(item, f"{here}[{i}]", shape, default, skip)
                if found:
                    return found
        else:
            found = shape_problem(x, here, shape, default, skip)
            if found:
                return found
    return None


@dataclass(frozen=True)
class Field:
    """One published column and where it lives in a profile."""

    name: str
    path: str
    type: str
    owner: str
    title: str
    description: str
    example: Any
    constraints: dict = field(default_factory=dict)
    format: str | None = None
    item_pattern: str | None = None
    item_words: str | None = None  # what an item matching item_pattern is, for messages ("a postcode district ...")
    example_is_real: bool = False  # the example is a real place or site (Herefordshire), so a real profile may hold it
    decimal_places: int | None = None  # a number's most decimal places (money: 2, pounds and pence); None: any

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Capability:
    code: str
    label: str


@dataclass(frozen=True)
class Owner:
    """Who owns a field, in the words pages use."""

    code: str
    source: str        # "Source: ..." on a home's page
    changed_by: str    # who may change it (template comments, field reference)
    meaning: str       # one sentence for the open data page


@dataclass(frozen=True)
class Unknowns:
    """Wording for facts nobody has given (``x-directory.unknowns``)."""

    not_known: str          # "Not known"
    no_home_can: str        # a need every home that answered said no to
    heading: str            # the heading of a home page's block of missing facts
    missing_by: dict[str, str]  # owner code -> "This home has not told us yet", ...
    advice: str             # "Ask the home, or {cqcLink}."
    cqc_link: str           # the link text that replaces {cqcLink}
    not_held_by: dict[str, NotHeld] = field(default_factory=dict)  # owner code -> its line on a site not gathering its facts
    missing_as_kind: str = ""  # "As {aKind}, it has not told us yet": the line of what a location of several kinds has not
    #                            given as another of its kinds ({aKind}: that kind, "a home care agency")

    def advice_parts(self) -> tuple[str, str, str]:
        """The advice split around the CQC link: (before, link text, after)."""
        before, _, after = self.advice.partition("{cqcLink}")
        return before, self.cqc_link, after

    def as_kind(self, title: str) -> str:
        """missingAsKind for the kind with this title (the schema's kinds list): "As a home care agency, it has not told
        us yet"."""
        return self.missing_as_kind.replace("{aKind}", with_article(title.lower()))


@dataclass(frozen=True)
class NotHeld:
    """A home page's line for an owner whose facts the site does not gather (``x-directory.unknowns.notHeldBy``):
    "This directory does not hold food hygiene ratings: look up its food hygiene rating on <a>the FSA's website</a>"."""

    lead: str  # "This directory does not hold food hygiene ratings"
    text: str  # "look up {what} on {link}"
    link: str  # the link's text
    url: str   # where to look them up: http or https only

    def parts(self, what: str) -> tuple[str, str, str]:
        """The text with ``what`` (the facts not known) put in, split around the link: (before, link text, after)."""
        before, _, after = self.text.partition("{link}")
        return before.replace("{what}", what), self.link, after.replace("{what}", what)


@dataclass(frozen=True)
class Values:
    """The fixed value lists of the directory, read from the schema (the cqc_rating and cqc_status
    enums and the package's ``x-directory`` property), so Python, templates and the find page's
    JavaScript share one copy."""

    ratings: tuple[str, ...]
    statuses: tuple[str, ...]
    ungraded_ratings: tuple[str, ...]
    ratings_of_concern: tuple[str, ...]
    registered_status: str
    no_rating: str
    not_provided: str
    staleness: dict[str, Age]  # x-directory.staleness: how old each dated group may be (availability, rating, register ...)
    fee_step: int
    fee_first: int
    fee_last: int
    owners: dict[str, Owner]
    unknowns: Unknowns
    not_yet_rated: str  # CQC's own 'not yet inspected' rating, shown as such (not as 'no rating known')
    find: dict[str, Any] = field(default_factory=dict)  # x-directory.find: the find page's distance and 'not known' wording
    compare: dict[str, Any] = field(default_factory=dict)  # x-directory.compare: the compare page's wording
    shortlist: dict[str, Any] = field(default_factory=dict)  # x-directory.shortlist: its buttons', notes' and counts' wording

    @property
    def rating_stale_days(self) -> int:
        return self.staleness["rating"].days

    @property
    def rating_stale_age(self) -> str:
        """'2 years': how old a CQC rating may be before pages flag it."""
        return self.staleness["rating"].words

    @property
    def availability_stale_days(self) -> int:
        return self.staleness["availability"].days

    def with_staleness(self, overrides: Mapping[str, Age]) -> Values:
        """These values with some staleness thresholds replaced (a deployment's mkdocs.yml, siteconfig.staleness)."""
        return dataclasses.replace(self, staleness={**self.staleness, **overrides})

    @property
    def not_known(self) -> str:
        """'Not known': a fact nobody has given (never shown as no or 0)."""
        return self.unknowns.not_known

    @property
    def graded_ratings(self) -> list[str]:
        """The four CQC grades, best first."""
        return [r for r in self.ratings if r not in self.ungraded_ratings]

    @property
    def rating_choices(self) -> list[str]:
        """Every value a home's rating is shown and filtered as, best first: the enum, then 'no rating'."""
        return [*self.ratings, self.no_rating]

    def rating_label(self, rating: str | None) -> str:
        """The rating as pages show it and the find page filters it: the CQC value, or one 'no rating' wording."""
        return rating or self.no_rating

    @property
    def fee_choices(self) -> list[int]:
        """The 'lowest weekly fee up to' choices on the find page."""
        return list(range(self.fee_first, self.fee_last + 1, self.fee_step))

    def fee_band(self, fee: float) -> str:
        """The fee rounded UP to the band step, zero-padded ('01200' for £1,101 to £1,200), so a band
        lies wholly under each choice: a fee of exactly £1,200 is in band 01200, which 'up to £1,200' includes."""
        return f"{math.ceil(fee / self.fee_step) * self.fee_step:05d}"

    def fee_bands_up_to(self, limit: int) -> list[str]:
        """Every band whose fees are all at most ``limit`` (each 'fee up to' choice of the find page carries its bands)."""
        return [f"{b:05d}" for b in range(0, limit + 1, self.fee_step)]

    @property
    def closed_no_beds(self) -> str:
        """'Closed: no beds': a closed home's compare cell in a row about its free beds (x-directory.compare)."""
        return str(self.compare["closedNoBeds"])

    @property
    def not_offered(self) -> str:
        """'CQC does not register it for this care': a compare cell about places of a type CQC does not register the service for."""
        return str(self.compare["notOffered"])

    def owner_source(self, code: str) -> str:
        return self.owners[code].source

    def or_list(self, items: list[str]) -> str:
        """'A, B, C or D'."""
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]

    def for_script(self, one: str = "home", many: str = "homes") -> dict[str, Any]:
        """What the find and compare pages' JavaScript needs, as JSON: the two pages' and the shortlist's wording with
        {home}, {homes} and {aHome} filled in by what the site calls one and several of what it lists, and one with its
        article (finding.SiteWords: "service", "services", "a service" on a site of several kinds), so the script only
        places numbers."""
        return {"ratings": self.rating_choices, "noRating": self.no_rating, "notYetRated": self.not_yet_rated, "notProvided": self.not_provided,
                "staleness": {k: a.words for k, a in self.staleness.items()},
                "feeBands": {"step": self.fee_step}, "find": _site_words(self.find, one, many),
                "compare": _site_words(self.compare, one, many), "shortlist": _site_words(self.shortlist, one, many)}

    def shortlist_json(self, one: str = "home", many: str = "homes") -> str:
        """The shortlist's wording alone (``{"shortlist": ...}`` of ``for_script``), as JSON safe inside an HTML script
        element: what a service's page (the page shell; a browse list, cut from the same shell, has it taken out) carries
        for the shortlist's button, without the find and compare pages' words (a few hundred bytes on every such page)."""
        words = {"shortlist": _site_words(self.shortlist, one, many)}
        return json_for_html(json.dumps(words, ensure_ascii=False, separators=(",", ":"), sort_keys=True))

    def script_json(self, one: str = "home", many: str = "homes", page: str = "compare") -> str:
        """``for_script(one, many)`` as JSON that is safe inside an HTML script element; for the find page (``page``
        "find") without the compare page's words, which its scripts never read (about 400 bytes of its first load)."""
        words = self.for_script(one, many)
        if page == "find":
            del words["compare"]
        return json_for_html(json.dumps(words, ensure_ascii=False, separators=(",", ":"), sort_keys=True))


def _site_words(block: dict[str, Any], one: str, many: str) -> dict[str, Any]:
    """A block of wording with {home}, {homes} and {aHome} filled in by what the site calls what it lists ("home",
    "homes"; "service", "services" on a site of several kinds), without its description (for the schema's readers,
    not the page's script: 1.6 KB less on the find page's first load), nor the words the build places itself (BUILD_ONLY_WORDS)."""
    return {k: v.replace("{home}", one).replace("{homes}", many).replace("{aHome}", with_article(one)) if isinstance(v, str) else v
            for k, v in block.items() if k not in BUILD_ONLY_WORDS}


# wording the build itself places (the compare rows' cells when not known come finished in Face.for_script, a closed
# home's free beds in its home.json): left out of what the pages' scripts get, with each block's description
BUILD_ONLY_WORDS = ("description", "unknownBy", "notHeldBy", "closedNoBeds", "notOffered")


def _unknowns(u: dict) -> Unknowns:
    """Read ``x-directory.unknowns``; the advice must carry the {cqcLink} placeholder, missingAsKind its {aKind}, and
    each notHeldBy line its {link} and an http or https address."""
    if "{cqcLink}" not in u["advice"]:
        raise KeyError("unknowns.advice with {cqcLink}")
    if "{aKind}" not in u["missingAsKind"]:
        raise KeyError("unknowns.missingAsKind with {aKind}")
    not_held = {}
    for code, n in (u.get("notHeldBy") or {}).items():
        url = n["url"]
        if "{link}" not in n["text"] or not isinstance(url, str) or not web_address(url) or url != url.strip():
            raise KeyError(f"unknowns.notHeldBy.{code} (a text with {{link}} and an http or https url)")
        not_held[code] = NotHeld(n["lead"], n["text"], n["link"], url)
    return Unknowns(u["notKnown"], u["noHomeCan"], u["heading"], dict(u["missingBy"]), u["advice"], u["cqcLink"], not_held,
                    u["missingAsKind"])


STALENESS = ("availability", "capabilities", "fees", "rating", "register", "foodHygiene")  # every group a page dates


def _staleness(st: dict) -> dict[str, Age]:
    """Read ``x-directory.staleness``: each of STALENESS as '7 days', '3 months' or '2 years'."""
    out = {k: parse_age(st[k]) for k in STALENESS}
    wrong = [k for k, a in out.items() if a is None]
    if wrong:
        raise ValueError(f"staleness.{wrong[0]} (write it like '7 days', '3 months' or '2 years')")
    return {k: a for k, a in out.items() if a is not None}


def _values(package: dict, enums: dict[str, list[str]]) -> Values:
    """Read ``x-directory``; a missing or wrong entry is named in one message."""
    x = package.get(VALUES_KEY) or {}
    try:
        st, fees, labels = x["staleness"], x["feeBands"], x["labels"]
        values = Values(
            ratings=tuple(enums["cqc_rating"]), statuses=tuple(enums["cqc_status"]),
            ungraded_ratings=tuple(x["ungradedRatings"]), ratings_of_concern=tuple(x["ratingsOfConcern"]),
            registered_status=x["registeredStatus"], no_rating=labels["noRating"], not_provided=labels["notProvided"],
            staleness=_staleness(st),
            fee_step=int(fees["step"]), fee_first=int(fees["first"]), fee_last=int(fees["last"]),
            owners={k: Owner(k, o["source"], o["changedBy"], o["meaning"]) for k, o in x["owners"].items()},
            unknowns=_unknowns(x["unknowns"]),
            not_yet_rated=x["notYetRated"],
            find=dict(x["find"]), compare=dict(x["compare"]), shortlist=dict(x["shortlist"]))
        for group, key in (("compare", "closedNoBeds"), ("compare", "notOffered"), ("find", "compareLink")):  # words the build writes itself
            if not isinstance(getattr(values, group).get(key), str):
                raise KeyError(f"{group}.{key}")
        for code in values.owners:
            if code not in values.unknowns.missing_by:
                raise KeyError(f"unknowns.missingBy.{code}")
        for code in values.unknowns.not_held_by:
            if code not in values.owners:
                raise KeyError(f"unknowns.notHeldBy.{code} (not an owner)")
    except (KeyError, TypeError, ValueError) as e:
        raise SchemaError(f"schema/datapackage.json: {VALUES_KEY}: {e} is missing or wrong; "
                         "see the description in x-directory") from None
    for source in package.get("sources", []):
        if "x-owner" in source and source["x-owner"] not in values.owners:
            raise SchemaError(f"schema/datapackage.json: sources: {source.get('title', 'a source')}: x-owner is "
                              f"{source['x-owner']!r}, not an owner; give one of {', '.join(values.owners)} "
                              f"({VALUES_KEY}.owners), or leave x-owner out for a source of every record")
    wrong = [r for r in (*values.ungraded_ratings, *values.ratings_of_concern, values.not_yet_rated) if r not in values.ratings]
    if values.registered_status not in values.statuses:
        wrong.append(values.registered_status)
    if wrong or values.no_rating in values.ratings:
        raise SchemaError(f"schema/datapackage.json: {VALUES_KEY}: {', '.join(wrong) or values.no_rating} "
                         "must be (or, for labels.noRating, must not be) a value of the cqc_rating or cqc_status enum")
    return values


class Schema:
    """Read access to the data package, with lookups derived from it."""

    def __init__(self, package: dict, folder: Path = SCHEMA_PATH.parent):
        self.package = package
        self.folder = folder  # where the files the package names (x-directory.face) are
        res = {r["name"]: r for r in package["resources"]}
        kind_resources = [k["resource"] for k in package.get(VALUES_KEY, {}).get("kinds", {}).get("list", [])]
        first = kind_resources[0] if kind_resources else "care-homes"  # the first kind's table (kinds.py reads the rest)
        enums = {f["name"]: f["constraints"]["enum"] for f in res[first]["schema"]["fields"]
                 if "enum" in f.get("constraints", {})}
        self.values = _values(package, enums)
        self.resource_fields: dict[str, list[Field]] = {name: [_field(f) for f in res[name]["schema"]["fields"]]
                                                        for name in kind_resources or [first]}
        self.home_fields = self.resource_fields[first]
        self.capability_fields = [_field(f) for f in res["capabilities"]["schema"]["fields"]]
        cap = next(f for f in res["capabilities"]["schema"]["fields"] if f["name"] == "capability")
        labels = {c["value"]: c["label"] for c in cap.get("categories", [])}
        self.capabilities = [Capability(c, labels.get(c, c)) for c in cap["constraints"]["enum"]]
        self.by_path: dict[str, Field] = {}
        for fields in self.resource_fields.values():  # every kind's fields; a path two kinds share is one field
            for f in fields:
                self.by_path.setdefault(f.path, f)
        profile_key = package.get(VALUES_KEY, {}).get("kinds", {}).get("profileKey")
        if profile_key and len(self.resource_fields) > 1:  # a profile of other kinds than the first says so
            self.by_path[profile_key] = Field(profile_key, profile_key, "list", "council", "Kinds of service",
                                              "The kinds of service this location is, by id; without it, the first kind.",
                                              [package[VALUES_KEY]["kinds"]["list"][0]["id"]], {}, None, None)
        for cap_code in self.capability_codes:
            for f in self.capability_fields:
                if f.name in ("location_id", "capability"):
                    continue
                path = f.path.replace("{capability}", cap_code)
                self.by_path[path] = Field(f.name, path, f.type, f.owner, f.title, f.description,
                                           f.example, f.constraints, f.format, f.item_pattern)
        self.tree = _tree(self.by_path)
        self.required_fields = [f for f in self.home_fields if f.required]

    @property
    def capability_codes(self) -> list[str]:
        return [c.code for c in self.capabilities]

    def children(self, prefix: tuple[str, ...]) -> dict | None:
        """The allowed keys under a mapping in a profile, or None if it is a leaf."""
        node: Any = self.tree
        for key in prefix:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, dict) else None

    def leaf_paths_named(self, key: str) -> list[str]:
        """Every field path whose last key is ``key`` (for 'did you mean' hints)."""
        return sorted(p for p in self.by_path if p.rsplit(".", 1)[-1] == key)

    def group_paths(self) -> list[str]:
        """Dotted paths of every mapping (group) in a profile, outermost first."""
        out: list[str] = []

        def walk(node: dict, prefix: str) -> None:
            for k, v in node.items():
                if isinstance(v, dict):
                    out.append(prefix + k)
                    walk(v, prefix + k + ".")

        walk(self.tree, "")
        return out


def _field(d: dict) -> Field:
    return Field(d["name"], d["profilePath"], d["type"], d["owner"], d.get("title", d["name"]),
                 d.get("description", ""), d.get("example"), d.get("constraints", {}), d.get("format"), d.get("itemPattern"),
                 d.get("itemWords"), d.get("exampleIsReal") is True, d.get("decimalPlaces"))


def _tree(by_path: dict[str, Field]) -> dict:
    tree: dict = {}
    for path, f in by_path.items():
        node = tree
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = f
    return tree


@lru_cache(maxsize=4)
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    """Load and cache the schema from ``schema/datapackage.json``; SchemaError naming the file and the entry when it
    cannot be read, is not JSON or is not of the shape the directory reads."""
    try:
        package = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise SchemaError(f"{path}: cannot be read ({e.strerror or e}); restore it from git: git checkout -- {path}") from None
    except UnicodeDecodeError:
        raise SchemaError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path}:{e.lineno}: is not valid JSON ({e.msg}, column {e.colno}); a missing comma or "
                          "quote is the usual cause") from None
    if not isinstance(package, dict):
        raise SchemaError(f"{path}: is {JSON_WORDS.get(type(package), 'not a value')}; a data package is an entry in {{ }}")
    wrong = shape_problem(package, "", _SHAPE)
    if wrong:
        raise SchemaError(f"{path}: {wrong}")
    try:
        return Schema(package, Path(path).parent)
    except SchemaError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, StopIteration) as e:
        what = f"'{e.args[0]}' is missing" if isinstance(e, KeyError) and e.args else str(e) or type(e).__name__
        raise SchemaError(f"{path}: {what}; see the description of each part in the file, and docs/architecture.md") from None


OWNERS: dict[str, str] = {code: o.changed_by for code, o in load_schema().values.owners.items()}
