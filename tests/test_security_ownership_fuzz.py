"""check-ownership fails closed on any bytes: a maintainer's random change to their own profile is
either refused with a message, or it is accepted and then every field the home does not own is
unchanged when read by the loader (issue 9, requirements 2 and 5)."""
from __future__ import annotations

import shutil

import pytest
from conftest import git
from test_security_merge_fuzz import at_most  # at import time: importing it inside a @given test nests @given
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehomes.load import load_profile
from carehomes.ownership import check_ownership
from carehomes.records import get_path
from carehomes.schema import load_schema

FULL = "providers/example-full.yaml"
NASTY = st.text(alphabet=st.sampled_from(list(":-#'\"[]{}&*!|>%@`\n\t \ufeff\u200b\x85\u2028é0123456789abcyesnoTrue~.")),
                max_size=30)




@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    r = tmp_path_factory.mktemp("fuzz") / "repo"
    (r / "providers").mkdir(parents=True)
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", r / "providers")
    (r / "stewards.yaml").write_text("stewards:\n  - council-steward\n")
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    return r


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.floats(0, 1), cut=st.integers(0, 30), text=NASTY, raw=st.binary(max_size=8), bom=st.booleans())
def test_any_change_is_refused_or_truly_allowed(repo, at, cut, text, raw, bom):
    original = (FIXTURES / "profiles" / "example-full.yaml").read_bytes()
    i = int(at * len(original))
    new = (b"\xef\xbb\xbf" if bom else b"") + original[:i] + text.encode("utf-8") + raw + original[i + cut:]
    git(repo, "checkout", "-qB", "pr", "main")
    (repo / FULL).write_bytes(new)
    git(repo, "commit", "-qam", "change", "--allow-empty")
    with at_most(30):
        problems = check_ownership(repo, "example-manager", "main")
    assert all(isinstance(p, str) and p.startswith(("providers/example-full.yaml", "'providers/")) for p in problems)
    if problems:
        return
    schema = load_schema()
    old, _ = load_profile(FIXTURES / "profiles" / "example-full.yaml")
    now, _ = load_profile(repo / FULL)
    assert old is not None and now is not None, "accepted, so the loader must read it"
    for dotted, f in schema.by_path.items():
        if f.owner != "provider":
            assert get_path(now.data, dotted.split(".")) == get_path(old.data, dotted.split(".")), dotted
