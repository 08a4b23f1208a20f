"""Both engines (build --engine mkdocs | zensical) make the same site from the same mkdocs.yml:
the same pages, the same links, none broken, and only the site's own search (search/facets/)."""
from __future__ import annotations

import html
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import FIXTURES, ROOT, run_build

from carehomes import engines
from carehomes.siteconfig import read_config

SITE_PATH = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path  # /care-homes/
# The theme's own files (each engine ships its own stylesheets and scripts, with different names).
THEME_FILES = re.compile(r"^assets/(stylesheets|javascripts)/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src") and v is not None]


def pages(site: Path) -> set[str]:
    """The site's web pages (the ORUK API's index.html files are JSON: see outputs/oruk_api.py)."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if not p.relative_to(site).parts[0] == "oruk"}


def targets(site: Path, page: str) -> dict[str, str]:
    """Every link on a page to a file of the site: {link as written: the site path it reaches}; a link
    that climbs above the site's root (which a site served at /care-homes/ would break) reaches "ABOVE ROOT"."""
    parser = _Links()
    parser.feed((site / page).read_text(encoding="utf-8"))
    folder = posixpath.dirname(page)
    out = {}
    for link in parser.links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith("#"):
            continue  # another site, mailto:, or a place on the same page ("" and "?q=x" are the page itself)
        if parts.path.startswith("/"):  # the 404 page links from the site's address (site_url)
            path = parts.path.removeprefix(SITE_PATH) if parts.path.startswith(SITE_PATH) else "../" + parts.path
        else:
            path = posixpath.join(folder, parts.path)
        full = posixpath.normpath("root/" + path)
        if full != "root" and not full.startswith("root/"):
            out[link] = "ABOVE ROOT"
            continue
        rel = full.removeprefix("root").lstrip("/")
        out[link] = rel + "/index.html" if (site / rel).is_dir() or parts.path.endswith("/") else rel
        out[link] = out[link].lstrip("/")
    return out


def broken(site: Path) -> list[str]:
    return sorted(f"{page}: {link} -> {to}" for page in pages(site) for link, to in targets(site, page).items()
                  if to == "ABOVE ROOT" or not (site / to).is_file())


def test_both_engines_make_the_same_pages(built_site, zensical_site):
    assert pages(zensical_site[0]) == pages(built_site[0])
    assert built_site[1].pages == zensical_site[1].pages and built_site[1].homes == zensical_site[1].homes


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_no_broken_links(engine, built_site, zensical_site):
    site = (built_site if engine == "mkdocs" else zensical_site)[0]
    assert broken(site) == []


def test_same_links_on_every_page(built_site, zensical_site):
    """Each page links to the same files of the site with both engines (the theme's own files aside)."""
    a, b = built_site[0], zensical_site[0]
    differ = []
    for page in sorted(pages(a)):
        ta = {t for t in targets(a, page).values() if not THEME_FILES.match(t)}
        tb = {t for t in targets(b, page).values() if not THEME_FILES.match(t)}
        if ta != tb:
            differ.append(f"{page}: only mkdocs {sorted(ta - tb)}, only zensical {sorted(tb - ta)}")
    assert differ == []


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_link_to_a_place_on_its_page_has_somewhere_to_go(engine, built_site, zensical_site):
    """A "#name" link (the skip link, the contents) reaches an element of that id on its page: with mkdocs-material
    the 404 page's "Skip to content" led to #ch-content, which its own content block had left out."""
    site = (built_site if engine == "mkdocs" else zensical_site)[0]
    lost = []
    for page in sorted(pages(site)):
        text = (site / page).read_text(encoding="utf-8")
        ids = {html.unescape(i) for i in re.findall(r'\s(?:id|name)="([^"]*)"', text)}
        lost += [f"{page}: #{h}" for h in sorted({html.unescape(h) for h in re.findall(r'href="#([^"]+)"', text)} - ids)]
    assert lost == []


def test_content_links_are_written_alike(built_site, zensical_site):
    """The links the build writes into the pages come out as the same text, not only the same target."""
    for page, link in [("open-data/index.html", 'href="../data/care-homes.csv"'), ("open-data/index.html", 'href="../changes/"'),
                       ("changes/index.html", 'href="../open-data/"'), ("find/index.html", 'href="../browse/a/"'),
                       ("browse/index.html", 'href="../browse/town-hereford/"'), ("compare/index.html", 'href="../browse/"'),
                       ("for-providers/index.html", 'src="../images/update-vacancies-form.png"')]:
        for site in (built_site[0], zensical_site[0]):
            assert link in (site / page).read_text(encoding="utf-8"), (site, page, link)


def test_only_the_sites_own_search(built_site, zensical_site):
    for site in (built_site[0], zensical_site[0]):
        assert not (site / "search.json").exists() and not (site / "search" / "search_index.json").exists()
        assert (site / "search" / "facets" / "index.json").is_file() and not (site / "pagefind").exists()
        for page in ("index.html", "find/index.html", "homes/example-full/index.html"):
            text = (site / page).read_text(encoding="utf-8")
            assert 'class="md-search"' not in text and 'data-md-component="search"' not in text, (site, page)


def test_theme_overrides_apply_with_zensical(zensical_site):
    """overrides/main.html (custom_dir): the site's stylesheet, script and feed link on every kind of page."""
    for page in ("index.html", "find/index.html", "homes/example-full/index.html", "browse/a/index.html"):
        text = (zensical_site[0] / page).read_text(encoding="utf-8")
        assert "assets/directory.css" in text and "assets/directory.js" in text and "data/changes.atom" in text, page


def test_the_footers_made_with_names_the_engine_that_made_the_page(built_site, zensical_site):
    """The footer's "Made with" credits the engine (docs/engines.md): zensical's pages said "Made with Material for
    MkDocs", linked to mkdocs-material's site (overrides/partials/copyright.html wrote it for both). Every page in the
    theme's frame, in the same tab (no target)."""
    made_with = re.compile(r'Made with\s*<a href="([^"]+)" rel="noopener">\s*([^<]+?)\s*</a>')
    for (site, _), credit in ((built_site, ("https://squidfunk.github.io/mkdocs-material/", "Material for MkDocs")),
                              (zensical_site, ("https://zensical.org/", "Zensical"))):
        found = {p.relative_to(site).as_posix(): made_with.findall(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")
                 if not p.relative_to(site).as_posix().startswith("oruk/")}  # the ORUK API's pages have no theme
        assert len(found) > 20 and {page: c for page, c in found.items() if c != [credit]} == {}, (site, credit)


def test_no_temporary_files_left_in_the_project(zensical_site):
    assert not [p.name for p in ROOT.iterdir() if p.name in ("zensical.yml", ".cache")]
    # docs/ is the project's reference: zensical's temporary docs folder (made elsewhere) must never land in it
    assert not [p for p in (ROOT / "docs").rglob("*") if p.suffix != ".md" and p.is_file()
                and p.parent != ROOT / "docs" / "images"]  # docs/images/: the README's and the docs' pictures


@pytest.mark.slow  # builds pages with mkdocs twice
def test_a_theme_template_edited_between_two_builds_in_one_process_is_used(tmp_path):
    """run_mkdocs keeps the theme's compiled templates for the process's next build (serve's rebuilds):
    an edited override is compiled again, not taken from that memory."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "overrides").mkdir()
    main = tmp_path / "overrides" / "main.html"
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Two builds\ntheme:\n  name: material\n  custom_dir: overrides\n", encoding="utf-8")
    for marker in ("first-edit", "second-edit"):
        main.write_text('{% extends "base.html" %}{% block extrahead %}<meta name="marker" content="' + marker
                        + '">{% endblock %}', encoding="utf-8")
        engines.run_mkdocs(read_config(config), tmp_path / "docs", tmp_path / "site")
        assert f'content="{marker}"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_unknown_engine_is_one_clear_message(tmp_path):
    done = run_build("build", "--engine", "hugo", "--out", str(tmp_path / "site"))
    assert done.returncode == 2
    assert "argument --engine: invalid choice: 'hugo' (choose from mkdocs, zensical)" in done.stderr \
        or "argument --engine: invalid choice: 'hugo' (choose from 'mkdocs', 'zensical')" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_zensical_is_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(engines.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError) as err:
        engines.run_zensical(read_config(ROOT / "mkdocs.yml"), tmp_path, tmp_path / "site")
    assert str(err.value) == ("zensical is not installed in this Python; install it with: pip install zensical==0.0.73 "
                              "(requirements.txt pins it), or build with --engine mkdocs")


@pytest.mark.slow  # runs zensical
def test_a_failed_zensical_build_is_one_clear_message(tmp_path):
    """A theme folder that is not there: zensical's own words, after one line saying what failed."""
    config = tmp_path / "mkdocs.yml"
    config.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("custom_dir: overrides", "custom_dir: no-such-folder"),
                      encoding="utf-8")
    (tmp_path / "work" / "docs").mkdir(parents=True)
    (tmp_path / "work" / "docs" / "index.md").write_text("# Hello\n", encoding="utf-8")
    with pytest.raises(RuntimeError) as err:
        engines.run_zensical(read_config(config), tmp_path / "work", tmp_path / "site")
    assert str(err.value).startswith(f"zensical could not build the pages from {config}:\n")
    assert "no-such-folder" in str(err.value) and "Traceback" not in str(err.value)
    assert not (tmp_path / "site").exists()


@pytest.mark.slow  # builds a site
def test_build_command_with_zensical(tmp_path):
    out = tmp_path / "site"
    done = run_build("build", "--engine", "zensical", "--out", str(out), "--no-search",
                     "--providers", str(ROOT / "providers" / "aston-house.yaml"), str(FIXTURES / "profiles"))
    assert done.returncode == 0, done.stderr
    assert re.search(rf"^Built {re.escape(str(out))} with zensical: \d+ homes, ", done.stderr, re.M), done.stderr
    assert (out / "homes" / "aston-house" / "index.html").is_file() and not (out / "search.json").exists()


@pytest.mark.slow  # builds a site
def test_build_with_a_config_that_inherits_mkdocs_yml(engine, tmp_path):
    """--config bad.yml with INHERIT: (a relative path to) mkdocs.yml and a theme override, on each engine."""
    import os

    tmp_path.mkdir(exist_ok=True)
    config = tmp_path / "bad.yml"
    config.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', tmp_path)}\ndocs_dir: {ROOT / 'content'}\n"
                      f"theme:\n  custom_dir: {ROOT / 'overrides'}\n  palette:\n    primary: red\n  features: [navigation.top]\n",
                      encoding="utf-8")
    out = tmp_path / "site"
    done = run_build("build", "--engine", engine, "--config", str(config), "--out", str(out), "--no-search",
                     "--providers", str(FIXTURES / "profiles"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    find = (out / "find" / "index.html").read_text(encoding="utf-8")
    assert 'data-md-color-primary="red"' in find  # the child's theme setting
    assert 'data-map-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in find  # the parent's extra.directory
    assert "<title>Find a care home - Herefordshire care homes directory</title>" in find
    # the child's list replaces the parent's, as in mkdocs (zensical's own INHERIT would append it)
    assert re.search(r'"features":\s*\["navigation\.top"\]', find), re.findall(r'"features":[^]]*]', find)


SITE_URL = "https://example-council.github.io/care-homes/"
LINK_ATTR = re.compile(r'\b(?:href|src)="([^"]*)"')


def doubled_slashes(site: Path) -> list[str]:
    """Same-site href/src values on any built page whose path has "//" (a scheme's // not counted)."""
    out = []
    for page in sorted(site.rglob("*.html")):
        for value in LINK_ATTR.findall(page.read_text(encoding="utf-8")):
            if value.startswith(SITE_URL):
                value = urlsplit(value).path
            elif re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                continue  # another site, mailto:, tel:, data:
            path = value.split("#", 1)[0].split("?", 1)[0]
            if "//" in path:
                out.append(f"{page.relative_to(site)}: {value}")
    return out


def test_no_doubled_slashes_in_same_site_links(built_site, zensical_site):
    """404.html too: mkdocs gives it base_url "/care-homes/", so base_url + "/assets" made "/care-homes//assets"."""
    for site in (built_site[0], zensical_site[0]):
        assert (site / "404.html").is_file()
        assert doubled_slashes(site) == [], site


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_link_to_a_place_on_another_page_has_somewhere_to_go(engine, built_site, zensical_site):
    """A "page/#name" link reaches an element of that id on that page: each service's page sends a provider with no
    GitHub account to the For providers page's section for them, not to its top (provider review)."""
    site = (built_site if engine == "mkdocs" else zensical_site)[0]
    ids: dict[str, set[str]] = {}
    lost, seen = [], 0
    for page in sorted(pages(site)):
        parser = _Links()
        parser.feed((site / page).read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.fragment or not parts.path:
                continue
            to = targets(site, page).get(link)
            if not to or to == "ABOVE ROOT" or not (site / to).is_file():
                continue  # test_no_broken_links says so
            if to not in ids:
                ids[to] = {html.unescape(i) for i in re.findall(r'\s(?:id|name)="([^"]*)"', (site / to).read_text(encoding="utf-8"))}
            seen += 1
            if html.unescape(parts.fragment) not in ids[to]:
                lost.append(f"{page}: {link}")
    assert lost == [] and seen >= 80, (seen, lost[:10])  # every service's page has one


def test_the_sites_scripts_are_sent_without_their_comments_and_still_parse(tmp_path):
    """The find page's first load was at issue 21's 150 KB aim, a third of its scripts' bytes their comments: the site's
    scripts are sent without their whole-line comments (engines.ship_scripts), and each still parses (node --check). That
    a line begun by // is a comment holds because no text in them spans lines: no template literal, no backslash at a
    line's end."""
    import shutil
    import subprocess

    from carehomes.engines import ship_scripts, without_comments

    assert without_comments("a = 1;\n  // gone\n/* gone\n   too */\nb = '//kept'; // kept\n/* kept */ c = 2;\n") == (
        "a = 1;\nb = '//kept'; // kept\n/* kept */ c = 2;\n")
    assert without_comments("/* a block\n with code after */ d();\ne();\n") == "/* a block\n with code after */ d();\ne();\n"
    sources = sorted((ROOT / "overrides" / "assets").glob("directory*.js"))
    assert len(sources) >= 8
    (tmp_path / "assets").mkdir()
    for src in sources:
        text = src.read_text(encoding="utf-8")
        code = [line for line in text.splitlines() if not line.strip().startswith("//")]
        assert not any("`" in line for line in code) and not any(line.endswith("\\") for line in code), src.name
        shutil.copy(src, tmp_path / "assets" / src.name)
    ship_scripts(tmp_path)
    for src in sources:
        shipped = (tmp_path / "assets" / src.name).read_text(encoding="utf-8")
        assert not any(line.strip().startswith("//") for line in shipped.splitlines()), src.name
        assert len(shipped) < len(src.read_text(encoding="utf-8")), src.name
        check = tmp_path / (src.stem + ".mjs")
        check.write_text(shipped, encoding="utf-8")
        done = subprocess.run(["node", "--check", str(check)], capture_output=True, text=True)
        assert done.returncode == 0, (src.name, done.stderr)
