"""Services whose availability is out of date (a care home's vacancies, a home care agency's availability: whether
it is taking new clients), for the weekly freshness issue and for stewards; and the pages nobody has claimed yet (no
maintainer), whose managers can claim them with their kind's claim form. Every sentence names what it lists in its
kinds' own words (``Words``, from the schema's kinds, their forms and faces), so a site of agencies is never told
about free beds."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import forms
from .kinds import Kind, default_kind, kinds, kinds_of
from .load import load_profile, profile_files
from .problems import Problem
from .ages import Age, nice_date
from .safetext import outside, plain
from .records import closed, get_path
from .schema import load_schema
from .text import and_list, with_article

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
    fresh: tuple[str, ...] = ()  # the availability form of each service (and kind) confirmed within the days
    age: str = f"{MAX_AGE_DAYS} days"  # the age past which an answer is out of date, in words (the site's own)
    dormant: list[str] = field(default_factory=list)  # the names of services CQC records as dormant: not asked (by slug)


def stale_homes(providers: Path, today: dt.date, max_age: int | Age = MAX_AGE_DAYS) -> Freshness:
    """Homes with vacancies confirmed more than ``max_age`` ago (days, or the site's own Age: siteconfig.staleness's
    availability, as the pages flag it), and homes that have never confirmed any
    (their free beds are not known: never 'up to date'); likewise each other kind's availability (an agency's
    homecare.confirmed). A home CQC has deregistered (``records.closed``) is left out: its page takes neither. A location of two kinds (a care home that is a home care agency too) is listed under each
    kind whose availability is old or never given, with that kind's form. One CQC records as dormant (registered,
    providing no care at the moment: its page and card say so, and it is never found as taking new clients) is not
    asked for its availability either; it is named in ``dormant``."""
    limit = max_age if isinstance(max_age, Age) else Age(max_age, "day")
    stale, never, unclaimed, problems, homes = [], [], [], [], 0
    dormant: list[tuple[str, str]] = []
    read: set[str] = set()
    fresh: list[str] = []
    availability_form = {k.id: t for t, (k, now) in forms.kind_forms().items() if now}  # kind id -> its form
    for f in profile_files([providers]):
        profile, found = load_profile(f)
        problems += found
        if profile is None or closed(profile.data):  # a closed home's page takes no vacancies and no claim
            continue
        homes += 1
        name = str(profile.data.get("name") or profile.slug)
        maintainers = tuple(str(m) for m in profile.data.get("maintainers") or [])
        mine = kinds_of(profile.data)
        if not maintainers:
            unclaimed.append(StaleHome(profile.slug, name, None, None, (), forms.claim_form_of(mine[0].id)))
        if get_path(profile.data, ["cqc", "dormant"]) is True:  # no care given now: no availability to confirm
            dormant.append((profile.slug, name))
            continue
        # the date free places were confirmed (beds.confirmed, homecare.confirmed), for each of its kinds that has one
        dated: list[Kind | None] = [k for k in mine if k.confirmed]
        for k in dated or [None]:
            confirmed = get_path(profile.data, str(k.confirmed).split(".")) if k else None
            form = availability_form.get(k.id, forms.VACANCIES) if k else forms.VACANCIES
            read.add(form)
            if not isinstance(confirmed, dt.date):
                never.append(StaleHome(profile.slug, name, None, None, maintainers, form))
            elif limit.passed(confirmed, today):
                stale.append(StaleHome(profile.slug, name, confirmed, (today - confirmed).days, maintainers, form))
            else:
                fresh.append(form)
    return Freshness(sorted(stale, key=lambda h: (h.confirmed, h.slug, words(h.form).order)),
                     sorted(never, key=lambda h: (h.slug, words(h.form).order)), homes, problems,
                     sorted(unclaimed, key=lambda h: h.slug), tuple(sorted(read, key=lambda f: words(f).order)), tuple(fresh),
                     limit.words, [name for _, name in sorted(dormant)])


@dataclass(frozen=True)
class Words:
    """What the freshness lists call a service of one kind and its availability: ("home", "homes", "vacancies",
    "Update vacancies") for a care home, ("agency", "agencies", "availability", "Update whether it is taking new
    clients") for a home care agency; from its kind (forms.kind_noun, forms.kind_plural), its availability form's
    title and its page's link to that form (forms.page_links). ``order``: the kind's place in the schema's list."""

    order: int
    noun: str
    nouns: str
    what: str
    link: str


@lru_cache(maxsize=16)
def words(form: str) -> Words:
    """The Words of the kind whose availability form or claim form is ``form`` (the first kind's for a form of no
    kind); once a form (the lists ask for each service's, nationally 15,403)."""
    every = forms.kind_forms()
    k = every[form][0] if form in every else forms.claim_forms().get(form, default_kind())
    available = next(t for t, (other, now) in every.items() if other.id == k.id and now)
    what = forms.form_title(available).removeprefix("Update ").removesuffix(": ").removeprefix(k.title.lower() + " ")
    return Words([x.id for x in kinds()].index(k.id), forms.kind_noun(k), forms.kind_plural(k), what, forms.page_links(k)[0])


def _kinds_of(listed: list[StaleHome]) -> list[Words]:
    """The Words of each kind among ``listed``, in the schema's order of kinds (the first kind's when none)."""
    return sorted({words(h.form) for h in listed} or {words(forms.VACANCIES)}, key=lambda w: w.order)


def _by_kind(ws: list[Words]) -> list[tuple[int, Words]]:
    """How many of ``ws`` (one a service) are of each kind, in the schema's order of kinds."""
    counts = Counter(ws)
    return [(counts[w], w) for w in sorted(counts, key=lambda w: w.order)]


def _counted(listed: list[StaleHome]) -> str:
    """'3 homes', '1 home and 2 agencies': ``listed`` counted by kind (of its availability or claim form)."""
    return and_list([f"{n} {w.noun if n == 1 else w.nouns}" for n, w in _by_kind([words(h.form) for h in listed])])


def _whats(ws: list[Words]) -> str:
    """'vacancies', 'vacancies or availability'."""
    return load_schema().values.or_list(list(dict.fromkeys(w.what for w in ws)))


def _told(forms_listed: list[str], verb: tuple[str, str], last: str = "") -> str:
    """Each kind among ``forms_listed`` (one availability form a service) counted, with what it has told us:
    ("have never told us", "has never told us") gives '88 homes have never told us their vacancies', '2 homes have
    never told us their vacancies and 1 agency its availability'; ``last`` ends it."""
    parts = _by_kind([words(f) for f in forms_listed])
    first_n, first = parts[0]
    head = (f"{first_n} {first.noun if first_n == 1 else first.nouns} {verb[1] if first_n == 1 else verb[0]} "
            f"{'its' if first_n == 1 else 'their'} {first.what}")
    rest = [f"{n} {w.noun if n == 1 else w.nouns} {'its' if n == 1 else 'their'} {w.what}" for n, w in parts[1:]]
    return and_list([head, *rest]) + last


def _never_head(never: list[StaleHome]) -> str:
    """'88 homes have never told us their vacancies', '2 homes have never told us their vacancies and 1 agency its
    availability'."""
    return _told([h.form for h in never], ("have never told us", "has never told us"))


def _fresh_line(found: Freshness) -> str:
    """Those that confirmed within the days, in their kinds' words: '3 homes confirmed their vacancies and 1 agency its
    availability in the last 7 days.' ("" when none did)."""
    if not found.fresh:
        return ""
    return _told(list(found.fresh), ("confirmed", "confirmed"), f" in the last {found.age}.")


def _claimed_with(unclaimed: list[StaleHome]) -> tuple[tuple[str, str] | None, str]:
    """What the unclaimed pages are of (("home", "homes"); None when of several kinds) and their claim forms' names,
    quoted."""
    claims = forms.claim_forms()
    listed = sorted({h.form for h in unclaimed if h.form in claims} or {forms.CLAIM}, key=lambda t: words(t).order)
    named = load_schema().values.or_list([f"'{forms.claim_form(None, t)['name']}'" for t in listed])
    one = words(listed[0]) if len(listed) == 1 else None
    return ((one.noun, one.nouns) if one else None), named


def _claim_advice(unclaimed: list[StaleHome]) -> str:
    """The weekly issue's words to a manager of an unclaimed page, naming the claim form of each kind listed."""
    nouns, named = _claimed_with(unclaimed)
    if nouns:
        which = f"this {nouns[0]}" if len(unclaimed) == 1 else f"one of these {nouns[1]}"
        return (f"If you manage {which}, select **Claim it** on its page (the {named.replace(chr(39), chr(34))} "
                f"form): once someone from the council has phoned the {nouns[0]} to check that you manage it, you update the page "
                "yourself.")
    return (f"If you manage one of these, select **Claim it** on its page (the {named.replace(chr(39), chr(34))} form, "
            "for its kind): once someone from the council has phoned to check that you manage it, you update the page yourself.")


def _unclaimed_head(unclaimed: list[StaleHome]) -> str:
    """'3 homes have no maintainer yet, so only the council can update their pages' (counted by kind)."""
    n = len(unclaimed)
    return (f"{_counted(unclaimed)} {'have' if n != 1 else 'has'} no maintainer yet, so only the council can update "
            f"{'their pages' if n != 1 else 'its page'}")


def issue_title(found: Freshness) -> str:
    """The weekly freshness issue's title: what its lists hold, services with old availability and those that never
    gave any ("Vacancies to confirm: 2 homes more than 7 days old, 1 never given"; each count with its kinds when the
    lists hold more than one kind)."""
    ws = _site_words(found)
    what = and_list(list(dict.fromkeys(w.what for w in ws))).capitalize()
    parts = []
    if found.stale:
        parts.append(f"{_counted(found.stale)} more than {found.age} old")
    if found.never:
        parts.append(f"{len(found.never) if found.stale and len(ws) == 1 else _counted(found.never)} never given")
    if parts:
        return f"{what} to confirm: " + ", ".join(parts)
    if not found.homes:
        return f"{what}: no profile could be read"
    return f"{what}: every {_every(ws)} confirmed {_it(ws)} in the last {found.age}"


def _every(ws: list[Words]) -> str:
    """'home', 'home and every agency'."""
    return " and every ".join(dict.fromkeys(w.noun for w in ws))


def _site_words(found: Freshness) -> list[Words]:
    """The Words of the kinds the lists hold, else of every kind read (the first kind's when none was)."""
    listed = found.stale + found.never
    return _kinds_of(listed) if listed else [words(f) for f in found.forms] or _kinds_of([])


def text_report(found: Freshness, repo: str) -> str:
    """One line per service, for stewards at a terminal: old availability first, then services that never gave any."""
    lines = []
    if found.stale:
        lines.append(f"{_counted(found.stale)} with {_whats(_kinds_of(found.stale))} more than {found.age} old:")
    elif found.fresh:
        lines.append(f"None more than {found.age} old: {_fresh_line(found)}")
    for h in found.stale:
        lines.append(f"{plain(h.slug)}: confirmed {h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days ago); "
                     f"maintainers: {_who_text(h)}; update: {forms.form_url(repo, h.form, h.slug, h.name)}")
    if found.stale and found.fresh:
        lines.append(_fresh_line(found))
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
    if found.dormant:
        lines.append(_dormant_line(found.dormant, plain))
    return "\n".join(lines)


def _dormant_line(names: list[str], quote: Callable[[str], str]) -> str:
    """The services not asked because CQC records them as dormant, named (``quote``: for the terminal or Markdown)."""
    one = len(names) == 1
    return (f"Not asked: {len(names)} {'service' if one else 'services'} CQC records as dormant (registered, providing no "
            f"care at the moment): {', '.join(quote(n) for n in names)}.")


def _it(ws: list[Words]) -> str:
    """What stands for the kinds' availability: 'it' for availability alone, else 'them' (vacancies; several)."""
    return "it" if _whats(ws) == "availability" else "them"


def _who_text(h: StaleHome) -> str:
    return ", ".join(plain(m, 60) for m in h.maintainers) if h.maintainers else f"none (phone or email the {words(h.form).noun})"


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
    table = (f"| {one.noun.capitalize() if one else 'Service'} | {one.what.capitalize() + ' confirmed' if one else 'Last confirmed'} "
             "| Maintainers | Update |\n|---|---|---|---|\n")
    out = ""
    if found.stale or found.never:
        if one:
            how = (f"If you look after one of these {one.nouns}, select **{one.link}** on its row, fill in today's "
                   f"answers and submit the form. It takes a minute, and your {one.noun} comes off this list.\n\n")
        else:
            links = ", ".join(f"**{w.link}** for {with_article(w.noun)}" for w in ws)
            how = (f"If you look after one of these, select the link on its row ({links}), fill in today's answers and "
                   f"submit the form. It takes a minute, and your {' or '.join(w.noun for w in ws)} comes off this list.\n\n")
        out = (f"The {and_list([w.nouns for w in ws])} below last confirmed their {_whats(ws)} more than {found.age} "
               f"before {nice_date(today)}, or never have. On their pages, discharge teams see {_it(ws)} marked as out of "
               "date or not known.\n\n" + how)
    if found.stale:
        out += table + "\n".join(row(h, f"{h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days)") for h in found.stale) + "\n"
        if found.fresh:
            out += "\n" + _fresh_line(found) + "\n"
    elif found.fresh:
        out += (f"None is more than {found.age} old: " if found.never else "Every one is up to date: ") + _fresh_line(found) + "\n"
    if found.never:
        shown = found.never[:NEVER_ROWS]
        more = len(found.never) - len(shown)
        out = (out.rstrip("\n") + f"\n\n## Never given\n\n{_never_head(found.never)}, so "
               f"{'their pages show' if len(found.never) != 1 else 'its page shows'} {_it(_kinds_of(found.never))} as not known "
               "yet.\n\n" + table + "\n".join(row(h, "never") for h in shown) + "\n")
        if more:
            out += f"\nAnd {more:,} more: `python3 build.py stale` lists them all.\n"
    if found.unclaimed:
        names = ", ".join(outside(h.name) for h in found.unclaimed[:NEVER_ROWS])
        more = len(found.unclaimed) - min(len(found.unclaimed), NEVER_ROWS)
        out = (out.rstrip("\n") + f"\n\n## Not claimed\n\n{_unclaimed_head(found.unclaimed)}: {names}"
               + (f" and {more:,} more (`python3 build.py stale` lists them all)" if more else "") + ".\n\n"
               + _claim_advice(found.unclaimed) + "\n")
    if found.dormant:
        out = out.rstrip("\n") + "\n\n" + _dormant_line(found.dormant, outside) + "\n"
    return out.lstrip("\n")
