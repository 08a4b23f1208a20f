"""Areas (docs/areas.md): --area NAME reads areas/NAME/ (profiles, a mkdocs.yml that INHERITs the top level,
releases) and builds into site-NAME/; without it, the top level. Oldham's care homes are shipped as areas/oldham/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ENGINES, ROOT, run_build
from helpers import no_releases

from carehomes import cli
from carehomes.areas import AreaError, area_names, find_area
from carehomes.siteconfig import read_config

OLDHAM = ROOT / "areas" / "oldham"
UNKNOWN = ("--area nowhere: there is no such area (no areas/nowhere/mkdocs.yml); the areas are: oldham "
           "(without --area: the default, providers/ and mkdocs.yml at the top level). To add one, see docs/areas.md")


def parsed(*argv: str):
    """The command's arguments after --area filled in the options it was not given."""
    args = cli.parser().parse_args(list(argv))
    cli._area_paths(args)
    return args


def test_without_area_every_command_reads_the_top_level():
    build = parsed("build")
    assert (build.providers, build.config, build.releases, build.out) == (
        [str(ROOT / "providers")], str(ROOT / "mkdocs.yml"), str(ROOT / "releases"), str(ROOT / "site"))
    assert parsed("check").paths == [str(ROOT / "providers")]
    assert parsed("data").out == str(ROOT / "site" / "data")
    assert parsed("import-cqc", "x.csv").providers == str(ROOT / "providers")


def test_area_sets_the_config_providers_releases_and_site_of_each_command():
    build = parsed("serve", "--area", "oldham")
    assert (build.providers, build.config, build.releases, build.out) == (
        [str(OLDHAM / "providers")], str(OLDHAM / "mkdocs.yml"), str(OLDHAM / "releases"), str(ROOT / "site-oldham"))
    assert parsed("check", "--area", "oldham").paths == [str(OLDHAM / "providers")]
    assert parsed("data", "--area", "oldham").out == str(ROOT / "site-oldham" / "data")
    assert parsed("serve-api", "--area", "oldham").site == str(ROOT / "site-oldham")
    for command in ("import-cqc", "import-fsa", "vacancies", "stale"):
        assert parsed(command, "--area", "oldham").providers == str(OLDHAM / "providers"), command
    for command in ("import-fsa", "fetch-postcodes", "stale"):
        assert parsed(command, "--area", "oldham").config == str(OLDHAM / "mkdocs.yml"), command
    report = parsed("report", "--area", "oldham")
    assert (report.providers, report.releases, report.config, report.signals, report.out) == (
        [str(OLDHAM / "providers")], str(OLDHAM / "releases"), str(OLDHAM / "mkdocs.yml"), str(ROOT / "signals.yaml"),
        str(ROOT / "report-oldham"))  # each area's report its own, as each area's site is
    assert parsed("report").out == str(ROOT / "report")


def test_options_given_win_over_the_area():
    build = parsed("build", "--area", "oldham", "--providers", "mine", "--out", "out", "--config", "my.yml")
    assert (build.providers, build.out, build.config, build.releases) == (["mine"], "out", "my.yml", str(OLDHAM / "releases"))
    assert parsed("check", "--area", "oldham", "a.yaml").paths == ["a.yaml"]


def test_an_unknown_area_is_one_message_listing_the_areas(run_cli):
    for argv in (["check", "--area", "nowhere"], ["build", "--area", "nowhere"], ["import-cqc", "--area", "nowhere", "f.csv"]):
        done = run_cli(*argv)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", UNKNOWN + "\n"), argv
    with pytest.raises(AreaError):
        find_area("../oldham")  # only a folder listed in areas/, never a path


def test_an_empty_area_is_refused_never_taken_for_the_top_levels(run_cli):
    """`--area "$AREA"` with AREA unset checked, built or updated the top level's directory without a word."""
    empty = ("--area is empty; give an area's name (the areas are: oldham), or leave --area out for the default, "
             "providers/ and mkdocs.yml at the top level")
    for argv in (["check", "--area", ""], ["build", "--area", " ", "--out", "x"], ["stale", "--area", ""]):
        done = run_cli(*argv)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", empty + "\n"), argv
    done = run_cli("check", "--area", "a\nb")
    assert done.stderr == NOT_A_NAME.format(name="a\\nb", hint=", e.g. a-b") + "\n"  # one line: the break shown as \n


NOT_A_NAME = ("--area {name}: is not an area's name, which is lower-case letters, digits and hyphens (its folder's name "
              "in areas/){hint}; the areas are: oldham (without --area: the default, providers/ and mkdocs.yml at the top "
              "level). To add one, see docs/areas.md")


def test_an_area_name_that_is_not_lower_case_letters_digits_and_hyphens_says_so(run_cli, tmp_path):
    """`check --area "new area"` with areas/new area/mkdocs.yml there said "there is no such area (no areas/new
    area/mkdocs.yml)": the folder is there, and the name is what is wrong."""
    (tmp_path / "areas" / "oldham").mkdir(parents=True)
    (tmp_path / "areas" / "oldham" / "mkdocs.yml").write_text("INHERIT: ../../mkdocs.yml\n", encoding="utf-8")
    (tmp_path / "areas" / "new area").mkdir()
    (tmp_path / "areas" / "new area" / "mkdocs.yml").write_text("INHERIT: ../../mkdocs.yml\n", encoding="utf-8")
    with pytest.raises(AreaError) as exc:
        find_area("new area", tmp_path)
    assert str(exc.value) == NOT_A_NAME.format(name="new area", hint="; rename its folder areas/new area/ to areas/new-area/")
    for argv in (["check", "--area", "New Area"], ["build", "--area", "New Area", "--out", "x"]):
        done = run_cli(*argv)  # no such folder in the repository's areas/: the rule, and a name that keeps it
        assert (done.returncode, done.stdout, done.stderr) == (
            2, "", NOT_A_NAME.format(name="New Area", hint=", e.g. new-area") + "\n"), argv
    assert not (ROOT / "x").exists()
    with pytest.raises(AreaError) as exc:
        find_area("X" * 5000, tmp_path)  # longer than a file's name may be: still the message
    assert str(exc.value).startswith("--area " + "X" * 57 + "...: is not an area's name")


def test_import_for_another_council_into_an_areas_own_folder_is_refused(run_cli):
    """A new user's first import for Devon without --area would have filled Herefordshire's providers/ (the top
    level's) with Devon's homes: refused before the file is read, saying how to start Devon's own area."""
    before = sorted(p.name for p in (ROOT / "providers").iterdir())
    done = run_cli("import-cqc", "devon.csv", "--local-authority", "Devon", "--dry-run")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "--local-authority Devon: providers/ holds the profiles of Herefordshire (mkdocs.yml), not of Devon; nothing was "
        "imported. To start a directory for Devon, make its own area (docs/areas.md): areas/devon/mkdocs.yml, then "
        "import-cqc --area devon FILE --local-authority Devon. If Devon is part of this area, name it in mkdocs.yml's "
        "area:, or give --providers providers/ to import into it anyway\n")
    done = run_cli("import-cqc", "--area", "oldham", "oldham.csv", "--local-authority", "Brighton and Hove")
    assert done.returncode == 1 and done.stderr.startswith(
        "--local-authority Brighton and Hove: areas/oldham/providers/ holds the profiles of Oldham (areas/oldham/mkdocs.yml), "
        "not of Brighton and Hove; nothing was imported. To start a directory for Brighton and Hove, make its own area "
        "(docs/areas.md): areas/brighton-hove/mkdocs.yml, then import-cqc --area brighton-hove FILE --local-authority "
        "'Brighton and Hove'. If")
    done = run_cli("import-cqc", "x.csv", "--local-authority", "Devon'; rm -rf ~")  # the command it suggests is safe to paste
    assert "import-cqc --area devon-rm-rf FILE --local-authority 'Devon'\"'\"'; rm -rf ~'. If" in done.stderr
    assert sorted(p.name for p in (ROOT / "providers").iterdir()) == before


@pytest.mark.parametrize("argv", [
    ["import-cqc", "nothing.csv", "--local-authority", "Herefordshire, County of"],  # CQC's name for the same place
    ["import-cqc", "nothing.csv", "--local-authority", "HEREFORDSHIRE"],
    ["import-cqc", "--area", "oldham", "nothing.csv", "--local-authority", "Oldham"],
    ["import-cqc", "nothing.csv", "--local-authority", "Devon", "--providers", "providers"],  # the user's own choice
])
def test_import_for_the_areas_own_council_goes_on(run_cli, argv):
    done = run_cli(*argv, "--dry-run")
    assert done.returncode == 1 and "nothing.csv" in done.stderr and "holds the profiles of" not in done.stderr


@pytest.mark.slow  # imports a CQC file of several councils (over half a second: the fast set stays under 30 s)
def test_a_file_of_several_councils_imported_into_an_area_without_local_authority_is_refused(run_cli, shared_data):
    """Devon's data officer ran import-cqc --area devon on CQC's API file for Devon, Plymouth, Somerset and Torbay without
    --local-authority: 728 homes of four councils went into Devon's folder, exit 0. Refused, naming them."""
    before = sorted(p.name for p in (ROOT / "areas" / "oldham" / "providers").iterdir())
    devon = shared_data / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"
    done = run_cli("import-cqc", "--area", "oldham", str(devon), "--dry-run")
    assert (done.returncode, done.stdout) == (1, ""), done.stdout[:300]
    assert done.stderr == (f"{devon}: holds the care homes of 'Devon', 'Plymouth', 'Somerset' and 'Torbay'; an area is one "
                           "council's directory: give yours with --local-authority (nothing was imported)\n")
    assert sorted(p.name for p in (ROOT / "areas" / "oldham" / "providers").iterdir()) == before
    # the top level's folder (providers/, Herefordshire's) is one council's too: the national file's 15,403 homes of
    # 295 councils went into it, exit 0, without --local-authority (the Devon file's four councils here, for speed)
    done = run_cli("import-cqc", str(devon), "--dry-run")
    assert (done.returncode, done.stdout) == (1, ""), done.stdout[:300]
    assert done.stderr == (f"{devon}: holds the care homes of 'Devon', 'Plymouth', 'Somerset' and 'Torbay'; an area is one "
                           "council's directory: give yours with --local-authority (nothing was imported)\n")
    done = run_cli("import-cqc", "--area", "oldham", str(shared_data / "oldham-api-json-2025"), "--dry-run")
    assert done.returncode == 0, done.stderr  # one council's file needs no --local-authority


@pytest.mark.slow  # imports a CQC file (over half a second: the fast set stays under 30 s)
def test_the_refusal_names_the_council_whose_profiles_the_folder_holds(run_cli, tmp_path):
    """Without --local-authority, a file of several councils was refused with "give yours with --local-authority",
    though the folder's profiles (or the area's folder name) say which is theirs (the Brighton and Hove review)."""
    import csv

    from conftest import NATIONAL

    with NATIONAL.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        la = header.index("Location Local Authority")
        rows: dict[str, list[list[str]]] = {}
        for row in reader:
            if row[la] in ("Herefordshire, County of", "Rother") and len(rows.setdefault(row[la], [])) < 2:
                rows[row[la]].append(row)
            if sum(map(len, rows.values())) == 4:
                break
    mixed = tmp_path / "two.csv"
    with mixed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows["Rother"], *rows["Herefordshire, County of"]])
    done = run_cli("import-cqc", str(mixed), "--dry-run")  # the top level's folder: Herefordshire's profiles
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"{mixed}: holds the care homes of 'Herefordshire, County of' and 'Rother'; an area is one "
                           "council's directory: give yours with --local-authority, like --local-authority 'Herefordshire, "
                           "County of' (nothing was imported)\n")


def test_one_council_written_two_ways_in_a_file_is_one_council_not_several(run_cli, shared_data, tmp_path):
    """The refusal counted local authorities as written: a file naming one council in two spellings ('Torbay' and
    'TORBAY') was refused as "the care homes of" two councils."""
    import csv

    devon = shared_data / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"
    with devon.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    la = rows[0].index("localAuthority")
    header, ours = rows[0], [r for r in rows[1:] if r[la] == "Torbay"][:2]
    ours[1][la] = ours[1][la].upper()
    mixed = tmp_path / "mixed.csv"
    with mixed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *ours])
    done = run_cli("import-cqc", str(mixed), "--dry-run", "--as-of", "2021-03-31", "--allow-mass-removal")  # writes nothing
    assert done.returncode == 0 and "holds the care homes of" not in done.stderr, done.stderr


def test_areas_are_the_folders_in_areas_with_a_config(tmp_path):
    assert area_names() == ["oldham"]
    assert area_names(tmp_path) == []
    for name, config in (("north", True), ("no-config", False), ("Bad Name", True)):
        (tmp_path / "areas" / name).mkdir(parents=True)
        if config:
            (tmp_path / "areas" / name / "mkdocs.yml").write_text("INHERIT: ../../mkdocs.yml\n")
    assert area_names(tmp_path) == ["north"]
    with pytest.raises(AreaError, match=re.escape("the areas are: north (without --area")):
        find_area("south", tmp_path)
    assert find_area("north", tmp_path).site == tmp_path / "site-north"


def test_oldhams_config_inherits_the_top_level_and_overrides_only_what_differs():
    cfg = read_config(OLDHAM / "mkdocs.yml")
    top = read_config(ROOT / "mkdocs.yml")
    assert cfg.inherited and cfg.raw["site_name"] == "Oldham care directory"
    assert cfg.directory["area"] == "Oldham" and cfg.directory["postcode_areas"] == ["OL", "M"]
    assert cfg.directory["fsa_authorities"] == []
    assert cfg.raw["nav"] == top.raw["nav"] and cfg.raw["markdown_extensions"] == top.raw["markdown_extensions"]
    assert cfg.directory["map"] == top.directory["map"] and cfg.directory["codepoint"] == top.directory["codepoint"]
    assert (OLDHAM / cfg.raw["docs_dir"]).resolve() == ROOT / "content"
    assert (OLDHAM / cfg.raw["theme"]["custom_dir"]).resolve() == ROOT / "overrides"
    assert cfg.edit_base == "https://github.com/example-council/care-homes/edit/main/areas/oldham/"
    assert top.edit_base == "https://github.com/example-council/care-homes/edit/main/"


def test_oldhams_homes_pass_check_as_imported(run_cli):
    done = run_cli("check", "--area", "oldham")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.endswith("Checked 104 profiles: no problems and 1 warning.\n")
    assert done.stdout == ("areas/oldham/providers/boston-house.yaml:14: warning: address.postcode: 'OL8 1XR' is not a "
                           "live postcode; check it on the home's letters\n")


def test_oldhams_profiles_are_the_register_of_march_2025():
    texts = {p.name: p.read_text(encoding="utf-8") for p in (OLDHAM / "providers").glob("[!_]*.yaml")}
    registered = {n: t for n, t in texts.items() if "\n  status: Registered\n" in t}
    homes = [t for t in registered.values() if "kinds:" not in t or "- care_home" in t]
    agencies = [t for t in registered.values() if "- home_care_agency" in t]
    # what a first import makes: current services only, none closed (Park Hills and Stoneswood are both kinds)
    assert (len(texts), len(registered), len(homes), len(agencies)) == (104, 104, 44, 62)
    assert not any("\n  status_date:" in t or "Deregistered" in t for t in texts.values())
    assert sum("- care_home" in t and "- home_care_agency" in t for t in registered.values()) == 2
    assert all("(API (JSON) file oldham-api-json-2025, dated 2025-03-20)" in t for t in texts.values())
    abbey = texts["abbey-hey-care-home.yaml"]
    for line in ("  phone: 0161 624 4115", "  rating: Good", "  rating_safe: Good", "  registered_manager: true",
                 "  imported: 2025-03-20"):
        assert f"\n{line}\n" in abbey, line


@pytest.mark.slow  # imports Oldham's 222 saved API responses
def test_oldhams_folder_is_exactly_what_a_first_import_makes(tmp_path, shared_data):
    """Issue 21 req 8: importing the Oldham responses into an empty folder gives the committed files, byte for byte."""
    from carehomes.sources.cqc_files import import_cqc

    report = import_cqc(shared_data / "oldham-api-json-2025", tmp_path / "providers", "Oldham")
    made = {p.name: p.read_bytes() for p in (tmp_path / "providers").glob("*.yaml")}
    assert made == {p.name: p.read_bytes() for p in (OLDHAM / "providers").glob("*.yaml")}
    assert (len(report.new), len(report.closed), report.closed_kept) == (104, 115, 7)  # 7 closed within its year: _closed.yaml


@pytest.mark.slow  # writes Oldham's whole open data
def test_data_for_an_area_names_its_site_as_the_packages_homepage(run_cli, tmp_path):
    import json

    done = run_cli("data", "--area", "oldham", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "datapackage.json").read_text())["homepage"] == "https://example-council.github.io/care-homes/oldham/"
    assert (tmp_path / "care-homes.csv").read_text(encoding="utf-8").count("\n") == 45  # the 44 care homes
    assert Path(done.stderr.splitlines()[0].split()[1]).parent == tmp_path


# --- Oldham built on both engines (slow: two whole sites, built once for the module) -------------------

@pytest.fixture(scope="module", params=ENGINES)
def oldham_site(request, tmp_path_factory):
    """areas/oldham/ built with `build --area oldham` on each engine; the site and what the build said."""
    work = tmp_path_factory.mktemp(f"oldham-{request.param}")
    done = run_build("build", "--area", "oldham", "--engine", request.param, "--out", str(work / "site"), "--no-search",
                     "--releases", no_releases(work / "no-releases"))
    assert done.returncode == 0, done.stderr
    return work / "site", done.stderr


def _text(page: Path) -> str:
    """A page's words, without its tags, scripts and styles."""
    import html

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.mark.slow  # builds Oldham's site on each engine
def test_the_open_data_pages_postcode_file_example_is_one_the_site_publishes(oldham_site):
    """The open data page explained the postcode files with Herefordshire's "HR3 5AA is in postcodes/HR/HR3-5.json" on
    every area's site (Devon's, Oldham's), a file those sites do not have: the example is the area's own."""
    site, _ = oldham_site
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    named = re.search(r"\(([A-Z0-9]+ [0-9][A-Z]{2}) is in\s+<code>(postcodes/[A-Z]+/[A-Z0-9]+-[0-9]\.json)</code>\)", page)
    assert named is not None and "HR3" not in page, page[page.find("Postcode positions"):][:800]
    assert named[1].startswith(("OL", "M")), named[1]  # an Oldham home's postcode
    assert (site / named[2]).is_file(), named[2]


@pytest.mark.slow  # builds Oldham's site on each engine
def test_oldhams_guide_to_care_at_home_sends_a_family_to_its_agencies(oldham_site):
    """A family on a site that lists home care agencies reads how to choose one and is sent to the find page with only
    agencies chosen (the link resolved from the page's own folder, on each engine); the site's menu and home page name the
    guide."""
    site, _ = oldham_site
    page = (site / "choosing-home-care" / "index.html").read_text(encoding="utf-8")
    assert 'href="../find/?kind=home_care_agency"' in page
    text = _text(site / "choosing-home-care" / "index.html")
    assert "This directory lists the home care agencies in Oldham that the Care Quality Commission (CQC) registers" in text
    assert "Each agency's page in this directory says what CQC registers it to do" in text
    assert "lists care homes only" not in text
    assert 'choosing-home-care/"' in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow  # builds Oldham's site on each engine
def test_the_open_data_page_says_no_table_of_oldhams_is_empty(oldham_site):
    """Oldham has care homes and home care agencies: each kind's table has rows, and the page says none is empty (as the
    bundled site of care homes alone says its agencies' table is)."""
    site, _ = oldham_site
    page = _text(site / "open-data" / "index.html")
    assert "home-care-agencies.csv" in page and "Empty for now" not in page


def test_oldhams_market_page_counts_the_closures_its_first_import_kept(oldham_site):
    """The build reads the profiles' folder's _closed.yaml: Shawside and Acorn Lodge, closed in the year before the
    register and never listed, are the market page's closures (it said no home had closed); no page is made of them."""
    site, _ = oldham_site
    page = _text(site / "market" / "index.html")
    assert "in the year to 20 March 2025: 2 care homes closed, with 235 registered beds" in page
    assert not (site / "homes" / "shawside-care-home").exists() and "shawside" not in (site / "sitemap.xml").read_text()


@pytest.mark.slow  # builds Oldham's site on each engine
def test_an_oldham_homes_page_shows_the_regulators_facts(oldham_site):
    site, said = oldham_site
    page = _text(site / "homes" / "abbey-hey-care-home" / "index.html")
    assert "Abbey Hey Care Home - Oldham care directory" in page
    assert "CQC overall rating Good (published 7 February 2024, " in page
    # Effective, Caring and Responsive were rated at CQC's inspection of 2018, the others at the one of 2024
    assert re.search(r"Each part of the CQC rating Safe: Good; Effective: Good \(published 11 July 2018, [^)]+\); "
                     r"Caring: Good \(published 11 July 2018, [^)]+\); Responsive: Good \(published 11 July 2018, [^)]+\); "
                     r"Well-led: Good ", page)
    assert "Phone 0161 624 4115" in page
    assert "Registered manager in post (CQC) Yes" in page
    assert "CQC information dated 20 March 2025" in page
    assert "edit/main/areas/oldham/providers/abbey-hey-care-home.yaml" in (site / "homes" / "abbey-hey-care-home" / "index.html").read_text()
    home = _text(site / "index.html")
    assert "Find care in Oldham - Oldham care directory" in home
    # a site of two kinds speaks of services, in the kinds' declared words (the bundled site still of homes)
    assert ("This directory lists 104 services in Oldham: 44 care homes and 62 home care agencies; 2 are both. "
            "Its care homes have ") in home
    assert "Service name, town, postcode or need" in home and "Is this your service?" in home
    for page in ("index.html", "find/index.html", "compare/index.html", "browse/index.html"):
        nav = _text(site / page)
        assert "Find care" in nav and "All services A to Z" in nav and "Find a care home" not in nav and "All homes" not in nav, page
    assert "There are 104 services." in _text(site / "browse" / "index.html")
    assert "Browse all 104 services without searching" in _text(site / "find" / "index.html")
    compare = (site / "compare" / "index.html").read_text(encoding="utf-8")
    assert 'data-one="service" data-many="services" data-a-one="a service"' in compare
    assert "Add services to your shortlist from" in _text(site / "compare" / "index.html")
    assert "Built " + str(site) + " with " in said and ": 104 services (44 care homes and 62 home care agencies; 2 are both), " in said
    assert f"warning: {OLDHAM / 'mkdocs.yml'}: extra.directory.placement_phone is still the example '01234 567891'" in said
    assert (site / "data" / "care-homes.csv").read_text(encoding="utf-8").count("\n") == 45


@pytest.mark.slow  # the same sites
def test_an_oldham_homes_page_says_the_directory_holds_no_food_hygiene_ratings_and_links_to_the_fsa(oldham_site):
    """Oldham's settings list no FSA authority (fsa_authorities: []): no home's page says "The Food Standards Agency
    ratings we hold do not say", as if the FSA had none; each says the directory holds none, with the FSA's search."""
    site, _ = oldham_site
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in (site / "homes").glob("*/index.html")}
    assert [s for s, page in pages.items() if "Food Standards Agency ratings we hold" in page] == []
    linked = [s for s, page in pages.items() if '<li><strong>This directory does not hold food hygiene ratings:</strong> look up '
              'its food hygiene rating on <a href="https://ratings.food.gov.uk/" rel="noopener">the Food Standards Agency&#39;s '
              "website</a>.</li>" in page]
    assert "abbey-hey-care-home" in linked and len(linked) == 44  # every care home (an agency's page has no such fact)
    compare = (site / "compare" / "index.html").read_text(encoding="utf-8")  # and its compare page's food hygiene row
    assert '["food","Food hygiene rating","This directory holds no food hygiene ratings"]' in compare
    assert "Not in the FSA ratings we hold" not in compare
    opened = (site / "open-data" / "index.html").read_text(encoding="utf-8")  # nor is their attribution asked for
    assert "from the Care Quality Commission, licensed" in opened and "from the Food Standards Agency, licensed" not in opened


@pytest.mark.slow  # the same sites
def test_oldhams_market_tables_are_typed_open_data(oldham_site):
    """Oldham's market tables (its home care agencies' too) as a typed reader reads them: frictionless finds
    market/datapackage.json valid with every column typed; the agencies' hours "not known" on the page are null (not 0)
    and 62 agencies not known (none has said, and CQC's dormancy of March 2025 is past the register's staleness age),
    and a change with no earlier release is null, never 0."""
    from frictionless import Package, validate

    site, _ = oldham_site
    report = validate(str(site / "market" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
    page = (site / "market" / "index.html").read_text(encoding="utf-8")
    assert '<tr><th scope="row">Area not given</th><td>62</td><td>0</td><td>0</td><td>62</td><td>not known</td></tr>' in page
    tables = {r.name: r for r in Package(str(site / "market" / "datapackage.json")).resources}
    hours = "Hours of care a week they can start"
    assert [(r[hours], r[f"{hours}: agencies not known"]) for r in tables["home-care-capacity"].read_rows()] == [(None, 62)]
    overall = next(r for r in tables["agency-quality"].read_rows() if r["CQC rating"] == "Overall")
    assert (overall["Good"], overall["Not yet rated"]) == (26, 27)
    total = next(r for r in tables["change-since-release"].read_rows() if r["Locality"] == "Total")
    assert total["Homes now"] == 44 and total["Change in homes"] is None and total["Registered beds now"] > 0


def test_another_councils_import_goes_on_into_an_empty_folder_or_one_its_sync_follows(tmp_path, monkeypatch):
    """A new council's fork (mkdocs.yml still the example's) imports into its empty providers/; a folder the CQC
    sync already follows for that council (cqc-sync.json beside it) is that council's whatever mkdocs.yml says."""
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "_template.yaml").write_text("name: x\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  directory:\n    area: Herefordshire\n")
    monkeypatch.setattr(cli, "find_area", lambda name: find_area(name, root=tmp_path))
    assert cli._other_area_problem("Oldham", tmp_path / "providers", None) is None
    (tmp_path / "providers" / "a-home.yaml").write_text("name: A home\n")
    assert cli._other_area_problem("Oldham", tmp_path / "providers", None).startswith(
        "--local-authority Oldham: providers/ holds the profiles of Herefordshire")
    assert cli._other_area_problem("Herefordshire, County of", tmp_path / "providers", None) is None
    (tmp_path / "cqc-sync.json").write_text('{"local_authority": "oldham"}')
    assert cli._other_area_problem("Oldham", tmp_path / "providers", None) is None
    assert cli._other_area_problem("Devon", tmp_path / "providers", None) is not None


def test_areas_md_says_how_a_district_not_named_after_the_area_is_imported(run_cli):
    """Devon's data officer followed docs/areas.md ("each district is imported into the same folder with its own
    --local-authority") from the national file: East, Mid, North and West Devon went in, Exeter, South Hams,
    Teignbridge and Torridge were refused by the other-area guard, which the page did not mention."""
    done = run_cli("import-cqc", "--area", "oldham", "oldham.csv", "--local-authority", "Saddleworth", "--dry-run")
    assert done.returncode == 1 and "or give --providers areas/oldham/providers/ to import into it anyway" in done.stderr
    step = re.sub(r"\s+", " ", (ROOT / "docs" / "areas.md").read_text(encoding="utf-8"))
    assert "(Devon's Exeter, South Hams, Teignbridge and Torridge) is refused once the folder holds profiles" in step
    assert ("python3 build.py import-cqc --area devon --providers areas/devon/providers/ FILE --local-authority Exeter"
            in step)
