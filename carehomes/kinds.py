"""The kinds of service the directory holds (``x-directory.kinds`` in the data package), as data.

A kind names its published table (resource and files), the capacity it counts (a care home's beds
with and without nursing), the CQC service types that make a location this kind, its Open Referral
UK taxonomy terms and its schema.org type. Modules read the resource name, the capacity pair and
the unit ("beds") from here instead of writing them; adding a kind is a schema edit
(docs/architecture.md, "Add a kind of service").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .schema import VALUES_KEY, Field, Schema, SchemaError, load_schema
from .text import and_list


@dataclass(frozen=True)
class Capacity:
    """One type of place a kind offers: a care home's beds with nursing, or without."""

    key: str                 # "nursing"
    label: str               # "with nursing"
    flag: str | None         # profile path of the CQC yes/no that it offers them ("care.nursing")
    total: str | None        # profile path of how many there are ("beds.nursing.total"); None when not counted (an agency's hours)
    available: str | None    # profile path of how many are free now ("beds.nursing.available")
    needs_field: str | None  # the capabilities table's column of these places ("nursing_beds")
    free_column: str | None  # the capacity sheet's column of free places ("nursing_free")
    cqc_service_type: str | None  # the CQC service type that registers them
    json_ld_type: str | None
    oruk_term: tuple[str, str] | None = None  # (name, description) of its ORUK taxonomy term, when offered
    cqc_service_type_name: str | None = None  # CQC's short name of that service type ("Nursing homes"), as its care directory has it
    about: tuple[str, ...] = ()  # profile paths of other facts only of these places (fees.nursing_from): not asked without them


@dataclass(frozen=True)
class Price:
    """A price a kind gives other than its capacity's weekly fees (x-directory.kinds' oruk.costs): an hourly rate."""

    start: str        # profile path of the lowest amount ("homecare.hourly_rate.from")
    end: str          # profile path of the highest
    date: str         # profile path of the date it was confirmed
    option: str       # the ORUK cost option's name ("Hourly rate")
    unit: str         # its amount_description ("Pounds an hour")
    summary: str      # the service's fees text when it gives one ("Hourly rates; see cost_options.")


@dataclass(frozen=True)
class Kind:
    """One kind of service: its words, its published table and its capacity."""

    id: str
    title: str               # "Care home"
    plural: str              # "Care homes"
    resource: str            # "care-homes": the table resource's name, never changed once published
    csv_file: str
    json_file: str
    unit: str                # "beds"
    unit_one: str            # "bed"
    registered: str | None   # profile path of the capacity registered with CQC
    confirmed: str | None    # profile path of the date free places were confirmed
    capacity: tuple[Capacity, ...]
    cqc_service_types: tuple[str, ...]
    cqc_api_filter: tuple[tuple[str, str], ...]  # the CQC API list's query for this kind (careHome=Y)
    oruk_extension: str      # the ORUK service's extension object ("x_care_home")
    oruk_extension_keys: tuple[str, ...]  # the profile's groups it carries ("beds", "cqc", ...)
    oruk_terms: tuple[tuple[str, str], ...]  # (name, description) taxonomy terms every service of the kind has
    json_ld_type: str
    needs_resource: str | None  # the table of needs this kind's locations answer ("capabilities"), if any
    fields: tuple[Field, ...]   # the resource's columns, in order
    dated: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (date path, the facts it dates): given facts need the date
    ranges: tuple[tuple[str, str, str], ...] = ()        # (from path, to path, what): from no more than to
    point: str | None = None       # what the map point is when not the service itself ("office"), for GeoJSON
    point_note: str | None = None  # the GeoJSON's words for it
    service_areas: tuple[tuple[str, str], ...] = ()  # (profile path of a list, ORUK service area name "... {value}")
    only_if_yes: tuple[tuple[str, str, str], ...] = ()  # (path, yes/no path, what): above 0 only when that says yes
    oruk_costs: tuple[Price, ...] = ()  # prices beside the capacity's weekly fees (an agency's hourly rate), as ORUK cost options

    @cached_property
    def required_fields(self) -> tuple[Field, ...]:
        """The fields every profile of this kind must give (made once: check asks for each profile)."""
        return tuple(f for f in self.fields if f.required)

    @cached_property
    def date_paths(self) -> tuple[str, ...]:
        """The profile paths of this kind's date fields, in column order (made once: ORUK reads each record's newest)."""
        return tuple(f.path for f in self.fields if f.type == "date")

    @cached_property
    def field_paths(self) -> frozenset[str]:
        """The profile paths of this kind's fields."""
        return frozenset(f.path for f in self.fields)

    @cached_property
    def cell_specs(self) -> tuple[tuple[str, bool, Field], ...]:
        """(profile path, whether it is text, field) for each column in order: made once for the open data's
        rows (nationally 15,403 homes' rows a field at a time)."""
        return tuple((f.path, f.type == "string", f) for f in self.fields)

    @property
    def available_paths(self) -> tuple[str, ...]:
        """The profile paths of free places, in capacity order."""
        return tuple(c.available for c in self.capacity if c.available)


def _capacity(c: dict) -> Capacity:
    term = c.get("orukTerm")
    return Capacity(c["key"], c["label"], c.get("flag"), c.get("total"), c.get("available"), c.get("needsField"),
                    c.get("freeColumn"), c.get("cqcServiceType"), c.get("jsonLdType"),
                    (term["name"], term["description"]) if term else None, c.get("cqcServiceTypeName"),
                    tuple(c.get("about", [])))


def _kind(k: dict, schema: Schema) -> Kind:
    oruk = k.get("oruk", {})
    return Kind(k["id"], k["title"], k["plural"], k["resource"], k["files"]["csv"], k["files"]["json"], k["unit"],
                k.get("unitOne", k["unit"]), k.get("registered"), k.get("confirmed"),
                tuple(_capacity(c) for c in k.get("capacity", [])), tuple(k.get("cqcServiceTypes", [])),
                tuple((str(q), str(v)) for q, v in k.get("cqcApiFilter", {}).items()),
                oruk.get("extension", "x_" + k["id"]), tuple(oruk.get("extensionKeys", [])), tuple((t["name"], t["description"]) for t in oruk.get("terms", [])),
                k.get("jsonLdType", "LocalBusiness"), k.get("needsResource"), tuple(schema.resource_fields[k["resource"]]),
                tuple((d["date"], tuple(d["facts"])) for d in k.get("dated", [])),
                tuple((r["from"], r["to"], r["what"]) for r in k.get("ranges", [])), k.get("point"), k.get("pointNote"),
                tuple((a["path"], a["name"]) for a in oruk.get("serviceAreas", [])),
                tuple((r["path"], r["when"], r["what"]) for r in k.get("onlyIfYes", [])),
                tuple(Price(c["from"], c["to"], c["date"], c["option"], c["amountDescription"], c["summary"])
                      for c in oruk.get("costs", [])))


@lru_cache(maxsize=8)
def _parsed(schema: Schema) -> tuple[Kind, ...]:
    try:
        found = tuple(_kind(k, schema) for k in schema.package[VALUES_KEY]["kinds"]["list"])
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise SchemaError(f"schema/datapackage.json: {VALUES_KEY}.kinds: {e} is missing or wrong; "
                         "see the description in x-directory.kinds") from None
    if not found:
        raise SchemaError(f"schema/datapackage.json: {VALUES_KEY}.kinds: lists no kind; declare at least one")
    return found


def kinds(schema: Schema | None = None) -> tuple[Kind, ...]:
    """Every kind of service, in the schema's order (the first is a profile's kind when it names none)."""
    return _parsed(schema or load_schema())


def kind(kind_id: str, schema: Schema | None = None) -> Kind:
    """The kind with this id; KeyError names the ids there are."""
    for k in kinds(schema):
        if k.id == kind_id:
            return k
    raise KeyError(f"{kind_id} is not a kind of service; the schema declares {', '.join(k.id for k in kinds(schema))}")


def kind_of_resource(name: str, schema: Schema | None = None) -> Kind:
    """The kind whose table resource is ``name`` ('care-homes' -> care_home)."""
    for k in kinds(schema):
        if k.resource == name:
            return k
    raise KeyError(f"{name} is not the resource of a kind of service")


def default_kind(schema: Schema | None = None) -> Kind:
    """The first kind: today's care home, and the kind of a profile that names none."""
    return kinds(schema)[0]


def title_noun(title: str) -> str:
    """What pages, forms and replies call one service of the kind with this title (the schema's kinds list): its last
    word, "home" for "Care home", "agency" for "Home care agency"."""
    return title.split()[-1].lower()


def profile_key(schema: Schema | None = None) -> str:
    """The profile key listing a location's kinds by id ('kinds')."""
    return str((schema or load_schema()).package[VALUES_KEY]["kinds"].get("profileKey", "kinds"))


def kinds_of(data: dict, schema: Schema | None = None) -> tuple[Kind, ...]:
    """The kinds a profile (or record) is: those its 'kinds' list names, else the first kind.
    Ids the schema does not declare are skipped here (``check`` reports them); a list naming none it declares is
    taken as naming none at all (the first kind), so that a command reading profiles it has not checked (stale,
    claims, updates) always has a kind to word them by."""
    all_kinds = kinds(schema)
    named: Any = data.get(profile_key(schema))
    if not isinstance(named, list) or not named:
        return all_kinds[:1]
    return tuple(k for k in all_kinds if k.id in named) or all_kinds[:1]


def counted(records: list[dict], schema: Schema | None = None) -> str:
    """How many services ``records`` (profiles' data) are, as the build's summary says them: "88 homes", "62 agencies",
    "192 services (132 care homes and 62 home care agencies; 2 are both)" (finding.SiteWords.summary's words)."""
    sets = [{k.id for k in kinds_of(d, schema)} for d in records]
    held = [k for k in kinds(schema) if any(k.id in s for s in sets)]
    n = len(sets)
    if len(held) <= 1:
        k = held[0] if held else default_kind(schema)
        return f"{n:,} {title_noun(k.title) if n == 1 else title_noun(k.plural)}"
    return f"{n:,} service{'' if n == 1 else 's'} ({tally_words(sets, held)})"


def tally_words(sets: list[set[str]], held: list[Kind]) -> str:
    """How many of the locations ``sets`` (each one's kind ids) are of each of the ``held`` kinds, and how many are of
    more than one: "132 care homes and 62 home care agencies; 2 are both" (the build's summary, merge's)."""
    each = [f"{c:,} {(k.title if c == 1 else k.plural).lower()}" for k in held for c in [sum(1 for s in sets if k.id in s)]]
    both = sum(1 for s in sets if len(s) > 1)
    return and_list(each) + (f"; {both:,} {'is' if both == 1 else 'are'} both" if both else "")


def kind_template_path(k: Kind, schema: Schema | None = None) -> str:
    """The kind's commented profile template: ``providers/_template.yaml`` for the first kind,
    ``providers/_template-<kind id, hyphened>.yaml`` (``_template-home-care-agency.yaml``) for the others."""
    return "providers/_template.yaml" if k.id == default_kind(schema).id else f"providers/_template-{k.id.replace('_', '-')}.yaml"
