"""Source helper: a spreadsheet (.ods or .xlsx) given to ``import-cqc``, its sheet of locations written out as the CSV
"save as CSV" makes, for the CSV reader (``cqc_files.read_register``) to read as it reads any CSV file.

CQC publishes its national "HSCA Active Locations" as an OpenDocument spreadsheet (a README sheet, then the sheet of
locations), and older downloads came as .xlsx. The sheet taken is the first whose column names, in its first
``PREAMBLE`` rows, are those of a format the CSV reader knows (the caller's ``wanted`` says which row holds them).

Each cell is the text the spreadsheet shows: an ODS cell's paragraphs (``text:p``, its ``text:s`` spaces, tabs and
line breaks; several joined by a new line), an xlsx cell's cached value (a formula's last result, as openpyxl's
``data_only`` read it) as the text a spreadsheet writes for it (16, not 16.0). A number cell, of either, is its value written so
(an ODS's ``office:value``), never as its format shows it: a latitude shown to 2 places, or beds shown as '16 beds',
is still 52.049615 and 16, as in the same sheet saved as .xlsx. A date cell, of either, is written as CQC's CSV writes
dates, YYYY-MM-DD (and the time of day after it, when it has one), so that no day is read as a month. One sheet row is
one CSV record; blank rows are kept (an empty line each) wherever a row with something in it follows, so the reader's
line numbers are the sheet's rows (``Sheet.line`` maps them back when a cell holds a line break).

Untrusted input: content.xml is streamed through expat a megabyte at a time, never held whole, and a DTD or entity
declaration is refused (no entity expansion, no external entity); an .xlsx is read by our own reader the same way
(``_Book``, ``_XlsxSheet``: the parts it reads and no other, each refused for the same, or nested deeper than
``MAX_DEPTH``, or, held whole as the shared strings and styles are, larger than ``MAX_WHOLE_BYTES``), its worksheets
a row at a time, a gap in the rows counted and a run of empty cells left out before expat sees it (``_Squeeze``);
an entry larger than ``MAX_PART_BYTES`` unpacked or
packed more than ``MAX_RATIO`` times smaller is refused before a byte of it is unpacked (a zip never unpacks more than
an entry says it holds: zipfile stops there); repeated rows and cells (LibreOffice writes a million blank rows and
16,000 blank cells as one element each) are counted, never expanded unless a cell with something in it follows, and a
sheet is read no further than ``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns, ``MAX_CELL_CHARS`` characters a cell and
``MAX_CSV_CHARS`` characters in all.
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import itertools
import math
import posixpath
import re
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..safetext import plain
from ..text import column_letter

PREAMBLE = 15  # rows of each sheet searched for its column names (CQC's care directory has its title above them)
MAX_ROWS = 1_048_576  # a spreadsheet's last row (Excel's, and LibreOffice's unless it is told to allow more)
MAX_COLUMNS = 16_384  # its last column (XFD)
MAX_CELL_CHARS = 32_767  # the most text a cell holds in Excel (CQC's longest are a few hundred characters)
MAX_PART_BYTES = 2 * 1024 ** 3  # an entry of the zip unpacked: the national sheet's content.xml is well under a GB
MAX_RATIO = 200  # how many times smaller an entry may be packed (CQC's content.xml: about 10 to 20 times)
RATIO_FROM = 1024 ** 2  # entries smaller than this unpacked are not held to MAX_RATIO (a few KB of XML packs well)
MAX_CSV_CHARS = 1024 ** 3  # the sheet written as CSV (the national file's sheet: a few hundred MB at most)
CHUNK = 1024 ** 2  # content.xml is given to expat a megabyte at a time
MAX_WHOLE_BYTES = 256 * 1024 ** 2  # an .xlsx part held whole (shared strings: CQC's national, a few MB)
MAX_DEPTH = 64  # how deep an .xlsx part's XML may nest (a worksheet's cell text: 6 deep; a drawing's: about 15)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and a password-protected .xlsx or .ods
ODS_TYPE = b"application/vnd.oasis.opendocument.spreadsheet"  # an .ods file's 'mimetype' entry (.ots: with -template)

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0 "  # LibreOffice's: a cell's error
MAX_ERRORS_SAID = 10  # error cells named in the message (then how many more)
CELLS = (TABLE + "table-cell", TABLE + "covered-table-cell")
PARAGRAPHS = (TEXT + "p", TEXT + "h")
NUMBERS = ("float", "percentage", "currency")  # value-types whose office:value is the number (a format may round it)
UNSHOWN = (OFFICE + "annotation", TEXT + "note")  # a cell's comment and a note: not what the cell shows
TOO_LONG = f"a cell holds more than {MAX_CELL_CHARS:,} characters, which no cell of CQC's does; nothing was changed"
DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?")

Wanted = Callable[[list[list[str]]], int | None]  # a sheet's first rows -> the index of the one naming its columns


class SheetError(Exception):
    """A spreadsheet that cannot be read, with what to do."""


class NoSheet(SheetError):
    """No sheet has the columns wanted: each sheet's name with its first rows (for the message: what the nearest lacks)."""

    def __init__(self, sheets: list[tuple[str, list[list[str]]]]) -> None:
        super().__init__("no sheet has the columns wanted")
        self.sheets = sheets


class Lines:
    """How a message names a place in a CSV file: by its lines."""

    def line(self, n: int) -> str:
        return f"line {n}"

    def lines(self, first: int, last: int) -> str:
        return f"lines {first} to {last}" if last > first else self.line(first)


class Sheet(Lines):
    """A sheet written as CSV: its name, the CSV file, the line of its column names, and its rows for messages
    ("sheet 'HSCA_Active_Locations', row 12", never the CSV's line or path)."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.header_line = 0  # lines of the CSV above the column names
        self._starts: list[int] = []  # the first line of each row that takes more than one (a cell with a line break)
        self._extra: list[int] = []  # how many more lines it takes
        self._before: list[int] = []  # the extra lines of the rows above it

    def row(self, line: int) -> int:
        """The sheet's row of a line of the CSV."""
        i = bisect.bisect_right(self._starts, line) - 1
        if i < 0:
            return line
        start, extra, before = self._starts[i], self._extra[i], self._before[i]
        return start - before if line <= start + extra else line - before - extra

    def line(self, n: int) -> str:
        return f"sheet '{plain(self.name, 60)}', row {self.row(n)}"

    def lines(self, first: int, last: int) -> str:
        a, b = self.row(first), self.row(last)
        return f"sheet '{plain(self.name, 60)}', rows {a} to {b}" if b > a else self.line(first)


def kind_of(path: Path) -> str | None:
    """'ods' or 'xlsx' for a spreadsheet of either kind (by its entries: .ods's 'mimetype', .xlsx's workbook), None for
    any other zip; zipfile.BadZipFile (or OSError ...) when it is not a zip that can be opened, SheetError when its
    entries are locked with a password."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if "mimetype" in names:
            if z.getinfo("mimetype").flag_bits & 0x1:  # a zip saved with a password
                raise SheetError(_locked("spreadsheet"))
            with z.open("mimetype") as fh:
                if fh.read(100).startswith(ODS_TYPE):  # never more, whatever the entry says its size is
                    return "ods"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "[Content_Types].xml" in names:  # a workbook part named otherwise (its content type says so)
            with z.open("[Content_Types].xml") as fh:
                types = fh.read(CHUNK)
            if any(kind.encode() in types for kind in WORKBOOK_TYPES):
                return "xlsx"
        return None


def ole2_message(start: bytes) -> str:
    """What to do with an OLE2 file (its first bytes ``start``): an Excel 97-2003 workbook, or a workbook saved with a
    password (Excel and LibreOffice wrap an encrypted .xlsx or .ods in one)."""
    if "EncryptedPackage".encode("utf-16-le") in start or "EncryptionInfo".encode("utf-16-le") in start:
        return _locked("workbook")
    return ("is an Excel 97-2003 workbook (.xls) or a workbook saved with a password, which this tool does not read: open "
            "it in LibreOffice Calc or Excel (removing any password), save it as .ods, .xlsx or 'CSV UTF-8', and import "
            "that file; nothing was changed")


def _locked(what: str) -> str:
    return (f"is a {what} saved with a password, which this tool cannot read: open it in LibreOffice Calc or Excel, save "
            "it again without a password, and import that file; nothing was changed")


def _damaged(why: str) -> str:
    return (f"is a damaged spreadsheet ({why}); nothing was changed. Download it again, or open it in LibreOffice Calc "
            "or Excel and save it again")


def to_csv(path: Path, kind: str, folder: Path, wanted: Wanted) -> Sheet:
    """The first sheet of the spreadsheet ``path`` (``kind``: 'ods' or 'xlsx') that ``wanted`` takes, written as UTF-8
    CSV into ``folder``; NoSheet when none is, SheetError when the file cannot be read (each with what to do)."""
    with zipfile.ZipFile(path) as z:
        _check_entries(z)
        return _ods(z, folder, wanted) if kind == "ods" else _xlsx(z, folder, wanted)


def _check_entries(z: zipfile.ZipFile) -> None:
    """Refuse a zip with an entry saved with a password, or one that would unpack to too much (a zip bomb)."""
    for info in z.infolist():
        if info.flag_bits & 0x1:
            raise SheetError(_locked("spreadsheet"))
        packed = max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM and info.file_size / packed > MAX_RATIO):
            raise SheetError(
                f"holds a part ({plain(info.filename, 60)}) that would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,}, more than any spreadsheet of CQC's (over {MAX_PART_BYTES // 1024 ** 3} GB, or "
                f"packed more than {MAX_RATIO} times smaller); it was not unpacked, and nothing was changed. Download the "
                "file again from CQC")


def _feed(parser: Any, fh: Any, part: str, squeeze: Callable[[bytes], bytes] | None = None) -> None:
    """Give ``fh`` to the expat ``parser`` a chunk (CHUNK) at a time, never whole (each chunk through ``squeeze``
    first when given); XML that cannot be read or a part that cannot be unpacked is a SheetError naming ``part`` (a
    damaged spreadsheet)."""
    try:
        while True:
            chunk = fh.read(CHUNK)
            parser.Parse(squeeze(chunk) if squeeze is not None and chunk else chunk, not chunk)
            if not chunk:
                break
    except xml.parsers.expat.ExpatError as exc:
        raise SheetError(_damaged(f"{part} cannot be read: line {exc.lineno}, "
                                  f"{xml.parsers.expat.errors.messages[exc.code]}")) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SheetError(_damaged(f"{part} cannot be unpacked: {plain(exc, 80)}")) from None
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read
        raise SheetError(_damaged(f"{part} cannot be read: {plain(exc, 80)}")) from None


# --- writing a sheet's rows as CSV ------------------------------------------------------------------------------

class _Writer:
    """A sheet's rows written as CSV records, each padded to the header's width; blank rows are counted and written
    (as empty lines) only when a row with something in it follows, so a million trailing blank rows cost nothing."""

    def __init__(self, sheet: Sheet, width: int) -> None:
        self.sheet = sheet
        self.width = width
        self.fh = open(sheet.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self.rows = 0  # sheet rows written
        self.lines = 0  # CSV lines written
        self.blank = 0  # blank rows not yet written
        self.chars = 0
        self.buf = io.StringIO()
        self.csv = csv.writer(self.buf, lineterminator="\n")

    def add(self, cells: list[str], repeat: int = 1) -> None:
        if not cells:
            self.blank += repeat
            return
        row = self.rows + self.blank + 1
        if row + repeat - 1 > MAX_ROWS:
            raise SheetError(f"{self.sheet.line(row + repeat - 1 if row <= MAX_ROWS else row)}: has something in a "
                             f"row below row {MAX_ROWS:,}, the last a spreadsheet has; nothing was changed. Is this CQC's "
                             "file as CQC published it?")
        self.buf.seek(0)
        self.buf.truncate()
        self.csv.writerow(cells + [""] * (self.width - len(cells)))
        text = self.buf.getvalue()
        if self.chars + self.blank + len(text) * repeat > MAX_CSV_CHARS:
            raise SheetError(f"{self.sheet.line(row)}: the sheet holds more than {MAX_CSV_CHARS:,} characters, which "
                             "no sheet of CQC's does; nothing was changed. Is this CQC's file as CQC published it?")
        if self.blank:
            self.fh.write("\n" * self.blank)
            self.rows += self.blank
            self.lines += self.blank
            self.blank = 0
        extra = text.count("\n") - 1  # a cell's line breaks make the row more than one line of the CSV
        if extra:
            s = self.sheet
            for _ in range(repeat):
                s._before.append((s._before[-1] + s._extra[-1]) if s._starts else 0)
                s._starts.append(self.lines + 1)
                s._extra.append(extra)
                self.lines += 1 + extra
            self.fh.write(text * repeat)
        else:
            for done in range(0, repeat, 4096):  # a row repeated (LibreOffice writes equal rows once): in pieces
                self.fh.write(text * min(4096, repeat - done))
            self.lines += repeat
        self.rows += repeat
        self.chars += len(text) * repeat

    def close(self) -> None:
        self.fh.close()


class _Sheets:
    """The rows of each sheet in turn, as a reader finds them: the first PREAMBLE of each kept until ``wanted`` says
    whether the sheet is the one; the chosen sheet's rows written as CSV; the others' rows passed over."""

    def __init__(self, folder: Path, wanted: Wanted) -> None:
        self.folder = folder
        self.wanted = wanted
        self.seen: list[tuple[str, list[list[str]]]] = []  # the sheets not taken, with their first rows
        self.chosen: Sheet | None = None
        self.writer: _Writer | None = None
        self.name = ""
        self.first: list[tuple[list[str], int]] = []  # the rows read before deciding, each with its repeat
        self.counted = 0
        self.skipping = False
        self.rows = 0  # the current sheet's rows so far
        self.pending: list[tuple[int, str]] = []  # error cells of the row being read: (column from 0, what it shows)
        self.errors: list[tuple[int, int, str]] = []  # the current sheet's error cells: (row, column from 0, shown)
        self.header: list[str] = []  # the chosen sheet's column names, and their row
        self.header_row = 0

    def begin(self, name: str) -> None:
        self.name, self.first, self.counted, self.skipping = name, [], 0, False
        self.rows, self.pending, self.errors = 0, [], []

    def error(self, column: int, shown: str) -> None:
        """A cell of the row being read holds a spreadsheet's error (a formula that failed: #N/A, #DIV/0!)."""
        self.pending.append((column, shown))

    def row(self, cells: list[str], repeat: int) -> None:
        if self.pending and not self.skipping:
            self.errors.extend((self.rows + 1, column, shown) for column, shown in self.pending)
        self.pending = []
        self.rows += repeat
        if self.writer is not None:
            self.writer.add(cells, repeat)
        elif not self.skipping:
            self.first.append((cells, repeat))
            self.counted += repeat
            if self.counted >= PREAMBLE:
                self._decide()

    def end(self) -> bool:
        """The sheet has ended: whether it was the one (reading can stop)."""
        if self.writer is None and not self.skipping:
            self._decide()
        if self.writer is not None:
            self.writer.close()
            return True
        return False

    def _decide(self) -> None:
        rows = [cells for cells, repeat in self.first for _ in range(min(repeat, PREAMBLE))][:PREAMBLE]
        at = self.wanted(rows)
        if at is None:
            self.seen.append((self.name, rows))
            self.skipping = True
            return
        sheet = Sheet(self.name, self.folder / "sheet.csv")
        self.writer = _Writer(sheet, len(rows[at]))
        for cells, repeat in self.first:
            self.writer.add(cells, repeat)
        sheet.header_line = _line_of(sheet, at + 1) - 1
        self.chosen = sheet
        self.header, self.header_row = rows[at], at + 1

    def read(self, fill: Callable[[], None]) -> Sheet:
        """The sheet chosen once ``fill()`` has given this every sheet's rows, its CSV closed whatever happens: NoSheet
        when no sheet was one, SheetError when a cell below its column names holds a spreadsheet's error."""
        try:
            fill()
        finally:
            if self.writer is not None:
                self.writer.close()
        if self.chosen is None:
            raise NoSheet(self.seen)
        self.check_errors()
        return self.chosen

    def check_errors(self) -> None:
        """SheetError naming every cell below the chosen sheet's column names that holds a spreadsheet's error: its
        text ('#N/A') would be read as the fact (a name, a phone) or, as a number's value, as 0."""
        errors = [(row, column, shown) for row, column, shown in self.errors if row > self.header_row]
        if not errors:
            return
        named = [f"row {row}, column {_column_name(self.header, column)} ({plain(shown, 20) or 'an error'})"
                 for row, column, shown in errors[:MAX_ERRORS_SAID]]
        more = f", and {len(errors) - MAX_ERRORS_SAID:,} more" if len(errors) > MAX_ERRORS_SAID else ""
        cells = "a cell holds" if len(errors) == 1 else f"{len(errors):,} cells hold"
        raise SheetError(f"sheet '{plain(self.name, 60)}': {cells} a spreadsheet error (a formula that failed), not a "
                         f"fact: {'; '.join(named)}{more}; nothing was changed. Put the right value in each, or clear it "
                         "where the fact is not known, and import the file again")

    @property
    def reading(self) -> bool:
        """Whether the current sheet's cells are wanted (not a sheet already passed over)."""
        return not self.skipping


def _column_name(header: list[str], column: int) -> str:
    """A column by its name in the sheet's header ('Care homes beds'), else by its letter ('AB')."""
    name = header[column].strip() if column < len(header) else ""
    return f"'{plain(name, 60)}'" if name else column_letter(column + 1)


def _line_of(sheet: Sheet, row: int) -> int:
    """The CSV line a sheet's row starts on."""
    line = row
    for start, extra in zip(sheet._starts, sheet._extra, strict=True):
        if start < line:
            line += extra
    return line


# --- OpenDocument (.ods) ----------------------------------------------------------------------------------------

class _Done(Exception):
    """The chosen sheet has been read: no need to read on."""


def _ods(z: zipfile.ZipFile, folder: Path, wanted: Wanted) -> Sheet:
    names = set(z.namelist())
    if "META-INF/manifest.xml" in names:
        try:
            with z.open("META-INF/manifest.xml") as fh:
                locked = b"encryption-data" in fh.read(CHUNK)  # LibreOffice's "save with password": content.xml encrypted
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise SheetError(_damaged(f"its manifest cannot be unpacked: {plain(exc, 80)}")) from None
        if locked:
            raise SheetError(_locked("spreadsheet"))
    if "content.xml" not in names:
        raise SheetError(_damaged("it has no content.xml, where an OpenDocument spreadsheet keeps its sheets"))
    with z.open("content.xml") as fh:
        return _ods_xml(fh, folder, wanted, "its content.xml")


def is_flat(start: bytes) -> bool:
    """Whether a file's first bytes are those of a LibreOffice flat XML spreadsheet (.fods): one XML document, its
    root ``office:document`` naming the spreadsheet's media type."""
    return b"<office:document" in start and b'office:mimetype="' + ODS_TYPE + b'"' in start


def flat_to_csv(path: Path, folder: Path, wanted: Wanted) -> Sheet:
    """``to_csv`` for a flat XML spreadsheet (.fods): the same XML as an .ods's content.xml, not zipped, streamed the
    same way (at most MAX_PART_BYTES of it)."""
    if path.stat().st_size > MAX_PART_BYTES:
        raise SheetError(f"is a flat XML spreadsheet of {path.stat().st_size:,} bytes, more than any spreadsheet of "
                         f"CQC's (over {MAX_PART_BYTES // 1024 ** 3} GB); it was not read, and nothing was changed. "
                         "Download the file again from CQC")
    with open(path, "rb") as fh:
        return _ods_xml(fh, folder, wanted, "its XML")


def _ods_xml(fh: Any, folder: Path, wanted: Wanted, part: str) -> Sheet:
    """The sheet wanted of an OpenDocument spreadsheet's XML (``part``, for messages), read from ``fh`` a chunk at a time."""
    sheets = _Sheets(folder, wanted)
    parser = _OdsParser(sheets, part).parser

    def fill() -> None:
        try:
            _feed(parser, fh, part)
        except _Done:
            pass
    return sheets.read(fill)


def _count(attrs: dict[str, str], name: str, where: Callable[[], str]) -> int:
    """A repeat count (number-rows-repeated, number-columns-repeated): 1 when not given."""
    text = attrs.get(TABLE + name)
    if text is None:
        return 1
    if not text.isdigit() or int(text) < 1 or len(text) > 12:
        raise SheetError(_damaged(f"{where()} repeats {plain(text, 20)} times, which is no count"))
    return int(text)


class _OdsParser:
    """expat handlers reading content.xml's sheets into ``_Sheets``, holding one row at a time."""

    def __init__(self, sheets: _Sheets, part: str = "its content.xml") -> None:
        self.sheets = sheets
        self.part = part
        self.depth = 0  # tables inside tables (a sheet's own rows are at depth 1)
        self.row_number = 0  # rows of the current sheet so far
        self.cells: list[str] = []
        self.blank = 0  # blank cells not yet added to the row
        self.repeat_row = 1
        self.cell: dict[str, str] | None = None  # the current cell's attributes
        self.repeat_cell = 1
        self.paragraphs: list[str] = []
        self.parts: list[str] | None = None  # the current paragraph's text
        self.run: list[str] = []  # its character data since the last space, tab or line break element
        self.length = 0
        self.unshown = 0  # inside a comment or note
        p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        p.buffer_text = True
        p.StartDoctypeDeclHandler = self.refuse
        p.EntityDeclHandler = self.refuse
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.data
        self.parser = p

    def refuse(self, *_: Any) -> None:
        raise SheetError(f"{self.part} declares a DTD or entities, which no spreadsheet's does; it was not read, "
                         "and nothing was changed. Download the file again from CQC")

    def where(self) -> str:
        return f"sheet '{plain(self.sheets.name, 60)}', row {self.row_number + 1}"

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == TABLE + "table":
            self.depth += 1
            if self.depth == 1:
                self.row_number = 0
                self.sheets.begin(attrs.get(TABLE + "name", ""))
            return
        if self.depth != 1 or not self.sheets.reading:
            return
        if self.cell is not None:
            if name in UNSHOWN or self.unshown:
                self.unshown += 1
            elif name in PARAGRAPHS:
                self.parts, self.run = [], []
            elif self.parts is not None:
                if name == TEXT + "s":
                    c = attrs.get(TEXT + "c", "1")
                    self.text(" " * (int(c) if c.isdigit() and len(c) < 7 else 1))
                elif name == TEXT + "tab":
                    self.text("\t")
                elif name == TEXT + "line-break":
                    self.text("\n")
        elif name in CELLS:
            self.cell, self.paragraphs, self.length = attrs, [], 0
            self.repeat_cell = _count(attrs, "number-columns-repeated", self.where)
        elif name == TABLE + "table-row":
            self.cells, self.blank = [], 0
            self.repeat_row = _count(attrs, "number-rows-repeated", self.where)

    def text(self, special: str) -> None:
        """A space, tab or line break element: the character data before it, then it."""
        self.flush()
        assert self.parts is not None
        self.add(special)

    def flush(self) -> None:
        if self.run and self.parts is not None:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", "".join(self.run)))  # ODF: white space in a paragraph is one space
            self.run = []

    def add(self, text: str) -> None:
        assert self.parts is not None
        self.grow(len(text))
        self.parts.append(text)

    def grow(self, n: int) -> None:
        """The cell's text is ``n`` characters longer: refused past MAX_CELL_CHARS (never held whole)."""
        self.length += n
        if self.length > MAX_CELL_CHARS:
            raise SheetError(f"{self.where()}, column {len(self.cells) + self.blank + 1}: {TOO_LONG}")

    def data(self, text: str) -> None:
        if self.parts is not None and not self.unshown:
            self.grow(len(text))
            self.run.append(text)

    def end(self, name: str) -> None:
        if name == TABLE + "table":
            self.depth -= 1
            if self.depth == 0 and self.sheets.end():
                raise _Done
            return
        if self.depth != 1 or not self.sheets.reading:
            return
        if self.cell is not None and name not in CELLS:
            if self.unshown:
                self.unshown -= 1
            elif name in PARAGRAPHS and self.parts is not None:
                self.flush()
                self.paragraphs.append("".join(self.parts))
                self.parts = None
        elif name in CELLS and self.cell is not None:
            self.end_cell(self.cell)
            self.cell = None
        elif name == TABLE + "table-row":
            self.sheets.row(self.cells, self.repeat_row)
            self.row_number += self.repeat_row

    def end_cell(self, attrs: dict[str, str]) -> None:
        text = "\n".join(self.paragraphs) if self.paragraphs else _ods_value(attrs)
        if attrs.get(CALCEXT + "value-type") == "error":
            self.sheets.error(len(self.cells) + self.blank, text)
        kind = attrs.get(OFFICE + "value-type")
        if kind == "date":
            text = _iso(attrs.get(OFFICE + "date-value", "")) or text
        elif kind in NUMBERS:  # the number, not as its format shows it (52.05 for 52.049615, '16 beds'), as an xlsx's
            text = _number(attrs.get(OFFICE + "value", "")) or text
        if not text:
            self.blank += self.repeat_cell
            return
        if len(self.cells) + self.blank + self.repeat_cell > MAX_COLUMNS:
            raise SheetError(f"{self.where()}: has something in a column after column {MAX_COLUMNS:,}, the last a "
                             "spreadsheet has; nothing was changed. Is this CQC's file as CQC published it?")
        self.cells.extend([""] * self.blank)
        self.cells.extend([text] * self.repeat_cell)
        self.blank = 0


def _ods_value(attrs: dict[str, str]) -> str:
    """A cell's value when it has no paragraph to show (a generator other than LibreOffice may leave it out)."""
    kind = attrs.get(OFFICE + "value-type", "")
    if kind == "boolean":
        return "TRUE" if attrs.get(OFFICE + "boolean-value") == "true" else "FALSE"
    for key in ("string-value", "value", "date-value", "time-value"):
        if OFFICE + key in attrs:
            return attrs[OFFICE + key]
    return ""


def _number(value: str) -> str:
    """An ODS cell's office:value as an xlsx cell's number is written (``_xlsx_text``); '' when it is not one."""
    try:
        number = float(value)
    except ValueError:
        return ""
    return _xlsx_text(number) if math.isfinite(number) else ""


def _iso(value: str) -> str:
    """An ODS date-value ('2010-10-01', '2010-10-01T13:45:00') as CQC's CSV writes dates; '' when it is not one."""
    m = DATE.match(value)
    if not m:
        return ""
    return m[1] if not m[2] or m[2] == "00:00:00" else f"{m[1]} {m[2]}"


# --- Excel (.xlsx) ---------------------------------------------------------------------------------------------
#
# Read as openpyxl (read-only, data_only) read it before, through expat a part at a time: each cell's cached value
# (a formula's last result), a number cell whose style's format is a date's as the date (openpyxl's rules: the
# built-in formats it knows as dates, a custom format by ``_is_date_format``, serial numbers by ``_from_excel``).

SPREADSHEETML = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main ",
                 "http://purl.oclc.org/ooxml/spreadsheetml/main ")  # Excel's "Strict Open XML" names it so
RELATION = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships ",
            "http://purl.oclc.org/ooxml/officeDocument/relationships ")
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships "
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types "
WORKBOOK_TYPES = tuple(f"application/vnd.{kind}.main+xml" for kind in (
    "openxmlformats-officedocument.spreadsheetml.sheet", "ms-excel.sheet.macroEnabled",
    "openxmlformats-officedocument.spreadsheetml.template", "ms-excel.template.macroEnabled"))
# an element of SpreadsheetML by its name without the namespace (either namespace): the only ones read
_TAG = {ns + tag: tag for ns in SPREADSHEETML for tag in (
    "sheetData", "row", "c", "v", "is", "t", "r", "rPh", "si", "sheet", "workbookPr", "numFmt", "cellXfs", "xf")}
_CELL = {ns + "c" for ns in SPREADSHEETML}
_ROW = {ns + "row" for ns in SPREADSHEETML}
_SHEET_DATA = {ns + "sheetData" for ns in SPREADSHEETML}
_IS = {ns + "is" for ns in SPREADSHEETML}
_V = {ns + "v" for ns in SPREADSHEETML}
_DIGITS = "0123456789"
WINDOWS_EPOCH = dt.datetime(1899, 12, 30)  # a serial number's day 0 (openpyxl's epochs)
MAC_EPOCH = dt.datetime(1904, 1, 1)  # a workbook's with date1904
BUILTIN_DATES = frozenset((*range(14, 23), 45, 46, 47))  # openpyxl's BUILTIN_FORMATS that is_date_format takes
BUILTIN_TIMEDELTAS = frozenset((46,))  # '[h]:mm:ss': a duration (openpyxl's is_timedelta_format)
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # quoted text, [..] but [h] [m] [s] (openpyxl's)
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
_ISO = re.compile(r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?(?P<time>(?P<hour>\d{2}):"
                  r"(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?")
_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


# a run of empty cells as Excel and LibreOffice write a formatted range (<c r="B7" s="3"/>), where the row ends or the
# next cell says its column: it holds nothing, and nothing after it counts on it (a cell without r would: its column
# is the one after the last)
EMPTY_CELLS = re.compile(rb'(?:<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="[0-9]{1,9}")?/>)+(?=</row>|<c r=")')


class _Squeeze:
    """A worksheet's chunks with their runs of empty cells (EMPTY_CELLS) left out before expat reads them: a million
    rows of 50 formatted empty cells each (1.2 GB of XML) would otherwise be 50 million elements for Python to see.
    Only outside comments and CDATA sections (where such text is not cells): from the first '<!' on (none in a sheet
    as Excel or LibreOffice write it), every chunk is given whole; and only in a part in UTF-8 (or another encoding
    whose markup is ASCII's): in UTF-16 a cell's text of such characters as '挼爠∽' is those bytes, so never."""

    def __init__(self) -> None:
        self.on = True
        self.first = True
        self.last = b""  # the previous chunk's last byte (a '<!' split between chunks)

    def __call__(self, chunk: bytes) -> bytes:
        if self.first:  # UTF-16 (a byte order mark, or a NUL among the first bytes): its text's bytes can spell cells
            self.first = False
            self.on = not (chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4])
        if self.on and (b"<!" in chunk or b"<!" in self.last + chunk[:1]):
            self.on = False
        self.last = chunk[-1:]
        return EMPTY_CELLS.sub(b"", chunk) if self.on else chunk


class _Unknown(ValueError):
    """A cell naming a shared string or style its workbook does not have."""


class _Stop(Exception):
    """A sheet's part need be read no further (its rows have ended, or the sheet is not the one)."""


def _is_date_format(code: str | None) -> bool:
    """Whether a number format shows a date or time (openpyxl's is_date_format): d, m, y, h or s outside quoted text
    and [..] sections, not escaped, in its first section."""
    if code is None:
        return False
    return re.search(r"(?<![_\\])[dmhysDMHYS]", _STRIP.sub("", code.split(";")[0])) is not None


def _is_timedelta_format(code: str | None) -> bool:
    return code is not None and _TIMEDELTA.search(code.split(";")[0]) is not None


def _from_excel(value: float, epoch: dt.datetime, duration: bool) -> Any:
    """A serial number as openpyxl's from_excel makes it: a time (under 1), a datetime (the 1900 leap-year bug: days
    before 1 March 1900 are one later), or a duration; OverflowError or ValueError when it is no day."""
    if duration:
        td = dt.timedelta(days=value)
        if td.microseconds:  # to the millisecond
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


def _from_iso(text: str) -> Any:
    """A 'd' cell's ISO 8601 text as openpyxl's from_ISO8601 reads it; ValueError when it is none."""
    m = _ISO.match(text)
    if m and any(m.groups()):
        parts: dict[str, Any] = m.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000) if parts["microsecond"] else 0
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        return dt.datetime(*(parts[k] for k in ("year", "month", "day", "hour", "minute", "second", "microsecond")))
    m = _DURATION.match(text)
    if m and any(m.groups()):
        return dt.timedelta(**{k: float(v) for k, v in m.groupdict(0).items() if v})
    raise ValueError(f"{plain(text, 30)} is no date")


_COLUMNS: dict[str, int] = {}


def _columns() -> dict[str, int]:
    """Every column's letters (A to ZZZ, as openpyxl reads them: beyond XFD too) to its number, made once."""
    if not _COLUMNS:
        letters = [chr(c) for c in range(65, 91)]
        for size in (1, 2, 3):
            for name in itertools.product(letters, repeat=size):
                _COLUMNS["".join(name)] = len(_COLUMNS) + 1
    return _COLUMNS


def _relation_file(part: str) -> str:
    """The relationships part of a part (xl/workbook.xml: xl/_rels/workbook.xml.rels)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _part_of(z: zipfile.ZipFile, name: str, what: str) -> zipfile.ZipInfo:
    try:
        return z.getinfo(name)
    except KeyError:
        raise SheetError(_damaged(f"it has no {plain(name, 60)}, {what}")) from None


def _read_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, start: Callable[[str, dict[str, str]], None] | None = None,
               end: Callable[[str], None] | None = None, data: Callable[[str], None] | None = None, *,
               whole: bool = True, parser: Any = None, squeeze: Callable[[bytes], bytes] | None = None) -> None:
    """One XML part of an .xlsx streamed through expat to the handlers given: SheetError when it declares a DTD or
    entities, nests deeper than MAX_DEPTH, cannot be read, or (``whole``: a part whose contents are held, as the shared
    strings are) is larger than MAX_WHOLE_BYTES. ``parser``: an expat parser with its handlers set already."""
    name = info.filename
    part = f"its part {plain(name, 60)}"
    if whole and info.file_size > MAX_WHOLE_BYTES:
        raise SheetError(f"holds a part ({plain(name, 60)}) of {info.file_size:,} bytes, read whole, more than any "
                         f"workbook of CQC's (over {MAX_WHOLE_BYTES // 1024 ** 2} MB); it was not read, and nothing was "
                         "changed. Download the file again from CQC, or open it in LibreOffice Calc or Excel and save it "
                         "again")
    if parser is None:
        depth = 0

        def started(tag: str, attrs: dict[str, str]) -> None:
            nonlocal depth
            depth += 1
            if depth > MAX_DEPTH:
                raise SheetError(_too_deep(name))
            if start is not None:
                start(tag, attrs)

        def ended(tag: str) -> None:
            nonlocal depth
            depth -= 1
            if end is not None:
                end(tag)

        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = started, ended
        if data is not None:
            parser.CharacterDataHandler = data

    def refuse(*_: Any) -> None:
        raise SheetError(f"{part} declares a DTD or entities, which no spreadsheet's does; it was not read, and nothing "
                         "was changed. Download the file again from CQC")

    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        with z.open(info) as fh:
            _feed(parser, fh, part, squeeze)
    except _Stop:
        pass
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise SheetError(_damaged(f"{part} cannot be unpacked: {plain(exc, 80)}")) from None


def _too_deep(name: str) -> str:
    return _damaged(f"its part {plain(name, 60)} nests its XML more than {MAX_DEPTH} deep")


class _Text:
    """The text of a shared string (``<si>``) or an inline one (``<is>``): its ``<t>``, or its rich runs' ``<r><t>``
    joined; a phonetic run's (``<rPh>``) is not part of it. Elements inside it are given to ``start`` and ``end``."""

    def __init__(self) -> None:
        self.path: list[str | None] = []  # the elements open inside it
        self.parts: list[str] = []
        self.collecting = False

    def start(self, name: str) -> None:
        self.path.append(_TAG.get(name))
        self.collecting = self.path == ["t"] or self.path == ["r", "t"]

    def end(self) -> None:
        self.path.pop()
        self.collecting = False


class _Book:
    """An .xlsx's workbook: its sheets in order (name, part), date system, shared strings and the date styles."""

    def __init__(self, z: zipfile.ZipFile) -> None:
        self.z = z
        names = set(z.namelist())
        workbook = self._workbook_part()
        relations = self._relations(_relation_file(workbook))
        self.sheets: list[tuple[str, str]] = []
        self.epoch = WINDOWS_EPOCH
        refs: list[tuple[str, str]] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _TAG.get(name)
            if tag == "sheet":
                ref = attrs.get(RELATION[0] + "id", attrs.get(RELATION[1] + "id"))
                if ref is None:
                    raise SheetError(_damaged(f"its workbook names a sheet ('{plain(attrs.get('name', ''), 60)}') "
                                              "without saying where it is"))
                refs.append((attrs.get("name", ""), ref))
            elif tag == "workbookPr":
                flag = attrs.get("date1904", "")
                if flag not in ("false", "f", "0") and flag:  # as openpyxl reads it
                    self.epoch = MAC_EPOCH

        _read_part(z, _part_of(z, workbook, "where its workbook is"), start)
        for name, ref in refs:
            if ref not in relations:
                raise SheetError(_damaged(f"its workbook's sheet '{plain(name, 60)}' is not among its parts"))
            kind, target = relations[ref]
            if kind.endswith("/chartsheet"):  # a chart on a sheet of its own: no cells (openpyxl passed it over)
                continue
            if target not in names:
                raise SheetError(_damaged(f"its sheet '{plain(name, 60)}' ({plain(target, 60)}) is not in it"))
            self.sheets.append((name, target))
        by_kind = {kind.rpartition("/")[2]: target for kind, target in relations.values()}
        self.strings = self._strings(by_kind["sharedStrings"]) if "sharedStrings" in by_kind else []
        styles = by_kind.get("styles", "xl/styles.xml")
        self.formats = self._styles(styles) if styles in names else []  # each style: None, "date" or "duration"

    def _workbook_part(self) -> str:
        """The workbook part, as [Content_Types].xml names it (openpyxl's way: xl/workbook.xml when it gives the
        workbook's type to every part of a kind)."""
        found: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if attrs.get("ContentType") in WORKBOOK_TYPES:
                if name == CONTENT_TYPES + "Override":
                    found.insert(0, attrs.get("PartName", "").lstrip("/"))
                elif name == CONTENT_TYPES + "Default":
                    found.append("xl/workbook.xml")

        _read_part(self.z, _part_of(self.z, "[Content_Types].xml", "which names its parts"), start)
        if not found:  # (openpyxl's words, as before)
            raise SheetError(_damaged("it cannot be read as an Excel workbook: File contains no valid workbook part"))
        return found[0]

    def _relations(self, name: str) -> dict[str, tuple[str, str]]:
        """A relationships part: each Id's (type, target), the target a path inside the zip."""
        folder = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels: relative to xl/
        out: dict[str, tuple[str, str]] = {}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag != PACKAGE + "Relationship" or attrs.get("TargetMode") == "External":
                return
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if path.startswith(("../", "/")) or path in ("..", "."):
                raise SheetError(_damaged(f"its part {plain(name, 60)} names a part outside it "
                                          f"({plain(target, 60)})"))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

        _read_part(self.z, _part_of(self.z, name, "which says where its sheets are"), start)
        return out

    def _strings(self, name: str) -> list[str]:
        strings: list[str] = []
        text: _Text | None = None

        def start(tag: str, _attrs: dict[str, str]) -> None:
            nonlocal text
            if text is not None:
                text.start(tag)
            elif _TAG.get(tag) == "si":
                text = _Text()

        def end(_tag: str) -> None:
            nonlocal text
            if text is None:
                return
            if text.path:
                text.end()
            else:
                strings.append("".join(text.parts).replace("x005F_", ""))  # as openpyxl reads shared strings
                text = None

        def data(chars: str) -> None:
            if text is not None and text.collecting:
                text.parts.append(chars)

        _read_part(self.z, _part_of(self.z, name, "its shared strings"), start, end, data)
        return strings

    def _styles(self, name: str) -> list[str | None]:
        """Each cell style's (cellXfs) kind of number format: "date", "duration" or None (openpyxl's rules)."""
        custom: dict[int, str | None] = {}
        formats: list[int] = []
        path: list[str | None] = []

        def number(attrs: dict[str, str], key: str) -> int:
            try:
                return int(attrs.get(key, "0"))
            except ValueError:
                raise SheetError(_damaged(f"its styles name a number format {plain(attrs[key], 20)}")) from None

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _TAG.get(tag)
            if local == "numFmt":
                custom[number(attrs, "numFmtId")] = attrs.get("formatCode")
            elif local == "xf" and path[-1:] == ["cellXfs"]:
                formats.append(number(attrs, "numFmtId"))
            path.append(local)

        def end(_tag: str) -> None:
            path.pop()

        _read_part(self.z, _part_of(self.z, name, "its styles"), start, end)
        kinds: list[str | None] = []
        for n in formats:
            if n in custom:
                date, duration = _is_date_format(custom[n]), _is_timedelta_format(custom[n])
            else:
                date, duration = n in BUILTIN_DATES, n in BUILTIN_TIMEDELTAS
            kinds.append(("duration" if duration else "date") if date else None)
        return kinds


class _XlsxSheet:
    """expat handlers reading one worksheet's rows into ``_Sheets``: a row's cells as they come, a gap in the rows
    given as one repeat of an empty row, an empty cell costing its element and nothing else."""

    def __init__(self, book: _Book, sheets: _Sheets, name: str, part: str) -> None:
        self.book = book
        self.part = part
        self.sheets = sheets
        self.name = name
        self.depth = 0
        self.in_data = False
        self.in_row = False
        self.row = 0  # the current row's number (the last one's between rows)
        self.column = 0  # the current cell's column (from 1; the last one's between cells)
        self.cells: list[str] = []
        self.kind: str | None = None  # the current cell's type (None between cells)
        self.style: str | None = None
        self.text: _Text | None = None  # an inline string's
        self.value: list[str] | None = None  # its value's text (its first <v>, or its <is>)
        self.collecting = False
        self.length = 0
        p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        p.buffer_text = True
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.data
        self.parser = p

    def where(self, column: bool = True) -> str:
        at = f"sheet '{plain(self.name, 60)}', row {self.row}"
        return f"{at}, column {column_letter(self.column)}" if column else at

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if depth == 4:  # a row's cell
            if self.in_row and name in _CELL:
                self.begin_cell(attrs)
        elif depth > 4:  # inside a cell
            if self.kind is not None:
                self.inside(name)
            if depth > MAX_DEPTH:
                raise SheetError(_too_deep(self.part))
        elif depth == 3:
            if self.in_data and name in _ROW:
                self.begin_row(attrs)
        elif depth == 2:
            self.in_data = name in _SHEET_DATA
        if name in _ROW and not (depth == 3 and self.in_data):  # openpyxl read a row wherever it was: never passed over
            raise SheetError(_damaged(f"sheet '{plain(self.name, 60)}' has a row outside its sheetData"))

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if depth == 4:
            if self.kind is not None:
                self.end_cell()
        elif depth > 4:
            if self.text is not None:
                if self.text.path:
                    self.text.end()
                else:  # </is>
                    self.text = None
            self.collecting = False
        elif depth == 3:
            if self.in_row:
                self.end_row()
        elif depth == 2:
            self.in_data = False  # the rows have ended (a row after them, or a second sheetData's, read as openpyxl did)

    def data(self, chars: str) -> None:
        if self.collecting and self.value is not None:
            self.length += len(chars)
            if self.length > MAX_CELL_CHARS:
                raise SheetError(f"{self.where(False)}: {TOO_LONG}")
            self.value.append(chars)

    def begin_row(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is None:
            row = self.row + 1
        elif ref.isdigit() and ref.isascii():
            row = int(ref) if len(ref) < 20 else MAX_ROWS + 1  # (a number of thousands of digits: no int at all)
        else:
            raise SheetError(_damaged(f"sheet '{plain(self.name, 60)}' has a row numbered {plain(ref, 20)}"))
        if row <= self.row:
            raise SheetError(_damaged(f"sheet '{plain(self.name, 60)}' has row {row} after row {self.row}"))
        if row > MAX_ROWS:
            raise SheetError(f"sheet '{plain(self.name, 60)}': has rows below row {MAX_ROWS:,}, the last a spreadsheet "
                             "has; nothing was changed. Is this CQC's file as CQC published it?")
        if row > self.row + 1:  # rows the sheet leaves out: empty, all of them at once
            self.sheets.row([], row - self.row - 1)
            if self.sheets.skipping:
                raise _Stop
        self.row, self.column, self.cells, self.in_row = row, 0, [], True

    def end_row(self) -> None:
        self.in_row = False
        self.sheets.row(self.cells, 1)
        if self.sheets.skipping:
            raise _Stop

    def begin_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is None:
            column = self.column + 1
        else:
            letters = ref.rstrip(_DIGITS)
            columns = _COLUMNS or _columns()
            column = columns.get(letters) or columns.get(letters.upper(), 0)
            if not column or len(letters) == len(ref) or not ref[len(letters):].strip("0"):
                raise SheetError(_damaged(f"{self.where(False)} has a cell at {plain(ref, 20)}, which is no cell"))
        if column <= self.column:
            raise SheetError(_damaged(f"{self.where(False)} has its cell {plain(ref, 20)} after column "
                                      f"{column_letter(self.column)}"))
        self.column = column
        self.kind = attrs.get("t", "n")
        self.style = attrs.get("s")
        self.value = None

    def inside(self, name: str) -> None:
        """An element inside the current cell: its first <v>'s text is its value, or an inline string's <is>."""
        if self.text is not None:
            self.text.start(name)
            self.collecting = self.text.collecting
            return
        self.collecting = False
        if self.depth != 5 or self.value is not None:
            return
        if self.kind == "inlineStr":
            if name in _IS:
                self.text, self.length = _Text(), 0
                self.value = self.text.parts
        elif name in _V:
            self.value, self.length, self.collecting = [], 0, True

    def end_cell(self) -> None:
        kind, value, self.kind, self.text = self.kind, self.value, None, None
        text = "".join(value) if value else ""
        if kind == "e":  # a formula's error: its text would be read as a fact
            self.sheets.error(self.column - 1, text)
        if not text:
            return
        try:
            if kind == "n":
                text = self.number(text)
            elif kind == "s":
                text = self.shared(text)
            elif kind == "b":
                text = "TRUE" if int(text) else "FALSE"
            elif kind == "d":
                text = _xlsx_text(_from_iso(text))
        except _Unknown as exc:
            raise SheetError(_damaged(f"{self.where()}: {exc}")) from None
        except (ValueError, OverflowError):
            what = {"n": "number", "s": "shared string's number", "b": "1 or 0", "d": "date"}.get(kind or "", "value")
            raise SheetError(_damaged(f"{self.where()}: '{plain(text, 30)}' is no {what}")) from None
        if not text:
            return
        if len(text) > MAX_CELL_CHARS:
            raise SheetError(f"{self.where(False)}: {TOO_LONG}")
        if self.column > MAX_COLUMNS:
            raise SheetError(f"{self.where(False)}: has something in a column after column {MAX_COLUMNS:,}, the last a "
                             "spreadsheet has; nothing was changed. Is this CQC's file as CQC published it?")
        cells = self.cells
        if len(cells) < self.column - 1:
            cells.extend([""] * (self.column - 1 - len(cells)))
        cells.append(text)

    def number(self, text: str) -> str:
        """A number cell's text (openpyxl's: an int unless it has a point or an exponent), or its date."""
        value: float = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if self.style == "":  # openpyxl: no style, not a date
            return _xlsx_text(value)
        try:
            index = 0 if self.style is None else int(self.style)
        except ValueError:
            raise _Unknown(f"its style {plain(self.style, 20)} is no style's number") from None
        formats = self.book.formats
        if index and not 0 <= index < len(formats):  # style 0: the default, even where a workbook has no styles
            raise _Unknown(f"its style {index} is not among the workbook's {len(formats):,}")
        kind = formats[index] if index < len(formats) else None
        if kind is None:
            return _xlsx_text(value)
        try:
            return _xlsx_text(_from_excel(value, self.book.epoch, kind == "duration"))
        except (OverflowError, ValueError):  # no day: openpyxl made it an error cell
            self.sheets.error(self.column - 1, "#VALUE!")
            return "#VALUE!"

    def shared(self, text: str) -> str:
        index = int(text)
        strings = self.book.strings
        if not 0 <= index < len(strings):
            raise _Unknown(f"its shared string {index} is not among the workbook's {len(strings):,}")
        return strings[index]

def _read_xlsx(z: zipfile.ZipFile, sheets: Any) -> None:
    """An .xlsx's sheets in order given to ``sheets`` (a ``_Sheets``) until it has the one it wants."""
    book = _Book(z)
    for name, part in book.sheets:
        sheets.begin(name)
        reader = _XlsxSheet(book, sheets, name, part)
        _read_part(z, z.getinfo(part), whole=False, parser=reader.parser, squeeze=_Squeeze())
        if sheets.end():
            break


def _xlsx(z: zipfile.ZipFile, folder: Path, wanted: Wanted) -> Sheet:
    """The sheet wanted of an .xlsx, its workbook's parts read first, then its sheets in order, one row at a time."""
    sheets = _Sheets(folder, wanted)
    return sheets.read(lambda: _read_xlsx(z, sheets))


def _xlsx_text(value: Any) -> str:
    """A cell's value as a spreadsheet writes it in CSV: 16 (not 16.0), TRUE, a date as YYYY-MM-DD."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")  # a spreadsheet's 15 digits: 52.0562, 16, never 16.0 or 0.30000000000000004
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
