"""The one reader of profile files: every command reads profiles through ``load_profile``.

One set of rules, the same messages everywhere: which files are profiles (``*.yaml``), links
that point outside the folder, a bounded read (at most ``MAX_BYTES`` + 1 bytes), UTF-8 (a
byte-order mark allowed, and counted in the size), a pre-scan that refuses tabs and deep nesting
before libyaml sees the text, and YAML read with the line of every key: a profile in plain block YAML
(nearly all of them) line by line by ``blockyaml`` with PyYAML's own resolvers and constructors, anything
else with libyaml's C parser and PyYAML's constructor, which word every problem.
Round-trip editing (ruamel.yaml, in ``yamlio``) happens only after this reader accepts a file.
"""
from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from .blockyaml import BlockReader
from .fsutil import NotRegularFile, read_regular
from .problems import Problem
from .text import undecodable

# libyaml is about seven times faster; fall back so a missing wheel still works
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 256 * 1024  # the file's bytes, a byte-order mark included
MAX_DEPTH = 10  # profiles are at most 4 levels deep; deeper input is refused before it is built
MAX_DIGITS = 20  # no field takes a number this long; longer ones are refused, never converted
PROFILE_SUFFIX = ".yaml"
LOOKALIKE = re.compile(r"\.y\w{0,3}ml$", re.IGNORECASE)  # .yml, .YAML, .yxml, .Yaml ...
TEMPLATE_HINT = "compare this line with providers/_template.yaml"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps impossible dates (2026-02-30) as text for the validator to report."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# a value of '=' alone: YAML 1.1's 'value' tag, which PyYAML's safe loader cannot make ("could not determine a
# constructor for the tag 'tag:yaml.org,2002:value'"); it is the text written
_Loader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)
_BLOCK = BlockReader(_Loader.yaml_constructors, _Loader.yaml_implicit_resolvers, MAX_DEPTH, MAX_DIGITS)


@dataclass
class Profile:
    """A parsed profile: its data, where each key is, and the file it came from."""

    path: str
    data: dict
    lines: dict[str, int] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Profile], tuple[str, dict, dict[str, int]]]:
        """Pickled as its three fields (workers send 15,403 back nationally): about a fifth quicker than as a dataclass."""
        return (type(self), (self.path, self.data, self.lines))

    def line(self, dotted: str) -> int:
        """Line of a key, or of its nearest parent that is in the file."""
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    @property
    def slug(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]  # Path(self.path).stem, without making a Path


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as people see it in messages: relative to the working folder where possible."""
    base = base or Path.cwd()
    if not path.is_absolute():
        return str(path)
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel  # never ../../../x


def display_paths(files: list[Path], base: Path | None = None) -> list[str]:
    """``[display_path(f, base) for f in files]``, with each folder's relative path worked out once rather than
    once a file (nationally 15,403 profiles in one folder)."""
    base = base or Path.cwd()
    folders: dict[str, str | None] = {}  # a folder -> what goes before its files' names (None: shown in full)
    shown = []
    for f in files:
        text = str(f)
        folder, name = os.path.split(text)
        if not folder or name in ("", os.curdir, os.pardir) or not f.is_absolute():
            shown.append(display_path(f, base))
            continue
        if folder not in folders:
            folders[folder] = _shown_before(folder, base)
        before = folders[folder]
        shown.append(text if before is None else before + name)
    return shown


def _shown_before(folder: str, base: Path) -> str | None:
    """What display_path puts before the name of a file in ``folder`` (absolute): its path relative to ``base`` and a
    separator ("" when it is ``base``); None when such a file is shown in full (outside ``base``, another drive)."""
    try:
        rel = os.path.relpath(folder, base)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.curdir:
        return ""
    return None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel + os.sep


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a file being used (not the warnings)."""
    return [p for p in problems if p.severity == "error"]


# --- reading the bytes -----------------------------------------------------------------------

def read_profile_bytes(file: Path, shown: str, folder: Path | None = None,
                       base: Path | None = None) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, read at most ``MAX_BYTES`` + 1 of them; refuses links out of the folder.

    ``folder`` is where profiles must live (default: the file's own folder); a link whose target
    is outside it is never opened."""
    if file.is_symlink():
        where = Path(os.path.abspath(folder if folder is not None else file.parent))
        try:
            target = file.resolve(strict=True)
            inside = target.is_relative_to(where.resolve())
        except (OSError, RuntimeError):
            target, inside = Path(os.readlink(file)), False
        if not inside:
            return None, [Problem(shown, 1, "file", f"is a link to {target}, outside {display_path(where, base)}; a profile "
                                  "must be a real file in that folder, so it was not read")]
    try:
        return read_regular(file, MAX_BYTES), []
    except NotRegularFile:
        return None, [Problem(shown, 1, "file", "is not a regular file (a device, pipe or folder); a profile must be a text file")]
    except OSError as exc:
        return None, [Problem(shown, 1, "file", f"cannot be read ({exc.strerror})")]


def decode_profile(raw: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """The text of a profile's bytes: at most ``MAX_BYTES`` (a byte-order mark counts), UTF-8 only."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(shown, 1, "file", f"is larger than {MAX_BYTES // 1024} KB ({MAX_BYTES:,} bytes); "
                              "a profile should be a few KB")]
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [Problem(shown, 1, "file", "is saved as UTF-16, not UTF-8; save it as UTF-8")]
    try:
        return raw[bom:].decode("utf-8"), []
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = raw.count(b"\n", 0, offset) + 1
        column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        return None, [Problem(shown, line, "file", f"is not UTF-8 text: {undecodable(raw, offset)} cannot be read; "
                              "save the file as UTF-8", column)]


def load_text(file: Path, base: Path | None = None, folder: Path | None = None,
              shown: str | None = None) -> tuple[str | None, list[Problem]]:
    """A profile's text, read with every rule of ``load_profile`` (None if any error); for editors."""
    shown = shown or display_path(file, base)
    raw, problems = read_profile_bytes(file, shown, folder, base)
    if raw is None:
        return None, problems
    text, problems = decode_profile(raw, shown)
    if text is None:
        return None, problems
    profile, problems = parse_profile(text, shown)
    return (text if profile is not None else None), problems


def load_profile(file: Path, base: Path | None = None, folder: Path | None = None,
                 shown: str | None = None) -> tuple[Profile | None, list[Problem]]:
    """Read and parse one profile file: ``read_profile_bytes`` then ``parse_bytes``, the only way commands read a
    profile (``checking.check_paths`` takes the same two steps itself, to find a kept check by the bytes).
    ``shown``: ``display_path(file, base)``, when worked out already (``display_paths``)."""
    shown = display_path(file, base) if shown is None else shown
    raw, problems = read_profile_bytes(file, shown, folder, base)
    if raw is None:
        return None, problems
    return parse_bytes(raw, shown)


def past_numbers(raw: bytes, shown: str) -> tuple[Profile, set[str]] | None:
    """A profile refused only for numbers YAML reads as others (1_000, 010, 1:00: number_problem), read with those
    fields left out, and their dotted names: so that check says every other problem of the file with them, at once,
    never only the number's, then the next once it is fixed (the hostile review). None when anything else stops its
    reading (an alias, a key twice, nesting too deep, a syntax error). Only for reporting: never written back. Read as
    parse_profile reads a text (its guards first: libyaml never sees what they refuse), the full way."""
    text, found = decode_profile(raw, shown)
    if text is None or errors(found):
        return None
    text, guarded = _guarded(text, shown)
    if guarded:
        return None
    left_out: set[str] = set()
    profile, problems = _parse_full(text, shown, left_out)
    return (profile, left_out) if profile is not None and left_out else None


TAB_PROBLEMS = ("; use spaces, not tabs", "; delete the tab")  # the endings of prescan's messages about a tab


def past_tabs(raw: bytes, shown: str) -> tuple[Profile | None, list[Problem], set[str]] | None:
    """A profile refused only for its tabs, read with each tab of an indentation as wide as makes its line as indented
    as the written line above or below it (else two spaces, the indentation fmt writes) and any other as one, and the
    fields on those lines, so that check says the file's other problems with
    the tabs', at once: a key twice and a misspelt value were said only once the tab was gone (the provider review).
    Returns the profile so read (None when it does not read), the problems of its reading on other lines than the
    tabs' (a key twice), and the fields on the tabs' lines; None when anything but tabs stops its reading. Only for
    reporting: never written back; what it says of the tabs' lines and their fields is left to the tabs' own problems."""
    text, found = decode_profile(raw, shown)
    if text is None or errors(found):
        return None
    text, guarded = _guarded(text, shown)  # as parse_profile guards it: a file too large is no tab's problem
    if not guarded or not all(p.message.endswith(TAB_PROBLEMS) for p in guarded):
        return None
    lines = text.split("\n")
    tabbed = {p.line for p in guarded}
    near = [len(x) - len(x.lstrip(" ")) for x in lines]  # each line's indentation of spaces
    for no in sorted(tabbed):
        if 0 < no <= len(lines):
            line = lines[no - 1]
            body = line.lstrip(" \t")
            lead = line[: len(line) - len(body)]
            # a tab as wide as makes the line as indented as the written line above or below it, else two spaces
            around = {near[i] for i in (no - 2, no) if 0 <= i < len(lines) and i + 1 not in tabbed and lines[i].strip()}
            width = next((w for w in (2, 4, 8) if len(lead.replace("\t", " " * w)) in around), 2)
            lines[no - 1] = lead.replace("\t", " " * width) + body.replace("\t", " ")
    profile, problems = parse_profile("\n".join(lines), shown)
    if any(p.field == "yaml" for p in problems):  # that reading is no YAML: the tabs' own problems say it all
        return None
    problems = [p for p in problems if p.line not in tabbed]
    return profile, problems, ({f for f, line in profile.lines.items() if line in tabbed} if profile else set())


def parse_bytes(raw: bytes, shown: str) -> tuple[Profile | None, list[Problem]]:
    """Parse a profile held as bytes (a file, or a git blob) with the same rules as a file."""
    text, problems = decode_profile(raw, shown)
    if text is None:
        return None, problems
    return parse_profile(text, shown)


# --- which files are profiles ----------------------------------------------------------------

CLOSURES_FILE = "_closed.yaml"  # closures.FILE, among the profiles: never read as one


def find_profiles(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Profiles under ``paths``: ``*.yaml`` exactly. Look-alikes (``.yml``, ``.YAML``, ``.yxml``) are problems.

    In a folder, names starting with ``_`` or ``.`` (the template) are left out; a file named on
    the command line is read if it ends in ``.yaml`` (so ``fmt providers/_template.yaml`` works).
    A path that does not exist, a folder where a profile file was meant, a file that is not YAML and
    a folder without profiles are problems too (line 0: about the path as a whole)."""
    files: list[Path] = []
    problems: list[Problem] = []
    paths = list(paths)
    for p in paths:
        if p.is_dir():
            if p.name.endswith(PROFILE_SUFFIX) or LOOKALIKE.search(p.name):
                problems.append(_folder_not_profile(p))
                continue
            try:  # by name (the paths' order: one folder), each entry's kind from the listing (nationally 0.12 s to 0.03)
                with os.scandir(p) as listing:
                    entries = sorted((e for e in listing if not e.name.startswith(("_", "."))), key=lambda e: e.name)
            except OSError as exc:
                problems.append(Problem(display_path(p), 0, "file", f"cannot be read ({exc.strerror}); "
                                        "make the folder readable or give another one"))
                continue
            before = (len(files), len(problems))
            for e in entries:
                f = p / e.name
                if _is_dir(e):
                    if f.name.endswith(PROFILE_SUFFIX) or LOOKALIKE.search(f.name):
                        problems.append(_folder_not_profile(f))
                    elif _holds_profiles(f):
                        problems.append(_profiles_in_a_folder(f, p))
                elif f.name.endswith(PROFILE_SUFFIX):
                    files.append(f)
                elif LOOKALIKE.search(f.name):
                    problems.append(_lookalike(f))
            if (len(files), len(problems)) == before:
                problems.append(Problem(display_path(p), 0, "file", f"no profiles in this folder (no {PROFILE_SUFFIX} files); an empty "
                                        "folder is almost certainly a mistake: give the folder that holds the profiles, "
                                        "e.g. providers/, or, for a new area, import its services into it first "
                                        "(python3 build.py import-cqc --area NAME FILE --local-authority \"CQC's name for "
                                        "it\": docs/areas.md)"))
        elif not p.exists() and not p.is_symlink():
            problems.append(Problem(display_path(p), 0, "file", "no such file or folder; give a profile (.yaml) or the folder "
                                    "of profiles, e.g. providers/"))
        elif p.name == CLOSURES_FILE:  # named on its own: not a profile, though it ends in .yaml
            problems.append(Problem(display_path(p), 0, "file", "is the closures file import-cqc writes (the services CQC "
                                    "closed before they were listed: docs/commissioners.md), not a profile; give its "
                                    "folder, and check reads it with the profiles"))
        elif p.name.endswith(PROFILE_SUFFIX):
            files.append(p)
        elif LOOKALIKE.search(p.name):
            problems.append(_lookalike(p))
        else:
            problems.append(Problem(display_path(p), 0, "file", f"is not a YAML profile (profile names end in "
                                    f"'{PROFILE_SUFFIX}'); give a profile or the folder of profiles, e.g. providers/"))
    if len(paths) > 1:  # a file named twice (providers and providers/a.yaml, providers and ./providers/) is read once:
        once: dict[str, Path] = {}  # it was "also used by" itself, "so merge the two" (the hostile review)
        for f in files:
            once.setdefault(os.path.realpath(f), f)
        files = list(once.values())
    return files, problems


def _is_dir(entry: os.DirEntry) -> bool:
    """Whether a folder's entry is a folder (or a link to one), as Path.is_dir says: False when it cannot be told."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _folder_not_profile(f: Path) -> Problem:
    return Problem(display_path(f), 0, "file", f"is a folder, not a profile file; profiles are {PROFILE_SUFFIX} files "
                   "directly in the folder of profiles (folders inside it are not read): rename or move this folder")


def _holds_profiles(folder: Path) -> bool:
    """Whether a folder inside the folder of profiles has profile files of its own (which are never read)."""
    try:
        return any(f.name.endswith(PROFILE_SUFFIX) and not f.name.startswith(("_", ".")) for f in folder.iterdir())
    except OSError:
        return False


def _profiles_in_a_folder(folder: Path, parent: Path) -> Problem:
    return Problem(display_path(folder), 0, "file", f"holds {PROFILE_SUFFIX} files, but profiles are read only directly in "
                   f"{display_path(parent)} (folders inside it are not read), so these homes would not be published: "
                   "move the files up a folder, or start the folder's name with _ to keep it unread")


def _lookalike(f: Path) -> Problem:
    shown = display_path(f)
    right = f.with_name(LOOKALIKE.sub("", f.name) + PROFILE_SUFFIX) if LOOKALIKE.search(f.name) else f.with_name(f.stem + PROFILE_SUFFIX)
    if right.exists():
        return Problem(shown, 1, "file", f"is not read as a profile, and {right.name} is already there; keep one of the "
                       f"two (profile names end in '{PROFILE_SUFFIX}') and delete the other")
    return Problem(shown, 1, "file", f"is not read as a profile: profile names end in '{PROFILE_SUFFIX}' (lower case); "
                   f"rename it to {right.name}")


def profile_files(paths: Iterable[Path]) -> list[Path]:
    """The profiles under ``paths`` (see ``find_profiles``; look-alikes are left out)."""
    return find_profiles(paths)[0]


# --- the pre-scan: refuse what libyaml or ruamel.yaml handle badly, before they see it -----------

_KEY = re.compile(r"""(?:'[^']*'|"[^"\\]*"|[^\s#'"\[\]{},:&*!|>%@`-][^:#]*?|-[^\s:][^:#]*?):(?=[ \t]|$)""")
_PROPERTIES = re.compile(r"(?:[!&]\S*(?:[ \t]+|$))+")  # tags and anchors before a value
_BLOCK_SCALAR = re.compile(r"[|>][0-9+-]{0,2}([ \t]+#.*)?[ \t]*$")
_BAD_BLOCK_HEADER = re.compile(r"[|>][0-9+-]{0,2}#")
CRUDE_DEPTH = 100  # far above any real profile, far below what crashes libyaml
_BRACKET = re.compile(r"[\[\]{}]")
_DASH_CHAIN = re.compile(r"^[ \t]*(?:[-?][ \t]+){%d}" % CRUDE_DEPTH, re.MULTILINE)
_ODD_BREAK = re.compile("[\ufeff\x85\u2028\u2029]|\r(?!\n)")  # a byte-order mark inside, and line breaks only YAML 1.1 knows
_ODD_CHARS = ("\r", "\ufeff", "\x85", "\u2028", "\u2029")  # _ODD_BREAK is looked for only in a text holding one
_NEEDS_SCAN = re.compile(r"[\t\[{&]|[|>][0-9+-]{0,2}#")


def _needs_scan(text: str) -> bool:
    """Whether _NEEDS_SCAN is in the text, found character by character first (a regular expression that starts
    with a choice of classes is tried at every position, and was a tenth of the parse)."""
    return ("\t" in text or "[" in text or "{" in text or "&" in text
            or ("|" in text or ">" in text) and _NEEDS_SCAN.search(text) is not None)
_TAG_START = re.compile(r"(?:^|[:?,\[{-])[ \t]*!", re.MULTILINE)  # a tag may start there: a value, a line, an item, a key
_MAYBE_DEEP = re.compile(r"^(?: {%d}|[ ]*[-?][ ]+[-?](?:[ ]|$))" % MAX_DEPTH, re.MULTILINE)
_MISSING_SPACE = re.compile(r"^[ ]*(?:-[ ]+)*([^\W\d]\w*):(?=[^\s/:])")  # a name of letters in any script


@dataclass
class _Scan:
    """State carried from line to line by the pre-scan."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    indents: list[int] = field(default_factory=list)
    block_scalar: int | None = None  # indent of the line that opened a | or > block
    flow: int = 0  # depth of [ and { brackets
    quote: str | None = None  # an open quoted scalar
    top_key: str = "yaml"
    too_deep: bool = False

    def deep(self, line: int, depth: int) -> None:
        if depth > MAX_DEPTH and not self.too_deep:
            self.too_deep = True
            self.problems.append(Problem(self.path, line, self.top_key,
                                         f"is nested more than {MAX_DEPTH} levels deep; compare it with providers/_template.yaml"))

    def tab(self, line: int, column: int, what: str) -> None:
        self.problems.append(Problem(self.path, line, "yaml", f"{what}; use spaces, not tabs", column))


def prescan(text: str, path: str) -> list[Problem]:
    """Tabs YAML readers disagree on, and nesting deeper than ``MAX_DEPTH``, found without parsing.

    libyaml builds nested brackets by recursion and crashes the process on tens of thousands of
    them, so depth is counted here first (flow brackets plus block indentation)."""
    odd = _ODD_BREAK.search(text) if any(c in text for c in _ODD_CHARS) else None
    if odd:
        at = text.count("\n", 0, odd.start()) + 1
        what = ("a carriage return (\\r) without a line feed; save the file with ordinary line endings"
                if odd.group() == "\r" else f"the character {char_name(odd.group())}, which YAML readers disagree on; delete it")
        return [Problem(path, at, "yaml", f"contains {what}", odd.start() - (text.rfind("\n", 0, odd.start()) + 1) + 1)]
    if not _needs_scan(text) and not _MAYBE_DEEP.search(text):
        return _tag_problems(text, path)  # the common case, found in C code: no tabs, brackets, anchors or deep indentation
    s = _Scan(path)
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if s.flow or s.quote:
            _scan_flow(s, line, 0, no, len(s.indents))
            continue
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if s.block_scalar is not None:
            if not body.strip() or indent > s.block_scalar:
                continue
            s.block_scalar = None
        if not body.strip():
            if "\t" in body:
                s.problems.append(Problem(path, no, "yaml", "this empty line holds a tab; delete the tab",
                                          indent + body.index("\t") + 1))
            continue
        if body.startswith("#"):
            continue
        if body.startswith("\t"):
            s.tab(no, indent + 1, "this line is indented with a tab")
            continue
        while s.indents and s.indents[-1] >= indent:
            s.indents.pop()
        s.indents.append(indent)
        rest, col = body, indent
        while rest[:1] in ("-", "?") and (len(rest) == 1 or rest[1] in " \t"):
            if rest[1:2] == "\t":
                s.tab(no, col + 2, f"there is a tab after '{rest[0]}'")
            stripped = rest[1:].lstrip(" \t")
            col += len(rest) - len(stripped)
            rest = stripped
            s.indents.append(col)
        if indent == 0:
            m = _KEY.match(rest)
            s.top_key = m.group(0)[:-1].strip("'\"") if m else "yaml"
        s.deep(no, len(s.indents) - 1)
        m = _KEY.match(rest)
        if m:
            after = rest[m.end():]
            value = after.lstrip(" \t")
            if "\t" in after[: len(after) - len(value)]:
                s.tab(no, col + m.end() + after.index("\t") + 1, f"there is a tab after '{m.group(0)}'")
            col += m.end() + len(after) - len(value)
            rest = value
        props = _PROPERTIES.match(rest)
        if props and "&" in props.group():
            anchor = (props.group().split("&", 1)[1].split() or [""])[0].rstrip(":")
            s.problems.append(Problem(path, no, "yaml", f"anchors and aliases (& and *) are not used in profiles; "
                                      f"remove '&{anchor}'", col + props.group().index("&") + 1))
        if props:
            col += props.end()
            rest = rest[props.end():]
        if _BAD_BLOCK_HEADER.match(rest):
            s.problems.append(Problem(path, no, "yaml", f"put a space before the '#' after '{rest[0]}' (a comment "
                                      "needs a space before it)", col + rest.index("#") + 1))
        if _BLOCK_SCALAR.match(rest) or _BAD_BLOCK_HEADER.match(rest):
            s.block_scalar = indent
        elif rest[:1] in ("[", "{", "'", '"'):
            _scan_flow(s, line, col, no, len(s.indents) - 1)
        tabs = _bare_tabs(line)
        if tabs and not (s.problems and s.problems[-1].line == no):
            s.tab(no, tabs[0] + 1, "there is a tab on this line (only text in quotes may hold one)")
    if not s.too_deep:
        _safety_net(s, text)
    return s.problems or _tag_problems(text, path)


def _tag_problems(text: str, path: str) -> list[Problem]:
    """A YAML tag anywhere in a profile ('!!int "5"', '{registered: !!binary MTY=}', '!!str key: x', a '!!map' line) as one
    rule names it, as anchors are: a tag makes YAML read a value another way, which PyYAML then says in its own words
    ("must be text, not 'b'Aston House''") or gives wrong advice about ("put it in quotes" of a quoted value). Found by
    libyaml's parser events (an event's tag is given only where the text writes one), read only for a text where a
    tag may start: else none; and none where the text is not YAML (the full read says why)."""
    if "!" not in text or not _TAG_START.search(text):
        return []
    lines = text.split("\n")
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            given = getattr(event, "tag", None)
            mark = event.start_mark
            if given is None or mark is None:
                continue
            line = lines[mark.line] if mark.line < len(lines) else ""
            written = re.match(r"!\S*", line[mark.column:]) if "!" in line[mark.column:mark.column + 1] else None
            tag = (written.group() if written else next((w for w in line.split() if w.startswith("!")), str(given)))[:40]
            return [Problem(path, mark.line + 1, "yaml", f"tags (such as '{tag}') are not used in profiles: remove '{tag}' "
                            "and write the value as it is, in quotes if it starts with '!'", mark.column + 1)]
    except yaml.YAMLError:
        return []
    return []


def _safety_net(s: _Scan, text: str) -> None:
    """Depth counted without any YAML grammar (brackets anywhere, chains of '- '), so no trick with
    quotes or odd keys can slip deep nesting past the scan above to libyaml."""
    depth = 0
    for m in _BRACKET.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > CRUDE_DEPTH:
            s.top_key = "yaml"
            s.deep(text.count("\n", 0, m.start()) + 1, depth)
            return
    chain = _DASH_CHAIN.search(text)
    if chain:
        s.top_key = "yaml"
        s.deep(text.count("\n", 0, chain.start()) + 1, CRUDE_DEPTH + 1)


def _bare_tabs(line: str) -> list[int]:
    """Columns (from 0) of tabs outside quoted text and comments: ruamel.yaml refuses them."""
    out: list[int] = []
    quote, prev, i = None, " ", 0
    while i < len(line):
        c = line[i]
        if quote == "'":
            if c == "'":
                if line[i + 1:i + 2] == "'":
                    i += 1
                else:
                    quote = None
        elif quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                quote = None
        elif c == "#" and prev in " \t":
            break
        elif c in "'\"" and prev in " \t[{,:-?":
            quote = c
        elif c == "\t":
            out.append(i)
        prev = c
        i += 1
    return out


def _scan_flow(s: _Scan, line: str, start: int, no: int, base_depth: int) -> None:
    """Count brackets from ``start``, skipping quoted text and comments; carries open ones over."""
    i, n = start, len(line)
    prev = " "
    while i < n:
        c = line[i]
        if s.quote == "'":
            if c == "'":
                if i + 1 < n and line[i + 1] == "'":
                    i += 1
                else:
                    s.quote = None
        elif s.quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                s.quote = None
        elif c in "'\"" and (prev in " \t[{,:" or i == start):
            s.quote = c
        elif c == "#" and prev in " \t":
            return
        elif c in "[{":
            s.flow += 1
            s.deep(no, base_depth + s.flow)
            if s.too_deep:
                s.flow = 0
                return
        elif c in "]}":
            s.flow = max(0, s.flow - 1)
            if s.flow == 0:
                return
        elif not s.flow and s.quote is None:
            return  # a quoted block value ended and no bracket is open
        prev = c
        i += 1


# --- parsing ---------------------------------------------------------------------------------

def parse_profile(text: str, path: str) -> tuple[Profile | None, list[Problem]]:
    """Parse one profile's text. Returns the profile (None if any error) and the problems found."""
    text, found = _guarded(text, path)
    if found:
        return None, found
    block = _BLOCK.read(text)  # the common shape, without libyaml's nodes; None: read it the full way
    if block is not None:
        return Profile(path, block[0], block[1]), []
    return _parse_full(text, path)


def _guarded(text: str, path: str) -> tuple[str, list[Problem]]:
    """A profile's text without its byte-order mark, and what refuses it before any YAML reader sees it: its size, and
    what ``prescan`` finds."""
    text = text.removeprefix("\ufeff")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return text, [Problem(path, 1, "file", f"is larger than {MAX_BYTES // 1024} KB ({MAX_BYTES:,} bytes); "
                              "a profile should be a few KB")]
    return text, prescan(text, path)


def _parse_full(text: str, path: str, left_out: set[str] | None = None) -> tuple[Profile | None, list[Problem]]:
    """Parse a profile's text (already through ``_guarded``) with libyaml's nodes and PyYAML's constructor: every
    problem's message and line comes from here. With ``left_out`` (past_numbers), a text whose only errors are numbers
    YAML reads as others is read even so, without those fields, whose names are put in ``left_out``."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "file", "is empty; copy providers/_template.yaml to start a profile")]
        problems: list[Problem] = []
        lines: dict[str, int] = {}
        ctx = _Context(path, text)
        _walk(node, "", lines, problems, ctx, 1)
        misread = left_out is not None and ctx.numbers and all(p.field in ctx.numbers for p in errors(problems))
        if errors(problems) and not misread:
            return None, problems
        if not isinstance(node, yaml.MappingNode):
            return None, [Problem(path, node.start_mark.line + 1, "file",
                                  "must be a list of 'key: value' lines, starting with location_id:")]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, path)]
    except yaml.YAMLError as exc:  # ReaderError: characters YAML forbids
        return None, [_reader_problem(exc, text, path)]
    except (ValueError, OverflowError, RecursionError) as exc:  # defensive: no traceback for any input
        return None, [Problem(path, 1, "yaml", f"could not be read ({exc}); {TEMPLATE_HINT}")]
    finally:
        loader.dispose()
    if misread and left_out is not None:
        left_out.update(ctx.numbers)
        for dotted in ctx.numbers:
            *parents, last = dotted.split(".")
            holder: Any = data
            for key in parents:
                holder = holder.get(key) if isinstance(holder, dict) else None
            if isinstance(holder, dict):
                holder.pop(last, None)
    return Profile(path, data, lines), problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    """A YAML syntax error placed on the line a person would fix, with a hint."""
    escape = _bad_escape(exc, text)
    if escape is not None:
        return Problem(path, escape[0], "yaml", f"'{escape[2]}' cannot be read: in double quotes a backslash starts a code "
                       "(such as \\n), and this is not one; write \\\\ for a backslash, type the character itself, or put "
                       "the text in single quotes", escape[1])
    if "quoted scalar" in (exc.context or "") and exc.context_mark is not None:
        m = exc.context_mark
        return Problem(path, m.line + 1, "yaml", "this quote is not closed; end the text with the same quote mark "
                       "on this line, or remove the opening quote", m.column + 1)
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, None)
    lines = text.split("\n")
    for i in range(line - 1, max(line - 4, -1), -1):
        key = _MISSING_SPACE.match(lines[i]) if i < len(lines) else None
        if key:
            return Problem(path, i + 1, "yaml", f"'{key.group(1)}:' needs a space after the colon; write "
                           f"'{key.group(1)}: ' and then the value", key.end() + 1)
    opened = _unclosed_quote(lines, line)
    if opened:
        return Problem(path, opened[0], "yaml", "this quote is not closed; end the text with the same quote mark "
                       "on this line, or remove the opening quote", opened[1])
    what = (exc.problem or "could not be read").rstrip(".")
    row = lines[line - 1] if 0 < line <= len(lines) else ""
    start = row[col - 1] if col and col <= len(row) else ""
    curly = _CURLY_VALUE.match(_uncommented(row))
    if curly:  # pasted from a word processor: “text: more” is no quoted text to YAML, so its ': ' starts another field
        inner = curly[3].strip(CURLY_QUOTES)
        write = f'; write {curly[2]}: "{inner[:SHOWN_VALUE]}"' if '"' not in inner and "\\" not in inner else ""
        return Problem(path, line, _key_path(lines, line - 1) or "yaml",
                       f"the value is in curly quotes ({_curly_pair(curly[3])}), which are not quote marks to YAML, so "
                       f"the ': ' in it reads as the start of another field; type straight quotes (\") instead{write}",
                       len(curly[1]) + len(curly[2]) + 3)
    if "cannot start any token" in what and start in "@`":  # YAML keeps them back: '@sarahj', a username
        name, colon, value = _uncommented(row).partition(": ")
        write = (f"; write {name.strip()}: \"{value.strip()[:SHOWN_VALUE]}\"" if colon and value.strip().startswith(start)
                 and '"' not in value and "\\" not in value else "")
        return Problem(path, line, "yaml", f"a value cannot start with '{start}' unless it is in quotes{write}", col)
    if "could not find expected ':'" in what or "mapping values are not allowed" in what:
        missing = _missing_colon(lines, line)
        if missing:
            return Problem(path, missing[0], "yaml", missing[2], missing[1])
    return Problem(path, line, "yaml", f"{what}; {_yaml_hint(what)}", col)


# a field name, a space and its value (a colon in it only before other text, as in a web address), once the line's
# comment, spaces and carriage return (a Windows file's) at its end are taken off (_uncommented)
_NO_COLON = re.compile(r"^([ ]*)([^\W\d]\w*)(?:[ ]+((?:[^:]|:(?! |$))*))?$")
_COMMENT = re.compile(r"[ ]+#.*")
SHOWN_VALUE = 60  # characters of a value shown in what to write (the rest: '...')


def _uncommented(line: str) -> str:
    """A line without its comment (from ' #', as YAML reads it) and the spaces and carriage return at its end."""
    return _COMMENT.sub("", line.rstrip("\r ")).rstrip(" ")


def _missing_colon(lines: list[str], error_line: int) -> tuple[int, int, str] | None:
    """(line, column, message) for a field written without its colon ('town Hereford'), from 1.

    The parser reads such a line as the start of a longer text and stops at a later line (or at a comment
    after it); the line a person must mend is the last one with writing on it before that, when it is a
    field name with no colon, indented as the next field is (more indented, it carries on the text above)."""
    def written(i: int) -> bool:
        return bool(lines[i].strip()) and not lines[i].strip().startswith("#")

    after = next((lines[i] for i in range(error_line - 1, len(lines)) if written(i) and ":" in lines[i]), None)
    for i in range(min(error_line, len(lines)) - 1, -1, -1):
        if not written(i) or (i == error_line - 1 and ":" in lines[i]):
            continue
        m = _NO_COLON.match(_uncommented(lines[i]))
        if not m or (after is not None and len(m[1]) != len(after) - len(after.lstrip(" "))):
            return None
        value = "" if not m[3] else f" {m[3]}" if len(m[3]) <= SHOWN_VALUE else f" {m[3][:SHOWN_VALUE - 3]}..."
        return i + 1, m.end(2) + 1, f"'{m[2]}' needs a colon after it; write '{m[2]}:{value}'"
    return None


_ESCAPE_PROBLEMS = ("unknown escape character", "invalid Unicode character escape code", "expected hexdecimal number")


def _bad_escape(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str] | None:
    """(line, column, the escape as written) when libyaml refused a backslash in double quotes ('\\q', half of a
    character such as '\\ud83d'): it is not an unclosed quote, though the error is raised inside one."""
    mark = exc.problem_mark
    if mark is None or not any(p in (exc.problem or "") for p in _ESCAPE_PROBLEMS):
        return None
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    start = line.rfind("\\", 0, mark.column + 1)
    if start < 0:
        return None
    m = re.match(r"\\(?:u[0-9A-Fa-f]{0,4}|U[0-9A-Fa-f]{0,8}|x[0-9A-Fa-f]{0,2}|.?)", line[start:])
    return mark.line + 1, start + 1, m.group() if m else "\\"


CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u201a\u00ab\u00bb"  # a word processor's quote marks, and guillemets
_CURLY_VALUE = re.compile(r"^([ ]*(?:-[ ]+)?)([^\W\d][\w]*):[ ]+([\u201c\u2018\u201e\u201a\u00ab].*)$")
_KEY_LINE = re.compile(r"^([ ]*)([^\W\d]\w*):(?:[ ]|$)")


def _curly_pair(value: str) -> str:
    """The curly quote marks a value opens and closes with ('“ ”'), the closing one only when it is one (a value whose
    last letter was shown as its closing quote: the hostile review)."""
    end = value.rstrip()[-1:]
    return value[0] + (f" {end}" if end and end in CURLY_QUOTES and len(value.rstrip()) > 1 else "")


def _key_path(lines: list[str], i: int) -> str:
    """The dotted field name of the key on line ``i`` (from 0) and the keys above it it is indented under
    ('contact.manager'), read from the indentation alone (the file could not be read); '' when the line has none."""
    m = _KEY_LINE.match(lines[i].rstrip("\r")) if i < len(lines) else None  # a Windows file's lines end '\r'
    if not m:
        return ""
    names, indent = [m[2]], len(m[1])
    for j in range(i - 1, -1, -1):
        up = _KEY_LINE.match(lines[j].rstrip("\r"))
        if up and len(up[1]) < indent:
            names.append(up[2])
            indent = len(up[1])
            if not indent:
                break
    return ".".join(reversed(names))


_QUOTED_VALUE = re.compile(r"^\s*(?:-\s+)?(?:[^\s#'\"][^:#]*:\s+|-\s+)?(['\"])")


def _unclosed_quote(lines: list[str], error_line: int) -> tuple[int, int] | None:
    """The last line before the error whose value opens a quote it does not close: (line, column), from 1.

    A quoted value that runs on over several lines is legal YAML, so the parser reports the damage far
    below, where the next quote mark closes it; the line a person must fix is the one that opened it."""
    for i in range(min(error_line, len(lines)) - 1, -1, -1):
        m = _QUOTED_VALUE.match(lines[i])
        if not m:
            continue
        q, rest = m.group(1), lines[i][m.end():]
        if q not in _unescaped(rest, q) and not _carried_on(lines, i, q):
            return i + 1, m.end()
    return None


def _carried_on(lines: list[str], i: int, quote: str) -> bool:
    """Whether the quoted value opened on line ``i`` with ``quote`` goes on over the lines below and closes there, as
    YAML allows (fmt writes a long description so): the lines after it indented more than line ``i`` hold its closing
    quote. A quote left open is followed by the next field, indented as its own line (a later description's line was
    named instead: the provider review), or by indented lines that never close it (the hostile review)."""
    indent = len(lines[i]) - len(lines[i].lstrip(" "))
    for x in lines[i + 1:]:
        if not x.strip():
            continue
        if len(x) - len(x.lstrip(" ")) <= indent:
            return False
        if quote in _unescaped(x, quote):
            return True
    return False


def _unescaped(text: str, quote: str) -> str:
    """``text`` within a quoted value without what writes its quote mark as a character ('' in single quotes, a
    backslash's escape in double), so that a quote mark left in it closes the value."""
    return text.replace("''", "") if quote == "'" else re.sub(r"\\.", "", text)


def _reader_problem(exc: yaml.YAMLError, text: str, path: str) -> Problem:
    pos = getattr(exc, "position", None)
    char = getattr(exc, "character", None)
    line = text.count("\n", 0, pos) + 1 if isinstance(pos, int) else 1
    if isinstance(char, int):
        char = chr(char)
    what = f"contains the character {char_name(char)}" if isinstance(char, str) and char else str(getattr(exc, "reason", exc))
    return Problem(path, line, "yaml", f"{what}, which is not allowed in a profile; retype the text without it")


def char_name(c: str) -> str:
    """'U+200B ZERO WIDTH SPACE': a character named so a person can find it."""
    import unicodedata

    name = unicodedata.name(c, "")
    if not name:
        code = ord(c)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            name = "CONTROL CHARACTER"
        elif (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
            name = "NONCHARACTER"
        elif 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
            name = "PRIVATE USE CHARACTER"
        else:
            name = "UNNAMED CHARACTER"
    return f"U+{ord(c):04X} {name}"


def _yaml_hint(what: str) -> str:
    if "mapping values are not allowed" in what or "could not find expected ':'" in what:
        return "check the indentation, and put text containing ': ' in quotes"
    if "tab" in what or "'\\t'" in what:
        return "indent with spaces, not tabs"
    if "found undefined alias" in what or "anchor" in what:
        return "anchors and aliases (& and *) are not used in profiles"
    return TEMPLATE_HINT


@dataclass
class _Context:
    path: str
    text: str
    seen: set[int] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # the fields whose number YAML reads as another (number_problem)


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")


def too_many_digits(digits: int) -> str:
    """What is wrong with a number of more than MAX_DIGITS digits, in a profile, a form's answer or a sheet's cell."""
    return f"is a number {digits:,} digits long; no field takes a number that large, so write the real figure"


def _scalar_problem(node: yaml.ScalarNode, where: str, line: int, path: str) -> Problem | None:
    """Numbers YAML 1.1 reads surprisingly (1:00 is 60, 010 is 8) and numbers too long to be real."""
    what = number_problem(node)
    return None if what is None else Problem(path, line, where, what)


def number_problem(node: yaml.Node) -> str | None:
    """What is wrong with a number as YAML 1.1 reads it, where a person wrote another (1:00 is 60, 010 is 8, 0x1E is
    30, 1_000 is 1000), or one too long to be real; None for a plain number and any other value. A profile's, and the
    report's thresholds' (signals.yaml: 030 was taken for 24 without a word)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    value = str(node.value)
    if node.tag not in (_INT, _FLOAT) or node.style:
        return None
    # its digits from the first that is not 0: a small decimal's zeros (0.00012055059424835052, a longitude Python
    # writes so) are no length of the number
    digits = sum(ch.isdigit() for ch in value.lstrip("+-0.").split("e")[0].split("E")[0]) if node.tag == _FLOAT \
        else sum(ch.isdigit() for ch in value)
    if digits > MAX_DIGITS:
        return too_many_digits(digits)
    if node.tag == _INT and _PLAIN_INT.fullmatch(value) or node.tag == _FLOAT and not (":" in value or "_" in value):
        return None
    shown = value[:40]
    if ":" in value:
        what = f"'{shown}' is read by YAML as a time in base 60, not as written"
    elif re.fullmatch(r"[-+]?0[0-9]+", value):
        what = f"'{shown}' starts with 0, so YAML reads it as a number in base 8"
    else:
        what = f"'{shown}' is written in a form YAML reads as another number"
    return f"{what}; write a plain whole number (like 60), or put text (like a phone number) in quotes"


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], problems: list[Problem],
          ctx: _Context, line: int, depth: int = 0) -> bool:
    """Record key lines; refuse aliases (a YAML 'billion laughs' bomb), duplicate keys, deep nesting
    and surprising numbers; warn about a value that YAML read as a comment.

    Returns True when the nesting is too deep, so the callers stop walking at once."""
    path = ctx.path
    if depth > MAX_DEPTH:
        problems.append(Problem(path, line, prefix.split(".")[0] or "yaml",
                                f"is nested more than {MAX_DEPTH} levels deep; compare it with providers/_template.yaml"))
        return True
    if id(node) in ctx.seen:
        problems.append(Problem(path, line, prefix or "yaml",
                                "anchors and aliases (& and *) are not allowed in profiles; write the value out"))
        return False
    ctx.seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        found = _scalar_problem(node, prefix or "yaml", line, path)
        if found:
            problems.append(found)
            ctx.numbers.add(prefix)
    elif isinstance(node, yaml.MappingNode):
        keys_here: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            dotted = f"{prefix}.{key}" if prefix else key
            if isinstance(key_node, yaml.ScalarNode) and (found := _scalar_problem(key_node, dotted[:80], line, path)):
                problems.append(found)
                continue
            if key == "<<":
                problems.append(Problem(path, line, dotted, "merge keys ('<<') are not allowed in profiles; write the keys out"))
                continue
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _STR:
                key_node.tag = _STR  # a key is the text written ('no:' is 'no', never False, nor 'False' in a message)
            if key in keys_here:
                heading = _lost_heading(prefix, node, key_node, keys_here[key])
                problems.append(Problem(path, line, dotted, f"appears twice (first on line {keys_here[key]}); " + (
                    f"the lines from line {heading[1]} on look like those of '{heading[0]}': if its heading line "
                    f"'{heading[0]}:' was deleted, put it back above line {heading[1]}; else keep one of them" if heading else "keep one of them")))
                continue
            keys_here[key] = line
            lines[dotted] = line
            _comment_value(key_node, value_node, dotted, ctx, problems)
            if _walk(value_node, dotted, lines, problems, ctx, line, depth + 1):
                return True
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{prefix}.{i}"] = item.start_mark.line + 1
            if _walk(item, f"{prefix}.{i}", lines, problems, ctx, item.start_mark.line + 1, depth + 1):
                return True
    return False


def _lost_heading(prefix: str, node: yaml.MappingNode, duplicate: yaml.Node, first: int) -> tuple[str, int] | None:
    """When a key appears twice in a group because a sibling group's heading line was deleted ('fees:' gone, so the
    fees' lines joined 'user_rating' above them, whose date then appeared twice): that sibling's name and the line to
    put it back above, the first of the longest run of keys that are all its fields, ending at the duplicate and after
    the key's first line; None when no sibling group holds them all."""
    from .schema import load_schema  # only when a key appears twice: reading a profile needs no schema

    tree: Any = load_schema().tree
    parts = prefix.split(".") if prefix else []
    for part in parts[:-1]:
        tree = tree.get(part) if isinstance(tree, dict) else None
    if not isinstance(tree, dict) or not parts:
        return None
    keys = [k for k, _ in node.value]
    run_of = keys[:keys.index(duplicate) + 1]
    runs: list[tuple[int, str, int]] = []
    for name, fields in tree.items():
        if name == parts[-1] or not isinstance(fields, dict):
            continue
        run = 0
        for k in reversed(run_of):
            if not (isinstance(k, yaml.ScalarNode) and k.value in fields and k.start_mark.line + 1 > first):
                break
            run += 1
        if run >= 2:
            runs.append((run, name, run_of[-run].start_mark.line + 1))
    longest = max((r for r, _, _ in runs), default=0)
    best = [r for r in runs if r[0] == longest]
    # one group alone: siblings of the same fields (each need's accepted and beds) cannot say which heading went
    return (best[0][1], best[0][2]) if len(best) == 1 else None


def _comment_value(key_node: yaml.Node, value_node: yaml.Node, dotted: str, ctx: _Context,
                   problems: list[Problem]) -> None:
    """Warn when 'key: #text' left the value empty: YAML read the text as a comment."""
    if not (isinstance(value_node, yaml.ScalarNode) and value_node.tag == _NULL and value_node.value == ""):
        return
    end = ctx.text.find("\n", key_node.end_mark.index)
    after = ctx.text[key_node.end_mark.index: end if end >= 0 else len(ctx.text)]
    m = re.match(r"\s*:[ \t]+#(.*)$", after)
    if m and m.group(1).strip():
        text = m.group(1).strip().replace('"', "'")
        key = dotted.rsplit(".", 1)[-1]
        problems.append(Problem(ctx.path, key_node.start_mark.line + 1, dotted,
                                f"is empty because YAML reads the text after '#' as a comment. Is this a comment? "
                                f"If '#{text[:40]}' is the value, put the text in quotes: {key}: \"#{text[:40]}\"",
                                severity="warning"))


def yaml_mapping(text: str, path: str = "<text>") -> dict | None:
    """The mapping a YAML text holds, read with the same guards as profiles; None if it is not one."""
    profile, _ = parse_profile(text, path)
    return profile.data if profile and isinstance(profile.data, dict) else None


def to_plain(value: Any) -> Any:
    """Dates to ISO text, recursively, so data can be written as JSON."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
