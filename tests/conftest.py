"""Shared helpers for the tests."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from carehomes.devtools import SHARED_ENV, shared_folder  # noqa: E402

SHARED = shared_folder()
CQC = SHARED / "data" / "cqc"
NATIONAL = CQC / "virtuk-hsca-care-homes-2021-03" / "cqc_care_homes_england_2021-03_cqc_columns_only.csv"
FIXTURES = ROOT / "tests" / "fixtures"
TODAY = dt.date(2026, 11, 23)



def pytest_configure(config: pytest.Config) -> None:
    if not (SHARED / "data").is_dir():
        pytest.exit(f"the tests need the project's shared data sets in {SHARED}/data (see README, 'Shared data'); "
                    f"put them there or set {SHARED_ENV} to their folder", returncode=2)


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python3 build.py ARGS`` as a user would."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture
def shared_data() -> Path:
    if not NATIONAL.exists():  # CI always has ../shared beside the clone; say so loudly if not
        pytest.fail(f"the real CQC data is missing: {NATIONAL}")
    return CQC


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The bundled Herefordshire homes plus the fictional fixtures (full, minimal, hostile), built once."""
    from carehomes.pipeline import check_paths
    from carehomes.pipeline import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"], on=TODAY)
    assert checked.problems == []
    return out, build_site(checked.profiles, out, today=TODAY)
