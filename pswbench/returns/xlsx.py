"""The worksheets of an .xlsx as rows of text, with bounded work whatever the workbook declares.

openpyxl, even read-only and after reset_dimensions(), pads each row out to its last cell, walks every
blank row and turns every shared string, style and cell into Python objects at about 8 µs an element:
a 14 KB workbook of a million empty rows took 10 s to read, a million empty cells in one row 8 s, and a
sheet declaring A1:XFD1048576 minutes. This reader streams only the parts a return needs (the workbook,
its relationships, the styles, the shared strings and the sheets asked for) through expat, keeps nothing
it does not need, and counts as it goes: it stops at the first limit reached and says which one. One count
covers every sheet read from a workbook. openpyxl still decides which number formats are dates and turns a
date serial into a date.

The limits (contract.MAX_* and those below) are far above any real return: a 10,000-row return with
500-character notes reads well inside every one of them.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from pswbench.returns import contract, read_limits
from pswbench.returns.findings import Finding, error

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # the zip's members together, as its directory says
MAX_XML_BYTES = 20 * 1024 * 1024  # the XML actually read: workbook, styles, shared strings, sheet
MAX_PARTS = 1_000  # zip members; a real workbook has a few dozen
MAX_ELEMENTS = 400_000  # XML elements read in all: rows, cells, strings, styles
MAX_ATTRIBUTES = 600_000  # their attributes (a cell has two or three)
MAX_TAG_BYTES = 16 * 1024  # one tag; Excel's longest, the sheet's root, is under 1 KB
MAX_TEXT_CHARS = contract.MAX_FILE_BYTES  # text in the cells read: no more than a 5 MB CSV can hold
CHUNK = 64 * 1024

WORKBOOK = "xl/workbook.xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_LONG_TAG = re.compile(rb"<[^<>]{%d}" % MAX_TAG_BYTES)
_ENDS = re.compile(rb"[<>]")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]*)")


class Stop(Exception):
    """Reading ends early: with a finding when a limit was reached, without one when enough was read."""

    def __init__(self, finding: Finding | None = None):
        super().__init__(finding.message if finding else "enough read")
        self.finding = finding


class Unreadable(Exception):
    """The workbook is damaged or not one we can read."""


class NotAWorkbook(Exception):
    """A zip, but not an .xlsx workbook."""


@dataclass
class Work:
    """What a read cost; the limits apply to these counts, and tests assert on them."""

    elements: int = 0
    attributes: int = 0
    xml_bytes: int = 0
    text_chars: int = 0
    rows_seen: int = 0

    def add_bytes(self, n: int) -> None:
        self.xml_bytes += n
        if self.xml_bytes > MAX_XML_BYTES:
            raise Stop(read_limits.expands_too_far(self.xml_bytes, MAX_XML_BYTES // 1_048_576))

    def add_text(self, n: int) -> None:
        self.text_chars += n
        if self.text_chars > MAX_TEXT_CHARS:
            raise Stop(
                error(
                    "file_too_large",
                    f"The sheet's cells hold more than {MAX_TEXT_CHARS:,} characters, more text than a 5 MB "
                    "return can hold. Copy the return's rows into the template (data/template.csv) and upload "
                    "that.",
                    value=f">{MAX_TEXT_CHARS}",
                )
            )

    def too_many(self, limit: int, what: str) -> Stop:
        return Stop(
            error(
                "file_too_large",
                f"The workbook holds far more than any return: more than {limit:,} {what} (Excel keeps "
                "formatted empty cells too). Copy the return's rows into the template (data/template.csv) "
                "and upload that, or save the sheet as CSV UTF-8.",
                value=f">{limit}",
            )
        )


class NoResult(str):
    """The text of a formula cell that has no saved result: '=' and the formula, for a finding to quote.

    Excel and LibreOffice save each formula's result with it; a workbook written by a program that does
    not calculate (openpyxl, many exports) has only the formula, and the value Excel would show is unknown.
    The reader tells such a cell apart by its type (isinstance), never by its text.
    """

    __slots__ = ()


@dataclass
class Sheet:
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (Excel row number, cell texts)
    problem: Finding | None = None
    work: Work = field(default_factory=Work)
    name: str | None = None


@dataclass(frozen=True)
class SheetEntry:
    """A worksheet as the workbook lists it, in tab order."""

    name: str
    hidden: bool  # hidden or "very hidden": the user does not see its tab
    part: str  # its part in the zip


@dataclass
class Book:
    """An opened workbook: its worksheets, and what is needed to read any of them."""

    sheets: list[SheetEntry] = field(default_factory=list)
    problem: Finding | None = None
    work: Work = field(default_factory=Work)
    _archive: zipfile.ZipFile | None = None
    _infos: dict = field(default_factory=dict)
    _strings: list[str] = field(default_factory=list)
    _date_styles: set[int] = field(default_factory=set)
    _epoch: dt.datetime = WINDOWS_EPOCH

    def rows(self, entry: SheetEntry, most: int | None = None) -> Sheet:
        """The rows of one sheet that hold a value, as text: at most `most` of them, or by default enough
        to say a return has too many (contract.MAX_DATA_ROWS plus a header found below a title)."""
        sheet = Sheet(work=self.work, name=entry.name)
        if self.problem is not None or self._archive is None:
            sheet.problem = self.problem or UNREADABLE
            return sheet
        most = contract.MAX_DATA_ROWS + contract.HEADER_SEARCH_ROWS + 1 if most is None else most
        cells = _SheetRows(self.work, self._strings, self._date_styles, self._epoch, sheet.rows, most)
        try:
            _parse(self._archive, self._infos, entry.part, cells)
        except Stop as stop:
            sheet.problem = stop.finding
        except _READ_ERRORS:
            sheet.problem = UNREADABLE
        return sheet

    def first_visible(self) -> SheetEntry | None:
        return next((s for s in self.sheets if not s.hidden), None)


UNREADABLE = error(
    "unreadable_xlsx",
    "The Excel workbook could not be read; it may be damaged or password-protected. "
    "Save it again from Excel, or save the first sheet as CSV UTF-8 and upload that.",
)
NO_VISIBLE_SHEET = error(
    "unreadable_xlsx",
    "Every sheet of the workbook is hidden, so there is nothing to read. In Excel right-click a sheet tab, "
    "choose Unhide, save the workbook and upload it again.",
)


def read(data: bytes) -> Sheet:
    """The first visible worksheet (see Book.rows); sheet.problem says why the file is refused, if it is.
    Raises NotAWorkbook for a zip that is not an .xlsx workbook."""
    book = open_book(data)
    if book.problem is not None:
        return Sheet(problem=book.problem, work=book.work)
    first = book.first_visible()
    if first is None:
        return Sheet(problem=NO_VISIBLE_SHEET, work=book.work)
    return book.rows(first)


def open_book(data: bytes) -> Book:
    """The workbook's list of worksheets, its styles and shared strings, read once for every sheet;
    book.problem says why the file is refused, if it is. Raises NotAWorkbook for a zip that is not an
    .xlsx workbook."""
    book = Book()
    # zipfile reads the central directory entry by entry in Python; each entry starts with this
    # signature, so counting it bounds that work before zipfile does any.
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        book.problem = error(
            "file_too_large",
            f"The workbook has more than {MAX_PARTS:,} parts (sheets, pictures and the like); "
            "a return is at most three sheets. Copy the return's rows into the template "
            "(data/template.csv) and upload that.",
            value=f">{MAX_PARTS}",
        )
        return book
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise NotAWorkbook from None
    if WORKBOOK not in infos:
        raise NotAWorkbook
    expanded = sum(info.file_size for info in infos.values())
    if expanded > MAX_UNCOMPRESSED:
        book.problem = read_limits.expands_too_far(expanded, MAX_UNCOMPRESSED // 1_048_576)
        return book
    try:
        _read_book_parts(archive, infos, book)
    except Stop as stop:
        book.problem = stop.finding
    except _READ_ERRORS:
        book.problem = UNREADABLE
    return book


_READ_ERRORS = (
    Unreadable,
    expat.ExpatError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    NotImplementedError,
    RuntimeError,
)


def _read_book_parts(archive: zipfile.ZipFile, infos: dict, book: Book) -> None:
    work = book.work
    listing = _Workbook(work)
    _parse(archive, infos, WORKBOOK, listing)
    rels = _Relationships(work)
    _parse(archive, infos, "xl/_rels/workbook.xml.rels", rels)
    targets = rels.targets("xl")
    book.sheets = [
        SheetEntry(name, state in ("hidden", "veryhidden"), targets[rid][1])
        for name, state, rid in listing.sheets
        if rid in targets and targets[rid][0] == "worksheet"
    ]
    if not book.sheets:
        raise Unreadable("no worksheet")
    kinds = {kind: path for kind, path in targets.values()}
    if "styles" in kinds and kinds["styles"] in infos:
        styles = _Styles(work)
        _parse(archive, infos, kinds["styles"], styles)
        book._date_styles = styles.date_styles()
    if "sharedStrings" in kinds and kinds["sharedStrings"] in infos:
        shared = _SharedStrings(work)
        _parse(archive, infos, kinds["sharedStrings"], shared)
        book._strings = shared.strings
    book._epoch = MAC_EPOCH if listing.date1904 else WINDOWS_EPOCH
    book._archive, book._infos = archive, infos


def _parse(archive: zipfile.ZipFile, infos: dict, name: str, handler: _Part) -> None:
    info = infos.get(name)
    if info is None:
        if isinstance(handler, _Relationships):
            return  # a workbook with no relationships part has no sheets; _read_book_parts says so
        raise Unreadable(f"missing {name}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        raise Unreadable(f"{name}: compression or encryption Excel does not use")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    # Spreadsheet XML has no document type; refusing one rules out entity expansion altogether.
    parser.StartDoctypeDeclHandler = _refuse_doctype
    guard = _Markup()
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            handler.work.add_bytes(len(chunk))
            guard.check(chunk)
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _refuse_doctype(*_args) -> None:
    raise Unreadable("a document type declaration")


class _Markup:
    """Checks each chunk, at C speed, before expat sees it.

    Expat (2.5 here) scans an unfinished token again each time more input arrives, so a single long
    token costs time in proportion to its length squared: an 8 MB comment, processing instruction or
    attribute took about a second to parse, and a 23 MB tag of two million attributes 25 s and 436 MB.
    Spreadsheet XML has no comments and no processing instruction but the XML declaration, and no tag
    near MAX_TAG_BYTES: those are refused. Character data, however long, expat reads in one pass.
    Excel writes UTF-8, which never holds a NUL byte: refusing one refuses UTF-16 and UTF-32, where
    these byte patterns would not be seen.
    """

    def __init__(self):
        self.tail = b""  # the end of the previous chunk, for a marker split between two
        self.open_tag = -1  # bytes of a tag still open at the end of the previous chunk, or -1
        self.first = True

    def check(self, chunk: bytes) -> None:
        joined = self.tail + chunk
        skip = 0
        if self.first:
            self.first = False
            declaration = joined.find(b"<?xml")
            skip = declaration + 2 if 0 <= declaration <= 3 else 0  # after a byte-order mark at most
        if b"<!--" in joined or b"<?" in joined[skip:]:
            raise Unreadable("a comment or processing instruction")
        if b"\x00" in chunk:
            raise Unreadable("not UTF-8")
        if self.open_tag >= 0:
            end = _ENDS.search(chunk)
            length = self.open_tag + (end.start() if end else len(chunk))
            if length >= MAX_TAG_BYTES:
                raise Unreadable("a tag longer than any spreadsheet writes")
            if end is None:
                self.open_tag = length
                self.tail = joined[-3:]
                return
        if _LONG_TAG.search(chunk):
            raise Unreadable("a tag longer than any spreadsheet writes")
        last = chunk.rfind(b"<")
        self.open_tag = len(chunk) - last if last >= 0 and chunk.find(b">", last) < 0 else -1
        self.tail = joined[-3:]


class _Part:
    """An expat handler for one part. Every element read counts against MAX_ELEMENTS: expat calls
    back into Python for each one (about a microsecond), so the count is what bounds the time."""

    def __init__(self, work: Work):
        self.work = work
        self._local: dict[str, str] = {}

    def local(self, name: str) -> str:
        found = self._local.get(name)
        if found is None:
            found = self._local[name] = name.rpartition(" ")[2]
        return found

    def counted(self, name: str, attrs: dict) -> str:
        work = self.work
        work.elements += 1
        work.attributes += len(attrs)
        if work.elements > MAX_ELEMENTS:
            raise work.too_many(MAX_ELEMENTS, "cells, rows and other entries")
        if work.attributes > MAX_ATTRIBUTES:
            raise work.too_many(MAX_ATTRIBUTES, "cell and row settings")
        return self._local.get(name) or self.local(name)

    def start(self, name: str, attrs: dict) -> None:
        self.counted(name, attrs)

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _Workbook(_Part):
    def __init__(self, work: Work):
        super().__init__(work)
        self.sheets: list[tuple[str, str, str]] = []  # (name, state in lower case, relationship id)
        self.date1904 = False

    def start(self, name, attrs):
        tag = self.counted(name, attrs)
        if tag == "sheet":
            state = attrs.get("state", "visible").strip().lower()
            self.sheets.append((attrs.get("name", "")[:255], state, attrs.get(f"{_REL} id", "")))
        elif tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true")


class _Relationships(_Part):
    def __init__(self, work: Work):
        super().__init__(work)
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name, attrs):
        if self.counted(name, attrs) == "Relationship":
            self.found[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], attrs.get("Target", ""))

    def targets(self, base: str) -> dict[str, tuple[str, str]]:
        """Id -> (kind, part name in the zip); a target is relative to the workbook's folder unless absolute."""
        out = {}
        for rid, (kind, target) in self.found.items():
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            out[rid] = (kind, posixpath.normpath(path))
        return out


class _Styles(_Part):
    """Which cell styles show a date: a date is stored as a number in a date-formatted cell."""

    def __init__(self, work: Work):
        super().__init__(work)
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self._in_cell_xfs = False

    def start(self, name, attrs):
        tag = self.counted(name, attrs)
        if tag == "numFmt":
            self.custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")[:255]
        elif tag == "cellXfs":
            self._in_cell_xfs = True
        elif tag == "xf" and self._in_cell_xfs:
            self.cell_formats.append(_int(attrs.get("numFmtId")))

    def end(self, name):
        if self.local(name) == "cellXfs":
            self._in_cell_xfs = False

    def date_styles(self) -> set[int]:
        codes = {fid: self.custom.get(fid, BUILTIN_FORMATS.get(fid)) for fid in set(self.cell_formats)}
        dates = {fid for fid, code in codes.items() if is_date_format(code)}
        return {i for i, fid in enumerate(self.cell_formats) if fid in dates}


class _Text:
    """The text of one string item (<si> or <is>): its <t> runs, not the phonetic guide (<rPh>),
    kept to one character more than a cell may hold, so an overlong cell is known without being kept."""

    __slots__ = ("parts", "length", "in_t", "phonetic")

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.in_t = False
        self.phonetic = 0

    def open(self, tag):
        if tag == "t":
            self.in_t = not self.phonetic
        elif tag == "rPh":
            self.phonetic += 1

    def close(self, tag):
        if tag == "t":
            self.in_t = False
        elif tag == "rPh":
            self.phonetic -= 1

    def add(self, data):
        if self.in_t and self.length <= contract.MAX_CELL_CHARS:
            self.parts.append(data)
            self.length += len(data)

    def value(self) -> str:
        parts = self.parts
        text = parts[0] if len(parts) == 1 else "".join(parts)
        if len(text) > contract.MAX_CELL_CHARS:
            text = text[: contract.MAX_CELL_CHARS + 1]
        # Excel writes characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_).
        return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


class _SharedStrings(_Part):
    def __init__(self, work: Work):
        super().__init__(work)
        self.strings: list[str] = []
        self._item: _Text | None = None

    def start(self, name, attrs):
        tag = self.counted(name, attrs)
        if tag == "si":
            self._item = _Text()
        elif self._item is not None:
            self._item.open(tag)

    def end(self, name):
        item = self._item
        if item is None:
            return
        tag = self._local.get(name) or self.local(name)
        if tag == "si":
            self.strings.append(item.value())
            self._item = None
        else:
            item.close(tag)

    def text(self, data):
        if self._item is not None:
            self._item.add(data)


class _SheetRows(_Part):
    """Rows of the sheet as {column: text}, kept only when they hold a value.

    Never padded to a declared dimension: a row is as wide as its rightmost value, and a value beyond
    contract.MAX_COLUMNS is refused. An empty row or cell costs one count and little else: this is the
    loop a hostile sheet makes run, so it does as little as it can per element.
    """

    def __init__(self, work, strings, date_styles, epoch, rows, most):
        super().__init__(work)
        self.strings, self.date_styles, self.epoch, self.rows, self.most = strings, date_styles, epoch, rows, most
        self.row: int | None = 0
        self.cells: dict[int, str] = {}
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.value: list[str] | None = None  # the <v> being read
        self.inline: _Text | None = None  # the <is> being read
        self.formula: list[str] | None = None  # the cell's <f>, when it has one
        self.in_formula = False
        self.in_cell = False

    def start(self, name, attrs):
        tag = self.counted(name, attrs)
        if tag == "c":
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = _int(style) if style else 0
            self.value, self.inline, self.formula, self.in_cell = None, None, None, True
        elif tag == "v":
            if self.in_cell:
                self.value = []
        elif tag == "f":
            if self.in_cell:
                self.formula, self.in_formula = [], True
        elif tag == "is":
            if self.in_cell:
                self.inline = _Text()
        elif self.inline is not None:
            self.inline.open(tag)
        elif tag == "row":
            work = self.work
            work.rows_seen += 1
            if work.rows_seen > contract.MAX_ROWS_READ:
                raise Stop(read_limits.too_many_rows_read("rows"))
            ref = attrs.get("r")
            self.row = _int(ref, None) if ref else (self.row or 0) + 1
            self.cells, self.column = {}, 0

    def end(self, name):
        tag = self._local.get(name) or self.local(name)
        if tag == "c":
            self.in_cell = False
            if self.value is not None or self.inline is not None or self.formula is not None:
                self._cell_done()
        elif tag == "row":
            if self.cells:
                self._row_done()
        elif tag == "f":
            self.in_formula = False
        elif self.inline is not None and tag != "is":
            self.inline.close(tag)

    def text(self, data):
        if self.in_formula:
            if sum(map(len, self.formula)) <= contract.MAX_CELL_CHARS:
                self.formula.append(data)
        elif self.value is not None:
            if sum(map(len, self.value)) <= contract.MAX_CELL_CHARS:
                self.value.append(data)
        elif self.inline is not None:
            self.inline.add(data)

    def _cell_done(self):
        text = self._no_result() if self._without_result() else self._cell_text()
        self.value = self.inline = self.formula = None
        if not text:
            return
        self.work.add_text(len(text))
        if self.column > contract.MAX_COLUMNS:
            if text.strip():
                raise Stop(read_limits.too_many_columns(self.row or 0, self.column, text))
            return
        self.cells[self.column] = text

    def _without_result(self) -> bool:
        """A formula with no saved result: no <v>, or an empty one where the result is not text (an empty
        text result, t="str" with <v></v>, is a saved result: the formula shows nothing)."""
        if self.formula is None or self.inline is not None:
            return False
        if self.value is None:
            return True
        return self.kind != "str" and not "".join(self.value).strip()

    def _no_result(self) -> NoResult:
        formula = "".join(self.formula)[: contract.MAX_CELL_CHARS]
        return NoResult("=" + formula)

    def _cell_text(self) -> str:
        if self.kind == "inlineStr":
            return self.inline.value() if self.inline is not None else ""
        raw = "".join(self.value)[: contract.MAX_CELL_CHARS + 1] if self.value is not None else ""
        if not raw:
            return ""
        if self.kind == "s":
            return self.strings[int(raw)] if raw.strip() else ""
        if self.kind in ("str", "e"):  # a formula's text result, or an error such as #DIV/0!
            return raw
        if self.kind == "b":
            return {"1": "TRUE", "0": "FALSE"}.get(raw.strip(), raw)
        if self.kind == "d":  # an ISO 8601 date-time, which Excel itself rarely writes
            return contract.midnight_as_date(raw)
        raw = raw.strip()
        if raw and self.style in self.date_styles:
            return _date_text(raw, self.epoch)
        return number_text(raw)

    def _row_done(self):
        if self.row is None:
            raise Unreadable("a row number that is not a number")
        if any(v.strip() for v in self.cells.values()):
            width = max(self.cells)
            self.rows.append((self.row, [self.cells.get(i, "") for i in range(1, width + 1)]))
            if len(self.rows) >= self.most:  # enough to find the header and say there are too many rows
                raise Stop()


def number_text(raw: str) -> str:
    """A number as Excel stored it, written out in full (1E-3 -> 0.001) and exactly: the digits in the
    file are the digits read, never a float's rounding of them. Anything else is returned as it is."""
    if not raw or not raw.isascii():  # Decimal reads other scripts' digits; the validator must see them instead
        return raw
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return raw
    if not number.is_finite() or abs(number.adjusted()) > 30:  # no 1E+999999999 written out in full
        return raw
    return format(number, "f")


def _date_text(raw: str, epoch: dt.datetime) -> str:
    """A date-formatted cell holds the day's serial number, and a time of day as its fraction: at midnight
    it is the date (2026-09-30), at any other time the date and the time (2026-09-30T14:30:00), which the
    period rules say is not a date alone. A time with no day, or a serial out of range, is left as the
    number it is (and the period rules say it is not a date)."""
    if raw.isascii():
        try:
            value = from_excel(float(raw), epoch)
        except (ValueError, OverflowError):
            value = None
        if isinstance(value, dt.datetime):
            # A serial's fraction carries float noise: a time within half a second of midnight is midnight.
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
            if value.time() == dt.time(0):
                return value.date().isoformat()
            return value.isoformat(timespec="seconds")
    return number_text(raw)


def _column(ref: str) -> int:
    match = _CELL_REF.fullmatch(ref)
    if match is None:
        raise Unreadable(f"cell reference {ref[:20]!r}")
    n = 0
    for ch in match[1].upper():
        n = n * 26 + ord(ch) - 64
    return n


def _int(text: str | None, default: int | None = 0) -> int | None:
    if text is None:
        return default
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else default
