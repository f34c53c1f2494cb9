"""Validate a check request against the contract and coerce its types.

Nothing here decides eligibility: it only says whether the facts are well
formed, and which are known. Every problem is collected (not just the first),
each with the field path, a code, and what is allowed, so that the API, the CLI
and the batch screen can all name what to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.facts import (
    DISABILITY_FACTS,
    HOUSEHOLD_FACTS,
    MAX_MEMBERS,
    MEMBER_FACTS,
    Fact,
)

TOP_LEVEL = ("as_of", "household", "members")
MEMBER_ID_MAX = 64


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    allowed: dict[str, Any] = field(default_factory=dict)


@dataclass
class Member:
    id: str
    facts: dict[str, Any]  # contract field → value; absent means unknown
    disability: dict[str, Any] | None  # None: no disability; dict of known fields
    disability_known: bool  # False when the field was omitted


@dataclass
class CheckRequest:
    as_of: dt.date
    household: dict[str, Any]
    members: list[Member]
    today_default: bool = False


class InvalidRequest(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def is_text(value: str) -> bool:
    """False for a string holding a lone surrogate (JSON allows the escape "\\ud800", but
    it is no character: it cannot be printed, stored or sent on as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _name(name: str) -> str:
    """A field name as it can appear in a problem's path (lone surrogates escaped)."""
    return name if is_text(name) else name.encode("utf-8", "backslashreplace").decode()


def _check_fact(fact: Fact, value: Any, path: str, subdistricts: frozenset[str],
                problems: list[Problem]) -> Any:
    """Return the coerced value, or None after recording a problem."""
    kind = fact.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        problems.append(Problem(path, "expected_bool"))
    elif kind == "enum":
        if isinstance(value, str) and value in fact.values:
            return value
        problems.append(Problem(path, "not_allowed", {"values": list(fact.values)}))
    elif kind == "int":
        # 34.0 is accepted as 34; 34.5, "34" and true are not
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()
        ):
            problems.append(Problem(path, "expected_integer",
                                    {"minimum": fact.minimum, "maximum": fact.maximum}))
        elif not fact.minimum <= value <= fact.maximum:
            problems.append(Problem(path, "out_of_range",
                                    {"minimum": fact.minimum, "maximum": fact.maximum}))
        else:
            return int(value)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or (
            value in (float("inf"), float("-inf"))
        ):
            problems.append(Problem(path, "expected_number",
                                    {"minimum": fact.minimum, "maximum": fact.maximum}))
        elif not fact.minimum <= value <= fact.maximum:
            problems.append(Problem(path, "out_of_range",
                                    {"minimum": fact.minimum, "maximum": fact.maximum}))
        else:
            return float(value)
    elif kind == "subdistrict":
        if isinstance(value, str) and value in subdistricts:
            return value
        problems.append(Problem(path, "not_allowed", {"values": sorted(subdistricts)}))
    elif kind == "member_ref":
        if isinstance(value, str):
            return value  # resolved once all member ids are known
        problems.append(Problem(path, "expected_string"))
    return None


def _check_object(raw: Any, facts: dict[str, Fact], prefix: str, subdistricts: frozenset[str],
                  problems: list[Problem], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(Problem(prefix, "expected_object"))
        return {}
    known: dict[str, Any] = {}
    for name, value in raw.items():
        path = f"{prefix}.{_name(name)}"
        if name in extra:
            continue
        if name not in facts:
            problems.append(Problem(path, "unknown_field",
                                    {"fields": sorted([*facts, *extra])}))
            continue
        if value is None:
            continue  # null: not known
        coerced = _check_fact(facts[name], value, path, subdistricts, problems)
        if coerced is not None:
            known[name] = coerced
    return known


def _check_as_of(raw: Any, problems: list[Problem], today: dt.date) -> dt.date:
    if raw is None:
        return today
    # only the YYYY-MM-DD form: fromisoformat would also take "20261201"
    if isinstance(raw, str) and len(raw) == 10 and raw[4] == raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    problems.append(Problem("as_of", "expected_date"))
    return today


def _check_member(raw: Any, index: int, subdistricts: frozenset[str],
                  problems: list[Problem]) -> Member | None:
    prefix = f"members[{index}]"
    if not isinstance(raw, dict):
        problems.append(Problem(prefix, "expected_object"))
        return None
    member_id = raw.get("id")
    # any 1 to 64 characters, as the OpenAPI schema says (spaces and control characters too)
    if not isinstance(member_id, str) or not 1 <= len(member_id) <= MEMBER_ID_MAX or (
            not is_text(member_id)):
        problems.append(Problem(f"{prefix}.id", "expected_member_id",
                                {"max_length": MEMBER_ID_MAX}))
        member_id = None
    facts = _check_object(raw, MEMBER_FACTS, prefix, subdistricts, problems,
                          extra=("id", "disability"))
    disability: dict[str, Any] | None = None
    disability_known = "disability" in raw
    raw_disability = raw.get("disability")
    if raw_disability is not None:
        disability = _check_object(raw_disability, DISABILITY_FACTS, f"{prefix}.disability",
                                   subdistricts, problems)
    return Member(member_id or "", facts, disability, disability_known) if member_id else None


def validate(payload: Any, subdistricts: frozenset[str], today: dt.date) -> CheckRequest:
    """Return a CheckRequest, or raise InvalidRequest listing every problem."""
    problems: list[Problem] = []
    if not isinstance(payload, dict):
        raise InvalidRequest([Problem("", "expected_object")])
    for name in payload:
        if name not in TOP_LEVEL:
            problems.append(Problem(_name(name), "unknown_field", {"fields": list(TOP_LEVEL)}))
    as_of = _check_as_of(payload.get("as_of"), problems, today)
    household = _check_object(payload.get("household", {}), HOUSEHOLD_FACTS, "household",
                               subdistricts, problems)
    raw_members = payload.get("members")
    members: list[Member] = []
    if not isinstance(raw_members, list) or not raw_members:
        problems.append(Problem("members", "expected_members", {"maximum": MAX_MEMBERS}))
    elif len(raw_members) > MAX_MEMBERS:
        problems.append(Problem("members", "too_many_members", {"maximum": MAX_MEMBERS}))
    else:
        seen: set[str] = set()
        sent_at: list[int] = []  # paths name members as sent, invalid ones included
        for index, raw in enumerate(raw_members):
            member = _check_member(raw, index, subdistricts, problems)
            if member is None:
                continue
            if member.id in seen:
                problems.append(Problem(f"members[{index}].id", "duplicate_id"))
            seen.add(member.id)
            members.append(member)
            sent_at.append(index)
        for index, member in zip(sent_at, members, strict=True):
            ward = member.facts.get("is_guardian_of")
            if ward is not None and (ward not in seen or ward == member.id):
                problems.append(Problem(f"members[{index}].is_guardian_of", "unknown_member",
                                        {"values": sorted(seen - {member.id})}))
    if problems:
        raise InvalidRequest(problems)
    return CheckRequest(as_of, household, members, today_default=payload.get("as_of") is None)
