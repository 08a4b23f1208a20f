"""Text helpers shared by sources, pages and outputs: slugs, spreadsheet-safe cells and whole numbers as typed."""
from __future__ import annotations

import re
import unicodedata

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def slugify(text: str) -> str:
    """A URL- and file-safe name: lower-case ASCII words joined by hyphens, at most 60 characters, cut between words
    ("...-wayfield-avenue-resource-cent" was a page's address), or within the first word when it alone is longer."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "").replace("&", " and ")).strip("-")
    return cut_slug(slug, 60) or "home"


def cut_slug(slug: str, most: int) -> str:
    """A slug of at most ``most`` characters, cut between words (hyphens), or within its first word when that alone is
    longer."""
    if len(slug) <= most:
        return slug.rstrip("-")
    cut = slug[:most + 1]
    return (cut[:-1] if cut.endswith("-") else cut.rsplit("-", 1)[0] if "-" in cut else slug[:most]).rstrip("-")


# '０'..'～' as '0'..'~', and the full-width pound sign '￡' as '£' (as NFKC reads them, without its other readings)
FULL_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0xFFE1: ord("£")}


def typed_whole(text: str, unit: str = "") -> str | None:
    """A whole number typed in figures, as its digits (with its '-', if typed), or None ('two', '3.0', '20-30'): the
    one reading of a count a person types (a form's answer, a sheet's cell, a command's option), each caller taking as
    many digits as it allows. Full-width characters are read as ASCII ('２' is 2) and spaces around it are left out;
    no other character is taken for a digit ('3²' and '½' are not numbers, not 32 and 12); with ``unit`` (a regular
    expression of the field's unit words), one of them may follow it: '20 hours', '20h'."""
    s = text.translate(FULL_WIDTH).strip()
    m = re.fullmatch(rf"(-?[0-9]+)(?:\s*(?:{unit}))?" if unit else "-?[0-9]+", s, re.IGNORECASE)
    return None if m is None else m.group(1) if unit else s


def reader_error(exc: Exception) -> str:
    """A CSV or JSON reader's error (csv.Error, ValueError) in words for the person who gave the file, where Python's
    own would send them to its settings: lines ended by a carriage return alone, a number too long to read."""
    text = str(exc)
    if "new-line character seen in unquoted field" in text:
        return ("its lines end with a carriage return alone, an old Mac format; save it again as CSV with Windows or "
                "Unix line ends")
    long = re.search(r"integer string conversion: value has ([0-9]+) digits", text)
    if long:
        return f"it holds a number {int(long[1]):,} digits long, which no real record does"
    return text


def and_list(items: list[str]) -> str:
    """'A, B and C' ('A' alone; '' for none)."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def with_article(noun: str) -> str:
    """'a home', 'an agency'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def neutralise(text: str) -> str:
    """Stop a spreadsheet running a cell as a formula, reversibly (see ``restore``)."""
    if text.startswith(FORMULA_START) or (text[:1] == "'" and text[1:2] in FORMULA_START + ("'",)):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo ``neutralise``."""
    if text[:1] == "'" and (text[1:2] in FORMULA_START or (text[1:2] == "'" and text[2:3] in FORMULA_START + ("'",))):
        return text[1:]
    return text


def column_letter(n: int) -> str:
    """A spreadsheet's name for column ``n`` (1-based): 1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def undecodable(raw: bytes, offset: int) -> str:
    """'byte 25 (0x93, which Windows writes for “)': the byte at ``offset`` that is not UTF-8, as every 'is not UTF-8
    text' message names it (a profile, a form's issue text, mkdocs.yml)."""
    return f"byte {offset:,} (0x{raw[offset]:02X}{as_windows_writes(raw[offset])})"


def as_windows_writes(byte: int) -> str:
    """', which Windows writes for “': the character a byte that is not UTF-8 most likely stands for (a file saved by a
    Windows program, such as Notepad's ANSI or Word's plain text), so that a person can find it on the line; a character
    that cannot be seen named in words; '' for a byte Windows-1252 has no character for."""
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D
        return ""
    if not char.isprintable():  # 0xA0, 0xAD
        return f", which Windows writes for a {unicodedata.name(char).lower()}"
    return f", which Windows writes for {char}"


def writable(text: str) -> str:
    """``text`` as any file can hold it: a byte of a file name that is not UTF-8 ("café" in Latin-1, which Python holds
    as a lone surrogate) as ``\\xe9``, and any other lone surrogate as ``\\udXXX``; other text as it is. A profile's
    header, a report or a page naming such a file could not be written at all (a traceback: the hostile review)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
