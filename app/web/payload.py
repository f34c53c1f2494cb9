"""Turn the check form's answers into the contract's request (shared/contract.md).

"Not sure" and empty answers are left out: the contract reads an omitted fact
as unknown, and the rules then answer "maybe" instead of guessing.
"""

from __future__ import annotations

import re
from typing import Any

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS, Fact
from app.forms import NO, NOT_SURE, YES, CheckForm

MEMBER_ID = "m1"
_OMIT = object()  # leave `disability` out: not known whether the person has one


def _value(fact: Fact, answer: Any) -> Any:
    if answer in (None, "", NOT_SURE):
        return None
    if fact.kind == "bool":
        return {YES: True, NO: False}[answer]
    if fact.kind == "int":
        return int(answer)
    if fact.kind == "number":
        # the contract takes a JSON number: whole yuan stay integers
        return int(answer) if answer == int(answer) else float(answer)
    return answer


def _known(form: CheckForm, facts: dict[str, Fact]) -> dict[str, Any]:
    known = {}
    for name, fact in facts.items():
        if name in form:
            value = _value(fact, form[name].data)
            if value is not None:
                known[name] = value
    return known


def _disability(form: CheckForm) -> Any:
    """The member's `disability`: an object, None (no disability), or _OMIT.

    A certificate (even "no certificate yet"), a type or a grade each say that
    the person has a disability (contract: certificate false = diagnosed, no
    certificate yet), so with "Not sure" to the first question they still count.
    With "No" the details are ignored: their hint says to answer only if "Yes".
    """
    answer = form.has_disability.data
    if answer == NO:
        return None
    details = _known(form, DISABILITY_FACTS)
    if answer == YES or details:
        return details
    return _OMIT


def build_payload(form: CheckForm) -> dict[str, Any]:
    member: dict[str, Any] = {"id": MEMBER_ID, **_known(form, MEMBER_FACTS)}
    disability = _disability(form)
    if disability is not _OMIT:
        member["disability"] = disability
    return {"household": _known(form, HOUSEHOLD_FACTS), "members": [member]}


_PATH = re.compile(r"^(?:household|members\[0\](?:\.disability)?)\.(\w+)$")


def field_for_path(path: str, form: CheckForm) -> str | None:
    """The form field a request path names ("members[0].age" → "age"), if any."""
    match = _PATH.match(path or "")
    if match and match.group(1) in form:
        return match.group(1)
    return None
