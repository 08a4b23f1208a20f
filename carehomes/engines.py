"""The engine adapters: mkdocs-material or zensical renders the site's frame and hand-written pages
from the Markdown the pages stage (``render``) writes."""
from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .siteconfig import SiteConfig

ENGINES = ("mkdocs", "zensical")
ZENSICAL_PIN = "zensical==0.0.73"


_COMPILED: dict[str, Any] = {}  # the theme's templates compiled by this process's earlier builds: see _theme_env


def _theme_env(theme: Any) -> Any:
    """The theme's Jinja environment, with the templates this process has compiled before kept in memory:
    mkdocs makes a new environment each build, and compiling mkdocs-material's templates again takes about
    0.5 s of a small site's 1.3 s (serve's rebuilds, the tests' sites). Jinja compares each template's source
    with the checksum kept beside its code, so a changed template is compiled again."""
    from jinja2 import BytecodeCache

    class Kept(BytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            if bucket.key in _COMPILED:
                bucket.bytecode_from_string(_COMPILED[bucket.key])

        def dump_bytecode(self, bucket: Any) -> None:
            _COMPILED[bucket.key] = bucket.bytecode_to_string()

    env = type(theme).get_env(theme)
    env.bytecode_cache = Kept()
    return env


def run_mkdocs(cfg: SiteConfig, docs_dir: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from mkdocs.exceptions import MkDocsException

    try:
        config = load_config(str(cfg.path), docs_dir=str(docs_dir), site_dir=str(site_dir))
        theme = config.theme
        theme.get_env = lambda: _theme_env(theme)  # type: ignore[method-assign]  # mkdocs' own, with this process's compiled templates
        build(config)
    except MkDocsException as exc:  # ConfigurationError, and Abort (a SystemExit) after errors it has logged
        raise RuntimeError(f"mkdocs could not build the pages from {cfg.path}: {exc}; fix the setting it names") from None
    ship_scripts(site_dir)


def ship_scripts(site_dir: Path) -> None:
    """The site's own scripts (assets/directory*.js, from overrides/) as a browser is sent them: without their comments
    on lines of their own (``without_comments``), a third of their bytes (the find page's first load was at issue 21's
    150 KB aim, with 10 KB of comments). The commented files stay in overrides/assets/, tested and linted as written."""
    for path in sorted((site_dir / "assets").glob("directory*.js")):
        text = path.read_text(encoding="utf-8")
        shipped = without_comments(text)
        if shipped != text:
            path.write_text(shipped, encoding="utf-8")


def without_comments(js: str) -> str:
    """``js`` without its lines that are only a comment: ``// ...``, and a ``/* ... */`` begun at a line's start and
    ended at a line's end. A block comment that code follows on its last line is kept whole. The site's scripts have no
    text that spans lines (no template literal, no line continued by a backslash: tests/test_engines.py checks), so a
    line begun by ``//`` is a comment."""
    lines = js.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith("//"):
            i += 1
            continue
        if s.startswith("/*"):
            end = next((j for j in range(i, len(lines)) if "*/" in lines[j]), None)
            if end is not None and lines[end].rstrip().endswith("*/") and lines[end].count("*/") == 1 \
                    and (end > i or s.count("/*") == 1):
                i = end + 1
                continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def zensical_config(cfg: SiteConfig) -> dict[str, Any]:
    """The settings a zensical build adds to mkdocs.yml (which it inherits, unchanged otherwise).

    zensical reads docs_dir and site_dir only inside the folder of its config file, so the build
    runs in a temporary folder holding docs/ and this config; the theme folder (custom_dir) is
    given as a full path; zensical's own search is turned off (the site's search is its own index, search/).
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
    ship_scripts(site_dir)
