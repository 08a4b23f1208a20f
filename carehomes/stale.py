"""Services whose availability is out of date (a care home's vacancies, a home care agency's availability: whether
it is taking new clients), for the weekly freshness issue and for stewards; and the pages nobody has claimed yet (no
maintainer), whose managers can claim them with their kind's claim form. Every sentence names what it lists in its
kinds' own words (``Words``, from the schema's kinds, their forms and faces), so a site of agencies is never told
about free beds."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import forms
from .face import face_of, update_link
from .kinds import default_kind, kinds, kinds_of
from .load import load_profile, profile_files
from .problems import Problem
from .safetext import outside, plain
from .records import get_path
from .schema import load_schema
from .text import with_article

LOGIN = re.compile(load_schema().by_path["maintainers"].item_pattern or r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
MAX_AGE_DAYS = load_schema().values.availability_stale_days  # the same age at which pages flag vacancies
NEVER_ROWS = 100  # homes that never gave vacancies listed in the weekly issue (GitHub limits an issue to 65,536 characters)


@dataclass(frozen=True)
class StaleHome:
    """One home whose free beds were last confirmed too long ago, or never (``confirmed`` None)."""

    slug: str
    name: str
    confirmed: dt.date | None
    age_days: int | None
    maintainers: tuple[str, ...]
    form: str = forms.VACANCIES  # the form that updates it: a home's vacancies, an agency's availability; unclaimed: its claim form


@dataclass
class Freshness:
    """What ``stale`` found: homes with old vacancies (oldest first), homes that never gave any (by slug),
    how many profiles were read, the problems of profiles that could not be read, and the homes with no
    maintainer yet (by slug)."""

    stale: list[StaleHome]
    never: list[StaleHome]
    homes: int
    problems: list[Problem]
    unclaimed: list[StaleHome] = field(default_factory=list)
    forms: tuple[str, ...] = ()  # the availability form of each kind read (its words when nothing is listed); () the first kind's


def stale_homes(providers: Path, today: dt.date, max_age: int = MAX_AGE_DAYS) -> Freshness:
    """Homes with vacancies confirmed more than ``max_age`` days ago, and homes that have never confirmed any
    (their free beds are not known: never 'up to date')."""
    stale, never, unclaimed, problems, homes = [], [], [], [], 0
    read: set[str] = set()
    availability_form = {k.id: t for t, (k, now) in forms.kind_forms().items() if now}  # kind id -> its form
    for f in profile_files([providers]):
        profile, found = load_profile(f)
        problems += found
        if profile is None:
            continue
        homes += 1
        # the date free places were confirmed (beds.confirmed), of the first of the profile's kinds that counts them
        dated = [k for k in kinds_of(profile.data) if k.confirmed]
        confirmed = get_path(profile.data, str(dated[0].confirmed).split(".")) if dated else None
        form = availability_form.get(dated[0].id, forms.VACANCIES) if dated else forms.VACANCIES
        read.add(form)
        name = str(profile.data.get("name") or profile.slug)
        maintainers = tuple(str(m) for m in profile.data.get("maintainers") or [])
        if not maintainers:
            unclaimed.append(StaleHome(profile.slug, name, None, None, (), forms.claim_form_of(kinds_of(profile.data)[0].id)))
        if not isinstance(confirmed, dt.date):
            never.append(StaleHome(profile.slug, name, None, None, maintainers, form))
        elif (today - confirmed).days > max_age:
            stale.append(StaleHome(profile.slug, name, confirmed, (today - confirmed).days, maintainers, form))
    return Freshness(sorted(stale, key=lambda h: (h.confirmed, h.slug)), sorted(never, key=lambda h: h.slug), homes, problems,
                     sorted(unclaimed, key=lambda h: h.slug), tuple(sorted(read, key=_form_order)))


@dataclass(frozen=True)
class Words:
    """What the freshness lists call a service of one kind and its availability: ("home", "homes", "vacancies",
    "Update vacancies") for a care home, ("agency", "agencies", "availability", "Update whether it is taking new
    clients") for a home care agency; from its kind (forms.kind_noun, its plural), its availability form's title and
    its page's link to that form (face.update_link)."""

    noun: str
    nouns: str
    what: str
    link: str


def words(form: str) -> Words:
    """The Words of the kind whose availability form is ``form`` (the first kind's for a form of no kind)."""
    k = forms.kind_forms().get(form, (default_kind(), True))[0]
    what = forms.form_title(form if form in forms.kind_forms() else forms.VACANCIES).removeprefix("Update ").removesuffix(": ")
    return Words(forms.kind_noun(k), k.plural.split()[-1].lower(), what.removeprefix(k.title.lower() + " "),
                 update_link(face_of(load_schema(), k.id)))


def _form_order(form: str) -> int:
    """The schema's order of kinds, for the availability forms (the first kind's first)."""
    order = list(forms.kind_forms())
    return order.index(form) if form in order else -1


def _kinds_of(listed: list[StaleHome]) -> list[Words]:
    """The Words of each kind among ``listed``, in the schema's order of kinds (the first kind's when none)."""
    return [words(f) for f in sorted({h.form for h in listed} or {forms.VACANCIES}, key=_form_order)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _counted(listed: list[StaleHome]) -> str:
    """'3 homes', '1 home and 2 agencies': ``listed`` counted by kind, in the schema's order of kinds."""
    parts = []
    for w in _kinds_of(listed):
        n = sum(1 for h in listed if words(h.form) == w)
        parts.append(f"{n} {w.noun if n == 1 else w.nouns}")
    return _and(parts)


def _whats(ws: list[Words]) -> str:
    """'vacancies', 'vacancies or availability'."""
    return load_schema().values.or_list(list(dict.fromkeys(w.what for w in ws)))


def _never_head(never: list[StaleHome]) -> str:
    """'88 homes have never told us their vacancies', '2 homes have never told us their vacancies and 1 agency its
    availability'."""
    parts = []
    for w in _kinds_of(never):
        n = sum(1 for h in never if words(h.form) == w)
        parts.append((n, w))
    first_n, first = parts[0]
    head = (f"{first_n} {first.noun if first_n == 1 else first.nouns} {'has' if first_n == 1 else 'have'} never told us "
            f"{'its' if first_n == 1 else 'their'} {first.what}")
    rest = [f"{n} {w.noun if n == 1 else w.nouns} {'its' if n == 1 else 'their'} {w.what}" for n, w in parts[1:]]
    return _and([head, *rest])


def _claimed_with(unclaimed: list[StaleHome]) -> tuple[tuple[str, str] | None, str]:
    """What the unclaimed pages are of (("home", "homes"); None when of several kinds) and their claim forms' names,
    quoted."""
    claims = forms.claim_forms()
    listed = {h.form for h in unclaimed if h.form in claims} or {forms.CLAIM}
    named = load_schema().values.or_list(sorted(f"'{forms.claim_form(None, t)['name']}'" for t in listed))
    one = claims[next(iter(listed))] if len(listed) == 1 else None
    return ((forms.kind_noun(one), one.plural.split()[-1].lower()) if one else None), named


def _claim_advice(unclaimed: list[StaleHome]) -> str:
    """The weekly issue's words to a manager of an unclaimed page, naming the claim form of each kind listed."""
    nouns, named = _claimed_with(unclaimed)
    if nouns:
        return (f"If you manage one of these {nouns[1]}, select **Claim it** on its page (the {named.replace(chr(39), chr(34))} "
                f"form): once a council steward has rung the {nouns[0]} to confirm it, you update the page yourself.")
    return (f"If you manage one of these, select **Claim it** on its page (the {named.replace(chr(39), chr(34))} form, "
            "for its kind): once a council steward has rung to confirm it, you update the page yourself.")


def _unclaimed_head(unclaimed: list[StaleHome]) -> str:
    """'3 homes have no maintainer yet, so only the council can update their pages' (counted by kind)."""
    n = len(unclaimed)
    return (f"{_counted_claims(unclaimed)} {'have' if n != 1 else 'has'} no maintainer yet, so only the council can update "
            f"{'their pages' if n != 1 else 'its page'}")


def _counted_claims(unclaimed: list[StaleHome]) -> str:
    """The unclaimed pages counted by kind ('3 homes', '2 homes and 1 agency'), from their claim forms."""
    claims = forms.claim_forms()
    counts: dict[str, int] = {}
    for h in unclaimed:
        kind_id = claims[h.form].id if h.form in claims else default_kind().id
        counts[kind_id] = counts.get(kind_id, 0) + 1
    parts = []
    for k in kinds():
        if k.id in counts:
            n = counts[k.id]
            parts.append(f"{n} {forms.kind_noun(k) if n == 1 else k.plural.split()[-1].lower()}")
    return _and(parts)


def issue_title(found: Freshness) -> str:
    """The weekly freshness issue's title: what its lists hold, services with old availability and those that never
    gave any ("Vacancies to confirm: 2 homes more than 7 days old, 1 never given")."""
    listed = found.stale + found.never
    ws = _kinds_of(listed) if listed else [words(f) for f in found.forms] or _kinds_of([])
    what = _and(list(dict.fromkeys(w.what for w in ws))).capitalize()
    parts = []
    if found.stale:
        parts.append(f"{_counted(found.stale)} more than {MAX_AGE_DAYS} days old")
    if found.never:
        parts.append(f"{len(found.never) if found.stale else _counted(found.never)} never given")
    if parts:
        return f"{what} to confirm: " + ", ".join(parts)
    if not found.homes:
        return f"{what}: no profile could be read"
    return f"{what}: every {_or_nouns(ws)} confirmed {_it(ws)} in the last {MAX_AGE_DAYS} days"


def _or_nouns(ws: list[Words]) -> str:
    """'home', 'home and agency'."""
    return _and(list(dict.fromkeys(w.noun for w in ws)))


def _site_words(found: Freshness) -> list[Words]:
    """The Words of the kinds the lists hold, else of every kind read (the first kind's when none was)."""
    listed = found.stale + found.never
    return _kinds_of(listed) if listed else [words(f) for f in found.forms] or _kinds_of([])


def text_report(found: Freshness, repo: str) -> str:
    """One line per service, for stewards at a terminal: old availability first, then services that never gave any."""
    lines = []
    ws = _site_words(found)
    if found.stale:
        lines.append(f"{_counted(found.stale)} with {_whats(_kinds_of(found.stale))} more than {MAX_AGE_DAYS} days old:")
    elif not found.never:
        lines.append(f"No {_or_nouns(ws)}'s {_whats(ws)} {'is' if _whats(ws) == 'availability' else 'are'} more than "
                     f"{MAX_AGE_DAYS} days old.")
    elif found.homes > len(found.never):
        lines.append(f"No {_or_nouns(ws)} that has told us its {_whats(ws)} confirmed {_it(ws)} more than {MAX_AGE_DAYS} days ago.")
    for h in found.stale:
        lines.append(f"{plain(h.slug)}: confirmed {h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days ago); "
                     f"maintainers: {_who_text(h)}; update: {forms.form_url(repo, h.form, h.slug, h.name)}")
    if found.never:
        lines.append(_never_head(found.never) + ":")
    for h in found.never:
        lines.append(f"{plain(h.slug)}: never confirmed; maintainers: {_who_text(h)}; "
                     f"update: {forms.form_url(repo, h.form, h.slug, h.name)}")
    if found.unclaimed:
        nouns, named = _claimed_with(found.unclaimed)
        how = (f"{with_article(nouns[0])}'s manager claims it with the {named} form" if nouns else
               f"a manager claims each with the form for its kind ({named})")
        lines.append(_unclaimed_head(found.unclaimed) + f"; {how}:")
    for h in found.unclaimed:
        lines.append(f"{plain(h.slug)}: {plain(h.name, 100)}; claim: {forms.form_url(repo, h.form, h.slug, h.name)}")
    return "\n".join(lines)


def _it(ws: list[Words]) -> str:
    """What stands for the kinds' availability: 'them' (vacancies), 'it' (availability, or several)."""
    return "them" if _whats(ws) == "vacancies" else "it"


def _who_text(h: StaleHome) -> str:
    return ", ".join(plain(m, 60) for m in h.maintainers) if h.maintainers else f"no maintainer: phone or email the {words(h.form).noun}"


def _mention(maintainer: str) -> str:
    """A maintainer mentioned on purpose: only a valid GitHub login (the schema's pattern) is an @-mention;
    anything else in a profile that has not passed check is quoted, mentioning nobody."""
    return f"@{maintainer}" if LOGIN.fullmatch(maintainer) else outside(maintainer, 60)


def markdown_report(found: Freshness, repo: str, today: dt.date) -> str:
    """The body of the weekly freshness issue: tables with maintainers mentioned and update links, in the words of
    the kinds it lists (a care home's vacancies, a home care agency's availability)."""
    def row(h: StaleHome, when: str) -> str:
        who = " ".join(_mention(m) for m in h.maintainers) if h.maintainers else "no maintainer yet (council to phone)"
        link = forms.form_url(repo, h.form, h.slug, h.name)
        return f"| {outside(h.name)} | {when} | {who} | [{words(h.form).link}]({link}) |"

    ws = _site_words(found)
    one = ws[0] if len(ws) == 1 else None
    table = (f"| {one.noun.capitalize() if one else 'Service'} | {one.what.capitalize() + ' confirmed' if one else 'Confirmed'} "
             "| Maintainers | |\n|---|---|---|---|\n")
    subjects = _and([w.nouns for w in ws]).capitalize()
    if one:
        how = (f"If you look after one of these {one.nouns}, select **{one.link}** on its row, check the answers and submit "
               f"the form. It takes a minute, and your {one.noun} comes off this list.\n\n")
    else:
        links = ", ".join(f"**{w.link}** for {with_article(w.noun)}" for w in ws)
        how = (f"If you look after one of these, select the link on its row ({links}), check the answers and submit the "
               "form. It takes a minute, and it comes off this list.\n\n")
    out = (f"{subjects} that last confirmed their {_whats(ws)} more than {MAX_AGE_DAYS} days before {today.isoformat()}, "
           "or never did. Discharge teams see these answers marked on their pages as out of date or not known.\n\n" + how)
    if found.stale:
        out += table + "\n".join(row(h, f"{h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days)") for h in found.stale) + "\n"
    elif not found.never:
        out += f"Every {_or_nouns(ws)} has confirmed its {_whats(ws)} in the last {MAX_AGE_DAYS} days.\n"
    elif found.homes > len(found.never):
        out += f"Every {_or_nouns(ws)} that has told us its {_whats(ws)} confirmed {_it(ws)} in the last {MAX_AGE_DAYS} days.\n"
    if found.never:
        shown = found.never[:NEVER_ROWS]
        more = len(found.never) - len(shown)
        out = (out.rstrip("\n") + f"\n\n## Never given\n\n{_never_head(found.never)}, so "
               f"{'their pages say' if len(found.never) != 1 else 'its page says'} not known.\n\n"
               + table + "\n".join(row(h, "never") for h in shown) + "\n")
        if more:
            out += f"\nAnd {more:,} more: `python3 build.py stale` lists them all.\n"
    if found.unclaimed:
        names = ", ".join(outside(h.name) for h in found.unclaimed[:NEVER_ROWS])
        more = len(found.unclaimed) - min(len(found.unclaimed), NEVER_ROWS)
        out = (out.rstrip("\n") + f"\n\n## Not claimed\n\n{_unclaimed_head(found.unclaimed)}: {names}"
               + (f" and {more:,} more (`python3 build.py stale` lists them all)" if more else "") + ".\n\n"
               + _claim_advice(found.unclaimed) + "\n")
    return out
