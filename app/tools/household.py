"""The quick form's answers as the API's request body, and the API's problems as form errors.

The body is validated by the API's own validator (service.parse), so the
quick form accepts exactly what the API accepts; each problem is shown beside
its field and in the error summary, linked as #members-N-field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS, Fact
from app.forms import NO, YES
from app.messages import problem_message
from app.tools.household_form import DISABLED, NOT_SURE, member_label, small_number
from app.validation import Problem

_PATH = re.compile(r"^members\[(\d+)\](?:\.disability)?\.(\w+)$")


def member_id(index: int) -> str:
    return str(index + 1)


def _value(fact: Fact, answer: Any) -> Any:
    if answer in (None, NOT_SURE):
        return None
    if fact.kind == "bool":
        return {YES: True, NO: False}.get(answer, answer)
    if isinstance(answer, Decimal):
        return int(answer) if answer == answer.to_integral_value() else float(answer)
    if fact.name == "grade":  # a select's value: "1" to "4", or text for the validator to refuse
        grade = small_number(answer)
        return answer if grade is None else grade
    return answer


def _known(form, facts: dict[str, Fact]) -> dict[str, Any]:
    known = {}
    for name, fact in facts.items():
        value = _value(fact, form[name].data)
        if value is not None:
            known[name] = value
    return known


def _member(index: int, form) -> dict[str, Any]:
    member: dict[str, Any] = {"id": member_id(index), **_known(form, MEMBER_FACTS)}
    disability = _known(form, DISABILITY_FACTS)
    disabled = form[DISABLED].data
    if disabled == NO:
        member["disability"] = None
    elif disabled == YES or disability:
        member["disability"] = disability
    return member


def build_payload(form) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "household": _known(form, HOUSEHOLD_FACTS),
        "members": [_member(i, entry.form) for i, entry in enumerate(form.members.entries)],
    }
    if (form.as_of.data or "").strip():
        payload["as_of"] = form.as_of.data.strip()
    return payload


def field_for(problem: Problem, form):
    """The form field a validator problem names, and its words for the summary."""
    if problem.path == "as_of" or problem.path.startswith("household."):
        name = problem.path.removeprefix("household.")
        return (form[name], form[name].label.text) if name in form else (None, None)
    match = _PATH.match(problem.path)
    if match:
        index, name = int(match.group(1)), match.group(2)
        if index < len(form.members.entries) and name in form.members.entries[index].form:
            field = form.members.entries[index].form[name]
            return field, _("%(member)s: %(question)s", member=member_label(index),
                            question=field.label.text)
    return None, None


def apply_problems(problems: list[Problem], form) -> list[dict[str, str]]:
    """Put each problem beside its field, worded as the API words it but naming the
    question; return the error summary's entries."""
    entries = []
    for problem in problems:
        field, words = field_for(problem, form)
        text = problem_message(problem)
        if field is None:
            entries.append({"href": "#screen-form", "text": text})
            continue
        text = text.replace(f"“{problem.path}”", f"“{words}”")
        field.errors = [*field.errors, text]
        entries.append({"href": f"#{field.id}", "text": text})
    return entries


def form_errors(form) -> list[dict[str, str]]:
    """Errors WTForms found while reading the answers (a number that is not one)."""
    entries = []
    for field in form:
        if field.name == "members":
            for index, entry in enumerate(field.entries):
                for sub in entry.form:
                    if sub.errors:
                        entries.append({"href": f"#{sub.id}", "text": _(
                            "%(member)s: %(error)s", member=member_label(index),
                            error=sub.errors[0])})
        elif field.errors and field.type != "CSRFTokenField":
            entries.append({"href": f"#{field.id}", "text": field.errors[0]})
    return entries
