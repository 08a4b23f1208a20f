"""``build.py ARGS`` as if today in England were DAY: ``python bench/as_of.py DAY ARGS``.

For bench/national.py's build of the next day (what is kept from today's runs taken on a later day, as by the daily
publish). The only way a command here sees a day other than the computer's; not for publishing. Runs build.py's own
``main`` (which ends a command that succeeded without Python's teardown), so its times are build.py's; with
CAREHOMES_NO_VENV=1 from the Python that has the packages, as the benchmark runs it (else build.py would start
another Python, which would see the computer's day).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from carehomes import validate  # noqa: E402  (before any module that takes validate.today by name)


def main(argv: list[str]) -> int:
    try:
        day = dt.date.fromisoformat(argv[0]) if argv and len(argv[0]) == 10 else None
    except ValueError:
        day = None
    if day is None:
        print("usage: python bench/as_of.py YYYY-MM-DD BUILD_PY_ARGS... (a real day, then build.py's arguments)",
              file=sys.stderr)
        return 2
    validate.today = lambda: day
    spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    sys.argv = [str(ROOT / "build.py"), *argv[1:]]
    return build.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
