"""One check: prepare facts, let the engine decide the conditions, combine per benefit.

The engine decides every condition. This module only
- marks which facts are unknown (the engine treats a missing field as false),
- combines condition outcomes: all met → eligible, any unmet → not_eligible,
  otherwise maybe (an unknown fact, or a criterion the sources leave uncertain),
- picks the amount tier whose conditions the engine found met,
- and words the result in one language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.facts import HOUSEHOLD_FACTS, MEMBER_PATHS, engine_key
from app.rulebook.engine import Engine, RuleKey, parameter_key
from app.rulebook.model import Benefit, Condition, Rulebook
from app.validation import CheckRequest, Member

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
ELIGIBLE, MAYBE, NOT_ELIGIBLE = "eligible", "maybe", "not_eligible"


@dataclass
class Subject:
    """One engine fact and the fact paths that are unknown for it."""

    fact_id: str
    values: dict[str, Any]
    unknown: set[str] = field(default_factory=set)


def _member_values(member: Member) -> tuple[dict[str, Any], set[str]]:
    values = {f"member.{k}": v for k, v in member.facts.items() if k != "is_guardian_of"}
    unknown = {p for p in MEMBER_PATHS if p.startswith("member.") and p not in values}
    if member.disability is None and member.disability_known:
        # null: no disability, so the disability details are not unknown, just absent
        values["member.disabled"] = False
        values["member.disability.certificate"] = False
        unknown -= {"member.disabled", "member.disability.certificate",
                    "member.disability.category", "member.disability.grade"}
    elif member.disability is not None:
        values["member.disabled"] = True
        unknown.discard("member.disabled")
        for name, value in member.disability.items():
            values[f"member.disability.{name}"] = value
            unknown.discard(f"member.disability.{name}")
    return values, unknown


def prepare(request: CheckRequest, book: Rulebook) -> tuple[Subject, list[Subject]]:
    household_values = {f"household.{k}": v for k, v in request.household.items()}
    household_unknown = {f"household.{k}" for k in HOUSEHOLD_FACTS} - set(household_values)
    params = {}
    for pid, parameter in book.parameters.items():
        in_force = parameter.in_force(request.as_of)
        if in_force is None:
            household_unknown.add(parameter_key(pid))
        else:
            params[parameter_key(pid)] = in_force[0]
    household = Subject("h", {**household_values, **params}, set(household_unknown))
    by_id = {m.id: _member_values(m) for m in request.members}
    members = []
    for index, member in enumerate(request.members):
        values, unknown = by_id[member.id]
        values = {**values, **household.values}
        unknown = unknown | household.unknown
        ward = member.facts.get("is_guardian_of")
        if ward is not None:
            ward_values, ward_unknown = by_id[ward]
            values.update({"ward." + p.removeprefix("member."): v for p, v in ward_values.items()})
            unknown |= {"ward." + p.removeprefix("member.") for p in ward_unknown}
        members.append(Subject(f"m{index}", values, unknown))
    return household, members


def engine_fact(subject: str, s: Subject) -> dict[str, Any]:
    fact: dict[str, Any] = {"t": subject, "id": s.fact_id}
    for path, value in s.values.items():
        fact[path if path.startswith("p__") else engine_key(path)] = (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool)
            else value)
    return fact


@dataclass
class Outcome:
    status: str
    missing: tuple[str, ...] = ()  # fact paths that, once known, would settle it
    uncertain: bool = False


def _needs(c: Condition) -> set[str]:
    paths = c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set())
    params = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    return paths | {parameter_key(p) for p in params}


def _outcome(c: Condition, s: Subject, fired: set[tuple[RuleKey, str]]) -> Outcome:
    if (RuleKey(c.id), s.fact_id) in fired:
        return Outcome(MET)
    if (RuleKey(c.id, uncertain=True), s.fact_id) in fired:
        return Outcome(UNKNOWN, uncertain=True)
    missing = tuple(sorted(_needs(c) & s.unknown))
    return Outcome(UNKNOWN, missing) if missing else Outcome(UNMET)


def condition_outcome(c: Condition, subject: Subject, household: Subject,
                      members: list[Subject], fired: set[tuple[RuleKey, str]]) -> Outcome:
    if c.any_member:
        outcomes = [_outcome(c, m, fired) for m in members]
        if any(o.status == MET for o in outcomes):
            return Outcome(MET)
        missing = tuple(sorted({p for o in outcomes for p in o.missing}))
        return Outcome(UNKNOWN, missing) if missing else Outcome(UNMET)
    return _outcome(c, household if c.subject == "household" else subject, fired)


def combine(outcomes: list[Outcome], rule_uncertain: bool) -> str:
    statuses = {o.status for o in outcomes}
    if UNMET in statuses:
        return NOT_ELIGIBLE
    if UNKNOWN in statuses or rule_uncertain:
        return MAYBE
    return ELIGIBLE


@dataclass
class BenefitResult:
    benefit: Benefit
    member: str | None
    status: str
    conditions: list[tuple[Condition, Outcome]]
    amount_tiers: list[tuple[str, str]]  # (parameter id, tier status)


class Checker:
    def __init__(self, book: Rulebook):
        self.book = book
        self.engine = Engine(book)

    def run(self, request: CheckRequest) -> list[BenefitResult]:
        household, members = prepare(request, self.book)
        facts = [engine_fact("household", household)] + [engine_fact("member", m)
                                                         for m in members]
        fired = self.engine.decide(facts)
        results = []
        for benefit in self.book.benefits.values():
            if benefit.scope == "household":
                results.append(self._benefit(benefit, None, household, household, members,
                                             fired))
            else:
                for member, subject in zip(request.members, members, strict=True):
                    results.append(self._benefit(benefit, member.id, subject, household,
                                                 members, fired))
        return results

    def _benefit(self, benefit: Benefit, member_id: str | None, subject: Subject,
                 household: Subject, members: list[Subject],
                 fired: set[tuple[RuleKey, str]]) -> BenefitResult:
        conditions = []
        for cid in benefit.conditions:
            c = self.book.conditions[cid]
            conditions.append((c, condition_outcome(c, subject, household, members, fired)))
        status = combine([o for _, o in conditions], benefit.uncertainty is not None)
        tiers = []
        for tier in benefit.amount:
            outs = [condition_outcome(self.book.conditions[cid], subject, household, members,
                                      fired) for cid in tier.when]
            tiers.append((tier.parameter, combine(outs, False)))
        return BenefitResult(benefit, member_id, status, conditions, tiers)

