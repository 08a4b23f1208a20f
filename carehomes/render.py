"""The pages stage: mkdocs-material (or zensical) for the frame and the hand-written pages, Jinja2 for each home.

The engine renders one placeholder page (the "shell"); every home's page is that shell with the
home's content put in, so all pages share the theme while 15,000 pages take seconds, not minutes.
"""
from __future__ import annotations

import datetime as dt
import html
import importlib.util
import ipaddress
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml
from markupsafe import Markup

from . import docs
from .configfile import ConfigFileError, load_config_chain
from .finding import ListPage, a_to_z, letter, list_pages, search_words, sort_ranks, town_key, town_of, towns
from .forms import real_contact
from .market import market_html
from .outputs.sqlite import EXAMPLE_QUERY
from .outputs.tables import release_version
from .parallel import map_chunks
from .safetext import json_for_html
from .schema import ROOT, Schema, load_schema
from .text import slugify
from .views import NOT_PROVIDED, HomeView, nice_date, register_stale_note

if TYPE_CHECKING:
    from .releases import Entry

TEMPLATES = Path(__file__).parent / "templates"
SHELL_TITLE, SHELL_CONTENT = "SHELLTITLE", "<p>SHELLCONTENT</p>"
ENGINES = ("mkdocs", "zensical")
# How a top-level page's Markdown reaches the site's root in a link the engine does not know
# (data files, browse/ pages, links in raw HTML): mkdocs leaves such links as written, so they are
# read from the page's folder (open-data/); zensical rewrites every relative link as relative to
# the Markdown file (open-data.md, at the root). Templates write {{ up }}data/care-homes.csv.
UP = {"mkdocs": "../", "zensical": ""}
ZENSICAL_PIN = "zensical==0.0.73"
FILE_NOTES = {
    "care-homes.csv": ("One row per care home", "CSV"),
    "care-homes-excel.csv": ("care-homes.csv for Excel: the same table in UTF-8 with a byte order mark, so accented names open correctly when you double-click it on Windows (care-homes.xlsx opens correctly everywhere)", "CSV (UTF-8 with BOM)"),
    "capabilities.csv": ("One row per home and need (the capability matrix)", "CSV"),
    "care-homes.json": ("One object per home, shaped like the profiles", "JSON"),
    "datapackage.json": ("Description of the files: columns, types, rules, licence and sources", "JSON (Frictionless data package)"),
    "care-homes.geojson": ("Homes as points on a map, for any map tool", "GeoJSON"),
    "oruk-services.json": ("Every home's full Open Referral UK (HSDS 3.0 UK profile) service record, in one file; care-home facts the standard lacks are in x_care_home. The same records are a static ORUK API at ../oruk/ (use it as the base URL in ORUK tools)", "JSON (Open Referral UK service package)"),
    "oruk-tabular/datapackage.json": ("The same Open Referral UK records as CSV tables (the UK profile's tabular form, for ORUK tools that read it): this file describes the tables in the folder oruk-tabular/", "JSON (Frictionless data package of CSV tables)"),
    "care-homes.xlsx": ("The homes, their needs and the NHS trusts as an Excel workbook that any spreadsheet opens as it is (dates as dates, IDs and phone numbers as text), with a data dictionary sheet", "Excel workbook (.xlsx)"),
    "care-homes.db": ("The same tables, the releases and changes and the data dictionary as one SQLite database, for SQL and Datasette", "SQLite database"),
    "nhs-trusts.csv": ("NHS trusts by their NHS organisation (ODS) code: the names of the codes in acute_trusts", "CSV"),
    "changes.atom": ("Changes between releases, to subscribe to in a feed reader", "Atom feed"),
}


@dataclass
class SiteConfig:
    """What the build reads from mkdocs.yml."""

    path: Path
    raw: dict
    inherited: bool = False  # the file INHERITs another: raw is the merged settings
    tagged: bool = False  # a setting had a tag (!ENV ...), read as empty in raw

    @property
    def directory(self) -> dict:
        return (self.raw.get("extra") or {}).get("directory") or {}

    @property
    def edit_base(self) -> str | None:
        repo = self.directory.get("repository")
        branch = self.directory.get("branch", "main")
        return f"{repo.rstrip('/')}/edit/{branch}/" if repo else None


def read_config(path: Path) -> SiteConfig:
    """The site config at ``path`` (INHERIT resolved as mkdocs does); ConfigFileError naming the file and
    every key that is the wrong kind, so no setting fails later as a traceback inside a template."""
    chain = load_config_chain(path)
    problems = config_problems(chain.raw)
    if problems:
        raise ConfigFileError("\n".join(f"{path}: {p}" for p in problems))
    return SiteConfig(path, chain.raw, len(chain.files) > 1, chain.tagged)


DIRECTORY_TEXT = ("council", "area", "contact_email", "contact_phone", "placement_email", "placement_phone", "repository", "branch")


def config_problems(raw: dict[str, Any]) -> list[str]:
    """Every setting the build reads from mkdocs.yml that has the wrong kind of value, one line each."""
    out: list[str] = []
    extra = raw.get("extra")
    if extra is not None and not isinstance(extra, dict):
        return ["extra must be a mapping (extra: then indented settings such as directory:)"]
    d = (extra or {}).get("directory")
    if d is None:
        return out
    if not isinstance(d, dict):
        return ["extra.directory must be a mapping (council:, area:, map: ... indented under it)"]
    for key in DIRECTORY_TEXT:
        if key in d and not isinstance(d[key], str):
            out.append(f"extra.directory.{key} must be text; write it in quotes, like {key}: \"...\"")
    months = d.get("cqc_stale_months")
    if months is not None and (isinstance(months, bool) or not isinstance(months, int) or months < 1):
        out.append("extra.directory.cqc_stale_months must be a whole number of months, like cqc_stale_months: 3")
    areas = d.get("postcode_areas")
    if areas is not None and areas != "all" and not (isinstance(areas, list) and all(isinstance(a, str) for a in areas)):
        out.append("extra.directory.postcode_areas must be a list of postcode areas, like [HR, WR], or: all")
    m = d.get("map")
    if m is not None and not isinstance(m, dict):
        out.append("extra.directory.map must be a mapping with tiles: and attribution: indented under it")
    elif m:
        if "tiles" in m and not isinstance(m["tiles"], str):
            out.append("extra.directory.map.tiles must be text; write it in quotes")
        elif m.get("tiles"):
            out += [f"extra.directory.map.tiles {p}" for p in [tiles_problem(m["tiles"])] if p]
        out += attribution_problems(m.get("attribution"))
    return out


TILES_EXAMPLE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}  # tile servers the tests start on this computer
ATTRIBUTION_EXAMPLE = ("attribution: [{text: '\u00a9'}, {text: OpenStreetMap, url: 'https://www.openstreetmap.org/copyright'}, "
                       "{text: contributors}]")
DEFAULT_ATTRIBUTION = [{"text": "\u00a9"}, {"text": "OpenStreetMap", "url": "https://www.openstreetmap.org/copyright"},
                       {"text": "contributors"}]


def _real_host(host: str) -> bool:
    """A host on the internet: a public IP address, or a dotted name of letters, digits and hyphens."""
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        labels = host.rstrip(".").split(".")
        return len(labels) > 1 and not labels[-1].isdigit() and all(
            re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label) for label in labels)


def tiles_problem(url: str) -> str | None:
    """What is wrong with a tile server address, parsed (not a prefix test): https:// and a real host,
    or http(s) on this computer (127.0.0.1, ::1, localhost) for tests; {z}/{x}/{y} in it."""
    how = f"give an https:// address with {{z}}, {{x}} and {{y}} in it, like {TILES_EXAMPLE}"
    if re.search(r"[\s\x00-\x1f\x7f\"'<>\\`]", url):
        return f"has spaces, quotes or other characters no address has; {how}"
    try:
        parts = urllib.parse.urlsplit(url)
        host, _port = (parts.hostname or ""), parts.port
    except ValueError:
        return f"'{url[:80]}' is not an address; {how}"
    host = host.replace("{s}", "a")  # Leaflet's subdomains: {s}.tile.example is a.tile.example, b.tile...
    if parts.username is not None or parts.password is not None:
        return f"'{url[:80]}' has a user name or password in it; {how}"
    if host in LOOPBACK:
        if parts.scheme not in ("http", "https"):
            return f"'{url[:80]}' is not an http:// or https:// address; {how}"
    elif parts.scheme != "https":
        return f"'{url[:80]}' is not https:// (only a tile server on this computer, for tests, may use http://); {how}"
    elif not _real_host(host):
        return f"'{url[:80]}' has no real host name ('{host[:60]}' is not a public name or address); {how}"
    missing = [k for k in ("{z}", "{x}", "{y}") if k not in url]
    if missing:
        return f"'{url[:80]}' has no {', '.join(missing)}; {how}"
    return None


def attribution_problems(value: Any) -> list[str]:
    """What is wrong with extra.directory.map.attribution: text (old form), or a list of items, each
    text: and an optional url: that is https://."""
    if value is None or isinstance(value, str):
        return []
    if not isinstance(value, list):
        return [f"extra.directory.map.attribution must be a list of text: and url: items, like {ATTRIBUTION_EXAMPLE}"]
    out = []
    for i, item in enumerate(value, 1):
        where = f"extra.directory.map.attribution item {i}"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or set(item) - {"text", "url"}:
            out.append(f"{where} must be text: and, if it is a link, url:, like {{text: OpenStreetMap, "
                       "url: 'https://www.openstreetmap.org/copyright'}")
            continue
        url = item.get("url")
        if url is not None and not (isinstance(url, str) and _https_link(url)):
            out.append(f"{where}: url must be an https:// address of a real host, like https://www.openstreetmap.org/copyright")
    return out


def _https_link(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return (parts.scheme == "https" and _real_host(host) and parts.username is None
            and not re.search(r"[\s\x00-\x1f\x7f\"'<>\\`]", url))


def map_warnings(directory: dict[str, Any]) -> list[str]:
    """A warning when map.attribution is still the old text form with HTML in it: it is shown as plain text."""
    m = directory.get("map")
    value = m.get("attribution") if isinstance(m, dict) else None
    if isinstance(value, str) and re.search(r"<[A-Za-z/!?]|&#?[A-Za-z0-9]+;", value):
        return ["mkdocs.yml: extra.directory.map.attribution has HTML in it, which is shown as plain text, never as "
                f"markup; write it as a list of text and links instead, like {ATTRIBUTION_EXAMPLE}"]
    return []


def attribution_html(value: Any) -> str:
    """The map's attribution as finished HTML built here: every text escaped, links only to https
    addresses (rel="noopener"). An old text value is plain text; no configuration string is ever markup."""
    if value is None:
        value = DEFAULT_ATTRIBUTION
    if isinstance(value, str):
        return html.escape(value)
    parts = []
    for item in value:
        text = html.escape(item["text"])
        url = item.get("url")
        parts.append(f'<a href="{html.escape(url)}" rel="noopener">{text}</a>' if url and _https_link(url) else text)
    return " ".join(parts)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(nice_date=nice_date, not_provided=NOT_PROVIDED, values=load_schema().values)
    return env


def _md_env(folder: Path) -> jinja2.Environment:
    """Markdown pages: not autoescaped as HTML, so every value put in is escaped by hand (e())."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.finalize = lambda v: html.escape(v, quote=True) if isinstance(v, str) and not isinstance(v, Markup) else v
    return env


def stats(views: list[HomeView], released: dt.date) -> dict[str, Any]:
    imported = [v.register_date for v in views if v.register_date]
    return {
        "homes": f"{len(views):,}",
        "beds": f"{sum(v.get('beds.registered') or 0 for v in views):,}",
        "cqc_date": nice_date(max(imported)) if imported else "unknown",
        "cqc_stale": register_stale_note(max(imported), views[0].today, views[0].stale_months) if imported else None,
        "published": nice_date(released),
    }


def need_choices(schema: Schema) -> list[tuple[str, str]]:
    """(Pagefind filter key, label) for each kind of care and need a home can say yes to."""
    out = [("care_nursing", "With nursing"), ("care_residential", "Without nursing (residential)")]
    out += [("band_" + f.path.rsplit(".", 1)[1], f.title) for f in schema.home_fields if f.path.startswith("care.user_bands.")]
    return out + [("need_" + c.code, c.label.split(" (")[0]) for c in schema.capabilities]


def browse_groups(views: list[HomeView]) -> tuple[dict[str, list[HomeView]], dict[str, tuple[str, list[HomeView]]]]:
    """Homes by first letter (A to Z, ignoring a leading "The") and by area."""
    letters: dict[str, list[HomeView]] = {}
    areas: dict[str, tuple[str, list[HomeView]]] = {}
    keys: dict[str, str] = {}  # area name -> its page name
    for v in a_to_z(views):
        letters.setdefault(letter(v.name), []).append(v)
        area = str(v.get("locality"))
        key = keys.setdefault(area, _area_key(area, set(keys.values())))
        areas.setdefault(key, (area, []))[1].append(v)
    return letters, areas


def _area_key(area: str, taken: set[str]) -> str:
    """A page name for an area that no other area has: "Telford & Wrekin" and "Telford and Wrekin"
    both slugify to telford-and-wrekin, so the second named gets -2 rather than sharing a page."""
    base = "area-" + slugify(area)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def field_reference(schema: Schema) -> str:
    """The provider-facing field reference (HTML), generated from the schema."""
    rows = []
    seen_caps = False
    for path, f in schema.by_path.items():
        if path.startswith("capabilities.") and path != "capabilities.confirmed":
            if not seen_caps:
                seen_caps = True
                names = ", ".join(f"<code>{c.code}</code> ({html.escape(c.label)})" for c in schema.capabilities)
                rows.append(["<code>capabilities.&lt;need&gt;.accepted</code>, <code>.nursing_beds</code>, <code>.residential_beds</code>",
                             f"For each need: can you accept it, and how many beds with and without nursing. Needs: {names}",
                             "yes or no; whole numbers", schema.values.owners["provider"].changed_by])
            continue
        cons = docs.constraint_words(f)
        how = html.escape(docs.TYPE_WORDS[f.type] + (f"; {cons}" if cons else ""))
        owner = schema.values.owners[f.owner].changed_by
        req = " <strong>Required.</strong>" if f.required else ""
        rows.append([f"<code>{f.path}</code>", html.escape(f.description) + req, how, owner])
    return docs.html_table("Every field a profile can hold", ["Field in your file", "What it means", "How to write it", "Who changes it"], rows)


def _md_pages(views: list[HomeView], schema: Schema, cfg: SiteConfig, out_docs: Path, data_sizes: dict[str, int],
              entries: list, releases: list, released: dt.date, engine: str = "mkdocs") -> None:
    """Write the content pages and the generated pages into the docs folder the engine reads."""
    d = cfg.directory
    area = d.get("area", "your area")
    st = stats(views, released)
    content = cfg.path.parent / (cfg.raw.get("docs_dir") or "docs")
    env = _md_env(content)
    env.globals.update(values=schema.values, up=UP[engine], placement={k: real_contact(d, f"placement_{k}") for k in ("phone", "email")})
    for src in sorted(content.rglob("*")):
        rel = src.relative_to(content)
        dst = out_docs / rel
        if src.is_dir():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md":
            try:
                text = env.get_template(rel.as_posix()).render(area=area, stats=st)
            except jinja2.TemplateError as exc:
                line = getattr(exc, "lineno", None)
                raise RuntimeError(f"{src}{f', line {line}' if line else ''}: {exc.message}; content pages are Jinja "
                                   "templates: fix the {{ ... }} or {% ... %} there") from None
            dst.write_text(text, encoding="utf-8")
        else:
            shutil.copy2(src, dst)
    gen = _md_env(TEMPLATES)
    gen.globals.update(values=schema.values, up=UP[engine])
    lists = browse_lists(views, schema)
    town_labels = towns(views)
    pkg = schema.package
    files = [{"name": n, "what": FILE_NOTES[n][0], "format": FILE_NOTES[n][1], "size": _size(s)} for n, s in sorted(data_sizes.items())
             if "/" not in n or n in FILE_NOTES]  # a folder's files are listed by its datapackage.json
    pages = {
        "find.md": gen.get_template("find.md").render(
            stats=st, localities=sorted({str(v.get("locality")) for v in views}), lists=lists,
            map=_map_config(cfg),
            care_text=json.dumps({" ".join(v.care_types): v.care_type_text for v in views}, sort_keys=True),
            towns=sorted(town_labels.values(), key=town_key),
            capabilities=[(c.code, c.label.split(" (")[0]) for c in schema.capabilities],
            bands=[(f.path.rsplit(".", 1)[1], f.title) for f in schema.home_fields if f.path.startswith("care.user_bands.")],
            ratings=schema.values.rating_choices, fee_steps=schema.values.fee_choices),
        "compare.md": gen.get_template("compare.md").render(),
        "browse.md": gen.get_template("browse.md").render(stats=st, lists=lists),
        "open-data.md": gen.get_template("open-data.md").render(
            version=release_version(released), schema_version=pkg.get("version"), published=nice_date(released), stats=st, files=files, year=released.year,
            council=d.get("council", schema.values.owner_source("council")), title=cfg.raw.get("site_name", ""), site_url=cfg.raw.get("site_url", ""),
            dictionary=Markup(docs.data_dictionary_html(schema)), changelog=Markup(changelog_html(entries)),
            releases=[d.isoformat() for d, _ in reversed(releases)], example_query=EXAMPLE_QUERY),
        "changes.md": gen.get_template("changes.md").render(changelog=Markup(changelog_html(entries, level=2))),
        "homes/_shell.md": gen.get_template("shell.md").render(),
        "market.md": ("---\ntitle: Care market overview\n---\n\n# Care market overview\n\n" +
                      market_html(views, views[0].today if views else released) + "\n"),
    }
    from .forms import contributing_for_site

    contributing = contributing_for_site((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"),  # council contact, form links
                                         {**cfg.directory, "site_url": cfg.raw.get("site_url", "")})
    contributing = contributing.replace("](../images/", "](images/")  # relative to the Markdown file: both engines
    contributing = contributing.replace("](providers/_template.yaml)", f"]({cfg.directory.get('repository', '').rstrip('/')}/blob/main/providers/_template.yaml)")
    pages["for-providers.md"] = ("---\ntitle: For providers\n---\n\n" + contributing +
                                 "\n## Field reference\n\nEvery field a profile can hold, generated from the schema.\n\n" +
                                 field_reference(schema) + "\n")
    for name, text in pages.items():
        path = out_docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def changelog_html(entries: list[Entry], level: int = 3) -> str:
    """The changelog for the open data page (entries under an h2, so h3) or the Changes page (h2), newest first."""
    if not entries:
        return "<p>No releases yet.</p>"
    out = []
    for e in entries:
        out.append(f'<h{level} id="{e.anchor}">{html.escape(e.title)}</h{level}>')
        if e.unreleased:
            out.append(f"<p>Published in this build ({e.date.isoformat()}); not yet snapshotted as a release.</p>")
        if e.changes:
            shown = e.changes[:200]
            out.append("<ul>" + "".join(f"<li>{html.escape(c.sentence())}</li>" for c in shown) + "</ul>")
            if len(e.changes) > len(shown):
                out.append(f"<p>And {len(e.changes) - len(shown):,} more changes: compare the release files.</p>")
        elif not e.title.startswith("First release"):
            out.append("<p>No changes to homes, ratings, registration or beds.</p>")
    return "\n".join(out)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB" if n >= 1e3 else f"{n} bytes"


def run_mkdocs(cfg: SiteConfig, docs_dir: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from mkdocs.exceptions import MkDocsException

    try:
        config = load_config(str(cfg.path), docs_dir=str(docs_dir), site_dir=str(site_dir))
        build(config)
    except MkDocsException as exc:  # ConfigurationError, and Abort (a SystemExit) after errors it has logged
        raise RuntimeError(f"mkdocs could not build the pages from {cfg.path}: {exc}; fix the setting it names") from None


def zensical_config(cfg: SiteConfig) -> dict[str, Any]:
    """The settings a zensical build adds to mkdocs.yml (which it inherits, unchanged otherwise).

    zensical reads docs_dir and site_dir only inside the folder of its config file, so the build
    runs in a temporary folder holding docs/ and this config; the theme folder (custom_dir) is
    given as a full path; zensical's own search is turned off (the site's search is Pagefind).
    A config that itself INHERITs another is given to zensical as its merged settings: zensical's
    INHERIT appends a child's lists to its parent's (theme.features twice), mkdocs' replaces them.
    Only a chain with tags (!ENV ...) is left to zensical's INHERIT, which reads them and we do not.
    """
    search_off = {"search": {"enabled": False}}
    extra: dict[str, Any] = {"INHERIT": str(cfg.path.resolve()), "docs_dir": "docs", "site_dir": "site",
                             "plugins": [search_off]}
    if cfg.inherited and not cfg.tagged:
        extra = {**cfg.raw, "docs_dir": "docs", "site_dir": "site", "plugins": [*(cfg.raw.get("plugins") or []), search_off]}
    custom = (cfg.raw.get("theme") or {}).get("custom_dir")
    if custom:
        full = str((cfg.path.parent / custom).resolve())
        extra["theme"] = {**extra["theme"], "custom_dir": full} if "theme" in extra else {"custom_dir": full}
    return extra


def run_zensical(cfg: SiteConfig, work: Path, site_dir: Path) -> None:
    """Build ``work``/docs with zensical into ``site_dir`` (see zensical_config); one clear error if it fails."""
    if importlib.util.find_spec("zensical") is None:
        raise RuntimeError(f"zensical is not installed in this Python; install it with: pip install {ZENSICAL_PIN} "
                           "(requirements.txt pins it), or build with --engine mkdocs")
    config = work / "zensical.yml"
    config.write_text(yaml.safe_dump(zensical_config(cfg), sort_keys=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zensical", "build", "-f", str(config)], cwd=work,
                          capture_output=True, text=True)
    said = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not (work / "site" / "index.html").exists():
        raise RuntimeError(f"zensical could not build the pages from {cfg.path}:\n{said}")
    (work / "site" / "search.json").unlink(missing_ok=True)  # written empty even with its search off
    shutil.copytree(work / "site", site_dir, dirs_exist_ok=True)


def _shell(site_dir: Path) -> tuple[str, str]:
    page = site_dir / "homes" / "_shell" / "index.html"
    text = page.read_text(encoding="utf-8")
    shutil.rmtree(page.parent)
    head, sep, tail = text.partition(SHELL_CONTENT)
    if not sep:
        raise RuntimeError("the theme did not render the page shell; check overrides/ and mkdocs.yml")
    return head, tail


def _fill(part: str, title: str, url_path: str) -> str:
    part = part.replace(SHELL_TITLE, html.escape(title, quote=True))
    return part.replace("homes/_shell/", url_path)


def _render_chunk(args: tuple) -> int:
    datas, site_dir, shell, contact_email, today, edit_base, stale_months, checked, ranks, town_labels = args
    env = _env()
    tpl = env.get_template("profile.html")
    head, tail = shell
    schema = load_schema()
    for data in datas:
        v = HomeView(data, today, schema, edit_base, stale_months, checked.get(data.get("location_id")))
        groups = v.groups()
        body = tpl.render(h=v, groups=groups, unknowns=v.unknowns(groups), contact_email=contact_email, ranks=ranks[v.slug],
                          town=town_of(v, town_labels) or "", search_words=search_words(v, town_labels),
                          json_ld=json_for_html(json.dumps(v.json_ld(), ensure_ascii=False)))
        folder = site_dir / "homes" / v.slug
        folder.mkdir(parents=True, exist_ok=True)
        url = f"homes/{v.slug}/"
        (folder / "index.html").write_text(_fill(head, v.name, url) + body + _fill(tail, v.name, url), encoding="utf-8")
        (folder / "home.json").write_text(json.dumps(v.summary(), ensure_ascii=False), encoding="utf-8")
    return len(datas)


def render_homes(views: list[HomeView], site_dir: Path, shell: tuple[str, str], contact_email: str,
                 workers: int | None = None) -> int:
    """Write homes/<slug>/index.html and home.json for every home (on every core for large sets)."""
    if not views:
        return 0
    ranks = sort_ranks(views)
    return sum(map_chunks(_render_chunk, [v.d for v in views], site_dir, shell, contact_email,
                          views[0].today, views[0].repo_edit, views[0].stale_months,
                          {v.d.get("location_id"): v.checked_on for v in views if v.checked_on}, ranks, towns(views),
                          workers=workers))


def _map_config(cfg: SiteConfig) -> dict[str, str]:
    """The find page's map tiles and attribution from mkdocs.yml (extra.directory.map); only https tile servers.
    Every key is always there (empty without a usable map), as the find page's template reads each."""
    m = cfg.directory.get("map") or {}
    tiles: str = m["tiles"] if isinstance(m.get("tiles"), str) else ""
    if not tiles or tiles_problem(tiles) or attribution_problems(m.get("attribution")):
        return {"tiles": "", "attribution": "", "host": ""}
    return {"tiles": tiles, "attribution": attribution_html(m.get("attribution")),
            "host": urllib.parse.urlsplit(tiles).netloc}


def browse_lists(views: list[HomeView], schema: Schema) -> dict[str, list[ListPage]]:
    """Every static list page: by letter, town, need and area."""
    lists = list_pages(views, need_choices(schema))
    _, areas = browse_groups(views)
    lists["areas"] = [ListPage(k, f"Homes in {label}", label, homes) for k, (label, homes) in sorted(areas.items(), key=lambda x: x[1][0])]
    return lists


def render_browse(views: list[HomeView], site_dir: Path, shell: tuple[str, str], schema: Schema) -> int:
    """browse/<key>/index.html for every static list (A to Z within each)."""
    env = _env()
    tpl = env.get_template("browse.html")
    head, tail = shell
    count = 0
    for group in browse_lists(views, schema).values():
        for page in group:
            n = len(page.homes)
            intro = f"{n} home{'s' * (n != 1)}, A to Z."
            folder = site_dir / "browse" / page.key
            folder.mkdir(parents=True, exist_ok=True)
            url = f"browse/{page.key}/"
            (folder / "index.html").write_text(_fill(head, page.title, url) + tpl.render(homes=page.homes, intro=intro) + _fill(tail, page.title, url), encoding="utf-8")
            count += 1
    return count


def render_pages(views: list[HomeView], out: Path, *, schema: Schema, cfg: SiteConfig, data_sizes: dict[str, int],
                 entries: list[Entry], releases: list, released: dt.date, engine: str = "mkdocs") -> int:
    """Every page of the site into ``out`` (which must be empty) with ``engine`` (one of ENGINES);
    returns the generated pages. The engine's docs folder is temporary, removed whatever happens."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    with tempfile.TemporaryDirectory(prefix="carehomes-docs-") as work:
        docs_dir = Path(work) / "docs"
        _md_pages(views, schema, cfg, docs_dir, data_sizes, entries, releases, released, engine)
        if engine == "zensical":
            run_zensical(cfg, Path(work), out)
        else:
            run_mkdocs(cfg, docs_dir, out)
    shell = _shell(out)
    pages = render_homes(views, out, shell, real_contact(cfg.directory, "contact_email"))
    return pages + render_browse(views, out, shell, schema)
