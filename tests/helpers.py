"""Helpers shared by several test modules (kept out of any one test module, so importing them runs no tests twice)."""
from __future__ import annotations

import ast
import functools
import re
import shutil
from pathlib import Path

from conftest import ROOT

# The council's real contacts, for builds that must look like production (build --production refuses examples).
REAL = {"repository": "https://github.com/herefordshire-council/care-homes", "contact_email": "care.homes@herefordshire.gov.uk",
        "contact_phone": '"01432 260000"', "placement_email": "brokerage@herefordshire.gov.uk",
        "placement_phone": '"01432 260101"', "council": "Herefordshire Council"}


def no_releases(folder: Path) -> str:
    """An empty folder of release snapshots, made: a build to compare with no release (a --releases given that is
    not there is refused, as a mistyped one would publish no changelog)."""
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


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


def search_index(site: Path) -> dict:
    """What a built site's search index (search/facets/) says of each home on its find page: slug -> {"number",
    "card" ({"url", "meta"}), "filters" ({filter: [values]}), "words" (sorted)}, decoded here independently."""
    import json

    folder = site / "search" / "facets"
    read = lambda name: json.loads((folder / name).read_text(encoding="utf-8"))  # noqa: E731
    index = read("index.json")
    cards = [c for n in range(-(-index["homes"] // index["shard"])) for c in read(f"c{n}.json")]
    homes = {c["meta"]["slug"]: {"number": i, "card": c, "filters": {}, "words": []} for i, c in enumerate(cards)}
    slugs = [c["meta"]["slug"] for c in cards]

    def numbers(gaps: list[int]) -> list[int]:
        return [sum(gaps[:i + 1]) for i in range(len(gaps))]
    for name, n in index["filters"].items():
        for value, gaps in read(f"f{n}.json").items():
            for i in numbers(gaps):
                homes[slugs[i]]["filters"].setdefault(name, []).append(value)
    for key in index["words"]:
        for word, gaps in read(f"w{key}.json").items():
            for i in numbers(gaps):
                homes[slugs[i]]["words"].append(word)
    for h in homes.values():
        h["words"].sort()
    return homes


def bundled_views() -> list:
    """The views of built_site's homes on its find page (not closed), A to Z, made here as the build makes them."""
    from carehomes.finding import a_to_z
    from carehomes.pipeline import check_paths, views_of
    from carehomes.schema import load_schema
    from carehomes.siteconfig import read_config, staleness
    from conftest import FIXTURES, TODAY

    cfg = read_config(ROOT / "mkdocs.yml")
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"], on=TODAY)
    views = views_of(checked.profiles, TODAY, load_schema(), cfg.edit_base, staleness(cfg.directory))
    return a_to_z([v for v in views if not v.closed])


def oldham_views() -> dict:
    """Oldham's services (areas/oldham/providers), slug -> view, checked and viewed as on the tests' day (TODAY), with no
    edit links or staleness settings: the compare tests' set (a module fixture each)."""
    from carehomes.pipeline import check_paths, views_of
    from carehomes.schema import load_schema
    from conftest import TODAY

    checked = check_paths([ROOT / "areas" / "oldham" / "providers"], on=TODAY)
    return {v.slug: v for v in views_of(checked.profiles, TODAY, load_schema(), None, {})}

def ctrl_c_on_first_write(monkeypatch, module, sig: int | None = None) -> list[str]:
    """Make ``module.write_texts_atomic`` press Ctrl+C (SIGINT to this process; or send ``sig``, such as SIGTERM) as its
    batch starts being written; the names of the files it then writes, in order (every one of a batch: a batch ends
    whole)."""
    import os
    import signal

    written: list[str] = []
    real = module.write_texts_atomic

    def write(texts):
        texts = list(texts)
        if texts and not written:
            os.kill(os.getpid(), signal.SIGINT if sig is None else sig)
        written.extend(path.name for path, _ in texts)
        real(texts)

    monkeypatch.setattr(module, "write_texts_atomic", write)
    return written


def unknowns_as_before(v, groups):
    """HomeView.unknowns as it was before 4 December 2026: each missing fact compared with every fact of the page."""
    from carehomes.views import UNKNOWN_ORDER, Unknown, lower_first

    facts = [f for g in groups for f in g.facts]
    names: dict[str, list[str]] = {}
    for g in sorted(groups, key=lambda g: UNKNOWN_ORDER.index(g.id) if g.id in UNKNOWN_ORDER else len(UNKNOWN_ORDER)):
        for f in g.facts + g.table_missing:
            if not f.missing:
                continue
            same = [o for o in facts if f.short and o.short == f.short]
            name = (f.short or lower_first(f.label)) if all(o.missing for o in same) else lower_first(f.label)
            if name not in names.setdefault(f.owner, []):
                names[f.owner].append(name)
    noun = v.kind_words["noun"]
    if not v.description_html:
        names.setdefault(v.s.by_path["description"].owner, []).append(f"a description of the {noun}")
    order = ["provider", *sorted(c for c in v.s.values.owners if c != "provider")]
    by = {code: lead.replace(" home ", f" {noun} ") for code, lead in v.s.values.unknowns.missing_by.items()}
    held = v.s.values.unknowns.not_held_by  # a site gathering none of an owner's facts says so, and where to look
    return [Unknown(code, held[code].lead, names[code], held[code].url, held[code].parts(", ".join(names[code])))
            if code in v.ungathered and code in held else Unknown(code, by[code], names[code])
            for code in order if names.get(code)]


def parsed(path: Path) -> ast.Module:
    """The module at ``path`` parsed, once a process for each version of it (the structure and kinds tests each
    read every module of the package). Read it, never change it."""
    st = path.stat()
    return _parsed(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=None)
def _parsed(path: str, mtime_ns: int, size: int) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))
