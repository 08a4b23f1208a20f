"""What a page shows about a home: facts grouped as a family reads them, with source and date."""
from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from operator import is_
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from jinja2.filters import do_urlencode

from .ages import Age, age_mark, age_words, dated
from .face import (DORMANT_SAID, FORMATS, FREE_KINDS, HOLDS, KEY_QUESTIONS, READ_OR, FactSpec, GroupSpec, LineSpec, Shown, date_of, face_kinds, face_of, fee_range,
                   given_words, lower_first, money, nice_date, not_yet_rated_when, rating_stale_words, update_link)
from .jsontext import compact_bytes
from .forms import INCORRECT, claim_form_of, form_url, kind_forms
from .kinds import kind, kinds_of, title_noun
from .records import closed, get_path
from .safetext import markdown_lite, safe_url, tel_href, tel_link
from .schema import Schema, load_schema
from .text import and_list
from .sources.nhs_ods import trust_name

if TYPE_CHECKING:
    from .face import Face

VALUES = load_schema().values
NOT_PROVIDED = VALUES.not_provided
SOURCES = {code: o.source for code, o in VALUES.owners.items()}
# the order a family asks in: the "not known yet" block lists missing facts by group in this order
UNKNOWN_ORDER = ["vacancies", "needs", "fees", "contact", "care", "quality", "registration"]
_UNKNOWN_RANK = {group: rank for rank, group in enumerate(UNKNOWN_ORDER)}  # UNKNOWN_ORDER.index, as a dict
NO_RATING = f"{VALUES.no_rating}: see the CQC page"
NOT_YET_RATED = f"{VALUES.not_yet_rated} by CQC"
CLOSED_LEAVES_OUT = ("vacancies",)  # the face's page groups a closed home's page does not show (no "beds free")
CLOSED_NO_BEDS = VALUES.closed_no_beds  # a closed home's compare cell for a fact of those groups
DEREGISTERED = VALUES.statuses[1]  # the schema's cqc_status list: registered, deregistered, not in the latest register



@dataclass(slots=True)
class Fact:
    label: str
    text: str | None = None          # plain text (escaped by the template)
    href: str | None = None          # a checked link
    html: str | None = None          # already-safe HTML (from safetext)
    note: str | None = None
    owner: str = "provider"          # who gives this fact (a schema owner code)
    short: str | None = None         # its name in the "not known yet" list; facts sharing one are listed once
    asked_of: str | None = None      # shown from another owner's fact in its place (CQC's registration), and still
    # asked of this owner in the "not known yet" list (face.json askedOnFallback: the care an agency gives)

    @property
    def missing(self) -> bool:
        return self.text is None and self.html is None


@dataclass
class Group:
    id: str
    title: str
    source: str
    date: dt.date | None = None
    date_label: str = "Last updated"
    age: str | None = None  # how old the date is, in words ("5 years 8 months ago")
    stale: str | None = None
    facts: list[Fact] = field(default_factory=list)
    table: list[list[str]] | None = None
    table_missing: list[Fact] = field(default_factory=list)  # rows of the table nobody has given
    also: tuple[str, dt.date, str] | None = None  # (label, date, age): the CQC register's, when CQC gave a fact shown
    kind: str | None = None  # the title of the other kind whose face declares it (None: the page's own kind's)

    @property
    def known_facts(self) -> list[Fact]:
        return [f for f in self.facts if f.text is not None or f.html is not None]  # not f.missing, without its call

    @property
    def shown(self) -> bool:
        """A group is shown when it has a known fact, a known row or a warning; missing facts go to one block."""
        return bool(self.table or self.stale) or any(f.text is not None or f.html is not None for f in self.facts)


@dataclass
class Unknown:
    """One line of a home page's "not known yet" block: who has not given which facts."""

    owner: str
    lead: str           # who has not given them (x-directory.unknowns.missingBy), or that the site holds none (notHeldBy)
    items: list[str]
    url: str | None = None  # on a site not gathering the owner's facts: where to look them up (notHeldBy)
    link: tuple[str, str, str] = ("", "", "")  # then the line's words around that link: (before, link text, after)

    @property
    def text(self) -> str:
        return ", ".join(self.items)


def register_stale_note(when: dt.date | None, today: dt.date, limit: Age | None = None) -> str | None:
    """'These facts are from the register dated ... (5 years 8 months ago), more than 3 months ago' when the
    regulator's data is older than ``limit`` (the staleness.register threshold)."""
    limit = limit or VALUES.staleness["register"]
    if when is None or not limit.passed(when, today):
        return None
    return _register_note(dated(when, today), limit)


def _register_note(dated_words: str, limit: Age) -> str:
    return (f"These Care Quality Commission (CQC) facts may be out of date. They are from the CQC register of "
            f"{dated_words}, more than {limit.words} ago. Check the CQC page for what CQC says now.")


def yes_no(value: Any) -> str | None:
    return None if value is None else ("Yes" if value else "No")


_date = date_of

__all__ = ["FREE_KINDS", "KEY_QUESTIONS", "HomeView", "fee_range", "lower_first", "money", "nice_date"]


_Made = TypeVar("_Made", bound=Callable[[Any], Any])
_UNREAD = object()  # what a view's memo holds for a key not yet read (None is a value)
_STEPS: dict[str, tuple[str, ...]] = {}  # a field's path -> its steps, split once a process (paths come from the schema and code)


def remembered(fn: _Made) -> _Made:
    """A view's property worked out once while the view remembers (HomeView.remembering), else every time."""
    key = "#" + fn.__name__  # no field's path starts with '#'

    def made(self: HomeView) -> Any:
        memo = self._memo
        if memo is None:
            return fn(self)
        value = memo.get(key, _UNREAD)
        if value is _UNREAD:
            value = memo[key] = fn(self)
        return value
    made.__doc__, made.__name__ = fn.__doc__, fn.__name__
    return cast(_Made, made)


def views_alike(views: list[HomeView]) -> bool:
    """Every view made for the same day, edit address, staleness limits and owners not gathered (as the pipeline
    makes them), with the
    schema of schema/ (checkcache's generation hashes that folder, not one a caller loaded from elsewhere): what a
    kept home page or listing takes from the first is true of all."""
    if not views:
        return False
    first, schema = views[0], load_schema()
    return all(v.today == first.today and v.s is schema and v.repo_edit == first.repo_edit and v.limits == first.limits
               and v.ungathered == first.ungathered for v in views)


@contextmanager
def remembering(views: list[HomeView]) -> Iterator[list[HomeView]]:
    """Every view remembering (HomeView.remembering) within the block: for a step that reads the views many
    times and changes none (the find page's index)."""
    with ExitStack() as stack:
        for v in views:
            stack.enter_context(v.remembering())
        yield views


_Once = dict[tuple[int, ...], tuple[tuple[Any, ...], Any]]  # ids -> (the very objects, what was made from them)
_OWN_KNOWN: _Once = {}  # HomeView.own_known_values, by faces
_KIND_PATHS: _Once = {}  # HomeView.kind_paths, by schema and kinds
_AREA_KINDS: _Once = {}  # _covers_an_area, by kind
_UNTOLD_READS: _Once = {}  # HomeView.untold's keys and reads, by own_known_values
_YES_READS: _Once = {}  # HomeView.yes_filters' filters and reads, by faces
_KIND_WORDS: _Once = {}  # HomeView.kind_words, by schema and face
_GROUP_SPECS: _Once = {}  # HomeView.groups' specs, by faces
_SUMMARY_PLAN: _Once = {}  # HomeView.summary's rows and answers, by schema and face
_SCHEMAS: _Once = {}  # _per_schema, by schema


def _once_for(cache: _Once, objects: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """``make()`` once for these very ``objects`` (faces, kinds, a schema: made once and alike for many homes),
    remembered in ``cache`` by their ids, kept with the objects so that one made and dropped since cannot lend
    its id."""
    key = tuple(map(id, objects))
    held = cache.get(key)
    if held is None or not all(map(is_, held[0], objects)):  # the same objects (the tuples are of one length: the key's)
        held = cache[key] = (objects, make())
    return held[1]


def _per_schema(schema: Schema) -> dict[str, Any]:
    """What every page works out alike from the schema, once a schema: the CQC service user bands' (path, title) in
    the schema's order ("bands"), the "not known yet" block's owners and leads for each kind's noun ("leads") and
    each need of the needs table: its label, the paths of whether it is accepted and its beds, and the field of the
    first (None when the schema has no such field: then looked up, and failing, only where asked) ("needs")."""
    def make() -> dict[str, Any]:
        needs = [(c.label, *(f"capabilities.{c.code}.{k}" for k in ("accepted", "nursing_beds", "residential_beds")))
                 for c in schema.capabilities]
        return {"bands": [(f.path, f.title) for f in schema.home_fields if f.path.startswith("care.user_bands.")],
                "leads": {}, "needs": [(*n, schema.by_path.get(n[1])) for n in needs]}

    return cast(dict[str, Any], _once_for(_SCHEMAS, (schema,), make))


def _covers_an_area(kind: Any) -> bool:
    """Whether the kind has the field coverage.districts (an agency's area covered), once a kind (not its 80 fields
    a home: HomeView.covers_an_area)."""
    return _once_for(_AREA_KINDS, (kind,), lambda: any(f.path == "coverage.districts" for f in kind.fields))


_Reads = tuple[tuple[str, list[str] | None], ...]


def _reads(names: list[str]) -> _Reads:
    """What each of ``names`` (a field's path, a kind or a DERIVED value) reads, for HomeView._read_all: with a
    field's path split into its steps once a set of faces, not once a home."""
    return tuple((name, None if name.startswith("kind:") or name in DERIVED or READ_OR in name or HOLDS in name else name.split("."))
                 for name in names)


class HomeView:
    """Everything a profile page, a result card and the compare table need about one home."""

    _memo: dict[str | int, Any] | None = None  # while remembering: each remembered property, derived value and shown spec, once
    # while remembering: each field read (by its path), once; kept while held open (held_open), a field's value being
    # the same on every day
    _fields: dict[str, Any] | None = None
    _decided: list[tuple[str, str, bool]] | None = None  # while held open (``held_open``): each staleness decision

    def __init__(self, data: dict, today: dt.date, schema: Schema | None = None, repo_edit: str | None = None,
                 staleness: Mapping[str, Age] | None = None, checked_on: dt.date | None = None,
                 ungathered: frozenset[str] = frozenset()):
        self.d = data
        self.checked_on = checked_on  # the day a CQC API sync last confirmed these facts unchanged
        self.s = schema or load_schema()
        self.today = today
        self.repo_edit = repo_edit
        # each dated group's threshold: the schema's, with a deployment's overrides (siteconfig.staleness)
        self.limits: dict[str, Age] = {**self.s.values.staleness, **(staleness or {})}
        self.ungathered = ungathered  # owners whose facts the site does not gather at all (siteconfig.ungathered)

    def dated(self, value: Any) -> str:
        """'31 March 2021 (5 years 8 months ago)', as at the build's day; '' for no date."""
        return f"{nice_date(value)} ({self.age(value)})" if date_of(value) else ""

    def age(self, value: Any) -> str:
        """'5 years 8 months ago', as at the build's day (held open: its mark, ages.age_mark). Every age a page or
        card says is worded here, and every staleness decided in ``stale``: the day reaches a page no other way."""
        if self._decided is not None:
            return age_mark(value)
        return age_words(value, self.today)

    def stale(self, key: str, when: dt.date | None) -> bool:
        """Whether ``when`` is older than the ``key`` threshold (availability, rating, register, ...); held open,
        the decision is noted (``held_open``)."""
        if not when:
            return False
        passed = self.limits[key].passed(when, self.today)
        if self._decided is not None:
            self._decided.append((key, when.isoformat(), passed))
        return passed

    @contextmanager
    def held_open(self) -> Iterator[list[tuple[str, str, bool]]]:
        """Within the block the view's words hold open what depends on the day, for a page kept across days: each age
        is a mark (``age``: filled in by ages.fill_ages on the day the page is written), and each staleness decision
        is noted in the list given, (threshold, date, whether passed): the page holds on another day when each
        decision is the same on it (``holds_on``). Remembers afresh within (and forgets after) all but the fields read,
        so that no word worked out outside is taken in, nor any mark taken out; the fields read are the profile's
        values, the same on every day (nationally the find page's listings read each home's again: about 0.25 s of CPU,
        3.8 to 3.56 s, of a first build's index)."""
        saved = self.__dict__.get("_memo"), self._decided
        fields = self._fields
        self._memo, self._decided = {}, []
        if fields is None:
            self._fields = {}
        try:
            yield self._decided
        finally:
            self._memo, self._decided = saved
            if saved[0] is None:
                del self._memo
            if fields is None:
                del self._fields

    def holds_on(self, decided: list[tuple[str, str, bool]]) -> bool:
        """Whether the staleness decisions ``decided`` (``held_open``'s, on another day) are the same on this view's day."""
        try:
            return all(self.limits[key].passed(dt.date.fromisoformat(when), self.today) == passed
                       for key, when, passed in decided)
        except (KeyError, ValueError, TypeError):
            return False

    def get(self, path: str) -> Any:
        memo = self._fields
        if memo is None:
            return get_path(self.d, path.split("."))
        value = memo.get(path, _UNREAD)  # not try/except KeyError: a page's first read of each of ~75 fields would raise
        if value is _UNREAD:
            steps = _STEPS.get(path)
            if steps is None:
                steps = _STEPS[path] = tuple(path.split("."))
            value = self.d  # get_path(self.d, steps), without its call
            for step in steps:
                if not isinstance(value, dict):
                    value = None
                    break
                value = value.get(step)
            memo[path] = value
        return value

    def recall(self, untold: list[str], values: dict[str, Any]) -> None:
        """While the view remembers: its ``untold`` and these values (by a DERIVED name or a field's path, as
        ``value`` reads them) as an earlier build worked them out from the same data, day, code and schema (the
        find page's kept listings, search.recall_listings), so that they are not worked out again."""
        memo, fields = self._memo, self._fields
        if memo is None or fields is None:
            return
        memo["#untold"] = untold
        for name, value in values.items():
            if name in DERIVED:
                memo["=" + name] = value
            else:
                fields[name] = value

    def forget(self) -> None:
        """While the view remembers: forget what it has worked out (and been told by ``recall``) so far."""
        if self._memo is not None:
            self._memo.clear()
        if self._fields is not None:
            self._fields.clear()

    @contextmanager
    def remembering(self) -> Iterator[HomeView]:
        """Within the block, each field read (get) and the properties marked ``remembered`` (face, faces, kinds,
        kind_words, description_html...) are worked out once: a home's page reads some fields 20 times. Only
        while its data does not change (rendering its page): the same values, the same objects, as without."""
        if self._memo is not None:  # already (an outer block forgets)
            yield self
            return
        self._memo, self._fields = {}, {}
        try:
            yield self
        finally:
            del self._memo, self._fields

    @property
    def slug(self) -> str:
        return self.d["slug"]

    @property
    def name(self) -> str:
        return self.d["name"]

    @property
    @remembered
    def address_line(self) -> str:
        parts = [self.get("address.street"), self.get("address.town"), self.get("address.postcode")]
        return ", ".join(str(p) for p in parts if p)

    @property
    @remembered
    def care_types(self) -> list[str]:
        out = []
        if self.get("care.nursing"):
            out.append("Nursing")
        if self.get("care.residential"):
            out.append("Residential")
        return out

    @property
    def care_type_text(self) -> str:
        """The type of care home by CQC's registration: "without nursing" only where CQC's registration for nursing
        is known to be no (care.nursing: false), never where it is not known."""
        nursing, residential = self.get("care.nursing"), self.get("care.residential")
        if nursing is True:
            return "Care home with and without nursing" if residential is True else "Care home with nursing"
        if nursing is False and residential is True:
            return "Care home without nursing"
        return "Care home (nursing not known)" if residential is True else "Care home"

    @property
    @remembered
    def kind_text(self) -> str:
        """What the location is, as its page's key facts, its card and the compare table say it: its own kind's type of
        care (a care home's "Care home with nursing", by CQC's registration; another kind's title), then every other
        kind it is, by the schema's title (x-directory.kinds): "Care home with nursing and home care agency"."""
        own = next((k for k in self.kinds if k.id == self.face.kind), None)
        lead = own.title if own is not None and not any(c.flag for c in own.capacity) else self.care_type_text
        return " and ".join([lead, *(k.title.lower() for k in self.kinds if k is not own)])

    @property
    @remembered
    def bands(self) -> list[str]:
        return [title for path, title in _per_schema(self.s)["bands"] if self.get(path)]

    @property
    @remembered
    def yes_filters(self) -> list[str]:
        """One search filter per yes/no fact the find page filters on (care_nursing, band_dementia,
        need_tracheostomy, weekend...: the face's facets), so a search downloads only the lists it uses."""
        def make() -> tuple[list[str], _Reads]:
            kinds = [(o.filter, o.reads) for o in self.site_face.options if o.path.startswith("kind:")]  # every page says which kinds it is
            # each of its kinds answers by its own face (a filter it names twice: the first answer given decides);
            # a location of two kinds says yes to a filter either kind says yes to
            pairs = [*(pair for f in self.faces for pair in f.filter_reads().items()), *kinds]
            return [key for key, _ in pairs], _reads([read for _, read in pairs])

        # each schema's faces are made once (face_of) and live as long as it
        names, reads = _once_for(_YES_READS, (self.site_face, *self.faces), make)
        return list(dict.fromkeys(f for f, value in zip(names, self._read_all(reads), strict=True) if value))

    @remembered
    def own_known_values(self) -> dict[str, str]:
        """The site's count keys (search.known_counts) -> the path or derived value this page reads for each, by
        its own kinds' faces (two kinds may share a filter, band_dementia, each by its own field: a location of two
        kinds reads each kind's, joined by READ_OR, so it has told us when either kind has). Worked out once for
        each set of faces (nationally it was made 15,403 times over); read it, never change it."""
        def make() -> dict[str, str]:
            site = self.site_face.known_values()
            own: dict[str, list[str]] = {}
            for face in self.faces:
                for key, read in face.known_values().items():
                    if key in site:
                        reads = own.setdefault(key, [])
                        reads += [part for part in read.split(READ_OR) if part not in reads]
            return {key: READ_OR.join(reads) for key, reads in own.items()}

        # each schema's faces are made once (face_of) and live as long as it
        return cast(dict[str, str], _once_for(_OWN_KNOWN, (self.site_face, *self.faces), make))

    @property
    @remembered
    def untold(self) -> list[str]:
        """The find page's count keys (search.known_counts) of the facts of its own kinds this home has not given
        at all: its search filter ``untold``. A search that came out empty is searched again keeping, for each
        filter on a fact few homes have given, the homes that match it or have not told us, never one that said
        no (nor a service of another kind, for which the fact does not apply). Read it, never change it (while the
        view remembers, the same list each time: search.known_counts counts from it too)."""
        own = self.own_known_values()
        keys, reads = _once_for(_UNTOLD_READS, (own,), lambda: (list(own), _reads(list(own.values()))))
        return [key for key, value in zip(keys, self._read_all(reads), strict=True) if value is None]

    def _read_all(self, reads: tuple[tuple[str, list[str] | None], ...]) -> list[Any]:
        """``[self.value(name) for name, _ in reads]`` (_reads), each field read with its path split once: the find
        page's filters read 50 values a home (nationally 800,000 reads a build)."""
        memo, data, out = self._fields, self.d, []
        for name, steps in reads:
            if steps is None:
                value = self.value(name)
            elif memo is None:
                value = get_path(data, steps)
            else:
                value = memo.get(name, _UNREAD)
                if value is _UNREAD:
                    value = memo[name] = get_path(data, steps)
            out.append(value)
        return out

    @property
    @remembered
    def needs_short(self) -> list[str]:
        """The needs it can meet, each named short (its label up to " ("), in the schema's order."""
        get = self.get
        return [label.split(" (")[0] for label, accepted, *_ in _per_schema(self.s)["needs"] if get(accepted)]

    @property
    def rating(self) -> str | None:
        return self.get("cqc.rating")

    @property
    def rating_label(self) -> str:
        """The rating as shown and filtered on: CQC's value, or the one 'no rating' wording."""
        return self.s.values.rating_label(self.rating)

    @property
    def rating_date(self) -> dt.date | None:
        return _date(self.get("cqc.rating_date"))

    @property
    def rating_stale(self) -> bool:
        return self.stale("rating", self.rating_date)

    @property
    def rating_text(self) -> str:
        """The rating as a page says it: never says unrated unless CQC says so."""
        r = self.rating
        return NO_RATING if not r else NOT_YET_RATED if r == VALUES.not_yet_rated else r

    @property
    def rating_as_at(self) -> str:
        """" (as at 20 March 2025, 1 year 8 months ago)" when the rating is CQC's own unrated value (Values.not_yet_rated):
        the CQC register data's date in the words of the kind's card rating line (face.json ``notYetRated``), as the card
        says it; "" otherwise."""
        if self.rating != VALUES.not_yet_rated:
            return ""
        spec = next((s for s in self.face.card if s.id == "rating"), None)
        return not_yet_rated_when(self, spec) if spec is not None else ""

    @property
    def rating_given(self) -> str:
        """", given to an earlier registration" (the face's words on its card's rating line, ``given``) when CQC gave the
        current rating to an earlier registration of the service (cqc.rating_given_to), as the page's key facts say it
        beside the rating; "" otherwise."""
        if not self.rating or self.rating == VALUES.not_yet_rated:
            return ""
        return self.given_words("cqc.rating_given_to")

    @property
    def browse_cqc(self) -> str:
        """What a list page's line says of CQC after the address (render.browse_item): the rating with the date CQC
        published it ("CQC: Good (26 September 2023)"), CQC's not-yet-rated as at the register's date, a rating given
        to an earlier registration said so, then that CQC records it as dormant, as its card says; "" when neither."""
        said = []
        r = self.rating
        if r:
            when = self.register_date if r == VALUES.not_yet_rated else self.rating_date
            dated = (f" (as at {nice_date(when)})" if r == VALUES.not_yet_rated else f" ({nice_date(when)})") if when else ""
            said.append(f"CQC: {r}{dated}{self.rating_given}")
        if self.get("cqc.dormant") is True:
            said.append(DORMANT_SAID)
        return ". ".join(said)

    def given_words(self, given_to: str) -> str:
        """", given to an earlier registration" (the card's rating line's ``given`` words) when the field ``given_to``
        names the earlier registration CQC gave a rating to; "" otherwise (or when the card has no rating line)."""
        card = self._rating_card()
        return given_words(self, card, given_to) if card is not None else ""

    def _rating_card(self) -> LineSpec | None:
        """The card's rating line, whose ``given`` words say a rating is an earlier registration's."""
        return next((line for line in self.face.card if line.format == "card_rating"), None)

    def given_on(self, day: dt.date) -> str:
        """", given to an earlier registration" (given_words) when a rating CQC published on ``day`` is an earlier
        registration's: published before this registration began (cqc.registered_since), or on the day of the current
        or the previous overall rating when CQC gave that one to an earlier registration (cqc.rating_given_to,
        cqc.previous_rating_given_to; a key question's rating of that day is of the same report); "" otherwise."""
        began = _date(self.get("cqc.registered_since"))
        if began is not None and day < began:
            card = self._rating_card()
            return given_words(self, card, "cqc.registered_since") if card is not None else ""  # given: it began then
        for dated_by, given_to in (("cqc.rating_date", "cqc.rating_given_to"), ("cqc.previous_rating_date", "cqc.previous_rating_given_to")):
            if day == _date(self.get(dated_by)):
                return self.given_words(given_to)
        return ""

    @property
    def register_date(self) -> dt.date | None:
        """The date of the regulator facts: imported, or later confirmed unchanged by a sync."""
        dates = [d for d in (_date(self.get("cqc.imported")), self.checked_on) if d]
        return max(dates) if dates else None

    @property
    def dormant_now(self) -> bool:
        """Whether CQC records it as dormant (registered, giving no care) on a register within its staleness age: the
        dormancy the find page, the market page and the report count as not taking new clients (past that age, CQC's
        word of then is no longer "not now")."""
        return self.get("cqc.dormant") is True and not self.stale("register", self.register_date)

    @property
    def register_stale(self) -> str | None:
        """A plain warning when the regulator facts are older than the configured number of months."""
        when = self.register_date
        return _register_note(self.dated(when), self.limits["register"]) if self.stale("register", when) else None

    @property
    def beds_confirmed(self) -> dt.date | None:
        return _date(self.get("beds.confirmed"))

    @property
    def availability_stale(self) -> bool:
        return self.stale("availability", self.beds_confirmed)

    def free(self, kind: str) -> int | None:
        return self.get(f"beds.{kind}.available")

    def free_counts(self, kind: str) -> bool:
        """Whether ``kind``'s free beds are part of the home's total: it offers that care, or that is not known."""
        return self.get(f"care.{kind}") is not False or self.free(kind) is not None

    @property
    def free_unknown_kinds(self) -> list[str]:
        """The kinds of bed the home offers (or may offer) whose free beds it has not given."""
        return [k for k in FREE_KINDS if self.free_counts(k) and self.free(k) is None]

    @property
    def free_total(self) -> int | None:
        """All free beds, or None unless every kind of bed the home offers (or may offer) has a known count."""
        values = [n for n in (self.free(k) for k in FREE_KINDS) if n is not None]
        return None if not values or self.free_unknown_kinds else sum(values)

    @property
    def has_free(self) -> bool | None:
        """Whether any bed is free: yes when a known count is above 0, even if another kind is not known;
        no only when every count that matters is known and 0; otherwise not known."""
        if any(self.free(k) for k in FREE_KINDS):
            return True
        return None if self.free_total is None else False

    @property
    def free_text(self) -> str:
        """The free beds as the page header says them, never adding a not-known count in as 0; older than the
        availability staleness age, "May be out of date" after them, as the card and an agency's key fact say."""
        when = f" on {self.dated(self.beds_confirmed)}" if self.beds_confirmed else ""
        old = ". May be out of date" if self.availability_stale else ""
        total = self.free_total
        if total is not None:
            return f"{total} bed{'' if total == 1 else 's'} free{when}{old}"
        known = [(k, self.free(k)) for k in FREE_KINDS if self.free(k) is not None]
        if not known:
            return f"Beds free now: {self.s.values.not_provided.lower()}"
        parts = [f"{n} bed{'' if n == 1 else 's'} free {FREE_KINDS[k]}" for k, n in known]
        parts += [f"beds free {FREE_KINDS[k]}: {self.s.values.not_known.lower()}" for k in self.free_unknown_kinds]
        return parts[0] + when + "; " + "; ".join(parts[1:]) + old

    def free_now(self, kind: str) -> int | None:
        """``free(kind)`` as the find page filters and sorts on it: not known once the answer is older than the
        availability staleness age (an agency's taking new clients likewise: ``taking_now``). Pages and cards still
        show the count, dated, with "may be out of date"."""
        return None if self.availability_stale else self.free(kind)

    @property
    def free_total_now(self) -> int | None:
        """``free_total``, not known once out of date (``free_now``): the find page's "most beds free first"."""
        return None if self.availability_stale else self.free_total

    @property
    def has_free_now(self) -> bool | None:
        """``has_free``, not known once out of date (``free_now``): the find page's count of homes that told us."""
        return None if self.availability_stale else self.has_free

    @property
    def free_band(self) -> str:
        """Bands of free beds, used to sort by vacancies one band at a time (out of date: unknown)."""
        n = self.free_total_now
        return "unknown" if n is None else "5+" if n >= 5 else "2-4" if n >= 2 else str(n)

    @property
    def fee_band(self) -> str:
        """The lowest weekly fee rounded up to the schema's band step ('01200' for £1,101 to £1,200), or 'none'."""
        return "none" if self.fee_from is None else self.s.values.fee_band(self.fee_from)

    @property
    def fee_from(self) -> float | None:
        values = [v for v in (self.get("fees.nursing_from"), self.get("fees.residential_from")) if v is not None]
        return min(values) if values else None

    @property
    def status(self) -> str | None:
        return self.get("cqc.status")

    @property
    def on_register(self) -> bool:
        return self.status in (None, self.s.values.registered_status)

    @property
    def closed(self) -> bool:
        """Whether the home is off the CQC register (records.closed): its page stays, marked closed, and it
        leaves the find page, the lists and the counts."""
        return closed(self.d)

    @property
    def closed_text(self) -> str | None:
        """The closed home's banner: who closed it and when, or None for a home on the register."""
        if not self.closed:
            return None
        when = nice_date(self.get("cqc.status_date"))
        if self.status == DEREGISTERED:
            return f"Closed: CQC deregistered this home{f' on {when}' if when else ''}."
        return (f"Closed: this home was not in the CQC register{f' of {when}' if when else ''} (its status: "
                f"{self.status}). It may have closed or changed its registration.")

    @property
    def dormant_text(self) -> str | None:
        """The page's notice for a location CQC records as dormant (registered, not providing care now): what CQC
        says, since when (when CQC gives the date) and as of when, finished; None otherwise (or when closed: that notice
        says more). No age of the start: the register, a date of its own, is what says it lasted."""
        if self.closed or self.get("cqc.dormant") is not True:
            return None
        since = _date(self.get("cqc.dormant_since"))
        said = [f"since {nice_date(since)}" if since else None,
                f"CQC information dated {nice_date(self.register_date)}, {self.age(self.register_date)}" if self.register_date else None]
        when = f" ({'; '.join(filter(None, said))})" if any(said) else ""
        return (f"The Care Quality Commission (CQC) says this {self.kind_words['noun']} is registered but not providing care "
                f"at the moment{when}. CQC calls this dormant. Check with the {self.kind_words['noun']} or the council "
                "before you count on a place.")

    @property
    def closed_short(self) -> str | None:
        """The closed home's mark where it is one of several (the compare page), or None for a home on the register."""
        if not self.closed:
            return None
        when = nice_date(self.get("cqc.status_date"))
        if self.status == DEREGISTERED:
            return f"Closed (CQC deregistered{f' on {when}' if when else ''})"
        return f"Closed (not in the CQC register{f' of {when}' if when else ''})"

    @property
    def ring_parts(self) -> tuple[str, str, str, str] | None:
        """Who to ring, as its card says it, for the page's key facts: (the words before the number, the number, its tel:
        link, the words after); the link and number empty and the words whole when the number makes no link. None when
        neither the service nor CQC has given a number."""
        ring = self._ring
        if ring is None:
            return None
        text, number = ring
        href = tel_href(number)
        before, found, after = text.partition(number)
        return (before, number, href, after) if href and found else (text, "", "", "")

    @property
    def no_number_words(self) -> str | None:
        """With no number of its own nor CQC's, what its card says instead ("No phone number in our data: see its CQC
        page", linking to cqc_url), for the page's key facts; None when it has a number."""
        return None if self._ring is not None else str(self.s.values.find["cqcPageNumber"])

    @property
    def rating_stale_words(self) -> str:
        """That its rating is older than the site's limit, as its card says it (face.rating_stale_words), or empty."""
        return rating_stale_words(self)

    @property
    def _ring(self) -> tuple[str, str] | None:
        """(who to ring about this home, finished; the number in it): the home's own number, else the one CQC holds
        (the council's placement line, the last resort, is the find page's: render.find_ring); None when neither the
        home nor CQC has given one."""
        find = self.s.values.find
        for path, words in (("contact.phone", "ringHome"), ("cqc.phone", "ringCqc")):
            phone = self.get(path)
            if phone:
                # {home}: what this service is ("home", "agency"), not what the site lists
                return str(find[words]).replace("{home}", self.kind_words["noun"]).replace("{phone}", str(phone)), str(phone)
        return None

    @property
    @remembered
    def map_url(self) -> str | None:
        lat, lon = self.get("address.latitude"), self.get("address.longitude")
        if lat is None or lon is None:
            return None
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    @property
    @remembered
    def cqc_url(self) -> str:
        """This registration's own page on CQC's website, where every link to the service's CQC page goes (the page's,
        card's, compare table's and report's): the address of its report (cqc.report_url) when that is this registration's, else its
        location's page; never the earlier registration's reports, which cqc.report_url names when CQC gave the rating
        to that one and this registration has no report of its own (cqc_report_url)."""
        own = f"https://www.cqc.org.uk/location/{self.d['location_id']}"
        url = safe_url(self.get("cqc.report_url"))
        return url if url and (url == own or url.startswith(own + "/")) else own

    @property
    @remembered
    def cqc_report_url(self) -> str:
        """Where "Read the CQC report" goes: the report of its rating (cqc.report_url, perhaps its earlier
        registration's: report_of_earlier), else this registration's page on CQC's website."""
        return safe_url(self.get("cqc.report_url")) or self.cqc_url

    @property
    @remembered
    def report_of_earlier(self) -> bool:
        """Whether the report of its rating (cqc.report_url) is of the earlier registration CQC gave the rating to
        (cqc.rating_given_to): the import links that one's reports when this registration has none."""
        earlier = self.get("cqc.rating_given_to")
        return bool(earlier) and f"/location/{earlier}/" in str(self.get("cqc.report_url") or "")

    @property
    def edit_url(self) -> str | None:
        return f"{self.repo_edit}providers/{self.slug}.yaml" if self.repo_edit else None

    def form_url(self, template: str) -> str | None:
        """The repository's issue form ``template``, prefilled with this home (see forms.py)."""
        return form_url(self.repo_edit.rsplit("/edit/", 1)[0], template, self.slug, self.name, self.s) if self.repo_edit else None

    def mistake_url(self, contact_email: str) -> str | None:
        """Where "tell the council" of a mistake on this page goes: the council's email, the home in its subject; else
        (no real address set: a mailto without one opened an empty message to nobody) the repository's "Report
        incorrect details" form with the home filled in; None when there is neither."""
        if contact_email:
            return f"mailto:{contact_email}?subject={do_urlencode('Incorrect details: ' + self.name)}"
        return self.form_url(INCORRECT)

    @property
    @remembered
    def description_html(self) -> str:
        return markdown_lite(self.get("description"))

    @property
    def district(self) -> str | None:
        pc = self.get("address.postcode")
        return pc.split(" ")[0] if pc else None

    @property
    def trust_names(self) -> list[str]:
        """The acute trusts the home works with, by name (the profile holds NHS ODS codes)."""
        codes = self.get("care.acute_trusts") or []
        return [trust_name(c) or c for c in codes if isinstance(c, str)]

    # --- kinds of service other than a care home (a home care agency: taking new clients, area covered) ---

    @property
    @remembered
    def kinds(self) -> tuple[Any, ...]:
        """The kinds of service this location is (kinds.Kind), in the schema's order."""
        return kinds_of(self.d, self.s)

    @property
    @remembered
    def not_offered_paths(self) -> frozenset[str]:
        """The profile paths of places of a type CQC does not register the service for (its flag, such as
        care.residential, is no): how many there are and how many are free, and the facts only of them (its ``about``: a
        fee with nursing). Not applicable, so no page lists them as not known (a nursing-only home was asked for its beds
        without nursing free now, a home without nursing for its fee with nursing); a value given is still shown."""
        get = self.get
        return frozenset(p for k in self.kinds for c in k.capacity if c.flag and get(c.flag) is False
                         for p in (c.total, c.available, *c.about) if p)

    @property
    @remembered
    def kind_decl(self) -> dict[str, Any]:
        """The declaration (x-directory.kinds.list entry) of the kind whose face this page shows."""
        return next((k for k in self.s.package["x-directory"]["kinds"]["list"] if k["id"] == self.face.kind), {})

    @property
    @remembered
    def kind_paths(self) -> dict[str, str]:
        """The facts of the kind it is that takes new clients, by role: "taking" (whether it takes new clients),
        "confirmed" (when that was said); empty for a care home alone. Worked out once for each schema and set of
        kinds (the same for every home of them); read it, never change it."""
        return cast(dict[str, str], _once_for(_KIND_PATHS, (self.s, *self.kinds), self._kind_paths))

    def _kind_paths(self) -> dict[str, str]:
        declared = face_kinds(self.s)
        for k in self.kinds:
            d: dict[str, Any] = next((x for x in self.s.package["x-directory"]["kinds"]["list"] if x["id"] == k.id), {})
            # the kind names it (takingNewClients), or its face filters on it (the option derived as taking_now)
            taking = d.get("takingNewClients") or next((o.path for o in (face_of(self.s, k.id).options if k.id in declared else ())
                                                        if o.derived == "taking_now"), None)
            if taking:
                return {"taking": str(taking), **({"confirmed": str(d["confirmed"])} if d.get("confirmed") else {})}
        return {}

    @property
    @remembered
    def kind_words(self) -> dict[str, str]:
        """How the page names what it is about, from the kind's title: "home" / "Care homes" for a care home,
        "agency" / "Home care agencies" for an agency, and its update link ("Update vacancies"). Worked out once for
        each schema and face (the same for every home of its kind); read it, never change it."""
        return cast(dict[str, str], _once_for(_KIND_WORDS, (self.s, self.face), self._kind_words))

    def _kind_words(self) -> dict[str, str]:
        d = self.kind_decl or {"title": "Care home", "plural": "Care homes"}
        mine = {now: t for t, (k, now) in kind_forms(self.s).items() if k.id == self.face.kind}
        return {"noun": title_noun(str(d["title"])), "plural": str(d["plural"]),
                "update_link": update_link(self.face), "claim_form": claim_form_of(self.face.kind, self.s),
                "availability_form": mine.get(True, "update-vacancies.yml"), "details_form": mine.get(False, "update-details.yml")}

    def noun_of(self, kind_id: str) -> str:
        """What the page calls the service as one of its other kinds ("agency" for a care home's home care agency), as
        that kind's groups on its page do."""
        return title_noun(kind(kind_id, self.s).title)

    @property
    def homecare_confirmed(self) -> dt.date | None:
        """When the agency last said whether it is taking new clients (the kind's ``confirmed``)."""
        path = self.kind_paths.get("confirmed") if "taking" in self.kind_paths else None
        return _date(self.get(path)) if path else None

    @property
    def taking_stale(self) -> bool:
        """Taking new clients was confirmed more than the staleness days ago (7, like vacancies)."""
        d = self.homecare_confirmed
        return self.stale("availability", d)

    @property
    def taking_now(self) -> bool | None:
        """Whether it is taking new clients, as the find page filters on it: None when not known, not dated
        or out of date (never "no" for want of an answer); False when CQC records it as dormant (registered, not
        providing care now), whatever it last said, so it is never found as taking new clients: while the register
        facts saying so are within their staleness age (a new registration is dormant until it begins, so CQC's word
        of 20 months ago is no longer "not taking new clients now"; the page still says it, dated)."""
        if "taking" in self.kind_paths and self.dormant_now:
            return False
        taking = self.get(self.kind_paths["taking"]) if "taking" in self.kind_paths else None
        if taking is None or not self.homecare_confirmed or self.taking_stale:
            return None
        return bool(taking)

    @property
    def hours_now(self) -> int | None:
        """The hours of care a week it can start, while taking new clients is known and fresh (0 when it is not taking)."""
        now = self.taking_now
        if now is None:
            return None
        hours = self.get("homecare.hours_available")
        return (hours if isinstance(hours, int) else None) if now else 0

    @property
    def hours_band(self) -> str:
        return "unknown" if self.hours_now is None else "known"

    @property
    def taking_stale_text(self) -> str | None:
        if not self.taking_stale:
            return None
        return (f"The agency last confirmed whether it is taking new clients on {self.dated(self.homecare_confirmed)}, more than "
                f"{self.limits['availability'].words} ago. This may be out of date: phone the agency to check.")

    @property
    def office_only(self) -> bool:
        """Its address is only an office, not where it gives care: every kind it is declares its map point so (an
        agency's ``point``), as the GeoJSON says. A care home that is also an agency gives care at its address."""
        mine = self.kinds
        return bool(mine) and all(k.point for k in mine)

    @property
    def covers_an_area(self) -> bool:
        """Whether one of its kinds gives the area it covers (coverage.districts: an agency)."""
        return any(_covers_an_area(k) for k in self.kinds)

    # --- the groups of the profile page, as schema/face.json declares them -----------------------

    @property
    @remembered
    def face(self) -> Face:
        """The face of the first kind this profile is that face.json declares (a care home's, today)."""
        declared = face_kinds(self.s)
        mine = [k.id for k in kinds_of(self.d, self.s) if k.id in declared]
        return face_of(self.s, (mine or declared)[0])

    @property
    @remembered
    def faces(self) -> list[Face]:
        """The faces of every kind this profile is that face.json declares: a location that is a care home and a
        home care agency is one page with both kinds' groups and filters (its own kind's first)."""
        declared = face_kinds(self.s)
        mine = [k.id for k in self.kinds if k.id in declared]
        return [self.face, *(face_of(self.s, k) for k in mine if k != self.face.kind)]

    @property
    @remembered
    def site_face(self) -> Face:
        """The find and compare pages' face: every kind's filters, sorts and compare rows."""
        return face_of(self.s)

    @property
    def key_lines(self) -> list[str] | None:
        """The page's key facts for a kind other than the first: its card lines; None: the first kind's own
        (type of care, rating, register date, free beds: the template's)."""
        return None if self.face.kind == face_kinds(self.s)[0] else self.card_lines()

    def groups(self) -> list[Group]:
        """The page's groups: its kind's, then those of its other kinds that it does not already have (by id), each
        naming the service as its own kind does (an agency's "Taking new clients" on a care home's page: "The agency")."""
        def make() -> list[tuple[GroupSpec, str | None]]:
            specs: dict[str, tuple[GroupSpec, str | None]] = {}
            for f in self.faces:
                title = None if f is self.face else kind(f.kind, self.s).title
                for spec in f.page:
                    specs.setdefault(spec.id, (spec, title))
            return list(specs.values())

        # the specs once a set of faces
        return [self.group(spec, title) for spec, title in _once_for(_GROUP_SPECS, tuple(self.faces), make)]

    def value(self, name: str) -> Any:
        """A field's value by its path, or a value worked out from several (DERIVED: free_total, fee_from...)."""
        if READ_OR in name:  # several reads of one filter (Face.filter_reads): the first given decides
            for part in name.split(READ_OR):
                value = self.value(part)
                if value is not None:
                    return value
            return None
        if name.startswith("kind:"):
            return name[5:] in {k.id for k in self.kinds}
        if HOLDS in name:  # a list field's item (face.HOLDS): yes when listed, else not known, never no
            path, item = name.split(HOLDS, 1)
            listed = self.get(path)
            return True if isinstance(listed, list) and item in listed else None
        rule = DERIVED.get(name)
        if rule is None:
            return self.get(name)
        memo = self._memo
        if memo is None:
            return rule(self)
        key = "=" + name  # no field's path starts with '='
        value = memo.get(key, _UNREAD)
        if value is _UNREAD:
            value = memo[key] = rule(self)
        return value

    def shown(self, spec: FactSpec | LineSpec) -> Shown | None:
        """A fact, card line or compare cell as the face's formatter words it, or None when not known
        (a fact with a fallback is then shown from its fallback, with its note). While the view remembers, once
        a spec (the compare cells and their links and notes read each row's twice)."""
        memo = self._memo
        if memo is None:
            return self._shown(spec)
        key = id(spec)  # kept with its spec, so a spec made and dropped since cannot lend its id; Shown is frozen
        held = memo.get(key)
        if held is not None and held[0] is spec:
            return held[1]
        value = self._shown(spec)
        memo[key] = (spec, value)
        return value

    def _shown(self, spec: FactSpec | LineSpec) -> Shown | None:
        fmt = FORMATS[spec.format]
        out = fmt(self, self.get(spec.path) if spec.path else None, spec)
        fallback = spec.fallback
        if out is None and fallback:
            out = fmt(self, self.value(fallback[0]), spec)
            out = out and Shown(out.text, out.href, fallback[1])
        return out

    def fact(self, spec: FactSpec) -> Fact | None:
        """One fact of a group: its text, link and note, or None when it is left out (ifKnown, not known)."""
        facts = self._facts((spec,))
        return facts[0] if facts else None

    def line_note(self, spec: LineSpec) -> str | None:
        """A card line's or compare row's declared ``note`` (face.json ``{path, text}``, as a page's fact's) filled in
        with its date and that date's age, or None when it declares none, the date is not known, or the line's own
        fact is no (a date saying since when something is so is never said beside "No": a hand-edited profile's
        dormant: no with a dormant_since); with ``noteWith: no``, a note of since when it is no ("no registered manager
        since ..."), said beside "No" alone."""
        if not spec.note:
            return None
        no = spec.path is not None and self.get(spec.path) is False
        if no != (spec.options.get("noteWith") == "no"):
            return None
        return self._dated_note(spec.note)

    def _dated_note(self, note: tuple[str, str] | None) -> str | None:
        """A declared note (its date's path, its text) filled in (_note), or None when its date is not known."""
        if note is None:
            return None
        value = self.get(note[0])
        when = nice_date(value)
        return self._note(note[1], value, when) if when else None

    def _note(self, text: str, value: Any, when: str, given_to: str = "", options: Mapping[str, Any] | None = None) -> str:
        """A fact's note with its date, that date's age, the CQC register's date it is as at and, for a past rating CQC
        gave an earlier registration ({given}: the fact's ``givenTo`` field, ``given_to``, names it), that it was given
        to an earlier registration (the card's rating words), and, for a date before this registration began
        ({earlier}: a report CQC published of the earlier one), that it was about the earlier one, in the fact's
        ``options`` words (``earlier``; ``earlierNamed`` when its link names the earlier registration), filled in."""
        text = text.replace("{date}", when).replace("{age}", self.age(value))
        if "{given}" in text:  # only where CQC's own entry for that rating names the registration it gave it to
            text = text.replace("{given}", self.given_words(given_to) if given_to else "")
        if "{register}" in text:  # a few notes name it: the register's date worked out only for them
            text = text.replace("{register}", nice_date(self.register_date) if self.register_date else VALUES.not_known.lower())
        if "{earlier}" in text:  # a date before this registration began is its earlier registration's (CQC's history)
            since, day = _date(self.get("cqc.registered_since")), _date(value)
            # the fact's own words: "earlierNamed" when its link already says it is the earlier registration's report
            words = str((options or {}).get("earlierNamed" if self.report_of_earlier else "earlier", ""))
            text = text.replace("{earlier}", words.replace("{date}", nice_date(since)) if since and day and day < since else "")
        return text

    def _facts(self, specs: tuple[FactSpec, ...]) -> list[Fact]:
        """``fact(spec)`` of each of ``specs`` that is not left out, in one loop (a page has about 37): each as
        ``_shown(spec)`` words it, not remembered (shown), since a page's facts are worded once and no compare
        row or card line is a page's fact."""
        by_path, get, out = self.s.by_path, self.get, []
        not_offered = self.not_offered_paths
        for spec in specs:
            path = spec.path
            fmt = FORMATS[spec.format]
            shown = fmt(self, get(path) if path else None, spec)
            owner = by_path[path].owner if path else "provider"
            asked_of = None
            if shown is None and spec.fallback:  # _shown's fallback: its value is its own owner's (CQC's phone)
                fallback = spec.fallback
                shown = fmt(self, self.value(fallback[0]), spec)
                shown = shown and Shown(shown.text, shown.href, fallback[1])
                if shown is not None:
                    asked_of = owner if spec.options.get("askedOnFallback") else None
                    owner = by_path[fallback[0].split(HOLDS, 1)[0]].owner
            if shown is None:
                if not spec.if_known and path not in not_offered:
                    out.append(Fact(spec.label, None, None, note=None, owner=owner, short=spec.short))
                continue
            note = shown.note
            if note is None and spec.note:
                when = nice_date(get(spec.note[0]))
                note = (self._note(spec.note[1], get(spec.note[0]), when, str(spec.options.get("givenTo") or ""), spec.options)
                        if when else None)
            out.append(Fact(spec.label, shown.text, shown.href, note=note, owner=owner, short=spec.short, asked_of=asked_of))
        return out

    def group(self, spec: GroupSpec, of_kind: str | None = None) -> Group:
        """One group of the page; ``of_kind``: the title of the kind whose face declares it, where that is not the page's
        own kind: the provider's facts of it are said to be given by the service as that kind calls it (title_noun: "the
        agency"), and those it has not given are asked of it as that kind (unknowns)."""
        when = DATES[spec.date](self) if spec.date in DATES else _date(self.get(spec.date)) if spec.date else None
        g = Group(spec.id, spec.title, spec.source, when, spec.date_label, self.age(when) or None, kind=of_kind)
        if spec.stale_text and spec.stale:  # declared words: the group's own date against its staleness age
            g.stale = (spec.stale_text.replace("{date}", self.dated(when)).replace("{limit}", self.limits[spec.stale].words)
                       if self.stale(spec.stale, when) else None)
        else:
            g.stale = STALE[spec.stale](self) if spec.stale else None
        g.facts = self._facts(spec.facts)
        if not spec.table:  # a needs table's facts are its own; the declared source stands
            g.source = self._given_by(g.facts, title_noun(of_kind) if of_kind else None) or g.source
        label = spec.register_date
        register = self.register_date if label else None  # worked out only for a group that says it
        if label and register and register != when and any(f.owner == "cqc" for f in g.known_facts):
            g.also = (label, register, self.age(register))
        if spec.table == "capabilities":
            self._needs_table(g, spec.short or "which needs it can meet")
        return g

    def _given_by(self, facts: list[Fact], noun: str | None = None) -> str | None:
        """Who gave the facts of a group that are known, in the order first shown, in the owners' words ("Care
        Quality Commission register and the home"; the provider as ``noun`` calls it, else as the page's kind does):
        a group's source says who gave what it shows, not who could; None when none is."""
        owners = list(dict.fromkeys(f.owner for f in facts if f.text is not None or f.html is not None))
        if not owners:
            return None
        words = [f"the {noun or self.kind_words['noun']}" if o == "provider" else
                 "the " + SOURCES[o][4:] if SOURCES[o].startswith("The ") else SOURCES[o] for o in owners]
        text = and_list(words)
        return text[0].upper() + text[1:]

    def card_lines(self) -> list[str]:
        """The result card's lines, finished (with their "not known" wording), as the face declares them."""
        return self._card()[0]

    def card_links(self) -> dict[str, list[str]]:
        """Card line (its place, as text) -> [the words that are the link, the link], for lines that link
        (the CQC page); the lines themselves stay plain text."""
        return self._card()[1]

    @property
    def key_extra(self) -> list[str]:
        """The lines the first kind's key facts add after its own (face.json keyFacts: weekend admissions), then those
        its other kinds add (also_specs), finished as card lines are, "not provided yet" when not known."""
        return self._lines(self.face.key + self.also_specs)[0]

    @property
    def also_specs(self) -> tuple[LineSpec, ...]:
        """The card lines each other kind it is adds (face.json ``also``): a care home that is a home care agency too
        is shown as a care home, and its card, key facts and compare column say the agency's "Taking new clients:
        ..." as the agency's own card does. Empty for a location of one kind."""
        faces = self.faces
        return tuple(spec for f in faces[1:] for spec in f.also) if len(faces) > 1 else ()

    def _card(self) -> tuple[list[str], dict[str, list[str]]]:
        """(card_lines, card_links) in one pass over the face's card lines and those its other kinds add (also_specs;
        card_meta needs both: each line's text worked out once, not twice)."""
        return self._lines(self.face.card + self.also_specs)

    def _lines(self, specs: tuple[LineSpec, ...]) -> tuple[list[str], dict[str, list[str]]]:
        """Lines as a card's: each spec's template with its value, else its unknown wording (or left out), and the
        lines that link."""
        lines: list[str] = []
        links: dict[str, list[str]] = {}
        for spec in specs:
            shown = self.shown(spec)
            text = spec.template.replace("{label}", spec.label).replace("{value}", shown.text) if shown else spec.unknown
            if not text:
                continue
            said = self.line_note(spec) if shown else None
            if said:  # the line's own dated note, in brackets after it: "... dormant (since 18 June 2024, 1 year ago)"
                text = f"{text} ({said})"
            if shown and shown.href and (shown.link or shown.text) in text:
                links[str(len(lines))] = [shown.link or shown.text, shown.href]
            lines.append(text)
        return lines, links

    def card_meta(self) -> str:
        """The result card as the find page reads it from the search index's meta (search_index.card): base64 of
        {"address", "lines", "links", "cqc", "ring", "ringLink"} (the lines that link, the CQC page, and who to ring, with its
        number's tel: link: a line of every card, or the "not confirmed" paragraph's); read only to draw the card, never searched."""
        lines, links = self._card()
        card: dict[str, Any] = {"address": self.address_line or str(self.get("locality") or ""), "lines": lines, "cqc": self.cqc_url}
        ring = self._ring
        if ring:
            card["ring"] = ring[0]
            link = tel_link(ring[1])
            if link:  # the number in it, as a tel: link the find page places (withLink)
                card["ringLink"] = link
        if self.office_only:  # the find page measures its distance as its office's, not where it gives care
            card["office"] = True
        if self.covers_an_area:  # the find page ranks first those that cover the district searched
            covers = self.get("coverage.districts")
            if isinstance(covers, list) and covers:
                card["covers"] = [str(c).upper() for c in covers]
        if links:
            card["links"] = links
        return base64.b64encode(compact_bytes(card)).decode("ascii")

    def compare_cells(self) -> dict[str, str | None]:
        """Compare row id -> the finished cell, or None when not known (the page says so in one wording)."""
        return self._compare()[0]

    def _compare(self) -> tuple[dict[str, str | None], dict[str, list[str]], dict[str, str]]:
        """The compare cells and compare_extras' ``links`` and ``notes``, in one pass over the rows, each row's
        template with its label put in once for each schema and face (_compare_plan)."""
        rows = self._compare_plan()[0]
        closed = self.closed
        cells: dict[str, str | None] = {}
        links: dict[str, list[str]] = {}
        notes: dict[str, str] = {}
        worded = self._shown  # not remembered (shown): each row is read once here, cells, links and notes together
        not_offered = self.not_offered_paths
        for spec, template, gone in rows:
            shown = worded(spec)
            if closed and gone:  # a closed home offers no beds: never a count of free beds, nor their date
                cells[spec.id] = CLOSED_NO_BEDS
            elif shown is None and spec.path in not_offered:  # beds with nursing at a home without: not "not provided"
                cells[spec.id] = self.s.values.not_offered
            else:
                cells[spec.id] = template.replace("{value}", shown.text) if shown else None
            if shown:
                if shown.href:
                    links[spec.id] = [shown.link or shown.text, shown.href]
                said = "; ".join(filter(None, [shown.note, self.line_note(spec)]))
                if said:
                    notes[spec.id] = said
            if not closed and spec.options.get("alsoNote"):  # the row naming its kinds: what its other kinds add
                also = self._lines(self.also_specs)[0]
                if also:
                    notes[spec.id] = "; ".join([*filter(None, [notes.get(spec.id)]), *also])
        return cells, links, notes

    def _compare_plan(self) -> tuple[tuple[tuple[LineSpec, str, bool], ...], tuple[tuple[str, str], ...] | None, _Reads]:
        """Each compare row (spec, its template with the label put in, whether a closed home leaves it out: a
        path of CLOSED_LEAVES_OUT's groups), the (filter, path) of the answers home.json carries (None: no
        row is filled from them) and their fields' reads (_read_all: each a field, split once), once for each
        schema and face."""
        def make() -> tuple[tuple[tuple[LineSpec, str, bool], ...], tuple[tuple[str, str], ...] | None, _Reads]:
            face = self.face
            gone = {p for g in face.page if g.id in CLOSED_LEAVES_OUT for p in (g.date, *(f.path for f in g.facts))}
            rows = tuple((spec, spec.template.replace("{label}", spec.label), spec.path in gone) for spec in face.compare)
            # its own kind's filters that have a row (Face.filter_labels), each read as the find page's filter reads it
            # (Face.filter_reads: the derived value, providing_now or taking_now, not the field as stored; the first of
            # several options a service has answered)
            reads = face.filter_reads()
            answers = (tuple((key, reads[key]) for key in face.filter_labels())
                       if any(r.format == "filtered" for r in face.compare) else None)
            return rows, answers, _reads([read for _, read in answers or ()])

        return cast(tuple, _once_for(_SUMMARY_PLAN, (self.s, self.face), make))

    def unknowns(self, groups: list[Group] | None = None) -> list[Unknown]:
        """What the page does not know, one line per owner (the home first): facts sharing a short name
        are named once when all of them are missing, and one by one when only some are. A location of several kinds
        is asked for its other kinds' facts (their groups' facts it gives itself) as that kind, in a line of each
        after its own ("As a home care agency, it has not told us yet: ...": x-directory.unknowns.missingAsKind)."""
        groups = self.groups() if groups is None else groups
        every_missing: dict[str, bool] = {}  # short name -> whether every fact of the page with it is missing
        for g in groups:
            for o in g.facts:
                if o.short:
                    every_missing[o.short] = every_missing.get(o.short, True) and (o.missing or o.asked_of is not None)
        names: dict[str, list[str]] = {}
        as_kind: dict[str, list[str]] = {}  # another kind's title -> the facts it has not given as that kind
        last = len(UNKNOWN_ORDER)
        for g in sorted(groups, key=lambda g: _UNKNOWN_RANK.get(g.id, last)):
            for facts in (g.facts, g.table_missing):
                for f in facts:
                    if not f.missing and f.asked_of is None:  # not missing, nor shown from another owner's in its place
                        continue
                    short = f.short  # its short name when every fact with it is missing, else its label in lower case
                    name = short if short and every_missing.get(short, True) else lower_first(f.label)
                    owner = f.asked_of or f.owner
                    said = as_kind.setdefault(g.kind, []) if g.kind and owner == "provider" else names.setdefault(owner, [])
                    if name not in said:
                        said.append(name)
        noun = self.kind_words["noun"]
        if not self.description_html:
            names.setdefault(self.s.by_path["description"].owner, []).append(f"a description of the {noun}")
        leads = _per_schema(self.s)["leads"]
        if noun not in leads:  # who has not given them, in this order, worded for the kind: once a schema and noun
            leads[noun] = (["provider", *sorted(c for c in self.s.values.owners if c != "provider")],
                           {code: lead.replace(" home ", f" {noun} ") for code, lead in self.s.values.unknowns.missing_by.items()})
        order, by = leads[noun]
        out = [Unknown(code, by[code], names[code]) for code in order if names.get(code)]
        if as_kind:  # after the page's own kind's line (first: "provider")
            told = 1 if out and out[0].owner == "provider" else 0
            out[told:told] = [Unknown("provider", self.s.values.unknowns.as_kind(title), said) for title, said in as_kind.items()]
        if self.ungathered:  # the site holds none of these facts: it says so, and where to look them up
            not_held = self.s.values.unknowns.not_held_by
            out = [Unknown(u.owner, n.lead, u.items, n.url, n.parts(u.text))
                   if u.owner in self.ungathered and (n := not_held.get(u.owner)) else u for u in out]
        return out

    @property
    def availability_stale_text(self) -> str | None:
        if not self.availability_stale:
            return None
        return (f"The home last confirmed its free beds on {self.dated(self.beds_confirmed)}, more than "
                f"{self.limits['availability'].words} ago. This may be out of date: phone the home to check.")

    @property
    def rating_stale_text(self) -> str | None:
        if not self.rating_stale:
            return None
        return (f"This CQC rating may be out of date. It was published on {self.dated(self.rating_date)}, more than "
                f"{self.limits['rating'].words} ago. Check the CQC report for any newer inspection.")

    def confirmed_stale_text(self, key: str, what: str) -> str | None:
        """'The home last confirmed its fees on 2 May 2025 (1 year 7 months ago), more than 1 year ago...' when
        the group's date (capabilities.confirmed, fees.date) is older than its ``key`` threshold."""
        when = date_of(self.get(f"{key}.confirmed" if key == "capabilities" else f"{key}.date"))
        if not self.stale(key, when):
            return None
        return (f"The home last confirmed {what} on {self.dated(when)}, more than {self.limits[key].words} ago. "
                "This may be out of date: ask the home.")

    def _needs_table(self, g: Group, short: str) -> None:
        """Only the needs the home has answered; the rest are one line of the "not known yet" block."""
        rows = []
        get = self.get
        for label, accepted, nursing, residential, accepted_field in _per_schema(self.s)["needs"]:
            acc = get(accepted)
            if acc is None:
                g.table_missing.append(Fact(label, owner=(accepted_field or self.s.by_path[accepted]).owner, short=short))
                continue
            n, r = get(nursing), get(residential)
            rows.append([label, yes_no(acc) or "", "" if n is None else str(n), "" if r is None else str(r)])
        if rows and g.table_missing:
            n = len(g.table_missing)
            g.table_missing = [Fact(f"whether it can meet the other {n} need{'s' * (n != 1)} on the list", owner=g.table_missing[0].owner)]
        g.table = rows

    # --- machine-readable forms ------------------------------------------------------------------

    @property
    def json_ld_type(self) -> str:
        """Its schema.org type as its kinds declare it (x-directory.kinds' jsonLdType): that of the first type of place
        it is registered for that names one (a care home with nursing: MedicalBusiness), else its first kind's own."""
        flagged = [c.json_ld_type for k in self.kinds for c in k.capacity if c.flag and c.json_ld_type and self.get(c.flag) is True]
        return flagged[0] if flagged else self.kinds[0].json_ld_type

    def json_ld(self) -> dict:
        """The home as schema.org JSON-LD, using only types and properties of the current vocabulary
        (checked in tests/test_outputs_jsonld.py against the vocabulary schema-dts ships).

        Type: schema.org has no care home or nursing home type (``NursingHome`` does not exist), and no
        social care type at all. A home registered for nursing care is a ``MedicalBusiness`` (a LocalBusiness
        subtype "for medical purposes": nursing care is given by registered nurses and regulated as health
        care); a home without nursing gives personal care, not medical care, so it is the nearest type that
        fits, ``LocalBusiness`` itself, rather than a subtype that would misdescribe it.
        No ``aggregateRating``: the CQC rating is a regulator's judgement, not an average of reviews, and
        the directory holds no reviews. ``telephone`` and ``url`` appear only when the profile gives them.
        """
        doc: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": self.json_ld_type,
            "name": self.name,
            "identifier": self.d["location_id"],
        }
        if self.address_line:
            address = {"@type": "PostalAddress", "streetAddress": self.get("address.street"),
                       "addressLocality": self.get("address.town"), "postalCode": self.get("address.postcode"),
                       "addressRegion": self.get("locality"), "addressCountry": "GB"}
            doc["address"] = {k: v for k, v in address.items() if v}
        if self.get("address.latitude") is not None and self.get("address.longitude") is not None:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": self.get("address.latitude"), "longitude": self.get("address.longitude")}
        for key, path in (("telephone", "contact.phone"), ("email", "contact.email")):
            if self.get(path):
                doc[key] = self.get(path)
        if safe_url(self.get("contact.website")):
            doc["url"] = self.get("contact.website")
        if self.get("provider.name"):
            doc["parentOrganization"] = {"@type": "Organization", "name": self.get("provider.name")}
        return doc

    def summary(self) -> dict:
        """What the compare page reads for a shortlisted home (homes/<slug>/home.json): its name and every
        compare row's finished cell (None: not known, which the page words once); a closed home's mark and CQC page."""
        cells, links, notes = self._compare()
        out: dict[str, Any] = {"slug": self.slug, "name": self.name, "location_id": self.d["location_id"], "compare": cells}
        if self.closed:  # shortlisted before it closed: the compare page marks it, with its CQC page
            out |= {"closed": self.closed_short, "cqc": self.cqc_url}
        if len(face_kinds(self.s)) > 1:  # the compare page puts each kind's homes in a table of their own
            out["kind"] = self.face.kind  # the table it is compared in: its own kind's
            out["kinds"] = [k.id for k in self.kinds]  # every kind it is (a care home that is a home care agency too)
        out.update(self._extras(links, notes))
        return out

    def compare_extras(self) -> dict[str, Any]:
        """What the compare page adds to the cells: ``links`` (row id -> [the words that link, the link]),
        ``notes`` (row id -> a dated note, "rated 3 May 2023; source: ..."), ``at`` (latitude, longitude, for
        the distance from the search's postcode) and ``answers`` (filter -> "Yes", "No" or None, for the needs
        the person filtered for: yes where the find page lists it for that filter, no or not known as it reads it)."""
        _, links, notes = self._compare()
        return self._extras(links, notes)

    def _extras(self, links: dict[str, list[str]], notes: dict[str, str]) -> dict[str, Any]:
        lat, lon = self.get("address.latitude"), self.get("address.longitude")
        _, answers, reads = self._compare_plan()
        found = set(self.yes_filters) if answers and len(self.faces) > 1 else ()  # as the find page: either kind's yes
        return {"links": links, "notes": notes, "at": [lat, lon] if lat is not None and lon is not None else None,
                "answers": {key: yes_no(True if key in found else value)
                            for (key, _), value in zip(answers, self._read_all(reads), strict=True)}
                if answers is not None else {}}


# Values worked out from several fields, which facets and sorts may name like a field path.
DERIVED: dict[str, Callable[[HomeView], Any]] = {
    "free_total": lambda v: v.free_total, "has_free": lambda v: v.has_free, "fee_from": lambda v: v.fee_from,
    "free_total_now": lambda v: v.free_total_now, "has_free_now": lambda v: v.has_free_now,
    "free_nursing_now": lambda v: v.free_now("nursing"), "free_residential_now": lambda v: v.free_now("residential"),
    "rating_label": lambda v: v.rating_label, "free_band": lambda v: v.free_band, "fee_band": lambda v: v.fee_band,
    "taking_now": lambda v: v.taking_now, "hours_now": lambda v: v.hours_now, "hours_band": lambda v: v.hours_band,
    # yes where CQC's register says it is providing care (not dormant), no where it says it is not, unknown where it says
    # neither (CQC's care directory file has no such field): the find page's filter that leaves the dormant out
    "providing_now": lambda v: None if (d := v.get("cqc.dormant")) is None else d is not True,
}
# Dates a group may be dated by that are not one field (the face's page[].date).
DATES: dict[str, Callable[[HomeView], dt.date | None]] = {"register": lambda v: v.register_date}
# The staleness rules, each once: a plain warning, or None (the face's page[].stale).
STALE: dict[str, Callable[[HomeView], str | None]] = {
    "availability": lambda v: v.availability_stale_text, "rating": lambda v: v.rating_stale_text,
    "register": lambda v: v.register_stale,
    "capabilities": lambda v: v.confirmed_stale_text("capabilities", "the needs it can meet"),
    "fees": lambda v: v.confirmed_stale_text("fees", "its fees"),
    "homecare": lambda v: v.taking_stale_text,
}
