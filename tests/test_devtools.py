"""`build.py test` itself: pytest's worker processes (carehomes/devtools.py) and how the browser tests are grouped."""
from __future__ import annotations

import importlib.util

import conftest
import pytest
from conftest import BROWSER_GROUP

from carehomes import devtools


def test_pytest_runs_in_three_workers_keeping_groups_together_and_the_fast_set_in_two():
    assert devtools._workers() == ["-n", "3", "--dist", "loadgroup"]
    assert devtools._workers(fast=True) == ["-n", "2", "--dist", "loadgroup"]


def test_without_xdist_pytest_runs_in_one_process_and_says_how_to_get_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xdist" else real(name, *a))
    assert devtools._workers() == []
    assert capsys.readouterr().err == (
        "build.py test: pytest-xdist is missing, so pytest runs in one process (slower); install requirements.txt "
        f"into this Python ({devtools.sys.executable} -m pip install -r requirements.txt)\n")


class _Item:
    """Just what conftest's collection hook reads and writes of a test item."""

    def __init__(self, *markers: str, fixturenames: tuple[str, ...] = (), params: dict | None = None) -> None:
        self.marks = [getattr(pytest.mark, m).mark for m in markers]
        self.fixturenames, self.obj = fixturenames, None
        if params is not None:
            self.callspec = type("Callspec", (), {"params": params})()

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
def test_browser_tests_are_an_xdist_group_an_engine_and_whole_site_tests_slow(xdist):
    browser, site, plain = _Item("browser"), _Item(fixturenames=("built_site", "tmp_path")), _Item()
    on_mkdocs, on_zensical = _Item("browser", params={"engine": "mkdocs"}), _Item("browser", params={"engine": "zensical"})
    conftest.pytest_collection_modifyitems(_Config(xdist), [browser, site, plain, on_mkdocs, on_zensical])  # type: ignore[arg-type]
    grouped = [(item.names()[2:] or [None])[0] for item in (browser, on_mkdocs, on_zensical)]
    assert grouped == ([("xdist_group", (f"{BROWSER_GROUP}-zensical",)), ("xdist_group", (f"{BROWSER_GROUP}-mkdocs",)),
                        ("xdist_group", (f"{BROWSER_GROUP}-zensical",))] if xdist else [None, None, None])
    assert browser.names()[:2] == [("browser", ()), ("slow", ())]
    assert site.names() == [("slow", ())] and plain.names() == []


@pytest.fixture
def chromiums(monkeypatch, tmp_path):
    """devtools' two Chromium paths pointed into tmp_path (neither there until a test makes it), and apt-get
    replaced: each call's packages and whether it may ask for a password, and the answer it gives."""
    asked: list[tuple[list[str], bool]] = []
    answer: list[str | None] = [None]
    monkeypatch.setattr(devtools, "CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setattr(devtools, "HEADLESS_SHELL", str(tmp_path / "chromium-headless-shell"))
    monkeypatch.setattr(devtools, "_apt_install", lambda packages, why, ask=True: asked.append((packages, ask)) or answer[0])
    return tmp_path, asked, answer


def test_both_chromiums_present_installs_nothing(chromiums):
    folder, asked, _ = chromiums
    (folder / "chromium").touch()
    (folder / "chromium-headless-shell").touch()
    assert devtools.ensure_chromium() is None and asked == []


def test_the_headless_build_is_installed_beside_the_browser_without_asking_for_a_password(chromiums):
    folder, asked, _ = chromiums
    (folder / "chromium").touch()
    assert devtools.ensure_chromium() is None and asked == [(["chromium-headless-shell"], False)]


def test_without_the_headless_build_the_tests_use_the_browser_and_say_so(chromiums, capsys):
    folder, asked, answer = chromiums
    (folder / "chromium").touch()
    answer[0] = "no apt here"
    assert devtools.ensure_chromium() is None
    assert capsys.readouterr().err == (
        f"build.py test: no apt here; the browser tests run in {folder / 'chromium'} instead (slower)\n")


def test_the_browser_is_installed_on_its_own_before_the_headless_build(chromiums):
    _, asked, _ = chromiums
    assert devtools.ensure_chromium() is None
    assert asked == [(["chromium"], True), (["chromium-headless-shell"], False)]


def test_without_any_chromium_a_failed_install_stops_the_tests(chromiums):
    _, asked, answer = chromiums
    answer[0] = "no apt here"
    assert devtools.ensure_chromium() == "no apt here  (or run the fast suite: python3 build.py test --fast)"
    assert asked == [(["chromium"], True)]


def test_without_apt_get_the_install_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setattr(devtools.shutil, "which", lambda name: None)
    assert devtools._apt_install(["chromium-headless-shell"], "quicker browser tests") == (
        "quicker browser tests need Debian's chromium-headless-shell, and this system has no apt-get; install "
        "chromium-headless-shell with its own package manager")
