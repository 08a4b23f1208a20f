"""``serve`` watching its inputs: poll, rebuild what changed (``incremental``), and reload the browser.

The watched files' modification times are polled (the standard library only: no watcher package
behaves the same on every system), every half second or, when a poll itself is slow (15,403
profiles on a busy machine), three times as long as it took but never more than a second apart.
The rest of the site follows in a child process (``Live.follow_apart``), so the next edit's preview
neither waits for it nor shares the interpreter with it.
Only under ``serve``, each HTML page the local server sends gets a small script (``RELOAD_JS``)
that polls ``/_serve/state.json``: it reloads the page when ``version`` moves on (the find page's
own search index is written with the edited page, so there is nothing to wait for). A published
build never has the script: it is added as a page is sent, never written into the site.
"""
from __future__ import annotations

import io
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .incremental import FULL, Live, RestStopped, changes, is_profile, mtimes, trace
from .localserver import _Quiet
from .text import and_list

STATE_PATH = "/_serve/state.json"
RELOAD_JS = """<script>(function(){var seen=null;function tick(){fetch("%s",{cache:"no-store"})
.then(function(r){return r.json()}).then(function(s){if(seen!==null&&s.version!==seen){location.reload();return}
seen=s.version}).catch(function(){}).then(function(){setTimeout(tick,1000)})}tick()})();
</script>""" % (STATE_PATH,)


class ServeState:
    """What the reload script reads: a version that moves on with each rebuild."""

    def __init__(self) -> None:
        self.version = 0

    def bump(self) -> None:
        self.version += 1

    def json(self) -> bytes:
        return json.dumps({"version": self.version}).encode("utf-8")


class LiveHandler(_Quiet):
    """The local server's handler with the state file and the reload script (serve only)."""

    state: ServeState = ServeState()

    def send_head(self) -> BinaryIO | None:
        url_path = urllib.parse.urlsplit(self.path).path
        if url_path == STATE_PATH:
            return self._send(self.state.json(), "application/json", "no-store")
        path = self.translate_path(self.path)
        if os.path.isdir(path) and url_path.endswith("/"):
            path = os.path.join(path, "index.html")
        if path.endswith(".html") and os.path.isfile(path) and "/oruk/" not in Path(path).as_posix():
            with open(path, "rb") as f:
                page = f.read()
            head, sep, tail = page.rpartition(b"</body>")
            body = head + RELOAD_JS.encode("utf-8") + sep + tail if sep else page + RELOAD_JS.encode("utf-8")
            return self._send(body, "text/html; charset=utf-8", "no-store")
        return super().send_head()

    def _send(self, body: bytes, ctype: str, cache: str) -> BinaryIO:
        self._status = 200
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        """Nothing is cached under serve: a page must show the latest edit when reloaded."""
        self.send_header("Cache-Control", "no-store")
        super(_Quiet, self).end_headers()


def live_handler(state: ServeState) -> type[LiveHandler]:
    """The handler class for one serve, reading ``state``."""
    return type("_LiveHandler", (LiveHandler,), {"state": state})


def watch(live: Live, state: ServeState, root: Path, full_build: Callable[[], Live | None], say: Callable[[str], None],
          stop: threading.Event, interval: float = 0.5, before: dict[Path, int] | None = None,
          restart: Callable[[], str] | None = None) -> None:
    """Poll ``root``'s watched files until ``stop`` is set; a profile change is applied by ``live`` (preview, reload, then
    the rest in the background), a change to schema/ by ``restart`` (serve started again in this process's place:
    the schema is read once a process, and a build in this one would show the old schema's words; it gives why not
    when it cannot, and serve goes on; without ``restart``, said to need it), anything else by ``full_build``, which
    gives the ``Live`` of the new build (None when the build failed: the site is left as it was). ``before``: the
    snapshot taken before the first build, so that a file saved while it ran is not missed. A change not taken (a
    profile with an error, a build that failed) is taken again with the next one: a profile renamed with an error in
    it, then fixed, leaves no page of its old name; mkdocs.yml saved while a profile had an error is built once the
    profile is fixed."""
    names = watched([*live.providers, live.config], root)
    _trace_gc()
    keep_built(True)
    polled_before = mtimes(root, names) if before is None else {str(p): t for p, t in before.items()}
    follower: threading.Thread | None = None
    dirty = threading.Event()
    waiting: set[Path] = set()  # changes seen but not taken (the site left as it was): taken with the next change

    def follow() -> None:
        while dirty.is_set():
            dirty.clear()
            try:
                start = time.perf_counter()
                done = live.follow_apart()
                say(f"Updated the rest of the site ({done}) in {time.perf_counter() - start:.1f} s.")
            except RestStopped:  # Ctrl+C reached the child too: serve is stopping, nothing failed
                return
            except (RuntimeError, OSError) as exc:
                say(f"Updating the rest of the site failed; the pages shown may be behind:\n{exc}")
            state.bump()

    try:
        wait = interval
        while not stop.wait(wait):
            if dirty.is_set() and (follower is None or not follower.is_alive()):  # set as the last one was ending
                follower = threading.Thread(target=follow, daemon=True, name="follow")
                follower.start()
            polled = time.perf_counter()
            after = mtimes(root, names)
            # a slow poll (a busy machine) waits longer, up to 2 intervals: an edit is seen within about a second
            wait = max(interval, min(3 * (time.perf_counter() - polled), 2 * interval))
            changed = changes(polled_before, after)
            trace(f"polled {len(after):,} files in {time.perf_counter() - polled:.3f} s; {len(changed)} changed; "
                  f"next poll in {wait:.2f} s")
            if not changed:
                continue
            polled_before = after
            changed, waiting = sorted(waiting.union(changed)), set()
            schema = [p for p in changed if Path(p).is_relative_to(root / "schema")]
            if schema:  # read once a process (load_schema, and what modules make of it as they are imported)
                shown = ", ".join(_shown(p, root) for p in schema[:3])
                if restart is not None:
                    say(f"{shown} changed: starting serve again to read the new schema ...")
                    if follower is not None:
                        follower.join()
                    said = restart()  # does not return when serve starts again: why not, when it does
                    say(f"{said}\nserve goes on with the schema it read when it started; save the schema again once "
                        "it is mended")
                else:
                    say(f"{shown} changed: serve keeps to the schema it read when it started; stop it (Ctrl+C) and "
                        "start it again to build with the new schema")
                changed = [p for p in changed if p not in schema]
                if not changed:
                    continue
            start = time.perf_counter()
            if follower is not None and follower.is_alive() and not all(is_profile(p, live.providers) for p in changed):
                follower.join()  # a full build replaces the site the background step is writing
            try:
                outputs, problems = live.apply(changed)
            except (RuntimeError, OSError) as exc:
                say(f"Could not preview the change: {exc}")
                waiting.update(changed)
                continue
            for p in problems:
                say(str(p))
            if FULL in outputs:
                if follower is not None:
                    follower.join()
                say(f"{', '.join(_shown(p, root) for p in changed[:3])} changed: building the whole site again ...")
                keep_built(False)
                rebuilt = full_build()
                keep_built(True)
                if rebuilt is not None:
                    live = rebuilt
                    state.bump()
                else:
                    waiting.update(changed)
                continue
            if not outputs:
                if problems:
                    say("The change has problems (above), so the site was left as it was; fix them and save again.")
                    waiting.update(changed)
                continue
            homes = sorted(o for o in outputs if o.startswith("homes/"))
            gone = [h for h in homes if not (live.site / h).is_dir()]  # a deleted or renamed profile's old page
            done = "; ".join(f"{what} {', '.join(which)}" for what, which in
                             (("Rebuilt", [h for h in homes if h not in gone]), ("Removed", gone)) if which)
            say(f"{done or 'Took the change'} in {time.perf_counter() - start:.2f} s; the rest follows.")
            state.bump()
            dirty.set()
            if follower is None or not follower.is_alive():
                follower = threading.Thread(target=follow, daemon=True, name="follow")
                follower.start()
        if follower is not None:
            follower.join()
    finally:  # the collector and its callbacks as they were (tests run watch in one process)
        keep_built(False)
        _untrace_gc()


def keep_built(keep: bool) -> None:
    """Whether the garbage collector leaves alone what is held now (gc.freeze): the build's profiles, views and
    listings, which it otherwise walked in every full collection (nationally 0.2-0.7 s each, several an edit,
    in the preview as in the rest); given back to it before a full build replaces them. Once frozen, freezing
    again is quick (serve freezes before it says it is serving, so the first edit does not wait for it)."""
    import gc

    if keep:
        gc.collect()
        gc.freeze()
    else:
        gc.unfreeze()


def _trace_gc() -> None:
    """With CAREHOMES_SERVE_TRACE=1, the garbage collector's longer pauses in serve's timeline."""
    import gc

    from .incremental import TRACE

    if not TRACE:
        return
    began: list[float] = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        elif time.perf_counter() - began[0] > 0.02:
            trace(f"gc generation {info.get('generation')}: {time.perf_counter() - began[0]:.3f} s")

    gc.callbacks.append(timed)


def _untrace_gc() -> None:
    import gc

    gc.callbacks[:] = [c for c in gc.callbacks if getattr(c, "__qualname__", "") != "_trace_gc.<locals>.timed"]


SHARED = ("content", "schema", "overrides", "mkdocs.yml")  # watched whatever profiles and settings serve is given


def watched(paths: list[Path], root: Path) -> list[str]:
    """The watched names under ``root``: SHARED (content/, schema/, overrides/, mkdocs.yml), and ``paths``
    (the providers folders and the config, for --area NAME outside them)."""
    names = list(SHARED)
    for p in paths:
        try:
            names.append(str(Path(p).absolute().relative_to(root.absolute())))
        except ValueError:
            names.append(str(Path(p).absolute()))
    return list(dict.fromkeys(names))


def watching(paths: list[Path], root: Path) -> str:
    """What ``serve`` says it watches: ``paths`` (the profiles' folders and the settings it was given), then the
    shared pages, schema, theme and top-level settings, a folder with a slash ('providers/, mkdocs.yml, content/ ...')."""
    names = list(dict.fromkeys([*(_shown(Path(p), root) for p in paths), *SHARED]))
    shown = [n + "/" if (root / n).is_dir() else n for n in names]
    return and_list(shown)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)
