"""A result card with no number to ring says there is no phone number in our data, and links to its CQC page.

Millfield and Ordinary Lifestyles (Oldham: CQC gives no phone number, nor have they) had cards that said nothing of
how to reach them unless a filter listed them as not confirmed. The build's card carries no one to ring and its CQC
page (views.card_meta); the find page places the schema's words for it (x-directory.find.cqcPageNumber, with
directory-text.js cardContact, tested in tests/js/)."""
from __future__ import annotations

import base64
import json

from conftest import ROOT, TODAY

from carehomes.pipeline import check_paths, views_of
from carehomes.schema import load_schema


def test_a_card_with_no_number_carries_its_cqc_page_and_the_schema_words_it_is_said_with():
    schema = load_schema()
    views = {v.slug: v for v in views_of(check_paths([ROOT / "areas" / "oldham" / "providers"], on=TODAY).profiles, TODAY,
                                         schema, None, {})}
    for slug in ("millfield", "ordinary-lifestyles"):
        v = views[slug]
        assert v.get("contact.phone") is None and v.get("cqc.phone") is None
        card = json.loads(base64.b64decode(v.card_meta()))
        assert "ring" not in card and card["cqc"] == v.cqc_url and card["cqc"].startswith("https://www.cqc.org.uk/location/")
        assert not any(line.startswith("Ring") for line in card["lines"])
    assert "ring" in json.loads(base64.b64decode(views["support-to-lead"].card_meta()))
    assert schema.package["x-directory"]["find"]["cqcPageNumber"] == "No phone number in our data: see its CQC page"
