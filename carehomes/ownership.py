"""Who may change what, judged on committed content: the base revision against the head revision.

Providers may change only the profiles that list them as maintainers (in the base revision,
so nobody can add themselves), and only the fields their home owns. Council stewards, listed in
``stewards.yaml`` at the base revision, may change anything.

It fails closed: a change it cannot fully judge (a version that cannot be read, too big, not
UTF-8, a symbolic link, a field outside the schema) is refused with the file and the reason.
Only committed blobs are read (``git diff --raw`` and ``git cat-file``), never the working tree,
so untracked or ignored files cannot hide or fake a change.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fsutil import is_slug
from .load import TEMPLATE_HINT, Profile, errors, parse_bytes
from .records import flatten, get_path
from .schema import Schema, load_schema

STEWARDS_FILE = "stewards.yaml"
PROFILE_SUFFIXES = (".yaml",)  # the loader reads only *.yaml; any other file needs a steward
REGULAR_FILE_MODES = ("100644", "100755")
MAX_BLOB_BYTES = 16 * 1024 * 1024  # never read more than this from git; the loader's own limit is far lower
OWNER_WORDS = {"cqc": "CQC (set only by the register import)", "council": "the council",
               "fsa": "the Food Standards Agency (set only by the food hygiene import)"}
ASK_STEWARD = "ask the council to review it"


class GitError(Exception):
    """git failed, or the revisions or stewards.yaml cannot be used; the text says why."""


@dataclass(frozen=True)
class Change:
    status: str  # A, M, D or T (type change)
    path: str
    old_mode: str = ""
    new_mode: str = ""
    old_blob: str = ""
    new_blob: str = ""


def _git(root: Path, *args: str, text: bool = True) -> Any:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False,
                              encoding="utf-8" if text else None, errors="replace" if text else None)
    except OSError as exc:  # no such folder, or git is not installed
        raise GitError(f"cannot run git in {root} ({exc.strerror})") from None
    if proc.returncode != 0:
        err = proc.stderr if text else proc.stderr.decode("utf-8", "replace")
        raise GitError(err.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def commit_id(root: Path, rev: str) -> str:
    """The commit a revision names (GitError if it names none)."""
    return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()


def changes(root: Path, base: str, head: str = "HEAD") -> list[Change]:
    """Files that differ between the commits ``base`` and ``head`` (committed content only)."""
    raw = _git(root, "diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
               commit_id(root, base), commit_id(root, head), text=False)
    fields = raw.split(b"\0")[:-1]  # each entry ends with NUL
    out = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=True):
        old_mode, new_mode, old_blob, new_blob, status = meta.decode("ascii").lstrip(":").split(" ")
        out.append(Change(status[0], path.decode("utf-8", "surrogateescape"), old_mode, new_mode, old_blob, new_blob))
    return sorted(out, key=lambda c: c.path)


def shown(path: str) -> str:
    """A path as it is safe to print: quoted when it holds control or other unprintable characters
    (so a file name cannot start a new line, or a workflow command, in the log)."""
    return path if path.isprintable() else repr(path)


def is_profile_path(path: str, providers: str = "providers") -> bool:
    """<providers>/<slug>.yaml: the only files a provider may change (``providers``: the area's profile
    folder in the repository, providers or areas/NAME/providers)."""
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    return folder == providers and f"{dot}{suffix}" in PROFILE_SUFFIXES and is_slug(stem)


def _blob(root: Path, blob: str) -> bytes:
    size = int(_git(root, "cat-file", "-s", blob).strip())
    if size > MAX_BLOB_BYTES:
        raise ValueError(f"is {size:,} bytes, far larger than a profile")
    return _git(root, "cat-file", "blob", blob, text=False)


def read_version(root: Path, blob: str, path: str) -> tuple[Profile | None, str]:
    """A committed version of a profile, read exactly as ``check`` reads files (the one loader),
    or None and the first problem that stops it being read, as ``check`` prints it."""
    try:
        data = _blob(root, blob)
    except (ValueError, GitError) as exc:
        return None, f"{shown(path)}: {exc}"
    profile, problems = parse_bytes(data, path)
    if profile is None or not isinstance(profile.data, dict):
        stopping = errors(problems)  # not the warnings
        return None, str(stopping[0]) if stopping else f"{shown(path)}: is not a profile"
    return profile, ""


def stewards(root: Path, base: str) -> set[str]:
    """Stewards' user names (lower case) from stewards.yaml at ``base``; every entry must be text."""
    try:
        text = _blob(root, _git(root, "rev-parse", "--verify", "--quiet", f"{commit_id(root, base)}:{STEWARDS_FILE}").strip())
    except (GitError, ValueError):
        return set()  # no stewards file: nobody is a steward, so every change outside one's own profile is refused
    parsed, problems = parse_bytes(text, STEWARDS_FILE)  # the one reader, with its guards and messages
    stopping = errors(problems)
    if parsed is None and stopping:  # the profile reader's hint is about profiles: this file's own said instead
        said = str(stopping[0]).replace(TEMPLATE_HINT, f"write it as the example at the top of {STEWARDS_FILE} is: "
                                                       "'stewards:', then one '- username' a line")
        raise GitError(f"{said} (in the version at {base}); a council steward must fix {STEWARDS_FILE}")
    data = parsed.data if parsed is not None and isinstance(parsed.data, dict) else None
    names = data.get("stewards", []) if data is not None else None
    if names is None and data is not None:
        return set()  # 'stewards:' with nobody under it
    if not isinstance(names, list):
        raise GitError(f"{STEWARDS_FILE} at {base} cannot be read as 'stewards:' followed by a list of user names; "
                       "a council steward must fix it")
    bad = [f"entry {i} ({n!r})" for i, n in enumerate(names, 1) if not isinstance(n, str)]
    if bad:
        raise GitError(f"{STEWARDS_FILE} at {base}: {', '.join(bad)} is read as a number, true/false or a date, not a "
                       "user name; put quotes around it (- \"010\") so it is matched as written")
    return {n.lower() for n in names}


def check_ownership(root: Path, author: str, base: str, schema: Schema | None = None, head: str = "HEAD",
                    providers: str = "providers") -> list[str]:
    """Every reason the author may not make the committed changes from ``base`` to ``head``; a provider may
    change only profiles in ``providers`` (the area's folder: providers, or areas/NAME/providers)."""
    schema = schema or load_schema()
    if not Path(root).is_dir():
        raise GitError(f"{root}: no such folder; give the repository's folder with --repo")
    try:
        _git(root, "rev-parse", "--git-dir")
    except GitError:
        raise GitError(f"{root} is not a git repository; give the repository's folder with --repo") from None
    for rev in (base, head):
        try:
            commit_id(root, rev)
        except GitError:
            raise GitError(f"{rev} is not a commit in {root}; fetch it first (git fetch origin)") from None
    if author.lower() in stewards(root, base):
        return []
    problems = []
    for c in changes(root, base, head):
        where = shown(c.path)
        if not is_profile_path(c.path, providers):
            problems.append(f"{where}: only the council may change this file; a provider changes only their own profile")
        elif c.status == "A":
            problems.append(f"{where}: only the council may add a profile; ask the council to add your home")
        elif c.status == "D":
            problems.append(f"{where}: only the council may remove a profile; ask the council if your home has closed")
        elif c.new_mode not in REGULAR_FILE_MODES or c.old_mode not in REGULAR_FILE_MODES:
            problems.append(f"{where}: is a symbolic link or a submodule, not an ordinary file, so the change "
                            f"cannot be judged; {ASK_STEWARD}")
        else:
            problems.extend(_profile_change(root, c, author, base, schema))
    return problems


def _profile_change(root: Path, c: Change, author: str, base: str, schema: Schema) -> list[str]:
    where = shown(c.path)
    old, why = read_version(root, c.old_blob, c.path)
    if old is None:
        return [f"{why} (in the version at {base}); the change cannot be judged, so {ASK_STEWARD}"]
    maintainers = _maintainers(old.data)
    if not is_maintainer(author, old.data):
        names = ", ".join(maintainers) if maintainers else "nobody yet"
        return [f"{where}: {author} does not look after this page (those who do: {names}); "
                "ask the council to add you, or report the change with 'Report incorrect details'"]
    new, why = read_version(root, c.new_blob, c.path)
    if new is None:
        return [f"{why}; the change cannot be judged until then"]
    out = []
    for dotted, f in schema.by_path.items():
        if f.owner == "provider":
            continue
        before, after = _value(old.data, dotted), _value(new.data, dotted)
        if before != after:
            out.append(f"{where}:{new.line(dotted)}: {dotted} ({f.title}): only {OWNER_WORDS[f.owner]} may change this field; "
                       f"put it back to {_show(before)}")
    old_flat, new_flat = flatten(old.data), flatten(new.data)
    known = set(schema.by_path) | set(schema.group_paths())
    for dotted in sorted(set(old_flat) | set(new_flat), key=str):
        if dotted not in known and old_flat.get(dotted) != new_flat.get(dotted):
            out.append(f"{where}:{new.line(dotted)}: {shown(dotted)}: is not a field of the schema, so this change "
                       "cannot be judged; remove it (python3 build.py check lists the fields)")
    return out


def _value(data: dict, dotted: str) -> Any:
    value = get_path(data, dotted.split("."))
    return value.isoformat() if hasattr(value, "isoformat") else value


def _show(value: Any) -> str:
    return "nothing (remove the line)" if value is None else repr(value)


def _maintainers(data: dict) -> list[str]:
    """A profile's maintainers as written; entries that are not text name nobody."""
    listed = data.get("maintainers")
    return [m for m in listed if isinstance(m, str)] if isinstance(listed, list) else []


def is_maintainer(author: str, data: dict) -> bool:
    """Whether ``author`` is listed in a profile's ``maintainers`` (text only, compared without case)."""
    return author.lower() in {m.lower() for m in _maintainers(data)}
