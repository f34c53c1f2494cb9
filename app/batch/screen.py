"""Screen households in chunks, on every core: one chunk in, its output rows out.

The pool is forked after the rules are compiled (create_app), so each process
inherits the compiled engine and the prepared texts (app/batch/texts.py) and
needs neither Flask nor pickled rules; only households and finished rows cross
between processes. At most a few chunks are in flight, so memory stays flat
however long the file is.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import escape

from app.batch.read import let_others_run
from app.batch.texts import BenefitTexts, Texts
from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE, UNKNOWN, UNMET, Checker, Verdict
from app.present import DateKeys, amount
from app.validation import CheckRequest

CHUNK = 40  # households per task: large enough to amortise the hand-over, small for progress
_REFERRED = (ELIGIBLE, MAYBE)
_WHO = "\x00who\x00"  # where a referral row's members go
_ROWS_MAX = 50_000  # distinct rows kept per process; past that, worded each time


@dataclass
class ChunkResult:
    households: int
    members: int
    rows: int
    csv_bytes: bytes = b""  # the result rows as CSV, UTF-8 (encoded here, not in the parent)
    table: list[tuple] = field(default_factory=list)
    # (kind, key, status, "households"|"members") for kind "benefit", "office" and "level"
    counts: Counter = field(default_factory=Counter)
    referrals: bytes = b""  # the referral sheets' HTML, UTF-8


class _Row(NamedTuple):
    """What a result row says after its household and member, for one verdict and date."""

    cells: tuple  # benefit, status, title, status text, reasons, amount, its date and
    #               grade, lead office, where to go first, plan clause
    csv: bytes  # the same cells as CSV in UTF-8, starting with the delimiter, ending the line
    referred: tuple[str, str] | None  # (benefit, status) when the result is referred
    groups: tuple[tuple[str, str, str], ...]  # (kind, key, status) it counts under


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    """A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab
    or a carriage return) with an apostrophe before it, so that Excel and WPS show it as
    text ("CSV injection", OWASP). For what a file brings into a CSV output: household and
    member codes, cells quoted in problems. XLSX cells are written as text instead."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_field(value: str) -> str:
    """One field as csv.writer writes it (the excel dialect, minimal quoting)."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class Screener:
    """Everything a screening process needs, prepared in the parent before the fork.

    A result row after its household and member depends only on the result's verdict
    (app/checker.py) and how the dated figures read on the check's date (present.DateKeys),
    and most households share verdicts: each row is worded once per distinct verdict and
    reading, kept without its household and member."""

    def __init__(self, checker: Checker, texts: Texts, fmt: str):
        self.checker, self.texts, self.fmt = checker, texts, fmt
        t = texts
        # a referral row before and after its members
        self._cells = {(bid, status): tuple(_referral_cells(b, t.status[status],
                                                            t.labels["and"]).split(_WHO))
                       for bid, b in t.benefits.items() for status in _REFERRED}
        self._office_heads = {b.lead_office: _office_head(b.lead_office, t.labels)
                              for b in texts.benefits.values()}
        # rows by verdict (by id: an entry holds its verdict, so the id is not reused while
        # kept), for the verdicts whose row does not depend on the date (no amount), and
        # per date key for the others
        self._undated: dict[int, tuple[Verdict, _Row]] = {}
        self._dated: dict[int, dict[int, tuple[Verdict, _Row]]] = {}
        self._kept = 0
        self._date_key = DateKeys(checker.book)

    def _keep(self, v: Verdict, as_of: dt.date, dated: dict[int, tuple[Verdict, _Row]]
              ) -> tuple[Verdict, _Row]:
        kept = (v, self._row(v, as_of))
        if self._kept < _ROWS_MAX:
            (dated if v.amount_tiers and v.status != NOT_ELIGIBLE else self._undated)[
                id(v)] = kept
            self._kept += 1
        return kept

    def _row(self, v: Verdict, as_of: dt.date) -> _Row:
        b = self.texts.benefits[v.benefit.id]
        reasons = self._word(v) if v.status in (NOT_ELIGIBLE, MAYBE) else ""
        cells = (v.benefit.id, v.status, b.title, self.texts.status[v.status], reasons,
                 *self._amount(v, as_of), b.lead_office, b.apply_first_at, b.clause)
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(("", *cells))
        referred = (v.benefit.id, v.status) if v.status in _REFERRED else None
        groups = (("benefit", v.benefit.id, v.status), ("office", b.lead_office, v.status),
                  ("level", v.benefit.level, v.status)) if referred else ()
        return _Row(cells, text.getvalue().encode("utf-8"), referred, groups)

    def _word(self, v: Verdict) -> str:
        t = self.texts
        if v.status == NOT_ELIGIBLE:
            unmet = [t.conditions[c.id] for c, o in v.conditions if o.status == UNMET]
            return t.labels["unmet"] % {"conditions": t.labels["and"].join(unmet)}
        parts = []
        for c, o in v.conditions:
            if o.status != UNKNOWN:
                continue
            if o.missing:
                names = t.labels["and"].join(dict.fromkeys(t.facts.get(p, p) for p in o.missing))
                parts.append(t.labels["needs"] % {"condition": t.conditions[c.id], "facts": names})
            else:
                parts.append(t.conditions[c.id])
        text = t.labels["unknown"] % {"conditions": t.labels["and"].join(parts)} if parts else ""
        if v.benefit.uncertainty is not None:
            text = t.labels["and"].join(filter(None, [text, t.labels["open_rule"]]))
        return text

    def _amount(self, v: Verdict, as_of: dt.date) -> tuple[str, str, str]:
        if not v.amount_tiers or v.status == NOT_ELIGIBLE:
            return "", "", ""
        found = amount(self.checker.book, v, as_of, self.texts.lang)
        if not found or not found.get("text"):
            return self.texts.labels["to_confirm"], "", ""
        grade = self.texts.confidence.get(found.get("confidence") or "", "")
        return found["text"], found.get("effective_from") or "", grade

    def household(self, hid: str, request: CheckRequest, out: ChunkResult,
                  lines: list[bytes], referrals: list[str]) -> None:
        as_of = request.as_of
        date_key = self._date_key(as_of)
        results = self.checker.run(request)
        undated, csv_rows = self._undated, self.fmt == "csv"
        dated = self._dated.get(date_key)
        if dated is None:
            dated = self._dated[date_key] = {}
        heads: dict[str | None, bytes] = {}  # CSV: the household and member fields
        # (benefit, status) → its row and the members referred for it (None: the household)
        referred: dict[tuple[str, str], tuple[_Row, list[str | None]]] = {}
        for v, member in results:  # a result is (verdict, member)
            kept = undated.get(id(v))
            if kept is None or kept[0] is not v:
                kept = dated.get(id(v))
                if kept is None or kept[0] is not v:
                    kept = self._keep(v, as_of, dated)
            row = kept[1]
            if csv_rows:
                head = heads.get(member)
                if head is None:
                    head = heads[member] = (csv_field(as_text(hid)) + "," +
                                            csv_field(as_text(member or ""))).encode("utf-8")
                lines.append(head)
                lines.append(row.csv)
            else:
                out.table.append((hid, member or "", *row.cells))
            if row.referred is not None:
                found = referred.get(row.referred)
                if found is None:
                    referred[row.referred] = (row, [member])
                else:
                    found[1].append(member)
        # per (kind, key, status) this household counts under, its members referred
        groups: dict[tuple[str, str, str], set[str]] = {}
        for row, who in referred.values():
            named = [m for m in who if m is not None]
            for key in row.groups:
                members = groups.get(key)
                if members is None:
                    groups[key] = set(named)
                elif named:
                    members.update(named)
        for key, members in groups.items():
            out.counts[(*key, "households")] += 1
            out.counts[(*key, "members")] += len(members)
        referrals.append(self._referral(hid, request, referred))
        out.households += 1
        out.members += len(request.members)
        out.rows += len(results)

    def _referral(self, hid: str, request: CheckRequest,
                  referred: dict[tuple[str, str], tuple[_Row, list[str | None]]]) -> str:
        """One household's referral sheet (a printed page): per office, who goes for what."""
        t = self.texts
        by_office: dict[str, list[str]] = {}
        escaped: dict[str, str] = {}
        everyone = t.labels["whole_household"]
        for (bid, status), (_, who) in referred.items():
            names = []
            for name in who:
                if name not in escaped:
                    escaped[name] = str(escape(name or everyone))
                names.append(escaped[name])
            by_office.setdefault(t.benefits[bid].lead_office, []).append(
                ", ".join(names).join(self._cells[(bid, status)]))
        anchor = "h-" + hid.encode("utf-8").hex()
        meta = t.labels["screened_on"] % {"date": request.as_of.isoformat(),
                                          "version": t.rules_version}
        parts = [f'<section class="household" aria-labelledby="{anchor}">'
                 f'<h2 id="{anchor}">{escape(t.labels["household"] % {"id": hid})}</h2>'
                 f'<p class="meta">{escape(meta)}</p>']
        for office, rows in by_office.items():
            parts += [self._office_heads[office], *rows, "</tbody></table>"]
        if not by_office:
            parts.append(f"<p>{escape(t.labels['nothing'])}</p>")
        parts.append("</section>\n")
        return "".join(parts)

    def chunk(self, households: list[tuple[str, CheckRequest]]) -> ChunkResult:
        out = ChunkResult(0, 0, 0)
        lines: list[bytes] = []
        referrals: list[str] = []
        for hid, request in households:
            self.household(hid, request, out, lines, referrals)
        out.csv_bytes = b"".join(lines)
        out.referrals = "".join(referrals).encode("utf-8")
        return out


def _referral_cells(b: BenefitTexts, status: str, joiner: str) -> str:
    """A table row of the referral sheet, with a {who} slot for the members."""
    cells = (escape(b.title), _WHO, escape(status), escape(b.apply_first_at),
             escape(joiner.join(b.documents)))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _office_head(office: str, labels: dict[str, str]) -> str:
    heads = "".join(f'<th scope="col">{escape(labels[k])}</th>'
                    for k in ("benefit", "members", "status", "go_first", "documents"))
    return (f"<h3>{escape(labels['office'])}: {escape(office)}</h3>"
            f"<table><thead><tr>{heads}</tr></thead><tbody>")


_screener: Screener | None = None  # set in the parent just before the fork


def _work(households: list[tuple[str, CheckRequest]]) -> ChunkResult:
    return _screener.chunk(households)


def run(screener: Screener, chunks: Iterable[list[tuple[str, CheckRequest]]],
        workers: int) -> Iterator[ChunkResult]:
    """Screen the chunks in order. workers > 1 forks a pool that inherits the screener."""
    global _screener
    if workers <= 1:
        for chunk in chunks:
            yield screener.chunk(chunk)
            let_others_run()
        return
    _screener = screener
    # what the pool inherits is not garbage: the collector leaves it alone (fewer pauses,
    # and pages shared with the parent stay shared)
    gc.freeze()
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(workers) as pool:
            pending: deque = deque()
            for chunk in chunks:
                pending.append(pool.apply_async(_work, (chunk,)))
                if len(pending) >= workers * 3:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _screener = None
        gc.unfreeze()


def chunked(items: Iterable, size: int = CHUNK,
            on_item: Callable[[object], bool] | None = None) -> Iterator[list]:
    batch: list = []
    for item in items:
        if on_item is not None and not on_item(item):
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
