"""Every word a batch output needs, in one language, prepared once before screening.

Built inside an app context (the catalogue and the rule texts), then plain
strings: the screening processes inherit them and need no Flask. This skips
the API's per-result presentation (app/present.py) except for amounts, whose
tier choice is shared with the API through present.amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE
from app.present import benefit_offices, office_name
from app.rulebook.engine import parameter_key
from app.rulebook.model import Rulebook
from app.web.results import fact_name
from app.web.wording import APPLY_FIRST_AT, CONFIDENCE

RESULT_IDS = ("household_id", "member_id", "benefit", "status")
SUMMARY_IDS = ("summary", "benefit", "status", "households", "members")


@dataclass(frozen=True)
class BenefitTexts:
    title: str
    lead_office: str
    apply_first_at: str  # the level's words
    clause: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Texts:
    lang: str
    rules_version: str
    benefits: dict[str, BenefitTexts]
    conditions: dict[str, str]
    facts: dict[str, str]  # fact path → short name
    status: dict[str, str]
    confidence: dict[str, str]
    labels: dict[str, str]  # headings and phrases of the outputs
    result_headers: tuple[str, ...]
    summary_headers: tuple[str, ...]
    problem_headers: tuple[str, ...]


def _labels() -> dict[str, str]:
    return {
        "and": _("; "),
        "unmet": _("Not met: %(conditions)s"),
        "unknown": _("Not known: %(conditions)s"),
        "needs": _("%(condition)s (to settle it: %(facts)s)"),
        "open_rule": _("The sources leave this benefit open: confirm with the office"),
        "to_confirm": _("confirm with the office"),
        "household": _("Household %(id)s"),
        "whole_household": _("The whole household"),
        "referral_title": _("Referral sheets"),
        "referral_intro": _("One page per household: for each office, who to refer, for which "
                            "benefits and with which documents."),
        "screened_on": _("Screened on %(date)s with rules version %(version)s."),
        "office": _("Office"),
        "go_first": _("Where to go first"),
        "benefit": _("Benefit"),
        "members": _("Who"),
        "status": _("Status"),
        "documents": _("Documents to bring"),
        "nothing": _("No benefit to refer on these answers."),
        "by_office": _("Office"),
        "by_level": _("Where to go first"),
        "by_benefit": _("Benefit"),
        "guide": _("A guide only: the office that handles each benefit makes the decision."),
    }


def build_texts(book: Rulebook, lang: str) -> Texts:
    """Call inside an app context."""
    with force_locale(lang):
        benefits = {}
        for b in book.benefits.values():
            lead, _partners = benefit_offices(book, b)
            benefits[b.id] = BenefitTexts(
                b.title.get(lang), office_name(book, lead, lang) or "—",
                str(APPLY_FIRST_AT.get(b.level, b.level)), b.clause or "",
                tuple(d.get(lang) for d in b.documents))
        paths = {p for c in book.conditions.values()
                 for p in c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set())}
        facts = {p: fact_name(p) for p in paths}
        facts.update({parameter_key(pid): fact_name(f"parameter:{pid}")
                      for pid in book.parameters})
        status = {ELIGIBLE: _("Can apply"), MAYBE: _("May be able to get: confirm with the office"),
                  NOT_ELIGIBLE: _("Not eligible on these answers")}
        return Texts(
            lang, book.version, benefits,
            {cid: c.text.get(lang) for cid, c in book.conditions.items()},
            facts, status, {k: str(v) for k, v in CONFIDENCE.items()}, _labels(),
            RESULT_IDS + (_("Benefit"), _("Status in words"), _("Conditions not met or not known"),
                          _("Amount"), _("Amount in force from"), _("Source of the amount"),
                          _("Lead office"), _("Where to go first"), _("Plan clause")),
            SUMMARY_IDS + (_("Summary by"), _("Lead office"), _("Where to go first"),
                           _("Benefit"), _("Status in words")),
            ("household_id", "row", "column", _("Column"), _("What to fix")))
