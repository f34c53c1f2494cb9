"""The catalogue of benefits: what each rule says, for the API and the /benefits pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.present import (
    benefit_offices,
    figure_text,
    in_force_dict,
    office_name,
    parameter_amount,
    partners_open,
    source_dict,
    uncertainty_dict,
)
from app.rulebook.model import Benefit, Rulebook


def benefit_entry(book: Rulebook, b: Benefit, lang: str, as_of: dt.date | None = None
                  ) -> dict[str, Any]:
    as_of = as_of or dt.date.today()
    lead, partners = benefit_offices(book, b)
    conditions = []
    for cid in b.conditions:
        c = book.conditions[cid]
        item: dict[str, Any] = {"id": c.id, "text": c.text.get(lang)}
        if c.uncertainty:
            item["uncertain"] = uncertainty_dict(c.uncertainty, lang)
        conditions.append(item)
    amounts = []
    for tier in b.amount:
        p = book.parameters[tier.parameter]
        amounts.append({
            "title": p.title.get(lang),
            "when": [book.conditions[cid].text.get(lang) for cid in tier.when],
            "in_force": parameter_amount(p, as_of, lang),
            "history": [{"from": v.start.isoformat(),
                         "text": figure_text(p, v.value, lang),
                         "source": source_dict(v.source)} for v in p.values],
        })
    return {
        "id": b.id,
        "theme": b.theme,
        "scope": b.scope,
        "title": b.title.get(lang),
        "summary": b.summary.get(lang),
        "plan_clause": b.clause,
        "plan_text": b.plan_text,
        "annex_tasks": [{"task": t, "work_item": book.annex[t].work_item,
                         "timing": book.annex[t].timing} for t in b.annex_tasks],
        "lead_office": office_name(book, lead, lang),
        "partner_offices": [office_name(book, p, lang) for p in partners],
        "partner_offices_incomplete": partners_open(book, b),
        "in_force": in_force_dict(b, None, as_of),
        "apply_first_at": b.level,
        "conditions": conditions,
        "amounts": amounts,
        "documents": [d.get(lang) for d in b.documents],
        "how_to_apply": b.how_to_apply.get(lang),
        "sources": [source_dict(s) for s in b.sources],
        "uncertain": uncertainty_dict(b.uncertainty, lang),
    }


def catalogue(book: Rulebook, lang: str) -> dict[str, Any]:
    return {
        "rules_version": book.version,
        "lang": lang,
        "benefits": [benefit_entry(book, b, lang) for b in book.benefits.values()],
    }
