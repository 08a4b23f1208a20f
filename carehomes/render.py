"""The pages stage: mkdocs-material (or zensical) for the frame and the hand-written pages, Jinja2 for each home.

The engine renders one placeholder page (the "shell"); every home's page is that shell with the
home's content put in, so all pages share the theme while 15,000 pages take seconds, not minutes.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import html
import json
import os
import re
import shutil
import stat
import tempfile
import time
import traceback
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.sandbox
import markdown
from markupsafe import Markup, escape

from . import checkcache, docs
from .checkcache import Decided
from .ages import date_of, dated, fill_ages, filled, marked_days, worded_alike
from .engines import ENGINES, run_mkdocs, run_zensical
from .face import face_of, fsa_rated, kind_title
from .kinds import kind, kinds
from .finding import (TOWN_SELECT_MAX, Listed, ListPage, SiteWords, kind_counts, kinds_held, kinds_present, listed, list_pages, paged, search_example,
                      site_words, town_key)
from .forms import real_contact
from .homepage import ProfilePage
from .jsontext import compact
from .fsutil import remove_later, write_new
from .closures import Closed
from .market import PACKAGE_FILE, Tables, care_homes, data_date, market_html, tables_package
from .report import homecare_html, homes_of_concern_html
from .search import answering_kinds
from .search_index import words as words_of
from .outputs.postcode_lookup import sector_file
from .outputs.notes import file_notes
from .outputs.sqlite import EXAMPLE_QUERY
from .outputs.tables import package_sources, release_version
from .outputs.typed import declared_owners
from .parallel import LATER, PARALLEL_FROM, Beside, chunk_bounds, map_forked
from .releases import release_files, release_records
from .safetext import json_for_html, plain, tel_link
from .schema import ROOT, Schema, load_schema
from .sources.postcodes import attribution as postcode_attribution
from .siteconfig import SiteConfig, attribution_html, attribution_problems, staleness, tiles_problem, ungathered
from .text import slugify, with_article
from .views import CLOSED_LEAVES_OUT, NOT_PROVIDED, HomeView, nice_date, register_stale_note, remembering, views_alike

if TYPE_CHECKING:
    from .releases import Entry

TEMPLATES = Path(__file__).parent / "templates"
SHELL_TITLE, SHELL_CONTENT = "SHELLTITLE", "<p>SHELLCONTENT</p>"
# How a top-level page's Markdown reaches the site's root in a link the engine does not know
# (data files, browse/ pages, links in raw HTML): mkdocs leaves such links as written, so they are
# read from the page's folder (open-data/); zensical rewrites every relative link as relative to
# the Markdown file (open-data.md, at the root). Templates write {{ up }}data/care-homes.csv.
UP = {"mkdocs": "../", "zensical": ""}
# The links of finished HTML set aside from the engine (SetAside): no engine sees them, so they are read from the page's
# folder (market/, browse/), as mkdocs leaves them, whichever the engine.
ASIDE_UP = UP["mkdocs"]


class SetAside:
    """Finished HTML kept out of the engine's Markdown (the market overview's tables, the browse page's lists), a
    comment in its place, put back into the page the engine wrote (``restore``): Python-Markdown parses raw HTML
    only to pass it through, nationally 0.4 s for the market page and 0.3 s for the browse page's 2,500 towns. Its
    links are written from the page's folder (ASIDE_UP)."""

    def __init__(self) -> None:
        self.parts: dict[str, str | None] = {}  # the comment -> the HTML in its place (None: given later, ``fill``)
        self.pages: dict[str, list[str]] = {}  # the Markdown page (market.md) -> its comments
        self.not_found: dict[str, str] = {}  # the site's words for the theme's 404.html: placeholder -> words (escaped)
        self.restored: set[str] = set()  # the comments put back already
        self.files_table = ""  # the open data page's place for its table of files (_md_pages)

    def words(self, words: SiteWords) -> None:
        """What the theme's not-found page (overrides/404.html, which the engine renders from mkdocs.yml alone) calls
        what the site lists, put in place of its placeholders by ``restore``: "a care home", or on a site of several
        kinds "a service", "Find care"."""
        kind = with_article(words.kind_one)
        self.not_found = {k: str(escape(v)) for k, v in (("{aKind}", kind), ("{find}", words.find), ("{listing}", words.listing),
                                                          ("{homes}", words.many))}

    def put(self, html_text: str | None, page: str) -> Markup:
        """The comment standing for ``html_text`` in ``page`` (a Jinja filter: ``{% filter aside("browse.md") %}``);
        None: HTML given later (``fill``), before the ``restore`` that puts it back."""
        token = f"<!-- carehomes: set aside {len(self.parts)} -->"
        self.parts[token] = None if html_text is None else str(html_text)
        self.pages.setdefault(page, []).append(token)
        return Markup(token)

    def fill(self, token: str, html_text: str) -> None:
        """The HTML for a place kept by ``put(None, page)``."""
        self.parts[token] = html_text

    def restore(self, site_dir: Path) -> None:
        """Put the HTML back into each page the engine wrote into ``site_dir`` (``market/index.html``; ``market.html``
        where mkdocs.yml turns directory addresses off): each place whose HTML is given and not yet put back (a place
        filled later is put back by a later call)."""
        for page, tokens in self.pages.items():
            ready = [t for t in tokens if self.parts[t] is not None and t not in self.restored]
            if not ready:
                continue
            stem = page.removesuffix(".md")
            found = [p for p in (site_dir / stem / "index.html", site_dir / f"{stem}.html") if p.is_file()]
            text = found[0].read_text(encoding="utf-8") if found else ""
            if not found or any(text.count(t) != 1 for t in ready):
                raise RuntimeError(f"the engine's page made from {page} does not hold, once, the place kept for its "
                                   "tables and lists (an HTML comment): check overrides/ and mkdocs.yml's "
                                   "markdown_extensions")
            for t in ready:
                text = text.replace(t, self.parts[t] or "")
            self.restored.update(ready)
            write_text(str(found[0]), text)
        not_found = site_dir / "404.html"
        if self.not_found and not_found.is_file() and "404.html" not in self.restored:
            self.restored.add("404.html")
            text = not_found.read_text(encoding="utf-8")
            for placeholder, words in self.not_found.items():
                text = text.replace(placeholder, words)
            write_text(str(not_found), text)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(nice_date=nice_date, not_provided=NOT_PROVIDED, values=load_schema().values)
    return env


def _md_env(folder: Path, sandboxed: bool = False) -> jinja2.Environment:
    """Markdown pages: not autoescaped as HTML, so every value put in is escaped by hand (e()). ``sandboxed``: the
    council's content pages (content/, an area's docs_dir), edited by people who do not program and reviewed as
    text, run in Jinja's sandbox, so that a page can read the values it is given and call their methods but not
    reach Python itself (``{{ cycler.__init__.__globals__ }}``: a SecurityError, said as a content page's fault)."""
    kind = jinja2.sandbox.SandboxedEnvironment if sandboxed else jinja2.Environment
    env = kind(loader=jinja2.FileSystemLoader(folder), autoescape=False, undefined=jinja2.StrictUndefined,
               keep_trailing_newline=True)
    env.finalize = lambda v: html.escape(v, quote=True) if isinstance(v, str) and not isinstance(v, Markup) else v
    env.globals["town_select_max"] = TOWN_SELECT_MAX  # find.md: more towns than this, a text box with suggestions
    return env


def stats(views: list[HomeView], released: dt.date) -> dict[str, Any]:
    """The site's counts: homes and beds on the CQC register (a closed home is counted only as closed; beds over the
    care homes whose registered beds are known, with how many are not, never a 0 standing for them), and the ages
    of its sources, kept apart: the day the data was published is not the day the CQC register or the food hygiene
    inspections are dated ("5 years 8 months ago" on the build's day)."""
    current = [v for v in views if not v.closed]
    homes = care_homes(current)
    beds = [b for v in homes if (b := v.get("beds.registered")) is not None]  # a bed count not known is not 0
    imported = [d for d in (v.register_date for v in views) if d]  # each home's worked out once
    fsa = sorted(d for d in (date_of(v.get("food_hygiene.date")) for v in views if fsa_rated(v.get("food_hygiene.rating"))) if d)  # ratings only: not an exemption's date
    today = views[0].today if views else released
    return {
        "homes": f"{len(current):,}",
        "closed": f"{len(views) - len(current):,}",
        "beds": f"{sum(beds):,}",  # over the care homes that have given it (CQC's care directory gives none)
        "beds_told": len(beds),
        "beds_not_told": f"{len(homes) - len(beds):,}",
        "cqc_date": nice_date(max(imported)) if imported else "unknown",
        "cqc_dated": dated(max(imported), today) if imported else "unknown",
        "cqc_rated": sum(1 for v in current if v.rating),  # a register file may give no ratings (the national HSCA file)
        "free_told": sum(1 for v in current if v.has_free is not None),  # the home page promises no more than was told
        "fees_told": sum(1 for v in current if v.fee_from is not None),
        "cqc_stale": register_stale_note(max(imported), today, views[0].limits["register"]) if imported else None,
        "fsa_dated": (dated(fsa[0], today) + ("" if fsa[0] == fsa[-1] else f" to {dated(fsa[-1], today)}")) if fsa else None,
        "published": nice_date(released),
    }


def _facet_notes(facets: list[Any], notes: dict[str, str]) -> dict[str, str]:
    """Facet key -> the note the find page shows under its legend: whose word each kind's answer is, where the
    kinds' words differ for one of its filters (Face.browse_notes, shared_only)."""
    return {f.key: note for f in facets if (note := next((notes[o.filter] for o in f.options if o.filter in notes), ""))}


def find_ring(schema: Schema, directory: dict[str, Any]) -> str:
    """The find page's last resort for a home to ring about: the council's placement line, finished, or ""
    while mkdocs.yml has only the example number (forms.real_contact)."""
    phone = real_contact(directory, "placement_phone")
    return str(schema.values.find["ringCouncil"]).replace("{phone}", phone) if phone else ""


def find_ring_link(directory: dict[str, Any]) -> str:
    """find_ring's number and its tel: link, as JSON ([number, link], safetext.tel_link) for the find page to place
    (withLink), or "" while there is no real number or it cannot be dialled as written."""
    link = tel_link(real_contact(directory, "placement_phone"))
    return json.dumps(link, ensure_ascii=False) if link else ""


def _localities(directory: dict[str, Any]) -> Iterator[tuple[str, str, list[str], bool]]:
    """Each of the council's localities (mkdocs.yml extra.directory.localities: name -> postcode districts) as the find
    page reads it: (its name in the page's words, its name, its codes upper-cased, whether it is named by postcode
    sectors, HR6 8, which the page cannot filter by); a name that is not text, or codes that are not a list, left out."""
    places = directory.get("localities")
    for name, codes in places.items() if isinstance(places, dict) else ():
        if isinstance(name, str) and isinstance(codes, list):
            districts = [str(c).strip().upper() for c in codes]
            yield " ".join(words_of(name)), name, districts, any(" " in d for d in districts)


def find_places(directory: dict[str, Any], towns: Iterable[str] = ()) -> str:
    """The council's named parts of its area (_localities), as the find page takes a name typed in its search box
    (directory-text.js placesIn): JSON [[its words, its name, [its districts]]], the longest name first; "" when there
    are none. A part named by postcode sectors is left out: the find page filters by whole districts, and finds it by
    the words of the homes in it (finding.locality_word: its name is one of them). A part named as
    one of ``towns`` is (the town filter's labels) has that town's label after its districts: the name then finds the
    homes in its districts and those of that town ("Exeter" of EX1, EX2 and EX4 lost Exeter's homes in EX5: the Devon
    review)."""
    by_words = {" ".join(words_of(t)): t for t in towns}
    out: list[list[Any]] = []
    for key, name, districts, sectors in _localities(directory):
        if key and districts and not sectors and all(districts):
            town = by_words.get(key)
            out.append([key, name, districts, town] if town else [key, name, districts])
    out.sort(key=lambda p: -len(p[0].split()))
    return json.dumps(out, ensure_ascii=False) if out else ""


def find_place_warnings(directory: dict[str, Any], schema: Schema, config: str = "mkdocs.yml") -> list[str]:
    """Each of the council's localities that typing its name on the find page cannot find (find_places): one whose name
    holds a need's word (taken as that need first: "Nursing Vale"), and two whose names are one in the find page's words
    ("St. Mary's" and "St Marys"). One named by postcode sectors is found by its homes' words (finding.locality_word)."""
    needs = [str(w[0]) for w in face_of(schema).need_words()]
    out: list[str] = []
    seen: dict[str, str] = {}
    for key, name, _, _ in _localities(directory):
        shown = plain(name, 60)
        need = next((w for w in needs if f" {w} " in f" {key} "), None)
        if need:
            out.append(f"{config}: extra.directory.localities: {shown!r} holds the words {need!r}, which the find page reads "
                       "as a need, so typing the name does not find the locality; name it another way")
        if key and key in seen and seen[key] != name:
            out.append(f"{config}: extra.directory.localities: {plain(seen[key], 60)!r} and {shown!r} are one name on the "
                       "find page, which finds only the first; name them apart")
        seen.setdefault(key, name)
    return out


def empty_shortcut(views: list[HomeView], schema: Schema, one: str = "home") -> Callable[[str, str, str], Markup]:
    """For content pages: ``if_empty(key, href, label)`` is, when no home on the register has given the fact a
    shortcut filters on (a find-page count key, such as free or need_short_term_placements), why its list
    would be empty and a link to the nearest useful one (x-directory.find.shortcutEmpty, ``one`` for its {home});
    else nothing."""
    current = [v for v in views if not v.closed]
    site = face_of(current[0].s).known_values() if current else {}  # search.known_counts' keys
    told: dict[str, bool] = {}  # key -> whether any home has given the fact (known_counts(current)[key] != 0)
    # the span of a fresh answer as the views' availability age says it ("week"; "14 days" where mkdocs.yml sets it)
    questions = face_of(schema).for_script((), current[0].limits["availability"].recent if current else None)["questions"]
    asked: list[dict[str, tuple[str, str]]] = []  # search.answering_kinds(current), once a list is found empty

    def note(key: str, href: str, label: str) -> Markup:
        if key not in told:  # only the keys a page asks about, up to the first home that has told us (not every count)
            told[key] = key not in site or any(key in (own := v.own_known_values()) and v.value(own[key]) is not None
                                               for v in current)
        if told[key]:
            return Markup("")
        if not asked:
            asked.append(answering_kinds(current))
        who = asked[0][key][0] if key in asked[0] else one  # "No care home has told us": a fact only care homes give
        link = f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>'
        text = html.escape(str(schema.values.find["shortcutEmpty"]).replace("{home}", who).replace("{question}", questions.get(key, key)))
        return Markup('<span class="ch-shortcut-empty">' + text.replace("{link}", link) + "</span>")

    return note


def need_choices(schema: Schema) -> list[tuple[str, str]]:
    """(search filter key, label) for each kind of care and need a home can say yes to (the face's facets with browse)."""
    return face_of(schema).browse_choices()


def browse_areas(ordered: list[HomeView]) -> dict[str, tuple[str, list[HomeView]]]:
    """Homes by area (``ordered``: A to Z, as a_to_z gives them): page name -> (area, homes)."""
    areas: dict[str, tuple[str, list[HomeView]]] = {}
    keys: dict[str, str] = {}  # area name -> its page name
    for v in ordered:
        area = str(v.get("locality"))
        key = keys.get(area)
        if key is None:  # once an area, not once a home (nationally 15,403 slugs and sets of the names taken)
            key = keys[area] = _area_key(area, set(keys.values()))
        areas.setdefault(key, (area, []))[1].append(v)
    return areas


def _area_key(area: str, taken: set[str]) -> str:
    """A page name for an area that no other area has: "Telford & Wrekin" and "Telford and Wrekin"
    both slugify to telford-and-wrekin, so the second named gets -2 rather than sharing a page."""
    base = "area-" + slugify(area)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def files_table_html(data_sizes: dict[str, int], schema: Schema, held: Collection[str] | None = None) -> str:
    """The open data page's table of its files (each linked, what it holds, its format and size; a folder's files are
    listed by its own datapackage.json), as Python-Markdown writes the table the page once held: set aside from the
    engine (SetAside), so the page is made before the files are. ``held``: the kinds some service is (kinds_held):
    the tables of the others are said to be empty."""
    notes = file_notes(schema, held)
    lines = ["| File | What it holds | Format | Size |", "|---|---|---|---|"]
    lines += [f"| [{n}]({ASIDE_UP}data/{n}) | {notes[n][0]} | {notes[n][1]} | {_size(size)} |"
              for n, size in sorted(data_sizes.items()) if "/" not in n or n in notes]
    table = markdown.markdown("\n".join(lines), extensions=["tables"])
    # a caption, and each row named by its file (the accessibility review: a table of 30 rows with neither)
    table = table.replace("<table>", "<table>\n<caption>The files, with what each holds, its format and size</caption>", 1)
    return re.sub(r"<tr>\n<td>(.*?)</td>", r'<tr>\n<th scope="row">\1</th>', table)


def site_examples(views: Iterable[HomeView], schema: Schema) -> dict[str, Any]:
    """Profile path -> the first of ``views`` that gives it, for each field whose example is a real place
    (``exampleIsReal``): the data dictionary's example on a site's open data page is the site's own (Oldham, not
    Herefordshire: the content review). Only text a check has passed; a field no service gives keeps the schema's."""
    paths = {f.path for fs in schema.resource_fields.values() for f in fs if f.example_is_real}
    out: dict[str, Any] = {}
    for v in views:
        for p in paths - out.keys():
            value = v.get(p)
            if isinstance(value, str) and value.strip():
                out[p] = value
        if len(out) == len(paths):
            break
    return out


def owners_held(views: Iterable[HomeView], schema: Schema) -> frozenset[str]:
    """Of the owners a source is declared for (typed.declared_owners: the FSA), those of whom a service holds a fact, as
    typed.owners_holding finds them in the tables: the open data page names in its attribution the sources
    datapackage.json names (a rating imported where fsa_authorities lists none was in the package but not the page)."""
    paths = {o: {f.path for fs in schema.resource_fields.values() for f in fs if f.owner == o}
             for o in declared_owners(schema.package)}
    views = list(views)
    return frozenset(o for o, held in paths.items() if any(v.get(p) is not None for p in held for v in views))


def _md_pages(views: list[HomeView], schema: Schema, cfg: SiteConfig, out_docs: Path, data_sizes: dict[str, int] | None,
              entries: list, releases: list, released: dt.date, engine: str = "mkdocs",
              lists: dict[str, list[ListPage]] | None = None, known: Listed | None = None,
              words: SiteWords | None = None, made_market: Callable[[], tuple[str, dict[str, str]]] | None = None,
              before: Closed | None = None) -> SetAside:
    """Write the content pages and the generated pages into the docs folder the engine reads (``lists``:
    browse_lists' answer, ``known``: finding.listed(views) and ``words``: site_words of its homes, when the caller
    has them already; ``made_market()``: market_page's answer, when it was made beside; ``data_sizes``: each open
    data file's size, or None when not yet known: the open data page's table of files is then given later,
    ``aside.fill(aside.files_table, files_table_html(...))``). Returns the HTML set aside from the engine, to restore
    into the pages it writes."""
    d = cfg.directory
    area = d.get("area", "your area")
    st = stats(views, released)
    known = known if known is not None else listed(views)
    current = known.homes  # a closed home is on no list, count or filter of the find page
    words = words or site_words(current)  # what the pages call what the site lists: homes, or services of several kinds
    present = kinds_present(current)
    content = cfg.path.parent / (cfg.raw.get("docs_dir") or "docs")
    env = _md_env(content, sandboxed=True)
    env.globals.update(values=schema.values.with_staleness(staleness(d)), up=UP[engine], placement={k: real_contact(d, f"placement_{k}") for k in ("phone", "email")},
                       if_empty=empty_shortcut(views, schema, words.one), words=words)
    for src in sorted(content.rglob("*")):
        rel = src.relative_to(content)
        dst = out_docs / rel
        if src.is_dir():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md":
            try:
                text = env.get_template(rel.as_posix()).render(area=area, stats=st)
            except jinja2.sandbox.SecurityError as exc:
                line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                             if os.path.abspath(f.filename) == os.path.abspath(src)), None)
                said = str(exc).rstrip(".")
                raise RuntimeError(f"{src}{f', line {line}' if line else ''}: {said}; a content page may use the values it "
                                   "is given ({{ stats.homes }}, {{ area }}) and their methods, not Python's insides "
                                   "(names with _): take that part out") from None
            except jinja2.TemplateError as exc:
                line = getattr(exc, "lineno", None)
                raise RuntimeError(f"{src}{f', line {line}' if line else ''}: {exc.message}; content pages are Jinja "
                                   "templates: fix the {{ ... }} or {% ... %} there") from None
            except RecursionError:
                raise RuntimeError(f"{src}: includes or extends itself (or a page that leads back to it), so it never ends; "
                                   "remove that {% include %} or {% extends %}") from None
            except Exception as exc:  # an expression the page itself runs: {{ 1 / 0 }}, {{ stats.homes / 2 }} (text)
                line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                             if os.path.abspath(f.filename) == os.path.abspath(src)), None)
                raise RuntimeError(f"{src}{f', line {line}' if line else ''}: {type(exc).__name__}: {exc}; content pages are "
                                   "Jinja templates: fix the {{ ... }} or {% ... %} there") from None
            dst.write_text(text, encoding="utf-8")
        else:
            shutil.copy2(src, dst)
    aside = SetAside()
    aside.words(words)
    gen = _md_env(TEMPLATES)
    gen.globals.update(values=schema.values, up=UP[engine], aside_up=ASIDE_UP, ungathered=ungathered(d),
                       recent=schema.values.with_staleness(staleness(d)).staleness["availability"].recent)
    gen.filters["aside"] = aside.put
    lists = lists if lists is not None else browse_lists(views, schema, known)
    pkg = schema.package
    # the open data page's table of files, set aside: given now when the files are made, else later (``fill``), so
    # that the engine can make the pages while the open data is made
    files_table = aside.put(None if data_sizes is None else files_table_html(data_sizes, schema, kinds_held(views)), "open-data.md")
    aside.files_table = str(files_table)
    facets = face_of(schema).facets_for(present)  # the find page's filters, and the notes under them
    example = search_example(current, known)  # a town and a postcode of the site's own, for the pages' examples
    pages = {
        "find.md": gen.get_template("find.md").render(
            stats=st, localities=sorted({str(v.get("locality")) for v in views if not v.closed}), lists=lists,
            map=_map_config(cfg), ring_council=find_ring(schema, d), ring_council_link=find_ring_link(d), places=find_places(d, known.labels.values()),
            face=face_of(schema), facets=facets, present=present,
            facet_notes=_facet_notes(facets, face_of(schema).browse_notes(present, shared_only=True)),
            sorts=face_of(schema).sorts_for(present), kind_counts=kind_counts(current), listing=words.listing, nouns=(words.one, words.many),
            words=words, example=example, towns=sorted(known.labels.values(), key=town_key), ratings=schema.values.rating_choices, fee_steps=schema.values.fee_choices),
        "compare.md": gen.get_template("compare.md").render(face=face_of(schema), published=st["published"], words=words),
        "browse.md": gen.get_template("browse.md").render(stats=st, lists=lists, words=words),
        "open-data.md": gen.get_template("open-data.md").render(
            version=release_version(released), schema_version=pkg.get("version"), published=nice_date(released), stats=st, words=words, files_table=files_table, year=released.year,
            council=d.get("council", schema.values.owner_source("council")), title=cfg.raw.get("site_name", ""), site_url=cfg.raw.get("site_url", ""),
            dictionary=Markup(docs.data_dictionary_html(schema, site_examples(current, schema))), changelog=Markup(changelog_html(entries)),
            releases=[(d.isoformat(), release_files(path)) for d, path in reversed(releases)], example_query=EXAMPLE_QUERY, postcode_attribution=postcode_attribution(),
            postcode_example=(example[1], sector_file(example[1])) if example[1] else ("", ""),
            extensions=[k.oruk_extension for k in kinds(schema) if k.id in present], attributed=owners_held(views, schema)),
        "changes.md": gen.get_template("changes.md").render(changelog=Markup(changelog_html(entries, level=2))),
        "homes/_shell.md": gen.get_template("shell.md").render(one=words.one, many=words.many),  # the shortlist's words
    }
    market, market_files = market_page(views, released, d.get("localities"), releases, schema, str(cfg.raw.get("site_name") or ""),
                                       before) \
        if made_market is None \
        else made_market()
    pages["market.md"] = MARKET_HEAD + aside.put(market, "market.md") + "\n"
    from .forms import contributing_for_site

    contributing = contributing_for_site((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"),  # council contact, form links
                                         {**cfg.directory, "site_url": cfg.raw.get("site_url", ""), "find_title": words.find},
                                         frozenset(v.face.kind for v in views))  # and a section for each other kind listed
    contributing = contributing.replace("](../images/", "](images/")  # relative to the Markdown file: both engines
    contributing = contributing.replace("](providers/_template.yaml)", f"]({cfg.directory.get('repository', '').rstrip('/')}/blob/main/providers/_template.yaml)")
    pages["for-providers.md"] = "---\ntitle: For providers\n---\n\n" + contributing  # every field: docs/data.md
    # copied beside the page: each table's CSV, and the package describing them (market.PACKAGE_FILE)
    pages |= {f"market/{name}" if name == PACKAGE_FILE else f"market/{name}.csv": text for name, text in market_files.items()}
    for name, text in pages.items():
        path = out_docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return aside


MARKET_HEAD = "---\ntitle: Care market overview\n---\n\n# Care market overview\n\n"  # market.md, before its HTML


def market_page(views: list[HomeView], released: dt.date, localities: dict[str, list[str]] | None, releases: list,
                schema: Schema, site_title: str = "", before: Closed | None = None) -> tuple[str, dict[str, str]]:
    """The market overview page's HTML, under its heading (MARKET_HEAD): its homes, and the home care agencies'
    capacity by the districts they cover and those of concern, empty without any; and its tables' CSV files by table
    id. From the views alone, so the pipeline makes it beside the data (nationally 1.1 s of CPU the pages stage no
    longer waits for); set aside from the engine (SetAside), so its links lead from the page's folder."""
    tables = Tables(ASIDE_UP)
    today = views[0].today if views else released
    with remembering(views):
        text = (market_html(views, today, localities,
                            (releases[-1][0], release_records(releases[-1][1], schema)) if releases else None, tables,
                            homes_of_concern_html, before) +
                "\n" + homecare_html(views, today, tables))
    if not tables.files:
        return text, {}
    as_at = data_date(views) or today
    text += (f'\n<p class="ch-download">Every table on this page, with what it counts and as at when, is described in '
             f'<a href="{ASIDE_UP}market/{PACKAGE_FILE}">{PACKAGE_FILE}</a> (a Frictionless data package), for sharing '
             "the tables with the figures' date and sources.</p>")
    package = tables_package(tables, site_title, as_at, released, schema.package, package_sources(schema, MARKET_OWNERS))
    return text, {**tables.files, PACKAGE_FILE: package}


MARKET_OWNERS = frozenset(("cqc",))  # the owners whose facts the market tables count beside the sources of none: CQC's
# register (homes, beds, ratings), never the FSA's food hygiene ratings (an empty set left out CQC too, and its credit)


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


def _shell(site_dir: Path) -> tuple[str, str]:
    page = site_dir / "homes" / "_shell" / "index.html"
    text = page.read_text(encoding="utf-8")
    shutil.rmtree(page.parent)
    head, sep, tail = text.partition(SHELL_CONTENT)
    if not sep:
        raise RuntimeError("the theme did not render the page shell; check overrides/ and mkdocs.yml")
    return head, tail


SHELL_URL = "homes/_shell/"


def _fill(part: str, title: str, url_path: str) -> str:
    """The shell's ``part`` with the page's title (escaped) for SHELL_TITLE, then ``url_path`` for every SHELL_URL,
    the title's too; from the part cut at both once (_fill_parts), not two passes over its 10 KB a page."""
    pieces = _fill_parts(part)
    if pieces is None:
        return _filled(part, title, url_path)
    named = html.escape(title, quote=True).replace(SHELL_URL, url_path)
    return named.join([url_path.join(p) for p in pieces])


def _filled(part: str, title: str, url_path: str) -> str:
    """_fill by replacing in the whole part, title first: what _fill's cut part gives."""
    part = part.replace(SHELL_TITLE, html.escape(title, quote=True))
    return part.replace(SHELL_URL, url_path)


@functools.lru_cache(maxsize=8)
def _fill_parts(part: str) -> tuple[tuple[str, ...], ...] | None:
    """``part`` cut at each SHELL_TITLE, and each piece at each SHELL_URL; None where a SHELL_URL could run across
    a title (a piece ending in its start or beginning with its end), which _filled then makes as before."""
    pieces = part.split(SHELL_TITLE)
    starts = [SHELL_URL[:n] for n in range(1, len(SHELL_URL))]
    ends = [SHELL_URL[n:] for n in range(1, len(SHELL_URL))]
    for before, after in zip(pieces, pieces[1:], strict=False):
        if any(before.endswith(s) for s in starts) or any(after.startswith(e) for e in ends):
            return None
    return tuple(tuple(p.split(SHELL_URL)) for p in pieces)


def profile_page() -> ProfilePage:
    """What makes each home's page body: profile.html as homepage.ProfilePage renders it (the same bytes as the
    template through _env(), in about half the CPU), with _env()'s schema values."""
    return ProfilePage(load_schema().values)


def home_page(v: HomeView, tpl: jinja2.Template | ProfilePage, shell: tuple[str, str], contact_email: str) -> tuple[str, str]:
    """One home's page (``homes/<slug>/index.html``) and what the compare page reads of it (``home.json``): from
    its own view alone (what the find page needs of it is in the search index, search.py), so an edit to one
    home never changes another's page. ``held_home_page``'s, its ages filled in on the view's day."""
    page, summary, _ = held_home_page(v, tpl, shell, contact_email)
    return fill_ages(page, v.today).decode("utf-8"), fill_ages(summary, v.today).decode("utf-8")


def held_home_page(v: HomeView, tpl: jinja2.Template | ProfilePage, shell: tuple[str, str],
                   contact_email: str) -> tuple[bytes, bytes, Decided]:
    """A home's page and home.json in UTF-8 as kept across days: each age held open as a mark (ages.age_mark, filled
    in by ages.fill_ages on the day it is written), with the staleness decisions it made, which must be the same on
    a day it is taken (HomeView.held_open). The view remembers what it works out while the page is made."""
    head, body, tail, summary, decided = held_home_parts(v, tpl, shell, contact_email)
    return head + body + tail, summary, decided


def held_home_parts(v: HomeView, tpl: jinja2.Template | ProfilePage, shell: tuple[str, str],
                    contact_email: str) -> tuple[bytes, bytes, bytes, bytes, Decided]:
    """``held_home_page``'s page in its three parts, in UTF-8: the shell's head and tail filled in for the home
    (_fill) and the body between them, which alone holds the page's own words (the store of pages keeps the body:
    nationally 10 KB of the 17 KB a page is the shell)."""
    with v.held_open() as decided:
        body, summary = _home_parts(v, tpl, contact_email)
    head, tail = _shell_of(v, shell)
    return head, body.encode("utf-8"), tail, summary.encode("utf-8"), decided


def _home_parts(v: HomeView, tpl: jinja2.Template | ProfilePage, contact_email: str) -> tuple[str, str]:
    """A home's page body (between the shell's head and tail: _shell_of) and home.json."""
    groups = v.groups()
    if v.closed:  # a closed home's page keeps its record, not what a home still open would be asked for
        groups = [g for g in groups if g.id not in CLOSED_LEAVES_OUT]
    body = tpl.render(h=v, groups=groups, unknowns=[] if v.closed else v.unknowns(groups), contact_email=contact_email,
                      json_ld=json_for_html(compact(v.json_ld())))
    return body, compact(v.summary())


def _shell_of(v: HomeView, shell: tuple[str, str]) -> tuple[bytes, bytes]:
    """The shell's head and tail filled in for the home (its name and its page's address), in UTF-8: around a page's
    body as it is made (held_home_parts) or kept (_kept_filled)."""
    url = f"homes/{v.slug}/"
    return _fill(shell[0], v.name, url).encode("utf-8"), _fill(shell[1], v.name, url).encode("utf-8")


def write_encoded(path: str, data: bytes) -> None:
    """``write_text(path, data.decode("utf-8"))``: UTF-8 bytes made as write_text makes them (a kept page), written
    as they are where a line ends in "\n"."""
    if os.linesep != "\n":
        Path(path).write_text(data.decode("utf-8"), encoding="utf-8")
        return
    write_new(path, data)


def write_text(path: str, text: str) -> None:
    """``Path(path).write_text(text, encoding="utf-8")``, the same bytes, in three system calls (open, write, close)
    rather than six, and without the text layer's objects: nationally 32,907 pages and 15,403 home.json files, a
    third of a second of CPU. Where a line ends in more than "\n" (Windows), write_text itself."""
    if os.linesep != "\n":
        Path(path).write_text(text, encoding="utf-8")
        return
    write_new(path, text.encode("utf-8"))


def _write_home(folder: str, page: bytes, summary: bytes) -> None:
    """A home's page and home.json (UTF-8) into its folder, made if need be."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    write_encoded(f"{folder}/index.html", page)
    write_encoded(f"{folder}/home.json", summary)


def _kept_chunk(args: tuple) -> list[tuple[str, checkcache.Page]]:
    """Early home pages: the kept ones of ``views`` (and only those: none is rendered) under a guessed shell, into
    ``site_dir``, a thousand at a time until ``stop`` is set; (slug, page) of each home written (checkcache.Page).
    ``before``: the build being replaced's homes folder, its pages by slug (EarlyHomes.start: written from the same
    inputs), when they were (checkcache.Written.made) and the day their ages were filled in, whose pages named as
    these would be are linked, not read from the store and written: on a later day, only those whose words are the
    same that day (_same_words: nationally most pages on most days, their facts months or years old)."""
    views, site_dir, store, inputs, stop, before, shell = args
    (site_dir / "homes").mkdir(parents=True, exist_ok=True)
    homes, written = str(site_dir / "homes"), []
    like = _new_file_like(homes) if before is not None else None
    around = (shell[0].encode("utf-8"), shell[1].encode("utf-8"))  # a home's name and address, filled in, hold no mark
    for start in range(0, len(views), checkcache.BATCH):
        if stop.is_set():  # the engine rendered another shell: these pages are not wanted
            break
        batch = views[start:start + checkcache.BATCH]
        names = [checkcache.page_name(inputs, v.d, v.checked_on) for v in batch]
        if before is not None and like is not None:
            folder, pages, made, day = before
            linked = {i: was for i, v in enumerate(batch) if (was := pages.get(v.slug)) is not None
                      and was.name == names[i] and _written_lately(was, v.today)
                      and (day == v.today or _same_words(v, was.fill, day))
                      and _linked_home(f"{folder}/{v.slug}", f"{homes}/{v.slug}", was.files, made, like)}
            written += [(batch[i].slug, page) for i, page in linked.items()]
            if linked and day != views[0].today:  # kept in the store as pages taken today (checkcache.UNUSED_DAYS)
                checkcache.mark_taken(store, [names[i] for i in linked], views[0].today)
            rest = set(range(len(batch))) - set(linked)
            batch, names = [batch[i] for i in sorted(rest)], [names[i] for i in sorted(rest)]
        found = checkcache.read_pages(store, names, views[0].today)
        for name, v in zip(names, batch, strict=True):
            kept = found.get(name)
            pages = _kept_filled(v, kept, shell)
            if pages is not None and kept is not None:
                _write_home(f"{homes}/{v.slug}", *pages)
                written.append((v.slug, checkcache.Page(name, _files_of(f"{homes}/{v.slug}"),
                                                        fill_of(kept[0], *around, kept[1], kept[2]), v.today.isoformat())))
    return written


LINK_DAYS = 7  # a page is linked from build to build for 7 to 13 days after it was written (by its name), then written


def _written_lately(page: checkcache.Page, today: dt.date) -> bool:
    """Whether ``page`` (the build being replaced's) was written lately enough to be linked on ``today``: within
    LINK_DAYS days and up to LINK_DAYS - 1 more by its name (so that the pages written one day are not all written
    again on one later day). A page changed in place that keeps its size and time of change (_linked_home cannot tell
    it from the file written) is so published for two weeks at most, not for as long as its words are the same."""
    written = date_of(page.written)
    if written is None or written > today or not page.name[-1:] or page.name[-1:] not in "0123456789abcdef":
        return False
    return (today - written).days < LINK_DAYS + int(page.name[-1], 16) % LINK_DAYS


def fill_of(decided: Decided, *parts: bytes) -> str:
    """What a home page's words depend on besides its name (checkcache.Page's last part), from its ``parts`` as kept,
    its ages held open as marks: the days of its marks and the staleness decisions it holds on, as JSON (no tab or
    line break in it). A later day's build links the page written today when both are the same that day
    (_same_words)."""
    return json.dumps([marked_days(*parts), decided], separators=(",", ":"))


def _same_words(v: HomeView, fill: str, day: dt.date) -> bool:
    """Whether a page written on ``day`` with ``fill`` (fill_of's) is the same bytes on ``v``'s day: each of its ages
    worded the same and each staleness decision the same (False for a fill that is not fill_of's, or empty)."""
    try:
        days, held = json.loads(fill)
    except (TypeError, ValueError, RecursionError):
        return False
    return (type(days) is list and checkcache.decided_of(held) is not None  # decisions as a kept page's are read back
            and worded_alike(days, day, v.today) and v.holds_on(held))


def _new_file_like(folder: str) -> tuple[int, int, int] | None:
    """The permissions, owner and group a file written into ``folder`` gets (one made there and removed: the umask,
    a default ACL, a folder's group); None when none can be made."""
    probe = f"{folder}/.new-file-{os.getpid()}"
    try:
        write_new(probe, b"")
        made = os.lstat(probe)
        os.unlink(probe)
    except OSError:
        return None
    return stat.S_IMODE(made.st_mode), made.st_uid, made.st_gid


def _files_of(folder: str) -> tuple[int, int, int, int]:
    """The files of a home's page and home.json in ``folder`` (each one's inode number and size), for the next build
    (_linked_home)."""
    page, summary = os.lstat(f"{folder}/index.html"), os.lstat(f"{folder}/home.json")
    return page.st_ino, page.st_size, summary.st_ino, summary.st_size


def _linked_home(was: str, folder: str, files: tuple[int, int, int, int], made: int, like: tuple[int, int, int]) -> bool:
    """A home's page and home.json in ``was`` (a folder of the build being replaced) linked into ``folder`` (made): the
    same files, nothing read or written; False (``folder`` left as it was found) when either cannot be linked, or is
    not the file that build wrote (``files``: _files_of, each one's inode number and size) as a file written now
    would be: a link to another file (never followed), another file moved or linked there, a file changed since
    ``made`` (its build's record, in nanoseconds: a page edited by hand, or written by a serve that keeps no record) or
    of another size (changed with its time put back: a later day's build links a page for as long as its words
    are the same), or with other permissions, owner or group than ``like`` (_new_file_like)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except OSError:
        return False
    done = []
    try:
        for name, ino, size in (("index.html", *files[:2]), ("home.json", *files[2:])):
            os.link(f"{was}/{name}", f"{folder}/{name}", follow_symlinks=False)
            done.append(name)
            st = os.lstat(f"{folder}/{name}")  # the file linked, whatever is done to ``was`` meanwhile
            if (not stat.S_ISREG(st.st_mode) or st.st_ino != ino or st.st_size != size or st.st_mtime_ns > made
                    or (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) != like):
                raise OSError(f"{was}/{name} is not the file its build wrote")
    except (OSError, ValueError):  # gone, changed, or a file system that links no files: read and written as without it
        for name in done:
            os.unlink(f"{folder}/{name}")
        return False
    return True


def _kept_filled(v: HomeView, kept: tuple[Decided, bytes, bytes] | None, shell: tuple[str, str]) -> tuple[bytes, bytes] | None:
    """A kept page (its body, between ``shell``'s head and tail filled in for the home: _shell_of) and home.json
    (checkcache.read_pages') with their ages filled in on the view's day; None when none is kept, a staleness
    decision it holds on is not the same that day, or a mark is left in it (damaged: made again)."""
    if kept is None or not v.holds_on(kept[0]):
        return None
    head, tail = _shell_of(v, shell)
    done: list[bytes] = []
    for part in (head, kept[1], tail, kept[2]):
        text = filled(part, v.today)
        if text is None:
            return None
        done.append(text)
    return done[0] + done[1] + done[2], done[3]


EARLY_FROM = PARALLEL_FROM  # homes from which the kept home pages are written early, beside the engine


class EarlyHomes:
    """The kept home pages written beside the engine, in worker processes, into a folder beside the new build,
    under the shell the last build of this site rendered (checkcache.read_shell): nationally the engine's part of
    the pages stage left a core idle for 1.5 s, and the home pages could only start after it, as their shell is
    the engine's. Used (``take``) only when the engine renders the same shell again; otherwise the workers stop
    within a thousand pages and the folder is removed in the background, nothing having been rendered. ``start``
    gives None when there is nothing to guess from."""

    def __init__(self, views: list[HomeView], folder: Path, shell: tuple[str, str], inputs: str, store: Path,
                 before: tuple[str, dict[str, checkcache.Page], int, dt.date] | None = None) -> None:
        """``inputs``: page_inputs under ``shell``; ``before``: as _kept_chunk's."""
        import multiprocessing

        self.folder, self.shell = folder, shell
        self.stop = multiprocessing.Event()  # set: the workers stop before their next thousand pages
        workers = os.cpu_count() or 1
        self.jobs: list[Beside] = []
        try:
            for a, b in chunk_bounds(len(views), workers):
                self.jobs.append(Beside(_kept_chunk, (views[a:b], folder, store, inputs, self.stop, before, shell),
                                        items=max(len(views), EARLY_FROM), workers=workers, nice=LATER))
        except BaseException:
            self.close()
            raise

    @classmethod
    def start(cls, views: list[HomeView], folder: Path, cfg: SiteConfig, store: Path | None,
              key: str | None, live: Path | None = None) -> EarlyHomes | None:
        """Early pages under the shell kept in ``store`` for the site ``key`` (shell_key), if there is one; those the
        build being replaced (``live``: its folder) wrote from the same inputs, linked from it: on a later day, those
        whose words are the same that day (_kept_chunk)."""
        if len(views) < EARLY_FROM or store is None or key is None:
            return None
        shell = checkcache.read_shell(store, key)
        if shell is None:
            return None
        inputs = page_inputs(shell, real_contact(cfg.directory, "contact_email"), views)
        before = None
        if live is not None and (was := checkcache.read_written(store, written_key(key, live.parent))) is not None \
                and (was.build, was.inputs) == (live.name, inputs) and (day := date_of(was.day)) is not None \
                and day <= views[0].today:
            before = (str(live / "homes"), was.pages, was.made, day)
        return cls(views, folder, shell, inputs, store, before)

    def take(self, shell: tuple[str, str], out: Path) -> dict[str, checkcache.Page] | None:
        """The home pages written early (each one's page by slug: checkcache.Page), moved into ``out/homes`` (one rename), when
        ``shell`` is the one they were written under; None (and nothing moved: every page is then made as without
        them) when it is not, when a worker failed or when they cannot be moved."""
        if shell != self.shell:
            self.stop.set()
            return None
        try:
            written = {slug: page for job in self.jobs for slug, page in job.result()}
        except Exception:  # a page that could not be written early (a full disk...): made again as without them
            self.stop.set()
            return None
        homes = out / "homes"
        try:
            if homes.exists():
                homes.rmdir()  # left empty by the shell's page (_shell); a content folder named homes: not moved
            (self.folder / "homes").rename(homes)
        except OSError:
            return None
        return written

    def close(self) -> None:
        """Stop the workers (within a thousand pages) and remove the folder: at once when empty (after ``take``),
        else in the background (fsutil.remove_later; what is left, the next build's clean_leftovers removes)."""
        self.stop.set()
        for job in self.jobs:
            job.close()
        try:
            self.folder.rmdir()
        except FileNotFoundError:
            pass
        except OSError:
            remove_later(self.folder)


def written_key(key: str, builds: Path) -> str:
    """Which site's record of the home pages its last build wrote (checkcache.read_written): its shell_key and the
    folder of its builds (fsutil.builds_dir: one per --out folder)."""
    return f"{key} {builds.resolve()}"  # no NUL between: SQLite compares text only up to one


def shell_key(cfg: SiteConfig, engine: str, views: list[HomeView]) -> str | None:
    """Which site a kept shell is of, as a hash of what the shell is made of as far as it can be known before
    the engine runs: the engine and its theme's version, mkdocs.yml (its path and bytes), the theme's overrides
    folder, the content pages' names (the navigation) and the kinds of service listed (the find page's title). A
    shell is always compared with the one the engine renders before its pages are used: this only spares the
    early pages a guess that would be wrong. None when those files cannot be read."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.blake2b(digest_size=20)
    try:
        theme = version("zensical" if engine == "zensical" else "mkdocs-material")
    except PackageNotFoundError:
        theme = "none"
    h.update(repr((engine, theme, str(cfg.path.resolve()), kinds_present([v for v in views if not v.closed]))).encode())
    raw_theme = cfg.raw.get("theme")
    custom = raw_theme.get("custom_dir") if isinstance(raw_theme, dict) else None
    content = cfg.path.parent / (cfg.raw.get("docs_dir") or "docs")
    try:
        h.update(cfg.path.read_bytes())
        if isinstance(custom, str) and custom:
            for path in sorted((cfg.path.parent / custom).rglob("*")):
                if path.is_file():
                    h.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes() + b"\0")
        for path in sorted(content.rglob("*")):
            h.update(str(path.relative_to(content)).encode("utf-8", "surrogateescape") + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def _render_chunk(args: tuple) -> list[tuple[str, checkcache.Page]]:
    """Home pages of ``views`` into ``site_dir``, each taken as kept or rendered (render_homes); (slug, page) of each
    (checkcache.Page; one of no name without a store of pages)."""
    views, site_dir, shell, contact_email, kept = args
    tpl = profile_page()
    around = (shell[0].encode("utf-8"), shell[1].encode("utf-8"))  # a home's name and address, filled in, hold no mark
    (site_dir / "homes").mkdir(parents=True, exist_ok=True)
    homes, written = str(site_dir / "homes"), list[tuple[str, checkcache.Page]]()
    for start in range(0, len(views), checkcache.BATCH):
        batch = views[start:start + checkcache.BATCH]
        names = [checkcache.page_name(kept[1], v.d, v.checked_on) for v in batch] if kept else []
        found = checkcache.read_pages(kept[0], names, batch[0].today) if kept else {}
        made: list[tuple[str, Decided, bytes, bytes]] = []
        fills = []
        for i, v in enumerate(batch):  # each home's view is built once, by the pipeline (a worker has it from the fork)
            held = found.get(names[i]) if names else None
            pages = _kept_filled(v, held, shell)
            if pages is not None and held is not None:
                fills.append(fill_of(held[0], *around, held[1], held[2]))
            else:
                head, body, tail, summary, decided = held_home_parts(v, tpl, shell, contact_email)
                if names:
                    made.append((names[i], decided, body, summary))
                    fills.append(fill_of(decided, head, body, tail, summary))
                pages = fill_ages(head, v.today) + fill_ages(body, v.today) + fill_ages(tail, v.today), fill_ages(summary, v.today)
            _write_home(f"{homes}/{v.slug}", *pages)
        if kept:
            checkcache.write_pages(kept[0], made, batch[0].today)
        written += [(v.slug, checkcache.Page(names[i], _files_of(f"{homes}/{v.slug}"), fills[i], v.today.isoformat())
                     if names else checkcache.Page("", (0, 0, 0, 0), "", "")) for i, v in enumerate(batch)]
    return written


def page_inputs(shell: tuple[str, str], contact_email: str, views: list[HomeView]) -> str:
    """What every home page of a build shares besides the code and schema (checkcache's generation): the page
    shell (the theme, overrides and mkdocs.yml as the engine rendered them), the contact address, and the views'
    edit address, staleness limits and the owners whose facts the site does not gather (the same for every view of a
    build, from mkdocs.yml: ``views_alike``), as one hash. ``views``: at least one."""
    h = hashlib.blake2b(digest_size=20)
    for part in (*shell, contact_email):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    first = views[0]
    h.update(repr((first.repo_edit, sorted(first.limits.items()), sorted(first.ungathered))).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def render_homes(views: list[HomeView], site_dir: Path, shell: tuple[str, str], contact_email: str,
                 meanwhile: Callable[[], Any] | None = None, early: EarlyHomes | None = None,
                 names: dict[str, checkcache.Page] | None = None) -> int:
    """Write homes/<slug>/index.html and home.json for every home (on every core for large sets); ``meanwhile()``
    run here while the workers write (parallel.map_forked). A home page is taken as kept from an earlier build
    (checkcache) when every input of it is the same (``page_inputs``, its profile's data, the code and schema) and
    so is each staleness decision it made, on whatever day it was made (``held_home_page``); nationally 6.4 s of
    CPU to render them all. ``early``: the kept pages written already (EarlyHomes),
    taken when written under this ``shell``; only the rest are then made here. ``names``: filled in with each page
    by slug (checkcache.Page), when kept pages are (for the next build: checkcache.write_written)."""
    if not views:
        if meanwhile is not None:
            meanwhile()
        return 0
    store = checkcache.open_pages(views[0].today)
    kept = (store, page_inputs(shell, contact_email, views)) if store is not None and views_alike(views) else None
    written = early.take(shell, site_dir) if early is not None else None
    rest = views if written is None else [v for v in views if v.slug not in written]
    if not rest:
        if meanwhile is not None:
            meanwhile()
    else:
        made = [pair for chunk in map_forked(_render_chunk, rest, site_dir, shell, contact_email, kept, meanwhile=meanwhile)
                for pair in chunk]
        written = {**(written or {}), **dict(made)}
    if names is not None and kept is not None:
        names.update(written or {})
    return len(written or ())


def _map_config(cfg: SiteConfig) -> dict[str, str]:
    """The find page's map tiles and attribution from mkdocs.yml (extra.directory.map); only https tile servers.
    Every key is always there (empty without a usable map), as the find page's template reads each."""
    m = cfg.directory.get("map") or {}
    tiles: str = m["tiles"] if isinstance(m.get("tiles"), str) else ""
    if not tiles or tiles_problem(tiles) or attribution_problems(m.get("attribution")):
        return {"tiles": "", "attribution": "", "host": ""}
    return {"tiles": tiles, "attribution": attribution_html(m.get("attribution")),
            "host": urllib.parse.urlsplit(tiles).netloc}


def browse_lists(views: list[HomeView], schema: Schema, known: Listed | None = None,
                 words: SiteWords | None = None) -> dict[str, list[ListPage]]:
    """Every static list page: by letter, town, need and area; a closed home is in none of them (``known``:
    finding.listed(views), and ``words``: site_words of its homes, when the caller has them)."""
    known = known if known is not None else listed(views)  # A to Z once, for every list
    named = (words or site_words(known.homes)).many  # "homes"; "services" on a site of several kinds
    lists = list_pages(known.homes, need_choices(schema), known, named, face_of(schema).browse_titles(),
                       face_of(schema).browse_notes(kinds_present(known.homes)))
    present = [kind(k, schema) for k in kinds_present(known.homes)]
    if len(present) > 1:  # a list of each kind of service, first among the lists by type (the home care review: none of agencies)
        lists["needs"] = [page for k in present for page in paged(f"kind-{k.id.replace('_', '-')}", k.plural, k.plural,
                                                                   [v for v in known.ordered if k.id in (x.id for x in v.kinds)])] + lists["needs"]
    areas = browse_areas(known.ordered)
    lists["areas"] = [ListPage(k, f"{named.capitalize()} in the {label} council area", label, homes)
                      for k, (label, homes) in sorted(areas.items(), key=lambda x: x[1][0])]
    return lists


def browse_item(v: HomeView, kind: str = "") -> str:
    """A home's line on a list page: templates/browse_item.html (its readable source) in plain Python, each value
    escaped as Jinja's autoescape does; nationally 15,403 lines (tests/test_fast_paths.py renders both). ``kind``: what
    it is, on a site of several kinds (face.kind_title: the home care review found care homes among agencies, unsaid)."""
    said = v.browse_cqc
    cqc = f". {escape(said)}" if said else ""
    what = f"{escape(kind)}: " if kind else ""
    return (f'<li><a href="../../homes/{escape(v.slug)}/">{escape(v.name)}</a> '
            f'<span class="ch-note">{what}{escape(v.address_line)}{cqc}</span></li>')


def browse_body(intro: str, lines: list[str], many: str = "homes") -> str:
    """A list page's body: templates/browse.html in plain Python (``lines``: browse_item's, already escaped; ``many``:
    what the site calls what it lists, SiteWords.many)."""
    homes = '<ul class="ch-list">\n' + "".join(line + "\n" for line in lines) + "</ul>\n" if lines else f"<p>No {escape(many)}.</p>"
    return (f'<p>{escape(intro)}</p>\n<nav aria-label="Browse {escape(many)}"><p><a href="../../browse/">All the lists: A to Z, '
            'towns, needs and areas</a></p></nav>\n' + homes)


SHORTLIST_WORDS = re.compile(r'<script type="application/json" id="directory-values">.*?</script>\s*', re.S)


def render_browse(views: list[HomeView], site_dir: Path, shell: tuple[str, str], schema: Schema,
                  lists: dict[str, list[ListPage]] | None = None, words: SiteWords | None = None) -> int:
    """browse/<key>/index.html for every static list (A to Z within each; ``lists``: browse_lists' answer
    when the caller has it already): templates/browse.html around each home's browse_item.html line, made in plain
    Python (browse_body, browse_item: the same bytes, 0.47 s of CPU nationally to about 0.2)."""
    items: dict[int, str] = {}  # each home's line, made once: a home is on 3 to 10 lists (nationally 0.8 s to 0.3)
    head, tail = shell
    head = SHORTLIST_WORDS.sub("", head)  # a list has no shortlist button: the shell's words for it are a home page's
    words = words or site_words([v for v in views if not v.closed])  # "12 homes"; "12 services" on a site of several kinds
    several = len(kinds_present([v for v in views if not v.closed])) > 1  # each line then says what it is
    count = 0
    browse = site_dir / "browse"
    for group in (lists if lists is not None else browse_lists(views, schema)).values():
        for page in group:
            n = len(page.homes)
            intro = f"{words.count(n)}, A to Z." + (f" {page.note}" if page.note else "")
            folder = browse / page.key
            folder.mkdir(parents=True, exist_ok=True)
            url = f"browse/{page.key}/"
            lines = []
            for v in page.homes:
                line = items.get(id(v))
                if line is None:
                    line = items[id(v)] = browse_item(v, kind_title(v) if several else "")
                lines.append(line)
            write_text(str(folder / "index.html"), _fill(head, page.title, url) + browse_body(intro, lines, words.many) + _fill(tail, page.title, url))
            count += 1
    return count


@contextmanager
def _earlier_objects_left_alone() -> Iterator[None]:
    """Within the block the cyclic garbage collector's passes leave alone every object made before it (gc.freeze):
    the profiles, their views and the open data, which nationally made each full pass over them cost about 0.1 s
    of the main process's CPU (two to four passes while the pages are made). Those objects are collected as
    before once the block ends; a caller's own freeze is left as it was."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass
class PagesBegun:
    """The pages made before the open data's files are (``prepare_pages``): the engine's pages in ``out``, all but
    the open data page's table of files put back (``aside``); the lists and words for the rest; the early home
    pages' workers (EarlyHomes), which ``finish_pages`` takes or stops. ``close`` stops them after a failure."""

    views: list[HomeView]
    out: Path
    schema: Schema
    cfg: SiteConfig
    aside: SetAside
    lists: dict[str, list[ListPage]]
    words: SiteWords
    early: EarlyHomes | None
    shell_kept: tuple[Path, str] | None

    def close(self) -> None:
        if self.early is not None:
            self.early.close()
            self.early = None


def prepare_pages(views: list[HomeView], out: Path, *, schema: Schema, cfg: SiteConfig, entries: list[Entry],
                  releases: list, released: dt.date, engine: str = "mkdocs",
                  made_market: Callable[[], tuple[str, dict[str, str]]] | None = None, live: Path | None = None,
                  before: Closed | None = None) -> PagesBegun:
    """The part of the pages that needs no open data file: the lists, and the engine's pages into ``out`` (which must
    be empty), the open data page's table of files kept for ``finish_pages``; the kept home pages start to be written
    beside (EarlyHomes), those the build being replaced (``live``: its folder) wrote the same day from the same inputs
    linked from it. The build runs it while its workbook is made (nationally about 1.7 s of the build's own process
    that waited on it)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    # the site's last shell, read before the engine runs (early pages under it, beside the engine, from now) and
    # the one the engine renders kept after, under the one key worked out from the settings read once
    store = checkcache.open_pages(views[0].today) if views_alike(views) else None
    key = shell_key(cfg, engine, views) if store is not None else None
    early = EarlyHomes.start(views, out.parent / f"{out.name}-homes", cfg, store, key, live)
    try:
        # the engine's docs folder beside the new build, not in /tmp: a build killed where no handler runs (a SIGTERM
        # to serve during its full rebuild) leaves it where the next build's clean_leftovers removes it
        with _earlier_objects_left_alone(), tempfile.TemporaryDirectory(prefix=f"{out.name}-docs-", dir=out.parent) as work, \
                remembering(views):
            known = listed(views)  # the homes on the register, A to Z and their towns: once, for the lists and the pages
            words = site_words(known.homes)  # what the pages call what the site lists: once, for the lists and the pages
            lists = browse_lists(views, schema, known, words)  # once: the browse page lists them, render_browse writes them
            docs_dir = Path(work) / "docs"
            aside = _md_pages(views, schema, cfg, docs_dir, None, entries, releases, released, engine, lists, known, words,
                              made_market, before)
            if engine == "zensical":
                run_zensical(cfg, Path(work), out)
            else:
                run_mkdocs(cfg, docs_dir, out)
            aside.restore(out)  # all but the table of files
    except BaseException:
        if early is not None:
            early.close()
        raise
    return PagesBegun(views, out, schema, cfg, aside, lists, words, early,
                      (store, key) if store is not None and key is not None else None)


def finish_pages(begun: PagesBegun, data_sizes: dict[str, int]) -> int:
    """The rest of the pages, once the open data's files are made (``data_sizes``: each one's size): the open data
    page's table of files, then every home's page and the browse lists (under the shell the engine rendered);
    returns the generated pages. The early home pages' workers are stopped whatever happens."""
    views, out, schema = begun.views, begun.out, begun.schema
    try:
        with _earlier_objects_left_alone():
            begun.aside.fill(begun.aside.files_table, files_table_html(data_sizes, schema, kinds_held(views)))
            begun.aside.restore(out)
            shell = _shell(out)
            if begun.shell_kept is not None:  # the next build's early home pages are written under it (EarlyHomes)
                checkcache.write_shell(*begun.shell_kept, shell)
            browse: list[int] = []  # the list pages made here while the home pages' workers write theirs (large sets)
            contact, names = real_contact(begun.cfg.directory, "contact_email"), dict[str, checkcache.Page]()
            pages = render_homes(views, out, shell, contact,
                                 meanwhile=lambda: browse.append(render_browse(views, out, shell, schema, begun.lists, begun.words)),
                                 early=begun.early, names=names)
            if begun.shell_kept is not None and names:  # the next build links those it would write the same
                store, key = begun.shell_kept
                checkcache.write_written(store, written_key(key, out.parent), checkcache.Written(
                    out.name, views[0].today.isoformat(), page_inputs(shell, contact, views), names, time.time_ns()))
            return pages + browse[0]
    finally:
        begun.close()
