"""Loading and checking every profile (the check command, and the first stage of data and build): each
profile loaded and checked on every core for large sets, with its pieces of the open data made where it was
loaded (``pieces=True``), then the rules across files.

Kept apart from ``pipeline`` (the build's later stages) so that ``check`` and ``data`` start without importing
the pages, search and feeds (nationally 0.1 s before the workers start).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
from dataclasses import dataclass, field
from collections.abc import Iterator
from pathlib import Path

from . import checkcache, validate
from .checks_external import check_external
from .load import Profile, display_paths, errors, find_profiles, parse_bytes, past_numbers, past_tabs, read_profile_bytes
from .parallel import iter_chunks, keep_freed_memory, map_chunks, no_cycle_collection
from .problems import Problem
from .outputs.pieces import HomePieces, home_pieces
from .schema import Schema, load_schema
from .validate import check_files, check_profile


@dataclass
class Checked:
    profiles: list[Profile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    pieces: list[HomePieces] | None = None  # each profile's open data pieces (check_paths(pieces=True))

    @property
    def ok(self) -> bool:
        """No errors (warnings do not stop a build)."""
        return not errors(self.problems)


CROSS_FILE_KEYS = ("location_id", "slug", "address", "care")  # address, care: checks_external
_CROSS_FILE_GROUPS = tuple(f"{k}." for k in CROSS_FILE_KEYS)  # a key under one of them: its dotted path starts so


def cross_file_lines(lines: dict[str, int]) -> dict[str, int]:
    """The lines of the keys the rules across files read (CROSS_FILE_KEYS and the keys under them), in order."""
    return {k: n for k, n in lines.items() if k in CROSS_FILE_KEYS or k.startswith(_CROSS_FILE_GROUPS)}


def _for_cross_file(profile: Profile) -> Profile:
    """The profile with only what the rules across files need (CROSS_FILE_KEYS and their lines)."""
    return Profile(profile.path, {k: profile.data.get(k) for k in CROSS_FILE_KEYS}, cross_file_lines(profile.lines))


def _check_batch(args: tuple[list[Path], Path, dt.date | None, bool, bool]) -> tuple[list[Profile], list[Problem], list[HomePieces]]:
    if multiprocessing.parent_process() is not None:  # a worker: chunk after chunk of results made and freed
        keep_freed_memory()
    # a batch makes millions of objects and next to no reference cycles: the cyclic collector's passes over the
    # growing results were 7% of its CPU
    with no_cycle_collection():
        return _check_files(*args)


def _check_files(files: list[Path], base: Path, on: dt.date | None, keep: bool,
                 make: bool) -> tuple[list[Profile], list[Problem], list[HomePieces]]:
    profiles, problems, made = [], [], []
    schema = load_schema() if make else None
    for f, shown in zip(files, display_paths(files, base), strict=True):
        raw, found = read_profile_bytes(f, shown, None, base)
        profile, found, piece = (None, found, None) if raw is None else _checked_bytes(raw, shown, on, schema)
        problems.extend(found)
        if piece is not None:
            made.append(piece)
        if profile is not None:
            profiles.append(profile if keep else _for_cross_file(profile))  # if not, less travels back from workers
    return profiles, problems, made


Result = checkcache.Result  # one file's: its profile, problems and pieces


_Chunk = tuple[list[Profile | None], list[tuple[list[Problem], HomePieces | None] | bytes]]  # _remembered's


def _remembered_batch(args: tuple[list[Path], Path, dt.date, Path, bool]) -> _Chunk:
    """Each file's result (``_remembered``), in a worker for large sets."""
    if multiprocessing.parent_process() is not None:
        keep_freed_memory()
    with no_cycle_collection():
        return _remembered(*args)


def _remembered(files: list[Path], base: Path, on: dt.date, store: Path, keep: bool) -> _Chunk:
    """Each file's result as ``_check_files`` finds it (its pieces made; its whole profile when ``keep``, else what
    the rules across files need), through the generation ``store`` (checkcache): the bytes of its entry when kept
    there (read back by the caller, ``checkcache.from_entries``), else checked, kept and given as it is (sent back in
    the chunk's one pickle, which makes each key repeated across its profiles once: nationally, on a first run,
    130 MB less in the build's process than an entry each). A file that cannot be read gives its problems as they
    are. As two lists, each file's profile (None where kept or not read) and its problems and pieces (or its kept
    entry's bytes), so that the chunk's profiles are read back side by side in memory (``_read_back``)."""
    schema = load_schema()
    read: list[tuple[str, bytes | None, list[Problem]]] = []
    for f, shown in zip(files, display_paths(files, base), strict=True):
        raw, found = read_profile_bytes(f, shown, None, base)
        read.append((shown, raw, found))
    names = [checkcache.entry_name(raw, shown) if raw is not None else "" for shown, raw, _ in read]
    kept = checkcache.read_entries(store, [n for n in names if n], on)
    profiles: list[Profile | None] = []
    rest: list[tuple[list[Problem], HomePieces | None] | bytes] = []
    made: list[tuple[str, bool, bytes]] = []
    for (shown, raw, found), name in zip(read, names, strict=True):
        blob = kept.get(name) if raw is not None else None
        if raw is None or blob is not None:
            profiles.append(None)
            rest.append((found, None) if blob is None else blob)
            continue
        result = _checked_bytes(raw, shown, on, schema)
        made.append((name, *_entry(result, on)))
        profile, problems, pieces = result
        profiles.append(profile if keep or profile is None else _for_cross_file(profile))
        rest.append((problems, pieces))
    checkcache.write_entries(store, made, on)
    return profiles, rest


def _checked_bytes(raw: bytes, shown: str, on: dt.date | None, schema: Schema | None) -> Result:
    """A profile's result from its bytes (as ``load_profile`` reads them): the profile, its problems, and its open
    data pieces when ``schema`` is given and it has no error (made while the profile is here)."""
    profile, found = parse_bytes(raw, shown)
    if profile is None:
        read = past_numbers(raw, shown) if errors(found) else None
        if read is not None:  # refused for a number YAML misreads: its other problems with it, at once
            rest, left_out = read
            found = sorted(found + _besides(check_profile(rest, on=on), left_out), key=lambda p: p.line)
        tabbed = past_tabs(raw, shown) if read is None and errors(found) else None
        if tabbed is not None:  # refused for its tabs: its other problems with them, at once (as if indented by fmt)
            rest_, more, on_tabs = tabbed
            names = {f.rsplit(".", 1)[-1] for f in on_tabs}  # a tab's field, perhaps misplaced by that reading: unsaid
            if rest_ is not None:
                more += [p for p in _besides(check_profile(rest_, on=on), on_tabs) if p.field.rsplit(".", 1)[-1] not in names]
            found = sorted(found + more, key=lambda p: p.line)
        return None, found, None
    problems = found + check_profile(profile, on=on)
    return profile, problems, (None if schema is None or errors(problems) else home_pieces(profile.data, schema))


def _besides(problems: list[Problem], fields: set[str]) -> list[Problem]:
    """The problems of none of ``fields`` nor of a field within one (those a second reading of a refused file left out,
    or read where no one can say they belong: their own problem says it)."""
    return [p for p in problems if not any(p.field == f or p.field.startswith(f + ".") for f in fields)]


def _check_again(f: Path, base: Path, on: dt.date, store: Path) -> Result:
    """A file whose kept entry could not be read back (cut short, or tampered with), checked again and kept anew."""
    [shown] = display_paths([f], base)
    raw, found = read_profile_bytes(f, shown, None, base)
    if raw is None:
        return None, found, None
    result = _checked_bytes(raw, shown, on, load_schema())
    checkcache.write_entries(store, [(checkcache.entry_name(raw, shown), *_entry(result, on))], on)
    return result


def _entry(result: Result, on: dt.date) -> tuple[bool, bytes]:
    """A result checked on ``on`` as kept: whether it holds on later days (validate.day_bound) and its bytes
    (checkcache.to_entry, with what the rules across files need of its profile)."""
    return (not validate.day_bound(result[1], on),
            checkcache.to_entry(result, None if result[0] is None else _for_cross_file(result[0])))


def _results(files: list[Path], base: Path, on: dt.date, store: Path, workers: int | None, keep: bool) -> Iterator[Result]:
    """Each file's result in order (its whole profile when ``keep``, else what the rules across files need),
    through the generation ``store`` (``_remembered``, on every core for large sets), each chunk's entries read
    back here while the workers make the next."""
    chunks = iter_chunks(_remembered_batch, files, base, on, store, keep, workers=workers, chunks_per_worker=8, finer_end=4)
    results = (r for chunk in chunks for r in _read_back(chunk, keep))
    for f, shown, result in zip(files, display_paths(files, base), results, strict=True):
        if result is None or not _is_of(result, shown):
            profile, problems, pieces = _check_again(f, base, on, store)
            result = (profile if keep or profile is None else _for_cross_file(profile)), problems, pieces
        yield result


def _is_of(result: Result, shown: str) -> bool:
    """Whether a result is the file's shown as ``shown``: a kept entry swapped with another file's in the store is
    of the right shape, but its profile and problems name the other file."""
    profile, problems, _ = result
    return (profile is None or profile.path == shown) and all(p.path == shown for p in problems)


def _read_back(chunk: _Chunk, keep: bool) -> list[Result | None]:
    """A chunk's results (``_remembered``'s), its kept entries read back together (checkcache.from_entries: their
    profiles side by side in memory); None for an entry that cannot be."""
    profiles, rest = chunk
    taken = iter(checkcache.from_entries([r for r in rest if isinstance(r, bytes)], keep))
    return [next(taken) if isinstance(r, bytes) else (p, *r) for p, r in zip(profiles, rest, strict=True)]


def check_paths(paths: list[Path], base: Path | None = None, on: dt.date | None = None,
                workers: int | None = None, keep_data: bool = True, external: bool = False,
                pieces: bool = False) -> Checked:
    """Load and check every profile under ``paths``; collect every problem.

    With ``keep_data=False`` (the check command) the profiles returned hold only what the rules
    across files need. Acute trusts are checked against the NHS trust list; with ``external=True``
    (the check command) postcodes are also checked against Code-Point Open: see checks_external.
    With ``pieces=True`` (the data command, the build) each profile's pieces of the open data
    (``outputs.pieces.home_pieces``) are made in the same pass, where it was loaded, into ``Checked.pieces``
    (None there when any profile has an error: then nothing is published), and each profile's result is kept
    (``checkcache``) so that later runs take it as it is while the profile's bytes, the code and the schema are
    the same (and, for a profile with a date after the day it was checked, the day).
    """
    base = base or Path.cwd()
    made: list[HomePieces] = []
    # listing the profiles and taking back the workers' results (nationally with pieces: 1.0 s of CPU to 0.2 s)
    with no_cycle_collection():
        files, misnamed = find_profiles(paths)
        result = Checked(files=len(files), problems=misnamed)
        on = on or validate.today()
        store = checkcache.open_checks(on) if pieces else None
        if store is not None:  # each profile's result kept from an earlier run where its bytes are the same
            for profile, problems, piece in _results(files, base, on, store, workers, keep_data):
                result.problems.extend(problems)
                if profile is not None:
                    result.profiles.append(profile)
                if piece is not None:
                    made.append(piece)
        else:
            for profiles, problems, pieces_made in map_chunks(_check_batch, files, base, on, keep_data, pieces,
                                                              workers=workers, chunks_per_worker=8, finer_end=4):
                result.profiles.extend(profiles)
                result.problems.extend(problems)
                made.extend(pieces_made)
    result.problems.extend(check_files(result.profiles))
    result.problems.extend(check_external(result.profiles, live_postcodes=external))
    result.problems.sort()
    if pieces and result.ok:
        result.pieces = made
    return result
