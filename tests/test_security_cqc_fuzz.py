"""Property: no CQC API record, however damaged, gives a traceback or a partial write.

Real Oldham records (../shared/data/cqc/oldham-api-json-2025) are mutated (a value's type changed,
a key deleted, control characters inserted, a value nested deeper) and imported both ways: by
``import-cqc --api`` against the loopback stub and from a folder of saved records. The import
either succeeds or refuses with messages (exit 1 or 2, no control character but line breaks in
them), and when it refuses, ``providers/`` is exactly as it was.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cqc_stub import KEY, CQCStub
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_http_client import small_copy

from carehomes import cli

pytestmark = pytest.mark.slow
HOMES = 3
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
hostile_text = st.lists(st.sampled_from(["\n", "\r", "\x00", "\x1b", "::error::", "\u2028", "a", "1-", " "]),
                        min_size=1, max_size=8).map("".join)


def paths(value: Any, here: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: the keys and indexes that lead to it."""
    out = [here] if here else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*here, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, doc: dict) -> dict:
    """A copy of ``doc`` with one to three places changed."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        places = paths(doc)
        if not places:
            break
        place = draw(st.sampled_from(places))
        parent = doc
        for step in place[:-1]:
            parent = parent[step]
        last, old = place[-1], parent[place[-1]]
        how = draw(st.sampled_from(["replace", "delete", "control", "nest", "string"]))
        if how == "delete" and isinstance(parent, dict):
            del parent[last]
        elif how == "control":
            parent[last] = (old if isinstance(old, str) else "") + draw(hostile_text)
        elif how == "nest":
            parent[last] = [[old], {"value": old}, [[old]]][draw(st.integers(0, 2))]
        elif how == "string":
            parent[last] = json.dumps(old) if not isinstance(old, str) else old[::-1]
        else:
            parent[last] = draw(json_values)
    return doc


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The stub's data (a few real homes), and the profiles a good import of it makes, each way."""
    root = tmp_path_factory.mktemp("fuzz")
    data = small_copy(root / "data", HOMES)
    assert cli.main(["import-cqc", str(data), "--providers", str(root / "from-folder" / "providers")]) == 0
    with CQCStub(data) as stub:
        os.environ.update(CQC_API_BASE=stub.base, CQC_API_KEY=KEY, CQC_API_BACKOFF="0", CQC_API_RETRIES="0")
        try:
            assert cli.main(["import-cqc", "--api", "--local-authority", "Oldham",
                             "--providers", str(root / "from-api" / "providers")]) == 0
            yield root, data, stub
        finally:
            for k in ("CQC_API_BASE", "CQC_API_KEY", "CQC_API_BACKOFF", "CQC_API_RETRIES"):
                os.environ.pop(k, None)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def check(code: int, err: str, before: dict[str, bytes], providers: Path) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err, err
    assert not CONTROL.search(err), err  # no outside text can start a line or colour the log
    assert not any(line.startswith("::") for line in err.splitlines()), err
    if code != 0:
        assert err.strip(), "a refusal says why"
        assert snapshot(providers) == before, "a refused import changed providers/"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_records_from_the_api_never_crash_or_half_write(world, capsys, data):
    root, _, stub = world
    lid = data.draw(st.sampled_from(sorted(stub.details)))
    original = stub.details[lid]
    stub.details[lid] = data.draw(mutated(original))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            providers = Path(tmp) / "providers"
            shutil.copytree(root / "from-api" / "providers", providers)
            before = snapshot(providers)
            capsys.readouterr()
            code = cli.main(["import-cqc", "--api", "--full", "--local-authority", "Oldham", "--providers",
                             str(providers)])
            check(code, capsys.readouterr().err, before, providers)
    finally:
        stub.details[lid] = original


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_records_in_a_folder_never_crash_or_half_write(world, capsys, data):
    root, source, _ = world
    files = sorted((source / "location_details").glob("*.json"))
    target = data.draw(st.sampled_from(files))
    doc = data.draw(mutated(json.loads(target.read_text(encoding="utf-8"))))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "saved"
        shutil.copytree(source / "location_details", folder)
        (folder / target.name).write_text(json.dumps(doc), encoding="utf-8")
        providers = Path(tmp) / "providers"
        shutil.copytree(root / "from-folder" / "providers", providers)
        before = snapshot(providers)
        capsys.readouterr()
        code = cli.main(["import-cqc", str(folder), "--providers", str(providers)])
        check(code, capsys.readouterr().err, before, providers)
