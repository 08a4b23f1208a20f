"""Check profiles against the schema and the rules across fields and files.

Every message says where, which field, what is wrong and what to do.
"""
from __future__ import annotations

import datetime as dt
import decimal
import difflib
import os
import re
import struct
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .kinds import Kind, kind_template_path, kinds, kinds_of, profile_key
from .load import MAX_DIGITS, Profile, char_name, errors, parse_profile, too_many_digits
from .problems import Problem
from .records import get_path
from .schema import Field, Schema, Values, load_schema
from .safetext import address_left_out, html_tags, pictures, reference_links, refused_links, shown
from .text import and_list

EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
URL = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]{1,5})?([/?#][^\s<>\"]*)?")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
POSTCODE_LOOSE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
# Characters a reader cannot see: C0 and C1 controls (tab and line break are handled apart), soft
# hyphen, zero-width and joiner characters, bidirectional marks and overrides, the byte-order mark,
# interlinear annotations, tag characters, variation selectors and noncharacters; and the private use areas, whose
# characters have no standard look (a box, or a vendor's logo) and two of which mark a date's age in a page kept across
# days (ages.age_mark). A joiner, selector or tag inside an emoji a phone types is seen as part of it (EMOJI).
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\ufe00-\ufe0f\U000e0100-\U000e01ef"
                       "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ue000-\uf8ff\U000f0000-\U0010fffd"
                       "\ufdd0-\ufdef\ufffe\uffff\U000e0000-\U000e007f"
                       # blank letters (hangul fillers, the braille blank), deprecated or format characters nobody sees,
                       # and the noncharacters of every plane past the first
                       "\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\U0001bca0-\U0001bca3"
                       + "".join(f"{chr(p << 16 | 0xfffe)}{chr(p << 16 | 0xffff)}" for p in range(1, 17)) + "]")
# Unicode's pictographs (Extended_Pictographic in emoji-data.txt, Unicode 15, with the code points it keeps for emoji to come)
PICTOGRAPH = ("[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u2388\u23cf"
              "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2605\u2607-\u2612"
              "\u2614-\u2685\u2690-\u2705\u2708-\u2712\u2714\u2716\u271d\u2721\u2728\u2733\u2734\u2744\u2747"
              "\u274c\u274e\u2753-\u2755\u2757\u2763-\u2767\u2795-\u2797\u27a1\u27b0\u27bf\u2934\u2935"
              "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001f0ff"
              "\U0001f10d-\U0001f10f\U0001f12f\U0001f16c-\U0001f171\U0001f17e\U0001f17f\U0001f18e"
              "\U0001f191-\U0001f19a\U0001f1ad-\U0001f1e5\U0001f201-\U0001f20f\U0001f21a\U0001f22f"
              "\U0001f232-\U0001f23a\U0001f23c-\U0001f23f\U0001f249-\U0001f3fa\U0001f400-\U0001f53d"
              "\U0001f546-\U0001f64f\U0001f680-\U0001f6ff\U0001f774-\U0001f77f\U0001f7d5-\U0001f7ff"
              "\U0001f80c-\U0001f80f\U0001f848-\U0001f84f\U0001f85a-\U0001f85f\U0001f888-\U0001f88f"
              "\U0001f8ae-\U0001f8ff\U0001f90c-\U0001f93a\U0001f93c-\U0001f945\U0001f947-\U0001f9ff"
              "\U0001fa00-\U0001fffd]")
# An emoji as a phone types it, whose joiners and selectors are seen as part of it: pictographs joined by U+200D ZERO
# WIDTH JOINER (a woman and a staff of Aesculapius make a nurse; a white flag and a rainbow, the rainbow flag), each
# with one emoji or text style selector (U+FE0F after a heart) and a skin tone; a keycap (a digit, U+FE0F, U+20E3); the
# flags of England, Scotland and Wales (tag characters after a black flag). A joiner or selector elsewhere is hidden text.
_ONE_EMOJI = f"{PICTOGRAPH}[\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?"
_NATION_FLAGS = "|".join("".join(chr(0xe0000 + ord(c)) for c in tag) for tag in ("gbeng", "gbsct", "gbwls"))
EMOJI = re.compile(f"\U0001f3f4(?:{_NATION_FLAGS})\U000e007f|{_ONE_EMOJI}(?:\u200d{_ONE_EMOJI})*|[0-9#*]\ufe0f?\u20e3")
DEFAULT_MAX_LENGTH = 1000  # text fields whose schema gives no maxLength
DEFAULT_MAX_ITEM_LENGTH = 200  # list items whose schema gives no itemMaxLength
# The UK's postcode areas (the letters at the start of a postcode); ZZ99 and other made-up areas are refused.
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE
NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ
TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split())


def today() -> dt.date:
    """Today's date in England (Europe/London), whatever the computer's time zone: a CI runner keeps UTC, an hour
    behind in summer, and a laptop abroad its own, so a release, an age or a staleness warning made near midnight was
    dated a day off. The computer's own date where no time zone data is installed. Every command's "today" is this."""
    try:
        return dt.datetime.now(ZoneInfo("Europe/London")).date()
    except (ZoneInfoNotFoundError, ValueError, OSError, struct.error):  # struct.error: a zone file cut short
        return dt.date.today()


def check_profile(profile: Profile, schema: Schema | None = None, on: dt.date | None = None) -> list[Problem]:
    """Every problem in one profile: keys, types, constraints and rules across fields."""
    schema = schema or load_schema()
    on = on or today()
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    _walk(profile, profile.data, (), schema, problems, values)
    problems.extend(_kind_problems(profile, schema))
    problems.extend(_other_kinds_fields(profile, values, schema))
    required = {f.path: f for k in kinds_of(profile.data, schema) for f in k.required_fields}
    for f in required.values():
        if values.get(f.path) is None and not _reported(problems, f.path):
            if f.path in profile.lines:  # the key is there with nothing after it
                problems.append(Problem(profile.path, profile.lines[f.path], f.path, _empty_required(f)))
            else:
                problems.append(Problem(profile.path, 1, f.path,
                                        f"is missing; add '{f.path}: {_yaml_example(f)}' ({f.title})"))
    problems.extend(_rules(profile, values, schema, on))
    return problems


def text_errors(text: str, shown: str, schema: Schema | None = None, on: dt.date | None = None) -> list[Problem]:
    """The errors check would report for a profile's text (``shown`` names it in messages)."""
    profile, problems = parse_profile(text, shown)
    if profile is not None:
        problems = problems + check_profile(profile, schema, on=on)
    return errors(problems)


def errors_added(path: Path, text: str, shown: str, schema: Schema | None = None,
                 on: dt.date | None = None) -> list[Problem]:
    """The errors check would report for ``text``, the new text of ``path``, that the file as it is
    now does not have already (an import is not blamed for what it did not make)."""
    after = text_errors(text, shown, schema, on)
    if after and path.exists():  # the file as it is now is read only when the new text has problems
        before = {(p.field, p.message) for p in text_errors(path.read_text(encoding="utf-8"), shown, schema, on)}
        after = [p for p in after if (p.field, p.message) not in before]
    return after


def _kind_problems(profile: Profile, schema: Schema) -> list[Problem]:
    """The profile's list of kinds names only kinds the schema declares."""
    key = profile_key(schema)
    named = profile.data.get(key)
    if key not in schema.by_path or not isinstance(named, list):
        return []
    ids = [k.id for k in kinds(schema)]
    return [Problem(profile.path, profile.line(key), key, f"item {i} '{_short(str(n))}' is not a kind of service this "
                    f"directory holds; use {schema.values.or_list(ids)}") for i, n in enumerate(named, 1) if n not in ids]


def _other_kinds_fields(profile: Profile, values: dict[str, Any], schema: Schema) -> list[Problem]:
    """A field only another kind of service has (a day centre's places in a care home's profile) is refused."""
    every = kinds(schema)
    if len(every) < 2:
        return []
    mine = kinds_of(profile.data, schema)
    if not mine:  # kinds names none this directory holds: that one problem, not one for each field
        return []
    own = frozenset().union(*(k.field_paths for k in mine)) | {profile_key(schema)}
    out = []
    for path in values:
        if path in own or path.startswith("capabilities."):
            continue
        owner = next((k for k in every if k not in mine and any(f.path == path for f in k.fields)), None)
        if owner is not None:
            ids = ", ".join(k.id for k in every if k in mine or k is owner)  # in the schema's order
            noun = owner.title.lower()  # the kinds are the council's (CQC's registration): a manager removes the field
            out.append(Problem(profile.path, profile.line(path), path, f"is a field of a {noun}, which this profile is not; "
                               f"remove it, or, if it is a {noun} too, ask the council to add that to its kinds "
                               f"({profile_key(schema)}: [{ids}])"))
    return out


def _empty_required(f: Field) -> str:
    """The message for a field every profile must have that is there with nothing in it."""
    return f"is empty, and every profile needs it; write it after the colon, like '{f.keys[-1]}: {_yaml_example(f)}' ({f.title})"


def _reported(problems: list[Problem], path: str) -> bool:
    return any(p.field == path for p in problems)


def _walk(profile: Profile, node: Any, prefix: tuple[str, ...], schema: Schema,
          problems: list[Problem], values: dict[str, Any]) -> None:
    allowed = schema.children(prefix)
    assert allowed is not None
    here = ".".join(prefix)
    if not isinstance(node, dict):
        what = "a group of 'key: value' lines" if prefix else "a list of 'key: value' lines"
        words = node.split(None, 1) if isinstance(node, str) and prefix else []
        written = f"'{words[0]}: {_short(words[1])}'" if len(words) > 1 else f"'{words[0]}:' and its value" if words else ""
        colon = (f"; '{words[0]}' needs a colon after it: write {written}"
                 if words and words[0] in allowed else "")  # 'town Hereford' under address: its field's colon left out
        problems.append(Problem(profile.path, profile.line(here), here or "file",
                                f"must be {what} indented under it, not {_describe(node)}{colon}"))
        return
    for key, value in node.items():
        dotted = here + "." + str(key) if prefix else str(key)  # ".".join(prefix + (str(key),))
        if not isinstance(key, str) or key not in allowed:
            problems.append(Problem(profile.path, profile.line(dotted), dotted,
                                    f"is not a known field; {_suggest(str(key), prefix, allowed, schema, len(problems))}"))
            continue
        child = allowed[key]
        if isinstance(child, dict):
            if value is None:
                continue  # an empty group, e.g. 'fees:' with everything under it still to come
            _walk(profile, value, prefix + (key,), schema, problems, values)
        elif value is not None:  # check_value and a date read as a date, without a call for each (23 values a profile nationally)
            problem = _TYPE_CHECKS[child.type](child, value)
            if problem:
                problems.append(Problem(profile.path, profile.line(dotted), dotted, problem))
            else:
                values[dotted] = dt.date.fromisoformat(value) if child.type == "date" and isinstance(value, str) else value
                if child.path == "description":
                    problems.extend(Problem(profile.path, profile.line(dotted), dotted, m, severity="warning")
                                    for m in description_warnings(value))


LINK_EXAMPLE = "[our website](https://www.example.org)"  # how to write a link in a description, as messages show it
PICTURE_LINK_EXAMPLE = "[a photo of our garden](https://www.example.org/garden.jpg)"
WRITTEN_EXAMPLES = (LINK_EXAMPLE, PICTURE_LINK_EXAMPLE)  # what to type, in the messages: a form's reply shows them as typed


def description_warnings(text: str) -> list[str]:
    """A warning for each Markdown link in a description that the page shows as no link, saying what it shows instead
    (its words and address as plain text, or its words alone: safetext.refused_links), each picture (shown as a link
    to it), each reference link (shown as written) and its HTML tags (shown as typed, not as markup)."""
    tags = html_tags(text)
    named = [f"'{_short(t, 40)}'" for t in tags]
    quoted = and_list(named) if len(named) <= 3 else f"{', '.join(named[:3])} and others"
    one = len(tags) == 1
    return [*(f"the link to '{_short(url)}' "
              + (f"is left out, not shown: the page shows '{_short(page, 80)}' alone, not as a link. "
                 if address_left_out(url) else f"is shown as plain text, not a link: the page shows '{_short(page, 80)}'. ")
              + "A link must be a whole web address starting https:// or http://, or a mailto: or tel: link, like "
              + LINK_EXAMPLE for url, page in refused_links(text)),
            *(f"the picture '{_short(url)}' is shown as a link to it, not as a picture: a profile page shows no "
              f"pictures; to link to it, write {PICTURE_LINK_EXAMPLE}"
              for url in pictures(text)),
            *(f"'{_short(ref)}' is shown as it is written, not as a link: write the address in the link itself, "
              f"like {LINK_EXAMPLE}" for ref in reference_links(text)),
            *([f"{quoted} {'is an HTML tag' if one else 'are HTML tags'}, which the page shows as typed, not as "
               f"formatting: take {'it' if one else 'them'} out. The page shows plain text, in which a blank line starts "
               "a new paragraph and **bold** or *italic* marks words"] if tags else [])]


HINTED_PROBLEMS = 50  # past this many problems in one file, unknown fields get no "did you mean" (it costs ~1 ms each)


def _stems(text: str) -> set[str]:
    """Its words, each without an ending that changes little (rated, rating and rate are one; nurse and nursing)."""
    return {next((w[:-len(end)] for end in ("ing", "ed", "es", "s", "e") if w.endswith(end) and len(w) - len(end) >= 3), w)
            for w in re.findall(r"[a-z]+", text.lower())}


def by_words(key: str, schema: Schema, prefix: tuple[str, ...] = ()) -> str | None:
    """The field a key of two or more words names in other words (``free_nursing``: beds.nursing.available, "Beds
    with nursing free now"): the one whose path and title hold every word, most of them in its path, then one in
    the group the key is in (``prefix``), then the shortest; else None."""
    words = _stems(key)
    if len(words) < 2:
        return None
    best: tuple[tuple[int, bool, int], str] | None = None
    for path, f in schema.by_path.items():
        in_path = _stems(path)
        said = in_path | _stems(f.title)
        rank = (len(words & in_path), f.keys[:-1] == prefix, -len(said))
        if words <= said and (best is None or rank > best[0]):
            best = rank, path
    return None if best is None else best[1]


def _suggest(key: str, prefix: tuple[str, ...], allowed: dict, schema: Schema, found: int = 0) -> str:
    elsewhere = [] if found >= HINTED_PROBLEMS else schema.leaf_paths_named(key) or [g for g in schema.group_paths() if g.rsplit(".", 1)[-1] == key]
    # a key that is a field's or a group's own name somewhere else is not named in other words: its words name others
    # too ('rating_date' at the top level is cqc.rating_date, not user_rating.date; 'hourly_rate' the group, not its 'from')
    named = by_words(key, schema, prefix) if found < HINTED_PROBLEMS and not elsewhere else None
    if named and named.split(".")[:-1] != list(prefix):
        return f"did you mean '{named}' ({schema.by_path[named].title})? It belongs there, not here"
    if named:
        return f"did you mean '{named.rsplit('.', 1)[-1]}' ({schema.by_path[named].title})?"
    if len(elsewhere) == 1:  # its own name in another group before a name like it here ('manager': contact's, not 'maintainers')
        return _belongs(elsewhere[0])
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6) if found < HINTED_PROBLEMS else []
    if close:
        return f"did you mean '{close[0]}'?"
    if not elsewhere and found < HINTED_PROBLEMS:
        leaves = {p.rsplit(".", 1)[-1]: p for p in sorted(schema.by_path, reverse=True)}
        near = difflib.get_close_matches(key, list(leaves), n=1, cutoff=0.75)
        elsewhere = [leaves[near[0]]] if near else []
    if len(elsewhere) > 1:  # 'date' is the fees', the staffing figures', the food hygiene rating's...: not guessed
        groups = and_list([f"'{p.rpartition('.')[0] or p}'" for p in elsewhere[:6]] + (["others"] if len(elsewhere) > 6 else []))
        return f"it is a field of {groups}: move it under the line of the group it belongs to"
    if elsewhere:
        return _belongs(elsewhere[0])
    where = f"under '{'.'.join(prefix)}'" if prefix else "at the top level"
    return f"fields allowed {where} are: {', '.join(sorted(allowed))}"


def _belongs(path: str) -> str:
    """The hint for a field written in the wrong group: where it goes, and the heading line to put it under."""
    group = path.rpartition(".")[0]
    return f"did you mean '{path}'? It belongs there, not here" + (
        f": move it under the line '{group.rsplit('.', 1)[-1]}:', indented as the lines there are" if group else "")


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return f"'{_short(str(value))}'"


def _short(text: str, limit: int = 60) -> str:
    hidden = set(unseen(text))  # CONTROL's characters are all invisible
    text = "".join("?" if i in hidden else c for i, c in enumerate(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yaml_example(f: Field) -> str:
    ex = f.example
    if isinstance(ex, bool):
        return "yes" if ex else "no"
    if isinstance(ex, list):
        return "[" + ", ".join(ex) + "]"
    return str(ex)


def check_value(f: Field, value: Any) -> str | None:
    """What is wrong with one value for one field, or None if it is fine."""
    if value is None:
        return None
    checker = _TYPE_CHECKS[f.type]
    return checker(f, value)


def _check_string(f: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        if isinstance(value, (bool, int, float, dt.date)):
            kind = "yes/no" if isinstance(value, bool) else "a date" if isinstance(value, dt.date) else "a number"
            return (f"must be text, but it was read as {kind}; put it in quotes, "
                    f"like {f.keys[-1]}: \"{f.example}\"")
        return f"must be text, not {_describe(value)}"
    hidden = invisible(value, multiline=f.name == "description")
    if hidden:
        return hidden
    c = f.constraints
    longest = c.get("maxLength", DEFAULT_MAX_LENGTH)
    trimmed = value.strip()
    if value != trimmed:  # and, if so, too long: both at once, not one a run
        return ("has spaces or line breaks at the start or end; remove them" if len(trimmed) <= longest else
                f"has spaces or line breaks at the start or end, and is {len(trimmed):,} characters long without "
                f"them; remove them, and shorten it to {longest:,} or fewer")
    if value == "":
        return _empty_required(f) if f.required else "is empty; remove the line if you have nothing to give"
    if len(value) > longest:
        return f"is {len(value):,} characters long; shorten it to {longest:,} or fewer"
    if "enum" in c and value not in c["enum"]:
        options = ", ".join(f"'{o}'" for o in c["enum"])
        near = [o for o in c["enum"] if o.lower() == value.lower()] or difflib.get_close_matches(value, c["enum"], n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        return f"'{_short(value)}' is not allowed; {hint}use one of {options}"
    if f.path.endswith("postcode"):
        return postcode_problem(value)
    if "pattern" in c and not re.fullmatch(c["pattern"], value):
        return _pattern_message(f, value)
    if f.format == "email" and not EMAIL.fullmatch(value):
        return f"'{_short(value)}' is not an email address; write it like {f.example}"
    if f.format == "uri":
        return _check_url(value, f)
    return None


def in_emoji(value: str) -> set[int]:
    """The positions in ``value`` of the characters of its emoji (EMOJI)."""
    return {i for m in EMOJI.finditer(value) for i in range(m.start(), m.end())}


def unseen(value: str) -> list[int]:
    """Where ``value`` holds an invisible character that is not part of an emoji (its emoji looked for only then: every
    text of every profile is checked)."""
    first = INVISIBLE.search(value)
    if first is None:
        return []
    emoji = in_emoji(value)
    return [m.start() for m in INVISIBLE.finditer(value, first.start()) if m.start() not in emoji]


def invisible(value: str, multiline: bool) -> str | None:
    """A message naming the first invisible character or unwanted line break or tab, or None."""
    hidden = unseen(value)
    if hidden:
        return f"contains the invisible character {char_name(value[hidden[0]])}; retype the text without it: {_around(value, hidden[0])}"
    if not multiline and ("\n" in value or "\r" in value):
        at = min(i for i in (value.find("\n"), value.find("\r")) if i >= 0)
        return f"contains a line break, which is not allowed here; write it on one line: {_around(value, at)}"
    if not multiline and "\t" in value:
        return f"contains a tab character; use a space instead: {_around(value, value.find(chr(9)))}"
    return None


def _around(value: str, at: int, width: int = 30) -> str:
    """The text either side of position ``at``, quoted with every unseen character shown as an escape
    ('Aston\\nHouse'), so a person sees where it is; '...' where it was cut."""
    start, end = max(at - width, 0), at + width
    emoji = in_emoji(value)
    part = "".join(c if i in emoji else c.encode("unicode_escape").decode() if INVISIBLE.match(c) else shown(c)
                   for i, c in enumerate(value[start:end], start))
    return f"'{'...' * (start > 0)}{part}{'...' * (end < len(value))}'"


def postcode_problem(value: str) -> str | None:
    """What is wrong with the form of a postcode (capitals, one space, a real postcode area), or None."""
    if re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}", value):
        area = re.match(r"[A-Z]+", value).group()  # type: ignore[union-attr]
        if area not in POSTCODE_AREAS:
            return (f"'{value}' is not a real postcode: there is no UK postcode area '{area}'; write the home's own "
                    "postcode, like HR1 1TJ")
        return None
    m = POSTCODE_LOOSE.match(value.upper().strip())
    if m:
        return f"'{_short(value)}' should be written '{m.group(1)} {m.group(2)}' (capitals, one space)"
    return f"'{_short(value)}' is not a UK postcode; write the full postcode, like HR1 1TJ"


def _check_url(value: str, f: Field) -> str | None:
    if not re.match(r"https?://", value, re.I):
        scheme = value.split(":", 1)[0] if ":" in value else ""
        if scheme and not scheme.startswith("www"):
            return f"links must start with https:// or http://, not '{_short(scheme)}:'"
        return f"'{_short(value)}' must start with https:// (or http://), like {f.example}"
    if not URL.fullmatch(value):
        return f"'{_short(value)}' is not a web address; copy it from the browser's address bar"
    for char in "'`":  # never in a link on a page (safetext.safe_url): the page would leave the address out
        if char in value:
            code = f"%{ord(char):02X}"
            return (f"'{_short(value)}' has a {char} in it, which a link on the page cannot hold; write it as {code}: "
                    f"{_short(value.replace(char, code))}")
    return None


def _pattern_message(f: Field, value: str) -> str:
    if f.name == "phone":
        national = _uk_national(value)
        if national and re.fullmatch(str(f.constraints.get("pattern") or r"0[0-9 ]{9,12}"), national):
            return f"'{_short(value)}' should be written in UK format starting with 0, like {national}"
        digits = re.sub(r"\D", "", value)
        if digits.startswith("44") and len(digits) in (11, 12):
            return f"'{_short(value)}' should be written in UK format starting with 0, like 0{digits[2:]}"
        return f"'{_short(value)}' is not a UK phone number; write 10 or 11 digits starting with 0, like {f.example}"
    if f.name == "slug":
        return f"'{_short(value)}' may only use lower-case letters, digits and single hyphens, like {f.example}"
    return f"'{_short(value)}' is not in the right form; write it like {f.example}"


# +44 (or 0044) and the (0) dialled only from within the UK, before the number: '+44 (0)1432 123456', '+44 1432-123456'
INTERNATIONAL_UK = re.compile(r"\s*(?:\+|00)\s*44\s*(?:\(\s*0\s*\)|0)?\s*([1-9][0-9 ()-]*?)\s*")


def _uk_national(value: str) -> str | None:
    """A UK number written the international way, as it is written within the UK, its groups kept
    ('+44 (0)1432 123456' -> '01432 123456'); None for anything else."""
    m = INTERNATIONAL_UK.fullmatch(value)
    return "0" + " ".join(re.sub(r"[()-]", " ", m[1]).split()) if m else None


def _too_long(value: Any) -> str | None:
    """A number kept as text because it has more digits than any field takes (a form's answer, a sheet's cell, a
    quoted value): said as such, not as text; None for anything else."""
    figures = value.strip().lstrip("-") if isinstance(value, str) else ""
    return too_many_digits(len(figures)) if len(figures) > MAX_DIGITS and figures.isdigit() else None


def _check_integer(f: Field, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        long = _too_long(value)
        if long:
            return long
        if isinstance(value, float) and value.is_integer():
            return f"must be a whole number; write {int(value)}"
        if not isinstance(value, str):
            return f"must be a whole number, not {_describe(value)}"
        text = value.strip()
        if text.isdecimal() and not text.isascii():  # "２", "٣": int reads them
            return f"must be written with the digits 0 to 9: {f.keys[-1]}: {int(text)}"
        if text.isdigit() and not text.isascii():  # '²', '①': no number
            return f"must be a number written with the digits 0 to 9, not '{_short(text)}'"
        if text.isdigit():
            return f"must be a number, not text; remove the quotes: {f.keys[-1]}: {text}"
        bare = text.strip("\u201c\u201d\u2018\u2019")  # a word processor's quotes
        if bare != text and bare.isascii() and bare.isdigit():
            return f"must be a number, not text; remove the curly quotes: {f.keys[-1]}: {bare}"
        # 'two': the words of the forms' and the sheets' message
        return f"must be a whole number in figures, such as 3 or 0 for none, not {_describe(value)}"
    return _check_range(f, value)


# one number in figures among whole words ('£950 a week', 'about 12.5 percent'), never run into one ('£9x', '950pw')
NUMBER_AMONG_WORDS = r"(?:[A-Za-z.']+\s+)*[£$]?\s*([0-9][0-9,]*(?:\.[0-9]+)?)(?:\s+[A-Za-z./']+)*"


def _check_number(f: Field, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        long = _too_long(value)
        if long:
            return long
        if isinstance(value, str) and re.fullmatch(r"[£$]?\s*[0-9,]+(\.[0-9]+)?%?", value.strip()):
            clean = re.sub(r"[£$,%\s]", "", value)
            return f"must be a plain number; write {clean} (no quotes, £, commas or %)"
        if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+", value.strip()):
            return f"must be a number written in figures, like 1500 or 12.5, not with an exponent ('{_short(value.strip())}')"
        worded = re.fullmatch(NUMBER_AMONG_WORDS, value.strip()) if isinstance(value, str) else None
        if worded:  # '£950 a week': the field says what the number is
            return f"must be the number alone, not {_describe(value)}; write {re.sub(r'[,]', '', worded[1])} (no words, £ or commas)"
        like = f", like {f.example}" if isinstance(f.example, (int, float)) and not isinstance(f.example, bool) else ""
        return f"must be a number, not {_describe(value)}; write it in figures{like}"
    if value != value:  # NaN
        return "must be a number, not .nan"
    if value == 0 and str(value).startswith("-") and f.constraints.get("minimum") == 0:  # -0.0: a page showed a fee of £-0
        return "is -0.0; write 0"
    return _check_range(f, value) or _check_places(f, value)


def rounded_to(exact: decimal.Decimal, places: int) -> decimal.Decimal:
    """``exact`` to ``places`` decimal places, a half rounded up (850.555 to 850.56), as a number to write is suggested
    (check's, and a form's reply: updates.number_typo)."""
    return exact.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def _check_places(f: Field, value: float) -> str | None:
    """A number with more decimal places than its field takes (``decimalPlaces``: a fee in pounds and pence, 2): 850.555
    was published as 850.555 in the open data and shown as £850.56 on the page."""
    places = f.decimal_places
    if places is None or not isinstance(value, float) or value.is_integer():
        return None
    exact = decimal.Decimal(repr(value))
    given = -int(exact.as_tuple().exponent)  # a finite float's exponent is a number
    if given <= places:
        return None
    rounded = rounded_to(exact, places)
    shown = repr(value) if "e" in repr(value) else f"{exact:f}"  # 5e-324, not 324 figures
    return f"is {shown}, with {given} decimal places; it takes at most {places}: write {rounded.normalize():f}"


def _check_range(f: Field, value: float) -> str | None:
    c = f.constraints
    if "minimum" in c and value < c["minimum"]:
        return f"is {value}, below the lowest allowed value {c['minimum']}"
    if "maximum" in c and value > c["maximum"]:
        return f"is {value}, above the highest allowed value {c['maximum']}"
    return None


def _check_boolean(f: Field, value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false"):
        return f"must be yes or no without quotes: {f.keys[-1]}: {value.strip().lower()}"
    return f"must be yes or no, not {_describe(value)}"


def _check_date(f: Field, value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return f"must be a date without a time; write {value.date().isoformat()}"
    if isinstance(value, dt.date):
        return None
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                dt.date.fromisoformat(value)
                return None
        except ValueError:
            return f"'{_short(value)}' is not a real date; check the day and month (YYYY-MM-DD)"
    meant = written_date(value) if isinstance(value, str) else None
    if meant is not None:  # '1 December 2026', '01/12/2026': the day it says, as the update forms read it (day first)
        return f"must be a date written YYYY-MM-DD, not {_describe(value)}; for {meant.day} {meant:%B %Y} write {meant.isoformat()}"
    return f"must be a date written YYYY-MM-DD, like {f.example}, not {_describe(value)}"


MONTHS = {m.lower(): i for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July", "August",
                                              "September", "October", "November", "December"), 1)}
WRITTEN_DATE = re.compile(r"(?i)\s*(\d{1,2})(?:st|nd|rd|th)?(?:([/.-])(\d{1,2})\2|\s+(?:of\s+)?([a-z]{3,9})\.?,?\s+)(\d{4})\s*")


def written_date(text: str) -> dt.date | None:
    """The day a date written as people in the UK write it means: day first, '1 December 2026', '1st Dec 2026',
    '01/12/2026', '1.12.2026', '1-12-2026'; None for anything else or a day that does not exist."""
    m = WRITTEN_DATE.fullmatch(text) if len(text) <= 40 else None  # cut to 40, '1/12/2026', spaces, then more matched
    if not m:
        return None
    day, month, name, year = int(m[1]), m[3], (m[4] or "").lower(), int(m[5])
    number = int(month) if month else next((i for n, i in MONTHS.items() if n.startswith(name)), None) if len(name) >= 3 else None
    try:
        return dt.date(year, number, day) if number else None
    except ValueError:
        return None


def _check_list(f: Field, value: Any) -> str | None:
    if isinstance(value, str):
        return f"must be a list; write each item on its own line starting with '- ', or [{_short(value)}]"
    if not isinstance(value, list):
        return f"must be a list, not {_describe(value)}"
    most = f.constraints.get("maxLength")
    if most is not None and len(value) > most:
        return f"has {len(value):,} items; give {most} or fewer"
    longest = f.constraints.get("itemMaxLength", DEFAULT_MAX_ITEM_LENGTH)
    seen = set()
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            return f"item {i} must be text, not {_describe(item)}; put it in quotes"
        hidden = invisible(item, multiline=False)
        if hidden:
            return f"item {i} {hidden}"
        if not item.strip() or item != item.strip():
            return f"item {i} must be text without spaces at the ends or line breaks"
        if len(item) > longest:
            return f"item {i} is {len(item):,} characters long; shorten it to {longest:,} or fewer"
        if ";" in item:
            return f"item {i} must not contain ';' (it separates items in the CSV download)"
        if item in seen:
            return f"item {i} '{_short(item)}' is listed twice; remove one"
        seen.add(item)
    if f.item_pattern:  # every item not of the pattern at once, each with what it would be if that is only its form
        bad = [(i, item) for i, item in enumerate(value, 1) if not re.fullmatch(f.item_pattern, item)]
        if bad:
            words = f.item_words or "a repository username (letters, digits, single hyphens)"
            named = and_list([f"{i} '{_short(item)}'" for i, item in bad])
            fixes = [(i, fixed) for i, item in bad if (fixed := item_as_pattern(item, f.item_pattern))]
            write = ("; write " + (fixes[0][1] if len(bad) == 1 else and_list([f"{x} for item {i}" for i, x in fixes]))
                     if fixes else "")
            return (f"item {named} is not {words}" if len(bad) == 1 else f"items {named} are not {words}") + write
    return None


def item_as_pattern(item: str, pattern: str) -> str | None:
    """An item as its pattern would have it when only its form is wrong: in capitals, without spaces, or a full
    postcode's first half where the pattern is a postcode district's ("ol4 4tz" -> "OL4"); None when none is, or when
    the pattern takes lower case letters too (a username: "Aston Manager" is no username's other form)."""
    if re.fullmatch(pattern, item):
        return item
    if "a-z" in pattern:
        return None
    upper = item.strip().upper()
    for candidate in (upper, re.sub(r"\s+", "", upper)):
        if re.fullmatch(pattern, candidate):
            return candidate
    whole = re.fullmatch(r"(\S+)\s*([0-9][A-Z]{2})", upper)  # a full postcode, its district first
    if whole and re.fullmatch(pattern, whole[1]):
        return whole[1]
    return None


_TYPE_CHECKS = {
    "string": _check_string, "integer": _check_integer, "number": _check_number,
    "boolean": _check_boolean, "date": _check_date, "list": _check_list,
}


EARLIEST_YEAR = 1900  # no fact of a care service here is older (the CQC began in 2009; the oldest date held is 2009)


def _today_is(on: dt.date) -> str:
    """The words every rule that uses the day puts in its message: a profile's problems hold on other days too
    when none has them (``day_bound``)."""
    return f"(today is {on.isoformat()})"


def day_bound(problems: list[Problem], on: dt.date) -> bool:
    """Whether ``problems``, found by ``check_profile`` on ``on``, may differ on a later day. The rules use the day
    only to refuse a date after it (a fact's date, a rating history's), saying "(today is ...)": a profile with no such
    problem has none on any later day either, and the same problems (checkcache keeps its result across days)."""
    words = _today_is(on)
    return any(words in p.message for p in problems)


HISTORY = "cqc.rating_history"  # the path of the overall history, and the start of each key question's


def _history_problem(items: list[str], values: Values, on: dt.date) -> str | None:
    """What is wrong with the first item of a CQC rating history that is not 'YYYY-MM-DD Rating' (a real date, not
    after ``on``, and one of CQC's four grades), or None. The report and its signals leave such an item out
    (report.history), so a fall in rating would go unseen while the open data published it as it is."""
    grades = values.graded_ratings
    for i, item in enumerate(items, 1):
        date, _, rating = item.partition(" ")
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date) or rating not in grades:
            return (f"item {i} '{_short(item)}' is not a date and a CQC rating, like '2022-02-23 Requires improvement' "
                    f"(the rating {values.or_list(grades)}); correct it from CQC's reports, or import the register again")
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return f"item {i} '{_short(item)}' is not a real date; check the day and month (YYYY-MM-DD)"
        if day > on:
            return f"item {i} '{_short(item)}' is in the future {_today_is(on)}; give the date CQC published the rating"
        if day.year < EARLIEST_YEAR:
            return f"item {i} '{_short(item)}' is before {EARLIEST_YEAR}; write the year in full (YYYY-MM-DD)"
    return None


def _rules(profile: Profile, v: dict[str, Any], schema: Schema, on: dt.date) -> list[Problem]:
    """Rules across fields of one profile."""
    out: list[Problem] = []

    def add(path: str, message: str) -> None:
        out.append(Problem(profile.path, profile.line(path), path, message))

    def given(path: str) -> bool:
        """Whether the profile gives ``path``, even a value refused (reported as such, not again as missing)."""
        return path in v or get_path(profile.data, tuple(path.split("."))) is not None

    for path, value in v.items():
        if path.startswith(HISTORY):  # cqc.rating_history and its key questions': report.history reads them
            wrong = _history_problem(value, schema.values, on)
            if wrong:
                add(path, wrong)
        if not isinstance(value, dt.date):
            continue
        if value > on:
            add(path, f"{value.isoformat()} is in the future {_today_is(on)}; give the date the fact was true")
        elif value.year < EARLIEST_YEAR:  # "0026-11-23": a year typed with two digits
            add(path, f"{value.isoformat()} is before {EARLIEST_YEAR}; write the year in full (YYYY-MM-DD)")
    mine = kinds_of(profile.data, schema)
    for k in mine:
        out.extend(_capacity_rules(profile, v, k))
    out.extend(_example_data(profile, v, schema, mine))
    needs = [c for k in mine if k.needs_resource == "capabilities" for c in k.capacity if c.needs_field]
    first_type = {k.capacity[0].key for k in mine if k.capacity}  # the kind's first: with nursing
    any_capability = False
    # only a profile with a capabilities group has values under it (most have none: the loop was a third of the rules)
    for code in schema.capability_codes if isinstance(profile.data.get("capabilities"), dict) else ():
        base = f"capabilities.{code}"
        accepted = v.get(f"{base}.accepted")
        beds = {c.needs_field: v.get(f"{base}.{c.needs_field}") for c in needs}
        if accepted is not None or any(b is not None for b in beds.values()):
            any_capability = True
        for c in needs:
            key = str(c.needs_field)
            n, total = beds[key], v.get(c.total) if c.total else None
            if n and accepted is False:
                add(f"{base}.{key}", f"is {n} but {base}.accepted is no; set {base}.accepted to yes or the beds to 0")
            elif n and accepted is None:  # beds for a need not said to be met: no page or filter shows them (a warning:
                # an answer taken off by a form, "Remove the answer", leaves them)
                out.append(Problem(profile.path, profile.line(f"{base}.{key}"), f"{base}.{key}",
                                   f"is {n} but {base}.accepted is not given, so the page does not show these beds; "
                                   f"set {base}.accepted to yes, or remove the beds", severity="warning"))
            if n is not None and total is not None and n > total:
                add(f"{base}.{key}", f"is {n} but {c.total} is {total}; a capability cannot have more beds than the home has")
            elif n and c.flag and c.key in first_type and v.get(c.flag) is False:
                # a need met "with nursing" at a home CQC registers for none (beds without nursing at a nursing home are
                # its everyday care): a warning, as CQC's own change of registration must not stop its import
                out.append(Problem(profile.path, profile.line(f"{base}.{key}"), f"{base}.{key}",
                                   f"is {n} but CQC does not register this home for care {c.label} ({c.flag} is no); "
                                   "give 0, or ask the council to import the latest CQC register", severity="warning"))
    if any_capability and "capabilities.confirmed" not in v and get_path(profile.data, ("capabilities", "confirmed")) is None:
        add("capabilities", "capabilities are given without capabilities.confirmed; add 'confirmed: YYYY-MM-DD' under capabilities")
    # "Not yet rated" is dated by cqc.imported; so is a rating imported from a register that does not date it
    if ("cqc.rating" in v and not given("cqc.rating_date") and v["cqc.rating"] != "Not yet rated"
            and not given("cqc.imported")):
        add("cqc.rating", f"'{v['cqc.rating']}' is given without cqc.rating_date; add the date CQC published the rating")
    if "cqc.dormant_since" in v and v.get("cqc.dormant") is not True:  # the import writes it only for a dormant one
        add("cqc.dormant_since", f"is given but cqc.dormant is {'not given' if 'cqc.dormant' not in v else 'no'}; CQC dates "
            "only a dormant location's dormancy: remove dormant_since, or set dormant to yes")
    if v.get("cqc.status") not in (None, "Registered") and not given("cqc.status_date"):
        add("cqc.status", f"'{v['cqc.status']}' needs cqc.status_date, the date the status changed")
    places = [c for k in mine for c in k.capacity]  # a weekly fee range per type of place: fees.nursing_from ...
    priced = [c.key for c in places]
    for c in places:
        key = c.key
        lo, hi = v.get(f"fees.{key}_from"), v.get(f"fees.{key}_to")
        if lo is not None and hi is not None and lo > hi:
            add(f"fees.{key}_from", f"is {lo} but fees.{key}_to is {hi}; the lowest fee cannot be above the highest")
        given_fee = next((f"fees.{key}_{end}" for end in ("from", "to") if v.get(f"fees.{key}_{end}") is not None), None)
        if given_fee and c.flag and c.key in first_type and v.get(c.flag) is False:
            # a fee for nursing at a home CQC registers for none, shown beside "Care home without nursing" with no word:
            # a warning, as a need's beds with nursing are (a nursing home's fee without nursing is its everyday care
            # for a resident who needs no nursing, as its beds for a need without nursing are: no warning)
            out.append(Problem(profile.path, profile.line(given_fee), given_fee,
                               f"is {v[given_fee]} but CQC does not register this home for care {c.label} ({c.flag} is "
                               "no); remove the fee, or ask the council to import the latest CQC register",
                               severity="warning"))
    _needs_date(v, add, "fees", (*(f"{key}_{end}" for key in priced for end in ("from", "to")),
                                 "council_rate_accepted", "top_ups"), "the date the fees were confirmed", profile.data)
    _needs_date(v, add, "staffing", ("staff_turnover_percent", "nurse_turnover_percent"),
                "the last day of the 12 months the figures cover", profile.data)
    if v.get("food_hygiene.rating") not in ("Awaiting inspection", "Exempt"):  # the FSA gives no date for these
        _needs_date(v, add, "food_hygiene", ("rating",), "the date of the inspection", profile.data)
    _needs_date(v, add, "user_rating", ("score",), "the date you read the rating", profile.data)
    score, top = v.get("user_rating.score"), v.get("user_rating.out_of")
    if score is not None and not given("user_rating.out_of"):
        add("user_rating.score", "is given without user_rating.out_of; say what the rating is out of, such as 10")
    elif score is not None and top is not None and score > top:
        add("user_rating.score", f"is {score} but user_rating.out_of is {top}; the score cannot be above the top of the scale")
    if "user_rating.score" in v and not given("user_rating.source"):
        add("user_rating.score", "is given without user_rating.source; say where the rating comes from")
    return out


def _capacity_rules(profile: Profile, v: dict[str, Any], k: Kind) -> list[Problem]:
    """A kind's places: free no more than there are, none of a type CQC does not register, a date on free places."""
    out: list[Problem] = []
    unit = k.unit

    def add(path: str, message: str) -> None:
        out.append(Problem(profile.path, profile.line(path), path, message))

    for c in k.capacity:
        total, avail = v.get(c.total) if c.total else None, v.get(c.available) if c.available else None
        if total is not None and avail is not None and avail > total:
            add(str(c.available), f"is {avail} but {c.total} is {total}; free {unit} cannot be more than the {unit} there are")
    out.extend(_registered_beds(profile, v, k))
    out.extend(_dated_and_ranges(profile, v, k))
    for c in k.capacity:
        if not c.flag or v.get(c.flag) is not False:
            continue
        others = [o for o in k.capacity if o is not c]
        for key, path in (("total", c.total), ("available", c.available)):
            n = v.get(path) if path else None
            # free places even 0 ("0 free with nursing" implies the home has such beds); a total of 0 is true
            if path and n is not None and (n or key == "available"):
                other = getattr(others[0], key) if others else None
                todo = f"count these {unit} in {other}" if n and other else f"remove {path}"
                add(path, f"is {n} but CQC does not register this home for care {c.label} "
                    f"({c.flag} is no); {todo}, or ask the council to import the latest CQC register")
    if (k.confirmed and any(v.get(p) is not None for p in k.available_paths) and k.confirmed not in v
            and get_path(profile.data, k.confirmed.split(".")) is None):  # a date given wrongly is its own problem
        group, _, last = k.confirmed.rpartition(".")
        add(group or k.confirmed, f"free {unit} are given without {k.confirmed}; add '{last}: YYYY-MM-DD' under {group} "
            f"with the date you checked them")
    return out


def _dated_and_ranges(profile: Profile, v: dict[str, Any], k: Kind) -> list[Problem]:
    """A kind's dated facts need their date (an agency's rates need homecare.hourly_rate.updated), and
    each range's lowest is no more than its highest."""
    out: list[Problem] = []
    for date, facts in k.dated:
        given = [f for f in facts if v.get(f) not in (None, [])]
        if not given or date in v or (date == k.confirmed and any(v.get(p) is not None for p in k.available_paths)):
            continue  # free capacity without its date is reported by the capacity rule
        if get_path(profile.data, tuple(date.split("."))) is not None:
            continue  # given but not a date: reported as such, not again as missing
        group, _, last = date.rpartition(".")
        out.append(Problem(profile.path, profile.line(given[0]), given[0], f"is given without {date}; add '{last}: "
                           f"YYYY-MM-DD' under {group} with the date it was confirmed"))
    for lo_path, hi_path, what in k.ranges:
        lo, hi = v.get(lo_path), v.get(hi_path)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            out.append(Problem(profile.path, profile.line(lo_path), lo_path, f"is {lo} but {hi_path} is {hi}; the lowest "
                               f"{what} cannot be above the highest"))
    for path, when, what in k.only_if_yes:  # "not taking new clients" beside 20 hours it can start says two things
        n = v.get(path)
        said = v.get(when)
        # not given at all: the page said "Taking new clients: not provided yet" above "About 20 hours a week" (a
        # providers' review); a value given wrongly is its own problem
        if (isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0 and said is not True
                and (said is False or get_path(profile.data, tuple(when.split("."))) is None)):
            out.append(Problem(profile.path, profile.line(path), path, f"is {n} but {when} is "
                               f"{'no' if said is False else 'not given'}; {what} can be above 0 only when {when} is "
                               "yes: give 0, or yes if it is"))
    return out


def _registered_beds(profile: Profile, v: dict[str, Any], k: Kind) -> list[Problem]:
    """Places of each type, and free places, by type and in total, cannot be more than the places registered with CQC."""
    registered = v.get(k.registered) if k.registered else None
    if registered is None:
        return []
    free = {c.key: v.get(c.available) for c in k.capacity if c.available}
    out = []
    for c in k.capacity:
        n, total = free.get(c.key), v.get(c.total) if c.total else None
        if c.available and n is not None and n > registered and (total is None or n <= total):
            out.append(Problem(profile.path, profile.line(c.available), c.available, f"is {n} but {k.registered} is "
                               f"{registered}; free {k.unit} cannot be more than the {k.unit} there are"))
    # "40 beds without nursing" at a home CQC registers for 16 overstates what it can take: a warning for the steward
    # (not a refusal: CQC lowering a home's registered beds must not stop its own import, nor the site's build)
    over = []
    for c in k.capacity:
        total = v.get(c.total) if c.total else None
        if isinstance(total, int) and total > registered:
            over.append(Problem(profile.path, profile.line(str(c.total)), str(c.total), f"is {total} but {k.registered} is "
                                f"{registered}; a home cannot have more {k.unit} than CQC registers it for: give at most "
                                f"{registered}, or ask the council to import the latest CQC register", severity="warning"))
    if not over:
        last = max((str(c.total) for c in k.capacity if c.total), key=lambda p: profile.line(p) or 0)  # the later line
        over += _added_up(profile, k, registered, {c.key: v.get(c.total) for c in k.capacity if c.total}, last,
                          f"{k.unit} in total", f"a home cannot have more {k.unit} than CQC registers it for", "warning")
    if not out:
        out += _added_up(profile, k, registered, free, str(k.available_paths[-1]), f"free {k.unit}",
                         f"free {k.unit} cannot be more than the {k.unit} there are")
    return out + over


def _added_up(profile: Profile, k: Kind, registered: int, counts: dict[str, Any], last: str, what: str, why: str,
              severity: str = "error") -> list[Problem]:
    """The problem, at ``last``, when every type's count of ``counts`` is given (two or more) and together they are
    more than the places registered with CQC: "free beds add up to 20 (nursing 10, residential 10) but ..."."""
    given = [n for n in counts.values() if n is not None]
    if len(given) < 2 or len(given) < len(counts) or sum(given) <= registered:
        return []
    each = ", ".join(f"{key} {n}" for key, n in counts.items())
    return [Problem(profile.path, profile.line(last), last, f"{what} add up to {sum(given)} ({each}) but {k.registered} "
                    f"is {registered}; {why}", severity=severity)]


def _example_data(profile: Profile, v: dict[str, Any], schema: Schema, mine: Iterable[Kind]) -> list[Problem]:
    """The template's made-up values, or a made-up profile, must never be published as a real home.

    The template itself (``_template.yaml``: names starting with '_' are never profiles) is exempt."""
    out: list[Problem] = []
    if os.path.basename(profile.path).startswith("_"):  # Path(profile.path).name, without making a Path
        return out

    def add(path: str, message: str) -> None:
        out.append(Problem(profile.path, profile.line(path), path, message))

    template_id, template_name = schema.by_path["location_id"].example, schema.by_path["name"].example
    if v.get("location_id") == template_id:
        add("location_id", f"{template_id} is the made-up example from providers/_template.yaml; write the home's own "
            "CQC location ID (from the address of its page on cqc.org.uk)")
    name = v.get("name")
    if name == template_name:
        add("name", f"'{template_name}' is the made-up example from providers/_template.yaml; write the home's name "
            "as registered with CQC")
    elif isinstance(name, str):
        fictional = "(fictional)" in name.lower()
        if v.get("example") is True and not fictional:
            add("example", "is yes, which marks a made-up profile, but the name does not end in '(fictional)'; "
                "remove 'example: yes' from a real home, or add '(fictional)' to a made-up one's name")
        elif v.get("example") is not True and fictional:
            add("name", "says '(fictional)' but the profile is not marked 'example: yes'; a real home's name must not "
                "say (fictional), and a made-up profile needs 'example: yes'")
    if v.get("example") is not True:
        out.extend(_template_leftovers(profile, v, mine, skip={"location_id", "name"}))
    return out


_MADE_UP: dict[int, tuple[Kind, dict[str, str]]] = {}  # id(kind) -> (the kind, kept alive; its made_up_text)


def made_up_text(k: Kind) -> dict[str, str]:
    """Path -> the template's made-up text, for each free-text field of the kind (not a value list's, and not one
    whose example is real: ``exampleIsReal``, Herefordshire, carehome.co.uk); worked out once a kind."""
    kept = _MADE_UP.get(id(k))
    if kept is None or kept[0] is not k:
        kept = _MADE_UP[id(k)] = (k, {f.path: f.example for f in k.fields if isinstance(f.example, str) and f.type == "string"
                                      and not f.example_is_real and "enum" not in f.constraints})
    return kept[1]


def _template_leftovers(profile: Profile, v: dict[str, Any], mine: Iterable[Kind], skip: set[str]) -> list[Problem]:
    """A real profile's text still the template's made-up value (its provider, street, phone, email, website...):
    a steward who copied the template and kept a line would publish it as the home's. Only the values the profile
    holds are looked at (nationally a tenth of the time of looking up every field of its kinds)."""
    out: list[Problem] = []
    kinds = list(mine)
    tables = [(k, made_up_text(k)) for k in kinds]
    for path, value in v.items():
        if not isinstance(value, str) or path in skip:
            continue
        for k, made_up in tables:
            if made_up.get(path) == value.strip():
                out.append(Problem(profile.path, profile.line(path), path,
                                   f"'{_short(value)}' is the made-up example from {kind_template_path(k)}, not this "
                                   "service's; write its own, or delete the line"))
                break
    return out


def _needs_date(v: dict[str, Any], add: Any, group: str, keys: Iterable[str], what: str, raw: dict[str, Any]) -> None:
    """Figures of a group need the group's date; a date given but not valid (``raw``, the file's) is reported as such,
    not again as missing."""
    if f"{group}.date" not in v and get_path(raw, (group, "date")) is None and any(f"{group}.{k}" in v for k in keys):
        add(group, f"figures are given without {group}.date; add 'date: YYYY-MM-DD' under {group} ({what})")


def check_files(profiles: list[Profile]) -> list[Problem]:
    """Rules across files: one profile per location ID, and each file named after its slug."""
    out: list[Problem] = []
    first: dict[str, Profile] = {}
    for p in sorted(profiles, key=lambda p: p.path):
        lid = p.data.get("location_id")
        if isinstance(lid, str):
            if lid in first:
                out.append(Problem(p.path, p.line("location_id"), "location_id",
                                   f"{lid} is also used by {first[lid].path}; each home has one profile, so merge the two"))
            else:
                first[lid] = p
        slug = p.data.get("slug")
        if isinstance(slug, str) and slug != p.slug:
            out.append(Problem(p.path, p.line("slug"), "slug",
                               f"is '{_short(slug)}' but the file is named {p.slug}.yaml; rename the file to {_short(slug)}.yaml or change the slug"))
    return out
