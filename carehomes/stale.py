"""Homes whose vacancies are out of date, for the weekly freshness issue and for stewards; and the homes
nobody has claimed yet (no maintainer), whose managers can claim them with the "Claim this home" form."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import forms
from .kinds import kinds_of
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


def stale_homes(providers: Path, today: dt.date, max_age: int = MAX_AGE_DAYS) -> Freshness:
    """Homes with vacancies confirmed more than ``max_age`` days ago, and homes that have never confirmed any
    (their free beds are not known: never 'up to date')."""
    stale, never, unclaimed, problems, homes = [], [], [], [], 0
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
        name = str(profile.data.get("name") or profile.slug)
        maintainers = tuple(str(m) for m in profile.data.get("maintainers") or [])
        if not maintainers:
            unclaimed.append(StaleHome(profile.slug, name, None, None, (), forms.claim_form_of(kinds_of(profile.data)[0].id)))
        if not isinstance(confirmed, dt.date):
            never.append(StaleHome(profile.slug, name, None, None, maintainers, form))
        elif (today - confirmed).days > max_age:
            stale.append(StaleHome(profile.slug, name, confirmed, (today - confirmed).days, maintainers, form))
    return Freshness(sorted(stale, key=lambda h: (h.confirmed, h.slug)), sorted(never, key=lambda h: h.slug), homes, problems,
                     sorted(unclaimed, key=lambda h: h.slug))


def _never_head(n: int) -> str:
    return f"{n} home{'s have' if n != 1 else ' has'} never told us {'their' if n != 1 else 'its'} vacancies"


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


def _unclaimed_head(n: int) -> str:
    return (f"{n} home{'s have' if n != 1 else ' has'} no maintainer yet, so only the council can update "
            f"{'their pages' if n != 1 else 'its page'}")


def issue_title(found: Freshness) -> str:
    """The weekly freshness issue's title: what its lists hold, homes with old vacancies and homes that never gave any."""
    parts = []
    if found.stale:
        parts.append(f"{len(found.stale)} home{'s' * (len(found.stale) != 1)} more than {MAX_AGE_DAYS} days old")
    if found.never:
        parts.append(f"{len(found.never)}{' home' if not found.stale else ''}{'s' * (not found.stale and len(found.never) != 1)} never given")
    if parts:
        return "Vacancies to confirm: " + ", ".join(parts)
    if not found.homes:
        return "Vacancies: no profile could be read"
    return f"Vacancies: every home confirmed them in the last {MAX_AGE_DAYS} days"


def text_report(found: Freshness, repo: str) -> str:
    """One line per home, for stewards at a terminal: old vacancies first, then homes that never gave any."""
    lines = []
    if found.stale:
        lines.append(f"{len(found.stale)} home{'s' * (len(found.stale) != 1)} with vacancies more than {MAX_AGE_DAYS} days old:")
    elif not found.never:
        lines.append(f"No home's vacancies are more than {MAX_AGE_DAYS} days old.")
    elif found.homes > len(found.never):
        lines.append(f"No home that has told us its vacancies confirmed them more than {MAX_AGE_DAYS} days ago.")
    for h in found.stale:
        lines.append(f"{plain(h.slug)}: confirmed {h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days ago); "
                     f"maintainers: {_who_text(h)}; update: {forms.form_url(repo, h.form, h.slug, h.name)}")
    if found.never:
        lines.append(_never_head(len(found.never)) + ":")
    for h in found.never:
        lines.append(f"{plain(h.slug)}: never confirmed; maintainers: {_who_text(h)}; "
                     f"update: {forms.form_url(repo, h.form, h.slug, h.name)}")
    if found.unclaimed:
        nouns, named = _claimed_with(found.unclaimed)
        how = (f"{with_article(nouns[0])}'s manager claims it with the {named} form" if nouns else
               f"a manager claims each with the form for its kind ({named})")
        lines.append(_unclaimed_head(len(found.unclaimed)) + f"; {how}:")
    for h in found.unclaimed:
        lines.append(f"{plain(h.slug)}: {plain(h.name, 100)}; claim: {forms.form_url(repo, h.form, h.slug, h.name)}")
    return "\n".join(lines)


def _who_text(h: StaleHome) -> str:
    return ", ".join(plain(m, 60) for m in h.maintainers) if h.maintainers else "no maintainer: phone or email the home"


def _mention(maintainer: str) -> str:
    """A maintainer mentioned on purpose: only a valid GitHub login (the schema's pattern) is an @-mention;
    anything else in a profile that has not passed check is quoted, mentioning nobody."""
    return f"@{maintainer}" if LOGIN.fullmatch(maintainer) else outside(maintainer, 60)


def markdown_report(found: Freshness, repo: str, today: dt.date) -> str:
    """The body of the weekly freshness issue: tables with maintainers mentioned and update links."""
    def row(h: StaleHome, when: str) -> str:
        who = " ".join(_mention(m) for m in h.maintainers) if h.maintainers else "no maintainer yet (council to phone)"
        link = forms.form_url(repo, h.form, h.slug, h.name)
        return f"| {outside(h.name)} | {when} | {who} | [Update vacancies]({link}) |"

    table = "| Home | Vacancies confirmed | Maintainers | |\n|---|---|---|---|\n"
    out = (f"Homes whose free beds were last confirmed more than {MAX_AGE_DAYS} days before {today.isoformat()}, "
           "or never. Discharge teams see these vacancies marked as out of date or not known.\n\n"
           "If you look after one of these homes, select **Update vacancies** on its row, check the numbers "
           "and submit the form. It takes a minute, and your home comes off this list.\n\n")
    if found.stale:
        out += table + "\n".join(row(h, f"{h.confirmed.isoformat() if h.confirmed else ''} ({h.age_days} days)") for h in found.stale) + "\n"
    elif not found.never:
        out += "Every home's vacancies are up to date.\n"
    elif found.homes > len(found.never):
        out += f"Every home that has told us its vacancies confirmed them in the last {MAX_AGE_DAYS} days.\n"
    if found.never:
        shown = found.never[:NEVER_ROWS]
        more = len(found.never) - len(shown)
        out = (out.rstrip("\n") + f"\n\n## Never given\n\n{_never_head(len(found.never))}, so their free beds show as not known.\n\n"
               + table + "\n".join(row(h, "never") for h in shown) + "\n")
        if more:
            out += f"\nAnd {more:,} more: `python3 build.py stale` lists them all.\n"
    if found.unclaimed:
        names = ", ".join(outside(h.name) for h in found.unclaimed[:NEVER_ROWS])
        more = len(found.unclaimed) - min(len(found.unclaimed), NEVER_ROWS)
        out = (out.rstrip("\n") + f"\n\n## Not claimed\n\n{_unclaimed_head(len(found.unclaimed))}: {names}"
               + (f" and {more:,} more (`python3 build.py stale` lists them all)" if more else "") + ".\n\n"
               + _claim_advice(found.unclaimed) + "\n")
    return out
