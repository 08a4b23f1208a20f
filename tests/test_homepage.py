"""A home's page made in less CPU (issue 24, requirement 2): homepage.ProfilePage against profile.html through Jinja,
and each faster step of the page against the old way, byte for byte, for every bundled, fixture, hostile and agency
home, open, closed, off the register, claimed and without an edit link."""
from __future__ import annotations

import datetime as dt
import html
import json
from urllib.parse import quote

import pytest
from conftest import FIXTURES, ROOT, TODAY
from helpers import unknowns_as_before

from carehomes.ages import _age, _worded, age_words, nice_date
from carehomes.face import FORMATS, Shown, face_kinds
from carehomes.load import parse_profile
from carehomes.views import CLOSED_LEAVES_OUT, CLOSED_NO_BEDS, Fact, HomeView, yes_no


def _variant(v: HomeView, repo_edit: str | None = "same", **changes: object) -> HomeView:
    return HomeView({**v.d, **changes}, v.today, v.s, v.repo_edit if repo_edit == "same" else repo_edit, v.limits, v.checked_on)


@pytest.fixture(scope="module")
def views() -> list[HomeView]:
    """Every bundled, fixture and hostile home as the build makes its view, the fixture agencies, and variants of the
    first twelve: closed, off the register with an odd status, claimed (maintainers), without an edit link, dormant."""
    from carehomes.pipeline import check_paths, views_of
    from carehomes.schema import load_schema
    from carehomes.siteconfig import read_config, staleness

    cfg = read_config(ROOT / "mkdocs.yml")
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"], on=TODAY)
    out = views_of(checked.profiles, TODAY, load_schema(), cfg.edit_base, staleness(cfg.directory))
    for path in sorted((FIXTURES / "agencies").glob("*.yaml")):
        p, problems = parse_profile(path.read_text(encoding="utf-8"), path.name)
        assert p is not None, problems
        out.append(HomeView(p.data, TODAY, load_schema(), cfg.edit_base))
    first = out[:12]
    out += [_variant(v, cqc={**(v.d.get("cqc") or {}), "status": "Deregistered", "status_date": "2026-01-02"}) for v in first]
    out += [_variant(v, cqc={**(v.d.get("cqc") or {}), "status": "Odd <&> \"status\" 'x'"}) for v in first]
    out += [_variant(v, maintainers=["someone"]) for v in first]
    out += [_variant(v, repo_edit=None) for v in first]
    out += [_variant(v, cqc={**(v.d.get("cqc") or {}), "dormant": True}) for v in first]  # CQC: not providing care now
    # on a site that gathers no food hygiene ratings (no fsa_authorities, as Oldham's): its line links to the FSA
    out += [HomeView(v.d, v.today, v.s, v.repo_edit, v.limits, v.checked_on, frozenset({"fsa"})) for v in first]
    assert any(v.closed for v in out) and any(v.dormant_text for v in out) and any(not v.edit_url for v in out) and any(v.get("maintainers") for v in out)
    assert any(v.key_lines is not None for v in out) and any(v.key_lines is None for v in out)  # agencies and homes
    assert any(u.url for v in out for u in v.unknowns()) and any(u.owner == "fsa" and not u.url for v in out for u in v.unknowns())
    return out


@pytest.mark.slow  # an old way against a new one
def test_the_python_page_is_byte_for_byte_profile_html(views):
    """ProfilePage.render == profile.html through Jinja (render._env), page and home.json, for every home and variant."""
    from carehomes.render import SHELL_TITLE, _env, home_page, profile_page

    jinja, python = _env().get_template("profile.html"), profile_page()
    shell = (f"<title>{SHELL_TITLE}</title><a href='/homes/_shell/'>", f"</main>{SHELL_TITLE}")
    for email in ("care@example.org", "o'brien&co@example.org", ""):
        for v in views:
            assert home_page(v, python, shell, email) == home_page(v, jinja, shell, email), v.slug


def test_tell_the_council_goes_to_the_report_form_while_the_councils_address_is_not_set(views):
    """With extra.directory.contact_email still the example (so not shown), "Tell the council" was a mailto: with no
    address, opening an empty message to nobody; it now opens the repository's "Report incorrect details" form with
    the home filled in, and is left out when there is no repository either."""
    import yaml

    from carehomes.render import home_page, profile_page

    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "incorrect-details.yml").read_text(encoding="utf-8"))
    assert form["title"] == "Incorrect details: " and "home" in [e.get("id") for e in form["body"]]
    v = next(v for v in views if v.slug == "aston-house" and v.edit_url)
    page = home_page(v, profile_page(), ("", ""), "")[0]
    link = html.unescape(page.split("Spotted a mistake? <a href=\"")[1].split('"')[0])
    repo = v.repo_edit.rsplit("/edit/", 1)[0]
    assert link == f"{repo}/issues/new?template=incorrect-details.yml&home=aston-house&title=Incorrect%20details%3A%20Aston%20House"
    assert "mailto:" not in page
    mailed = home_page(v, profile_page(), ("", ""), "care@example.org")[0]
    assert 'Spotted a mistake? <a href="mailto:care@example.org?subject=Incorrect%20details%3A%20Aston%20House">' in mailed
    closed = next(v for v in views if v.closed)
    nowhere = home_page(_variant(closed, repo_edit=None), profile_page(), ("", ""), "")[0]
    assert "tell the council" not in nowhere.lower() and "mailto:" not in nowhere


def test_the_shell_cut_once_fills_as_the_two_replaces_did():
    from carehomes.render import SHELL_TITLE, SHELL_URL, _fill, _fill_parts, _filled

    shells = [f"<title>{SHELL_TITLE}</title><a href='/{SHELL_URL}'>{SHELL_TITLE}</a>", SHELL_TITLE, "", f"x{SHELL_URL}",
              f"homes/_{SHELL_TITLE}", f"{SHELL_TITLE}shell/ {SHELL_URL}", f"{SHELL_URL}{SHELL_URL}{SHELL_TITLE}{SHELL_TITLE}"]
    titles = ["A & B's \"home\"", SHELL_URL, SHELL_TITLE, "", "homes/_", "shell/", "<script>"]
    for shell in shells:
        for title in titles:
            assert _fill(shell, title, "homes/a-b/") == _filled(shell, title, "homes/a-b/"), (shell, title)
    assert _fill_parts(f"homes/_{SHELL_TITLE}") is None and _fill_parts(f"{SHELL_TITLE}shell/") is None  # the old way


def test_dates_worded_once_are_worded_as_before():
    values = [dt.date(2024, 2, 29), "2024-02-29", "2026-11-23", "2026-12-01", "not a date", "", None, 3, ["2024-01-01"],
              dt.date(1999, 12, 31)]
    for today in (TODAY, dt.date(2025, 2, 28), dt.date(2024, 3, 1)):
        for value in values * 2:  # the second time from the cache
            assert nice_date(value) == _worded(value) and age_words(value, today) == _age(value, today), (value, today)
    assert nice_date(dt.datetime(2020, 5, 1, 12, 0)) == _worded(dt.datetime(2020, 5, 1, 12, 0)) == "1 May 2020"  # not cached


def test_form_links_quote_the_slug_and_name_as_quote_does():
    from carehomes.forms import _form_head, form_url

    for slug, name in (("a-b", "A & B's / home"), ("x", "Café é 😀"), ("y", ""), ("z", "?=&#%")):
        for template in ("claim-home.yml", "update-details.yml"):
            head, title = _form_head("https://example.org/r", template, None)
            assert form_url("https://example.org/r", template, slug, name) == f"{head}{quote(slug, safe='')}&title={title}{quote(name or slug, safe='')}"


# ---- the old ways, as they were before the page was made faster (4 December 2026) ------------------------------------

def _old_fact(v: HomeView, spec) -> Fact | None:
    out = v._shown(spec)
    if out is None and (spec.if_known or spec.path in v.not_offered_paths):  # not known, or not applicable: left out
        return None
    note = out.note if out else None
    if out and note is None and spec.note:
        when = nice_date(v.get(spec.note[0]))
        note = spec.note[1].replace("{date}", when).replace("{age}", age_words(v.get(spec.note[0]), v.today)) if when else None
    from carehomes.face import FORMATS

    from_fallback = out is not None and spec.fallback and FORMATS[spec.format](v, v.get(spec.path), spec) is None
    owner = v.s.by_path[spec.fallback[0] if from_fallback else spec.path].owner  # a fallback's value is its owner's
    return Fact(spec.label, out.text if out else None, out.href if out else None, note=note, owner=owner, short=spec.short)


def _old_summary(v: HomeView) -> dict:
    cells: dict[str, str | None] = {}
    gone = {p for g in v.face.page if g.id in CLOSED_LEAVES_OUT for p in (g.date, *(f.path for f in g.facts))} if v.closed else set()
    for spec in v.face.compare:
        if spec.path in gone:
            cells[spec.id] = CLOSED_NO_BEDS
            continue
        shown = v._shown(spec)
        if shown is None and spec.path in v.not_offered_paths:  # beds of a type CQC does not register it for (Dec 2026)
            cells[spec.id] = v.s.values.not_offered
            continue
        cells[spec.id] = spec.template.replace("{label}", spec.label).replace("{value}", shown.text) if shown else None
    out: dict = {"slug": v.slug, "name": v.name, "location_id": v.d["location_id"], "compare": cells}
    if v.closed:
        out |= {"closed": v.closed_short, "cqc": v.cqc_url}
    if len(face_kinds(v.s)) > 1:
        out["kind"] = v.face.kind
        out["kinds"] = [k.id for k in v.kinds]  # every kind it is (December 2026)
    links: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    for spec in v.face.compare:
        shown = v._shown(spec)
        if shown and shown.href:
            links[spec.id] = [shown.link or shown.text, shown.href]
        if shown and shown.note:
            notes[spec.id] = shown.note
    lat, lon = v.get("address.latitude"), v.get("address.longitude")
    face = v.face
    out.update({"links": links, "notes": notes, "at": [lat, lon] if lat is not None and lon is not None else None,
                # each filter with a row, read as the find page reads it (its derived value: providing_now, taking_now)
                "answers": {key: yes_no(True if key in v.yes_filters else v.value(face.filter_reads()[key])) for key in face.filter_labels()}
                if any(r.format == "filtered" for r in face.compare) else {}})
    return out


@pytest.mark.slow  # an old way against a new one
def test_facts_unknowns_and_home_json_are_what_the_old_ways_made(views):
    """A group's facts in one loop (HomeView._facts), the "not known yet" lines in one pass and home.json's cells,
    links and notes in one pass, each == the old way, remembering or not."""
    for v in views:
        for remember in (False, True):
            with v.remembering() if remember else _nothing():
                groups = v.groups()
                for g, spec in zip(groups, [s for s in {s.id: s for f in v.faces for s in f.page}.values()], strict=True):
                    assert g.facts == [f for f in (_old_fact(v, x) for x in spec.facts) if f is not None], (v.slug, g.id)
                    assert g.known_facts == [f for f in g.facts if not f.missing]
                    assert g.shown == bool([f for f in g.facts if not f.missing] or g.table or g.stale)
                    assert [v.fact(x) for x in spec.facts] == [_old_fact(v, x) for x in spec.facts]
                assert v.unknowns(groups) == unknowns_as_before(v, groups), v.slug
                old = _old_summary(v)
                assert json.dumps(v.summary(), ensure_ascii=False) == json.dumps(old, ensure_ascii=False), v.slug
                assert v.compare_cells() == old["compare"]
                assert v.compare_extras() == {k: old[k] for k in ("links", "notes", "at", "answers")}


def test_a_fact_from_its_fallback_or_with_a_dated_note_is_worded_as_before(views):
    """The fallback and note branches of HomeView._facts, on made-up specs over every home."""
    from carehomes.face import FactSpec

    specs = [FactSpec("contact.website", "website", "Web", fallback=("contact.email", "from the email")),
             FactSpec("description", "text", "Nothing", fallback=("name", "named")),
             FactSpec("description", "text", "Left out", if_known=True),
             FactSpec("cqc.rating", "text", "Rated", note=("cqc.rating_date", "published {date}, {age}")),
             FactSpec("name", "text", "Named", note=("nothing.here", "never {date}"))]
    for v in views[:30]:
        assert v._facts(tuple(specs)) == [f for f in (_old_fact(v, x) for x in specs) if f is not None], v.slug
    assert "website" in FORMATS and Shown("x") == Shown("x")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_escape_is_markupsafes(views):
    from markupsafe import Markup, escape as markup_escape

    from carehomes.homepage import escape

    for value in ["a & b", "<x y='1' z=\"2\">", "", "plain", None, 3, 2.5, dt.date(2026, 1, 2), Markup("<b>ok</b>"),
                  *(v.name for v in views), *(html.unescape(v.name) for v in views)]:
        assert escape(value) == str(markup_escape(value)) and type(escape(value)) is str, value


def test_a_field_read_while_remembering_is_get_path():
    """HomeView.get walks its steps (split once a process) itself while the view remembers: records.get_path's value."""
    from carehomes.records import get_path

    data = {"slug": "x", "name": "X", "a": {"b": {"c": 0}, "l": [1, {"m": 2}], "s": "text", "n": None, "e": {}},
            "t": False, "z.y": 5}
    paths = ["a", "a.b", "a.b.c", "a.b.c.d", "a.l", "a.l.m", "a.l.0", "a.s", "a.s.x", "a.n", "a.n.x", "a.e", "a.e.x", "t",
             "t.x", "z.y", "z", "missing", "missing.deeper", "", "a..b"]
    v = HomeView(data, TODAY)
    with v.remembering():
        for _ in range(2):  # read, then remembered
            for path in paths:
                assert v.get(path) is get_path(data, path.split(".")), path  # the very object
    for path in paths:
        assert v.get(path) == get_path(data, path.split("."))


def test_a_view_held_open_keeps_its_fields_read_but_works_out_again_what_depends_on_the_day():
    """Held open (a page or listing kept across days), a view takes the fields it read outside the block as read (a
    profile's values are the same on every day), but works out again what depends on the day: each staleness decision
    is noted, each age is a mark; and after the block the words worked out before it are there, unmarked."""
    from carehomes.ages import age_mark

    class Reads(dict):
        """A profile that counts its reads of "beds"."""
        beds = 0

        def get(self, key, default=None):
            Reads.beds += key == "beds"
            return super().get(key, default)

    confirmed = TODAY - dt.timedelta(days=400)
    data = Reads({"slug": "x", "name": "X", "care": {"nursing": True, "residential": False},
                  "beds": {"confirmed": confirmed, "nursing": {"available": 2}}})
    v = HomeView(data, TODAY)
    with v.remembering():
        beds = v.get("beds")
        assert v.value("free_total_now") is None  # out of date: worked out, remembered
        outside = v.dated(confirmed)
        read = Reads.beds
        with v.held_open() as decided:
            assert v.get("beds") is beds and Reads.beds == read  # taken as read outside, not read again
            assert v.value("free_total_now") is None and decided == [("availability", confirmed.isoformat(), True)]
            assert v.age(confirmed) == age_mark(confirmed) and age_mark(confirmed) not in outside
            inside = v.get("care.nursing")
        assert v.dated(confirmed) == outside and v.get("care.nursing") is inside
    with v.held_open() as decided:  # a view that does not remember remembers within the block only
        assert v.value("free_total_now") is None and decided == [("availability", confirmed.isoformat(), True)]
    assert v._memo is None and v._fields is None
