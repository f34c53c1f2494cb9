"""One batch run: check the file, screen it, write the four outputs.

read (app/batch/read.py) → group and validate (households.py) → screen on every
core (screen.py) → write here: the results table, the summary per office and
level, the referral sheets (HTML) and the problems (bad rows). Needs an app
context only to prepare the words (columns.py, texts.py); no request context,
so the CLI and the upload page share it. Outputs go to whatever binary streams
the caller gives: files for the CLI, memory for the upload page.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale

from app.batch import messages
from app.batch.columns import HOUSEHOLD_ID, Layout, build_layout
from app.batch.households import RowProblem, households, survey
from app.batch.read import open_sheet
from app.batch.screen import ChunkResult, Screener, as_text, chunked, run
from app.batch.texts import Texts, build_texts
from app.checker import ELIGIBLE, MAYBE, Checker

XLSX_MAX_ROWS = 1_048_576  # a sheet's limit: the results continue on another sheet
OUTPUTS = ("results", "summary", "referrals", "problems")


@dataclass
class Outcome:
    rows: int = 0
    households: int = 0
    members: int = 0
    result_rows: int = 0
    left_out: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    seconds: float = 0.0


def layout_for(app) -> Layout:
    if "batch_layout" not in app.extensions:
        app.extensions["batch_layout"] = build_layout(app.extensions["checker"].book)
    return app.extensions["batch_layout"]


def texts_for(app, lang: str) -> Texts:
    cache = app.extensions.setdefault("batch_texts", {})
    if lang not in cache:
        cache[lang] = build_texts(app.extensions["checker"].book, lang)
    return cache[lang]


class Table:
    """Rows to a CSV (UTF-8 with BOM, which Excel opens correctly) or an XLSX stream."""

    def __init__(self, stream: BinaryIO, fmt: str, title: str):
        self.stream, self.fmt, self.title = stream, fmt, title
        if fmt == "csv":
            stream.write(codecs.BOM_UTF8)
            self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
            self.writer = csv.writer(self.text, lineterminator="\r\n")
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet, self.sheet_rows, self.sheets = self.book.create_sheet(title), 0, 1
            self.header: list[str] = []

    def row(self, values) -> None:
        if self.fmt == "csv":
            self.writer.writerow([as_text(v) if type(v) is str else v for v in values])
            return
        if not self.header:
            self.header = list(values)
        if self.sheet_rows >= XLSX_MAX_ROWS:
            self.sheets += 1
            self.sheet = self.book.create_sheet(f"{self.title} {self.sheets}")
            self.sheet.append(self.header)
            self.sheet_rows = 1
        self.sheet.append([self._text(v) if isinstance(v, str) and v.startswith("=") else v
                           for v in values])
        self.sheet_rows += 1

    def _text(self, value: str):
        """A code that starts with "=" stays text: openpyxl would write it as a formula."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value)
        cell.data_type = "s"
        return cell

    def csv_block(self, data: bytes) -> None:
        """Rows already written as CSV in UTF-8 (by a screening process)."""
        self.text.flush()
        self.stream.write(data)

    def close(self) -> None:
        if self.fmt == "csv":
            self.text.flush()
            self.text.detach()
        else:
            self.book.save(self.stream)


def _summary(table: Table, counts: Counter, texts: Texts, checker: Checker) -> None:
    t = texts
    by = {"office": t.labels.get("by_office"), "level": t.labels.get("by_level"),
          "benefit": t.labels.get("by_benefit")}
    table.row(t.summary_headers)
    levels = {b.level: t.benefits[b.id].apply_first_at for b in checker.book.benefits.values()}
    keys = sorted({k[:3] for k in counts},
                  key=lambda k: (("office", "level", "benefit").index(k[0]), k[1],
                                 (ELIGIBLE, MAYBE).index(k[2])))
    for kind, key, status in keys:
        households, members = counts[(kind, key, status, "households")], counts[
            (kind, key, status, "members")]
        if kind == "benefit":
            b = t.benefits[key]
            row = (kind, key, status, households, members, by[kind], b.lead_office,
                   b.apply_first_at, b.title, t.status[status])
        elif kind == "office":
            row = (kind, "", status, households, members, by[kind], key, "", "", t.status[status])
        else:
            row = (kind, "", status, households, members, by[kind], "", levels.get(key, key), "",
                   t.status[status])
        table.row(row)


def screen_file(source, in_fmt: str, fmt: str, lang: str,
                open_outputs: Callable[[], dict[str, BinaryIO]], *, workers: int = 1,
                progress: Callable[[int], AbstractContextManager] | None = None,
                today: dt.date | None = None) -> Outcome:
    """Screen the spreadsheet `source` (bytes or a path, format in_fmt) into the four binary
    streams that open_outputs() gives (results, summary and problems in format fmt).

    Raises read.FileRefused, before open_outputs is called, for a file that cannot be
    screened at all. progress(total households), if given, is a context manager whose value
    has update(n). Call inside an app context; no request context is needed."""
    from app.batch.read import opener
    from app.service import beijing_today

    started = time.perf_counter()
    app = current_app._get_current_object()
    checker: Checker = app.extensions["checker"]
    layout, texts = layout_for(app), texts_for(app, lang)
    sheet = open_sheet(opener(source), in_fmt, layout)
    # the whole file is read once before anything is written
    found = survey(sheet.rows(only=HOUSEHOLD_ID))
    outcome = Outcome(rows=found.rows)
    subdistricts = checker.book.subdistrict_names()
    today = today or beijing_today()
    streams = open_outputs()
    with force_locale(lang), (progress(found.households) if progress else nullcontext()) as bar:
        _screen(sheet, found, layout, texts, checker, subdistricts, today, fmt, streams,
                workers, bar, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _screen(sheet, found, layout, texts, checker, subdistricts, today, fmt, streams, workers,
            bar, outcome) -> None:
    lang = texts.lang

    results = Table(streams["results"], fmt, "results")
    results.row(texts.result_headers)
    referrals = streams["referrals"]
    # the app's templates, without the pages' context processors: no request is needed
    frame = current_app.jinja_env.get_template("batch/referrals.html")
    head, tail = frame.render(t=texts.labels, html_lang="zh-Hans" if lang == "zh" else "en",
                              body="\x00").split("\x00")
    referrals.write(head.encode("utf-8"))

    def keep(household) -> bool:
        if household.request is None:
            outcome.left_out.append(household.id)
            outcome.problems.extend(household.problems)
            if bar is not None:
                bar.update(1)
            return False
        return True

    pairs = ((h.id, h.request) for h in households(sheet.rows(), layout, subdistricts, today,
                                                      found.split) if keep(h))
    counts: Counter = Counter()
    screener = Screener(checker, texts, fmt)
    part: ChunkResult
    for part in run(screener, chunked(pairs), workers):
        if fmt == "csv":
            results.csv_block(part.csv_bytes)
        else:
            for values in part.table:
                results.row(values)
        referrals.write(part.referrals)
        counts.update(part.counts)
        outcome.households += part.households
        outcome.members += part.members
        outcome.result_rows += part.rows
        if bar is not None:
            bar.update(part.households)
    results.close()
    referrals.write(tail.encode("utf-8"))

    summary = Table(streams["summary"], fmt, "summary")
    _summary(summary, counts, texts, checker)
    summary.close()
    problems = Table(streams["problems"], fmt, "problems")
    problems.row(texts.problem_headers)
    for p in outcome.problems:
        column = next((c for c in layout.columns if c.name == p.column), None)
        problems.row((p.household, p.row, p.column, layout.header(column, lang) if column else "",
                      messages.row_problem(p)))
    problems.close()


def screen_to_zip(data: bytes, in_fmt: str, out_fmt: str, lang: str,
                  workers: int = 1) -> tuple[bytes, Outcome]:
    """Screen an uploaded file in memory; the four outputs come back as one ZIP archive."""
    streams = {name: io.BytesIO() for name in OUTPUTS}
    outcome = screen_file(data, in_fmt, out_fmt, lang, lambda: streams, workers=workers)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name, stream in streams.items():
            z.writestr(output_name(name, out_fmt), stream.getvalue())
    return archive.getvalue(), outcome


def output_name(name: str, fmt: str) -> str:
    return f"{name}.html" if name == "referrals" else f"{name}.{fmt}"
