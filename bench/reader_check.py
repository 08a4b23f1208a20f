"""Compare the quick profile reader (carehomes/blockyaml.py) with the full one (libyaml's nodes, PyYAML's
constructor) on every profile of a folder, e.g. the national set bench/national.py --keep DIR imports:

    python bench/reader_check.py DIR/providers

prints each profile read differently (values, key lines or problems) and exits 1 if any; by hand, not in the suite
(tests/test_fast_paths.py compares every bundled and fixture profile, hostile YAML and mutated profiles)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from carehomes import load  # noqa: E402
from carehomes.load import parse_profile  # noqa: E402


def both_ways(text: str) -> tuple[object, object]:
    """parse_profile's answer the quick way and the full way."""

    def seen(result):
        profile, problems = result
        kept = (repr(profile.data), list(profile.lines.items())) if profile else None
        return kept, [(str(p), p.severity) for p in problems]

    quick = seen(parse_profile(text, "p.yaml"))
    read, load._BLOCK.read = load._BLOCK.read, lambda text: None  # type: ignore[method-assign]
    try:
        full = seen(parse_profile(text, "p.yaml"))
    finally:
        load._BLOCK.read = read  # type: ignore[method-assign]
    return quick, full


def main(folder: str) -> int:
    files = sorted(Path(folder).rglob("*.yaml"))
    differ = [f for f in files if len(set(map(repr, both_ways(f.read_text(encoding="utf-8"))))) != 1]
    for f in differ:
        print(f"{f}: read differently")
    print(f"{len(files):,} profiles compared, {len(differ)} read differently")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/reader_check.py FOLDER")
    sys.exit(main(sys.argv[1]))
