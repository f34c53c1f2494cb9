"""Word a check's outcome in one language, in the shape of shared/contract.md.

The API returns these dicts as they are; the pages and the CLI use the same.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from app.checker import ELIGIBLE, MAYBE, BenefitResult, Outcome
from app.rulebook.model import Benefit, Parameter, Rulebook, Source, Uncertainty

if TYPE_CHECKING:
    from app.prepared import PreparedTexts


def source_dict(s: Source) -> dict[str, Any]:
    return {"title": s.title, "url": s.url, "date": s.date, "confidence": s.confidence}


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


def benefit_offices(book: Rulebook, b: Benefit) -> tuple[str | None, list[str]]:
    """Lead office of the first annex task; partners of all its tasks, in annex order."""
    if not b.annex_tasks:
        return b.contact_office, []
    lead = book.annex[b.annex_tasks[0]].lead_office
    partners: list[str] = []
    for task in b.annex_tasks:
        for office in (book.annex[task].lead_office, *book.annex[task].partner_offices):
            if office and office != lead and office not in partners:
                partners.append(office)
    return lead, partners


def shown_value(value: float) -> int | float:
    """1450.0 is shown as 1450; a figure with a fraction keeps it."""
    return int(value) if value.is_integer() else value


def parameter_amount(p: Parameter, as_of: dt.date, lang: str) -> dict[str, Any]:
    in_force = p.in_force(as_of)
    if in_force is None:
        return {"parameter": p.id, "value": None, "unit": p.unit, "text": None,
                "effective_from": None, "source": None, "confidence": None, "to_confirm": True}
    _, v = in_force
    shown = shown_value(v.value)
    return {
        "parameter": p.id,
        "value": shown,
        "unit": p.unit,
        "text": p.text.get(lang).format(value=shown),
        "effective_from": v.start.isoformat(),
        "source": v.source.title,
        "source_url": v.source.url,
        "confidence": v.source.confidence,
        # only an official text (grade A) is shown without "confirm with the office"
        "to_confirm": v.source.confidence != "A",
    }


def amount(book: Rulebook, r: BenefitResult, as_of: dt.date, lang: str,
           texts: PreparedTexts | None = None) -> dict[str, Any] | None:
    if not r.amount_tiers:
        return None
    texts = texts or prepared(book)

    def figure(pid: str) -> dict[str, Any]:
        in_force = book.parameters[pid].in_force(as_of)
        return texts.amounts[pid, in_force[0] if in_force else None, lang]

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
    return item


def result_dict(book: Rulebook, r: BenefitResult, as_of: dt.date, lang: str,
                texts: PreparedTexts | None = None) -> dict[str, Any]:
    """One result; the benefit's fixed texts come prepared (app/prepared.py)."""
    texts = texts or prepared(book)
    b = r.benefit
    conditions = [texts.condition_item(c.id, lang, outcome) for c, outcome in r.conditions]
    fixed = texts.benefits[b.id, lang]
    out: dict[str, Any] = {"benefit": b.id, "member": r.member, "status": r.status,
                           **fixed.head, "conditions": conditions,
                           "amount": amount(book, r, as_of, lang, texts), **fixed.tail}
    # the lists are shared by every answer: each answer gets its own copy
    out["partner_offices"] = list(out["partner_offices"])
    out["annex_tasks"] = list(out["annex_tasks"])
    out["documents"] = list(out["documents"])
    if fixed.uncertain:
        out["uncertain"] = fixed.uncertain
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
