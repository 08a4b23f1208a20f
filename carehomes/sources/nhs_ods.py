"""NHS trusts by their NHS organisation (ODS) codes, such as RLQ for Wye Valley NHS Trust.

The list in ``schema/nhs-trusts.csv`` (code, name, ICB code, open and close dates) is made from
NHS England's Organisation Data Service "NHS Trusts" file ``etr.csv`` with::

    .venv/bin/python -m carehomes.sources.nhs_ods ../shared/data/nhs-ods/etr.csv

so the site builds without the outside file. ODS writes names in capitals; ``nice_name`` turns
"WYE VALLEY NHS TRUST" into "Wye Valley NHS Trust".
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..safetext import plain
from ..schema import ROOT

TRUSTS_PATH = ROOT / "schema" / "nhs-trusts.csv"
COLUMNS = ["code", "name", "icb", "opened", "closed"]
_SMALL = {"and", "of", "the", "for", "in", "on", "at", "upon"}
_UPPER = {"NHS", "FT", "UK", "CIC", "ICB", "II"}


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    icb: str
    opened: dt.date | None
    closed: dt.date | None

    @property
    def open(self) -> bool:
        return self.closed is None


def nice_name(upper: str) -> str:
    """An ODS name in capitals as people write it ("KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST"
    -> "King's College Hospital NHS Foundation Trust")."""
    words = []
    for i, word in enumerate(upper.split()):
        if word in _UPPER:
            words.append(word)
        elif i and word.lower() in _SMALL:
            words.append(word.lower())
        else:
            parts = re.split(r"([-/])", word.lower())
            words.append("".join(p if p in "-/" or (j and p in _SMALL) else p[:1].upper() + p[1:]
                                 for j, p in enumerate(parts)))
    return " ".join(words)


def _ods_date(text: str) -> dt.date | None:
    text = text.strip()
    return dt.datetime.strptime(text, "%Y%m%d").date() if re.fullmatch(r"\d{8}", text) else None


def read_etr(path: Path) -> list[Trust]:
    """NHS trusts from ODS's etr.csv (no header; code, name, grouping, ICB, address, postcode,
    open date, close date, ...)."""
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 12 or not row[0].strip():
                continue
            out.append(Trust(row[0].strip(), nice_name(row[1].strip()), row[3].strip(), _ods_date(row[10]), _ods_date(row[11])))
    return sorted(out, key=lambda t: t.code)


def trusts_csv(trusts: list[Trust]) -> str:
    """The trusts as the CSV kept in schema/ and published beside the data."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for t in trusts:
        w.writerow([t.code, t.name, t.icb, t.opened.isoformat() if t.opened else "", t.closed.isoformat() if t.closed else ""])
    return buf.getvalue()


@lru_cache(maxsize=2)
def load_trusts(path: Path = TRUSTS_PATH) -> dict[str, Trust]:
    """Code -> Trust from schema/nhs-trusts.csv."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["code"]: Trust(r["code"], r["name"], r["icb"], dt.date.fromisoformat(r["opened"]) if r["opened"] else None,
                             dt.date.fromisoformat(r["closed"]) if r["closed"] else None) for r in rows}


def trust_name(code: str) -> str | None:
    """The trust's name for an ODS code, or None if the code is not a trust."""
    t = load_trusts().get(code)
    return t.name if t else None


def _closest_by_name(text: str, trusts: dict[str, Trust]) -> Trust | None:
    names = {t.name.lower(): t for t in trusts.values() if t.open}
    wanted = text.lower()
    hits = [t for n, t in names.items() if wanted in n] or \
        [names[n] for n in difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)]
    return hits[0] if len(hits) == 1 else None


def code_by_name(text: str) -> str | None:
    """The code of the open trust whose whole name ``text`` is (any case and spacing: 'wye valley nhs trust' is RLQ),
    else None: a name, as a form's answer gives it, is as good as its code when it names one trust."""
    wanted = " ".join(text.split()).lower()
    hits = [t.code for t in load_trusts().values() if t.open and " ".join(t.name.split()).lower() == wanted]
    return hits[0] if len(hits) == 1 else None


def code_problem(code: str) -> str | None:
    """What is wrong with one acute trust entry, with a 'did you mean', or None if it is an open trust."""
    trusts = load_trusts()
    t = trusts.get(code)
    if t and t.open:
        return None
    if t:
        return (f"'{code}' ({t.name}) closed on {t.closed.isoformat() if t.closed else '?'}; "
                "remove it or give the code of the trust that took over its hospitals")
    same = trusts.get(code.strip().upper())
    if same:
        return f"'{plain(code)}' is not an NHS trust code; did you mean '{same.code}' ({same.name})?"
    if " " in code.strip() or len(code) > 5:
        hit = _closest_by_name(code, trusts)
        hint = f"did you mean '{hit.code}' ({hit.name})?" if hit else "look the trust up in the NHS's Organisation Data Service (odsportal.digital.nhs.uk)"
        return f"'{plain(code)}' is a name; give the trust's NHS organisation code instead: {hint}"
    close = difflib.get_close_matches(code.upper(), [c for c, t in trusts.items() if t.open], n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}' ({trusts[close[0]].name})?" if close else \
        "give the NHS organisation code of the trust, such as RLQ for Wye Valley NHS Trust"
    return f"'{plain(code)}' is not an NHS trust code; {hint}"


def main(argv: list[str]) -> int:
    """Write schema/nhs-trusts.csv from ODS's etr.csv."""
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: .venv/bin/python -m carehomes.sources.nhs_ods PATH/TO/etr.csv", file=sys.stderr)
        return 2
    trusts = read_etr(Path(argv[0]))
    TRUSTS_PATH.write_text(trusts_csv(trusts), encoding="utf-8")
    print(f"wrote {TRUSTS_PATH.relative_to(ROOT)} ({len(trusts)} trusts, {sum(t.open for t in trusts)} open)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
