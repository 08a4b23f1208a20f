"""SECURITY.md names only tests that exist, so the guarantees it states stay enforced."""
from __future__ import annotations

import re

from conftest import ROOT


def test_every_test_named_in_security_md_exists():
    text = (ROOT / "SECURITY.md").read_text()
    sources = {p.name: p.read_text() for p in (ROOT / "tests").glob("test_*.py")}
    named = set(re.findall(r"`(?:tests/(test_\w+\.py)(?:::)?)?(test_\w+)?`", text))
    assert len(named) > 30
    for file, test in named:
        if file:
            assert file in sources, f"SECURITY.md names {file}, which does not exist"
        if test:
            where = [sources[file]] if file else list(sources.values())
            assert any(re.search(rf"^def {test}\(", s, re.M) for s in where), f"SECURITY.md names {test}, which no test file defines"
    assert "security advisory" in text
