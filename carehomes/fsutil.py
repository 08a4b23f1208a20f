"""Write a folder completely or not at all."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replace_dir(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target``.

    If the body raises, the temporary folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}-old-{tmp.name.rsplit('-', 1)[-1]}"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


# One rule for every path derived from data (a slug, a package's resource path): it can never
# leave its folder. Used by merge; the importer and anything else that names a file after data
# should use it too.
SLUG_MAX = 80
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # the schema's slug pattern (tests/test_security_paths.py checks they agree)


class UnsafePath(ValueError):
    """A path taken from data that would leave its folder or is not allowed; the text says why."""


def is_slug(slug: object) -> bool:
    """True if ``slug`` is a page name: lower-case letters, digits and single hyphens, at most 80 characters."""
    return isinstance(slug, str) and len(slug) <= SLUG_MAX and SLUG.fullmatch(slug) is not None


def safe_slug_path(folder: Path, slug: object, suffix: str = ".yaml") -> Path:
    """``folder/slug+suffix``, or UnsafePath if the slug is not a plain page name (so it cannot leave ``folder``)."""
    if not is_slug(slug):
        raise UnsafePath(f"{str(slug)[:100]!r} is not a valid page name (lower-case letters, digits and single "
                         f"hyphens, at most {SLUG_MAX} characters)")
    return Path(folder) / f"{slug}{suffix}"


def contained_file(folder: Path, relative: object) -> Path:
    """The regular file ``relative`` names inside ``folder``, refusing anything that could leave it.

    Refused: non-text paths, URLs, absolute paths, '..', backslashes, and symlinks (or any path)
    that resolve outside ``folder``. Raises UnsafePath with the reason, or FileNotFoundError.
    """
    if not isinstance(relative, str) or not relative:
        raise UnsafePath("the path must be a single file name inside the package folder")
    if "\x00" in relative or "\\" in relative:
        raise UnsafePath("the path contains a backslash or a NUL character")
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", relative):
        raise UnsafePath("the path is a URL; only files inside the package folder are read")
    if os.path.isabs(relative) or relative.startswith("/"):
        raise UnsafePath("the path is absolute; only files inside the package folder are read")
    if ".." in relative.split("/"):
        raise UnsafePath("the path goes up out of the package folder with '..'")
    try:
        base = Path(folder).resolve()
        target = (base / relative).resolve()
    except RuntimeError:  # a loop of symbolic links
        raise UnsafePath("the path is a loop of symbolic links") from None
    if target != base and base not in target.parents:
        raise UnsafePath("the path leads outside the package folder (through a symbolic link)")
    if not target.exists():
        raise FileNotFoundError(relative)
    if not target.is_file():
        raise UnsafePath("the path is not a regular file")
    return target
