"""The fixed parts of every result, worded once per benefit and language at start-up.

A check's answer repeats, for every benefit and member, the benefit's title,
offices, documents and how to apply, and each condition's text. None of that
depends on the household, so it is built here once per rulebook (before gunicorn
forks) and only looked up per check. The values are shared between answers:
callers copy what they change (present.py copies the lists it hands out). The
wording itself stays in present.py; this only keeps its output.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from app.checker import Outcome
from app.present import (
    benefit_offices,
    condition_item,
    office_name,
    parameter_amount,
    partners_open,
    uncertainty_dict,
)
from app.rulebook.model import Benefit, Parameter, Rulebook

# a condition's wording per outcome is kept for at most this many (condition, language,
# outcome) triples; an outcome is a status and fact names, nothing a resident typed
MAX_CONDITION_ITEMS = 20_000

LANGUAGES = ("zh", "en")




@dataclass(frozen=True)
class BenefitTexts:
    """One benefit in one language: the answer's fields before and after its conditions."""

    head: dict[str, Any]  # title, summary, theme
    tail: dict[str, Any]  # offices, clause, annex tasks, how to apply, documents, level
    uncertain: dict[str, Any] | None


class PreparedTexts:
    def __init__(self, book: Rulebook):
        self.benefits: dict[tuple[str, str], BenefitTexts] = {}
        self.conditions: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {}
        # a dated figure as answers show it, by (parameter, period, past its trust horizon,
        # language): nothing else of the check's date changes it
        self._amounts: dict[tuple[str, int | None, bool, str], dict[str, Any]] = {}
        self._items: dict[tuple[str, str, Outcome], dict[str, Any]] = {}
        for lang in LANGUAGES:
            for b in book.benefits.values():
                self.benefits[b.id, lang] = self._benefit(book, b, lang)
            for c in book.conditions.values():
                self.conditions[c.id, lang] = (c.text.get(lang),
                                               uncertainty_dict(c.uncertainty, lang))

    def amount(self, p: Parameter, as_of: dt.date, lang: str) -> dict[str, Any]:
        """The figure of `p` on `as_of` (shared: read only)."""
        in_force = p.in_force(as_of)
        key = (p.id, in_force[0] if in_force else None, p.stale_on(as_of), lang)
        found = self._amounts.get(key)
        if found is None:
            found = self._amounts[key] = parameter_amount(p, as_of, lang)
        return found

    def condition_item(self, cid: str, lang: str, outcome: Outcome) -> dict[str, Any]:
        """A condition as a result shows it, worded once per outcome (shared: read only)."""
        key = (cid, lang, outcome)
        item = self._items.get(key)
        if item is None:
            item = condition_item(*self.conditions[cid, lang], cid, outcome)
            if len(self._items) < MAX_CONDITION_ITEMS:
                self._items[key] = item
        return item

    @staticmethod
    def _benefit(book: Rulebook, b: Benefit, lang: str) -> BenefitTexts:
        lead, partners = benefit_offices(book, b)
        head = {"title": b.title.get(lang), "summary": b.summary.get(lang), "theme": b.theme}
        tail = {
            "lead_office": office_name(book, lead, lang),
            "partner_offices": [office_name(book, p, lang) for p in partners],
            "partner_offices_incomplete": partners_open(book, b),
            "plan_clause": b.clause,
            "annex_task": b.annex_tasks[0] if b.annex_tasks else None,
            "annex_tasks": list(b.annex_tasks),
            "how_to_apply": b.how_to_apply.get(lang),
            "documents": [d.get(lang) for d in b.documents],
            "apply_first_at": b.level,
        }
        return BenefitTexts(head, tail, uncertainty_dict(b.uncertainty, lang))


_prepared: dict[int, tuple[Rulebook, PreparedTexts]] = {}
_lock = threading.Lock()


def prepared(book: Rulebook) -> PreparedTexts:
    """The prepared texts of `book`, built on first use (create_app builds them at start-up)."""
    found = _prepared.get(id(book))
    if found is None or found[0] is not book:
        with _lock:
            found = _prepared.get(id(book))
            if found is None or found[0] is not book:
                found = _prepared[id(book)] = (book, PreparedTexts(book))
    return found[1]
