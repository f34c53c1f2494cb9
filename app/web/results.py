"""Arrange one check's results for the results page.

The statuses come from the checker (service.check); this only chooses which
results the page shows (the person's own and the household's), sorts them into
the three sections, names the unknown facts in words and picks out, for a "maybe",
the short reasons shown before the card's details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE, UNKNOWN
from app.forms import FACT_NAMES


def fact_name(path: str) -> str:
    if path in FACT_NAMES:
        return str(FACT_NAMES[path])
    if path.startswith("ward."):
        own = FACT_NAMES.get("member." + path.removeprefix("ward."))
        if own is not None:
            return _("%(fact)s, for the person they are guardian of", fact=own)
    if path.startswith("parameter:"):
        # a dated figure with no value in force on the check's date
        return _("The figure in force on the date of the check")
    return path


@dataclass
class ResultsPage:
    as_of: str
    rules_version: str
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def eligible(self) -> list[dict[str, Any]]:
        return self.sections[ELIGIBLE]

    @property
    def maybe(self) -> list[dict[str, Any]]:
        return self.sections[MAYBE]

    @property
    def not_eligible(self) -> list[dict[str, Any]]:
        return self.sections[NOT_ELIGIBLE]


def _reasons(result: dict[str, Any], conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """Why a result is only "maybe", in short: the conditions not known (each with the facts
    the office needs, in one phrase, or a flag that the sources leave it open) and the
    rule's own open point. The full notes, with their sources, stay in the card's details."""
    if result["status"] != MAYBE:
        return {"conditions": [], "rule": None}
    unknown = [{"text": c["text"], "open": bool(c.get("uncertain")),
                "missing": format_list(c["missing_names"], locale=get_locale())
                if c["missing_names"] else "",
                # the figure it compares with may have changed since its date
                "figure_from": c["figure"]["effective_from"]
                if c.get("figure_may_have_changed") else None}
               for c in conditions if c["status"] == UNKNOWN]
    rule = result.get("uncertain")
    return {"conditions": unknown, "rule": rule["text"] if rule else None}


def _shown(result: dict[str, Any]) -> dict[str, Any]:
    conditions = [{**c, "missing_names": [fact_name(p) for p in c.get("missing_facts", ())]}
                  for c in result["conditions"]]
    return {**result, "conditions": conditions, "for_household": result["member"] is None,
            "reasons": _reasons(result, conditions)}


def results_page(response: dict[str, Any], member_id: str) -> ResultsPage:
    page = ResultsPage(response["as_of"], response["rules_version"],
                       {ELIGIBLE: [], MAYBE: [], NOT_ELIGIBLE: []})
    for result in response["results"]:
        if result["member"] in (member_id, None):
            page.sections[result["status"]].append(_shown(result))
    return page
