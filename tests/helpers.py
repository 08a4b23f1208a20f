"""Helpers shared by several test modules (kept out of any one test module, so importing them runs no tests twice)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT

# The council's real contacts, for builds that must look like production (build --production refuses examples).
REAL = {"repository": "https://github.com/herefordshire-council/care-homes", "contact_email": "care.homes@herefordshire.gov.uk",
        "contact_phone": '"01432 260000"', "placement_email": "brokerage@herefordshire.gov.uk",
        "placement_phone": '"01432 260101"'}


def mkdocs_with(**values: str) -> str:
    """The repository's mkdocs.yml text with each ``extra`` setting KEY set to VALUE (each must occur once)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for key, value in values.items():
        text, n = re.subn(rf"^(    {key}): .*$", rf"\1: {value}", text, flags=re.M)
        assert n == 1, key
    return text


def config_with(tmp_path: Path, **values: str) -> Path:
    """mkdocs_with(**values) written to ``tmp_path``/mkdocs.yml beside copies of content/ and overrides/; its path."""
    path = tmp_path / "mkdocs.yml"
    path.write_text(mkdocs_with(**values), encoding="utf-8")
    for folder in ("content", "overrides"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return path
