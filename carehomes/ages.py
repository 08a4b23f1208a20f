"""How old a fact is, in words a family reads, and how old it may be before a page says it may be out of date.

One function words every age (``age_words``: "today", "3 days ago", "5 years 8 months ago"), used by pages,
cards, compare cells and the site's footer; ``Age`` is a staleness threshold of ``x-directory.staleness``
("7 days", "3 months", "2 years"), which a deployment may override in mkdocs.yml (``siteconfig.staleness``).
Words are made at build time, on the build's day: the scripts only place them.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Age", "age_mark", "age_words", "date_of", "dated", "fill_ages", "filled", "marked_days", "nice_date", "parse_age",
           "worded_alike"]


def date_of(value: Any) -> dt.date | None:
    """A date, or None (a date field may hold text the profile checks did not accept)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def nice_date(value: Any) -> str:
    """'3 May 2023', or '' for no date; a date or ISO text worded once (a build words the same few thousand dates
    about 400,000 times: each home's page has a dozen)."""
    if type(value) is str or type(value) is dt.date:
        return _nice_date(value)
    return _worded(value)


def _worded(value: Any) -> str:
    d = date_of(value)
    return f"{d.day} {d:%B %Y}" if d else ""


_nice_date = functools.lru_cache(maxsize=8192)(_worded)


def months_between(when: dt.date, today: dt.date) -> int:
    """Whole calendar months from ``when`` to ``today`` (``today`` not before ``when``): 31 January to 28 February
    is one month (the last day of a shorter month completes it), 29 February 2024 to 28 February 2025 is twelve."""
    months = (today.year - when.year) * 12 + today.month - when.month
    last_day = (today + dt.timedelta(days=1)).day == 1
    return months - 1 if today.day < when.day and not last_day else months


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'s' * (n != 1)}"


def age_words(value: Any, today: dt.date) -> str:
    """How old a date is, as a family says it: 'today', '3 days ago', '4 months ago', '2 years ago',
    '5 years 8 months ago'; a date after ``today`` plainly: '3 days in the future'; '' for no date.
    Words are made on ``today`` (the build's day): the site is built daily, so they are right on the day.
    A date or ISO text is worded once for each day it is worded on (as nice_date)."""
    if (type(value) is str or type(value) is dt.date) and type(today) is dt.date:
        return _age_words(value, today)
    return _age(value, today)


def _age(value: Any, today: dt.date) -> str:
    when = date_of(value)
    if when is None:
        return ""
    if when > today:
        days = (when - today).days
        return f"{_plural(days, 'day')} in the future"
    if when == today:
        return "today"
    months = months_between(when, today)
    if months == 0:
        return f"{_plural((today - when).days, 'day')} ago"
    years, months = divmod(months, 12)
    if years == 0:
        return f"{_plural(months, 'month')} ago"
    return f"{_plural(years, 'year')}" + (f" {_plural(months, 'month')}" if months else "") + " ago"


_age_words = functools.lru_cache(maxsize=8192)(_age)


def dated(value: Any, today: dt.date) -> str:
    """'31 March 2021 (5 years 8 months ago)': a date and its age, or '' for no date."""
    return f"{nice_date(value)} ({age_words(value, today)})" if date_of(value) else ""


# A date's age held open in a page kept across days (render.home_page): two characters of Unicode's private use area
# around the date, filled in with its words on the day the page is written (fill_ages). A profile's text cannot hold
# them (validate refuses private use characters), so only the build's own marks are filled.
AGE_OPEN, AGE_CLOSE = "\ue000", "\ue001"
_MARKS = re.compile(f"{AGE_OPEN}([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}){AGE_CLOSE}".encode())


def age_mark(value: Any) -> str:
    """A mark that ``fill_ages`` makes ``age_words(value, today)`` on the day it fills it in; '' for no date."""
    when = date_of(value)
    return "" if when is None else f"{AGE_OPEN}{when.year:04}-{when.month:02}-{when.day:02}{AGE_CLOSE}"


def fill_ages(text: bytes, today: dt.date) -> bytes:
    """UTF-8 text with every age_mark made the words of its date's age on ``today`` (a mark of no real date, which
    age_mark never makes, is left as it is: ``filled``)."""
    if _OPEN not in text:
        return text
    return _MARKS.sub(lambda m: _age_bytes(m.group(1), today), text)


def filled(text: bytes, today: dt.date) -> bytes | None:
    """``fill_ages(text, today)``, or None when a mark is left in it (one that is not age_mark's, or of no real date:
    a kept page or card damaged, to be made again rather than published with the mark)."""
    out = fill_ages(text, today)
    return None if _OPEN in out or _CLOSE in out else out


_OPEN, _CLOSE = AGE_OPEN.encode(), AGE_CLOSE.encode()


def marked_days(*texts: bytes) -> list[str]:
    """The days (ISO) of the age marks in UTF-8 ``texts``, each once, in order: what their words on a day depend on."""
    return sorted({m.decode() for text in texts for m in _MARKS.findall(text)})


def worded_alike(days: list[str], one: dt.date, other: dt.date) -> bool:
    """Whether each of ``days`` (ISO, marked_days') is worded the same on ``one`` as on ``other`` ("5 years 8 months
    ago" on both: a page kept from ``one`` is then the same bytes on ``other``); False for anything not a day."""
    return all(type(d) is str and date_of(d) is not None and _age_words(d, one) == _age_words(d, other) for d in days)


@functools.lru_cache(maxsize=8192)
def _age_bytes(day: bytes, today: dt.date) -> bytes:
    text = day.decode()
    return _age(text, today).encode() if date_of(text) is not None else _OPEN + day + _CLOSE


@dataclass(frozen=True)
class Age:
    """A staleness threshold: a number of days, months or years (``x-directory.staleness``)."""

    n: int
    unit: str                       # day, month or year

    @property
    def words(self) -> str:
        """'7 days', '3 months', '2 years'."""
        return _plural(self.n, self.unit)

    @property
    def recent(self) -> str:
        """The span an answer within this age was given in, as "in the last ..." says it: 'week' for 7 days, 'month'
        for one month, 'year' for one, else its words ('14 days')."""
        return {(7, "day"): "week", (1, "day"): "day", (1, "month"): "month", (1, "year"): "year"}.get((self.n, self.unit), self.words)

    @property
    def days(self) -> int:
        """The threshold in days, near enough for counting homes in reports (a month is 30 days, a year 365)."""
        return self.n * {"day": 1, "month": 30, "year": 365}[self.unit]

    def passed(self, when: dt.date, today: dt.date) -> bool:
        """Whether ``when`` is more than this long before ``today`` (calendar months for months and years:
        3 months before 31 May is 28 February, or 29 February in a leap year)."""
        if self.unit == "day":
            return (today - when).days > self.n
        y, m = divmod(today.year * 12 + today.month - 1 - self.n * (12 if self.unit == "year" else 1), 12)
        return when < dt.date(y, m + 1, min(today.day, calendar.monthrange(y, m + 1)[1]))


AGE_TEXT = re.compile(r"([1-9][0-9]{0,3}) (day|month|year)s?")


def parse_age(text: Any) -> Age | None:
    """'7 days', '3 months', '1 year' as an Age; None for anything else."""
    m = AGE_TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
    return Age(int(m.group(1)), m.group(2)) if m else None
