"""One check: prepare facts, let the engine decide the conditions, combine per benefit.

The engine decides every condition. This module only
- marks which facts are unknown (the engine treats a missing field as false),
- combines condition outcomes: all met → eligible, any unmet → not_eligible,
  otherwise maybe (an unknown fact that could make it hold, a criterion the sources
  leave uncertain, or a figure past its trust horizon that a revision could flip),
- picks the amount tier whose conditions the engine found met (none when not eligible),
- and words the result in one language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.facts import HOUSEHOLD_FACTS, MEMBER_PATHS, engine_key
from app.rulebook.engine import (
    POSSIBLE,
    STALE,
    UNCERTAIN,
    Engine,
    RuleKey,
    as_engine_value,
    band_keys,
    parameter_key,
    single_fact_paths,
    unknown_key,
)
from app.rulebook.model import CHECK_DATE, Benefit, Condition, Rulebook, date_number
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


def compared_parameters(book: Rulebook) -> frozenset[str]:
    """The figures some condition compares with (amounts alone are not engine facts)."""
    return frozenset(pid for c in book.conditions.values() for t in
                     [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
                     for pid in t.parameters())


def prepare(request: CheckRequest, book: Rulebook,
            compared: frozenset[str] | None = None) -> tuple[Subject, list[Subject]]:
    household_values = {f"household.{k}": v for k, v in request.household.items()}
    household_values[CHECK_DATE] = date_number(request.as_of)
    household_unknown = {f"household.{k}" for k in HOUSEHOLD_FACTS} - set(household_values)
    params = {}
    for pid in sorted(compared_parameters(book) if compared is None else compared):
        period = book.parameters[pid].period(request.as_of)
        known, low, high = band_keys(pid)
        if period is None:
            household_unknown.add(parameter_key(pid))
            params[known], params[low], params[high] = 0.0, 0.0, 0.0
        else:
            params[known], params[low], params[high] = 1.0, period.low, period.high
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


def engine_fact(subject: str, s: Subject, marked: frozenset[str] = frozenset()
                ) -> dict[str, Any]:
    fact: dict[str, Any] = {"t": subject, "id": s.fact_id}
    for path, value in s.values.items():
        fact[path if path.startswith("p__") else engine_key(path)] = as_engine_value(value)
    for path in s.unknown & marked:
        fact[unknown_key(path)] = 1.0
    return fact


class Outcome(NamedTuple):
    """A condition's outcome for one subject (a tuple: answers look these up by value)."""

    status: str
    missing: tuple[str, ...] = ()  # fact paths that, once known, would settle it
    uncertain: bool = False
    stale: bool = False  # a figure past its trust horizon could decide it either way


_MET, _UNMET = Outcome(MET), Outcome(UNMET)
_UNCERTAIN = Outcome(UNKNOWN, uncertain=True)
_STALE = Outcome(UNKNOWN, stale=True)
_PRIORITY = {MET: 0, UNCERTAIN: 1, STALE: 2}  # which firing reads first, when several did
_AS_OUTCOME = {MET: _MET, UNCERTAIN: _UNCERTAIN, STALE: _STALE}


def _kind(o: Outcome) -> str:
    return MET if o.status == MET else UNCERTAIN if o.uncertain else STALE


def _needs(c: Condition) -> frozenset[str]:
    paths = c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set())
    params = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    return frozenset(paths | {parameter_key(p) for p in params})


class Decisions:
    """What the engine decided in one check, read as one outcome per condition and subject."""

    def __init__(self, needs: dict[str, frozenset[str]], fired: set[tuple[RuleKey, str]],
                 household: Subject, members: list[Subject],
                 single: dict[str, frozenset[str]]):
        self.needs, self.single = needs, single
        self.household, self.members = household, members
        # per engine fact, what fired for each condition (met before its uncertain band
        # before a stale figure's band), and which conditions could still hold
        self._fired: dict[str, dict[str, Outcome]] = {}
        self._possible: dict[str, set[str]] = {}
        for key, fact_id in fired:
            if key.kind == POSSIBLE:
                self._possible.setdefault(fact_id, set()).add(key.condition)
                continue
            by_condition = self._fired.setdefault(fact_id, {})
            known = by_condition.get(key.condition)
            if known is None or _PRIORITY[key.kind] < _PRIORITY[_kind(known)]:
                by_condition[key.condition] = _AS_OUTCOME[key.kind]

    def _open(self, cid: str, s: Subject, possible: set[str]) -> Outcome:
        """A condition that did not fire: unknown if an unknown fact could make it hold
        (or a figure is not known on the check's date), else unmet."""
        missing = self.needs[cid] & s.unknown
        if not missing:
            return _UNMET
        missing_paths = tuple(sorted(missing))
        if any(p.startswith("p__") for p in missing_paths):
            return Outcome(UNKNOWN, missing_paths)  # a figure not known on the check's date
        # could the unknown facts make it hold? One alternative over several facts: the
        # engine found it; over one fact: exactly when that fact is unknown
        if cid in possible or self.single[cid] & s.unknown:
            return Outcome(UNKNOWN, missing_paths)
        return _UNMET

    def read(self, cids: tuple[str, ...], s: Subject) -> dict[str, Outcome]:
        """The outcome of each condition for one engine fact: met, its uncertain band or
        a stale figure's band if the engine fired it; otherwise see _open."""
        fired = self._fired.get(s.fact_id, {})
        possible = self._possible.get(s.fact_id, set())
        found = {}
        for cid in cids:
            outcome = fired.get(cid)
            found[cid] = outcome if outcome is not None else self._open(cid, s, possible)
        return found

    def any_member(self, cids: tuple[str, ...]) -> dict[str, Outcome]:
        """Conditions met when any member meets them."""
        each = [self.read(cids, m) for m in self.members]
        found = {}
        for cid in cids:
            outcomes = [table[cid] for table in each]
            if any(o.status == MET for o in outcomes):
                found[cid] = _MET
            elif any(o.uncertain for o in outcomes):
                found[cid] = _UNCERTAIN
            elif any(o.stale for o in outcomes):
                found[cid] = _STALE
            else:
                missing = tuple(sorted({p for o in outcomes for p in o.missing}))
                found[cid] = Outcome(UNKNOWN, missing) if missing else _UNMET
        return found


def _status(statuses: set[str], rule_uncertain: bool) -> str:
    """Combine condition statuses: any unmet → not eligible; any unknown (or a rule the
    sources leave open) → maybe; all met → eligible."""
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
    already_received: bool = False  # the engine found the benefit's already_received condition


class Checker:
    def __init__(self, book: Rulebook):
        self.book = book
        self.engine = Engine(book)
        self.needs = {cid: _needs(c) for cid, c in book.conditions.items()}
        self.compared = compared_parameters(book)
        # per condition, the facts of its alternatives over one fact each
        self.single = {cid: single_fact_paths(c) for cid, c in book.conditions.items()}
        # which conditions are read on which engine fact: the household's own, those met by
        # any member, and the others per member (for member-level benefits) or on the
        # household fact (a household-level benefit asking about a member)
        used = {scope: {cid for b in book.benefits.values() if b.scope == scope
                        for cid in (*b.conditions, *(c for t in b.amount for c in t.when),
                                    *((b.already_received,) if b.already_received else ()))}
                for scope in ("member", "household")}
        every = used["member"] | used["household"]
        kind = {cid: "any" if c.any_member else c.subject for cid, c in book.conditions.items()}
        self._household_cids = tuple(sorted(c for c in every if kind[c] == "household"))
        self._any_cids = tuple(sorted(c for c in every if kind[c] == "any"))
        self._member_cids = {scope: tuple(sorted(c for c in used[scope] if kind[c] == "member"))
                             for scope in used}
        # per benefit, looked up once here: its condition ids and conditions, amount tiers,
        # whether the rule itself is uncertain, and whether it is the household's
        self._plan = [(b, tuple(b.conditions), tuple(book.conditions[c] for c in b.conditions),
                       tuple((t.parameter, t.when) for t in b.amount),
                       b.uncertainty is not None, b.scope == "household", b.already_received)
                      for b in book.benefits.values()]

    def run(self, request: CheckRequest) -> list[BenefitResult]:
        household, members = prepare(request, self.book, self.compared)
        marked = self.engine.marked_paths
        facts = [engine_fact("household", household, marked)] + [
            engine_fact("member", m, marked) for m in members]
        decisions = Decisions(self.needs, self.engine.decide(facts), household, members,
                              self.single)
        shared = {**decisions.read(self._household_cids, household),
                  **decisions.any_member(self._any_cids)}
        whole = [(None, {**shared, **decisions.read(self._member_cids["household"], household)})]
        each = [(member.id, {**shared, **decisions.read(self._member_cids["member"], subject)})
                for member, subject in zip(request.members, members, strict=True)]
        results = []
        for benefit, cids, conditions, tiers, rule_uncertain, for_household, received in (
                self._plan):
            for member_id, outcomes in (whole if for_household else each):
                found = [outcomes[cid] for cid in cids]
                status = _status({o.status for o in found}, rule_uncertain)
                # an amount belongs to eligible and maybe results only
                amounts = [] if status == NOT_ELIGIBLE else [
                    (pid, _status({outcomes[cid].status for cid in when}, False))
                    for pid, when in tiers]
                results.append(BenefitResult(benefit, member_id, status,
                                             list(zip(conditions, found, strict=True)),
                                             amounts, received is not None
                                             and outcomes[received].status == MET))
        return results
