"""Every page type through the W3C Nu Html Checker (vnu.jar from npm, run with Debian's Java)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from npmtools import VNU_JAR, need

# Under pytest-xdist (build.py test) the module's tests stay on one worker, so Java and the checker start once.
pytestmark = pytest.mark.xdist_group("html-checker")

# Errors in mkdocs-material's own base.html, not in our templates: listed one by one with their
# upstream reference, so any other error (or this one anywhere else) fails the test.
THEME_ERRORS = [
    {"message": "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
                "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, or “week”.",
     "extract_has": ('data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplet',
                     'data-md-toggle="search" type="checkbox" id="__search" autocomplet', 'id="__drawer" autocomplete="off">'),
     # The theme keeps autocomplete="off" on its drawer and search toggles on purpose (browsers otherwise
     # restore their state on reload): https://github.com/squidfunk/mkdocs-material/issues/1513 (closed,
     # not changed); validator side: https://github.com/validator/validator/issues/1141.
     "upstream": "https://github.com/squidfunk/mkdocs-material/issues/1513", "engines": ("mkdocs", "zensical")},
    {"message": "The “aria-hidden” attribute must not be used on any “label” element that is associated with a labelable element.",
     "extract_has": ('<label class="md-overlay" for="__drawer" aria-hidden="true">',),
     # zensical's base.html (0.0.73, outside any block a theme override can replace) hides the drawer's
     # overlay label from screen readers; mkdocs-material's does not. axe does not object (the label has
     # no text). No upstream issue found on 1 December 2026.
     "upstream": "zensical 0.0.73 templates/base.html, the md-overlay label", "engines": ("zensical",)},
]

PAGES = ["index.html", "404.html", "find/index.html", "compare/index.html", "browse/index.html", "browse/a/index.html",
         "browse/area-herefordshire/index.html", "open-data/index.html", "changes/index.html", "market/index.html",
         "for-providers/index.html", "choosing-a-care-home/index.html", "choosing-home-care/index.html",
         "paying-for-care/index.html", "search-needs-javascript/index.html", "homes/example-full/index.html", "homes/example-minimal/index.html", "homes/example-hostile/index.html",
         "homes/aston-house/index.html"]


def is_theme_error(m: dict, engine: str = "mkdocs") -> bool:
    return any(m["message"] == known["message"] and any(x in m.get("extract", "") for x in known["extract_has"])
               for known in THEME_ERRORS if engine in known["engines"])


def vnu(files: list[str], cwd) -> list[dict]:
    """The checker's messages for ``files`` (paths relative to ``cwd``)."""
    java = shutil.which("java")
    if not java:
        pytest.fail("java is missing: run python3 build.py test (it installs Debian's default-jre-headless)")
    done = subprocess.run([java, "-jar", str(need(VNU_JAR)), "--format", "json", "--exit-zero-always", *files],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    return json.loads(done.stderr)["messages"]


@pytest.fixture(scope="module")
def every_engines_messages(built_site, zensical_site) -> dict[str, list[dict]]:
    """The checker's messages on both engines' sites, from one run of the checker (Java starts once): by engine."""
    sites = {"mkdocs": built_site[0], "zensical": zensical_site[0]}
    files = []
    for site in sites.values():
        for page in PAGES:
            assert (site / page).exists(), page
            files.append(str(site / page))
    found: dict[str, list[dict]] = {engine: [] for engine in sites}
    for m in vnu(files, sites["mkdocs"].parent):
        engines = [e for e, site in sites.items() if f"{site}/" in m.get("url", "")]
        assert len(engines) == 1, m  # every message names a page of one site (a message about none fails here)
        found[engines[0]].append(m)
    return found


@pytest.fixture
def messages(engine, every_engines_messages):
    """The checker's messages on each engine's site (conftest.ENGINES), with the engine's name."""
    return engine, every_engines_messages[engine]


def test_no_html_errors_from_our_templates(messages):
    engine, found = messages
    ours = [f"{m['url'].rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
            for m in found if m["type"] in ("error", "non-document-error") and not is_theme_error(m, engine)]
    assert ours == []


def test_the_theme_errors_listed_are_still_real(messages):
    """If the theme fixes its error, the list above must shrink: each listed error still occurs."""
    engine, found = messages
    for known in THEME_ERRORS:
        if engine in known["engines"]:
            assert any(is_theme_error(m, engine) and m["message"] == known["message"] for m in found), known["upstream"]


@pytest.mark.slow  # starts the Java HTML checker
def test_the_checker_finds_errors(tmp_path):
    (tmp_path / "bad.html").write_text('<!doctype html><html lang="en"><head><title>x</title></head><body>'
                                       '<figure><figcaption>a</figcaption><table><tr><td>1</td></tr></table>'
                                       '<figcaption>b</figcaption></figure></body></html>', encoding="utf-8")
    errors = [m for m in vnu(["bad.html"], tmp_path) if m["type"] == "error"]
    assert errors and not any(is_theme_error(m) for m in errors)


def test_market_figures_put_the_caption_first(built_site):
    site, _ = built_site
    page = (site / "market" / "index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="ch-figure"') == page.count('"><figcaption>') >= 3
