"""Every command's "today" is England's date (validate.today), whatever the computer's time zone: a CI runner keeps UTC,
an hour behind in summer, so a release published at 00:30 on 2 July in England was dated 1 July."""
from __future__ import annotations

import datetime as dt
import re

from carehomes import validate
from carehomes.publish import release_date


def _at(monkeypatch, instant: dt.datetime) -> None:
    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)
    monkeypatch.setattr(validate.dt, "datetime", Clock)


def test_just_after_midnight_in_a_british_summer_is_the_next_day(monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC))  # 00:30 on 2 July in England
    assert validate.today() == dt.date(2026, 7, 2)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert release_date() == dt.date(2026, 7, 2)


def test_in_winter_england_keeps_utc(monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert validate.today() == dt.date(2026, 12, 31)
    _at(monkeypatch, dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC))
    assert validate.today() == dt.date(2027, 1, 1)


def test_no_command_asks_the_computer_for_its_own_date():
    """One clock: a module asking dt.date.today() itself would date its part by the computer's zone."""
    from conftest import ROOT

    asking = [str(p.relative_to(ROOT)) for p in (ROOT / "carehomes").rglob("*.py")
              if re.search(r"(?<!\w)date\.today\(\)|datetime\.now\(\)", p.read_text(encoding="utf-8")) and p.name != "validate.py"]
    assert asking == []


def test_zone_data_cut_short_or_missing_is_the_computers_date(tmp_path, monkeypatch):
    """A Europe/London file cut short (a full disk while tzdata was installed) ended every command in a traceback
    (struct.error: unpack requires a buffer of 24 bytes); with no zone data at all (no system files, no tzdata
    package) ZoneInfoNotFoundError. Either way the computer's own date."""
    import sys
    import zoneinfo

    (tmp_path / "Europe").mkdir()
    (tmp_path / "Europe" / "London").write_bytes(b"TZif2" + b"\0" * 3)
    try:
        for folders in ([str(tmp_path)], [str(tmp_path / "none")]):
            zoneinfo.reset_tzpath(folders)
            zoneinfo.ZoneInfo.clear_cache()
            monkeypatch.setitem(sys.modules, "tzdata", None)  # the pip package's copy, tried when the files have none
            assert validate.today() == dt.date.today()
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
