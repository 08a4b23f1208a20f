"""Homes whose vacancies are out of date, for the weekly freshness issue and for stewards."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import forms
from .load import load_profile, profile_files
from .problems import Problem
from .schema import load_schema

MAX_AGE_DAYS = load_schema().values.availability_stale_days  # the same age at which pages flag vacancies


@dataclass(frozen=True)
class StaleHome:
    """One home whose free beds were last confirmed too long ago."""

    slug: str
    name: str
    confirmed: dt.date
    age_days: int
    maintainers: tuple[str, ...]


def stale_homes(providers: Path, today: dt.date, max_age: int = MAX_AGE_DAYS) -> tuple[list[StaleHome], list[Problem]]:
    """Homes with vacancies confirmed more than ``max_age`` days ago, oldest first.

    Homes that have never given vacancies are not listed: they have nothing to go stale."""
    out, problems = [], []
    for f in profile_files([providers]):
        profile, found = load_profile(f)
        problems += found
        if profile is None:
            continue
        beds = profile.data.get("beds")
        confirmed = beds.get("confirmed") if isinstance(beds, dict) else None
        if not isinstance(confirmed, dt.date) or (today - confirmed).days <= max_age:
            continue
        out.append(StaleHome(profile.slug, str(profile.data.get("name") or profile.slug), confirmed,
                             (today - confirmed).days, tuple(str(m) for m in profile.data.get("maintainers") or [])))
    return sorted(out, key=lambda h: (h.confirmed, h.slug)), problems


def text_report(homes: list[StaleHome], repo: str) -> str:
    """One line per home, for stewards at a terminal."""
    if not homes:
        return f"No home's vacancies are more than {MAX_AGE_DAYS} days old."
    lines = [f"{len(homes)} home{'s' * (len(homes) != 1)} with vacancies more than {MAX_AGE_DAYS} days old:"]
    for h in homes:
        who = ", ".join(h.maintainers) if h.maintainers else "no maintainer: phone or email the home"
        lines.append(f"{h.slug}: confirmed {h.confirmed.isoformat()} ({h.age_days} days ago); maintainers: {who}; "
                     f"update: {forms.form_url(repo, forms.VACANCIES, h.slug, h.name)}")
    return "\n".join(lines)


def markdown_report(homes: list[StaleHome], repo: str, today: dt.date) -> str:
    """The body of the weekly freshness issue: a table with maintainers mentioned and update links."""
    from .updates import md_safe

    head = (f"Homes whose free beds were last confirmed more than {MAX_AGE_DAYS} days before {today.isoformat()}. "
            "Discharge teams see these vacancies marked as out of date.\n\n"
            "If you look after one of these homes, select **Update vacancies** on its row, check the numbers "
            "and submit the form. It takes a minute, and your home comes off this list.\n\n")
    if not homes:
        return head + "Every home's vacancies are up to date.\n"
    rows = []
    for h in homes:
        who = " ".join(f"@{m}" for m in h.maintainers) if h.maintainers else "no maintainer yet (council to phone)"
        link = forms.form_url(repo, forms.VACANCIES, h.slug, h.name)
        rows.append(f"| {md_safe(h.name)} | {h.confirmed.isoformat()} ({h.age_days} days) | {who} | [Update vacancies]({link}) |")
    return head + "| Home | Vacancies confirmed | Maintainers | |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
