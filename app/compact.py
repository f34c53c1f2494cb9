"""The compact answer (`POST /api/v1/check?answer=compact`): statuses without the texts.

For programs that screen many households (a case system, a batch) and only need
who may get what, and what to ask next. Each result is the benefit, the member,
the status and, for a "maybe", the facts that would settle it; titles, offices
and conditions are in the catalogue (`GET /api/v1/benefits`), the same for
every answer. About a twentieth of the full answer's size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.checker import MAYBE, BenefitResult
from app.rulebook.model import Rulebook

ANSWERS = ("full", "compact")


def compact_result(r: BenefitResult) -> dict[str, Any]:
    out: dict[str, Any] = {"benefit": r.benefit.id, "member": r.member, "status": r.status}
    if r.status == MAYBE:
        missing = {p for _, o in r.conditions for p in o.missing}
        out["missing_facts"] = sorted(p.replace("p__", "parameter:", 1) for p in missing)
    return out


def compact_dict(book: Rulebook, results: list[BenefitResult], as_of: dt.date,
                 lang: str) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "rules_version": book.version, "lang": lang,
            "answer": "compact", "results": [compact_result(r) for r in results]}
