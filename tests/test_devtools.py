"""`build.py test` itself: pytest's worker processes (carehomes/devtools.py) and how the browser tests are grouped."""
from __future__ import annotations

import importlib.util

import conftest
import pytest
from conftest import BROWSER_GROUP

from carehomes import devtools


def test_pytest_runs_in_two_workers_keeping_groups_together():
    assert devtools._workers() == ["-n", "2", "--dist", "loadgroup"]


def test_without_xdist_pytest_runs_in_one_process_and_says_how_to_get_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xdist" else real(name, *a))
    assert devtools._workers() == []
    assert capsys.readouterr().err == (
        "build.py test: pytest-xdist is missing, so pytest runs in one process (slower); install requirements.txt "
        f"into this Python ({devtools.sys.executable} -m pip install -r requirements.txt)\n")


class _Item:
    """Just what conftest's collection hook reads and writes of a test item."""

    def __init__(self, *markers: str, fixturenames: tuple[str, ...] = ()) -> None:
        self.marks = [getattr(pytest.mark, m).mark for m in markers]
        self.fixturenames, self.obj = fixturenames, None

    def get_closest_marker(self, name: str):
        return next((m for m in self.marks if m.name == name), None)

    def add_marker(self, marker) -> None:
        self.marks.append(marker.mark)

    def names(self) -> list[tuple[str, tuple]]:
        return [(m.name, m.args) for m in self.marks]


class _Config:
    def __init__(self, xdist: bool) -> None:
        self.pluginmanager = type("PM", (), {"hasplugin": staticmethod(lambda name: xdist and name == "xdist")})()


@pytest.mark.parametrize("xdist", [True, False])
def test_browser_tests_are_one_xdist_group_and_whole_site_tests_slow(xdist):
    browser, site, plain = _Item("browser"), _Item(fixturenames=("built_site", "tmp_path")), _Item()
    conftest.pytest_collection_modifyitems(_Config(xdist), [browser, site, plain])  # type: ignore[arg-type]
    assert browser.names() == [("browser", ()), ("slow", ()), *([("xdist_group", (BROWSER_GROUP,))] if xdist else [])]
    assert site.names() == [("slow", ())] and plain.names() == []
