"""``build.py ARGS`` as if today in England were DAY: ``python bench/as_of.py DAY ARGS``.

For bench/national.py's build of the next day (what is kept from today's runs taken on a later day, as by the daily
publish). The only way a command here sees a day other than the computer's; not for publishing.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carehomes import validate  # noqa: E402  (before any module that takes validate.today by name)


def main(argv: list[str]) -> int:
    day = dt.date.fromisoformat(argv[0])
    validate.today = lambda: day
    from carehomes.cli import main as cli_main

    return cli_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
