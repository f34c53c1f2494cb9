"""The whole household's results, on the results page the resident journey uses.

`render_results` is the one place that chooses the page, so that it can move
to a new results page without touching the quick form.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE
from app.tools.household_form import member_label
from app.web.results import ResultsPage, results_page


def household_page(response: dict[str, Any], member_ids: list[str]) -> ResultsPage:
    """Every member's results and the household's, each member's titled with the member."""
    merged = ResultsPage(response["as_of"], response["rules_version"],
                         {ELIGIBLE: [], MAYBE: [], NOT_ELIGIBLE: []})
    for index, mid in enumerate(member_ids):
        page = results_page({**response, "results": [
            r for r in response["results"]
            if r["member"] == mid or (index == 0 and r["member"] is None)]}, mid)
        for status, items in page.sections.items():
            section = merged.sections[status]
            for r in items:
                if r["member"] is not None:
                    r = {**r, "title": _("%(member)s: %(title)s", member=member_label(index),
                                         title=r["title"]),
                         "anchor": f"{r['benefit']}-member-{index + 1}"}
                section.append(r)
    return merged


def render_results(response: dict[str, Any], member_ids: list[str]) -> str:
    return render_template("web/results.html", page=household_page(response, member_ids))
