"""The error summary at the top of a form page (GOV.UK pattern), built in Python.

Each entry links to the field to fix: a text box or select by its id, a group
of radios by its first radio.
"""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import RadioField

from app.messages import problem_message
from app.validation import Problem
from app.web.payload import field_for_path


def target_id(field) -> str:
    return f"{field.id}-0" if isinstance(field, RadioField) else field.id


def error_summary(form) -> list[dict[str, str]]:
    return [{"href": "#" + target_id(field), "text": field.errors[0]}
            for field in form if field.errors and field.type != "CSRFTokenField"]


def problem_summary(problems: list[Problem], form) -> list[dict[str, str]]:
    """Problems the checker found in a payload built from a valid form. This should not
    happen; if it does, name the question when there is one, and show it beside it too."""
    entries = []
    for problem in problems:
        name = field_for_path(problem.path, form)
        if name is None:
            entries.append({"href": "#check-form", "text": problem_message(problem)})
            continue
        field = form[name]
        text = _("Check your answer to “%(question)s”", question=field.label.text)
        field.errors = [*field.errors, text]
        entries.append({"href": "#" + target_id(field), "text": text})
    return entries
