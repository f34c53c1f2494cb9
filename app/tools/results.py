"""The whole household's results from the quick form, on the results page the
resident journey uses (app/web/household_results.py): the same sections, order,
action plan and near misses for the same answer.
"""

from __future__ import annotations

from typing import Any

from flask import render_template


def render_results(response: dict[str, Any], payload: dict[str, Any]) -> str:
    """`payload` is the request the quick form built (the contract's shape): members are
    labelled on the page by relation and age, as the journey labels them."""
    # imported here: the results page reads the journey's labels, whose package imports
    # the web blueprint that registers this one
    from app.web.household_results import household_page

    return render_template("results/household.html", page=household_page(response, payload),
                           back=None)
