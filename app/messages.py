"""Every message that names what to fix in a request, in one place.

Wording rule (after GOV.UK): say what to do, name the field, say what is allowed.
Messages are translated when the request is answered, never at import time.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.validation import Problem


def _list(values) -> str:
    return ", ".join(str(v) for v in values)


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def problem_message(p: Problem) -> str:
    a = p.allowed
    path = p.path or _("the request body")
    if p.code == "unknown_field":
        return _("Remove “%(path)s”: it is not a field of the check. Allowed fields: %(fields)s",
                 path=path, fields=_list(a["fields"]))
    if p.code == "expected_bool":
        return _("Enter true or false for “%(path)s”", path=path)
    if p.code == "not_allowed":
        return _("Enter one of these values for “%(path)s”: %(values)s", path=path,
                 values=_list(a["values"]))
    if p.code == "expected_integer" or (p.code == "out_of_range" and p.path.endswith(
            ("age", "grade"))):
        return _("Enter a whole number from %(minimum)s to %(maximum)s for “%(path)s”",
                 path=path, minimum=_number(a["minimum"]), maximum=_number(a["maximum"]))
    if p.code in ("expected_number", "out_of_range"):
        return _("Enter a number from %(minimum)s to %(maximum)s for “%(path)s”",
                 path=path, minimum=_number(a["minimum"]), maximum=_number(a["maximum"]))
    if p.code == "expected_string":
        return _("Enter the id of another member as text for “%(path)s”", path=path)
    if p.code == "expected_object":
        return _("Send “%(path)s” as a JSON object", path=path)
    if p.code == "expected_date":
        return _("Enter the date in “as_of” as YYYY-MM-DD, for example 2026-12-01")
    if p.code == "expected_members":
        return _("Enter between 1 and %(maximum)s members as a list in “members”",
                 maximum=a["maximum"])
    if p.code == "too_many_members":
        return _("Enter at most %(maximum)s members in “members”", maximum=a["maximum"])
    if p.code == "duplicate_id":
        return _("Give each member a different id: “%(path)s” repeats an earlier one", path=path)
    if p.code == "unknown_member":
        return _("Enter in “%(path)s” the id of another member of this household", path=path)
    if p.code == "expected_member_id":
        return _("Enter an id of 1 to %(max_length)s characters in “%(path)s”", path=path,
                 max_length=a["max_length"])
    return _("Check the value of “%(path)s”", path=path)


def problem_dict(p: Problem) -> dict:
    return {"path": p.path, "code": p.code, "message": problem_message(p),
            "allowed": p.allowed or None}


def body_too_large(limit: int) -> str:
    return _("Send a request body of at most %(limit)s bytes", limit=limit)


def not_json() -> str:
    return _("Send the household as JSON with the header Content-Type: application/json")


def invalid_json() -> str:
    return _("Send valid JSON: the request body could not be read as JSON")


def invalid_choice(name: str, values) -> str:
    return _("Leave out “%(name)s”, or set it to one of: %(values)s", name=name,
             values=_list(values))


def invalid_household() -> str:
    return _("Fix the fields listed in “errors” and send the household again")


def http_error(status: int) -> str:
    if status == 404:
        return _("There is nothing at this address. See /api/v1/openapi.json for the API")
    if status == 405:
        return _("This address does not accept that method. See /api/v1/openapi.json")
    return _("The request could not be answered. Check it and try again")
