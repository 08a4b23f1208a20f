"""The repository's issue forms for care homes, generated from the schema.

Two forms: "Update vacancies" (free beds and the date they were checked) and "Update this home's
details" (every other field the home owns); a third, "Claim this home", asks who the manager is. Each form element is one provider-owned field of
``schema/datapackage.json``: its label is the field's title and its help text the field's
description, so a new field appears in the form without a second list. ``apply-update`` reads
the issue GitHub makes from a form back through the same labels (see updates.py).
"""
from __future__ import annotations

import functools
import re
import unicodedata
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml

from . import configfile
from .kinds import Kind, default_kind, kinds, title_noun
from .safetext import plain, web_address
from .schema import ROOT, Field, Schema, load_schema
from .text import and_list

FORMS_DIR = ".github/ISSUE_TEMPLATE"
VACANCIES = "update-vacancies.yml"
DETAILS = "update-details.yml"
LABEL = "provider-update"
HOME_ID = "home"
HOME_LABEL = "Your home's page name"
CONTRIBUTING = "CONTRIBUTING.md"
# Defaults of mkdocs.yml's extra.directory that must be replaced before the site goes live.
PLACEHOLDERS = {
    "repository": "https://github.com/example-council/care-homes",
    "contact_email": "care.directory@example.org",
    "contact_phone": "01234 567890",
    "placement_email": "care.placements@example.org",
    "placement_phone": "01234 567891",
}
KIND = default_kind()  # the forms are a care home's: its free beds, with and without nursing
VACANCY_PATHS = frozenset((*KIND.available_paths, *((KIND.confirmed,) if KIND.confirmed else ())))
DATE_FOR_GROUP = {**({KIND.confirmed.split(".")[0]: KIND.confirmed} if KIND.confirmed else {}),
                  "capabilities": "capabilities.confirmed", "fees": "fees.date"}
# What each setting is, for the messages about it.
SETTING_NAMES = {"repository": "the council's repository", "contact_email": "the directory team's email",
                 "contact_phone": "the directory team's phone", "placement_email": "the placement (brokerage) team's email",
                 "placement_phone": "the placement (brokerage) team's phone line"}
TITLES = {VACANCIES: "Update vacancies: ", DETAILS: "Update details: "}
# "Claim this home": a manager asks to become the home's maintainer (claims.py reads the issue).
CLAIM = "claim-home.yml"
CLAIM_LABEL = "claim"
CLAIM_HOME_LABEL = "The home you manage"  # not HOME_LABEL, so the provider-update workflow leaves the claim alone
TITLES[CLAIM] = "Claim: "
# "Report incorrect details": anyone with an account says a page is wrong (written by hand, not from the schema)
INCORRECT = "incorrect-details.yml"
TITLES[INCORRECT] = "Incorrect details: "


def _hyphened(k: Kind) -> str:
    return k.id.replace("_", "-")


def kind_forms(schema: Schema | None = None) -> dict[str, tuple[Kind, bool]]:
    """Every form: its file name -> (the kind it is for, whether it is the availability form).
    The first kind's are the two above; another kind has its own pair, named after it:
    ``update-home-care-agency-availability.yml`` (taking new clients, the hours it can start, the date)
    and ``update-home-care-agency-details.yml`` (every other fact the agency owns)."""
    first = default_kind(schema)
    out = {VACANCIES: (first, True), DETAILS: (first, False)}
    for k in kinds(schema)[1:]:
        out[f"update-{_hyphened(k)}-availability.yml"] = (k, True)
        out[f"update-{_hyphened(k)}-details.yml"] = (k, False)
    return out


# A details form's answer that takes a fact off the page (updates.apply_update): REMOVE typed in its box, or the last
# choice of its list. Not a date (a set's date goes with its last answer) nor an answer of the availability forms (free
# places are a number, 0 for none, dated together).
REMOVE = "REMOVE"
REMOVE_OPTION = "Remove the answer"


def removable(f: Field) -> bool:
    """Whether a details form's answer for ``f`` may take its fact off the page (REMOVE, REMOVE_OPTION)."""
    return f.type != "date" and f.path not in VACANCY_PATHS and not any(f.path in availability_paths(k) for k in kinds())


def availability_paths(k: Kind) -> frozenset[str]:
    """A kind's availability facts, asked in its availability form: its free places, their date and the facts
    that date covers (an agency's taking_new_clients)."""
    dated = [f for date, facts in k.dated if date == k.confirmed for f in facts]
    return frozenset((*k.available_paths, *((k.confirmed,) if k.confirmed else ()), *dated))


def form_title(template: str, schema: Schema | None = None) -> str:
    """The issue title's start for a form ('Update vacancies: ', 'Update home care agency availability: ')."""
    if template in TITLES:
        return TITLES[template]
    if template in claim_forms(schema):
        return TITLES[CLAIM]
    k, available = kind_forms(schema)[template]
    return f"Update {k.title.lower()} {'availability' if available else 'details'}: "


@dataclass(frozen=True)
class FormField:
    """One element of a form: the profile field it fills and what the manager sees."""

    path: str
    id: str
    label: str
    description: str
    field: Field


def _label(f: Field, schema: Schema) -> str:
    keys = f.keys
    if keys[0] == "capabilities" and len(keys) == 3:
        cap = next(c.label for c in schema.capabilities if c.code == keys[1])
        return f"{cap.split(' (')[0]}: {f.title[:1].lower()}{f.title[1:]}"
    return f.title


def _help(f: Field) -> str:
    # sentences about the file or the CSV (they name fields like beds.confirmed) mean nothing in a form
    text = " ".join(s for s in re.split(r"(?<=\.) ", f.description)
                    if not re.search(r"\b[a-z_]+\.[a-z_]+\b|CSV", s))
    if not text:  # every sentence named a field: name it by its title instead
        titles = {p: g.title for p, g in load_schema().by_path.items()}
        text = re.sub(r"\b[a-z_]+\.[a-z_.]+\b", lambda m: f"'{titles.get(m.group(0), m.group(0))}'", f.description)
    if f.type == "date":
        group = f.path.split(".")[0]
        text += " Write the date as YYYY-MM-DD, for example 2026-11-23."
        if DATE_FOR_GROUP.get(group) == f.path or any(f.path == date for k in kinds()[1:] for date, _ in k.dated):
            text += " Leave it empty for today."  # an answer under it dates it today (updates.edit_profile)
    elif f.type == "list":
        text += " Write one on each line."
    elif f.type in ("integer", "number"):
        text += " Write the number only."
    return text


def form_fields(template: str, schema: Schema | None = None) -> list[FormField]:
    """The fields of one form, in schema order: the provider-owned fields of its kind, those of the
    availability form or the others (a field two kinds share is in both kinds' forms, titled and described as
    its kind's own table has it: an agency's description is "About the agency")."""
    schema = schema or load_schema()
    k, available = kind_forms(schema)[template]
    own = {f.path: f for f in k.fields}
    mine = set(own) | ({p for p in schema.by_path if p.startswith("capabilities.")}
                       if k.needs_resource == "capabilities" else set())
    now = VACANCY_PATHS if template in TITLES else availability_paths(k)
    out = []
    for path, shared in schema.by_path.items():
        f = own.get(path, shared)
        if f.owner != "provider" or path not in mine or (path in now) != available:
            continue
        out.append(FormField(path, path.replace(".", "__"), _label(f, schema), _help(f), f))
    return out


def labels(schema: Schema | None = None) -> dict[str, FormField]:
    """Every form label (both forms) to its field."""
    return {ff.label: ff for t in kind_forms(schema) for ff in form_fields(t, schema)}


def _element(ff: FormField) -> dict[str, Any]:
    f = ff.field
    attrs: dict[str, Any] = {"label": ff.label, "description": ff.description}
    remove = [REMOVE_OPTION] if removable(f) else []  # a choice once made can be taken off the page again
    if f.type == "boolean":
        return {"type": "dropdown", "id": ff.id, "attributes": {**attrs, "options": ["Yes", "No", *remove]},
                "validations": {"required": False}}
    if "enum" in f.constraints:
        return {"type": "dropdown", "id": ff.id, "attributes": {**attrs, "options": [*f.constraints["enum"], *remove]},
                "validations": {"required": False}}
    kind = "textarea" if f.type == "list" or f.constraints.get("maxLength", 0) > 300 else "input"
    example = "\n".join(f.example) if isinstance(f.example, list) else f.example
    if example is not None and f.type not in ("date", "integer", "number"):  # a number would look like an answer
        attrs["placeholder"] = str(example)
    return {"type": kind, "id": ff.id, "attributes": attrs, "validations": {"required": False}}


def form(template: str, schema: Schema | None = None) -> dict[str, Any]:
    """One issue form as a mapping (GitHub's issue form syntax)."""
    if template not in TITLES:
        return _kind_form(template, schema)
    vacancies = template == VACANCIES
    intro = (f"Tell us how many {KIND.unit} are free today. Fill in the numbers and select **Submit new issue**. "
             "If the numbers are right, your page changes within a few minutes and we close this request "
             "with a note saying what changed." if vacancies else details_intro(template, schema))
    body = _form_body(intro, f"registered {KIND.unit}", "home", "oak-lodge", form_fields(template, schema))
    return {
        "name": "Update vacancies" if vacancies else "Update this home's details",
        "description": (f"Tell us how many {KIND.unit} your home has free today." if vacancies else
                        "Change your home's contact details, the needs you can meet, fees or description."),
        "title": TITLES[template],
        "labels": [LABEL],
        "body": body,
    }


def group_dates(k: Kind, schema: Schema | None = None) -> list[str]:
    """The dates a details form of kind ``k`` sets when an answer they date is given (updates.edit_profile): the first
    kind's fees.date and capabilities.confirmed, another kind's dated groups (x-directory.kinds ``dated``); not the
    date of its availability, asked in the other form."""
    first = default_kind(schema)
    if k.id == first.id:
        return [d for d in DATE_FOR_GROUP.values() if d != first.confirmed]
    return [d for d, _ in k.dated if d != k.confirmed]


def details_intro(template: str, schema: Schema | None = None) -> str:
    """A details form's introduction: fill in only what changed, but a dated set of answers again whole (naming this
    form's dates: "Fees dated and Capabilities confirmed on"), as apply-update refuses one that would look checked
    anew; and that the council checks the change. A details update waits for the council (a pull request, merged by a
    steward, whose merging closes the issue)."""
    k = kind_forms(schema)[template][0]
    dates = [ff.label for ff in form_fields(template, schema) if ff.path in group_dates(k, schema)]
    sets = (f"{and_list(dates)} each say when a set of answers was last checked. If you change one answer in a set, fill "
            "in the others in that set again, even if they have not changed, or type the date your page already shows to "
            "keep it; otherwise the update is not made, and the reply lists what to fill in. ") if dates else ""
    return ("Fill in only what has changed: anything you leave empty stays as it is on your page. To take an answer off "
            f"your page, type {REMOVE} in its box, or choose **{REMOVE_OPTION}** from its list. " + sets +
            "Someone from the council checks the change before it goes on the site. We close this request when "
            "they accept it, and your page changes a few minutes later.")


def page_name_label(k: Kind, schema: Schema | None = None) -> str:
    """The label of an update form's first element, the page the update is for: "Your home's page name" for the
    first kind (the label every issue made so far carries), "Your agency's page name" for a home care agency."""
    return HOME_LABEL if k.id == default_kind(schema).id else f"Your {title_noun(k.title)}'s page name"


def page_name_labels(schema: Schema | None = None) -> dict[str, str]:
    """Each kind's page-name label -> what its messages call the service ("home", "agency")."""
    return {page_name_label(k, schema): kind_noun(k, schema) for k in kinds(schema)}


def _form_body(intro: str, cqc_example: str, what: str, example_slug: str, fields: list[FormField],
               label: str = HOME_LABEL, noun: str = "home") -> list[dict[str, Any]]:
    """An update form's elements: its introduction (with what CQC owns, ``cqc_example``, and that the ``noun``'s page
    must be claimed first), the page it is for (``label``; filled in by the link on the ``what``'s page) and one
    element a field."""
    return [
        {"type": "markdown", "attributes": {"value": intro + f"\n\nYou need to have claimed your {noun}'s "
                                            "page first, once: select **Claim it** at the bottom of the page. "
                                            "Facts from the Care Quality Commission (CQC), "
                                            f"such as your rating and {cqc_example}, cannot be changed here."}},
        {"type": "input", "id": HOME_ID, "attributes": {
            "label": label,
            "description": f"Filled in for you when you use the link on your {what}'s page. Otherwise, the last part "
                           f"of your page's address (such as {example_slug}) or your CQC location ID."},
         "validations": {"required": True}},
        *(_element(ff) for ff in fields),
    ]


def _kind_form(template: str, schema: Schema | None = None) -> dict[str, Any]:
    """The form of another kind than the first (a home care agency's availability, or its details)."""
    k, available = kind_forms(schema)[template]
    what = k.title.lower()
    fields = form_fields(template, schema)
    asked = ", ".join(ff.label.lower() for ff in fields)
    intro = (f"Tell us what you can take on today ({asked}). Fill in the answers and select **Submit new issue**. "
             "If they are right, your page changes within a few minutes and we close this request with a note saying "
             "what changed." if available else details_intro(template, schema))
    body = _form_body(intro, "registered address", what, "oak-care", fields, page_name_label(k, schema), kind_noun(k, schema))
    return {
        "name": f"Update this {what}'s {'availability' if available else 'details'}",
        "description": (f"Tell us whether your {what} is taking new clients today." if available else
                        f"Change your {what}'s contact details, the areas and care you cover, funding or rates."),
        "title": form_title(template, schema),
        "labels": [LABEL],
        "body": body,
    }


def form_text(template: str, schema: Schema | None = None, site_url: str = "") -> str:
    """The YAML text of ``.github/ISSUE_TEMPLATE/<template>`` (``site_url``: mkdocs.yml's, which a claim form links to
    the site's "For providers" page by)."""
    claims = claim_forms(schema)
    reader = "claim" if template in claims else "apply-update"
    head = ("# Generated from schema/datapackage.json by: python3 build.py docs (do not edit by hand).\n"
            f"# python3 build.py {reader} reads the issues this form makes through the same labels.\n")
    made = claim_form(schema, template, site_url) if template in claims else form(template, schema)
    return head + yaml.safe_dump(made, sort_keys=False, allow_unicode=True, width=100)


def _providers_page(site_url: str) -> str:
    """'the "For providers" page' as Markdown, a link when the site's address is a web address."""
    base = site_url.strip().rstrip("/")
    if not web_address(base) or re.search(r"[()\[\]]", base):  # a bracket would end the Markdown link
        return '"For providers" page'
    return f'["For providers" page]({base}/for-providers/)'


# --- "Claim this home" ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimField:
    """One answer of the claim form: its id, label and help, and the profile field whose rules it follows."""

    id: str
    label: str
    description: str
    rules: str | None  # a schema path (its pattern, format and example), or None for free text


CLAIM_FIELDS = (
    ClaimField("claimant_name", "Your name", "Your full name, as the home's staff know you.", "contact.manager"),
    ClaimField("claimant_role", "Your role", "Your job at the home, such as registered manager or deputy manager.", None),
    ClaimField("claimant_email", "Your work email", "Your email address at the home or its provider.", "contact.email"),
)
# Questions the claim forms no longer ask, still read (and not kept) in a claim opened before: the claimant's phone
# number, public in the issue and never used (the council rings the number CQC holds for the home, never one given)
RETIRED_CLAIM_LABELS = ("Your phone number",)


def claim_forms(schema: Schema | None = None) -> dict[str, Kind]:
    """Every "Claim this ..." form: its file name -> the kind it is for. The first kind's is ``claim-home.yml``;
    another kind has its own, named after it (``claim-home-care-agency.yml``: "The agency you manage")."""
    first = default_kind(schema)
    return {CLAIM: first, **{f"claim-{_hyphened(k)}.yml": k for k in kinds(schema)[1:]}}


def claim_form_of(kind_id: str, schema: Schema | None = None) -> str:
    """The claim form of the kind ``kind_id`` (the first kind's for an id no form is for)."""
    return next((t for t, k in claim_forms(schema).items() if k.id == kind_id), CLAIM)


def claim_labels(schema: Schema | None = None) -> dict[str, str]:
    """Each claim form's first label (the page claimed) -> what its messages call the service ("home", "agency")."""
    return {_claim_label(k, schema): kind_noun(k, schema) for k in claim_forms(schema).values()}


def page_links(k: Kind, schema: Schema | None = None) -> tuple[str, str]:
    """The words of the two update links on a page of kind ``k``, as the page shows them ("Update vacancies",
    "Update this home's details"; "Update whether it is taking new clients", "Update this agency's details")."""
    from .face import face_kinds, face_of, update_link

    schema = schema or load_schema()
    face = face_of(schema, k.id) if k.id in face_kinds(schema) else face_of(schema)
    return update_link(face), f"Update this {kind_noun(k, schema)}'s details"


def kind_noun(k: Kind, schema: Schema | None = None) -> str:
    """What forms and replies call a service of kind ``k``: "home" for the first kind, "agency" for a home care agency."""
    return "home" if k.id == default_kind(schema).id else title_noun(k.title)


def kind_plural(k: Kind) -> str:
    """What forms and replies call several services of kind ``k``: "homes", "agencies" (its plural's last word)."""
    return k.plural.split()[-1].lower()


def _claim_label(k: Kind, schema: Schema | None = None) -> str:
    return CLAIM_HOME_LABEL if k.id == default_kind(schema).id else f"The {title_noun(k.title)} you manage"


def _claim_element(c: ClaimField, schema: Schema, noun: str = "home") -> dict[str, Any]:
    attrs: dict[str, Any] = {"label": c.label, "description": c.description.replace("the home", f"the {noun}")}
    f = schema.by_path.get(c.rules) if c.rules else None
    if f is not None and f.example is not None:
        attrs["placeholder"] = str(f.example)
    return {"type": "input", "id": c.id, "attributes": attrs, "validations": {"required": True}}


def claim_form(schema: Schema | None = None, template: str = CLAIM, site_url: str = "") -> dict[str, Any]:
    """A "Claim this home" issue form (``template``: one of claim_forms, "Claim this agency"): the page and who the
    manager is; the GitHub account is the issue's author. With the site's address (``site_url``, http(s) only), the
    "For providers" page it sends a manager without a GitHub account to is a link."""
    schema = schema or load_schema()
    k = claim_forms(schema)[template]
    noun = kind_noun(k, schema)
    available, details = page_links(k, schema)
    intro = (f"Ask to look after your {noun}'s page yourself. Someone from the council rings the {noun} on the number "
             "the Care Quality Commission (CQC) holds for it, to check that you work there. Then the council lets the "
             f"GitHub account you send this request with update the {noun}'s page. After that, the **{available}** "
             "form changes your page within a few minutes, without waiting for the council. The council checks what "
             f"you send with **{details}** before it goes on the site.\n\n"
             "Everything you write here is public. No GitHub account? Email or phone the council instead "
             f"(see the {_providers_page(site_url)}).")
    body: list[dict[str, Any]] = [
        {"type": "markdown", "attributes": {"value": intro}},
        {"type": "input", "id": HOME_ID, "attributes": {
            "label": _claim_label(k, schema),
            "description": f"Filled in for you when you use the \"Claim it\" link on your {noun}'s page. Otherwise, the "
                           f"last part of your page's address (such as {'oak-lodge' if noun == 'home' else 'oak-care'}) "
                           "or your CQC location ID."},
         "validations": {"required": True}},
    ]
    body += [_claim_element(c, schema, noun) for c in CLAIM_FIELDS]
    return {"name": f"Claim this {noun}", "description": f"Look after your {noun}'s page yourself. The council checks "
            "once that you work there.", "title": TITLES[CLAIM], "labels": [CLAIM_LABEL], "body": body}


# --- settings from mkdocs.yml, form links and the council contact --------------------------------


def directory_settings(config: Path | None = None) -> dict[str, Any]:
    """``extra.directory`` of mkdocs.yml (tags such as !ENV are read as empty)."""
    return configfile.directory_settings(config or ROOT / "mkdocs.yml")


def is_placeholder(key: str, value: Any) -> bool:
    """Whether a council setting is empty or still an example (example-council, @example.org, the
    example number)."""
    text, example = str(value or "").strip(), PLACEHOLDERS.get(key, "")
    digits = re.sub(r"\D", "", text)
    return (not text or text == example or "example-council" in text or text.endswith("@example.org")
            or (key.endswith("_phone") and digits == re.sub(r"\D", "", example)))


def real_contact(directory: dict[str, Any], key: str) -> str:
    """A council contact setting for a page, or "" while it is a placeholder: no page shows an
    example address or number as if it were real."""
    value = str(directory.get(key) or "").strip()
    return "" if is_placeholder(key, value) else value


EXAMPLE_WORD = re.compile(r"\bexamples?\b", re.IGNORECASE)  # "Oldham Council (example)": a council named as an example


def example_council(directory: dict[str, Any]) -> str | None:
    """The council's name (extra.directory.council) when it says it is an example ("Herefordshire Council (example)":
    the bundled data is a real council's homes, published by nobody), read as a person reads it (full-width letters as
    letters, a soft hyphen or zero-width space as nothing); "" when it is empty or not text; else None."""
    value = directory.get("council")
    if not isinstance(value, str) or not value.strip():
        return ""
    read = "".join(c for c in unicodedata.normalize("NFKC", value) if unicodedata.category(c) != "Cf")
    return value.strip() if EXAMPLE_WORD.search(read) else None


def placeholder_warnings(directory: dict[str, Any], config: str = "mkdocs.yml") -> list[str]:
    """One warning for each council setting in the config (mkdocs.yml) still at its example value."""
    out = []
    council = example_council(directory)
    if council is not None:
        out.append(f"{config}: extra.directory.council is still an example, '{plain(council, 80)}'; set the council's real "
                   "name before publishing" if council else f"{config}: extra.directory.council is empty; set the council's "
                   "name (the pages name it as the directory's publisher and contact)")
    for key in PLACEHOLDERS:
        value = str(directory.get(key) or "")
        if is_placeholder(key, value):
            out.append(f"{config}: extra.directory.{key} is still the example '{value or '(empty)'}'; "
                       "set the council's real value before publishing")
    return out


def production_problems(directory: dict[str, Any], config: str = "mkdocs.yml") -> list[str]:
    """``build --production``: one line for each council setting still empty or an example, naming the
    setting and what to do; a site is not published with a placeholder contact, nor as an example council's."""
    out = []
    council = example_council(directory)
    if council is not None:
        said = f"is still an example, '{plain(council, 80)}'" if council else "is empty"
        out.append(f"{config}: extra.directory.council, the council that publishes the directory, {said}; set the council's "
                   "real name there, then build again")
    for key in PLACEHOLDERS:
        value = str(directory.get(key) or "").strip()
        if is_placeholder(key, value):
            out.append(f"{config}: extra.directory.{key}, {SETTING_NAMES[key]}, is {f'still the example {value}' if value else 'empty'}; "
                       "set the council's real one there, then build again")
    return out


def repository(directory: dict[str, Any]) -> str:
    return str(directory.get("repository") or PLACEHOLDERS["repository"]).rstrip("/")


def form_url(repo: str, template: str, slug: str | None = None, name: str | None = None, schema: Schema | None = None) -> str:
    """A link that opens a form, prefilled with the home when given (``schema``: the one whose kinds name the forms)."""
    if not slug:
        return f"{repo.rstrip('/')}/issues/new?" + urlencode({"template": template}, quote_via=quote)
    # urlencode(quote_via=quote) of {"template", HOME_ID (the claim form's home element has the same id), "title"},
    # its fixed part made once a build: each home's page has three of these links
    head, title = _form_head(repo, template, schema)
    return f"{head}{_quoted(slug)}&title={title}{_quoted(name or slug)}"


@functools.lru_cache(maxsize=16)
def _quoted(text: str) -> str:
    """``quote(text, safe='')``, kept for the next few calls: a home's page quotes its slug and name for each of its
    three form links."""
    return quote(text, safe="")


@functools.lru_cache(maxsize=64)
def _form_head(repo: str, template: str, schema: Schema | None) -> tuple[str, str]:
    """form_url's link up to the home's slug, and its title's start, quoted (quoting is character by character)."""
    return (f"{repo.rstrip('/')}/issues/new?" + urlencode({"template": template, HOME_ID: ""}, quote_via=quote),
            quote(form_title(template, schema), safe=""))


def contact_markdown(directory: dict[str, Any]) -> str:
    """The council's contact details for managers without an account (Markdown)."""
    council = directory.get("council") or "The council"
    email, phone = real_contact(directory, "contact_email"), real_contact(directory, "contact_phone")
    tel = re.sub(r"[^0-9+]", "", phone)
    return (f"- **{council}**, care home directory team\n"
            + (f"- Email: [{email}](mailto:{email})\n" if email else "")
            + (f"- Phone: [{phone}](tel:{tel})\n" if phone else "")
            + ("" if email and phone else
               f"- The council has not set its {'contact details' if not (email or phone) else 'phone number' if email else 'email'} "
               "for this directory yet\n"))


def _links_markdown(directory: dict[str, Any]) -> str:
    repo = repository(directory)
    return (f"- [Update vacancies]({form_url(repo, VACANCIES)})\n"
            f"- [Update this home's details]({form_url(repo, DETAILS)})\n")


def _find_markdown(directory: dict[str, Any]) -> str:
    """The link to the site's find page from its address (safetext.web_address), else the page named as text: by its
    title on the site (``find_title``, the build's SiteWords.find: "Find care" on a site of two kinds), else the
    title a site of care homes gives it."""
    site = str(directory.get("site_url") or "").strip()
    title = str(directory.get("find_title") or "Find a care home")
    return f"[{title}]({site.rstrip('/')}/find/) page.\n" if web_address(site) else f"{title} page.\n"


def other_kinds_markdown(directory: dict[str, Any], listed: frozenset[str] | None = None,
                         schema: Schema | None = None) -> str:
    """A section for the providers of each kind after the first (a home care agency): how to tell us their
    availability with its form (the link's words as on their page), what it asks, the details form, links to both and
    what to tell the council without an account; only the kinds in ``listed`` (the site's), every kind when None
    (the repository's CONTRIBUTING.md)."""
    schema = schema or load_schema()
    repo = repository(directory)
    out = []
    for template, (k, available) in kind_forms(schema).items():
        if not available or k.id == default_kind(schema).id or (listed is not None and k.id not in listed):
            continue
        what, noun = k.title.lower(), title_noun(k.title)
        details = next(t for t, (other, now) in kind_forms(schema).items() if other.id == k.id and not now)
        link = page_links(k, schema)[0]
        labels = [f"**{ff.label}**" for ff in form_fields(template, schema)]
        asked = and_list(labels)
        steps = [f"At the bottom of your {noun}'s page, under \"Is this your {noun}? Update this page\", select "
                 f"**{link}**. The form opens with your {noun} already filled in.",
                 f"It asks: {asked}.", "Leave the date empty if you checked today."]
        out.append("\n\n".join([
            f"## If you run a {what}",
            textwrap.fill(f"Claim your {noun}'s page as above. There are no beds to update. Instead, tell us what your "
                          f"{noun} can take on:", 100),
            "\n".join(textwrap.fill(step, 100, initial_indent=f"{i}. ", subsequent_indent="   ")
                      for i, step in enumerate(steps, 1)),
            textwrap.fill(f"Do this at least once a week, even if nothing has changed. For anything else, select "
                          f"**Update this {noun}'s details** on the same page; the council checks those changes "
                          "first.", 100),
            textwrap.fill(f"If you cannot find your {noun}'s page, use these links and type your {noun}'s page name "
                          "(the last part of your page's address, such as `oak-care`):", 100),
            f"- [{link}]({form_url(repo, template)})\n- [Update this {noun}'s details]({form_url(repo, details)})",
            textwrap.fill(f"Without an account, email or phone the council (below) with your {noun}'s name, the same "
                          "answers and the date you checked.", 100)]) + "\n")
    return "\n".join(out)


def other_kinds_intro(directory: dict[str, Any], listed: frozenset[str] | None = None,
                      schema: Schema | None = None) -> str:
    """One line under the introduction for each other kind (as other_kinds_markdown) pointing to its section."""
    out = []
    for k in kinds(schema)[1:]:
        if listed is None or k.id in listed:
            anchor = re.sub(r"[^a-z0-9 -]", "", f"if you run a {k.title.lower()}").replace(" ", "-")
            out.append(f"If you run a {k.title.lower()}, read [If you run a {k.title.lower()}](#{anchor}) below.\n")
    return "".join(out)


BLOCKS = {"council-contact": contact_markdown, "form-links": _links_markdown, "find-link": _find_markdown}  # from the settings
KIND_BLOCKS = {"other-kinds": other_kinds_markdown, "other-kinds-intro": other_kinds_intro}  # also from the kinds listed


def fill_blocks(text: str, directory: dict[str, Any], markers: bool = True, listed: frozenset[str] | None = None) -> str:
    """Replace each ``<!-- name -->...<!-- /name -->`` block with text made from the settings
    (``directory`` is mkdocs.yml's extra.directory, with its site_url); blocks may be indented.
    ``markers=False`` (for the site) leaves the comment lines out, so a block can sit in a list.
    ``listed``: the kinds of service the site lists (other_kinds_markdown)."""
    blocks = {**BLOCKS, **{name: functools.partial(make, listed=listed) for name, make in KIND_BLOCKS.items()}}
    for name, make in blocks.items():
        pattern = re.compile(rf"^([ \t]*)<!-- {name} -->\n.*?^\1<!-- /{name} -->", re.S | re.M)

        def fill(m: re.Match, make: Any = make, name: str = name) -> str:
            pad = m.group(1)
            body = "".join(pad + line + "\n" for line in make(directory).splitlines())
            if not markers:
                return body.rstrip("\n")
            return f"{pad}<!-- {name} -->\n{body}{pad}<!-- /{name} -->"
        text = pattern.sub(fill, text)
    return text


def contributing_for_site(text: str, settings: dict[str, Any], listed: frozenset[str] | None = None) -> str:
    """CONTRIBUTING.md as the site's "For providers" page: blocks filled from the site's settings (a section
    for each other kind of service the site lists: ``listed``), pictures from content/images/ (copied to the
    site's images/); links to the repository's docs/ go to the repository (``repository`` and ``branch``
    settings) or, with none set, stay as plain text."""
    page = fill_blocks(text, settings, markers=False, listed=listed).replace("](content/images/", "](../images/")
    first = f"# Updating your {default_kind().title.lower()}'s page"
    present = [k for k in kinds() if listed is not None and k.id in listed]
    if page.startswith(first) and len(present) > 1:  # a site of agencies too: its heading names each kind it lists
        page = f"# Updating your {' or '.join(k.title.lower() + chr(39) + 's' for k in present)} page" + page[len(first):]
    repo = str(settings.get("repository") or "").rstrip("/")
    base = f"{repo}/blob/{settings.get('branch') or 'main'}/docs/" if repo.startswith("https://") else None
    return re.sub(r"\[([^\]]+)\]\(docs/([^)\s]+)\)", lambda m: f"[{m[1]}]({base}{m[2]})" if base else m[1], page)


def settings_for_blocks(config: Path) -> dict[str, Any]:
    """extra.directory of a mkdocs.yml with its site_url, for fill_blocks."""
    return {**directory_settings(config), "site_url": configfile.load_config_file(config).get("site_url", "")}


def generated_files(root: Path = ROOT, schema: Schema | None = None, config: Path | None = None) -> dict[Path, str]:
    """Files ``docs`` writes from the schema and mkdocs.yml: each kind's two update forms, the claim form and
    CONTRIBUTING.md's blocks. ``config``: the settings they take the council's contact and the site's address from
    (default: the top level's mkdocs.yml; an area's, areas/NAME/mkdocs.yml, where the repository publishes that area)."""
    config = config or root / "mkdocs.yml"
    settings = settings_for_blocks(config) if config.is_file() else {}
    site_url = str(settings.get("site_url") or "")
    out = {root / FORMS_DIR / t: form_text(t, schema, site_url) for t in (*kind_forms(schema), *claim_forms(schema))}
    contributing = root / CONTRIBUTING
    if contributing.exists():
        out[contributing] = fill_blocks(contributing.read_text(encoding="utf-8"), settings)
    return out
