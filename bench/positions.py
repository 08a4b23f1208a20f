#!/usr/bin/env python3
"""Placing every national home by its postcode alone, as a site begun from CQC's care directory CSV (which gives no
map positions) is placed. Run by hand; prints figures.

    python bench/positions.py [--each]

Reads the national CQC file's postcodes (15,403 homes), primes their positions from OS Code-Point Open
(postcodes.prime_positions, as the build does) and asks each one's position, printing the time, the peak memory of
this process and how many were placed. --each asks each postcode without priming (its whole area's file read and
converted), as before priming was added: run it in its own process to compare.
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carehomes.schema import shared_folder  # noqa: E402
from carehomes.sources import postcodes  # noqa: E402

NATIONAL = shared_folder() / "data" / "cqc" / "virtuk-hsca-care-homes-2021-03" / "cqc_care_homes_england_2021-03_cqc_columns_only.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--each", action="store_true", help="ask each postcode without priming (as before)")
    args = parser.parse_args()
    if not NATIONAL.exists():
        print(f"bench/positions.py: the national CQC file is missing: {NATIONAL}", file=sys.stderr)
        return 1
    with open(NATIONAL, encoding="utf-8", newline="") as fh:
        wanted = [row["Location Postal Code"] for row in csv.DictReader(fh)]
    start = time.perf_counter()
    if not args.each:
        postcodes.prime_positions(wanted)
    placed = sum(postcodes.postcode_position(pc) is not None for pc in wanted)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    how = "each asked alone" if args.each else "primed, then asked"
    print(f"{len(wanted):,} postcodes, {how}: {took:.2f} s, peak memory {peak:.0f} MB, {placed:,} placed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
