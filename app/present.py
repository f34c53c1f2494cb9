"""Word a check's outcome in one language, in the shape of shared/contract.md.

The API returns these dicts as they are; the pages and the CLI use the same.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Any

from app.checker import ELIGIBLE, MAYBE, UNMET, BenefitResult, Outcome, Verdict
from app.rulebook.model import Benefit, Condition, Parameter, Rulebook, Source, Uncertainty

if TYPE_CHECKING:
    from app.prepared import PreparedTexts


def source_dict(s: Source) -> dict[str, Any]:
    return {"title": s.title, "url": s.url, "date": s.date, "confidence": s.confidence,
            "issuer": s.issuer, "number": s.number}


def uncertainty_dict(u: Uncertainty | None, lang: str) -> dict[str, Any] | None:
    """Why a criterion or a rule is left open, and the source that leaves it so."""
    if u is None:
        return None
    return {"text": u.text.get(lang), "source": source_dict(u.source)}


def office_name(book: Rulebook, key: str | None, lang: str) -> str | None:
    if key is None:
        return None
    office = book.offices.get(key)
    if office is None:
        return key
    return (office.current or office.name).get(lang) if office.verified else office.name.get(lang)


def office_detail(book: Rulebook, key: str, lang: str) -> dict[str, Any]:
    office = book.offices[key]
    return {
        "annex_name": key,
        "name": office.name.get(lang),
        "current_name": office.current.get(lang) if office.current else None,
        "rename_verified": office.verified,
        "source": source_dict(office.source) if office.source else None,
    }


def _successor(book: Rulebook, key: str) -> str:
    """The office that does this work today, verified or believed: offices merged in the
    2019 reorganisation (区文化委 and 区旅游委; 区法制办 into 区司法局) are one office."""
    office = book.offices.get(key)
    return (office.current or office.name).zh if office else key


def benefit_offices(book: Rulebook, b: Benefit) -> tuple[str | None, list[str]]:
    """Lead office of the first annex task; partners of all its tasks, in annex order,
    each office once (an office merged into the lead or into another partner is left out)."""
    if not b.annex_tasks:
        return b.contact_office, []
    lead = book.annex[b.annex_tasks[0]].lead_office
    listed = [office for task in b.annex_tasks
              for office in (book.annex[task].lead_office, *book.annex[task].partner_offices)
              if office]
    seen = {_successor(book, lead)} if lead else set()
    partners: list[str] = []
    for office in listed:
        successor = _successor(book, office)
        if successor != office and successor in listed:
            continue  # a defunct office whose successor is listed too: name that one
        if successor not in seen:
            seen.add(successor)
            partners.append(office)
    return lead, partners


def partners_open(book: Rulebook, b: Benefit) -> bool:
    """The annex ends a partner list with "等" (and others)."""
    return any(book.annex[task].partners_open for task in b.annex_tasks)


def shown_value(value: float) -> int | float:
    """1450.0 is shown as 1450; a figure with a fraction keeps it."""
    return int(value) if value.is_integer() else value


def figure_text(p: Parameter, value: float, lang: str) -> str:
    """"每月300元"; a line incomes are compared with says what it is ("…标准：每人每月1450元"),
    so that nobody takes it for money paid."""
    text = p.text.get(lang).format(value=shown_value(value))
    if p.kind == "income_line":
        return f"{p.title.get(lang)}{'：' if lang == 'zh' else ': '}{text}"
    return text


def parameter_amount(p: Parameter, as_of: dt.date, lang: str) -> dict[str, Any]:
    in_force = p.in_force(as_of)
    trusted = None if p.trusted_until == dt.date.max else p.trusted_until.isoformat()
    if in_force is None:
        return {"parameter": p.id, "kind": p.kind, "value": None, "unit": p.unit, "text": None,
                "effective_from": None, "source": None, "confidence": None, "to_confirm": True,
                "trusted_until": trusted, "stale": False}
    _, v = in_force
    return {
        "parameter": p.id,
        # "payment": money paid; "income_line": the standard incomes are compared with
        "kind": p.kind,
        "value": shown_value(v.value),
        "unit": p.unit,
        "text": figure_text(p, v.value, lang),
        "effective_from": v.start.isoformat(),
        "source": v.source.title,
        "source_url": v.source.url,
        "confidence": v.source.confidence,
        # only an official text (grade A) is shown without "confirm with the office"
        "to_confirm": v.source.confidence != "A" or p.stale_on(as_of),
        # the figure is known to hold until then; after it, it may have changed
        "trusted_until": trusted,
        "stale": p.stale_on(as_of),
    }


class DateKeys:
    """A number per check date that is the same for two dates exactly when every dated
    figure (which period, past its trust horizon or not) and every measure's start read
    the same on both: what is worded from a verdict on one date holds on the other."""

    MAX_DATES = 4096  # dates remembered

    def __init__(self, book: Rulebook):
        self._parameters = tuple(book.parameters.values())
        self._starts = tuple(b.in_force.start for b in book.benefits.values() if b.in_force)
        self._dates: dict[dt.date, int] = {}
        self._keys: dict[tuple, int] = {}
        self._lock = threading.Lock()

    def __call__(self, as_of: dt.date) -> int:
        found = self._dates.get(as_of)
        if found is None:
            key = (tuple((found[0] if (found := p.in_force(as_of)) else None, p.stale_on(as_of))
                         for p in self._parameters),
                   tuple(as_of < start for start in self._starts))
            with self._lock:
                found = self._keys.setdefault(key, len(self._keys))
                if len(self._dates) < self.MAX_DATES:
                    self._dates[as_of] = found
        return found


def amount(book: Rulebook, r: BenefitResult | Verdict, as_of: dt.date, lang: str,
           texts: PreparedTexts | None = None) -> dict[str, Any] | None:
    if not r.amount_tiers:
        return None
    texts = texts or prepared(book)

    def figure(pid: str) -> dict[str, Any]:
        return texts.amount(book.parameters[pid], as_of, lang)

    options = []
    for pid, status in r.amount_tiers:
        if status == ELIGIBLE and not options:
            return {**figure(pid), "determined": True}
        if status in (ELIGIBLE, MAYBE):
            options.append(figure(pid))
    if len(options) == 1:
        return {**options[0], "determined": r.status == ELIGIBLE}
    joiner = " 或 " if lang == "zh" else " or "
    words = [o["text"] for o in options if o["text"]]
    return {
        "parameter": None, "value": None, "unit": options[0]["unit"] if options else None,
        "kind": options[0]["kind"] if options else None,
        "stale": any(o["stale"] for o in options),
        "text": joiner.join(words) if words else None, "determined": False,
        "options": [dict(o) for o in options], "to_confirm": True,
        # the weakest grade among the options ("C" is weakest)
        "confidence": max((o["confidence"] for o in options if o["confidence"]), default=None),
    }


def condition_item(text: str, uncertain: dict[str, Any] | None, cid: str,
                   outcome: Outcome) -> dict[str, Any]:
    """One condition of a result: its text, status and what is missing or open."""
    item: dict[str, Any] = {"id": cid, "text": text, "status": outcome.status}
    if outcome.missing:
        # fact paths as in rules/README.md; a dated figure with none in force on as_of is
        # named "parameter:<id>"
        item["missing_facts"] = [p.replace("p__", "parameter:", 1) if p.startswith("p__")
                                 else p for p in outcome.missing]
    if outcome.uncertain and uncertain:
        item["uncertain"] = uncertain
    if outcome.stale:
        # a revision expected since the figure's date could decide it either way
        item["figure_may_have_changed"] = True
    return item


def result_dict(book: Rulebook, r: BenefitResult, as_of: dt.date, lang: str,
                texts: PreparedTexts | None = None) -> dict[str, Any]:
    """One result; the benefit's fixed texts come prepared (app/prepared.py)."""
    texts = texts or prepared(book)
    b = r.benefit
    conditions = [_with_figure(texts.condition_item(c.id, lang, outcome), c, book, as_of,
                               lang, texts) for c, outcome in r.conditions]
    fixed = texts.benefits[b.id, lang]
    out: dict[str, Any] = {"benefit": b.id, "member": r.member, "status": r.status,
                           **fixed.head, "conditions": conditions,
                           "amount": amount(book, r, as_of, lang, texts), **fixed.tail,
                           "in_force": in_force_dict(b, r, as_of)}
    # the lists are shared by every answer: each answer gets its own copy
    out["partner_offices"] = list(out["partner_offices"])
    out["annex_tasks"] = list(out["annex_tasks"])
    out["documents"] = list(out["documents"])
    if fixed.uncertain:
        out["uncertain"] = fixed.uncertain
    if r.already_received:
        # optional field: the household said it already gets this (dibao, tekun)
        out["already_receiving"] = True
    return out


def _with_figure(item: dict[str, Any], c: Condition, book: Rulebook, as_of: dt.date,
                 lang: str, texts: PreparedTexts) -> dict[str, Any]:
    """A condition that compares with a dated figure shows the figure and from when it is
    (the prepared item is shared: this one gets its own copy)."""
    if c.parameter is None:
        return item
    return {**item, "figure": texts.amount(book.parameters[c.parameter], as_of, lang)}


def in_force_dict(b: Benefit, r: BenefitResult | None, as_of: dt.date) -> dict[str, Any] | None:
    """The dates the measure is in force; with a result, whether the engine found it in
    force on the check's date ("not_yet", "ended" or "in_force"; "unknown" before a
    start the sources cannot vouch for)."""
    f = b.in_force
    if f is None:
        return None
    out: dict[str, Any] = {"from": f.start.isoformat(),
                           "until": f.end.isoformat() if f.end else None,
                           "source": source_dict(f.source)}
    if r is not None:
        outcome = r.conditions[0][1]  # the first condition: in force on the check's date
        if outcome.status == UNMET:
            out["status"] = "not_yet" if as_of < f.start else "ended"
        else:
            out["status"] = "in_force" if outcome.status == "met" else "unknown"
    return out


def response_dict(book: Rulebook, results: list[BenefitResult], as_of: dt.date,
                  lang: str) -> dict[str, Any]:
    texts = prepared(book)
    return {
        "as_of": as_of.isoformat(),
        "rules_version": book.version,
        "lang": lang,
        "results": [result_dict(book, r, as_of, lang, texts) for r in results],
    }


def prepared(book: Rulebook) -> PreparedTexts:
    from app.prepared import prepared as prepared_texts  # it builds on this module's wording

    return prepared_texts(book)
