"""merge on hostile packages: random damage to a real package's descriptor and CSV files either
merges or is refused with MergeError (a message), never another exception (issue 9, requirement 5)."""
from __future__ import annotations

import contextlib
import json
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehomes.merge import MergeError, merge, merged_profiles

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
DESCRIPTOR_KEYS = st.sampled_from(["path", "schema", "encoding", "bytes", "hash", "name", "dialect"])
FIELD_KEYS = st.sampled_from(["name", "type", "format", "trueValues", "falseValues", "delimiter", "itemType",
                              "decimalChar", "groupChar"])
NASTY = st.text(alphabet=st.sampled_from(list(',"\n\r\x00;\'=+-@é\u202e\ufeff0123456789.truefalseTRUE ')), max_size=40)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    from carehomes.pipeline import check_paths
    from carehomes.publish import write_data

    out = tmp_path_factory.mktemp("pkg") / "data"
    write_data(check_paths([FIXTURES / "profiles"]).profiles, out)
    desc = json.loads((out / "datapackage.json").read_text())
    for res in desc["resources"]:
        res.pop("hash", None)
        res.pop("bytes", None)
    (out / "datapackage.json").write_text(json.dumps(desc))
    return out


@contextlib.contextmanager
def at_most(seconds: int):
    """Fail instead of hanging: a SIGALRM after ``seconds`` raises in the test."""
    def hang(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a hang")
    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_merge(folder: Path) -> None:
    try:
        with at_most(30):
            homes, _ = merge([folder / "datapackage.json"])
            merged_profiles(homes)
    except MergeError as exc:
        assert str(exc).strip()  # a message, never an empty one


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(res=st.integers(0, 1), key=DESCRIPTOR_KEYS, field=st.integers(0, 60), field_key=FIELD_KEYS, value=JSON,
       on_field=st.booleans())
def test_a_damaged_descriptor_is_a_message(published, res, key, field, field_key, value, on_field):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(published, folder)
        desc = json.loads((folder / "datapackage.json").read_text())
        fields = desc["resources"][res]["schema"]["fields"]
        if on_field:
            fields[field % len(fields)][field_key] = value
        else:
            desc["resources"][res][key] = value
        (folder / "datapackage.json").write_text(json.dumps(desc))
        run_merge(folder)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["care-homes.csv", "capabilities.csv"]), at=st.floats(0, 1), cut=st.integers(0, 50),
       text=NASTY, raw=st.binary(max_size=20))
def test_damaged_data_files_are_a_message(published, name, at, cut, text, raw):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(published, folder)
        data = (folder / name).read_bytes()
        i = int(at * len(data))
        (folder / name).write_bytes(data[:i] + text.encode("utf-8") + raw + data[i + cut:])
        run_merge(folder)
