"""Screen households in chunks, on every core: one chunk in, its output rows out.

The pool is forked after the rules are compiled (create_app), so each process
inherits the compiled engine and the prepared texts (app/batch/texts.py) and
needs neither Flask nor pickled rules; only households and finished rows cross
between processes. At most a few chunks are in flight, so memory stays flat
however long the file is.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from markupsafe import escape

from app.batch.read import let_others_run
from app.batch.texts import BenefitTexts, Texts
from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE, UNKNOWN, UNMET, BenefitResult, Checker
from app.present import amount
from app.validation import CheckRequest

CHUNK = 40  # households per task: large enough to amortise the hand-over, small for progress
_REFERRED = (ELIGIBLE, MAYBE)
_WHO = "\x00who\x00"  # where a referral row's members go
_WORDED_MAX = 50_000  # distinct reasons kept per process; past that, worded each time


@dataclass
class ChunkResult:
    households: int
    members: int
    rows: int
    csv_text: str = ""
    table: list[tuple] = field(default_factory=list)
    # (kind, key, status, "households"|"members") for kind "benefit", "office" and "level"
    counts: Counter = field(default_factory=Counter)
    referrals: str = ""


class Screener:
    """Everything a screening process needs, prepared in the parent before the fork."""

    def __init__(self, checker: Checker, texts: Texts, fmt: str):
        self.checker, self.texts, self.fmt = checker, texts, fmt
        t = texts
        self._cells = {(bid, status): _referral_cells(b, t.status[status], t.labels["and"])
                       for bid, b in t.benefits.items() for status in _REFERRED}
        self._office_heads = {b.lead_office: _office_head(b.lead_office, t.labels)
                              for b in texts.benefits.values()}
        # a result's reasons depend only on its benefit, status and condition outcomes, and
        # most households share them: worded once per distinct (benefit, status, outcomes)
        self._worded: dict[tuple, tuple[str, str, str, str, str]] = {}
        self._tails = {bid: (b.lead_office, b.apply_first_at, b.clause)
                       for bid, b in t.benefits.items()}

    def _head(self, r: BenefitResult) -> tuple[str, str, str, str, str]:
        """A result row's benefit, status, title, status text and reasons."""
        key = (r.benefit.id, r.status, tuple([o for _, o in r.conditions]))
        head = self._worded.get(key)
        if head is None:
            b = self.texts.benefits[r.benefit.id]
            reasons = self._word(r) if r.status in (NOT_ELIGIBLE, MAYBE) else ""
            head = (r.benefit.id, r.status, b.title, self.texts.status[r.status], reasons)
            if len(self._worded) < _WORDED_MAX:
                self._worded[key] = head
        return head

    def _word(self, r: BenefitResult) -> str:
        t = self.texts
        if r.status == NOT_ELIGIBLE:
            unmet = [t.conditions[c.id] for c, o in r.conditions if o.status == UNMET]
            return t.labels["unmet"] % {"conditions": t.labels["and"].join(unmet)}
        if r.status != MAYBE:
            return ""
        parts = []
        for c, o in r.conditions:
            if o.status != UNKNOWN:
                continue
            if o.missing:
                names = t.labels["and"].join(dict.fromkeys(t.facts.get(p, p) for p in o.missing))
                parts.append(t.labels["needs"] % {"condition": t.conditions[c.id], "facts": names})
            else:
                parts.append(t.conditions[c.id])
        text = t.labels["unknown"] % {"conditions": t.labels["and"].join(parts)} if parts else ""
        if r.benefit.uncertainty is not None:
            text = t.labels["and"].join(filter(None, [text, t.labels["open_rule"]]))
        return text

    def _amount(self, r: BenefitResult, request: CheckRequest) -> tuple[str, str, str]:
        if not r.amount_tiers or r.status == NOT_ELIGIBLE:
            return "", "", ""
        found = amount(self.checker.book, r, request.as_of, self.texts.lang)
        if not found or not found.get("text"):
            return self.texts.labels["to_confirm"], "", ""
        grade = self.texts.confidence.get(found.get("confidence") or "", "")
        return found["text"], found.get("effective_from") or "", grade

    def household(self, hid: str, request: CheckRequest, out: ChunkResult) -> None:
        t = self.texts
        results = self.checker.run(request)
        referred: dict[tuple[str, str], list[str]] = {}
        groups: dict[tuple[str, str, str], set[str]] = {}  # (kind, key, status) → members
        for r in results:
            out.table.append((hid, r.member or "", *self._head(r), *self._amount(r, request),
                              *self._tails[r.benefit.id]))
            if r.status not in _REFERRED:
                continue
            b = t.benefits[r.benefit.id]
            referred.setdefault((r.benefit.id, r.status), []).append(
                r.member or t.labels["whole_household"])
            for kind, key in (("benefit", r.benefit.id), ("office", b.lead_office),
                              ("level", r.benefit.level)):
                who = groups.setdefault((kind, key, r.status), set())
                if r.member is not None:
                    who.add(r.member)
        for key, who in groups.items():
            out.counts[(*key, "households")] += 1
            out.counts[(*key, "members")] += len(who)
        out.referrals += self._referral(hid, request, referred)
        out.households += 1
        out.members += len(request.members)

    def _referral(self, hid: str, request: CheckRequest,
                  referred: dict[tuple[str, str], list[str]]) -> str:
        """One household's referral sheet (a printed page): per office, who goes for what."""
        t = self.texts
        by_office: dict[str, list[str]] = {}
        for (bid, status), who in referred.items():
            by_office.setdefault(t.benefits[bid].lead_office, []).append(
                self._cells[(bid, status)].replace(_WHO, escape(", ".join(who))))
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
        for hid, request in households:
            self.household(hid, request, out)
        out.rows = len(out.table)
        if self.fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows(out.table)
            out.csv_text, out.table = buffer.getvalue(), []
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
