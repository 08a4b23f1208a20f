"""The issue forms come from the schema; profile pages link to them; CONTRIBUTING.md is tested like code."""
from __future__ import annotations

import copy
import re
import shlex
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from carehomes import forms
from carehomes.kinds import kinds
from carehomes.cli import parser
from carehomes.schema import Schema, load_schema
from carehomes.updates import parse_body
from conftest import FIXTURES, ROOT, run_build

TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()
STEWARDS = (ROOT / "docs" / "stewards.md").read_text()  # the command lines moved here from CONTRIBUTING.md
SETTINGS = forms.settings_for_blocks(ROOT / "mkdocs.yml")
REPO = forms.repository(SETTINGS)
SITE_URL = SETTINGS["site_url"].rstrip("/") + "/"


def test_committed_forms_are_generated_from_the_schema():
    for name in (forms.VACANCIES, forms.DETAILS):
        assert (TEMPLATES / name).read_text() == forms.form_text(name), f"{name} drifted; run: python3 build.py docs"
    assert (ROOT / "CONTRIBUTING.md").read_text() == forms.generated_files()[ROOT / "CONTRIBUTING.md"]
    r = run_build("docs", "--check")
    assert r.returncode == 0, r.stderr


def test_an_areas_forms_and_contributing_speak_for_its_council_and_site(tmp_path):
    """A repository publishing Oldham (its variable AREA) gave providers Herefordshire's council, its find page and its
    "For providers" page in CONTRIBUTING.md and the claim forms, and `docs --area` was refused (the Devon review):
    `docs --area NAME` makes them from areas/NAME/mkdocs.yml, and the pull-request check compares them with it."""
    oldham = ROOT / "areas" / "oldham" / "mkdocs.yml"
    made = forms.generated_files(config=oldham)
    contributing = made[ROOT / "CONTRIBUTING.md"]
    assert "Oldham Council (example)" in contributing and "Herefordshire Council" not in contributing
    assert "https://example-council.github.io/care-homes/oldham/find/" in contributing
    claim = made[TEMPLATES / "claim-home.yml"]
    assert "https://example-council.github.io/care-homes/oldham/for-providers/" in claim
    assert made == {p: t for p, t in forms.generated_files(config=oldham).items()}  # the same each time
    r = run_build("docs", "--check", "--area", "oldham")
    assert r.returncode == 1 and (".github/ISSUE_TEMPLATE/claim-home.yml is out of date with schema/datapackage.json and "
                                  "areas/oldham/mkdocs.yml; run: python3 build.py docs --area oldham") in r.stderr.splitlines()
    assert run_build("docs", "--check").returncode == 0  # the committed files are the top level's


def test_every_field_the_home_owns_is_in_exactly_one_form():
    s = load_schema()
    vac = [ff.path for ff in forms.form_fields(forms.VACANCIES)]
    det = [ff.path for ff in forms.form_fields(forms.DETAILS)]
    assert vac == ["beds.nursing.available", "beds.residential.available", "beds.confirmed"]
    homes = {f.path for f in s.home_fields} | {p for p in s.by_path if p.startswith("capabilities.")}
    assert sorted(vac + det) == sorted(p for p, f in s.by_path.items() if f.owner == "provider" and p in homes)
    for k in kinds()[1:]:  # every other kind's too, in its own pair of forms (a field two kinds share is in both)
        now, details = (forms.form_fields(t) for t, (fk, _) in forms.kind_forms().items() if fk.id == k.id)
        assert sorted(ff.path for ff in [*now, *details]) == sorted(f.path for f in k.fields if f.owner == "provider")
    for name in forms.kind_forms():
        form = yaml.safe_load((TEMPLATES / name).read_text())
        body = [b for b in form["body"] if b["type"] != "markdown"]
        ids = [b["id"] for b in body]
        labels = [b["attributes"]["label"] for b in body]
        assert ids[0] == "home" and len(set(ids)) == len(ids) and len(set(labels)) == len(labels)
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
        assert form["labels"] == ["provider-update"] and all(b["type"] in ("input", "textarea", "dropdown") for b in body)
        for b in body:
            if b["type"] == "dropdown":
                assert b["attributes"]["options"]
        by_label = {ff.label: ff for ff in forms.form_fields(name)}
        for b in body[1:]:
            ff = by_label[b["attributes"]["label"]]
            assert b["id"] == ff.path.replace(".", "__") and b["attributes"]["description"] == ff.description
    labels = forms.labels()
    assert labels["Beds with nursing free now"].path == "beds.nursing.available"
    assert labels["Tracheostomy: beds without nursing"].path == "capabilities.tracheostomy.residential_beds"
    assert labels["Weekend admissions from hospital"].path == "care.weekend_admissions"
    assert not any(f.owner != "provider" for f in (ff.field for ff in labels.values()))


def test_a_new_schema_field_appears_in_the_form_and_the_committed_form_then_drifts():
    package = copy.deepcopy(load_schema().package)
    fields = next(r for r in package["resources"] if r["name"] == "care-homes")["schema"]["fields"]
    fields.append({"name": "parking", "profilePath": "contact.parking", "type": "string", "owner": "provider",
                   "title": "Parking for visitors", "description": "Where visitors can park.", "example": "On site"})
    fields.append({"name": "cqc_thing", "profilePath": "cqc.thing", "type": "string", "owner": "cqc",
                   "title": "A CQC fact", "description": "Only CQC sets this."})
    schema = Schema(package)
    form = forms.form(forms.DETAILS, schema)
    labels = [b["attributes"]["label"] for b in form["body"] if b["type"] != "markdown"]
    assert "Parking for visitors" in labels and "A CQC fact" not in labels
    assert forms.form_text(forms.DETAILS, schema) != (TEMPLATES / forms.DETAILS).read_text()
    answers, errors = parse_body("### Your home's page name\n\nx\n\n### Parking for visitors\n\nBehind the home", schema)
    assert answers == {"Your home's page name": "x", "Parking for visitors": "Behind the home"} and errors == []


def test_a_body_with_every_label_reads_back():
    for name in (forms.VACANCIES, forms.DETAILS):
        fields = forms.form_fields(name)
        text = "### Your home's page name\n\naston-house\n\n" + "\n\n".join(f"### {ff.label}\n\n_No response_" for ff in fields)
        answers, errors = parse_body(text.replace("\n", "\r\n"))
        assert errors == [] and answers == {"Your home's page name": "aston-house", **{ff.label: None for ff in fields}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site built with the command, from a copy of a real profile and the fictional fixtures."""
    tmp = tmp_path_factory.mktemp("forms")
    prov = tmp / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)
    r = run_build("build", "--providers", str(prov), "--out", str(tmp / "site"), "--no-search")
    assert r.returncode == 0, r.stderr
    return tmp / "site", r.stderr


@pytest.mark.slow  # the module's site fixture builds a site
def test_profile_page_links_carry_the_home_into_the_forms(site):
    out, _ = site
    page = (out / "homes" / "aston-house" / "index.html").read_text()
    links = {text: href.replace("&amp;", "&") for href, text in re.findall(r'<a href="([^"]+)">(Update[^<]*)</a>', page)}
    assert set(links) == {"Update vacancies", "Update this home's details"}
    for text, href in links.items():
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{REPO}/issues/new"
        q = parse_qs(parts.query)
        template = q["template"][0]
        assert q["home"] == ["aston-house"] and q["title"][0].endswith(": Aston House")
        form = yaml.safe_load((TEMPLATES / template).read_text())
        assert form["name"] == text
        assert [b["id"] for b in form["body"] if b.get("id") == "home"] == ["home"], "?home= fills the home field"
    [claim] = re.findall(r'<a href="([^"]+)">Is this your home\? Claim it</a>', page)
    assert claim.replace("&amp;", "&") == forms.form_url(REPO, forms.CLAIM, "aston-house", "Aston House")
    claimed = (out / "homes" / "example-full" / "index.html").read_text()  # maintainers: example-manager
    assert "Claim it</a>" not in claimed and "Update vacancies</a>" in claimed
    vac = yaml.safe_load((TEMPLATES / forms.VACANCIES).read_text())
    assert [b["attributes"]["label"] for b in vac["body"][2:]] == [
        load_schema().by_path[p].title for p in ("beds.nursing.available", "beds.residential.available", "beds.confirmed")]


@pytest.mark.slow  # builds a site
def test_build_warns_while_council_settings_are_examples_and_uses_real_ones(site, tmp_path):
    _, stderr = site
    assert "warning: mkdocs.yml: extra.directory.contact_phone is still the example '01234 567890'; set the council's " \
           "real value before publishing" in stderr
    text = ((ROOT / "mkdocs.yml").read_text().replace("care.directory@example.org", "care.homes@herefordshire.gov.uk").replace("01234 567890", "01432 260000")
            .replace("care.placements@example.org", "brokerage@herefordshire.gov.uk").replace("01234 567891", "01432 260101")
            .replace("example-council/care-homes", "herefordshire-council/care-homes")
            .replace("https://example-council.github.io/care-homes/", "https://care.herefordshire.example/")
            .replace("Herefordshire Council (example)", "Exampleshire Council")
            .replace("    area: Herefordshire\n", "    area: Exampleshire\n")  # the fictional profiles' locality
            .replace("site_name: Herefordshire", "site_name: Exampleshire").replace("care home in Herefordshire", "care home in Exampleshire"))
    (tmp_path / "mkdocs.yml").write_text(text)
    for folder in ("content", "overrides"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    r = run_build("build", "--providers", str(prov), "--out", str(tmp_path / "site"), "--no-search",
                  "--config", str(tmp_path / "mkdocs.yml"))
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    fp = (tmp_path / "site" / "for-providers" / "index.html").read_text()
    assert '<a href="mailto:care.homes@herefordshire.gov.uk">care.homes@herefordshire.gov.uk</a>' in fp
    assert '<a href="tel:01432260000">01432 260000</a>' in fp
    assert "https://github.com/herefordshire-council/care-homes/issues/new?template=update-vacancies.yml" in fp
    home = (tmp_path / "site" / "homes" / "example-full" / "index.html").read_text()
    for placeholder in ("example-council", "care.directory@example.org", "01234 567890"):
        assert placeholder not in fp and placeholder not in home


# --- CONTRIBUTING.md, tested like code ----------------------------------------------------------------


def md_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


def heading_ids(html: str) -> set[str]:
    return set(re.findall(r'<h[1-6] id="([^"]+)"', html))


@pytest.mark.slow  # the module's site fixture builds a site
def test_every_link_in_contributing_resolves(site):
    out, _ = site
    page = (out / "for-providers" / "index.html").read_text()
    ids = heading_ids(page)
    contact = forms.contact_markdown(SETTINGS)
    checked = 0
    # as the site shows it: its blocks filled, the sections of kinds it does not list (home care agencies) left out
    for link in md_links(forms.fill_blocks(CONTRIBUTING, SETTINGS, listed=frozenset({"care_home"}))):
        checked += 1
        if link.startswith("#"):
            assert link[1:] in ids, f"CONTRIBUTING.md: no heading for {link}"
        elif link.startswith(("mailto:", "tel:")):
            assert f"]({link})" in contact, link
        elif link.startswith(REPO + "/issues/new?"):
            assert (TEMPLATES / parse_qs(urlsplit(link).query)["template"][0]).is_file(), link
        elif link.startswith(SITE_URL):
            assert (out / link[len(SITE_URL):] / "index.html").is_file(), f"{link} is not a page of the built site"
        elif link.startswith("https://"):
            assert link == "https://github.com/signup", f"unexpected outside link {link}"
        else:
            assert (ROOT / link.split("#")[0]).exists(), f"CONTRIBUTING.md links to {link}, which does not exist"
    assert checked >= 10


@pytest.mark.slow  # the module's site fixture builds a site
def test_every_link_on_the_built_for_providers_page_resolves(site):
    out, _ = site
    page = (out / "for-providers" / "index.html").read_text()
    main = page[page.index('<article'):page.index('</article>')]
    ids = heading_ids(page)
    images = re.findall(r'<img [^>]*src="([^"]+)"', main)
    assert len(images) == 2 and all((out / "for-providers" / src).resolve().is_file() for src in images), images
    for href in (h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', main)):
        if href.startswith("#"):
            assert href[1:] in ids, href
        elif href.startswith(SITE_URL):
            assert (out / href[len(SITE_URL):] / "index.html").is_file(), href
        elif href.startswith(REPO + "/blob/main/"):
            assert (ROOT / href[len(REPO + "/blob/main/"):].split("#")[0]).is_file(), href
        elif href.startswith(REPO + "/issues/new?"):
            assert (TEMPLATES / parse_qs(urlsplit(href).query)["template"][0]).is_file(), href
        elif re.match(r"(https?|mailto|tel):", href):
            assert href in ("https://github.com/signup", "mailto:care.directory@example.org", "tel:01234567890"), href
        else:
            assert (out / "for-providers" / href.split("#")[0]).resolve().exists(), href


def commands(text: str) -> list[str]:
    return sorted(set(re.findall(r"^\s*(python3 build\.py [^\n`]+)$", text, re.M) + re.findall(r"`(python3 build\.py [^`]+)`", text)))


def test_every_command_in_contributing_and_the_stewards_guide_parses():
    assert commands(CONTRIBUTING) == [], "the managers' page has no command lines: they are in docs/stewards.md"
    found = commands(STEWARDS)
    assert "python3 build.py vacancies --from-csv vacancies.csv" in found and "python3 build.py stale" in found
    for command in found:
        args = shlex.split(command)[2:]
        try:
            parser().parse_args(args)
        except SystemExit:  # pragma: no cover - argparse prints why
            pytest.fail(f"docs/stewards.md: '{command}' is not a valid command")


def test_the_spreadsheet_example_in_the_stewards_guide_runs(tmp_path):
    example = re.search(r"```\n(home,nursing_free,residential_free,confirmed\n.*?)```", STEWARDS, re.S).group(1)
    (tmp_path / "vacancies.csv").write_text(example)
    prov = tmp_path / "providers"
    prov.mkdir()
    for slug in ("aston-house", "blackwells"):
        shutil.copy(ROOT / "providers" / f"{slug}.yaml", prov)
    r = run_build("vacancies", "--from-csv", "vacancies.csv", "--providers", "providers", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(r.stdout.splitlines()) == ["providers/aston-house.yaml: vacancies updated", "providers/blackwells.yaml: vacancies updated"]
    for line in re.findall(r"^python3 build\.py (vacancies [a-z-]+ --.*)$", STEWARDS, re.M):  # the one-home example
        r = run_build(*shlex.split(line), "--providers", "providers", cwd=tmp_path)
        assert r.returncode == 0, f"docs/stewards.md: {line}: {r.stderr}"
    assert run_build("stale", "--providers", "providers", cwd=tmp_path).stdout.splitlines()[0] == (
        "None more than 7 days old: 2 homes confirmed their vacancies in the last 7 days.")


def test_the_stewards_guide_on_adding_a_home_is_what_check_does(tmp_path):
    section = STEWARDS.split("## Adding a home by hand\n", 1)[1].split("\n## ", 1)[0]
    assert "`providers/_template.yaml`" in section and "`python3 build.py check`" in section
    prov = tmp_path / "providers"
    prov.mkdir()
    # step 1 alone, the template copied as it is: its made-up values are refused, as step 2 says
    shutil.copy(ROOT / "providers" / "_template.yaml", prov / "example-meadow.yaml")
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 1 and "location_id: 1-000000001 is the made-up example from providers/_template.yaml" in r.stdout
    # step 3's example line is check's own, for a date written the way a spreadsheet shows it
    (prov / "example-meadow.yaml").write_text("location_id: 1-999999901\nslug: example-meadow\nexample: yes\n"
                                              "name: Example Meadow (fictional)\nlocality: Herefordshire\nbeds:\n"
                                              "  confirmed: 31/12/2026\n")
    shown = re.search(r"`(providers/example-meadow\.yaml:[^`]+)`", section).group(1)
    assert shown in run_build("check", "providers", cwd=tmp_path).stdout.splitlines()


def test_the_agencies_sheet_example_in_the_stewards_guide_runs(tmp_path):
    example = re.search(r"```\n(home,taking_new_clients,hours_available,confirmed\n.*?)```", STEWARDS, re.S).group(1)
    (tmp_path / "agencies.csv").write_text(example)
    prov = tmp_path / "providers"
    prov.mkdir()
    named = {row.split(",")[0] for row in example.splitlines()[1:]}
    for f in (ROOT / "areas" / "oldham" / "providers").glob("[!_]*.yaml"):
        if f.stem in named or any(f"location_id: {n}\n" in f.read_text() for n in named):
            shutil.copy(f, prov)
    assert len(list(prov.iterdir())) == len(named), "each row of the example names a different agency of the Oldham area"
    r = run_build("vacancies", "--from-csv", "agencies.csv", "--providers", "providers", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(r.stdout.splitlines()) == len(named), r.stdout


def test_contributing_is_the_managers_claim_then_forms_then_no_account():
    heads = re.findall(r"^## (.+)$", CONTRIBUTING, re.M)
    assert heads == ["Claim your home's page", "Update your vacancies with the online form", "Update your home's other details",
                     "If you run a home care agency", "Without an account: email or phone the council", "Found a mistake on another home's page?",
                     "For council stewards and developers"]
    assert "](docs/stewards.md)" in CONTRIBUTING and "](docs/data.md#field-reference)" in CONTRIBUTING
    assert "| Field in the file |" in (ROOT / "docs" / "data.md").read_text() and "yaml" not in CONTRIBUTING.split("## For council")[0].lower()
    steps = re.search(r"## Update your vacancies with the online form\n(.*?)\n## ", CONTRIBUTING, re.S).group(1)
    numbered = re.findall(r"^(\d+)\. ", steps, re.M)
    assert numbered[:8] == [str(i) for i in range(1, 9)]
    assert "yaml" not in steps.lower() and "pull request" not in steps.lower(), "the form route needs no file and no git"
    chunks = re.split(r"\n\s*\n|\n(?=\s*(?:\d+\.|-|>) )", steps)
    long_sentences = [s for c in chunks for s in re.split(r"(?<=[.!?:])\s", re.sub(r"\s+", " ", c)) if len(s.split()) > 30]
    assert long_sentences == [], "plain English: sentences of 30 words or fewer"


def test_each_other_kind_listed_gets_its_own_section_with_its_forms():
    """The "For providers" page of a site that lists home care agencies tells their managers what applies to them."""
    agency = forms.other_kinds_markdown(SETTINGS, frozenset({"care_home", "home_care_agency"}))
    assert agency == forms.other_kinds_markdown(SETTINGS)  # the repository's CONTRIBUTING.md: every kind
    assert agency.startswith("## If you run a home care agency\n")
    words = " ".join(agency.split())
    assert "select **Update whether it is taking new clients**" in words  # the link's words on an agency's page
    assert "It asks: **Taking new clients**, **Hours a week it can start** and **New clients confirmed on**." in words
    repo = forms.repository(SETTINGS)
    for template in ("update-home-care-agency-availability.yml", "update-home-care-agency-details.yml"):
        assert f"]({repo}/issues/new?template={template})" in agency
        assert (TEMPLATES / template).is_file()
    assert forms.other_kinds_markdown(SETTINGS, frozenset({"care_home"})) == ""  # a site of care homes alone
    intro = forms.other_kinds_intro(SETTINGS)  # under the introduction, a link to the section
    assert intro == "If you run a home care agency, read [If you run a home care agency](#if-you-run-a-home-care-agency) below.\n"
    assert forms.other_kinds_intro(SETTINGS, frozenset({"care_home"})) == ""
    chunks = re.split(r"\n\s*\n|\n(?=\s*(?:\d+\.|-|>) )", agency)
    sentences = [s for c in chunks for s in re.split(r"(?<=[.!?:])\s", " ".join(c.split()))]
    assert [s for s in sentences if len(s.split()) > 30] == [], "plain English: sentences of 30 words or fewer"


def test_form_text_has_no_yaml_words():
    for name in (forms.VACANCIES, forms.DETAILS):
        form = yaml.safe_load((TEMPLATES / name).read_text())
        for b in form["body"]:
            text = " ".join(str(b["attributes"].get(k, "")) for k in ("label", "description"))
            assert not re.search(r"\b[a-z_]+\.[a-z_]+\.[a-z_]+\b|\.yaml|YAML", text), text


def test_the_pictures_of_the_forms_show_the_current_forms():
    from carehomes import screenshots

    folder = ROOT / screenshots.IMAGES
    assert (folder / screenshots.HASH_FILE).read_text().strip() == screenshots.form_hash(), \
        "a form changed: run python3 build.py docs --screenshots"
    for name in screenshots.SHOTS.values():
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](content/images/{name})" in CONTRIBUTING
    page = screenshots.form_html(forms.VACANCIES, {"home": "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>" not in page
    for ff in forms.form_fields(forms.VACANCIES):
        assert f"<label>{ff.label}</label>" in page


def test_the_form_pictures_are_filled_in_for_the_fictional_example_home_only():
    """A picture of a filled-in form gives the home it names a fact (2 beds free): it names the template's fictional
    home, never a real one (it named Aston House, a real Herefordshire home)."""
    import yaml

    from carehomes.screenshots import EXAMPLE_ANSWERS

    template = yaml.safe_load((ROOT / "providers" / "_template.yaml").read_text(encoding="utf-8"))
    assert template["example"] is True
    for answers in EXAMPLE_ANSWERS.values():
        assert (answers["home"], answers["title"]) == (template["slug"], template["name"])
        assert not (ROOT / "providers" / f"{answers['home']}.yaml").exists()


def test_contributings_find_page_link_is_made_only_from_a_web_address():
    """CONTRIBUTING.md's "Find a care home" link was site_url + '/find/', whatever site_url held (javascript:...)."""
    assert forms._find_markdown({"site_url": "https://x.org/care/"}) == "[Find a care home](https://x.org/care/find/) page.\n"
    for unusable in ("", "javascript:alert(1)//", "data:text/html,x", "https:///nohost"):
        assert forms._find_markdown({"site_url": unusable}) == "Find a care home page.\n"



def test_the_for_providers_pages_find_link_names_the_find_page_by_its_title_on_the_site(tmp_path):
    """The content review: Oldham's "For providers" page said "using the search on the Find a care home page", but the
    page is "Find care" on a site of care homes and agencies. The link's words are the site's own title for it."""
    from conftest import run_build

    assert forms._find_markdown({"site_url": "https://x.org/", "find_title": "Find care"}) == "[Find care](https://x.org/find/) page.\n"
    assert forms._find_markdown({"site_url": "", "find_title": "Find care"}) == "Find care page.\n"
    out = tmp_path / "site"
    done = run_build("build", "--area", "oldham", "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = (out / "for-providers" / "index.html").read_text(encoding="utf-8")
    assert ">Find care</a> page" in page and ">Find a care home</a>" not in page and "Find a care home page" not in page
