"""Each profile's check and open data pieces remembered between runs (issue 24: rebuild only what changed).

``data`` and ``build`` load, check and cut into pieces every profile (nationally 10 s of CPU, most of
``data``). Most runs follow a run on nearly the same files, so each profile's result (its parsed profile,
its problems and its pieces) is kept in a file named by a hash of its bytes and of the path shown in
messages, in a SQLite file (a generation) named by a hash of everything else the result depends on: this
package's code, ``schema/``, the Python and library versions and the day the rules are checked on
(``generation``). A changed profile, or any change to the code, schema or date, finds nothing kept and
is checked again, so a kept result is always the one the check would give.

Kept in ``$CAREHOMES_CACHE`` or else ``$XDG_CACHE_HOME/carehomes`` (``~/.cache/carehomes``): outside the
repository, where a pull request cannot put files. Entries are read with an unpickler that makes only the
few types a result holds (``_Reader``). ``CAREHOMES_CACHE=off`` turns it off (the tests do, except their own).
Anything wrong with the folder or a generation (missing, read-only, full, locked, an entry that cannot be read
back) means the profiles are checked again: the cache can make a run quicker, never different or failing. Only the two most recently used
generations are kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import json
import pickle
import sqlite3
import sys
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import Any

CACHE_ENV = "CAREHOMES_CACHE"
OFF = frozenset(("off", "0", "no", "false"))
KEPT_GENERATIONS = 2
_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent


def cache_root() -> Path | None:
    """Where the generations are kept: ``$CAREHOMES_CACHE``, else ``$XDG_CACHE_HOME/carehomes`` or
    ``~/.cache/carehomes``; None when turned off (``CAREHOMES_CACHE=off``) or when there is no home folder."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given.lower() in OFF:
        return None
    if given:
        return Path(given).absolute()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "carehomes"
    home = os.environ.get("HOME", "").strip()
    return Path(home) / ".cache" / "carehomes" if home and os.path.isabs(home) else None


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A hash of what a result depends on besides its profile and the day: the package's code and templates
    (every file under carehomes/ but bytecode), schema/ and the Python and library versions."""
    h = hashlib.blake2b(digest_size=16)
    for folder in (_PACKAGE, _ROOT / "schema"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(_ROOT)).encode("utf-8", "surrogateescape") + b"\0")
                h.update(path.read_bytes() + b"\0")
    import yaml

    try:
        import orjson
        orjson_version = getattr(orjson, "__version__", "?")
    except ImportError:
        orjson_version = "none"
    h.update(f"{sys.version}\0{yaml.__version__}\0{orjson_version}".encode())
    return h.hexdigest()


def generation(on: dt.date) -> str:
    """The generation's name for results checked on ``on``."""
    return hashlib.blake2b(f"{_code_digest()}\0{on.isoformat()}".encode(), digest_size=16).hexdigest()


def entry_name(raw: bytes, shown: str) -> str:
    """A profile's entry in its generation: a hash of its bytes and of the path its messages show."""
    h = hashlib.blake2b(raw, digest_size=20)
    h.update(b"\0" + shown.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _connect(store: Path) -> sqlite3.Connection:
    """A connection to a generation's store, waiting up to a minute for another process writing to it."""
    db = sqlite3.connect(store, timeout=60, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")  # a result lost in a crash is only checked again
    return db


def _create(db: sqlite3.Connection) -> None:
    """The entries table, in pages of 64 KB (an entry is about 10 KB: nationally 150 MB kept in 0.2 s, not 0.75 s
    in SQLite's 4 KB pages with a write-ahead log)."""
    db.execute("PRAGMA page_size=65536")
    db.execute("CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, result BLOB NOT NULL)")


def open_generation(on: dt.date) -> Path | None:
    """This run's generation (a SQLite file of entries), made if need be and marked as used now; the generations
    beyond the ``KEPT_GENERATIONS`` most recently used are removed. None when the cache is off or cannot be used."""
    root = cache_root()
    if root is None:
        return None
    store = root / f"{generation(on)}.sqlite"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with closing(_connect(store)) as db:
            _create(db)
        os.utime(store)
        _prune(root)
    except (OSError, sqlite3.Error):
        return None
    return store


def _prune(root: Path) -> None:
    """Remove every generation but the ``KEPT_GENERATIONS`` most recently used."""
    try:
        found = sorted(((p.stat().st_mtime, p) for p in root.glob("*.sqlite")), reverse=True)
    except OSError:
        return
    for _, store in found[KEPT_GENERATIONS:]:
        for path in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
            try:
                path.unlink()
            except OSError:
                pass


def read_entries(store: Path, names: list[str]) -> dict[str, bytes]:
    """The kept entries of ``names`` (those there are), by name; none when the store cannot be read."""
    try:
        with closing(_connect(store)) as db:
            return dict(db.execute("SELECT name, result FROM entries WHERE name IN (SELECT value FROM json_each(?))",
                                   (json.dumps(names),)))
    except sqlite3.Error:
        return {}


def write_entries(store: Path, entries: list[tuple[str, bytes]]) -> None:
    """Keep entries (name, bytes), all in one transaction; nothing when the store cannot be written."""
    if not entries:
        return
    try:
        with closing(_connect(store)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", entries)
            db.execute("COMMIT")
    except sqlite3.Error:
        pass


# The only types an entry holds (a result of checking.check_paths' _check_files), as (module, name)
_ALLOWED = frozenset({
    ("carehomes.load", "Profile"), ("carehomes.problems", "Problem"), ("carehomes.outputs.pieces", "HomePieces"),
    ("carehomes.outputs.oruk_tabular", "ServiceLines"), ("datetime", "date"), ("datetime", "datetime"),
    ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone"), ("decimal", "Decimal"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
})


class _Reader(pickle.Unpickler):
    """An unpickler that makes only the types in ``_ALLOWED``: a file put in the cache by someone else can
    make nothing else (the cache is outside the repository too)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a type a kept check holds")
        return super().find_class(module, name)


def load_entry(blob: bytes) -> Any:
    """An entry's result, or None when it cannot be read back (cut short, or holding a type it should not)."""
    try:
        return _Reader(io.BytesIO(blob)).load()
    except Exception:  # noqa: BLE001  anything wrong with a kept file means: check the profile again
        return None


def dump_entry(result: Any) -> bytes:
    """An entry's bytes for a result."""
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
