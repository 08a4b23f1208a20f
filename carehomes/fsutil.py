"""Write a folder completely or not at all, and files one at a time, atomically.

A published folder such as ``site/`` is a symbolic link to one complete build in a hidden folder
beside it (``.site-builds/<id>``). A new build is made in a new folder there, and the link is
flipped with one ``os.replace`` of a new link over the old one, so a reader (or a web server)
sees the old build or the new one, never a half-written one and never none. Builds run one at a
time (an exclusive ``flock`` on ``.site-builds/.lock``); each build first removes what interrupted ones
left behind.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path


_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def not_written(exc: OSError, where: Path | str, flag: str = "--out") -> str:
    """Why a file could not be written, in words with what to do: a full disk, a folder the user may not write to or a
    read-only disk told as such (Python's "[Errno 28] No space left on device" names neither the file nor a way out).
    ``flag``: the option that gives another folder ("" when there is none, as for the files docs writes in place)."""
    if exc.errno is None:  # one of ours with its own words (a damaged Code-Point file): they say it already
        return str(exc)
    # a copy (shutil's, as the engine copies the theme's files) names what it copied from first and what it was
    # writing second: the file not written is the second (a full disk named the theme's own search.js in .venv)
    shown = str(exc.filename2 if exc.filename2 and exc.errno in (*_FULL, errno.EROFS) else exc.filename or where)
    if exc.errno in _FULL:
        other = f", or give {flag} a folder on another disk" if flag else ""
        return (f"{shown}: cannot be written: the disk is full (no space left on it). Free some space on the disk that "
                f"holds {where}{other}, and run the command again")
    if exc.errno in (errno.EACCES, errno.EPERM):
        other = f", or give {flag} another folder" if flag else ""
        return f"{shown}: cannot be written: you are not allowed to write there (permission denied). Make it writable for you{other}"
    if exc.errno == errno.EROFS:
        where_to = f"Give {flag} a folder on a disk you can write to" if flag else "Run the command in a copy on a disk you can write to"
        return f"{shown}: cannot be written: its disk is read-only. {where_to}"
    return f"{shown}: cannot be written ({exc.strerror or exc})"


def not_a_folder(path: Path) -> None:
    """IsADirectoryError naming ``path`` when a folder stands where a file of a set is to go, raised before any file of
    the set is put in place (os.replace fails only there, after the files before it were replaced)."""
    if path.is_dir() and not path.is_symlink():  # a link is replaced itself, wherever it leads
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))


class PublishError(OSError):
    """A published folder that cannot be replaced, with a message saying why and what to do."""


def builds_dir(target: Path) -> Path:
    """The hidden folder beside ``target`` that holds its builds."""
    return target.parent / f".{target.name}-builds"


def lock_path(target: Path) -> Path:
    """The lock file builds of ``target`` take turns on (inside its builds folder)."""
    return builds_dir(target) / ".lock"


@contextlib.contextmanager
def locked(target: Path, wait_message: str | None = None) -> Iterator[None]:
    """Hold the exclusive lock for ``target`` (waiting for another build to finish first)."""
    builds_dir(target).mkdir(parents=True, exist_ok=True)
    with open(lock_path(target), "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait_message:
                print(wait_message, file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_build(target: Path) -> Path | None:
    """The build ``target`` links to (a site replace_dir made), or None when it is not one of our links."""
    if not target.is_symlink():
        return None
    link = Path(os.readlink(target))
    build = (target.parent / link) if not link.is_absolute() else link
    return build if build.parent.resolve() == builds_dir(target).resolve() else None


def replace_problem(target: Path, flag: str = "--out") -> str | None:
    """Why ``replace_dir`` may not or must not replace ``target`` (given with option ``flag``), with what to do; or None.
    A folder whose parent does not exist yet is left to ``replace_dir`` (it makes the parent)."""
    elsewhere = f"give another folder with {flag}"
    if target.is_symlink() and current_build(target) is None:
        return f"{target} is a link to {os.readlink(target)}, which this tool did not make; remove the link or {elsewhere}"
    if target.exists() and not target.is_dir():
        return f"{target} is a file, not a folder; move it away or {elsewhere}"
    done = "replaced" if target.exists() else "made"
    for folder in [target.parent] + ([target] if target.is_dir() and not target.is_symlink() else []):
        if folder.is_dir() and (not (folder.stat().st_mode & 0o200) or not os.access(folder, os.W_OK | os.X_OK)):
            if _read_only_system(folder):
                return f"{folder} is on a read-only file system, so {target} cannot be {done}; {elsewhere}"
            fix = f"make it writable (chmod u+w {folder}) or " if _chmod_can_help(folder) else ""
            return f"{folder} is read-only, so {target} cannot be {done}; {fix}{elsewhere}"
    return None


def _read_only_system(folder: Path) -> bool:
    """Whether ``folder`` is on a file system mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _chmod_can_help(folder: Path) -> bool:
    """Whether ``chmod u+w folder`` could make it writable: the folder is the user's own, on a file system that holds
    files (not /proc or /sys, whose folders' modes are the kernel's)."""
    try:
        return folder.stat().st_uid == os.geteuid() and os.statvfs(folder).f_blocks > 0
    except OSError:
        return False


def _check_writable(target: Path, flag: str) -> None:
    """Refuse (with what to do) a published folder we may not or must not replace."""
    problem = replace_problem(target, flag)
    if problem:
        raise PublishError(problem)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what interrupted builds left beside ``target``: every build but the one it links to,
    temporary links, and the old ``.name-new-*``/``.name-old-*`` folders. Call with the lock held."""
    keep = current_build(target)
    removed: list[Path] = []
    old_style = [p for p in target.parent.glob(f".{target.name}-*") if p.name.startswith((f".{target.name}-new-", f".{target.name}-old-", f".{target.name}-link-"))]
    builds = sorted(p for p in builds_dir(target).iterdir() if not p.name.startswith(".")) if builds_dir(target).is_dir() else []
    for p in sorted(builds_dir(target).glob(".trash-*")) if builds_dir(target).is_dir() else []:
        _remove_in_background(p)  # an old build whose removal (remove_later) has not finished: it may still be running
        removed.append(p)
    for p in old_style + builds:
        if keep is not None and p.resolve() == keep.resolve():
            continue
        if p.is_symlink() or p.is_file():
            p.unlink()
        else:
            shutil.rmtree(p)
        removed.append(p)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with RENAME_EXCHANGE); False where
    the system or the file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _adopt(target: Path, into: Path) -> None:
    """Turn a real ``target`` folder (made by an older version, or by hand) into the build ``into``
    that ``target`` links to, without a moment when ``target`` is missing where the system allows."""
    link_text = into.relative_to(target.parent)
    into.symlink_to(link_text)  # dangling where it is; right once it is swapped to where target is
    if _exchange(into, target):
        return
    into.unlink()  # no atomic exchange here: two renames, with a moment between them
    target.rename(into)
    tmp = target.parent / f".{target.name}-link-{into.name}"
    tmp.symlink_to(link_text)
    os.replace(tmp, target)


def _new_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{time.monotonic_ns() % 10**9}"


@contextlib.contextmanager
def replace_dir(target: Path, flag: str = "--out") -> Iterator[Path]:
    """Yield an empty folder beside ``target``; on success ``target`` becomes a link to it, atomically.

    If the body raises, the new folder is removed and ``target`` is left as it was. Only one
    ``replace_dir`` runs at a time for a given ``target``; a second one waits for the first.
    Folders are made with the usual permissions (0o777 less the umask), like ``mkdir``. ``flag``: the
    option that named ``target``, for the PublishError that says what to do instead.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _check_writable(target, flag)
    with locked(target, f"Waiting for another build of {target} to finish ..."):
        _check_writable(target, flag)
        clean_leftovers(target)
        builds = builds_dir(target)
        builds.mkdir(exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            _adopt(target, builds / f"{_new_id()}-adopted")
        new = builds / _new_id()
        new.mkdir()
        try:
            yield new
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        old = current_build(target)
        tmp = target.parent / f".{target.name}-link-{new.name}"
        tmp.symlink_to(new.relative_to(target.parent))
        os.replace(tmp, target)  # the one atomic step: readers see the old build or the new one
        if old is not None:
            remove_later(old)


def remove_later(folder: Path) -> None:
    """Remove a build that is no longer published without making the build wait for it: rename it to a
    hidden ``.trash-*`` folder beside it, then remove that in a separate process (a national site is
    54,000 files, several seconds of the kernel's time), at the lowest priority where ``nice`` is found, so that work
    started meanwhile (the next build, serve's preview) keeps the cores. Whatever is left, the next build's
    ``clean_leftovers`` removes."""
    trash = folder.parent / f".trash-{folder.name}"
    try:
        folder.rename(trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_in_background(trash)


def _remove_in_background(trash: Path) -> None:
    """``rm -rf trash`` in a process of its own (at nice 19 where ``nice`` is found); here, with rmtree, where there
    is no ``rm``. A second removal of a folder one is already removing is harmless (each ignores what the other
    removed first)."""
    rm = shutil.which("rm")
    try:
        if rm is None:
            raise OSError("no rm command")
        nice = shutil.which("nice")
        subprocess.Popen([*([nice, "-n", "19"] if nice else []), rm, "-rf", "--", str(trash)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)


DONE_BEFORE_STOP: list[str] = []  # what a batch held by ctrl_c_after finished before the stop it held (said with it)
_HOLDING: list[list[int]] = []  # the signals the ctrl_c_after holding now has caught (one at a time: an inner one defers)


@contextlib.contextmanager
def ctrl_c_after(done: str | None = None) -> Iterator[None]:
    """Hold Ctrl+C (SIGINT) and SIGTERM until the block has run, then raise KeyboardInterrupt, or end as SIGTERM
    would have: a batch of files that belong together (an import's profiles, a vacancy sheet's homes) is written
    whole, never cut part way (Ctrl+C at 9 s of a national import left 89 of its 15,403 profiles). ``done``: what the
    block has done when it ends, kept in DONE_BEFORE_STOP for the command to say with "Interrupted." (an import
    stopped as it put its files in place said only "Interrupted.", though every profile was written). Only the main
    thread can."""
    if threading.current_thread() is not threading.main_thread() or _HOLDING:
        yield  # a block within one held already (write_set's within an import's): the outer one holds, and acts, once
        return
    caught: list[int] = []
    before = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    _HOLDING.append(caught)
    try:
        yield
    finally:
        _HOLDING.pop()
        for s, handler in before.items():
            signal.signal(s, handler)
    if caught and done:
        DONE_BEFORE_STOP.append(done)
    if signal.SIGTERM in caught:
        signal.raise_signal(signal.SIGTERM)  # as it was sent, now that the batch is whole
    if signal.SIGINT in caught:
        raise KeyboardInterrupt


class NotRegularFile(OSError):
    """A path ``read_regular`` will not read: a device, pipe, socket or folder (it could be endless or never answer)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(f"{path}: is not a regular file (a device, pipe or folder)")
        self.strerror = "is not a regular file (a device, pipe or folder)"


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file, no more than ``limit`` + 1 of them (so a caller can tell one longer than
    ``limit``, never reading on); opened without waiting (a pipe with no writer) and never as a terminal.
    NotRegularFile for a device, pipe, socket or folder; OSError when it cannot be opened or read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` so that readers see the old file or the new one, never half of one."""
    write_set([(path, data)])


def write_set(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write files that belong together (the open data, an import's profiles) as a set: each is written beside its
    place first, and only when every one is written are they all put in place, so a full disk, a folder that cannot be
    written or a folder standing where a file goes raises OSError naming the file (never the temporary one) with every
    file as it was and no temporary file left behind. Each file keeps its permissions (a new one: 0666 less the umask),
    and the set is put in place whole even if Ctrl+C or SIGTERM comes between two renames."""
    written: list[tuple[str, Path]] = []
    try:
        _write_beside_then_replace(files, written)
    finally:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)


def _write_beside_then_replace(files: Iterable[tuple[Path, bytes]], written: list[tuple[str, Path]]) -> None:
    """Write each file's bytes beside it (noting each temporary file in ``written``), then put every one in place."""
    made: set[Path] = set()
    for path, data in files:
        try:
            not_a_folder(path)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            fd, tmp = _new_beside(path)
            written.append((tmp, path))
            try:
                _keep_owner_and_mode(fd, path)
            finally:
                os.close(fd)
            Path(tmp).write_bytes(data)
        except OSError as exc:
            if exc.filename is None or os.path.basename(exc.filename).startswith(f".{path.name}."):
                exc.filename = str(path)  # a full disk names no file; the temporary file's name means nothing to anyone
            raise
    if not written:
        return
    with _folder_locked(written[0][1].parent), ctrl_c_after():  # the set put in place whole: a Ctrl+C or SIGTERM
        for tmp, path in written:                                 # here waits for the last file
            os.replace(tmp, path)


@contextlib.contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``folder`` itself (no lock file is left in it) while a set is put in place there, so
    two writers of one set (``data`` run twice at once into one folder) put theirs in place one after the other, the
    last one whole, never one file of each. Without it where the system cannot lock a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and the lock with it


def _new_beside(path: Path) -> tuple[int, str]:
    """A new empty file ``.NAME.xxxxxxxx`` beside ``path``, open for writing, made as any new file is (0666 less the
    umask, or the folder's default ACL): the process's umask is never set to be read (under ``serve`` another thread
    making a file meanwhile got the wrong mode), and mkstemp's 0600 made every profile unreadable to anyone else."""
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}")
        try:
            return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(path))


def _keep_owner_and_mode(fd: int, path: Path) -> None:
    """Give the new file ``fd`` the permissions of the file it replaces at ``path`` (if there is one), and its owner and
    group where this process may (as root, or a group of the user's own): a profile of the council's user written by
    root (sudo, a cron job) became root's, which that user could then no longer change."""
    try:
        old = os.stat(path)
    except OSError:
        return  # a new file: as made
    mine = os.fstat(fd)
    if (old.st_uid, old.st_gid) != (mine.st_uid, mine.st_gid):
        for uid in (old.st_uid, -1):
            try:
                os.fchown(fd, uid, old.st_gid)
                break
            except OSError:
                continue
    os.fchmod(fd, old.st_mode & 0o7777)  # after fchown, which clears the set-user and set-group bits


_HALF = re.compile(r"\.(?P<name>.+)\.(?P<side>new|old)-(?P<token>[0-9a-f]{8})")  # write_folder's folders beside the one it writes


def write_folder(target: Path, files: Iterable[tuple[str, bytes]], replace: bool = False, done: str | None = None,
                 names: re.Pattern[str] | None = None) -> None:
    """Make the folder ``target`` holding ``files`` (each a name inside it and its bytes) completely or not at all.

    Every file is written and flushed to the disk (fsync) in a hidden folder beside ``target`` first
    (``.NAME.new-xxxxxxxx``), and only then is that folder renamed to ``target``: a full disk, a folder that cannot
    be written, Ctrl+C or SIGTERM while the files are written leaves the parent folder as it was (the hidden folder
    removed), and raises (OSError names the file as it would be in ``target``, never the hidden one). With
    ``replace``, a ``target`` already there (whatever it holds: a damaged one too) stays as it was until the new one
    is whole, then the two are swapped in one step (``renameat2`` RENAME_EXCHANGE; where the system cannot, two renames
    a moment apart) and the old one is removed; without it, FileExistsError if ``target`` is there. Ctrl+C or SIGTERM
    during the swap waits for it (``done``: what to say then, as ``ctrl_c_after``). One writer at a time in the
    parent folder (an exclusive ``flock`` on it); each first removes what an interrupted one (SIGKILL, a power cut) left
    beside it, and puts back an old folder a swap of two renames was cut between (``clean_half_written``: of the folders
    whose names ``names`` matches, the release snapshots' days; by default ``target``'s alone). A refused write (without
    ``replace``, ``target`` there) changes nothing."""
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _folder_locked(parent):
        if not replace and (target.exists() or target.is_symlink()):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
        clean_half_written(parent, names or re.compile(re.escape(target.name)))
        if not replace and (target.exists() or target.is_symlink()):  # an interrupted swap's, put back
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
        token = secrets.token_hex(4)
        new = parent / f".{target.name}.new-{token}"
        path = new
        try:
            new.mkdir()
            for name, data in files:
                path = new / name
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_synced(path, data)
            _sync_folder(new)
        except BaseException as exc:
            if isinstance(exc, OSError):
                _named_in(exc, new, target, path)
            with ctrl_c_after():  # the hidden folder removed whole, even if Ctrl+C comes again meanwhile
                shutil.rmtree(new, ignore_errors=True)
            raise
        with ctrl_c_after(done):
            _swap_in(new, target, parent / f".{target.name}.old-{token}")


def _swap_in(new: Path, target: Path, old: Path) -> None:
    """Put the whole folder ``new`` in ``target``'s place in one step (replacing a ``target`` there, which is then
    removed), or leave ``target`` as it was and ``new`` removed and raise OSError naming ``target``."""
    try:
        if not (target.exists() or target.is_symlink()):
            os.rename(new, target)
        elif _exchange(new, target):  # new now holds the old folder
            _remove_old(new)
        else:  # two renames, with a moment between them (an interrupted one is put back by clean_half_written)
            os.rename(target, old)
            try:
                os.rename(new, target)
            except OSError:
                os.rename(old, target)
                raise
            _remove_old(old)
    except OSError as exc:
        _remove_old(new)
        _named_in(exc, new, target, target)
        raise
    _sync_folder(target.parent)


def clean_half_written(parent: Path, names: re.Pattern[str]) -> list[Path]:
    """Remove what an interrupted ``write_folder`` left in ``parent`` and put back what it took away, for the folders
    whose NAME ``names`` matches (a release snapshot's day: never someone's ``.notes.old-20261201``): a hidden
    ``.NAME.new-*`` folder never swapped in is removed; a ``.NAME.old-*`` one is removed when NAME is there (a swap that
    finished), and put back as NAME only when NAME is missing and the ``.NAME.new-*`` of the same writer is there too (a
    swap of two renames cut between them). Only real folders: a link of that name, or a file, is left as it is (the
    hostile review: a link put back as a snapshot led out of the folder). Call with the folder locked; returns what was
    removed or put back."""
    try:
        found = sorted(parent.iterdir())
    except OSError:
        return []
    halves = []
    for p in found:
        m = _HALF.fullmatch(p.name)
        if m and names.fullmatch(m["name"]) and not p.is_symlink() and p.is_dir():
            halves.append((m, p))
    done: list[Path] = []
    for m, p in sorted(halves, key=lambda mp: mp[0]["side"] != "old"):  # each old one first: its new one tells
        home = parent / m["name"]
        if m["side"] == "old":
            if home.exists() or home.is_symlink():
                _remove_old(p)
                done.append(p)
            elif (parent / f".{m['name']}.new-{m['token']}").is_dir():
                with contextlib.suppress(OSError):
                    os.rename(p, home)
                    done.append(p)
            continue
        _remove_old(p)
        done.append(p)
    return done


def _remove_old(folder: Path) -> None:
    """Remove a folder no longer wanted (or a file or link that stood in its place); what cannot be removed now is
    left for ``clean_half_written``."""
    if folder.is_symlink() or not folder.is_dir():
        with contextlib.suppress(OSError):
            folder.unlink()
        return
    shutil.rmtree(folder, ignore_errors=True)


def _write_synced(path: Path, data: bytes) -> None:
    """``data`` as the whole of a new file at ``path``, flushed to the disk before it is closed."""
    fd = os.open(path, _NEW, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the files made or renamed in it) to the disk, where the system can."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _named_in(exc: OSError, hidden: Path, target: Path, writing: Path) -> None:
    """Name in ``exc`` each file as it would be in ``target``, not in the hidden folder it was written in; a full disk
    names no file: then the one being written (``writing``)."""
    if exc.filename is None:
        exc.filename = str(writing)
    for attr in ("filename", "filename2"):
        value = getattr(exc, attr)
        text = os.fsdecode(value) if isinstance(value, (str, bytes)) else None
        if text is not None and (text == str(hidden) or text.startswith(str(hidden) + os.sep)):
            setattr(exc, attr, str(target) + text[len(str(hidden)):])


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


def _nearest_existing(path: Path) -> Path:
    """``path`` or the nearest of its parents that exists (as a file, a folder or a link)."""
    for p in [path, *path.absolute().parents]:
        if p.exists() or p.is_symlink():
            return p
    return Path(path.absolute().anchor)


def output_folder_problem(target: Path, flag: str) -> str | None:
    """Why ``target`` cannot be written as an output folder (named by option ``flag``), or None.

    Checked before any work, so a file in the way is one line, never a traceback."""
    here = _nearest_existing(target)
    if here == target and not target.is_dir():
        kind = "a broken link" if target.is_symlink() and not target.exists() else "a file"
        return f"{flag} {target}: is {kind}, not a folder; move it away or give another folder with {flag}"
    if here != target and not here.is_dir():
        return (f"{flag} {target}: {here} is a file, not a folder, so {target} cannot be made; "
                f"give another folder with {flag}")
    return None  # a read-only place is reported by the writer (replace_dir's replace_problem, or its OSError)


def output_file_problem(path: Path) -> str | None:
    """Why the file ``path`` cannot be written (its missing folders are made), or None: output_folder_problem's twin
    for one file, looked at before a command changes anything."""
    folder = _nearest_existing(path.parent)
    why = ("it is a folder" if path.is_dir() else f"{folder} is a file, not a folder" if not folder.is_dir()
           else "its folder cannot be written" if not os.access(folder, os.W_OK | os.X_OK) else None)
    return f"{path}: cannot be written ({why})" if why else None


def read_folder_problem(target: Path, flag: str, read: Iterable[tuple[Path, str, bool]], usual: str) -> str | None:
    """Why ``target``, an output folder whose files are written over one by one, must not be written: it is a folder
    the project reads, or inside one whose files anywhere in it could be written over (``read``: each folder, what
    it holds, and whether a folder inside it is refused too), e.g. ``data --out schema`` replaced the schema's
    datapackage.json; None when not."""
    try:
        whole = target.resolve()
    except (RuntimeError, OSError):  # a link loop: output_folder_problem or the writer says so
        return None
    for folder, what, deep in read:
        try:
            inside = folder.resolve()
        except (RuntimeError, OSError):
            continue
        if inside == whole or (deep and inside in whole.parents):
            where = "is" if inside == whole else "is inside"
            return (f"{flag} {target}: {where} {folder}, {what}, whose files it would write over; "
                    f"give a folder of its own, e.g. {flag} {usual}")
    return None


def replaced_folder_problem(target: Path, flag: str, earlier: tuple[str | tuple[str, ...], ...], keep: Iterable[Path] = (),
                            usual: str = "site", alone: tuple[str, ...] = ()) -> str | None:
    """Why ``target`` must not be replaced as a whole (``replace_dir``) by a command's output, or None.

    ``replace_dir`` moves a real folder aside and deletes it, so ``target`` must be new, empty, one of
    this tool's links, or a folder holding an earlier output (``earlier``: its alternatives, each a path or a tuple of
    paths that must all be there; or nothing but the names in ``alone``, another command's output; ``usual``
    is the folder the message suggests); and
    never the folder the command runs in, nor one holding it or any of ``keep`` (the command's inputs):
    ``build --out .`` in the repository deleted the repository."""
    problem = output_folder_problem(target, flag)
    if problem:
        return problem
    whole = target.resolve()
    for path in (Path.cwd(), *keep):
        inside = path.resolve()
        if inside == whole or whole in inside.parents:
            what = "is the folder this command runs in" if path == Path.cwd() and inside == whole else (
                "holds the folder this command runs in" if path == Path.cwd() else f"holds {path}, which this command reads")
            return (f"{flag} {target}: {what}, and {flag} is replaced as a whole (everything in it is deleted); "
                    f"give a folder of its own, e.g. {flag} {usual}")
    if target.is_symlink() or not target.is_dir():
        return None
    try:
        names = sorted(p.name for p in target.iterdir())
    except OSError:
        return None  # reported by the writer
    alternatives = [(e,) if isinstance(e, str) else tuple(e) for e in earlier]
    if not names or set(names) <= set(alone) or any(all((target / p).exists() for p in alt) for alt in alternatives):
        return None
    marks = " or ".join(f"no {alt[0]}" if len(alt) == 1 else f"not all of {', '.join(alt[:-1])} and {alt[-1]}"
                        for alt in alternatives)
    return (f"{flag} {target}: is a folder with other files in it ({', '.join(names[:3])}{' ...' if len(names) > 3 else ''}), "
            f"not an earlier output (it has {marks}), and {flag} is replaced as a whole (everything in "
            f"it is deleted); give a new or empty folder")


def input_folder_problem(folder: Path, flag: str, what: str = "the folder of profiles, e.g. providers/") -> str | None:
    """Why ``folder`` (named by option ``flag``) is not an existing folder to read, or None."""
    if folder.is_dir():
        return None
    if folder.exists():
        return f"{flag} {folder}: is a file, not a folder; give {what}"
    return f"{flag} {folder}: no such folder; give {what}"


_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def write_new(path: str, data: bytes) -> None:
    """``data`` as the whole of the file at ``path``: Path.write_bytes' bytes and mode (0o666 less the umask) in
    three system calls, without its file object (a national build writes some 50,000 files this way: pages,
    home.json, the find page's index, the ORUK API); a short write is carried on until every byte is written."""
    fd = os.open(path, _NEW, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
