"""The validator: every rule, with its exact message."""
from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest

from carehomes.load import Profile, parse_profile
from carehomes.validate import check_files, check_profile
from carehomes.schema import ROOT
from conftest import FIXTURES, TODAY

HEAD = """\
location_id: 1-000000301
slug: t
example: true
name: Test Home (fictional)
locality: Exampleshire
"""


def problems(body: str, head: str = HEAD) -> list[str]:
    text = head + textwrap.dedent(body)
    profile, found = parse_profile(text, "providers/t.yaml")
    if profile is None:
        return [str(p) for p in found]
    return [str(p) for p in check_profile(profile, on=TODAY)]


def test_fixtures_are_valid():
    for path in sorted((FIXTURES / "profiles").glob("*.yaml")):
        profile, found = parse_profile(path.read_text(), path.name)
        assert found == [] and profile is not None
        assert check_profile(profile, on=TODAY) == [], path.name
        assert profile.data["example"] is True, "fixtures must be marked as fictional examples"


@pytest.mark.parametrize("body, expected", [
    ("phnoe: 01432 000000\n",
     "providers/t.yaml:6: phnoe: is not a known field; did you mean 'contact.phone'? It belongs there, not here: move it under the line 'contact:', indented as the lines there are"),
    ("contact:\n  phnoe: 01432 000000\n",
     "providers/t.yaml:7: contact.phnoe: is not a known field; did you mean 'phone'?"),
    # a field named in other words: the one whose path and title hold every word ("free_nursing": Beds with nursing
    # free now), said with its title; "nursing" alone, the nearest spelling, was no help
    ("beds:\n  free_nursing: 2\n",
     "providers/t.yaml:7: beds.free_nursing: is not a known field; did you mean 'beds.nursing.available' (Beds with nursing "
     "free now)? It belongs there, not here"),
    ("cqc:\n  date_rated: 2024-01-01\n",
     "providers/t.yaml:7: cqc.date_rated: is not a known field; did you mean 'rating_date' (Rating published on)?"),
    # a key that is a field's or group's own name elsewhere is told that place, not a field its words also name
    # ('rating_date' said user_rating.date, 'registered_manager' CQC's registered_managers, 'hourly_rate' its 'from')
    ("rating_date: 2024-01-01\n",
     "providers/t.yaml:6: rating_date: is not a known field; did you mean 'cqc.rating_date'? It belongs there, not here: move it under the line 'cqc:', indented as the lines there are"),
    ("registered_manager: yes\n",
     "providers/t.yaml:6: registered_manager: is not a known field; did you mean 'cqc.registered_manager'? It belongs there, "
     "not here: move it under the line 'cqc:', indented as the lines there are"),
    # its own name in another group before a name like it here (providers' review: 'maintainers', the access list)
    ("manager: Sarah Jones\n",
     "providers/t.yaml:6: manager: is not a known field; did you mean 'contact.manager'? It belongs there, not here: move "
     "it under the line 'contact:', indented as the lines there are"),
    ("hourly_rate:\n  from: 25\n",
     "providers/t.yaml:6: hourly_rate: is not a known field; did you mean 'homecare.hourly_rate'? It belongs there, not here: move it under the line 'homecare:', indented as the lines there are"),
    ("cqc:\n  food_hygiene: 5\n",
     "providers/t.yaml:7: cqc.food_hygiene: is not a known field; did you mean 'food_hygiene'? It belongs there, not here"),
    ("contact:\n  fax: 01432 000000\n",
     "providers/t.yaml:7: contact.fax: is not a known field; fields allowed under 'contact' are: email, manager, phone, website"),
    ("contact:\n  phone: 01432123456\n",
     "providers/t.yaml:7: contact.phone: '01432123456' starts with 0, so YAML reads it as a number in base 8; write a plain whole number (like 60), or put text (like a phone number) in quotes"),
    ("contact:\n  phone: 1432123456\n",
     "providers/t.yaml:7: contact.phone: must be text, but it was read as a number; put it in quotes, like phone: \"01432 123456\""),
    ("contact:\n  phone: '+44 1432 123456'\n",
     "providers/t.yaml:7: contact.phone: '+44 1432 123456' should be written in UK format starting with 0, like 01432 123456"),
    ("contact:\n  phone: '+44 (0)1432 123456'\n",  # the (0) dialled only from within the UK: said, not 'not a UK phone number'
     "providers/t.yaml:7: contact.phone: '+44 (0)1432 123456' should be written in UK format starting with 0, like 01432 123456"),
    ("contact:\n  phone: '123'\n",
     "providers/t.yaml:7: contact.phone: '123' is not a UK phone number; write 10 or 11 digits starting with 0, like 01432 123456"),
    ("contact:\n  email: not-an-email\n",
     "providers/t.yaml:7: contact.email: 'not-an-email' is not an email address; write it like enquiries@example.org"),
    ("contact:\n  website: javascript:alert(1)\n",
     "providers/t.yaml:7: contact.website: links must start with https:// or http://, not 'javascript:'"),
    ("contact:\n  website: www.example.org\n",
     "providers/t.yaml:7: contact.website: 'www.example.org' must start with https:// (or http://), like https://www.example.org/example-house"),
    ("contact:\n  website: https://exa mple.org\n",
     "providers/t.yaml:7: contact.website: 'https://exa mple.org' is not a web address; copy it from the browser's address bar"),
    # an apostrophe or backtick: no link on the page is made of it (safetext.safe_url), so check says so, rather than
    # the page leaving the website out and listing it as not given
    ("contact:\n  website: https://www.example.org/o'brien\n",
     "providers/t.yaml:7: contact.website: 'https://www.example.org/o'brien' has a ' in it, which a link on the page "
     "cannot hold; write it as %27: https://www.example.org/o%27brien"),
    ("contact:\n  website: https://www.example.org/a`b\n",
     "providers/t.yaml:7: contact.website: 'https://www.example.org/a`b' has a ` in it, which a link on the page "
     "cannot hold; write it as %60: https://www.example.org/a%60b"),
    ("address:\n  postcode: hr1 9zz\n",
     "providers/t.yaml:7: address.postcode: 'hr1 9zz' should be written 'HR1 9ZZ' (capitals, one space)"),
    ("address:\n  postcode: NOT A POSTCODE\n",
     "providers/t.yaml:7: address.postcode: 'NOT A POSTCODE' is not a UK postcode; write the full postcode, like HR1 1TJ"),
    ("address:\n  latitude: 91\n",
     "providers/t.yaml:7: address.latitude: is 91, above the highest allowed value 60.9"),
    ("beds:\n  nursing:\n    total: '30'\n",
     "providers/t.yaml:8: beds.nursing.total: must be a number, not text; remove the quotes: total: 30"),
    ("beds:\n  nursing:\n    available: two\n",
     "providers/t.yaml:8: beds.nursing.available: must be a whole number in figures, such as 3 or 0 for none, not 'two'"),
    ("beds:\n  nursing:\n    total: 12.5\n",
     "providers/t.yaml:8: beds.nursing.total: must be a whole number, not the number 12.5"),
    # from the providers' review: full-width digits were told to 'remove the quotes' (there were none); curly quotes
    ("beds:\n  nursing:\n    total: \uff12\n",
     "providers/t.yaml:8: beds.nursing.total: must be written with the digits 0 to 9: total: 2"),
    ("beds:\n  nursing:\n    total: \u201c12\u201d\n",
     "providers/t.yaml:8: beds.nursing.total: must be a number, not text; remove the curly quotes: total: 12"),
    ("beds:\n  nursing:\n    total: -1\n",
     "providers/t.yaml:8: beds.nursing.total: is -1, below the lowest allowed value 0"),
    # a Devon steward's fee as the home wrote it: the number is in it, and is what to write
    ("fees:\n  nursing_from: £950 a week\n  date: 2026-11-01\n",
     "providers/t.yaml:7: fees.nursing_from: must be the number alone, not '£950 a week'; write 950 (no words, £ or commas)"),
    ("fees:\n  nursing_from: from £1,250 per week\n  date: 2026-11-01\n",
     "providers/t.yaml:7: fees.nursing_from: must be the number alone, not 'from £1,250 per week'; write 1250 (no words, £ or commas)"),
    ("fees:\n  nursing_from: ask us\n  date: 2026-11-01\n",
     "providers/t.yaml:7: fees.nursing_from: must be a number, not 'ask us'; write it in figures, like 950"),
    ("fees:\n  nursing_from: 950pw\n  date: 2026-11-01\n",
     "providers/t.yaml:7: fees.nursing_from: must be a number, not '950pw'; write it in figures, like 950"),
    ("care:\n  nursing: Y\n",
     "providers/t.yaml:7: care.nursing: must be yes or no, not 'Y'"),
    ("cqc:\n  rating: Requires Improvement\n  rating_date: 2025-01-02\n",
     "providers/t.yaml:7: cqc.rating: 'Requires Improvement' is not allowed; did you mean 'Requires improvement'? use one of 'Outstanding', 'Good', 'Requires improvement', 'Inadequate', 'Inspected but not rated', 'Not yet rated'"),
    ("cqc:\n  rating: Good\n",
     "providers/t.yaml:7: cqc.rating: 'Good' is given without cqc.rating_date; add the date CQC published the rating"),
    ("cqc:\n  rating_date: 2026-02-30\n",
     "providers/t.yaml:7: cqc.rating_date: '2026-02-30' is not a real date; check the day and month (YYYY-MM-DD)"),
    # a date as people write it: the day it says, day first as the update forms read it; else the schema's example
    ("fees:\n  nursing_from: 1150\n  date: 1st December 2026\n",
     "providers/t.yaml:8: fees.date: must be a date written YYYY-MM-DD, not '1st December 2026'; for 1 December 2026 "
     "write 2026-12-01"),
    ("fees:\n  nursing_from: 1150\n  date: 30 Sept 2026\n",
     "providers/t.yaml:8: fees.date: must be a date written YYYY-MM-DD, not '30 Sept 2026'; for 30 September 2026 "
     "write 2026-09-30"),
    # only a whole text of a date: one cut at 40 characters matched '1/12/2026' and the spaces after it
    ("fees:\n  nursing_from: 1150\n  date: '01/12/2026" + " " * 31 + "and 2/12/2026'\n",
     "providers/t.yaml:8: fees.date: must be a date written YYYY-MM-DD, like 2026-04-01, not '01/12/2026" + " " * 31
     + "and 2/12/2026'"),
    ("fees:\n  nursing_from: 1150\n  date: 31/02/2026\n",
     "providers/t.yaml:8: fees.date: must be a date written YYYY-MM-DD, like 2026-04-01, not '31/02/2026'"),
    ("fees:\n  nursing_from: 1150\n  date: 12/31/2026\n",
     "providers/t.yaml:8: fees.date: must be a date written YYYY-MM-DD, like 2026-04-01, not '12/31/2026'"),
    ("cqc:\n  rating_date: 02/01/2025\n",
     "providers/t.yaml:7: cqc.rating_date: must be a date written YYYY-MM-DD, not '02/01/2025'; for 2 January 2025 write 2025-01-02"),
    ("cqc:\n  imported: 2027-01-01\n",
     "providers/t.yaml:7: cqc.imported: 2027-01-01 is in the future (today is 2026-11-23); give the date the fact was true"),
    # CQC's dormancy start: a date as any other, never in the future
    ("cqc:\n  dormant: true\n  dormant_since: 2027-01-01\n",
     "providers/t.yaml:8: cqc.dormant_since: 2027-01-01 is in the future (today is 2026-11-23); give the date the fact was true"),
    ("cqc:\n  dormant: true\n  dormant_since: 18/06/2024\n",
     "providers/t.yaml:8: cqc.dormant_since: must be a date written YYYY-MM-DD, not '18/06/2024'; for 18 June 2024 write 2024-06-18"),
    # a dormancy date beside a location CQC does not call dormant (the import never writes one; a hand edit did)
    ("cqc:\n  dormant: no\n  dormant_since: 2024-06-18\n",
     "providers/t.yaml:8: cqc.dormant_since: is given but cqc.dormant is no; CQC dates only a dormant location's "
     "dormancy: remove dormant_since, or set dormant to yes"),
    ("cqc:\n  dormant_since: 2024-06-18\n",
     "providers/t.yaml:7: cqc.dormant_since: is given but cqc.dormant is not given; CQC dates only a dormant location's "
     "dormancy: remove dormant_since, or set dormant to yes"),
    ("cqc:\n  status: Deregistered\n",
     "providers/t.yaml:7: cqc.status: 'Deregistered' needs cqc.status_date, the date the status changed"),
    ("beds:\n  nursing:\n    total: 30\n    available: 35\n  confirmed: 2026-11-20\n",
     "providers/t.yaml:9: beds.nursing.available: is 35 but beds.nursing.total is 30; free beds cannot be more than the beds there are"),
    ("care:\n  nursing: no\nbeds:\n  nursing:\n    available: 2\n  confirmed: 2026-11-20\n",
     "providers/t.yaml:10: beds.nursing.available: is 2 but CQC does not register this home for care with nursing (care.nursing is no); count these beds in beds.residential.available, or ask the council to import the latest CQC register"),
    ("beds:\n  residential:\n    available: 1\n",
     "providers/t.yaml:6: beds: free beds are given without beds.confirmed; add 'confirmed: YYYY-MM-DD' under beds with the date you checked them"),
    ("beds:\n  nursing:\n    total: 2\ncapabilities:\n  confirmed: 2026-11-01\n  tracheostomy:\n    accepted: yes\n    nursing_beds: 3\n",
     "providers/t.yaml:13: capabilities.tracheostomy.nursing_beds: is 3 but beds.nursing.total is 2; a capability cannot have more beds than the home has"),
    # from the providers' review: a home claiming more beds than CQC registers, or a need met with nursing where CQC
    # registers none, was checked clean and shown to discharge teams filtering on it; a warning, for the steward (the
    # code review: as errors, CQC lowering a home's beds stopped its import and the site's build)
    ("beds:\n  registered: 16\n  residential:\n    total: 40\n",
     "providers/t.yaml:9: warning: beds.residential.total: is 40 but beds.registered is 16; a home cannot have more beds than CQC "
     "registers it for: give at most 16, or ask the council to import the latest CQC register"),
    ("beds:\n  registered: 16\n  residential:\n    total: 10\n  nursing:\n    total: 10\n",
     "providers/t.yaml:11: warning: beds.nursing.total: beds in total add up to 20 (nursing 10, residential 10) but beds.registered "
     "is 16; a home cannot have more beds than CQC registers it for"),
    # beds without nursing for a need at a home with nursing alone are its everyday care: no warning
    ("care:\n  residential: no\n  nursing: yes\ncapabilities:\n  confirmed: 2026-11-01\n  palliative_care:\n    accepted: yes\n"
     "    residential_beds: 2\n", None),
    # a fee for nursing at a home CQC registers for none: a warning; a nursing home's fee without nursing: none
    ("care:\n  nursing: no\nfees:\n  nursing_to: 1200\n  date: 2026-11-01\n",
     "providers/t.yaml:9: warning: fees.nursing_to: is 1200 but CQC does not register this home for care with nursing "
     "(care.nursing is no); remove the fee, or ask the council to import the latest CQC register"),
    ("care:\n  residential: no\n  nursing: yes\nfees:\n  residential_from: 700\n  date: 2026-11-01\n", None),
    ("care:\n  nursing: no\ncapabilities:\n  confirmed: 2026-11-01\n  tracheostomy:\n    accepted: yes\n    nursing_beds: 4\n",
     "providers/t.yaml:12: warning: capabilities.tracheostomy.nursing_beds: is 4 but CQC does not register this home for care with "
     "nursing (care.nursing is no); give 0, or ask the council to import the latest CQC register"),
    ("capabilities:\n  confirmed: 2026-11-01\n  tracheostomy:\n    accepted: no\n    residential_beds: 1\n",
     "providers/t.yaml:10: capabilities.tracheostomy.residential_beds: is 1 but capabilities.tracheostomy.accepted is no; set capabilities.tracheostomy.accepted to yes or the beds to 0"),
    # beds for a need not said to be met (an answer taken off by "Remove the answer"): no page shows them; 0 beds is no
    # claim, and says nothing
    ("capabilities:\n  confirmed: 2026-11-01\n  tracheostomy:\n    nursing_beds: 2\n",
     "providers/t.yaml:9: warning: capabilities.tracheostomy.nursing_beds: is 2 but capabilities.tracheostomy.accepted is "
     "not given, so the page does not show these beds; set capabilities.tracheostomy.accepted to yes, or remove the beds"),
    ("capabilities:\n  confirmed: 2026-11-01\n  tracheostomy:\n    nursing_beds: 0\n", None),
    ("capabilities:\n  tracheostomy:\n    accepted: yes\n",
     "providers/t.yaml:6: capabilities: capabilities are given without capabilities.confirmed; add 'confirmed: YYYY-MM-DD' under capabilities"),
    ("capabilities:\n  trachostomy:\n    accepted: yes\n",
     "providers/t.yaml:7: capabilities.trachostomy: is not a known field; did you mean 'tracheostomy'?"),
    ("fees:\n  nursing_from: 1200\n  nursing_to: 1000\n  date: 2026-01-01\n",
     "providers/t.yaml:7: fees.nursing_from: is 1200 but fees.nursing_to is 1000; the lowest fee cannot be above the highest"),
    ("fees:\n  residential_from: '£950'\n",
     "providers/t.yaml:7: fees.residential_from: must be a plain number; write 950 (no quotes, £, commas or %)"),
    ("fees:\n  residential_from: 950\n",
     "providers/t.yaml:6: fees: figures are given without fees.date; add 'date: YYYY-MM-DD' under fees (the date the fees were confirmed)"),
    ("staffing:\n  staff_turnover_percent: 20\n",
     "providers/t.yaml:6: staffing: figures are given without staffing.date; add 'date: YYYY-MM-DD' under staffing (the last day of the 12 months the figures cover)"),
    ("food_hygiene:\n  rating: '6'\n  date: 2025-01-01\n",
     "providers/t.yaml:7: food_hygiene.rating: '6' is not allowed; use one of '0', '1', '2', '3', '4', '5', 'Awaiting inspection', 'Exempt'"),
    ("food_hygiene:\n  rating: 5\n  date: 2025-01-01\n",
     "providers/t.yaml:7: food_hygiene.rating: must be text, but it was read as a number; put it in quotes, like rating: \"5\""),
    ("user_rating:\n  score: 11\n  out_of: 10\n  source: x\n  date: 2026-01-01\n",
     "providers/t.yaml:7: user_rating.score: is 11 but user_rating.out_of is 10; the score cannot be above the top of the scale"),
    ("maintainers: someone\n",
     "providers/t.yaml:6: maintainers: must be a list; write each item on its own line starting with '- ', or [someone]"),
    ("maintainers:\n  - 'bad name!'\n",
     "providers/t.yaml:6: maintainers: item 1 'bad name!' is not a repository username (letters, digits, single hyphens)"),
    ("care:\n  acute_trusts: [A; B]\n",
     "providers/t.yaml:7: care.acute_trusts: item 1 must not contain ';' (it separates items in the CSV download)"),
    ("description: ' leading space'\n",
     "providers/t.yaml:6: description: has spaces or line breaks at the start or end; remove them"),
    ("care: yes\n",
     "providers/t.yaml:6: care: must be a group of 'key: value' lines indented under it, not yes/no"),
    # the only line of a group written without its colon: the group's value is that text
    ("address:\n  town Hereford\n",
     "providers/t.yaml:6: address: must be a group of 'key: value' lines indented under it, not 'town Hereford'; "
     "'town' needs a colon after it: write 'town: Hereford'"),
    ("address: town\n",
     "providers/t.yaml:6: address: must be a group of 'key: value' lines indented under it, not 'town'; "
     "'town' needs a colon after it: write 'town:' and its value"),
    ("address:\n  town " + "Hereford " * 2000 + "\n",  # a long value: shown in part, as the value is
     "providers/t.yaml:6: address: must be a group of 'key: value' lines indented under it, not 'town Hereford Hereford "
     "Hereford Hereford Hereford Herefor...'; 'town' needs a colon after it: write 'town: Hereford Hereford "
     "Hereford Hereford Hereford Hereford Her...'"),
    ("address:\n  somewhere nice\n",  # not a field of the group: no colon to suggest
     "providers/t.yaml:6: address: must be a group of 'key: value' lines indented under it, not 'somewhere nice'"),
    # a rating history item the report cannot read (report.history leaves it out): refused, not published as it is
    ("cqc:\n  rating_history:\n  - 2022-08-26 Good\n  - 2019-02-30 Good\n",
     "providers/t.yaml:7: cqc.rating_history: item 2 '2019-02-30 Good' is not a real date; check the day and month (YYYY-MM-DD)"),
    ("cqc:\n  rating_history_safe:\n  - 2099-08-26 Inadequate\n",
     "providers/t.yaml:7: cqc.rating_history_safe: item 1 '2099-08-26 Inadequate' is in the future (today is 2026-11-23); "
     "give the date CQC published the rating"),
    ("cqc:\n  rating_history_well_led:\n  - 2022-08-26 Superb\n",
     "providers/t.yaml:7: cqc.rating_history_well_led: item 1 '2022-08-26 Superb' is not a date and a CQC rating, like "
     "'2022-02-23 Requires improvement' (the rating Outstanding, Good, Requires improvement or Inadequate); correct it "
     "from CQC's reports, or import the register again"),
    ("cqc:\n  rating_history:\n  - Good 2022-08-26\n",
     "providers/t.yaml:7: cqc.rating_history: item 1 'Good 2022-08-26' is not a date and a CQC rating, like "
     "'2022-02-23 Requires improvement' (the rating Outstanding, Good, Requires improvement or Inadequate); correct it "
     "from CQC's reports, or import the register again"),
    # a CQC report's address is a page of CQC's own site; an FHRS ID is a whole number JavaScript holds exactly
    ("cqc:\n  report_url: https://evil.example/x\n",
     "providers/t.yaml:7: cqc.report_url: 'https://evil.example/x' is not in the right form; write it like "
     "https://www.cqc.org.uk/location/1-000000001"),
    ("food_hygiene:\n  fhrs_id: 12345678901234567890\n",
     "providers/t.yaml:7: food_hygiene.fhrs_id: is 12345678901234567890, above the highest allowed value 999999999"),
])
def test_rule_messages(body, expected):
    assert problems(body) == ([expected] if expected else [])


def test_a_rating_imported_from_a_register_that_does_not_date_it_is_allowed():
    """CQC's 2025 market file gives each rating with no date of its own (its 'Publication Date' is the registration
    date), so import-cqc leaves cqc.rating_date out and dates the rating by cqc.imported; a rating typed without
    either date is still refused."""
    assert problems("cqc:\n  rating: Good\n  imported: 2025-08-26\n") == []
    assert problems("cqc:\n  rating: Good\n") == [
        "providers/t.yaml:7: cqc.rating: 'Good' is given without cqc.rating_date; add the date CQC published the rating"]


def test_a_description_link_the_page_cannot_show_is_a_warning_for_each_saying_what_the_page_shows():
    """The page showed '[this](www.example.org)' as 'this', its address gone, while check said the address was
    'shown as plain text'. The page now shows 'this (www.example.org)', and a javascript: address is left out (its
    words alone): check says which, quoting what the page shows, and the profile is still used."""
    assert problems("description: 'See [our page](javascript:alert(1)) and [this](www.example.org), "
                    "[ok](https://example.org/a_(b)).'\n") == [
        "providers/t.yaml:6: warning: description: the link to 'javascript:alert(1)' is left out, not shown: the page "
        "shows 'our page' alone, not as a link. A link must be a whole web address starting https:// or http://, or a "
        "mailto: or tel: link, like [our website](https://www.example.org)",
        "providers/t.yaml:6: warning: description: the link to 'www.example.org' is shown as plain text, not a link: "
        "the page shows 'this (www.example.org)'. A link must be a whole web address starting https:// or http://, or "
        "a mailto: or tel: link, like [our website](https://www.example.org)"]


def test_a_picture_with_an_address_no_link_may_have_is_one_warning_not_two_that_disagree():
    """'![garden](www.example.org/g.jpg)' was said to be both 'shown as plain text, not a link' and 'shown as a link
    to it': the page shows no link, so the one warning says what it shows."""
    assert problems("description: '![garden](www.example.org/g.jpg)'\n") == [
        "providers/t.yaml:6: warning: description: the link to 'www.example.org/g.jpg' is shown as plain text, not a "
        "link: the page shows 'garden (www.example.org/g.jpg)'. A link must be a whole web address starting https:// "
        "or http://, or a mailto: or tel: link, like [our website](https://www.example.org)"]


def test_html_tags_in_a_description_are_a_warning_saying_the_page_shows_them_as_typed():
    """'<b>lovely</b>' is shown on the page as typed (safetext.markdown_lite escapes it): check says so once, naming
    each tag once, and the profile is still used; '< 65' and '<3' are no tags."""
    assert problems("description: \"We are a <b>lovely</b> home for ages < 65 <3\\n\\n<br/>With a <i>garden</i>.\"\n") == [
        "providers/t.yaml:6: warning: description: '<b>', '<br/>' and '<i>' are HTML tags, which the page shows as typed, "
        "not as formatting: take them out. The page shows plain text, in which a blank line starts a new paragraph and "
        "**bold** or *italic* marks words"]
    assert problems("description: 'A <p>quiet</p> home'\n") == [
        "providers/t.yaml:6: warning: description: '<p>' is an HTML tag, which the page shows as typed, not as formatting: "
        "take it out. The page shows plain text, in which a blank line starts a new paragraph and **bold** or *italic* "
        "marks words"]
    assert problems("description: 'Ages < 65, and 3 > 2 <3'\n") == []


def test_a_picture_and_a_reference_link_in_a_description_are_warnings():
    """A picture is shown as a link to it and a reference link as it is written (safetext.markdown_lite): check
    says so for each, with what to write instead, and the profile is still used."""
    assert problems("description: \"![Our garden](https://example.org/g.jpg) and [our site][1]\\n\\n"
                    "[1]: https://example.org\"\n") == [
        "providers/t.yaml:6: warning: description: the picture 'https://example.org/g.jpg' is shown as a link to it, "
        "not as a picture: a profile page shows no pictures; to link to it, write "
        "[a photo of our garden](https://www.example.org/garden.jpg)",
        "providers/t.yaml:6: warning: description: '[our site][1]' is shown as it is written, not as a link: write the "
        "address in the link itself, like [our website](https://www.example.org)",
        "providers/t.yaml:6: warning: description: '[1]: h' is shown as it is written, not as a link: write the "
        "address in the link itself, like [our website](https://www.example.org)"]


def test_required_fields_missing():
    assert problems("", head="example: true\n") == [
        "providers/t.yaml:1: location_id: is missing; add 'location_id: 1-000000001' (CQC location ID)",
        "providers/t.yaml:1: slug: is missing; add 'slug: example-house' (Page name)",
        "providers/t.yaml:1: name: is missing; add 'name: Example House (fictional)' (Name of care home)",
        "providers/t.yaml:1: locality: is missing; add 'locality: Herefordshire' (Locality)",
    ]



def test_a_required_field_with_nothing_after_its_colon_is_empty_at_its_line():
    assert problems("", head="location_id: 1-000000301\nslug: t\nexample: true\nname:\nlocality: ''\n") == [
        "providers/t.yaml:5: locality: is empty, and every profile needs it; write it after the colon, like "
        "'locality: Herefordshire' (Locality)",
        "providers/t.yaml:4: name: is empty, and every profile needs it; write it after the colon, like "
        "'name: Example House (fictional)' (Name of care home)",
    ]


def test_all_problems_are_collected():
    found = problems("contact:\n  phone: '1'\n  email: x\nbeds:\n  nursing:\n    total: -3\n")
    assert [p.split(": ")[1] for p in found] == ["contact.phone", "contact.email", "beds.nursing.total"]


def test_a_key_yaml_would_read_as_yes_no_or_empty_is_named_as_written_at_its_line():
    # YAML 1.1 reads the key 'no' as False, 'on' as True and '~' as null: the message said 'False' on line 1
    assert problems("contact:\n  manager: Jo\nno: 1\ncare:\n  on: yes\n~: x\n1.50: y\n") == [
        "providers/t.yaml:8: no: is not a known field; fields allowed at the top level are: address, beds, capabilities, "
        "care, contact, coverage, cqc, description, example, fees, food_hygiene, homecare, kinds, locality, location_id, "
        "maintainers, name, provider, slug, staffing, user_rating",
        "providers/t.yaml:10: care.on: is not a known field; fields allowed under 'care' are: acute_trusts, nursing, "
        "residential, user_bands, weekend_admissions, weekend_assessments",
        "providers/t.yaml:11: ~: is not a known field; fields allowed at the top level are: address, beds, capabilities, "
        "care, contact, coverage, cqc, description, example, fees, food_hygiene, homecare, kinds, locality, location_id, "
        "maintainers, name, provider, slug, staffing, user_rating",
        "providers/t.yaml:12: 1.50: is not a known field; fields allowed at the top level are: address, beds, capabilities, "
        "care, contact, coverage, cqc, description, example, fees, food_hygiene, homecare, kinds, locality, location_id, "
        "maintainers, name, provider, slug, staffing, user_rating",
    ]


@pytest.mark.parametrize("text, expected", [
    ("name: [unclosed\n", "providers/t.yaml:2:1: yaml: did not find expected ',' or ']'; compare this line with providers/_template.yaml"),
    ("name: a\n  bad: indent\n", "providers/t.yaml:2:6: yaml: mapping values are not allowed in this context; check the indentation, and put text containing ': ' in quotes"),
    ("name: a\nname: b\n", "providers/t.yaml:2: name: appears twice (first on line 1); keep one of them"),
    # from the providers' review: a username as a value, YAML's 'found character that cannot start any token'
    ("name: a\ncontact:\n  manager: @sarahj\n",
     "providers/t.yaml:3:12: yaml: a value cannot start with '@' unless it is in quotes; write manager: \"@sarahj\""),
    # a group's heading line deleted (providers' review: the advice to keep one of them deleted the fees' date)
    ("user_rating:\n  score: 9\n  date: 2026-10-01\n  nursing_from: 1150\n  residential_from: 890\n  date: 2026-04-01\n",
     "providers/t.yaml:6: user_rating.date: appears twice (first on line 3); the lines from line 4 on look like those of "
     "'fees': if its heading line 'fees:' was deleted, put it back above line 4; else keep one of them"),
    ("care:\n  nursing: yes\n  weekend_admissions: no\n  registered: 20\n  nursing:\n    total: 10\n",
     "providers/t.yaml:5: care.nursing: appears twice (first on line 2); the lines from line 4 on look like those of "
     "'beds': if its heading line 'beds:' was deleted, put it back above line 4; else keep one of them"),
    ("care:\n  nursing: yes\n  nursing: no\n", "providers/t.yaml:3: care.nursing: appears twice (first on line 2); keep one of them"),
    # siblings of the same fields (each need's answer and beds): no heading is named, never the wrong one (code review)
    ("capabilities:\n  tracheostomy:\n    accepted: yes\n    nursing_beds: 1\n    accepted: yes\n",
     "providers/t.yaml:5: capabilities.tracheostomy.accepted: appears twice (first on line 3); keep one of them"),
    ("a: [1]\nb: *x\n", "providers/t.yaml:2:4: yaml: found undefined alias; anchors and aliases (& and *) are not used in profiles"),
    ("a: &x [1]\nb: *x\n", "providers/t.yaml:1:4: yaml: anchors and aliases (& and *) are not used in profiles; remove '&x'"),
    ("name: a\rslug: b\n", "providers/t.yaml:1:8: yaml: contains a carriage return (\\r) without a line feed; save the file with ordinary line endings"),
    ("name: a\u2028b\n", "providers/t.yaml:1:8: yaml: contains the character U+2028 LINE SEPARATOR, which YAML readers disagree on; delete it"),
    ("description: >-#\n  text\n", "providers/t.yaml:1:16: yaml: put a space before the '#' after '>' (a comment needs a space before it)"),
    ("a: 1\n&staffing:\n  b: 1\n", "providers/t.yaml:2:1: yaml: anchors and aliases (& and *) are not used in profiles; remove '&staffing'"),
    ("care:\n  &residential: yes\n", "providers/t.yaml:2:3: yaml: anchors and aliases (& and *) are not used in profiles; remove '&residential'"),
    ("", "providers/t.yaml:1: file: is empty; copy providers/_template.yaml to start a profile"),
    ("- a\n- b\n", "providers/t.yaml:1: file: must be a list of 'key: value' lines, starting with location_id:"),
    ("name: x\n\tslug: y\n", "providers/t.yaml:2:1: yaml: this line is indented with a tab; use spaces, not tabs"),
    ("name:\tx\n", "providers/t.yaml:1:6: yaml: there is a tab after 'name:'; use spaces, not tabs"),
    ("name: a\tb\n", "providers/t.yaml:1:8: yaml: there is a tab on this line (only text in quotes may hold one); use spaces, not tabs"),
    ("name: a\t\nslug: b\n", "providers/t.yaml:1:8: yaml: there is a tab on this line (only text in quotes may hold one); use spaces, not tabs"),
    ("name: a\n\t\nslug: b\n", "providers/t.yaml:2:1: yaml: this empty line holds a tab; delete the tab"),
    ("contact:\n  -\tx\n", "providers/t.yaml:2:4: yaml: there is a tab after '-'; use spaces, not tabs"),
    ("a: 1\nb:\n\tc: 2\n", "providers/t.yaml:3:1: yaml: this line is indented with a tab; use spaces, not tabs"),
    ("location_id: x\nname:Foo\nlocality: y\n",
     "providers/t.yaml:2:6: yaml: 'name:' needs a space after the colon; write 'name: ' and then the value"),
    # a colon left out: the parser stops on a later line (or a comment after it); the line to mend is named
    ("location_id: x\nslug y\nname: z\n",
     "providers/t.yaml:2:5: yaml: 'slug' needs a colon after it; write 'slug: y'"),
    ("address:\n  street: 1 Example Street\n  town Hereford\n  postcode: HR1 1TJ\n",
     "providers/t.yaml:3:7: yaml: 'town' needs a colon after it; write 'town: Hereford'"),
    ("name: x\n# c\n\nslug y\n\n# c\nlocality: z\n",
     "providers/t.yaml:4:5: yaml: 'slug' needs a colon after it; write 'slug: y'"),
    ("name: x\nslug y\n", "providers/t.yaml:2:5: yaml: 'slug' needs a colon after it; write 'slug: y'"),
    # a field name with a letter from outside English (a steward's keyboard): named as any other
    ("address:\n  street: 1 Example Street\n  tówn Hereford\n  postcode: HR1 1TJ\n",
     "providers/t.yaml:3:7: yaml: 'tówn' needs a colon after it; write 'tówn: Hereford'"),
    ("location_id: x\nnäme:Foo\nlocality: y\n",
     "providers/t.yaml:2:6: yaml: 'näme:' needs a space after the colon; write 'näme: ' and then the value"),
    ("maintainers:\n- a\nslug\nname: z\n", "providers/t.yaml:3:5: yaml: 'slug' needs a colon after it; write 'slug:'"),
    # a value with a colon not followed by a space (a web address), or a comment after it: the line is still named
    ("name: x\nwebsite https://x.example\nslug: y\n",
     "providers/t.yaml:2:8: yaml: 'website' needs a colon after it; write 'website: https://x.example'"),
    ("name: x\nwebsite https://x.example", "providers/t.yaml:2:8: yaml: 'website' needs a colon after it; write 'website: https://x.example'"),
    ("name: x\nslug y # the page\nlocality: z\n", "providers/t.yaml:2:5: yaml: 'slug' needs a colon after it; write 'slug: y'"),
    ("name: x\nstreet Flat#2 Example Street\nlocality: z\n",
     "providers/t.yaml:2:7: yaml: 'street' needs a colon after it; write 'street: Flat#2 Example Street'"),
    ("name: x\ntown " + "Hereford " * 2000 + "\nslug: y\n",  # a long value: shown in part
     "providers/t.yaml:2:5: yaml: 'town' needs a colon after it; write 'town: Hereford Hereford Hereford Hereford "
     "Hereford Hereford Her...'"),
    # saved with Windows line endings: the line's carriage return is not part of what to write
    ("address:\r\n  street: 1 Example Street\r\n  town Hereford\r\n  postcode: HR1 1TJ\r\n",
     "providers/t.yaml:3:7: yaml: 'town' needs a colon after it; write 'town: Hereford'"),
    # more indented than the next field, a line without a colon carries on the text above: not named
    ("description: A lovely\n  home\nname: Foo: x\n",
     "providers/t.yaml:3:10: yaml: mapping values are not allowed in this context; check the indentation, and put text "
     "containing ': ' in quotes"),
    ("location_id: x\nname: \"Foo\nlocality: y\nslug: z\n",
     "providers/t.yaml:2:7: yaml: this quote is not closed; end the text with the same quote mark on this line, or remove the opening quote"),
    ("address:\n  town: 'Hereford\n  postcode: HR1 1TJ\nfood_hygiene:\n  rating: '5'\n",
     "providers/t.yaml:2:9: yaml: this quote is not closed; end the text with the same quote mark on this line, or remove the opening quote"),
    # a quote left open above a long value fmt writes over two lines (quoted, the lines after it indented): the open
    # quote's line is named, not the long value's (the provider review: line 97 was named for line 20)
    ("contact:\n  manager: \"Jo Bloggs\n  phone: 01432 000000\ndescription: \"A long text that runs\n  on to a second line\"\n",
     "providers/t.yaml:2:12: yaml: this quote is not closed; end the text with the same quote mark on this line, or remove the opening quote"),
    # curly quotes pasted from a word processor are no quote marks to YAML: said, with the field and what to write
    ("contact:\n  manager: \u201cJo Bloggs: Registered Manager\u201d\n  phone: 01432 000000\n",
     "providers/t.yaml:2:12: contact.manager: the value is in curly quotes (\u201c \u201d), which are not quote marks to YAML, so "
     "the ': ' in it reads as the start of another field; type straight quotes (\") instead; write manager: \"Jo Bloggs: "
     "Registered Manager\""),
    # a long value's closing quote deleted: its own line (the lines after it never close it: the hostile review)
    ("description: \"We are\n  a home\ncontact:\n  manager: \"Jane Smith\"\n",
     "providers/t.yaml:1:14: yaml: this quote is not closed; end the text with the same quote mark on this line, or remove the opening quote"),
    # saved with Windows line endings, the field still named by its indentation; no closing quote, none said
    ("contact:\r\n  manager: \u201cJane: Smith\r\n",
     "providers/t.yaml:2:12: contact.manager: the value is in curly quotes (\u201c), which are not quote marks to YAML, so "
     "the ': ' in it reads as the start of another field; type straight quotes (\") instead; write manager: \"Jane: Smith\""),
    ("name: \u2018Rose: House\u2019\n",
     "providers/t.yaml:1:7: name: the value is in curly quotes (\u2018 \u2019), which are not quote marks to YAML, so the ': ' in "
     "it reads as the start of another field; type straight quotes (\") instead; write name: \"Rose: House\""),
    ("beds:\n  registered: 1:00\n",
     "providers/t.yaml:2: beds.registered: '1:00' is read by YAML as a time in base 60, not as written; write a plain whole number (like 60), or put text (like a phone number) in quotes"),
    ("beds:\n  registered: 0x1F\n",
     "providers/t.yaml:2: beds.registered: '0x1F' is written in a form YAML reads as another number; write a plain whole number (like 60), or put text (like a phone number) in quotes"),
    ("beds:\n  registered: " + "7" * 5000 + "\n",
     "providers/t.yaml:2: beds.registered: is a number 5,000 digits long; no field takes a number that large, so write the real figure"),
    ("- - - - - - - - - - - - x\n", "providers/t.yaml:1: yaml: is nested more than 10 levels deep; compare it with providers/_template.yaml"),
    ("a: 'x'\nb: " + "[" * 3000 + "\n", "providers/t.yaml:2: b: is nested more than 10 levels deep; compare it with providers/_template.yaml"),
    ("a#b: " + "[" * 30000 + "]" * 30000 + "\n", "providers/t.yaml:1: yaml: is nested more than 10 levels deep; compare it with providers/_template.yaml"),
    ("x: y\n" + "- " * 30000 + "a\n", "providers/t.yaml:2: yaml: is nested more than 10 levels deep; compare it with providers/_template.yaml"),
    ("a: \"\ufffe\"\n", "providers/t.yaml:1: yaml: contains the character U+FFFE NONCHARACTER, which is not allowed in a profile; retype the text without it"),
    # a backslash in double quotes that starts no code: it was 'this quote is not closed', on a quote that is closed
    ("a: 1\ndescription: \"Files in C:\\Users\\q\"\n",
     "providers/t.yaml:2:26: yaml: '\\U' cannot be read: in double quotes a backslash starts a code (such as \\n), and this "
     "is not one; write \\\\ for a backslash, type the character itself, or put the text in single quotes"),
    ("name: \"Fun \\ud83d\\ude00\"\n",
     "providers/t.yaml:1:12: yaml: '\\ud83d' cannot be read: in double quotes a backslash starts a code (such as \\n), and "
     "this is not one; write \\\\ for a backslash, type the character itself, or put the text in single quotes"),
    ("name: \"24\\7 care\"\n",
     "providers/t.yaml:1:10: yaml: '\\7' cannot be read: in double quotes a backslash starts a code (such as \\n), and "
     "this is not one; write \\\\ for a backslash, type the character itself, or put the text in single quotes"),
])
def test_yaml_syntax_messages(text, expected):
    _, found = parse_profile(text, "providers/t.yaml")
    assert [str(p) for p in found] == [expected]


def test_a_value_of_an_equals_sign_alone_is_text():
    # it was "could not determine a constructor for the tag 'tag:yaml.org,2002:value'"
    assert problems("contact:\n  manager: =\n") == []
    assert parse_profile(HEAD + "contact:\n  manager: =\n", "p.yaml")[0].data["contact"] == {"manager": "="}


def test_brackets_in_quotes_and_block_text_are_not_nesting():
    text = "a: [x, 'y]', \"z\\\"]\"]\nb: {c: [1, 2]}\nd: |\n  " + "[" * 40 + "\n  text\ne: it's [x]\n"
    profile, found = parse_profile(text, "p.yaml")
    assert found == [] and profile is not None and profile.data["e"] == "it's [x]"


def test_a_value_read_as_a_comment_is_a_warning():
    profile, found = parse_profile(HEAD + "contact:\n  manager: #Jane Smith\n", "providers/t.yaml")
    assert profile is not None and profile.data["contact"] == {"manager": None}
    assert [str(p) for p in found] == [
        "providers/t.yaml:7: warning: contact.manager: is empty because YAML reads the text after '#' as a comment. "
        "Is this a comment? If '#Jane Smith' is the value, put the text in quotes: manager: \"#Jane Smith\""]
    assert found[0].github().startswith("::warning file=providers/t.yaml,line=7,title=contact.manager::is empty")


def test_deep_nesting_is_refused_not_crashing():
    _, found = parse_profile("location_id: " + "[" * 20000 + "]" * 20000 + "\n", "p.yaml")
    assert [str(p) for p in found] == ["p.yaml:1: location_id: is nested more than 10 levels deep; compare it with providers/_template.yaml"]


@pytest.mark.parametrize("text, expected", [
    ("care:\n  nursing: 'yes'\n", "providers/t.yaml:7: care.nursing: must be yes or no without quotes: nursing: yes"),
    ("address:\n  longitude: .nan\n", "providers/t.yaml:7: address.longitude: must be a number, not .nan"),
    ("fees:\n  residential_from: -0.0\n  date: 2026-04-01\n", "providers/t.yaml:7: fees.residential_from: is -0.0; write 0"),
    # pounds and pence (the schema's decimalPlaces): 850.555 was published as it is and shown as £850.56
    ("fees:\n  residential_from: 850.555\n  date: 2026-04-01\n",
     "providers/t.yaml:7: fees.residential_from: is 850.555, with 3 decimal places; it takes at most 2: write 850.56"),
    ("fees:\n  nursing_to: 1200.005\n  date: 2026-04-01\n",
     "providers/t.yaml:7: fees.nursing_to: is 1200.005, with 3 decimal places; it takes at most 2: write 1200.01"),
    ("fees:\n  residential_from: 0.001\n  date: 2026-04-01\n",
     "providers/t.yaml:7: fees.residential_from: is 0.001, with 3 decimal places; it takes at most 2: write 0"),
    ("fees:\n  residential_from: 5.0e-324\n  date: 2026-04-01\n",  # said as YAML wrote it, not as 324 figures
     "providers/t.yaml:7: fees.residential_from: is 5e-324, with 324 decimal places; it takes at most 2: write 0"),
    ("beds:\n  registered: 99999999999999999999\n", "providers/t.yaml:7: beds.registered: is 99999999999999999999, above the highest allowed value 1000"),
    ("cqc:\n  rating_date: 2020-01-01 10:00:00\n", "providers/t.yaml:7: cqc.rating_date: must be a date without a time; write 2020-01-01"),
    ("name: [a, b]\n", "providers/t.yaml:5: name: must be text, not a list"),
    ("fees:\n  residential_from: 1e309\n  date: 2026-04-01\n",  # YAML 1.1 reads it as text: no "not '1e309'" alone
     "providers/t.yaml:7: fees.residential_from: must be a number written in figures, like 1500 or 12.5, not with an exponent ('1e309')"),
])
def test_odd_values(text, expected):
    assert problems(text, head=HEAD.replace("name: Test Home (fictional)\n", "") if text.startswith("name") else HEAD)[-1:] == [expected]


def test_money_in_pounds_and_pence_and_other_numbers_with_decimals_are_accepted():
    assert problems("fees:\n  residential_from: 850.5\n  residential_to: 900.25\n  nursing_from: 1000.0\n  date: 2026-04-01\n") == []
    assert problems("staffing:\n  staff_turnover_percent: 22.125\n  date: 2026-04-01\n") == []  # no decimalPlaces: any
    assert "at most 2 decimal places" in (ROOT / "docs" / "data.md").read_text(encoding="utf-8")


def test_python_tags_are_refused():
    _, found = parse_profile("location_id: !!python/object:os.system ls\n", "p.yaml")
    assert [str(p) for p in found] == ["p.yaml:1:14: yaml: tags (such as '!!python/object:os.system') are not used in "
                                       "profiles: remove '!!python/object:os.system' and write the value as it is, in "
                                       "quotes if it starts with '!'"]


@pytest.mark.parametrize("text, tag", [("name: !!binary QXN0b24gSG91c2U=\n", "!!binary"), ("name: !!int \"5\"\n", "!!int"),
                                       ("beds:\n  registered: !!str 16\n", "!!str"), ("kinds:\n  - !x care_home\n", "!x"),
                                       # the reviews of the rule: two spaces before it, a line of its own, in brackets, on a key
                                       ("beds:\n  registered:  !!binary NDA=\n", "!!binary"), ("beds:\n  !!map\n  registered: 4\n", "!!map"),
                                       ("beds: {registered: !!int 16}\n", "!!int"), ("beds: {!!str registered: 16}\n", "!!str"),
                                       ("maintainers: [!custom b]\n", "!custom"), ("beds:\n  !!str nursing: false\n", "!!str")])
def test_a_yaml_tag_is_named_and_refused(text, tag):
    """The hostile-input review: tags got parser words ("must be text, not 'b'Aston House''"), or wrong advice ("put it
    in quotes" of a value quoted already, "remove the quotes" of one with none). One rule names the tag, as for anchors."""
    _, found = parse_profile(text, "p.yaml")
    assert [p.message for p in found] == [f"tags (such as '{tag}') are not used in profiles: remove '{tag}' and write the "
                                          "value as it is, in quotes if it starts with '!'"]


def test_billion_laughs_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    _, found = parse_profile(bomb, "p.yaml")
    assert found and all("aliases" in p.message for p in found)


def test_cross_file_rules():
    a = Profile("providers/a.yaml", {"location_id": "1-1", "slug": "a"})
    b = Profile("providers/b.yaml", {"location_id": "1-1", "slug": "bee"}, {"location_id": 2, "slug": 3})
    assert [str(p) for p in check_files([b, a])] == [
        "providers/b.yaml:2: location_id: 1-1 is also used by providers/a.yaml; each home has one profile, so merge the two",
        "providers/b.yaml:3: slug: is 'bee' but the file is named b.yaml; rename the file to bee.yaml or change the slug",
    ]


def test_hostile_text_is_reported_not_crashing():
    found = problems("name: \"Evil\\u0000Home\"\n", head=HEAD.replace("name: Test Home (fictional)\n", ""))
    assert found == ["providers/t.yaml:5: name: contains the invisible character U+0000 CONTROL CHARACTER; retype the text without it: 'Evil\\x00Home'"]
    found = problems("description: \"bidi \\u202e trick\"\n")
    assert found == ["providers/t.yaml:6: description: contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE; retype the text without it: 'bidi \\u202e trick'"]


@pytest.mark.parametrize("escaped, named", [
    ("\\u200b", "U+200B ZERO WIDTH SPACE"), ("\\u00ad", "U+00AD SOFT HYPHEN"), ("\\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ("\\x85", "U+0085 CONTROL CHARACTER"), ("\\x07", "U+0007 CONTROL CHARACTER"), ("\\uffff", "U+FFFF NONCHARACTER"),
    ("\\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    # blank letters a name can be made of (hangul fillers, the braille blank), more default-ignorable characters and
    # noncharacters beyond the first planes: each is shown escaped in the quote, since it cannot be seen there
    ("\\u3164", "U+3164 HANGUL FILLER"), ("\\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER"),
    ("\\u115f", "U+115F HANGUL CHOSEONG FILLER"), ("\\u2800", "U+2800 BRAILLE PATTERN BLANK"),
    ("\\u17b4", "U+17B4 KHMER VOWEL INHERENT AQ"), ("\\U0001bca1", "U+1BCA1 SHORTHAND FORMAT CONTINUING OVERLAP"),
    ("\\U0010ffff", "U+10FFFF NONCHARACTER"),
    # the private use areas: no standard look, and two of them mark an age in a page kept across days (ages.age_mark)
    ("\\ue000", "U+E000 PRIVATE USE CHARACTER"), ("\\uf8ff", "U+F8FF PRIVATE USE CHARACTER"),
    ("\\U000f0000", "U+F0000 PRIVATE USE CHARACTER"), ("\\U0010fffd", "U+10FFFD PRIVATE USE CHARACTER"),
])
def test_invisible_characters_are_named(escaped, named):
    head = HEAD.replace("name: Test Home (fictional)\n", "")
    seen = escaped.replace("\\u00ad", "\\xad")  # quoted as Python writes it
    assert problems(f'name: "Test{escaped} Home (fictional)"\n', head=head) == [
        f"providers/t.yaml:5: name: contains the invisible character {named}; retype the text without it: 'Test{seen} Home (fictional)'"]
    assert problems(f'care:\n  acute_trusts: ["Wye{escaped} Valley NHS Trust"]\n') == [
        f"providers/t.yaml:7: care.acute_trusts: item 1 contains the invisible character {named}; retype the text without it: "
        f"'Wye{seen} Valley NHS Trust'"]


# Emoji a phone types: joined by U+200D ZERO WIDTH JOINER (a nurse, a family, the rainbow flag), with U+FE0F (a red
# heart), a skin tone, a keycap, the flag of Wales (tag characters). Each joiner, selector and tag is part of what is seen.
PHONE_EMOJI = ["\U0001f469\u200d\u2695\ufe0f", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f3f3\ufe0f\u200d\U0001f308",
               "\u2764\ufe0f", "\U0001f44b\U0001f3fd", "1\ufe0f\u20e3", "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"]


@pytest.mark.parametrize("emoji", PHONE_EMOJI)
def test_an_emoji_typed_on_a_phone_is_not_hidden_text(emoji):
    """A description typed on a phone with a nurse emoji was refused as holding 'the invisible character U+200D ZERO
    WIDTH JOINER', which is what joins the woman and the staff into one nurse."""
    assert problems(f'description: "We welcome everyone {emoji}"\n') == []
    assert problems(f'care:\n  acute_trusts: ["Wye Valley NHS Trust {emoji}"]\n') == []


@pytest.mark.parametrize("text, named, quoted", [
    ("a\u200db", "U+200D ZERO WIDTH JOINER", "a\\u200db"),  # between letters
    ("\u200d\U0001f469", "U+200D ZERO WIDTH JOINER", "\\u200d\U0001f469"),  # at the start of an emoji
    ("\U0001f469\u200d", "U+200D ZERO WIDTH JOINER", "\U0001f469\\u200d"),  # at its end
    ("\U0001f469\u200d\u200d\u2695", "U+200D ZERO WIDTH JOINER", "\U0001f469\\u200d\\u200d\u2695"),  # twice
    ("a\ufe0fb", "U+FE0F VARIATION SELECTOR-16", "a\\ufe0fb"),  # after a letter
    ("\u2764\ufe0f\ufe0f", "U+FE0F VARIATION SELECTOR-16", "\u2764\ufe0f\\ufe0f"),  # twice: the second
    ("\U0001f600\U000e0100\U000e0101", "U+E0100 VARIATION SELECTOR-17", "\U0001f600\\U000e0100\\U000e0101"),  # text hidden
    ("\U0001f3f4\U000e0068\U000e0069\U000e007f", "U+E0068 TAG LATIN SMALL LETTER H", "\U0001f3f4\\U000e0068\\U000e0069\\U000e007f"),
    # the joiner in an emoji is not the one named (a terminal's line shows every joiner escaped, safetext.shown)
    ("\U0001f469\u200d\u2695\ufe0f a\u200bb", "U+200B ZERO WIDTH SPACE", "\U0001f469\\u200d\u2695\ufe0f a\\u200bb"),
])
def test_a_joiner_or_selector_outside_an_emoji_is_still_hidden_text(text, named, quoted):
    assert problems(f'description: "Hello {text}"\n') == [
        f"providers/t.yaml:6: description: contains the invisible character {named}; retype the text without it: 'Hello {quoted}'"]


def test_over_long_text_is_refused():
    assert problems("care:\n  acute_trusts: [" + "x" * 131073 + "]\n") == [
        "providers/t.yaml:7: care.acute_trusts: item 1 is 131,073 characters long; shorten it to 200 or fewer"]
    assert problems("description: " + "y" * 3001 + "\n") == [
        "providers/t.yaml:6: description: is 3,001 characters long; shorten it to 3,000 or fewer"]
    # a space at the end too: both said at once (it said only the space, then the length on the next run)
    assert problems('description: "' + "y" * 3001 + ' "\n') == [
        "providers/t.yaml:6: description: has spaces or line breaks at the start or end, and is 3,001 characters long "
        "without them; remove them, and shorten it to 3,000 or fewer"]
    assert problems('description: "' + "y" * 3000 + ' "\n') == [
        "providers/t.yaml:6: description: has spaces or line breaks at the start or end; remove them"]


@pytest.mark.parametrize("body, expected", [
    ("beds:\n  registered: 20\n  nursing:\n    available: 25\n  confirmed: 2026-11-20\n",
     "providers/t.yaml:9: beds.nursing.available: is 25 but beds.registered is 20; free beds cannot be more than the beds there are"),
    ("beds:\n  registered: 20\n  nursing:\n    available: 12\n  residential:\n    available: 9\n  confirmed: 2026-11-20\n",
     "providers/t.yaml:11: beds.residential.available: free beds add up to 21 (nursing 12, residential 9) but beds.registered is 20; free beds cannot be more than the beds there are"),
    ("address:\n  postcode: ZZ99 9ZZ\n",
     "providers/t.yaml:7: address.postcode: 'ZZ99 9ZZ' is not a real postcode: there is no UK postcode area 'ZZ'; write the home's own postcode, like HR1 1TJ"),
])
def test_discharge_rules(body, expected):
    assert problems(body) == [expected]


def test_the_template_copied_with_only_the_slug_changed_is_refused():
    from carehomes.schema import ROOT

    text = (ROOT / "providers" / "_template.yaml").read_text(encoding="utf-8").replace("slug: example-house", "slug: sunny")
    profile, found = parse_profile(text, "providers/sunny.yaml")
    assert found == [] and profile is not None
    lines = text.splitlines()
    id_line, name_line = lines.index("location_id: 1-000000001") + 1, lines.index("name: Example House (fictional)") + 1
    assert [str(p) for p in check_profile(profile, on=TODAY) if p.field in ("location_id", "name", "example")] == [
        f"providers/sunny.yaml:{id_line}: location_id: 1-000000001 is the made-up example from providers/_template.yaml; write the home's own CQC location ID (from the address of its page on cqc.org.uk)",
        f"providers/sunny.yaml:{name_line}: name: 'Example House (fictional)' is the made-up example from providers/_template.yaml; write the home's name as registered with CQC",
    ]
    assert problems("", head=HEAD.replace("Test Home (fictional)", "Sunny Home")) == [
        "providers/t.yaml:3: example: is yes, which marks a made-up profile, but the name does not end in '(fictional)'; remove 'example: yes' from a real home, or add '(fictional)' to a made-up one's name"]
    assert problems("", head=HEAD.replace("example: true\n", "")) == [
        "providers/t.yaml:3: name: says '(fictional)' but the profile is not marked 'example: yes'; a real home's name must not say (fictional), and a made-up profile needs 'example: yes'"]


@pytest.mark.parametrize("template, slug, paths", [
    ("_template.yaml", "example-house", ["provider.name", "provider.cqc_id", "address.street", "address.postcode", "contact.website",
                                         "contact.phone", "contact.email", "contact.manager", "cqc.report_url", "cqc.phone",
                                         "cqc.website", "cqc.also_known_as", "cqc.rating_given_to", "cqc.previous_rating_given_to", "description"]),
    ("_template-home-care-agency.yaml", "example-home-care",
     ["provider.name", "provider.cqc_id", "address.street", "address.postcode", "contact.website", "contact.phone",
      "contact.email", "contact.manager", "cqc.report_url", "cqc.phone", "cqc.website", "cqc.also_known_as",
      "cqc.rating_given_to", "cqc.previous_rating_given_to", "description"]),
])
def test_a_real_home_made_from_the_template_keeps_none_of_its_made_up_text(template, slug, paths):
    """A steward adding a Devon home copied the template, gave it its own ID, name and page name, removed 'example: yes'
    and kept the other lines: check passed, and the page showed 'Example Care Ltd (fictional)' as its provider, the
    template's Hereford phone and enquiries@example.org as its contacts and the template's description."""
    from carehomes.schema import ROOT

    text = (ROOT / "providers" / template).read_text(encoding="utf-8")
    name = re.search(r"^name: (.*)$", text, flags=re.M)[1]
    text = (text.replace("location_id: 1-000000001", "location_id: 1-999888777").replace(f"slug: {slug}", "slug: moor-view")
            .replace(f"name: {name}", "name: Moor View").replace("example: yes\n", ""))
    profile, found = parse_profile(text, "areas/devon/providers/moor-view.yaml")
    assert found == [] and profile is not None
    lines = text.splitlines()
    leftovers = [p for p in check_profile(profile, on=TODAY) if "made-up example" in p.message]
    assert [p.field for p in leftovers] == paths
    street = next(p for p in leftovers if p.field == "address.street")
    assert str(street) == (f"areas/devon/providers/moor-view.yaml:{lines.index('  street: 1 Example Street') + 1}: address.street: "
                           f"'1 Example Street' is the made-up example from providers/{template}, not this service's; write its "
                           "own, or delete the line")
    # the same lines marked as a made-up profile are the template's own: nothing to say
    profile, _ = parse_profile(text.replace("name: Moor View", f"name: {name}\nexample: yes"), "areas/devon/providers/moor-view.yaml")
    assert not [p for p in check_profile(profile, on=TODAY) if "not this service" in p.message]


def test_a_real_home_may_have_the_templates_real_place_and_rating_site():
    """The template's locality, town and user rating source are real (Herefordshire, Hereford, carehome.co.uk): a real
    Hereford home holds them."""
    assert problems("address:\n  town: Hereford\nuser_rating:\n  score: 9\n  out_of: 10\n  source: carehome.co.uk\n"
                    "  date: 2026-11-01\n", head=HEAD.replace("example: true\n", "").replace("Test Home (fictional)", "Sunny Home")
                    .replace("Exampleshire", "Herefordshire")) == []
    assert problems("contact:\n  manager: Jo Example\n", head=HEAD.replace("example: true\n", "").replace(
        "Test Home (fictional)", "Sunny Home")) == [
        "providers/t.yaml:6: contact.manager: 'Jo Example' is the made-up example from providers/_template.yaml, not this "
        "service's; write its own, or delete the line"]


def test_github_annotation_format():
    profile, _ = parse_profile(HEAD + "beds:\n  nursing:\n    total: -1\n", "providers/t.yaml")
    [p] = check_profile(profile, on=TODAY)
    assert p.github() == "::error file=providers/t.yaml,line=8,title=beds.nursing.total::is -1, below the lowest allowed value 0"


def test_a_date_given_wrongly_is_one_problem_not_also_a_missing_date():
    """'confirmed: 04/12/2026' also drew 'free beds are given without beds.confirmed', which it was not."""
    assert problems("""\
        care:
          nursing: no
          residential: yes
        beds:
          residential:
            available: 1
          confirmed: 04/12/2026
        capabilities:
          confirmed: yesterday
          palliative_care:
            accepted: yes
        """) == [
        "providers/t.yaml:12: beds.confirmed: must be a date written YYYY-MM-DD, not '04/12/2026'; for 4 December 2026 write 2026-12-04",
        "providers/t.yaml:14: capabilities.confirmed: must be a date written YYYY-MM-DD, like 2026-11-01, not 'yesterday'",
    ]
    assert problems("care:\n  residential: yes\nbeds:\n  residential:\n    available: 1\n") == [
        "providers/t.yaml:8: beds: free beds are given without beds.confirmed; add 'confirmed: YYYY-MM-DD' under beds "
        "with the date you checked them"]


def test_a_date_not_written_as_a_date_is_named_once_not_again_as_missing(tmp_path):
    """From a provider's review: 'date: 05.12.2026' under fees gave its own message and a second, wrong one: "fees:
    figures are given without fees.date"."""
    from carehomes.load import parse_profile
    from carehomes.validate import check_profile

    text = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8")
    bad = re.sub(r"^  date: 2026-\d\d-\d\d$", "  date: 05.12.2026", text, flags=re.M)
    profile, problems = parse_profile(bad, "example-full.yaml")
    assert profile is not None, problems
    said = [f"{p.field}: {p.message}" for p in check_profile(profile, on=dt.date(2026, 11, 23))]
    assert said and all("must be a date written YYYY-MM-DD" in s for s in said), said
    assert sorted(s.split(":")[0] for s in said) == ["fees.date", "staffing.date", "user_rating.date"]


@pytest.mark.parametrize("field, value", [
    ("source", '"Care\\u200bReviews"'), ("out_of", "ten"),
])
def test_a_refused_value_is_reported_once_not_again_as_missing_by_the_rules_across_fields(field, value):
    """A user rating's source with an invisible character, or its scale not a number: one message, about that field,
    not also "is given without user_rating.<field>" on the score (the refused value is left out of the rules')."""
    fields = {"score": "8", "out_of": "10", "source": "Carehome reviews", "date": "2026-01-01"}
    fields[field] = value
    body = "user_rating:\n" + "".join(f"  {k}: {v}\n" for k, v in fields.items())
    found = problems(body)
    assert len(found) == 1 and found[0].startswith("providers/t.yaml:") and f": user_rating.{field}: " in found[0], found
