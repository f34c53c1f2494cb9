"""Read a batch spreadsheet (CSV or XLSX) as numbered rows of cells, streaming.

A file can be read twice (`Sheet.rows()` starts again each time): the first
pass checks the whole file before anything is written, the second screens it.
Nothing read here is logged; problems are raised as FileRefused with a code
that app/batch/messages.py words for the worker.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import time
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.batch.columns import REQUIRED, Column, Layout, normal

# openpyxl warns on the server's output about what it meets in a workbook, quoting part
# names, sheet titles, defined names: nothing from a file may reach the output or a log
warnings.filterwarnings("ignore", module=r"openpyxl(\.|$)")

# rows read (empty ones too) between two chances for other work to run (let_others_run)
YIELD_EVERY = 500


def let_others_run() -> None:
    """A long file must not starve the server: under gunicorn's gevent worker (make run)
    a request that never yields stops the worker's heartbeat, and gunicorn kills the
    worker as hung after `timeout`. time.sleep is gevent's there, so sleep(0) lets the hub
    run (the heartbeat, other requests); elsewhere it only yields the CPU."""
    time.sleep(0)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 30_000  # rows of members, headers not counted
# rows read in all, empty ones included: a sheet of empty rows costs as much to read
MAX_RECORDS = 100_000
# an XLSX file's parts once unpacked (a sheet of 30,000 full rows written by openpyxl is
# about 45 MB): a small file of repeated XML would otherwise take minutes to read
MAX_UNPACKED = 100 * 1024 * 1024
MAX_COLUMNS = 100
MAX_CELL = 200  # characters in one cell
_CHUNK = 64 * 1024
FORMATS = ("csv", "xlsx")


class FileRefused(Exception):
    """The file as a whole cannot be screened; nothing is written."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


Cell = str | int | float | bool | dt.date | dt.datetime | None


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FileRefused("unknown_format", suffix=suffix or "-")
    return suffix


# --- CSV --------------------------------------------------------------------------------

def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 (Excel and WPS on a Chinese system)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused("utf16")
    if head.startswith(b"PK\x03\x04"):
        raise FileRefused("xlsx_as_csv")
    if b"\x00" in head:
        raise FileRefused("not_a_spreadsheet")
    try:
        # the chunk may end inside a character: decode incrementally, without the final flag
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRefused("encoding") from None


def _csv_rows(open_binary) -> Iterator[list[Cell]]:
    with open_binary() as stream:
        head = stream.read(_CHUNK)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused("empty")
    encoding = _encoding(head)
    first = head.split(b"\n", 1)[0]
    delimiter = "\t" if b"\t" in first and b"," not in first else ","
    with open_binary() as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            yield from csv.reader(text, delimiter=delimiter)
        except UnicodeDecodeError:
            raise FileRefused("encoding") from None
        except csv.Error:  # a NUL byte, or a cell longer than the csv module reads
            raise FileRefused("not_a_spreadsheet") from None


# --- XLSX -------------------------------------------------------------------------------

def _xlsx_rows(open_binary) -> Iterator[list[Cell]]:
    import openpyxl  # only when an XLSX file comes

    with open_binary() as stream:
        head = stream.read(8)
        if not head:
            raise FileRefused("empty")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRefused("old_xls")
        if not head.startswith(b"PK"):
            raise FileRefused("not_a_spreadsheet")
        stream.seek(0)
        try:
            # the sizes the archive declares bound what zipfile unpacks (it stops there)
            with zipfile.ZipFile(stream) as archive:
                unpacked = sum(part.file_size for part in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise FileRefused("not_a_spreadsheet") from None
        if unpacked > MAX_UNPACKED:
            raise FileRefused("unpacked_too_large", size=MAX_UNPACKED // (1024 * 1024))
        stream.seek(0)
        # openpyxl raises what its parser or its object model meets in a broken part (XML
        # not well-formed, an entity that expands too far, a missing attribute, ...): any
        # of it means the file cannot be read, never a server error
        try:
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:
            raise FileRefused("not_a_spreadsheet") from None
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        except Exception:
            raise FileRefused("not_a_spreadsheet") from None
        finally:
            book.close()


# --- the sheet --------------------------------------------------------------------------

def _numbered(records: Iterator[list[Cell]]) -> Iterator[tuple[int, list[Cell]]]:
    """Records numbered from 1. Every YIELD_EVERY records, empty ones included, other work
    gets to run; past MAX_RECORDS the file is refused."""
    for number, record in enumerate(records, start=1):
        if number % YIELD_EVERY == 0:
            let_others_run()
        if number > MAX_RECORDS:
            raise FileRefused("too_many_records", limit=MAX_RECORDS)
        yield number, record


def _blank(row: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


@dataclass
class Sheet:
    """An opened, header-checked spreadsheet. rows() yields (row number, {column: cell})."""

    open_binary: object
    fmt: str
    columns: list[Column | None]
    header_end: int  # the number of the last header row (a second one may follow the first)

    def _records(self) -> Iterator[list[Cell]]:
        reader = _xlsx_rows if self.fmt == "xlsx" else _csv_rows
        return reader(self.open_binary)

    def rows(self, only: str | None = None) -> Iterator[tuple[int, dict[str, Cell]]]:
        """Every row, checked against the limits; with `only`, its cell in that column
        alone (a first pass needs the household codes and nothing else)."""
        width = len(self.columns)
        at = next((i for i, c in enumerate(self.columns) if c and c.name == only), None)
        count = 0
        for number, record in _numbered(self._records()):
            if number <= self.header_end or _blank(record):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileRefused("too_many_rows", limit=MAX_ROWS)
            if len(record) > width and not _blank(record[width:]):
                raise FileRefused("cells_outside_columns", row=number)
            if only is not None:
                yield number, {only: record[at] if at is not None and at < len(record) else None}
                continue
            yield number, {c.name: v for c, v in zip(self.columns, record, strict=False)
                           if c is not None}


def _header(record: list[Cell], layout: Layout) -> tuple[list[Column | None], list[str]]:
    cells = [("" if c is None else str(c)).strip() for c in record]
    while cells and not cells[-1]:
        cells.pop()
    columns: list[Column | None] = []
    unknown: list[str] = []
    for text in cells:
        column = layout.by_header.get(normal(text))
        if column is None:
            unknown.append(text)
        columns.append(column)
    return columns, unknown


def open_sheet(open_binary, fmt: str, layout: Layout) -> Sheet:
    """Check the header row(s); raise FileRefused for a file that cannot be screened."""
    records = _numbered(_xlsx_rows(open_binary) if fmt == "xlsx" else _csv_rows(open_binary))
    header_end, first = next(((n, r) for n, r in records if not _blank(r)), (0, None))
    if first is None:
        raise FileRefused("empty")
    if len(first) > MAX_COLUMNS:
        raise FileRefused("too_many_columns", limit=MAX_COLUMNS)
    columns, unknown = _header(first, layout)
    if unknown:
        if any(not u for u in unknown):
            raise FileRefused("blank_header")
        raise FileRefused("unknown_columns", columns=unknown)
    names = [c.name for c in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise FileRefused("repeated_columns", columns=repeated)
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise FileRefused("missing_columns", columns=missing)
    second_header = False
    for number, record in records:
        if _blank(record):
            continue
        again, unknown = _header(record, layout)
        if not second_header and not unknown and again == columns:
            second_header = True  # the template's second header row: the other language
            header_end = number
            continue
        # rows keep the numbers the spreadsheet shows, the first row being 1
        return Sheet(open_binary, fmt, columns, header_end)
    raise FileRefused("only_headers")


def opener(source: bytes | Path):
    """A callable that opens the source as a binary stream (again, each time it is called)."""
    if isinstance(source, bytes | bytearray):
        return lambda: io.BytesIO(source)
    path = Path(source)
    return lambda: path.open("rb")
