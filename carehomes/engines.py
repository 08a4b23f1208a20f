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


def run_mkdocs(cfg: SiteConfig, docs_dir: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from mkdocs.exceptions import MkDocsException

    try:
        config = load_config(str(cfg.path), docs_dir=str(docs_dir), site_dir=str(site_dir))
        build(config)
    except MkDocsException as exc:  # ConfigurationError, and Abort (a SystemExit) after errors it has logged
        raise RuntimeError(f"mkdocs could not build the pages from {cfg.path}: {exc}; fix the setting it names") from None


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
