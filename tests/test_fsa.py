"""The food hygiene import, on the real FSA FHRS files in ../shared and slices of them."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SHARED, TODAY, run_build

from carehomes.sources import fsa

FHRS = SHARED / "data" / "fsa"
HEREFORDSHIRE = FHRS / "FHRS895en-GB.xml"
BRIGHTON = FHRS / "FHRS875en-GB.xml"
RECORD = re.compile(r"<EstablishmentDetail>.*?</EstablishmentDetail>", re.DOTALL)


@pytest.fixture(scope="module")
def real_text() -> str:
    if not HEREFORDSHIRE.exists():
        pytest.fail(f"the real FSA data is missing: {HEREFORDSHIRE}")
    return HEREFORDSHIRE.read_text(encoding="utf-8")


def slice_file(path: Path, text: str, ids: list[int]) -> Path:
    """A real FHRS file cut down to the establishments with these FHRS IDs (header kept)."""
    keep = [r for r in RECORD.findall(text) if int(re.search(r"<FHRSID>(\d+)</FHRSID>", r).group(1)) in ids]
    assert len(keep) == len(ids)
    head = text[: text.index("<EstablishmentDetail>")]
    path.write_text(head + "".join(keep) + "</EstablishmentCollection></FHRSEstablishment>", encoding="utf-8")
    return path


def home_profiles(tmp_path: Path, slugs: list[str]) -> Path:
    """Copies of bundled profiles as they were before the food hygiene import."""
    out = tmp_path / "providers"
    out.mkdir()
    for s in slugs:
        text = (ROOT / "providers" / f"{s}.yaml").read_text()
        (out / f"{s}.yaml").write_text(re.sub(r"^food_hygiene:\n(  .*\n)*", "", text, flags=re.M))
    return out


def test_reads_the_real_herefordshire_file():
    f = fsa.read_fhrs(HEREFORDSHIRE)
    assert f.extract_date.isoformat() == "2020-11-13"
    assert len(f.establishments) == 1994
    caring = [e for e in f.establishments if e.caring]
    assert len(caring) == 177
    ratings = {}
    for e in caring:
        ratings[e.rating] = ratings.get(e.rating, 0) + 1
    assert ratings == {"5": 106, "Exempt": 53, "4": 14, "3": 3, "Awaiting inspection": 1}  # as SOURCE.md counts
    aston = next(e for e in f.establishments if e.fhrs_id == 488493)
    assert (aston.name, aston.postcode, aston.rating, aston.rating_date.isoformat()) == ("Aston House", "HR11TJ", "5", "2020-02-14")


def test_names_are_normalised():
    assert fsa.normalise_name("The Elms Care Home Ltd.") == "elms"
    assert fsa.normalise_name("Brockhampton Court Nursing Home") == fsa.normalise_name("Brockhampton Court Care Home with Nursing")
    assert fsa.normalise_name("July VII Limited t/a Wykenhurst Residential Home") == "wykenhurst"
    assert fsa.normalise_name("Tithe Barn & Stable Cottage") == "tithe barn stable cottage"


def test_bundled_herefordshire_homes_against_the_real_file():
    f = fsa.read_fhrs(HEREFORDSHIRE)
    matches = fsa.match_homes(fsa.read_homes(ROOT / "providers"), f.establishments)
    by_slug = {m.home.path.stem: m for m in matches}
    kinds = {k: sum(m.kind == k for m in matches) for k in ("matched", "pinned", "ambiguous", "none")}
    assert kinds == {"matched": 66, "pinned": 0, "ambiguous": 13, "none": 9}
    # names unlike ("Livability Wall Street", "Livability"), the one caring premises at its street address and postcode
    assert (by_slug["livability-wall-street"].establishment.fhrs_id, by_slug["livability-wall-street"].reason) == (
        488623, fsa.STREET_MATCH)
    # a home at the same street address as another whose name is the kitchen's: the kitchen stays that home's
    assert by_slug["hampton-grange-nursing-home"].establishment.fhrs_id == 488501
    assert by_slug["gwen-walford-house"].kind == "ambiguous" and by_slug["gwen-walford-house"].reason == (
        "FHRS ID 488501 at its street address is matched by name to hampton-grange-nursing-home.yaml; if this home "
        "shares that kitchen, pin it here")
    # the business is the operator, the home's name is the first address line
    assert by_slug["charles-court-care-home"].establishment.fhrs_id == 487507
    # two homes at one postcode: each gets its own kitchen, not the other's
    assert by_slug["buckfield-house"].establishment.fhrs_id == 487456
    assert by_slug["ashfield-house-leominister"].establishment.fhrs_id == 488967
    # one kitchen named after two homes is never given to either
    assert by_slug["tithe-barn"].kind == by_slug["stable-cottage"].kind == "ambiguous"
    # two caring premises whose address is the home's name: ambiguous, both listed
    assert [e.fhrs_id for e in by_slug["weir-end-house"].candidates] == [488476, 778937]
    # a caring premises elsewhere is not this home
    assert by_slug["the-trio-house"].kind == "none"


def test_a_street_address_is_the_homes_only_with_its_house_number_and_alone_at_the_postcode():
    """At the home's postcode, the one caring premises whose address line is the home's street address, house number
    and all, is its kitchen when no name matches (Brighton and Hove's "20 Windlesham Road" is "Residential Home" in the
    FSA's file); a street without a number, or two premises at that address, decide nothing."""
    def est(fhrs_id: int, name: str, *lines: str) -> fsa.Establishment:
        return fsa.Establishment(fhrs_id, name, fsa.CARING_PREMISES, fsa.CARING_PREMISES_ID, ", ".join(lines), lines[0],
                                 "BN13AG", "5", dt.date(2020, 1, 1), lines=lines)

    def home(street: str | None, name: str = "Brighton & Hove City Council - 20 Windlesham Road") -> fsa.Home:
        return fsa.Home(Path("h.yaml"), name, "BN13AG", None, False, street=street)

    kitchen = est(206081, "Residential Home", "20 Windlesham Road", "Brighton", "East Sussex")
    other = est(206082, "Sunny Days Nursery", "22 Windlesham Road", "Brighton")
    assert fsa.street_key("20, Windlesham  Road") == "20 windlesham road" and fsa.street_key("Windlesham Road") is None
    [m] = fsa.match_homes([home("20 Windlesham Road")], [other, kitchen])
    assert (m.kind, m.establishment, m.reason) == ("matched", kitchen, "postcode and street address")
    assert fsa.match_homes([home("Windlesham Road")], [other, kitchen])[0].kind == "ambiguous"
    assert fsa.match_homes([home(None)], [other, kitchen])[0].kind == "ambiguous"
    twin = est(206083, "Windlesham Day Centre", "20 Windlesham Road", "Brighton")
    assert fsa.match_homes([home("20 Windlesham Road")], [kitchen, twin])[0].kind == "ambiguous"
    report = fsa.FsaReport([], [m])
    assert ("Matched by postcode and street address, their names unlike (look at each; pin another with "
            "food_hygiene.fhrs_id and pinned: yes):\n  h.yaml: Brighton & Hove City Council - 20 Windlesham Road, 20 "
            "Windlesham Road: FHRS ID 206081: Residential Home, 20 Windlesham Road, Brighton, East Sussex (rating 5)") in report.summary()


def test_a_street_address_never_takes_another_kitchen_and_only_care_homes_are_matched(tmp_path):
    """The hostile review: a day nursery at Aston House's street address was given to Aston House over the kitchen the
    profile held (488493), without a word; and a home care agency at a day centre's address was given its kitchen, a
    fact of a care home, so the whole import was refused. A street match never replaces a kitchen the profile holds, and
    only profiles of a kind with a food hygiene rating (care homes) are matched at all."""
    def est(fhrs_id: int, name: str, street: str) -> fsa.Establishment:
        return fsa.Establishment(fhrs_id, name, fsa.CARING_PREMISES, fsa.CARING_PREMISES_ID, street, street, "HR11TJ", "5",
                                 dt.date(2020, 1, 1), lines=(street, "Hereford"))

    nursery = est(1, "Little Stars Day Nursery", "45 Hampton Park Road")
    held = fsa.Home(Path("aston-house.yaml"), "Aston House", "HR11TJ", 488493, False, street="45 Hampton Park Road")
    [m] = fsa.match_homes([held], [nursery])
    assert (m.kind, m.establishment, m.candidates) == ("ambiguous", None, [nursery])
    assert m.reason == ("the profile holds FHRS ID 488493, and the caring premises at its street address is another; pin "
                        "the one that is its kitchen")
    assert fsa.match_homes([fsa.Home(Path("a.yaml"), "Aston House", "HR11TJ", 1, False, street="45 Hampton Park Road")],
                           [nursery])[0].kind == "matched"  # the kitchen it holds: as before
    providers = tmp_path / "providers"
    providers.mkdir()
    (providers / "an-agency.yaml").write_text("name: An Agency\nkinds: [home_care_agency]\naddress:\n  street: 45 Hampton Park "
                                              "Road\n  postcode: HR1 1TJ\n", encoding="utf-8")
    (providers / "a-home.yaml").write_text("name: A Home\naddress:\n  postcode: HR1 1TJ\n", encoding="utf-8")
    assert [h.path.name for h in fsa.read_homes(providers)] == ["a-home.yaml"]


def test_pinned_id_wins_over_the_postcode(tmp_path, real_text):
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493, 488501])  # Aston House; Hampton Grange
    providers = home_profiles(tmp_path, ["aston-house"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  fhrs_id: 488501  # checked by the steward\n  pinned: yes\n")
    report = fsa.import_fsa([xml], providers)
    assert [m.kind for m in report.matches] == ["pinned"]
    text = p.read_text()
    assert "fhrs_id: 488501  # checked by the steward\n  pinned: yes\n" in text
    assert "rating: '5'\n  date: 2019-04-17\n" in text


def test_a_kitchen_pinned_to_one_home_is_not_given_to_another_by_postcode(tmp_path, real_text):
    """Hunters Lodge and Falcons Rest share a postcode and one caring kitchen (FHRS ID 488440): matched by postcode and
    name it is given to neither. A steward who pins it to Hunters Lodge vouches for that home only; Falcons Rest was
    then given the same rating by postcode, as its own, though nobody had said the kitchen is its."""
    xml = slice_file(tmp_path / "slice.xml", real_text, [488440])
    providers = home_profiles(tmp_path, ["hunters-lodge", "falcons-rest-and-poachers-cottage"])
    p = providers / "hunters-lodge.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  fhrs_id: 488440\n  pinned: yes\n")
    other = providers / "falcons-rest-and-poachers-cottage.yaml"
    before = other.read_text()
    report = fsa.import_fsa([xml], providers)
    assert {m.home.path.stem: m.kind for m in report.matches} == {"hunters-lodge": "pinned",
                                                                  "falcons-rest-and-poachers-cottage": "ambiguous"}
    assert other.read_text() == before
    lines = report.summary().splitlines()
    assert "1 home: matched" not in lines and "2 homes: matched 0, pinned 1, ambiguous 1, none 0" in lines
    at = lines.index("Ambiguous (not written; pin food_hygiene.fhrs_id with pinned: yes to choose):")
    assert lines[at + 1].endswith("): FHRS ID 488440 is pinned to hunters-lodge.yaml; if this home shares that kitchen, "
                                  "pin it here too"), lines[at + 1]
    assert lines[at + 2].startswith("    candidate FHRS ID 488440: ")
    # pinned to both (the steward has checked that they share it), each is given it
    other.write_text(before + "food_hygiene:\n  fhrs_id: 488440\n  pinned: yes\n")
    report = fsa.import_fsa([xml], providers)
    assert [m.kind for m in report.matches] == ["pinned", "pinned"]


def test_pinned_id_missing_from_the_files_is_listed(tmp_path, real_text):
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493])
    providers = home_profiles(tmp_path, ["aston-house"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  fhrs_id: 1\n  pinned: yes\n")
    before = p.read_text()
    report = fsa.import_fsa([xml], providers)
    assert report.summary().splitlines()[1:] == [
        "1 home: matched 0, pinned 0, ambiguous 0, none 1",
        "0 profiles changed",
        "No match (not written):",
        "  aston-house.yaml: Aston House (HR11TJ): pinned FHRS ID 1 is not in the files read",
    ]
    assert p.read_text() == before


def test_import_keeps_comments_and_is_idempotent(tmp_path, real_text):
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493, 487427])
    providers = home_profiles(tmp_path, ["aston-house", "birchams-grange"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text().replace("beds:\n", "beds:  # checked by the home\n") + "# the end\n")
    assert len(fsa.import_fsa([xml], providers).changed) == 2
    text = p.read_text()
    assert "beds:  # checked by the home\n" in text and "# the end\n" in text
    assert text.index("cqc:") < text.index("food_hygiene:")
    assert fsa.import_fsa([xml], providers).changed == []


def test_dry_run_writes_nothing(tmp_path, real_text):
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493])
    providers = home_profiles(tmp_path, ["aston-house"])
    before = (providers / "aston-house.yaml").read_text()
    report = fsa.import_fsa([xml], providers, dry_run=True)
    assert report.summary().splitlines()[2] == "1 profile would change"
    assert (providers / "aston-house.yaml").read_text() == before


def test_other_business_types_are_not_care_homes(tmp_path, real_text):
    # 'Ledbury Nursing Home' as a restaurant at its postcode must not match
    rec = next(r for r in RECORD.findall(real_text) if "<FHRSID>488233</FHRSID>" in r)
    fake = rec.replace("<BusinessType>Hospitals/Childcare/Caring Premises</BusinessType><BusinessTypeID>5</BusinessTypeID>",
                       "<BusinessType>Restaurant/Cafe/Canteen</BusinessType><BusinessTypeID>1</BusinessTypeID>")
    assert fake != rec
    head = real_text[: real_text.index("<EstablishmentDetail>")]
    xml = tmp_path / "x.xml"
    xml.write_text(head + fake + "</EstablishmentCollection></FHRSEstablishment>")
    providers = home_profiles(tmp_path, ["ledbury-nursing-home"])
    assert [m.kind for m in fsa.import_fsa([xml], providers).matches] == ["none"]


def test_another_councils_file_matches_nothing(tmp_path):
    providers = home_profiles(tmp_path, ["aston-house", "the-shires"])
    report = fsa.import_fsa([BRIGHTON], providers)
    assert [m.kind for m in report.matches] == ["none", "none"]
    assert report.summary().splitlines()[0] == "FHRS file FHRS875en-GB.xml (2020-08-28): 3,155 establishments, 196 caring premises"
    assert report.files[0].other_councils([895]) == ["Brighton and Hove (875)"]
    assert report.files[0].other_councils([875, 895]) == report.files[0].other_councils([]) == []


def test_the_command_warns_of_another_councils_file(tmp_path, run_cli):
    """Herefordshire's file imported into a Brighton and Hove directory matched none of its homes without a word of
    why: the command says whose file it is and which the settings list, and still prints its summary."""
    providers = home_profiles(tmp_path, ["aston-house"])
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  directory:\n    fsa_authorities: [875]\n")
    done = run_cli("import-fsa", str(HEREFORDSHIRE), "--providers", str(providers), "--config", str(config), "--dry-run")
    assert done.returncode == 0
    assert done.stderr == (
        f"warning: {HEREFORDSHIRE} holds the food hygiene ratings of Herefordshire (895), not of the council {config} lists "
        "(fsa_authorities: [875]); a file matches only its own council's homes: give FHRS875en-GB.xml, or list its code "
        "in fsa_authorities if the directory is that council's\n")
    assert "1 home: matched 1, pinned 0, ambiguous 0, none 0" in done.stdout  # a warning: the homes are as the file says
    done = run_cli("import-fsa", str(BRIGHTON), "--providers", str(providers), "--config", str(config), "--dry-run")
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.parametrize("content, message", [
    ("not xml at all", "line 1: syntax error; this is not an FHRS XML file, or it is damaged: download it again from the FSA"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><FHRSEstablishment/>',
     "the file declares a DTD or entities, which FHRS files never do; download it again from the FSA"),
    ("<rss><channel/></rss>", "is not an FHRS open-data file (its root element is rss, not FHRSEstablishment)"),
    ('<?xml version="1.0" encoding="Shift_JIS"?><FHRSEstablishment/>',
     "its XML declaration names an encoding the FSA's files never use (multi-byte encodings are not supported); this "
     "is not an FHRS XML file, or it is damaged: download it again from the FSA"),
    ('<?xml version="1.0" encoding="bogus-enc"?><FHRSEstablishment/>',
     "its XML declaration names an encoding the FSA's files never use (unknown encoding: bogus-enc); this is not an "
     "FHRS XML file, or it is damaged: download it again from the FSA"),
])
def test_bad_files_are_refused_with_one_message(tmp_path, content, message):
    bad = tmp_path / "bad.xml"
    bad.write_text(content)
    with pytest.raises(fsa.FsaError) as exc:
        fsa.read_fhrs(bad)
    assert str(exc.value) == message


def test_profile_page_shows_rating_date_source_and_link():
    from carehomes.views import HomeView

    view = HomeView({"location_id": "1-1", "slug": "x", "name": "X", "locality": "Herefordshire",
                     "food_hygiene": {"rating": "4", "date": "2020-01-14", "fhrs_id": 488967}}, TODAY)
    quality = next(g for g in view.groups() if g.id == "quality")
    facts = {f.label: f for f in quality.facts}
    assert facts["Food hygiene rating"].text == "4 out of 5"
    assert facts["Food hygiene rating"].note == ("rated 14 January 2020, 6 years 10 months ago, so it may have changed; "
                                                    "source: Food Standards Agency food hygiene ratings")
    assert facts["Food hygiene page"].href == "https://ratings.food.gov.uk/business/488967"
    exempt = HomeView({"location_id": "1-1", "slug": "x", "name": "X", "locality": "H", "food_hygiene": {"rating": "Exempt"}}, TODAY)
    facts = {f.label: f for f in next(g for g in exempt.groups() if g.id == "quality").facts}
    assert facts["Food hygiene rating"].text == "Exempt: the Food Standards Agency does not rate it" and "Food hygiene page" not in facts


def test_fsa_fields_are_owned_by_the_fsa():
    from carehomes.schema import load_schema

    s = load_schema()
    assert {p: s.by_path[p].owner for p in fsa.FIELDS} == dict.fromkeys(fsa.FIELDS, "fsa")
    assert s.by_path["food_hygiene.pinned"].owner == "council"


def test_ctrl_c_as_import_fsa_writes_says_every_profile_was(tmp_path, monkeypatch, capsys):
    """import-fsa held a Ctrl+C until its ratings were all written, then said only "Interrupted." (code review): it says
    they were written, as import-cqc does."""
    from helpers import ctrl_c_on_first_write

    from carehomes.cli import main

    providers = home_profiles(tmp_path, ["aston-house", "tithe-barn", "stable-cottage", "the-trio-house"])
    written = ctrl_c_on_first_write(monkeypatch, fsa)
    assert main(["import-fsa", str(HEREFORDSHIRE), "--providers", str(providers)]) == 130
    assert capsys.readouterr().err.endswith("Interrupted. Every profile the import changes (1) was written before it "
                                            "stopped.\n") and len(written) == 1


def test_import_fsa_command_end_to_end(tmp_path):
    providers = home_profiles(tmp_path, ["aston-house", "tithe-barn", "stable-cottage", "the-trio-house"])
    proc = run_build("import-fsa", str(HEREFORDSHIRE), "--providers", str(providers))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:3] == ["FHRS file FHRS895en-GB.xml (2020-11-13): 1,994 establishments, 177 caring premises",
                         "4 homes: matched 1, pinned 0, ambiguous 2, none 1", "1 profile changed"]
    assert "  tithe-barn.yaml: Tithe Barn (HR96RE): FHRS ID 489411 matches 2 homes at this postcode" in lines
    assert "  the-trio-house.yaml: The Trio House (HR27SH): no caring premises at HR27SH or with its name nearby" in lines
    check = run_build("check", str(providers))
    assert check.returncode == 0, check.stdout
    missing = run_build("import-fsa", str(tmp_path / "nope.xml"), "--providers", str(providers))
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1, "", f"{tmp_path / 'nope.xml'}: no such file; give the path of an FHRS XML file such as FHRS895en-GB.xml\n")


def test_a_pipe_a_device_or_a_huge_file_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    """A pipe or /dev/zero was 'no such file' (they exist); a file of one endless text was held whole in memory
    (300 MB of it took 650 MB), so a file past fsa_fetch's download limit is refused as it is read."""
    providers = home_profiles(tmp_path, ["aston-house"])
    pipe, zero = tmp_path / "pipe.xml", tmp_path / "zero.xml"
    os.mkfifo(pipe)
    zero.symlink_to("/dev/zero")
    with pytest.raises(fsa.FsaError) as refused:
        fsa.import_fsa([pipe, zero], providers, dry_run=True)
    assert str(refused.value) == "\n".join(
        f"{p}: is not a regular file (a device, pipe or folder); give the path of an FHRS XML file such as FHRS895en-GB.xml"
        for p in (pipe, zero))
    monkeypatch.setattr(fsa, "MAX_FILE_BYTES", 1024 * 1024)  # Herefordshire's file is 1.9 MB
    with pytest.raises(fsa.FsaError) as refused:
        fsa.import_fsa([HEREFORDSHIRE], providers, dry_run=True)
    assert str(refused.value) == (f"{HEREFORDSHIRE}: is larger than 1 MB, which no council's FHRS file is (the largest "
                                  "is about 20 MB); give one council's file, e.g. FHRS895en-GB.xml")


def test_example_fixture_rating_is_valid():
    from carehomes.load import load_profile
    from carehomes.validate import check_profile

    profile, found = load_profile(FIXTURES / "profiles" / "example-full.yaml", ROOT)
    assert found == [] and check_profile(profile, on=TODAY) == []
    assert profile.data["food_hygiene"]["rating"] == "5"


@pytest.mark.slow  # checks every bundled profile (0.6 s)
def test_bundled_profiles_carry_the_real_ratings():
    """The committed Herefordshire profiles were updated with import-fsa on FHRS895en-GB.xml."""
    from carehomes.pipeline import check_paths

    checked = check_paths([ROOT / "providers"], on=TODAY)
    assert checked.problems == []
    rated = {p.slug: p.data["food_hygiene"] for p in checked.profiles if "food_hygiene" in p.data}
    assert len(rated) == 66
    assert {k: str(v) for k, v in rated["aston-house"].items()} == {"rating": "5", "date": "2020-02-14", "fhrs_id": "488493"}
    assert rated["froome-bank"]["rating"] == "Exempt"
    again = fsa.import_fsa([HEREFORDSHIRE], ROOT / "providers", dry_run=True)
    assert again.changed == []


def test_bundled_profile_page_shows_the_rating(built_site):
    out, _ = built_site
    html = (out / "homes" / "aston-house" / "index.html").read_text()
    assert ("<dt>Food hygiene rating</dt><dd>5 out of 5 <span class=\"ch-note\">(rated 14 February 2020, 6 years 9 months ago, so it may have changed; "
            "source: Food Standards Agency food hygiene ratings)</span></dd>") in html
    assert '<a href="https://ratings.food.gov.uk/business/488493" rel="nofollow noopener">' in html


def test_providers_may_not_change_fsa_fields(tmp_path):
    """The FSA's fields are refused like CQC's; the pin is the council's."""
    import subprocess

    repo = tmp_path / "repo"
    (repo / "providers").mkdir(parents=True)
    (repo / "providers" / "example-full.yaml").write_text((FIXTURES / "profiles" / "example-full.yaml").read_text())
    (repo / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(repo)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    p = repo / "providers" / "example-full.yaml"
    p.write_text(p.read_text().replace("  rating: \"5\"\n", "  rating: \"4\"\n  fhrs_id: 1\n  pinned: yes\n"))
    for args in (["checkout", "-qb", "pr"], ["commit", "-qam", "change"]):  # check-ownership judges commits only
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    r = run_build("check-ownership", "--repo", str(repo), "--author", "example-manager", "--base", "main")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-full.yaml:66: food_hygiene.rating (Food hygiene rating): only the Food Standards Agency (set only by the food "
        "hygiene import) may change this field; put it back to '5'",
        "providers/example-full.yaml:67: food_hygiene.fhrs_id (FHRS ID): only the Food Standards Agency (set only by the food "
        "hygiene import) may change this field; put it back to nothing (remove the line)",
        "providers/example-full.yaml:68: food_hygiene.pinned (FHRS ID checked by the council): only the council may change this field; "
        "put it back to nothing (remove the line)",
    ]
    steward = run_build("check-ownership", "--repo", str(repo), "--author", "council-steward", "--base", "main")
    assert steward.returncode == 0


def edited(tmp_path: Path, real_text: str, old: str, new: str) -> Path:
    """A slice with Aston House (FHRS ID 488493) and Birchams Grange (487427), Aston House's record edited."""
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493, 487427])
    text = xml.read_text()
    start = text.index("<FHRSID>488493</FHRSID>")
    end = text.index("</EstablishmentDetail>", start)
    assert old in text[start:end]
    xml.write_text(text[:start] + text[start:end].replace(old, new) + text[end:])
    return xml


@pytest.mark.parametrize("old, new, problem", [
    ("<RatingValue>5</RatingValue>", "<RatingValue>6</RatingValue>",
     "RatingValue '6' is not a food hygiene rating (0 to 5, AwaitingInspection, AwaitingPublication or Exempt)"),
    ("<RatingValue>5</RatingValue>", "<RatingValue>Pass</RatingValue>",
     "RatingValue 'Pass' is a Scottish FHIS result, which this directory has no value for (it publishes the FHRS "
     "ratings 0 to 5, AwaitingInspection, AwaitingPublication or Exempt)"),
    ("<RatingDate>2020-02-14</RatingDate>", "<RatingDate>14/02/2020</RatingDate>",
     "RatingDate '14/02/2020' is not a real date written YYYY-MM-DD"),
    ("<RatingDate>2020-02-14</RatingDate>", "<RatingDate>2020-02-30</RatingDate>",
     "RatingDate '2020-02-30' is not a real date written YYYY-MM-DD"),
    ("<RatingDate>2020-02-14</RatingDate>", "<RatingDate>2020-02-14T99:99</RatingDate>",
     "RatingDate '2020-02-14T99:99' is not a real date written YYYY-MM-DD"),
    ("<RatingDate>2020-02-14</RatingDate>", "<RatingDate>2099-02-14</RatingDate>",
     "RatingDate '2099-02-14' is in the future (today is 2026-11-30)"),
    ("<RatingDate>2020-02-14</RatingDate>", '<RatingDate xsi:nil="true" />',
     "RatingValue '5' has no RatingDate; a rating needs the date of the inspection"),
])
def test_a_bad_rating_or_date_is_refused_naming_file_establishment_and_value_and_nothing_is_written(
        tmp_path, real_text, old, new, problem):
    xml = edited(tmp_path, real_text, old, new)
    providers = home_profiles(tmp_path, ["aston-house", "birchams-grange"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  rating: '5'\n  date: 2020-02-14\n  fhrs_id: 488493\n")
    before = {f.name: f.read_text() for f in providers.iterdir()}
    with pytest.raises(fsa.FsaError) as exc:
        fsa.import_fsa([xml], providers, on=dt.date(2026, 11, 30))
    assert str(exc.value).splitlines() == [
        f"{xml}: FHRS ID 488493 (Aston House), the kitchen of aston-house.yaml: {problem}",
        "Nothing was imported: 1 problem above. Download the files again from the FSA, or pin another FHRS ID, "
        "and run import-fsa again.",
    ]
    assert {f.name: f.read_text() for f in providers.iterdir()} == before, "Birchams Grange is not written either"
    r = run_build("import-fsa", str(xml), "--providers", str(providers))
    assert r.returncode == 1 and r.stdout == "" and "Traceback" not in r.stderr
    assert f"FHRS ID 488493 (Aston House), the kitchen of aston-house.yaml: {problem.split(' (today')[0]}" in r.stderr


def test_an_older_extract_changes_nothing_without_allow_older_and_with_it_applies_saying_so(tmp_path, real_text, capsys):
    from carehomes import cli

    xml = edited(tmp_path, real_text, "<RatingValue>5</RatingValue>", "<RatingValue>1</RatingValue>")
    xml.write_text(xml.read_text().replace("<RatingDate>2020-02-14</RatingDate>", "<RatingDate>2015-03-01</RatingDate>", 1))
    providers = home_profiles(tmp_path, ["aston-house", "birchams-grange"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  rating: '5'\n  date: 2020-02-14\n  fhrs_id: 488493\n")
    before = {f.name: f.read_text() for f in providers.iterdir()}
    older = ("FHRS ID 488493 (Aston House), aston-house.yaml: the profile has 5 dated 2020-02-14, "
             "the file has 1 dated 2015-03-01")
    assert cli.main(["import-fsa", str(xml), "--providers", str(providers)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[-2:] == [
        f"{xml}: an older rating: {older}",
        "Nothing was imported: 1 problem above. Download the files again from the FSA, or pin another FHRS ID, and "
        "run import-fsa again. For an older rating, use --allow-older if the older file is really wanted.",
    ]
    assert {f.name: f.read_text() for f in providers.iterdir()} == before, "Birchams Grange is not written either"
    assert cli.main(["import-fsa", str(xml), "--providers", str(providers), "--allow-older"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[-2:] == ["Older than the rating the profile holds (applied with --allow-older):", f"  {older}"]
    assert "food_hygiene:\n  rating: '1'\n  date: 2015-03-01\n  fhrs_id: 488493\n" in p.read_text()
    # the same date is not older; a newer one is not either
    assert fsa.import_fsa([xml], providers).changed == []
    p.write_text(p.read_text().replace("date: 2015-03-01", "date: 2010-01-01"))
    assert fsa.import_fsa([xml], providers).older == []


@pytest.mark.parametrize("value, rating", [("AwaitingInspection", "Awaiting inspection"),
                                           ("Awaiting Inspection", "Awaiting inspection"),
                                           ("Exempt", "Exempt"), ("0", "'0'")])
def test_the_ratings_as_the_fsa_spells_them_are_accepted(tmp_path, real_text, value, rating):
    xml = edited(tmp_path, real_text, "<RatingValue>5</RatingValue>", f"<RatingValue>{value}</RatingValue>")
    providers = home_profiles(tmp_path, ["aston-house"])
    report = fsa.import_fsa([xml], providers, on=dt.date(2026, 11, 30))
    assert report.changed == [providers / "aston-house.yaml"]
    assert f"food_hygiene:\n  rating: {rating}\n  date: 2020-02-14\n  fhrs_id: 488493\n" in report.changed[0].read_text()
    assert run_build("check", str(providers)).returncode == 0


def test_a_rating_awaiting_publication_leaves_the_home_as_it_is(tmp_path, real_text):
    xml = edited(tmp_path, real_text, "<RatingValue>5</RatingValue>", "<RatingValue>AwaitingPublication</RatingValue>")
    providers = home_profiles(tmp_path, ["aston-house"])
    p = providers / "aston-house.yaml"
    p.write_text(p.read_text() + "food_hygiene:\n  rating: '4'\n  date: 2018-01-10\n  fhrs_id: 488493\n")
    before = p.read_text()
    report = fsa.import_fsa([xml], providers, on=dt.date(2026, 11, 30))
    assert report.changed == [] and p.read_text() == before
    assert report.summary().splitlines()[3:] == [
        "Awaiting publication (the FSA has not published the new rating yet; left as they are):",
        "  aston-house.yaml: Aston House: FHRS ID 488493",
    ]


def test_new_problems_are_the_ones_the_import_would_add(tmp_path):
    """The last guard before writing: check's rules on the new text, less what the profile already had."""
    p = home_profiles(tmp_path, ["aston-house"]) / "aston-house.yaml"
    p.write_text(p.read_text() + "old_field: 1\n")  # a problem the import did not make: not blamed on it
    new = p.read_text() + "food_hygiene:\n  rating: '5'\n  date: 2027-01-01\n  fhrs_id: 488493\n"
    from carehomes.schema import load_schema
    problems = fsa.new_problems(p, new, load_schema(), dt.date(2026, 11, 30))
    assert [s.split(": ", 1)[1] for s in problems] == [
        "food_hygiene.date: 2027-01-01 is in the future (today is 2026-11-30); give the date the fact was true"]


@pytest.mark.parametrize("written", ["488_493", "+488493", "\u0664\u0668\u0668\u0664\u0669\u0663", "4884930000000000", ""])
def test_an_fhrs_id_of_anything_but_digits_leaves_its_record_out(tmp_path, real_text, written):
    """An FHRSID is read only as ASCII digits: one written otherwise (that int() would take as a number) is a
    damaged record, left out, and the other records are read."""
    xml = edited(tmp_path, real_text, "<FHRSID>488493</FHRSID>", f"<FHRSID>{written}</FHRSID>")
    read = fsa.read_fhrs(xml)
    assert [e.fhrs_id for e in read.establishments] == [487427] and read.left_out == 1
    # and the report says so, rather than a file of damaged records importing nothing in silence
    assert fsa.FsaReport([read], []).summary().splitlines()[0].endswith(
        ": 1 establishment, 1 caring premises; 1 record left out, its FHRSID not a number (is it the FSA's file as downloaded?)")


def test_a_file_of_which_no_record_can_be_read_is_refused_not_a_quiet_success(tmp_path, real_text):
    """Every FHRSID damaged: import-fsa said "0 establishments ... 1,994 records left out" and "0 profiles changed",
    exit 0, so a scheduled sync of a damaged download never failed."""
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493, 487427])
    xml.write_text(re.sub(r"<FHRSID>(\d+)</FHRSID>", r"<FHRSID>-\1</FHRSID>", xml.read_text()))
    with pytest.raises(fsa.FsaError) as exc:
        fsa.read_fhrs(xml)
    assert str(exc.value) == ("none of its 2 establishment records can be read: their FHRSID is not a number; download "
                              "the file again from the FSA")


def test_the_sites_dates_and_words_say_only_what_the_data_holds():
    """From the faithfulness review of Herefordshire: the register file gives no ratings (the home page then says so,
    content/index.md's cqc_rated); the food hygiene dates the pages give are ratings' dates, not an exemption's
    (Froome Bank's Exempt record of 4 March 2009 was the range's start); a stale register's note claims no contact
    details the data never had."""
    from carehomes.checking import check_paths
    from carehomes.render import stats
    from carehomes.views import HomeView

    views = [HomeView(p.data, TODAY) for p in check_paths([ROOT / "providers"], on=TODAY).profiles]
    st = stats(views, TODAY)
    assert st["cqc_rated"] == 0 and "4 March 2009" not in st["fsa_dated"] and st["fsa_dated"].startswith("12 March 2010 ")
    assert "Ratings and registration are from" in (ROOT / "content" / "index.md").read_text() and "{% if stats.cqc_rated" in \
        (ROOT / "content" / "index.md").read_text()
    note = views[0].register_stale
    assert note.endswith("Check the CQC page for what CQC says now.") and "contact details" not in note


def test_an_establishment_given_twice_with_different_ratings_is_ambiguous_even_when_pinned(tmp_path, real_text):
    """From a hostile review: the files read gave FHRS ID 488493 twice (a second copy rated 1), and the home pinned to
    it silently took the last copy's rating; matched by postcode, the same files were rightly ambiguous. Which is
    its rating is not known: it is ambiguous either way, with both copies listed, and nothing is written."""
    xml = slice_file(tmp_path / "slice.xml", real_text, [488493, 487427])
    text = xml.read_text()
    start = text.rindex("<EstablishmentDetail>", 0, text.index("<FHRSID>488493</FHRSID>"))
    copy = text[start:text.index("</EstablishmentDetail>", start) + len("</EstablishmentDetail>")]
    assert copy.count("<FHRSID>488493</FHRSID>") == 1 and "<RatingValue>5</RatingValue>" in copy
    second = tmp_path / "second.xml"
    second.write_text(text.replace(copy, copy + copy.replace("<RatingValue>5</RatingValue>", "<RatingValue>1</RatingValue>")))
    providers = home_profiles(tmp_path, ["aston-house"])
    p = providers / "aston-house.yaml"
    for pin in ("", "food_hygiene:\n  fhrs_id: 488493\n  pinned: yes\n"):
        p.write_text(p.read_text().split("food_hygiene:")[0] + pin)
        before = p.read_text()
        report = fsa.import_fsa([second], providers)
        [m] = report.matches
        assert m.kind == "ambiguous" and [e.rating for e in m.candidates] == ["5", "1"], pin
        assert m.reason == ("FHRS ID 488493 is in the files read 2 times with different ratings, so which is its rating is "
                            "not known; give each council's file once, as downloaded from the FSA")
        assert p.read_text() == before
    # the same establishment in two files, alike: one rating, taken
    report = fsa.import_fsa([xml, xml], providers)
    assert [m.kind for m in report.matches] == ["pinned"]


def test_a_field_given_twice_in_one_establishment_refuses_the_file(tmp_path, real_text):
    xml = edited(tmp_path, real_text, "<RatingValue>5</RatingValue>", "<RatingValue>5</RatingValue><RatingValue>1</RatingValue>")
    providers = home_profiles(tmp_path, ["aston-house"])
    with pytest.raises(fsa.FsaError) as exc:
        fsa.import_fsa([xml], providers)
    assert str(exc.value).endswith(": an establishment gives RatingValue twice ('5' and '1'), which FHRS files never do; "
                                   "this file is damaged: download it again from the FSA")
    assert ": line " in str(exc.value)
