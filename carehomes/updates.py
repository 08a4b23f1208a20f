"""Updates from care homes that never touch YAML: issue forms (apply-update) and CSV (vacancies --from-csv).

Both read untrusted text, turn it into field values, and change a profile through the same
round-trip edit as ``vacancies`` (comments kept), checked with exactly the rules of ``check``.
Nothing is written unless every value of the update (or every row of the CSV) passes.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import difflib
import functools
import io
import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import forms
from .ages import age_words, nice_date
from .areas import Area, default_area
from .fsutil import NotRegularFile, ctrl_c_after, is_slug, not_written, read_regular
from .kinds import Kind, default_kind, kinds, kinds_of
from .load import MAX_DIGITS, display_path, errors, load_profile, load_text, parse_profile, profile_files, yaml_mapping
from .ownership import GitError, is_maintainer, stewards
from .problems import Problem, ProblemsFound
from .records import closed, flatten
from .safetext import cut, outside, plain, web_address
from .sources.nhs_ods import code_by_name
from .text import FULL_WIDTH, and_list, column_letter, slugify, typed_whole, with_article
from .schema import Field, Schema, load_schema
from .checks_external import check_one
from .validate import INVISIBLE, WRITTEN_EXAMPLES, check_profile, item_as_pattern, rounded_to
from .yamlio import NotWritten, plain_value, rt_delete, rt_dump, rt_load, rt_set, write_text_atomic, write_texts_atomic

NO_RESPONSE = "_No response_"
MAX_BODY = 64 * 1024
POLICY_KEY = "direct_updates"
KIND = default_kind()  # vacancies are the care homes' free beds, with and without nursing
DEFAULT_DIRECT = (*sorted({p for k in kinds()[1:] for p in forms.availability_paths(k)}),  # other kinds' availability,
                  *KIND.available_paths, *((KIND.confirmed,) if KIND.confirmed else ()))  # then the free beds and their date
LOCATION_ID = re.compile(r"[0-9A-Z][0-9A-Z-]{2,19}")
TRUST_LISTS = {"care.acute_trusts"}  # lists of NHS trusts' codes (schema/nhs-trusts.csv)
CODE_LISTS = set(TRUST_LISTS)  # lists of codes (and any list whose items the schema gives a pattern): a comma,
# semicolon, '&' or the word 'and' separates items, as people type them on one line ('OL1, OL2 and OL4')
FORMULA = re.compile(r"^[=+@\t\r]|^-(?![0-9])")


@dataclass
class Edit:
    """A profile's new text and what changed, or the problems that stopped it."""

    path: Path
    text: str | None
    changed: list[tuple[str, Any, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)  # free-place paths given as 0 for a type not registered
    sheet: str = ""  # the kind id of the capacity sheet it came from ("home_care_agency"), if any
    warnings: list[Problem] = field(default_factory=list)  # check's warnings on the values set: said, never a refusal


def not_applicable(values: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` without a 0 given for free places of a type CQC does not register the home for (its flag,
    such as care.residential, is no): true, but not applicable, so nothing is stored for it; and those paths.
    A count above 0 is kept, and refused by the check as before."""
    dropped = [p for p in unregistered(data) if values.get(p) == 0 and not isinstance(values.get(p), bool)]
    return {p: v for p, v in values.items() if p not in dropped}, dropped


def unregistered(data: dict[str, Any]) -> list[str]:
    """The paths of the free places of each type CQC does not register the home for (its flag, such as
    care.residential, is no), in the kind's order."""
    return [str(c.available) for c in KIND.capacity if c.flag and c.available and _get(data, c.flag) is False]


def not_applicable_words(path: str, name: str) -> str:
    """'residential_free: 0 is not applicable: CQC does not register this home for care without nursing
    (care.residential is no), so nothing is stored for it', with the field named as the reader knows it."""
    c = next(c for c in KIND.capacity if c.available == path)
    return (f"{name}: 0 is not applicable: CQC does not register this home for care {c.label} "
            f"({c.flag} is no), so nothing is stored for it")


def closed_words(data: dict[str, Any]) -> str | None:
    """Why a service's page takes no update: CQC has deregistered it, or it is missing from the latest register
    (records.closed), so its page is kept marked closed, as it was when it closed; None for one still open, or whose
    status is none the schema allows (a lower-case 'deregistered': check names that problem). The name as a terminal
    shows it (safetext.plain: one line)."""
    status, statuses = _get(data, "cqc.status"), load_schema().values.statuses
    if not closed(data) or status not in statuses:
        return None
    name, when = plain(data.get("name") or data.get("slug") or "this service"), nice_date(_get(data, "cqc.status_date"))
    said = (f"CQC's register says {name} was deregistered{f' on {when}' if when else ''}"
            if status == statuses[1] else
            f"{name} is missing from the latest CQC register{f' (since {when})' if when else ''}")
    return (f"{said}, so its page is kept marked closed and takes no updates or claims; if it is still open, ask CQC "
            "to correct its register")


def dormant_words(data: dict[str, Any]) -> str | None:
    """What a reply says of an availability given for a service CQC records as dormant (registered, giving no care
    now): its page and card say so beside the answer; None for any other."""
    if _get(data, "cqc.dormant") is not True:
        return None
    since = nice_date(_get(data, "cqc.dormant_since"))
    return (f"CQC records {data.get('name') or data.get('slug')} as dormant, not providing care at the moment"
            f"{f' (since {since})' if since else ''}: its page and its card say so beside this answer. If it gives care "
            "again, tell CQC, so that its register says so")


def dates_nothing(data: dict[str, Any], values: Collection[str], schema: Schema) -> list[list[str]]:
    """For each kind whose availability date ``values`` sets while the profile (as edited) holds none of the facts it
    dates, those facts (but a kind of bed CQC does not register the home for), in the schema's order: a date alone
    (an empty row, a form with only the date, ``--unchanged``) would show free places as checked that were never
    given, and take the service off the list of those never asked."""
    out = []
    for k in kinds_of(data, schema):
        if not k.confirmed or k.confirmed not in values or _get(data, k.confirmed) is None:
            continue
        dated = forms.availability_paths(k) - {k.confirmed}
        unregistered = {c.available for c in k.capacity if c.flag and _get(data, c.flag) is False}
        facts = sorted(dated - unregistered, key=list(schema.by_path).index)
        if facts and all(_get(data, p) is None for p in dated):  # one of a kind not registered: check refuses it
            out.append(facts)
    return out


def nothing_to_date(shown: str, facts: list[str], schema: Schema) -> Problem:
    """A date alone in profile ``shown`` (dates_nothing) as check words it, on the first of the facts it would date."""
    zero = " (0 if none)" if all(schema.by_path[p].type != "boolean" for p in facts) else ""
    what = "the number" if len(facts) == 1 else schema.values.or_list(facts)
    return Problem(shown, 1, facts[0], f"is not given, here or on the page, so there is nothing for the date to confirm; "
                                       f"give {what}{zero}")


def edit_profile(path: Path, values: dict[str, Any], on: dt.date, display: str | None = None,
                 schema: Schema | None = None, today: dt.date | None = None) -> Edit:
    """Set ``values`` (dotted path -> value) in a profile, stamp the group's date, and check the result as of
    ``today`` (default ``on``: an issue edited later is judged as of its edit, its dates stamped as of ``on``).

    A value given for capabilities or fees sets that group's confirmation date to ``on``, and free beds set
    beds.confirmed (the date of the free beds, not of the beds there are), unless the date is given too (a
    manager who re-enters the same numbers confirms them). Only check's errors stop the edit, as for ``vacancies``;
    its warnings on the values set are kept in ``warnings`` (a warning on a fact not set is no news of this edit)."""
    schema = schema or load_schema()
    today = today or on
    values = dict(values)
    shown = display or display_path(path)
    try:
        doc = rt_load(path, shown)
        if not isinstance(doc, dict):
            return Edit(path, None, [], [Problem(shown, 1, "file", "must be a list of 'key: value' lines, starting with location_id:")])
        # a removal of what the page does not hold changes (and dates) nothing; the rest stamp their sets' dates
        typed = {p for p, v in values.items() if isinstance(v, dt.date)}  # dates given with the update, not stamped
        values = _stamped(unheld_removals(values, doc), on, schema)
        emptied = _emptied_sets(doc, values, schema)
        for date_path in emptied:  # a set's every answer taken off: its date goes with them
            values[date_path] = REMOVED
        before = {p: plain_value(_get(doc, p)) for p in values}
        for dotted, value in values.items():
            if value is REMOVED:
                rt_delete(doc, tuple(dotted.split(".")))
                continue
            if isinstance(value, dt.date):  # a fresh object each time: ruamel writes a shared one as an alias
                value = dt.date.fromordinal(value.toordinal())
            rt_set(doc, tuple(dotted.split(".")), value, schema)
        text = rt_dump(doc, shown)
    except ProblemsFound as exc:  # the reader refused the file (too deep, not UTF-8, ...) or it cannot be written back
        return Edit(path, None, [], exc.problems)
    except (TypeError, AttributeError):  # a group to set a value in is not a group ('beds: 3'): check says which
        original, problems = load_text(path, shown=shown)
        profile, problems = parse_profile(original, shown) if original is not None else (None, problems)
        found = errors(check_profile(profile, schema, on=today) if profile else problems)
        group = next(iter(values), DEFAULT_DIRECT[-1]).split(".")[0]
        return Edit(path, None, [], found or [Problem(shown, 1, group, "must be a group of 'key: value' lines; "
                                                                        "compare it with providers/_template.yaml")])
    profile, problems = parse_profile(text, shown)
    if profile is not None:
        problems = check_one(profile, schema, on=today)
        # 'free beds are given without beds.confirmed' only repeats the problem with the date given
        problems = [p for p in problems if not (p.field in forms.DATE_FOR_GROUP and forms.DATE_FOR_GROUP[p.field] in values)]
        problems += [nothing_to_date(shown, facts, schema) for facts in dates_nothing(profile.data, values, schema)]
    warned = [p for p in problems if p.severity != "error" and p.field in values]
    # a date typed beside the last answers it dates, all taken off: not kept, and said (it was dropped without a word)
    warned += [Problem(shown, 1, d, "was not kept: every answer it dates was taken off, so the date goes from the page with "
                                    "them", severity="warning") for d in emptied if d in typed]
    problems = errors(problems)
    changed = [(p, before[p], None if v is REMOVED else v) for p, v in values.items()
               if before[p] != (None if v is REMOVED else plain_value(v))]
    return Edit(path, None if problems else text, changed, problems, warnings=warned)


def _stamped(values: dict[str, Any], on: dt.date, schema: Schema) -> dict[str, Any]:
    """``values`` with the date of each dated group they give a fact of (capabilities, fees, free beds, another kind's
    dated facts) set to ``on``, unless it is given too."""
    for group, date_path in forms.DATE_FOR_GROUP.items():
        dated = KIND.available_paths if date_path == KIND.confirmed else None  # a new total is no news of free beds
        if date_path not in values and any(p in dated if dated else p.split(".")[0] == group for p in values):
            values[date_path] = on
    for k in kinds(schema)[1:]:  # another kind's dated facts (an agency's taking new clients) stamp their date
        for date_path, facts in k.dated:
            if date_path not in values and any(p in facts for p in values):
                values[date_path] = on
    return values


def _emptied_sets(doc: Any, values: dict[str, Any], schema: Schema) -> list[str]:
    """The dates (merge.fact_dates: fees.date, capabilities.confirmed, staffing.date, user_rating.date, an agency's dated
    groups) that ``values`` leaves dating no answer, at least one of them taken off by this update (REMOVED): a date
    goes from the page with the last answer it dates (not an availability date: its answers cannot be removed)."""
    from .merge import fact_dates

    dates, held = fact_dates(schema), flatten(doc)
    out = []
    for date in {dates[p] for p, v in values.items() if v is REMOVED and p in dates and dates[p] != p}:
        facts = {p for p in (*held, *values) if dates.get(p) == date and p != date}
        if held.get(date) is not None and all(values.get(p, held.get(p)) in (None, REMOVED) for p in facts):
            out.append(date)
    return sorted(out)


def _get(doc: Any, dotted: str) -> Any:
    node = doc
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def find_home(providers: Path, home: str) -> Path | None:
    """The profile of a home given by its slug (file name), its page's address, its CQC location ID, or its name as its
    page shows it ('Aston House', when no other home has that name)."""
    return Homes(providers).find(home)


class Homes:
    """find_home for many homes in one folder (a vacancy sheet's rows): the location IDs and the names of its profiles
    are each read once, when first needed."""

    def __init__(self, providers: Path) -> None:
        self.providers = providers

    @functools.cached_property
    def index(self) -> dict[str, Path]:
        """location_index(providers)."""
        return location_index(self.providers)

    @functools.cached_property
    def names(self) -> dict[str, Any]:
        """page_names(providers)."""
        return page_names(self.providers)

    @functools.cached_property
    def _named(self) -> dict[str, list[str]]:
        """Each name as a page name would write it -> the pages of that name."""
        named: dict[str, list[str]] = {}
        for stem, name in self.names.items():
            if isinstance(name, str):
                named.setdefault(slugify(name), []).append(stem)
        return named

    def find(self, home: str) -> Path | None:
        """The profile of the home ``home`` names (find_home), or None."""
        providers, home = self.providers, home.strip()
        page = re.search(r"/homes/([a-z0-9-]+)/?(index\.html)?$", home)  # the page's address, pasted
        home = page.group(1) if page else home
        if is_slug(home) and (providers / f"{home}.yaml").is_file():
            return providers / f"{home}.yaml"
        if LOCATION_ID.fullmatch(home.upper()) and (found := self.index.get(home.upper())):
            return found
        typed = slugify(home) if re.search(r"[A-Za-z0-9]", home) else ""
        if not typed:
            return None
        if is_slug(typed) and (providers / f"{typed}.yaml").is_file():  # 'Aston-House', 'aston house'
            return providers / f"{typed}.yaml"
        named = self._named.get(typed, [])
        return providers / f"{named[0]}.yaml" if len(named) == 1 else None


def _name(path: Path) -> Any:
    profile, _ = load_profile(path)
    return profile.data.get("name") if profile is not None else None


def page_names(providers: Path) -> dict[str, Any]:
    """Each profile's page name (its file name without .yaml) -> its name, in order (what near_home offers from)."""
    return {f.stem: _name(f) for f in sorted(profile_files([providers]), key=lambda f: f.stem)}


def near_home(providers: Path, home: str, names: dict[str, Any] | None = None) -> str:
    """For a page name that is no page's, the pages to offer, each with its name (" (did you mean
    ashfield-house-leominister, the page of Ashfield House - Leominister?)"): the homes of that name (when more than
    one has it), else the pages it starts, else the nearest by spelling; else ''. ``names``: page_names(providers),
    when the caller has them (a spreadsheet with several rows to name)."""
    typed = slugify(home.strip())
    names = page_names(providers) if names is None else names
    stems = list(names)
    near = ([s for s, n in names.items() if isinstance(n, str) and slugify(n) == typed]
            or [s for s in stems if s.startswith(f"{typed}-")] or difflib.get_close_matches(typed, stems, n=1, cutoff=0.85))
    offered = [f"{s}, the page of {names[s]}" if isinstance(names[s], str) else s for s in near[:3]]
    return f" (did you mean {' or '.join(offered)}?)" if offered else ""


def location_index(providers: Path) -> dict[str, Path]:
    """CQC location ID -> profile file, for every profile that can be read."""
    out: dict[str, Path] = {}
    for f in profile_files([providers]):
        profile, _ = load_profile(f)
        if profile is not None and isinstance(profile.data.get("location_id"), str):
            out.setdefault(profile.data["location_id"], f)
    return out


# --- issue forms ----------------------------------------------------------------------------------


@dataclass
class Result:
    """What apply-update did, for the workflow (written as JSON) and for the issue comment."""

    status: str  # applied, unchanged, refused, invalid, or failed (the profile could not be saved: a full disk)
    home: str | None = None
    name: str | None = None
    path: str | None = None
    mode: str | None = None  # commit (straight to main) or pull-request
    issue: int | None = None
    changed: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # answers accepted and stored as nothing (not applicable)
    council_email: str | None = None  # the directory team's address, when an error names it
    # nothing in the request to correct by editing it (another text, too long, or answers naming two pages): the reply
    # says to open a new form from the page (NEW_FORM), not how to edit the answers
    no_answers: bool = False
    links: list[str] = field(default_factory=list)  # our own links in the errors (claim_url): the reply links them

    @property
    def branch(self) -> str | None:
        return f"provider-update/issue-{self.issue}" if self.issue is not None else None

    @property
    def commit_message(self) -> str:
        what = "vacancies" if self.mode == "commit" else "details"
        return f"Update {what} for {self.home}" + (f" (issue #{self.issue})" if self.issue is not None else "")

    def comment(self) -> str:
        """The issue comment, in Markdown; every value from the form is escaped."""
        if self.status == "failed":  # the error says what the council must mend; the manager has nothing to do
            return with_email("This update was not made, because of a problem on our side: the directory could not "
                              "save it. You do not need to change or send anything: someone from the council will put "
                              "it right and make this update.\n",
                              self.council_email)
        if self.status in ("refused", "invalid"):
            # an error is our sentence around a short answer (each cut where it is quoted): whole, with the council's
            # contact at its end, not cut at md_safe's 300 characters for one outside value
            lines = "\n".join(f"- {our_examples(md_safe(e, ERROR_LIMIT))}" for e in self.errors)
            for link in self.links:  # built by us from the settings, quoted by form_url: linked, not broken up
                lines = lines.replace(md_safe(link, None), f"<{link}>")
            tail = ("" if self.status != "invalid" else NEW_FORM if self.no_answers else
                    "To correct your answers, select the 3 dots (**...**) at the top right of your request, then **Edit**. "
                    "Change the answers and select **Update comment**. We check them again straight away.")
            return with_email(f"This update was not made.\n\n{lines}\n\n{tail}".rstrip() + "\n", self.council_email)
        notes = "".join(f"- {our_examples(md_safe(n, ERROR_LIMIT))}\n" for n in self.notes)
        notes = f"\n{notes}" if notes else ""
        if self.status == "unchanged":
            return f"Nothing needed changing: the page for **{md_safe(self.name or '')}** already says this.\n{notes}"
        from .face import money_paths

        schema = load_schema()
        paid = money_paths(schema)  # '£24.50', as the page shows it, not '24.5'
        # a web or email address as kept, in code (no link, no mention), not broken up as 'https[:]//www[.]...'
        coded = {p for p, f in schema.by_path.items() if f.format in ("uri", "email")}

        def cells(c: dict[str, Any]) -> str:
            field = c.get("field")
            return " | ".join(_cell(c[when], field in paid, field in coded) for when in ("before", "after"))
        rows = "\n".join(f"| {md_safe(c['label'])} | {cells(c)} |" for c in self.changed)
        head = (f"Thank you. The page for **{md_safe(self.name or '')}** now says:" if self.mode == "commit" else
                f"Thank you. Someone from the council will check this change to **{md_safe(self.name or '')}** "
                "before it goes on the site:")
        foot = ("The site shows the change within a few minutes." if self.mode == "commit" else  # merging closes the issue
                "We close this request when they accept the change, and the site shows it a few minutes later.")
        return f"{head}\n\n| What | Before | Now |\n|---|---|---|\n{rows}\n{notes}\n{foot}\n"

    def to_json(self) -> str:
        data = asdict(self)
        data.update(branch=self.branch, commit_message=self.commit_message, comment=self.comment())
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


# The reply's last line to a request that holds no form's answers: editing it would not help, a form from the page does.
NEW_FORM = ("At the bottom of your page in the directory, under **Update this page**, select the form you need: it opens "
            "with your page filled in. You can close this request.")
ERROR_LIMIT = 1200  # characters of one error line in a reply (the longest of ours is about 400)


def md_safe(text: str, limit: int | None = 300) -> str:
    """Untrusted text for a Markdown comment: ``safetext.outside`` (no markup, links, mentions or line breaks)."""
    return outside(text, limit)


@functools.lru_cache(maxsize=1)
def _examples() -> tuple[str, ...]:
    """What our messages give as an example to type: each web address field's example in the schema
    ('https://www.example.org/example-house') and how to write a link in a description."""
    found = {str(f.example) for f in load_schema().by_path.values() if f.format == "uri" and f.example}
    return tuple(sorted({*found, *WRITTEN_EXAMPLES}, key=lambda e: (-len(e), e)))  # the longest first


_SCHEME_ALONE = re.compile(r"\b(https?)\\\[:\\\]//(?=[\s,]|\\\)|$)")  # 'https://' as md_safe writes it, with no address after


def our_examples(line: str) -> str:
    """A reply's line (written by ``md_safe``) with our own examples shown as typed, in code (no link, no markup):
    'like https[:]//www[.]example.org/example-house' and 'start with https[:]// or http[:]//' read as they are
    written. The manager's own text stays as md_safe wrote it: only whole examples and a bare 'https://' are put
    back, which in code link nowhere."""
    for example in _examples():  # whole: not the start of a longer address
        line = re.sub(re.escape(md_safe(example, None)) + r"(?![\w/~%-]|\.\w)", f"`{example}`", line)
    return _SCHEME_ALONE.sub(r"`\1://`", line)


def _cell(value: Any, money: bool = False, code: bool = False) -> str:
    """A value in the reply's table, as _value_words says it, safe in Markdown; "not given" for none. With ``code`` (a web
    or email address), as typed in a code span, where GitHub makes no link or mention, when it holds nothing a code span
    or a table cell could take for its own (a backtick, a bar, a backslash, a space or a line break); else as md_safe
    writes any text."""
    if value is None:
        return "not given"
    words = _value_words(value, money)
    if code and re.fullmatch(r"[^`|\\\s]{1,120}", words):
        return f"`{words}`"
    return md_safe(words, 120)


def _value_words(value: Any, money: bool = False) -> str:
    """A profile's value as a reply says it: Yes or No, a list ("Oldham; Royton"), a date (2026-11-23), a sum of money
    (``money``) as the page shows it ("£1,420.50")."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if money and isinstance(value, int | float):
        from .face import money as pounds

        return pounds(value) or ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def named_page(answers: dict[str, str | None], labels: Collection[str], default: str) -> tuple[str, str | None, list[str]]:
    """The page an issue is for, under whichever of ``labels`` (each kind's) it answers, each taken out of ``answers``:
    the label (the first answered, in the issue's order; ``default`` when none is there), its answer, and the labels
    answered when they name different pages (else [])."""
    pages = [(label, answers.pop(label)) for label in list(answers) if label in labels]
    label, value = next(((label, value) for label, value in pages if value), pages[0] if pages else (default, None))
    differing = [label for label, value in pages if value] if len({value for _, value in pages if value}) > 1 else []
    return label, value, differing


_HEADING_MARKS = re.compile("[\u2018\u2019\u02bc\u02b9\u0060\u00b4\u2032\uff07]")  # apostrophe look-alikes in a heading


def parse_body(text: str, schema: Schema | None = None,
               known: set[str] | None = None) -> tuple[dict[str, str | None], list[str]]:
    """The answers in an issue made from a form: label -> text (None for '_No response_').

    GitHub writes each answer as '### <label>', a blank line and the answer. Headings that are
    not labels of the forms (or of ``known``) are part of the answer above them."""
    known = known or {*forms.page_name_labels(schema), *forms.labels(schema)}
    answers: dict[str, list[str]] = {}
    errors: list[str] = []
    current: list[str] | None = None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # a saved body's BOM
    # line and paragraph separators pasted from Word or a PDF: line breaks in an answer (YAML readers disagree on them)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    stray: list[tuple[str, bool]] = []  # (heading, within an answer)
    by_case = {label.casefold(): label for label in known}
    for line in text.split("\n"):
        m = re.fullmatch(r"###(?!#)\s*(.+?)(?:\s+#+)?\s*", line)
        # "Your home’s page name" as an editor may have written it: its apostrophe curled or another look-alike, its
        # spaces no-break ones, an invisible character, another case, a closing ### (the reviews of the rule)
        heading = " ".join(_HEADING_MARKS.sub("'", INVISIBLE.sub("", m.group(1))).split()) if m else None
        heading = by_case.get(heading.casefold(), heading) if heading is not None else None
        if heading is not None and heading in known:
            if heading in answers:
                errors.append(f"{heading}: appears twice in this issue; keep only one of them")
                current = None
                continue
            current = answers[heading] = []
        else:
            if heading is not None and len(stray) < 5:  # a heading of no question: said (before the first: dropped)
                stray.append((heading, current is not None))
            if current is not None:
                current.append(line)
    errors += [f"'### {cut(h, 60)}' is not a question of these forms, so it was read as part of the answer above it; "
               "delete it, or write it without the ###" if within else
               f"'### {cut(h, 60)}' is not a question of these forms, so its answer was not read; delete it" for h, within in stray]
    out: dict[str, str | None] = {}
    for label, lines in answers.items():
        value = "\n".join(lines).strip()
        out[label] = None if value in ("", NO_RESPONSE) or value.startswith(NO_RESPONSE) else value
        if value.startswith(NO_RESPONSE) and value != NO_RESPONSE:  # words added after an answer left empty: said once
            added = cut(" ".join(value.removeprefix(NO_RESPONSE).split()), 60)  # on one line, as a reply quotes it
            errors.append(f"{label}: you wrote '{added}' after '{NO_RESPONSE}' (GitHub adds '{NO_RESPONSE}' when a "
                          f"question is left empty). If '{added}' is your answer, delete '{NO_RESPONSE}'. If it is a "
                          f"note or a signature, delete '{added}'")
    return out, errors


# The unit words a count may be typed with, by its kind's unit (x-directory.kinds: unit): an agency's hours a week as
# '20 hours', '20 hrs', '20h' or '20 hours a week'; never another unit's ('20 hours a day', '20 beds': check refuses them)
UNITS_TYPED = {"hours a week": r"(?:h|hrs?|hours?)\.?(?:\s*(?:(?:a|per)\s+|/\s*)(?:week|wk)\.?|\s+weekly|\s*pw)?"}
UNIT_WORDS = {path: UNITS_TYPED[k.unit] for k in kinds() if k.unit in UNITS_TYPED
              for c in k.capacity for path in (c.total, c.available) if path}


class _Removed:
    """A details form's answer that takes its fact off the page (forms.REMOVE): a value no profile holds."""

    def __repr__(self) -> str:
        return "REMOVED"


REMOVED = _Removed()
REMOVE_DATE = (f"a date cannot be taken off on its own ({forms.REMOVE}): it goes from your page with the last answer it "
               "dates; leave it empty, or type the date")
REMOVE_HERE = (f"{forms.REMOVE} takes an answer off your page only in the details form; here, give the answer as it is now "
               "(0 for none)")


def removes(raw: str) -> bool:
    """Whether a form answer asks to take its fact off the page: REMOVE, or the list's last choice "Remove the answer",
    in any case, full-width letters as others, in bold or quotes, with a full stop or not."""
    text = unicodedata.normalize("NFKC", raw).strip().strip("*_\"'`").strip().rstrip(".!").strip().casefold()
    return text in (forms.REMOVE.casefold(), forms.REMOVE_OPTION.casefold())


def unheld_removals(values: dict[str, Any], data: Any) -> dict[str, Any]:
    """``values`` less the removals of facts the page does not hold: no change (nor a set's date stamped for one)."""
    return {p: v for p, v in values.items() if v is not REMOVED or _get(data, p) is not None}


def form_value(f: Field, raw: str) -> Any:
    """A form answer as the value a profile holds; anything unexpected stays text for check to report.

    Numbers may be typed with full-width digits (a full-width '２' is 2, a superscript '²' is no digit), a pound sign, commas or a
    percent sign, and a count of hours with its unit ('20 hours', '20h': UNIT_WORDS); a whole number with commas or
    spaces only between groups of three figures ('1,000', '12 345'; not '1,00', which stays text for check); dates as
    YYYY-MM-DD or as 23/11/2026."""
    s = raw.strip()
    if f.type in ("integer", "number"):
        # full-width '－', not '²'
        clean = re.sub(r"[£,%\s]", "", s.translate(FULL_WIDTH)) if f.type == "number" else ungrouped(s.translate(FULL_WIDTH))
        digits = typed_whole(clean, UNIT_WORDS.get(f.path, ""))  # '20 hours' where the field counts hours
        if digits is not None and len(digits.lstrip("-")) <= MAX_DIGITS:  # longer: check says how long it is
            return int(digits)
        if f.type == "number" and re.fullmatch(r"[0-9]{1,9}\.[0-9]{1,4}", clean):
            value = float(clean)
            return int(value) if value.is_integer() else value  # '1,250.00': 1250 in the profile, not 1250.0
        return s
    if f.type == "boolean" and s.lower() in ("yes", "no"):
        return s.lower() == "yes"
    if f.type == "date":
        return typed_date(s)
    if f.type == "list":
        items = [re.sub(r"^[-*]\s+", "", item.strip()) for item in s.split("\n") if item.strip()]
        if f.path in TRUST_LISTS:  # a line that is a trust's whole name is its code ('Wye Valley NHS Trust' is RLQ)
            items = [code_by_name(item) or item for item in items]
        if f.path in CODE_LISTS or f.item_pattern:  # codes typed on one line, 'RLQ, RWP' or 'OL1; OL2', are a list too
            items = [code.strip() for item in items for code in re.split(r"[,;&]|\s+and\s+", item, flags=re.I) if code.strip()]
        else:  # names typed on one line, 'Oldham, Chadderton; Royton', are a list too ('Shaw and Crompton' is one town)
            items = [name.strip() for item in items for name in re.split(r"[,;]", item) if name.strip()]
        if f.item_pattern:  # 'ol1', 'OL 2', 'OL4 4TZ' read as the district each means; other text stays for check
            items = [item_as_pattern(item, f.item_pattern) or item for item in items]
        return items
    if getattr(f, "format", None) == "uri" and re.fullmatch(r"www\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?", s):
        return "https://" + s  # 'www.example.co.uk', as a website is often written: the reply shows what is kept
    uk = re.fullmatch(r"\+44\s*(?:\(0\)\s*)?([1-9][0-9 ]{8,12})", s) if "pattern" in f.constraints and \
        f.constraints["pattern"].startswith("0") else None
    if uk:  # '+44 1568 612345' or '+44 (0)1568 612345', as the page writes a UK number: '01568 612345'
        return "0" + uk.group(1)
    return s if f.name == "description" else raw.strip()


# a first group never starting 0 ('0,000' is no grouped number: it was read as 0, the hostile review)
GROUPED_WHOLE = re.compile(r"\s*(-?[1-9][0-9]{0,2}(?:,[0-9]{3})+|-?[1-9][0-9]{0,2}(?: [0-9]{3})+)(?![0-9,.])")


def ungrouped(text: str) -> str:
    """``text`` with the commas (or spaces) of a whole number it starts with taken out when they stand only between groups
    of three figures, as number_typo reads them ('1,000 hours' is '1000 hours'); else ``text`` as it is ('1,00')."""
    m = GROUPED_WHOLE.match(text)
    return re.sub("[, ]", "", m[1]) + text[m.end():] if m else text


SLASHED_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")  # 23/11/2026, as Excel in the UK writes a date


def typed_date(text: str) -> dt.date | str:
    """A date typed as YYYY-MM-DD or as Excel in the UK writes it, 23/11/2026; anything else, or a
    day that does not exist, stays the text (check or the caller says what is wrong with it). Full-width figures
    ('２０２６－１２－０１', as a phone's keyboard may type them) are read as the figures they are."""
    s = text.strip()
    ascii_ = s.translate(FULL_WIDTH)
    m = SLASHED_DATE.fullmatch(ascii_)
    iso = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else ascii_
    try:
        return dt.date.fromisoformat(iso) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", iso) else s
    except ValueError:
        return s


def date_typo(text: str) -> str | None:
    """For text written like a date (YYYY-MM-DD or DD/MM/YYYY) whose day does not exist, what is wrong,
    quoting it as typed (check would quote it rewritten as YYYY-MM-DD); else None."""
    s = text.strip()
    ascii_ = s.translate(FULL_WIDTH)  # full-width figures as typed_date reads them
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", ascii_) and isinstance(typed_date(s), str):
        swapped = month_first_meaning(ascii_)  # '11/30/2026', month first as in the US: say the day-first date it may mean
        return (f"'{s}' is not a real date; dates are read day first: for {nice_date(swapped)}, type "
                f"{swapped:%d/%m/%Y}" if swapped else f"'{s}' is not a real date; check the day and month")
    return None


def number_typo(f: Field, text: str) -> str | None:
    """For a number typed so that reading it would guess (the hostile-input review: '1,15' was read as 115, '1.250'
    as £1.25, both published), what is wrong, quoting it as typed; else None. A comma is read only between groups of
    three figures (1,150) before any point; points and commas written another way ('1.250,00' as much of Europe writes
    £1,250, '1,25,000' as India groups figures) are asked about, never read one way; a sum of money (``decimalPlaces``)
    with three figures after its point, the last 0, could be thousands; and more figures than the answer takes."""
    if f.type not in ("integer", "number"):
        return None
    s = text.strip()
    spaced = re.sub(r"[£%]", "", s.translate(FULL_WIDTH)).strip()  # as typed, less the marks a number may carry
    plain = re.sub(r"\s", "", spaced)
    if not re.fullmatch(r"-?[0-9][0-9,.]*", plain):
        return None  # no number at all, or one with other marks: check says what it is
    whole = f.type == "integer"
    money = f.decimal_places is not None
    # a comma between groups of three figures is read (form_value), so the way to type it never says "no commas"
    how = ("type a whole number, with no point, and a comma only between groups of three figures (such as 1250 or 1,250)"
           if whole else
           "type it with a comma only between groups of three figures, and a point only before the pence (such as 1250, "
           "1,250 or 1,250.50)" if money else
           "type it with a comma only between groups of three figures, and a point only before its part (such as 12.5)")
    # a space between figures only between groups of three
    if re.search(r"[0-9]\s+[0-9]", spaced) and not re.fullmatch(r"-?[0-9]{1,3}(\s[0-9]{3})+(\.[0-9]+)?", spaced):
        return f"'{s[:40]}' has a space where none goes: {how}"  # '£12 50' was read as 1250 (the review of the rule)
    grouped = re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", plain)  # 1,250 or 1,250.50: read as it is meant
    if not grouped and (plain.count(".") > 1 or ("," in plain and "." in plain) or plain.count(",") > 1):
        return f"'{s[:40]}' could be read more than one way: {how}"
    if not grouped and "," in plain:  # one comma, not between groups of three: '1,15', '12,5'
        point = plain.replace(",", ".")
        return (f"'{s[:40]}' has a comma where none goes: {how}" if whole else
                f"'{s[:40]}' has a comma where none goes: use a point ({point}), or leave the comma out")
    plain = plain.replace(",", "")
    if money and re.fullmatch(r"-?[0-9]{1,3}\.[0-9]{2}0", plain):  # read as 2 places: no check sees it
        figures = plain.replace(".", "")
        return f"'{s[:40]}' could be {int(figures):,} or {float(plain):g}: type {figures}, or {float(plain):g}"
    m = re.fullmatch(r"-?([0-9]+)\.([0-9]+)", plain)
    places = f.decimal_places if f.decimal_places is not None else 4  # form_value reads at most 4
    if m and len(m[1]) > 9:  # form_value reads at most 9 before the point: check would only echo it back
        return f"'{s[:40]}' is too long a number: no answer here has more than 9 figures before its point"
    if m and not whole and len(m[2]) > places:
        rounded = rounded_to(decimal.Decimal(m[0]), places) + 0  # + 0: -0.00 is 0.00
        return f"'{s[:40]}' has {len(m[2])} figures after its point; this answer takes at most {places}: type {rounded}"
    return None


def month_first_meaning(text: str) -> dt.date | None:
    """The date a DD/MM/YYYY ``text`` means when typed month first ('11/30/2026' is 30 November 2026); None when it
    is not of that form or its day and month swapped are no real date."""
    m = SLASHED_DATE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[3]), int(m[1]), int(m[2]))
    except ValueError:
        return None


def went_back(changed: list[tuple[str, Any, Any]], schema: Schema) -> list[tuple[str, dt.date, dt.date]]:
    """Each availability date (a kind's ``confirmed``) an update would move to a day before the one the page holds,
    as (path, held, new): older news over newer ('12/01/2026' meant as 1 December but read as 12 January, or a
    sheet of phone calls run after the home's own form), which would show the older answer as the latest."""
    dates = {k.confirmed for k in kinds(schema) if k.confirmed}
    return [(p, b, a) for p, b, a in changed
            if p in dates and isinstance(b, dt.date) and isinstance(a, dt.date) and a < b]


# Words of check's messages that only make sense in a YAML file, and what a form says instead.
FORM_WORDS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"; remove the quotes: .*$"), "; write the number only, such as 3"),
    (re.compile(r" \(no quotes, £, commas or %\)"), " (the number only)"),
    (re.compile(r" \(no words, £ or commas\)"), " (the number alone, with no words)"),  # a form takes '£' and '1,250'
    (re.compile(r" without quotes: .*$"), ""),
    (re.compile(r"; put it in quotes.*$"), ""),
    (re.compile(r"\bremove ('[^']+')"), r"leave \1 empty"),
    # validate._needs_date's: said of the date's question (said_of), not of the group, and nothing about the file
    (re.compile(r"^figures are given without '[^']+'; add 'date: YYYY-MM-DD' under [a-z_]+ \((.*)\)$"),
     r"is not answered, but the figures it dates are; answer it too (\1)"),
    (re.compile(r" \(YYYY-MM-DD\)"), " (write it as YYYY-MM-DD or 23/11/2026)"),
    # a date typed otherwise ('3/12/26'): both ways a form takes, the example's own day
    (re.compile(r"must be a date written YYYY-MM-DD, like (\d{4})-(\d{2})-(\d{2}), not "),
     lambda m: f"must be a date written like {m[1]}-{m[2]}-{m[3]} or {m[3]}/{m[2]}/{m[1]} (the year in full), not "),
    (re.compile(r"must be a whole number, not "), "must be a whole number in figures, such as 3 or 0 for none, not "),
    # a number typed in other digits ('٣'): the form's words, not the file's ("available: 3": the re-review)
    (re.compile(r"must be written with the digits 0 to 9: [A-Za-z_]+: (-?[0-9]+)$"), r"must be written with the digits 0 to 9: type \1"),
]


def form_words(message: str) -> str:
    """A check message (fields already named by their form labels) in the words of a form."""
    for pattern, words in FORM_WORDS:
        message = pattern.sub(words, message)
    return message


def _name_fields(message: str, schema: Schema, by_path: dict[str, forms.FormField]) -> str:
    """Field paths in a check message replaced by the names the manager sees in the form."""
    def name(m: re.Match) -> str:
        p = m.group(0)
        if p in by_path:
            return f"'{by_path[p].label}'"
        return f"'{schema.by_path[p].title}'" if p in schema.by_path else p
    return re.sub(r"\b[a-z_]+(\.[a-z_]+)+\b", name, message)


def read_policy(repo: Path) -> set[str]:
    """Fields a maintainer's update may change and still go straight to the main branch (stewards.yaml)."""
    path = repo / "stewards.yaml"
    data = yaml_mapping(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else None
    listed = (data or {}).get(POLICY_KEY)
    return {str(p) for p in listed} if isinstance(listed, list) else set(DEFAULT_DIRECT)


def _directory(repo: Path, config: Path | None) -> dict[str, Any]:
    """extra.directory of ``config`` (default: the repository's mkdocs.yml; an area's own); empty without one."""
    config = config or repo / "mkdocs.yml"
    return forms.directory_settings(config) if config.is_file() else {}


def council_contact(repo: Path, config: Path | None = None) -> str:
    """The council and its contacts, from ``config`` (default: the repository's mkdocs.yml; an area's own): only those
    it has set ("Herefordshire Council (care@herefordshire.gov.uk, 01432 260000)"), its name alone while they are the
    examples (forms.real_contact): a reply never gives an example address or number as if it were the council's."""
    d = _directory(repo, config)
    council = str(d.get("council") or "the council")
    known = [c for c in (forms.real_contact(d, "contact_email"), forms.real_contact(d, "contact_phone")) if c]
    return f"{council} ({', '.join(known)})" if known else council


def claim_url(repo: Path, config: Path | None, slug: str, name: str, k: Kind, schema: Schema) -> str | None:
    """The link of a page's "Claim it" (its kind's claim form, the page filled in), as the site's pages and the weekly
    list build it (forms.form_url); None while the repository of ``config``'s settings is the example (a reply never
    links to it as if it were the council's) or is no web address."""
    d = _directory(repo, config)
    if forms.is_placeholder("repository", d.get("repository")):
        return None
    url = forms.form_url(forms.repository(d), forms.claim_form_of(k.id, schema), slug, name, schema)
    return url if web_address(url) else None


def council_email(repo: Path, config: Path | None = None) -> str | None:
    """The directory team's email address, as ``council_contact`` gives it; None while it is the example."""
    return forms.real_contact(_directory(repo, config), "contact_email") or None


EMAIL = re.compile(r"[A-Za-z0-9.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def with_email(comment: str, email: str | None) -> str:
    """A comment quoted with ``md_safe`` with the council's email address put back as it is: quoting writes every @
    as a full-width ＠, which no mail program takes. Only the directory's own setting, and only an address."""
    return comment.replace(md_safe(email), email) if email and EMAIL.fullmatch(email) else comment


def apply_update(body: str, author: str, repo: Path, on: dt.date, issue: int | None = None,
                 schema: Schema | None = None, area: Area | None = None, today: dt.date | None = None) -> Result:
    """Apply one issue-form update to the working tree of ``repo``, to a profile of ``area`` (default: the top
    level's providers/; an area's areas/NAME/providers/); never raises on bad input. ``on``: the day the issue was
    sent, which a date left empty stands for; ``today`` (default ``on``): the day its text was last edited, which a
    date in an answer may not be after."""
    schema = schema or load_schema()
    today = today or on
    area = area or default_area(repo)
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY:
        return Result("invalid", issue=issue, no_answers=True, errors=[
            f"This request is longer than {MAX_BODY // 1024} KB; a form answer is much shorter. Open a new form from your home's page"])
    answers, errors = parse_body(body, schema)
    if not answers:
        made = schema.values.or_list([f"'{forms.form(t, schema)['name']}'" for t in forms.kind_forms(schema)])
        return Result("invalid", issue=issue, no_answers=True, errors=[
            f"This request was not made with the form {made}; open the form from your page in the directory"])
    # the page it is for, under its kind's label ("Your agency's page name"); two labels answered differently are refused
    names = forms.page_name_labels(schema)
    label, home, differing = named_page(answers, names, forms.HOME_LABEL)
    noun = names.get(label, "home")
    if differing:
        return Result("invalid", issue=issue, no_answers=True, errors=errors + [
            f"{' and '.join(differing)}: name different pages; open a new form from your {noun}'s page in the directory"])
    if not home:
        return Result("invalid", issue=issue, errors=errors + [f"{label}: is empty; use the link on your "
                                                               f"{noun}'s page, which fills it in"])
    providers = area.providers
    path = find_home(providers, home)
    if path is None:
        return Result("invalid", issue=issue, errors=errors + [
            f"{label}: '{home[:80]}' is not {with_article(noun)} in the directory{near_home(providers, home)}; use the link "
            f"on your {noun}'s page, which fills it in, or give your CQC location ID"])
    profile, problems = load_profile(path, repo)
    if profile is None:
        return Result("invalid", home=path.stem, issue=issue, errors=[str(p) for p in problems])
    res = Result("invalid", home=profile.slug, name=str(profile.data.get("name") or profile.slug),
                 path=display_path(path, repo), issue=issue)
    shut = closed_words(profile.data)
    if shut:  # its page no longer asks for vacancies or details: nothing to correct in the answers
        res.status, res.council_email = "refused", council_email(repo, area.config)
        res.errors = [f"{shut}, or tell {council_contact(repo, area.config)}"]
        return res
    try:
        is_steward = author.lower() in stewards(repo, "HEAD")
    except GitError as exc:
        res.errors = [f"cannot read stewards.yaml from git ({exc}); run apply-update in the repository"]
        return res
    if not is_steward and not is_maintainer(author, profile.data):
        listed = ", ".join(str(m) for m in profile.data.get("maintainers") or [])
        kind = kinds_of(profile.data, schema)[0]
        noun = forms.kind_noun(kind, schema)
        res.status, res.council_email = "refused", council_email(repo, area.config)
        # a page already looked after takes no claim (claims.py refuses it): its team asks the council
        claim = None if listed else claim_url(repo, area.config, profile.slug, res.name or profile.slug, kind, schema)
        res.links = [claim] if claim else []
        where = (f"its claim form, {claim} (the \"Claim it\" link at the bottom of its page opens it too; someone from "
                 f"the council rings the {noun} to check)" if claim else
                 f"the \"Claim it\" link at the bottom of its page (someone from the council rings the {noun} to check)")
        res.errors = [f"{author} cannot update the page for {res.name}: only the GitHub accounts that look after it can "
                      f"({listed}). If you work at this {noun}, ask {council_contact(repo, area.config)} to add your "
                      "username, or send them the update" if listed else
                      f"{author} cannot update the page for {res.name}: nobody has claimed it yet. If you work at this "
                      f"{noun}, claim it first with {where}, then send this form again; or send the update to "
                      f"{council_contact(repo, area.config)}"]
        return res
    wrong = wrong_form(answers, profile.data, res.name or profile.slug, schema)
    if wrong:  # nothing to correct by editing: another form is needed
        res.errors, res.no_answers = [wrong], True
        return res
    by_label = forms.labels(schema)
    removing = {label for label, raw in answers.items() if raw is not None and removes(raw)}
    refused = {label for label in removing if not forms.removable(by_label[label].field)}
    errors += [f"{label}: {REMOVE_DATE if by_label[label].field.type == 'date' else REMOVE_HERE}" for label in refused]
    values = {by_label[label].path: REMOVED if label in removing else form_value(by_label[label].field, raw)
              for label, raw in answers.items() if raw is not None and label not in refused}
    # a date or a number typed so that it is not read (date_typo, number_typo): said once, the other answers still checked
    typos = {label: date_typo(raw) if by_label[label].field.type == "date" else number_typo(by_label[label].field, raw)
             for label, raw in answers.items() if raw is not None and label not in removing and label not in refused}
    typed_errors = [f"{label}: {typo}" for label, typo in typos.items() if typo]
    for label, typo in typos.items():
        if typo and by_label[label].field.type == "date":  # a stand-in date, so every problem is listed at once
            values[by_label[label].path] = on
        elif typo:  # not read as a number: taken out
            values.pop(by_label[label].path, None)
    if errors and not values:  # a question answered twice, words after an empty answer: with nothing else to check
        res.errors = errors
        return res
    given = bool(values) or bool(refused) or bool(typed_errors)  # a number not read (number_typo) was still given
    values = unheld_removals(values, profile.data)
    values, dropped = not_applicable(values, profile.data)
    by_path = own_labels(answers, by_label, kinds_of(profile.data, schema), schema)

    def asked_as(path: str) -> str:
        """A field as the sender's form names it (its question), else its path."""
        return by_path[path].label if path in by_path else path

    def said_of(p: Problem) -> str:
        """A problem check finds with an answer, as a line of the reply: its question, then check's words in the form's."""
        # a group's figures given without its date (validate._needs_date's "staffing"): the date's own question
        field = f"{p.field}.date" if p.field not in by_path and f"{p.field}.date" in by_path else p.field
        return f"{asked_as(field)}: {form_words(_name_fields(p.message, schema, by_path))}"

    res.notes = [form_words(_name_fields(not_applicable_words(p, asked_as(p)), schema, by_path)) for p in dropped]
    if not given:
        boxes = [label for label in answers if label not in names]  # the form's questions but its page name
        res.errors = ["Nothing was filled in; give at least one answer" + (f" ({schema.values.or_list(boxes)})" if boxes else "")]
        return res
    if not values:
        res.status, res.errors = ("invalid", errors + typed_errors) if errors or typed_errors else ("unchanged", [])
        return res
    asked = with_missing(answers, schema)  # a question whose heading was taken out of the issue: left empty
    blanks, said = left_empty(asked, values, profile.data, schema, on)
    blanks += left_undated(asked, values, profile.data, schema, on)
    edit = edit_profile(path, values, on, display_path(path, repo), schema, today)
    edit.problems = [p for p in edit.problems if p.field not in said]  # a box left empty: its one reply says it all
    if errors or edit.problems or typed_errors or blanks:  # every problem at once, those of reading the body first
        res.errors = errors + typed_errors + [said_of(p) for p in edit.problems] + blanks
        return res
    back = went_back(edit.changed, schema)
    if back:
        typed = [answers.get(by_path[p].label) if p in by_path else None for p, _, _ in back]
        res.errors = [older_words(asked_as(p), said, held, new, today) for (p, held, new), said in zip(back, typed, strict=True)]
        # each date left empty (the day it was sent): the page's newer answer is the only problem, which no edit of this
        # request mends; the reply says to open a new form (NEW_FORM), not how to edit the answers
        res.no_answers = not any(typed)
        return res
    res.changed = [{"field": p, "label": asked_as(p), "before": b, "after": a} for p, b, a in edit.changed]
    if not edit.changed:
        res.status = "unchanged"
        return res
    assert edit.text is not None
    try:
        write_text_atomic(path, edit.text)
    except NotWritten as exc:  # the runner's fault, not the manager's: nothing for them to edit
        res.status, res.errors = "failed", [not_written(exc, path.parent, "--repo")]
        res.council_email = council_email(repo, area.config)
        return res
    res.status = "applied"
    res.notes += old_dates(edit.changed, by_path, on)
    dormant = dormant_words(profile.data)
    if dormant and any(p in forms.availability_paths(k) for k in kinds(schema) for p, _, _ in edit.changed):
        res.notes.append(dormant)
    res.notes += [said_of(w) for w in edit.warnings]
    res.mode = "commit" if {p for p, _, _ in edit.changed} <= read_policy(repo) else "pull-request"
    return res


def older_words(label: str, typed: str | None, held: dt.date, new: dt.date, on: dt.date) -> str:
    """Why an update whose date is before the page's (went_back) was not made, and what to type instead."""
    if not typed:  # left empty for the day the request was sent: an older request edited after a newer one went in
        return (f"{label}: this request was sent on {nice_date(new)}, but your page already has a newer answer, "
                f"confirmed on {nice_date(held)}; to change it again, open a new form from your page")
    meant = month_first_meaning(typed)
    hint = (f"dates are read day first: for {nice_date(meant)}, type {meant:%d/%m/%Y}"
            if meant and held <= meant <= on else
            "leave the date empty if you checked today, or type the day you checked, day first, as 23/11/2026")
    return (f"{label}: '{typed.strip()[:40]}' is read as {nice_date(new)}, before {nice_date(held)}, the date your page "
            f"already gives, so the page would show older news as the latest; {hint}")


def wrong_form(answers: dict[str, str | None], data: dict[str, Any], name: str, schema: Schema) -> str | None:
    """Why answers to another kind's form (a care home's free beds, sent for an agency's page) cannot update this page,
    naming the first such question and the forms on this page; None when every answer is a question of its own kinds'
    forms. (An early agency form's page name was "Your home's page name": the questions answered decide.)"""
    own = kinds_of(data, schema)
    asked = [(k, forms.form_fields(t, schema)) for t, (k, _) in forms.kind_forms(schema).items()]  # each form's questions
    mine = {ff.label for k, fields in asked if k in own for ff in fields}
    theirs = {ff.label: k for k, fields in asked if k not in own for ff in fields}
    foreign = next((label for label, raw in answers.items() if raw is not None and label in theirs and label not in mine), None)
    if foreign is None:
        return None
    links = schema.values.or_list([f"'{link}'" for link in forms.page_links(own[0], schema)])
    return (f"You used {with_article(theirs[foreign].title.lower())}'s form (it asks '{foreign}'), but {name} is "
            f"{with_article(own[0].title.lower())}. Open its page in the directory and use {links}")


def own_labels(answers: Collection[str], by_label: dict[str, forms.FormField], own: Collection[Kind],
               schema: Schema) -> dict[str, forms.FormField]:
    """Each field's question as the sender's form words it: the labels answered, then those of the forms of the
    profile's own kinds, then any form's (a care home's description is "About the home", never the agency's)."""
    out = {ff.path: ff for ff in by_label.values()}
    out.update({ff.path: ff for t, (k, _) in forms.kind_forms(schema).items() if k in own for ff in forms.form_fields(t, schema)})
    out.update({by_label[label].path: by_label[label] for label in answers if label in by_label})
    return out


OLD_DATE_DAYS = 7  # a date given in a form more than this before the day it is applied is said back in words


def old_dates(changed: list[tuple[str, Any, Any]], by_path: dict[str, forms.FormField], on: dt.date) -> list[str]:
    """A note for each date the update set more than OLD_DATE_DAYS before ``on``, in words with its age: '12/5/2026' is
    read as 12 May 2026, which a manager meaning 5 December would not see in the YYYY-MM-DD the page's file keeps."""
    out = []
    for path, _, after in changed:
        if isinstance(after, dt.date) and (on - after).days > OLD_DATE_DAYS:
            label = by_path[path].label if path in by_path else path
            out.append(f"{label}: read as {nice_date(after)}, {age_words(after, on)}, so the page may show it as out of "
                       "date. If you meant another day, edit this request: dates are read day first, as 23/11/2026")
    return out


def still_held(data: dict[str, Any], k: Kind, paths: Collection[str]) -> dict[str, Any]:
    """Of a kind's availability ``paths`` left out of an update that dates them all, each the profile still holds
    (path -> its value), but a kind of bed CQC does not register the home for: one date would show it checked now.
    The forms' rule (left_empty) and the vacancies command's (editing.left_as_was)."""
    unregistered = {c.available for c in k.capacity if c.flag and _get(data, c.flag) is False}
    return {p: old for p in paths if p not in unregistered and (old := _get(data, p)) is not None}


def with_missing(answers: dict[str, str | None], schema: Schema) -> dict[str, str | None]:
    """``answers`` with each question missing from the issue as left empty (None), in the form's order: a question every
    form that asks all of the issue's questions asks (GitHub writes each one, '_No response_' when empty; a heading taken
    out by editing the issue escaped the rules on answers left empty, and a free-beds number alone dated the others
    today). ``answers`` as they are when no one form asks all its questions."""
    answered = [label for label in answers if label in forms.labels(schema)]
    made_by = [[ff.label for ff in forms.form_fields(t, schema)] for t in forms.kind_forms(schema)]
    made_by = [asks for asks in made_by if set(answered) <= set(asks)]
    if not answered or not made_by:
        return answers
    everywhere = set.intersection(*(set(asks) for asks in made_by))
    return {**{label: answers.get(label) for label in made_by[0] if label in everywhere or label in answers}, **answers}


def left_empty(answers: dict[str, str | None], values: dict[str, Any], data: dict[str, Any],
               schema: Schema, on: dt.date | None = None) -> tuple[list[str], set[str]]:
    """Each availability answer left empty while the page still holds an earlier one, when the update dates its kind's
    availability (a free-beds number given, or the date): one date covers them all, so the earlier answer would look
    checked now. A kind of bed CQC does not register the home for is not asked about. An agency's hours left empty
    beside 'Taking new clients: No' (a number above 0 only with a yes: onlyIfYes) is asked for as 0, in one reply
    for that box. An update whose date would be the page's already (a second update the same day, its date left empty
    as ``on``, or typed as the page has it) dates nothing anew: the answers left empty were checked that day too, as
    left_undated's sets (the provider review). Returns the replies and the paths whose reply says all that check says
    of them."""
    by_label = forms.labels(schema)
    out = []
    said: set[str] = set()
    for k in kinds(schema):
        facts = forms.availability_paths(k) - {k.confirmed}
        if not k.confirmed or not ({k.confirmed, *facts} & values.keys()):
            continue
        kept = date_kept(values, data, k.confirmed, on)
        empty = {by_label[label].path: label for label, raw in answers.items() if raw is None and label in by_label}
        held = still_held(data, k, facts & empty.keys())
        for path, label in empty.items():  # in the form's order
            if path not in held:
                continue
            old = held[path]
            since = plain_value(_get(data, k.confirmed))
            from_since = f" (from {since})" if since is not None else ""
            no = next(((when, what) for p, when, what in k.only_if_yes if p == path and values.get(when) is False), None)
            if no and isinstance(old, int | float) and not isinstance(old, bool) and old > 0:
                when = next((ff.label for ff in by_label.values() if ff.path == no[0]), no[0])
                out.append(f"{label}: is empty, but your page still says {old}{from_since}; with '{when}' No, "
                           f"{no[1]} can only be 0: type 0")
                said.add(path)
                continue
            if kept:  # the date would not change
                continue
            yes_no = by_label[label].field.type == "boolean"
            counted = next((c for c in k.capacity if c.available == path), None)
            what = ("number" if counted is None else "number free" if counted.total  # free of a total
                    else f"number of {k.unit}")  # an agency's hours a week it can start: no total to be free of
            now = "choose Yes or No as it is now" if yes_no else f"type the {what} now (0 if none)"
            old = ("Yes" if old is True else "No" if old is False else str(old).capitalize()) if yes_no else old
            out.append(f"{label}: is empty, but your page still says {old}{from_since}, and the new date would show "
                       f"that as checked now; {now}, even if it has not changed")
    return out, said


def date_kept(values: dict[str, Any], data: dict[str, Any], date: str, on: dt.date | None) -> bool:
    """Whether an update leaves the page's date at ``date`` (its free places', or a dated set's) as it is: typed as the
    page has it, or left empty (the day it was sent, ``on``, which edit_profile stamps) when the page's is that day."""
    held = _get(data, date)
    return isinstance(held, dt.date) and values.get(date, on) == held


def dated_groups(schema: Schema) -> list[tuple[str, frozenset[str]]]:
    """Each date a details form's answers set (edit_profile) and the form's facts it dates: fees.date the fees,
    capabilities.confirmed every need's answers, an agency's coverage.confirmed its towns and districts, ...; not the
    availability dates, whose rule is left_empty's."""
    fields = [ff.path for ff in forms.labels(schema).values()]
    dated = {date: facts for k in kinds(schema)[1:] for date, facts in k.dated}  # another kind's: the facts it names
    return [(date, frozenset(dated[date]) if date in dated else
             frozenset(p for p in fields if p.split(".")[0] == date.split(".")[0] and p != date))  # the first's: its group
            for k in kinds(schema) for date in forms.group_dates(k, schema)]


def left_undated(answers: dict[str, str | None], values: dict[str, Any], data: dict[str, Any], schema: Schema,
                 on: dt.date | None = None) -> list[str]:
    """For each date the update sets (one of its facts given, or the date itself) while a fact it dates, asked in the
    form, is left empty but held on the page: one reply naming them. The date would show the earlier answers as
    checked on the new day (a fee without nursing from June, dated today because the fee with nursing changed). The
    date typed as the page has it keeps it, and with it each answer's date; so does a date left empty when ``on``, the
    day edit_profile stamps, is the page's date already (a second update the same day corrects one answer: those left
    empty were checked that day too)."""
    from .face import money_paths

    by_label, paid = forms.labels(schema), money_paths(schema)
    out = []
    for date, facts in dated_groups(schema):
        if not (facts & values.keys()) and date not in values:
            continue
        if date_kept(values, data, date, on):
            continue
        held_date = _get(data, date)
        held_date = held_date if isinstance(held_date, dt.date) else None
        left = [(label, old, by_label[label].path in paid) for label, raw in answers.items()
                if raw is None and label in by_label and by_label[label].path in facts
                and (old := _get(data, by_label[label].path)) is not None]
        if not left:
            continue
        asked = next((label for label in answers if label in by_label and by_label[label].path == date), None)
        date_label = asked or (schema.by_path[date].title if date in schema.by_path else date)
        shown = [f"{label} ({_value_words(old, money)})" for label, old, money in left]
        named = and_list(shown if len(shown) <= 6 else [*shown[:6], f"{len(shown) - 6} more"])
        one = len(left) == 1
        new_date = values.get(date)
        when = nice_date(new_date) if isinstance(new_date, dt.date) else "today"  # the date typed, else the day it is sent
        shows = f"shows as checked on {nice_date(held_date)}" if held_date else "shows with no date"
        keep = f" Or type {held_date.isoformat()} in {date_label} to keep the old date." if held_date and asked else ""
        out.append(f"{date_label}: you left empty {'an answer' if one else 'answers'} your page {shows}: {named}. With this "
                   f"update {'it' if one else 'they'} would look checked {'on ' if when != 'today' else ''}{when}. Fill "
                   f"{'it' if one else 'each'} in again, even if {'it has' if one else 'they have'} not changed.{keep}")
    return out


# --- vacancies from a spreadsheet -----------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """One kind's capacity sheet: its columns (the sheet's name -> the profile path), ``confirmed`` last."""

    kind: Kind
    columns: dict[str, str]

    @property
    def values(self) -> list[str]:
        """The columns of facts, every one required in the first row ('nursing_free', 'residential_free')."""
        return [c for c in self.columns if c != "confirmed"]

    @property
    def named(self) -> str:
        """'home, nursing_free, residential_free'"""
        return ", ".join(["home", *self.values])


def kind_sheet(k: Kind) -> Sheet | None:
    """A kind's capacity sheet, from its declaration: a care home's free places by their ``freeColumn``; another
    kind's facts dated by its ``confirmed`` date (an agency's taking_new_clients, hours_available), by their column
    names in the kind's table; None for a kind with neither."""
    columns = {str(c.free_column): str(c.available) for c in k.capacity if c.free_column and c.available}
    if not columns and k.confirmed:
        names = {f.path: f.name for f in k.fields}
        columns = {names[p]: p for d, facts in k.dated if d == k.confirmed for p in facts if p in names}
    return Sheet(k, {**columns, "confirmed": k.confirmed}) if columns and k.confirmed else None


SHEETS = [s for s in map(kind_sheet, kinds()) if s]  # care homes' free beds, then agencies' new clients and hours
EVERY_SHEET = " or ".join(f"{s.named} for {s.kind.plural.lower()}" for s in SHEETS)
YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}  # Excel's TRUE too
YES_NO_PATHS = {f.path for k in kinds() for f in k.fields if f.type == "boolean"}


def _read_csv_text(raw: bytes) -> str:
    """A sheet's text: UTF-8 (with or without Excel's byte order mark), UTF-16 with its mark (Excel's
    "Unicode Text", tab-separated), else Windows-1252 (Excel's "CSV" on Windows)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: read as below
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _cell_value(column: str, path: str, text: str, on: dt.date) -> Any:
    s = text.strip()
    if column == "confirmed":
        return typed_date(s) if s else on  # Excel in the UK writes 23/11/2026
    if path in YES_NO_PATHS:  # taking_new_clients: yes or no (anything else stays text, for check to refuse)
        return YES_NO.get(s.lower(), s)
    digits = typed_whole(s)  # full-width '２' and '－', as a form takes them
    # check says a count too large for any home is above the most, and a longer one how many digits it has
    return int(digits) if digits is not None and len(digits.lstrip("-")) <= MAX_DIGITS else s


CELL_LIMIT = 131_072  # characters in one cell of a vacancy sheet (Python's csv default)
MAX_SHEET_BYTES = 10_000_000  # a vacancy sheet may be this big ...
NEAR_OFFERED = 20  # a sheet's rows naming no home offered a page spelt nearly so (nationally 20 ms a row to look)
MAX_SHEET_ROWS = 50_000  # ... and have this many rows: England has about 15,400 care homes
MAX_HEADER = 4096  # characters in the first row; csv.Sniffer takes quadratic time on a long line
SPLIT_HINT = "split it into smaller sheets (one for each area, say) and run the command for each"
# how a workbook begins: a zip (.xlsx, .ods) or an OLE2 compound file (Excel's .xls); no CSV's text begins so
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def header_problem(header: list[str]) -> str | None:
    """A column the first row names twice, with its positions (the names as compared: case and spaces ignored)."""
    at: dict[str, list[int]] = {}
    for i, name in enumerate(header, 1):
        if name:
            at.setdefault(name, []).append(i)
    for name, cols in at.items():
        if len(cols) > 1:
            where = and_list([column_letter(c) for c in cols])
            return (f"the first row names the column {name[:40]} twice (columns {where}); "
                    "keep one column of each name and delete the other")
    return None


def vacancies_from_csv(csv_path: Path, providers: Path, on: dt.date) -> tuple[list[Edit], list[str]]:
    """Check every row of a vacancies spreadsheet; return the edits, or every problem (then write nothing)."""
    shown = display_path(csv_path)
    try:
        size = csv_path.stat().st_size
        if size > MAX_SHEET_BYTES:
            return [], [f"{shown}: is {size / 1e6:.1f} MB, more than the {MAX_SHEET_BYTES // 1_000_000} MB a vacancy "
                        f"sheet may be; {SPLIT_HINT}"]
        raw = read_regular(csv_path, MAX_SHEET_BYTES)  # never a device or pipe (endless, or never answering)
    except NotRegularFile:
        return [], [f"{shown}: is not a regular file (a device, pipe or folder); give the spreadsheet saved as CSV"]
    except OSError as exc:
        return [], [f"{shown}: cannot be read ({exc.strerror})"]
    if len(raw) > MAX_SHEET_BYTES:  # grown since its size was read
        return [], [f"{shown}: is more than the {MAX_SHEET_BYTES // 1_000_000} MB a vacancy sheet may be; {SPLIT_HINT}"]
    if raw.startswith(WORKBOOK_SIGNATURES):  # read as text, it "named none of the columns"
        return [], [f"{shown}: is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV; save the sheet as CSV (in Excel: "
                    "File, Save a copy, CSV UTF-8) and give that file"]
    text = _read_csv_text(raw)
    first = text[: MAX_HEADER + 2].replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]  # a bounded sample
    if len(first) > MAX_HEADER:
        return [], [f"{shown}:1: the first row is longer than {MAX_HEADER:,} characters, too long to be a row of column "
                    f"names; the first row must name the columns {EVERY_SHEET} (and optionally "
                    "confirmed)"]
    try:
        dialect: Any = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)  # newline="": a lone CR ends a line, as csv expects
    try:
        limit = csv.field_size_limit(CELL_LIMIT)  # the same limit whatever another library set it to
        try:
            header = [h.strip().lower() for h in next(reader, [])]
            header_end = reader.line_num
            rows: list[tuple[list[str], int]] = []  # (the row, the line it ends on)
            for row in reader:
                if len(rows) == MAX_SHEET_ROWS:
                    return [], [f"{shown}: has more than the {MAX_SHEET_ROWS:,} rows a vacancy sheet may have; "
                                f"{SPLIT_HINT}"]
                rows.append((row, reader.line_num))
        finally:
            csv.field_size_limit(limit)
    except csv.Error as exc:
        return [], [f"{shown}:{reader.line_num}: cannot be read as CSV ({exc}); save the sheet as CSV again"]
    twice = header_problem(header)
    if twice:
        return [], [f"{shown}:1: {twice}"]
    sheet, problem = _sheet_of(header)
    if problem:
        return [], [f"{shown}:1: {problem}"]
    columns = sheet.columns
    back = {p: c for c, p in columns.items()}
    problems: list[str] = []
    edits: list[Edit] = []
    seen: dict[Path, int] = {}
    homes = Homes(providers)  # each home found as the forms find it (find_home), the folder read once
    offered = 0  # rows given near_home's offer, at most NEAR_OFFERED (a sheet of 15,000 wrong rows: 5 minutes)
    line = header_end
    for row, end in rows:
        start, line = line + 1, end
        cells = dict(zip(header, row, strict=False))  # short rows: the missing cells are empty
        if not any(c.strip() for c in row):
            continue
        where = f"{shown}:{start}"
        stray = _stray_cell(row, len(header)) or _open_quote(row, len(header), dialect.delimiter, end)
        if stray:
            problems.append(f"{where}: {stray}")
            continue
        formulas = [col for col in ("home", *columns) if FORMULA.search(cells.get(col) or "")]
        problems += [f"{where}: {col}: '{plain(cells[col], 40)}' looks like a spreadsheet formula; type the value itself"
                     for col in formulas]  # its tab or carriage return shown as \t, \r: what makes it one
        if "home" in formulas:  # no home to check the other cells against
            continue
        home = (cells.get("home") or "").strip()
        if INVISIBLE.search(home):  # a NUL or a right-to-left override was dropped before matching: aston-house was found
            problems.append(f"{where}: home: '{plain(home, 60)}' holds a character you cannot see (a control character, or "
                            "one that turns text right to left); type the page name or the CQC location ID again")
            continue
        path = homes.find(home)
        if path is None:
            near = ""
            if home and offered < NEAR_OFFERED:  # a page name spelt nearly so, or the homes of that name: offered
                near, offered = near_home(providers, home, homes.names), offered + 1
            problems.append(f"{where}: home: '{home[:80]}' is not a {_one(sheet.kind)} in {display_path(providers)}{near}; "
                            f"give the page name ({_such_as(sheet.kind)}) or the CQC location ID")
            continue
        again = path in seen  # said, and the row's cells still checked: every problem of the row at once
        if again:
            problems.append(f"{where}: home: {path.stem} is also on line {seen[path]}; keep one row for each {_one(sheet.kind)}")
        seen.setdefault(path, start)
        profile, _ = load_profile(path)
        shut = closed_words(profile.data if profile else {})
        other = _not_this_kind(sheet, profile.data if profile else {}, path.stem) or (shut and f"{shut}; take this row out")
        if other:
            problems.append(f"{where}: home: {other}")
            continue
        said = {columns[c] for c in formulas}  # cells already refused: the rest are checked without them
        values = {p: _cell_value(c, p, cells.get(c) or "", on) for c, p in columns.items()
                  if p not in said and (c == "confirmed" or (cells.get(c) or "").strip())}
        typo = date_typo(cells.get("confirmed") or "")
        if typo:  # 31/02/2026: said as typed, and the other cells checked as of today
            problems.append(f"{where}: confirmed: {typo}")
            said.add(columns["confirmed"])
            values[columns["confirmed"]] = on
        values, dropped = not_applicable(values, profile.data if profile else {})
        edit = edit_profile(path, values, on, display_path(path))
        edit.not_applicable = [f"{where}: {not_applicable_words(p, back[p])}" for p in dropped]
        edit.sheet = sheet.kind.id
        problems += [f"{where}: {back.get(p.field, p.field)}: {form_words(_name_columns(p.message, columns))}"
                     + ("" if p.field in back else f" (in {p.path})") for p in edit.problems if p.field not in said]
        problems += [f"{where}: confirmed: {nice_date(new)} is before {nice_date(held)}, when {path.stem}'s page was last "
                     f"confirmed; its newer answer is kept: take this row out, or correct its date"
                     for _, held, new in went_back(edit.changed, load_schema()) if columns.get("confirmed") not in said]
        if not again and not said:
            edits.append(edit)
    if not edits and not problems:  # the first row and nothing under it (or only empty rows): likely the wrong export
        problems.append(f"{shown}:{header_end + 1}: no {_one(sheet.kind)} is listed under the first row; add a row for "
                        f"each {_one(sheet.kind)} to update ({', '.join(['home', *[c for c in columns if c != 'confirmed']])})")
    return ([] if problems else edits), [plain(p) for p in problems]  # a cell's control characters as escapes


def _stray_cell(row: list[str], named: int) -> str | None:
    """A filled cell to the right of the last column the first row names (``home,1,000`` is home, 1 and a
    stray 000): what is wrong with it, or None. Reading such a row would drop the cell unseen."""
    for i, cell in enumerate(row[named:], named + 1):
        if cell.strip():
            return (f"column {column_letter(i)}: '{cell.strip()[:40]}' is under no column name (the first row names "
                    f"{named} columns, A to {column_letter(named)}); delete it, name its column in the first row, or put a value that holds a comma in quotes")
    return None


def _open_quote(row: list[str], named: int, delimiter: str, end: int) -> str | None:
    """A row whose quote (") is never closed: the rest of the sheet read as one cell, holding the cells and rows after it
    (``unterminated,1,2`` read as a home of that name); what is wrong, or None."""
    if len(row) >= named or not any(delimiter in cell or "\n" in cell for cell in row):
        return None
    cell = next(c for c in row if delimiter in c or "\n" in c)
    return (f"a quote (\") is not closed, so '{cell.strip().splitlines()[0][:40]}' and what follows it, to line {end}, "
            "were read as one cell; close the quote or delete it")


def _name_columns(message: str, columns: dict[str, str]) -> str:
    """A check message with the sheet's fields named by its columns."""
    for column, path in columns.items():
        if column != "confirmed":
            message = re.sub(rf"\b{re.escape(path)}\b", column, message)
    return message


def _one(k: Kind) -> str:
    """'home' for a care home (the sheet's column is home), 'home care agency' for an agency."""
    return "home" if k.id == default_kind().id else k.title.lower()


def _such_as(k: Kind) -> str:
    """How to give a page name on this kind's sheet, for the message naming a row that is not one."""
    return "such as aston-house" if k.id == default_kind().id else "its file name without .yaml"


def _sheet_of(header: list[str]) -> tuple[Sheet, str | None]:
    """The kind's sheet the first row's columns choose, or what is wrong with the first row: it names the facts
    of one kind only (a sheet is for care homes or for agencies), and all of that kind's columns."""
    chosen = [s for s in SHEETS if any(c in header for c in s.values)]
    if len(chosen) > 1:
        which = " and of ".join(f"{s.kind.plural.lower()} ({', '.join(c for c in s.values if c in header)})" for s in chosen)
        return chosen[0], (f"the first row names columns of {which}; a sheet is for one kind "
                           "of service: put each kind on a sheet of its own and run the command for each")
    if not chosen:
        return SHEETS[0], (f"the first row must name the columns {EVERY_SHEET} (and optionally confirmed); "
                           f"it names none of {', '.join(c for s in SHEETS for c in s.values)}")
    missing = [c for c in ("home", *chosen[0].values) if c not in header]
    if missing:
        return chosen[0], (f"the first row must name the columns {chosen[0].named} "
                           f"(and optionally confirmed); missing: {', '.join(missing)}")
    return chosen[0], None


def _not_this_kind(sheet: Sheet, data: dict[str, Any], slug: str) -> str | None:
    """Why a profile cannot be on this kind's sheet (an agency on the care homes' sheet), saying which sheet it
    belongs on; None when it is this kind."""
    own = kinds_of(data)
    if sheet.kind in own:
        return None
    theirs = next((s for s in SHEETS if s.kind in own), None)
    where = (f"put it on a sheet with the columns {theirs.named}" if theirs
             else "it has no sheet of free places")
    return (f"{slug} is not a {sheet.kind.title.lower()} (it is a {' and a '.join(k.title.lower() for k in own)}); "
            f"{where}")


def write_edits(edits: list[Edit]) -> list[Path]:
    """Write every checked edit that changes something; returns the files written."""
    writes = [(e.path, e.text) for e in edits if e.text is not None and e.changed]
    done = f"Every profile the update changes ({len(writes):,}) was written before it stopped."
    with ctrl_c_after(done):  # a sheet's homes all, or none (a full disk too: OSError, nothing changed)
        write_texts_atomic(writes)
    return [path for path, _ in writes]
