"""The only module that touches durable_rules (see shared/durable-rules.md).

At start-up every condition of the rule files becomes one engine rule named
after it (one per period of a dated figure), plus rules for its "uncertain",
"stale" and "possible" readings (see RuleKey),
grouped into rulesets of at most RULES_PER_RULESET rules. The C module
is used directly: no stock Host, so no timer threads that steal actions.

Per check: facts are asserted in a fresh session of every ruleset, the rules
that fired are collected, and the session is deleted in `finally`. What fired
is the engine's decision; callers only combine it.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass

import durable_rules_engine as dre

from app.facts import engine_key
from app.rulebook.model import STALE_REVISIONS, Condition, Parameter, Rulebook, Test

RULES_PER_RULESET = 60
# Every ruleset gets this rule, which matches the household fact every check
# asserts. A session in which nothing matched makes delete_state crash the
# process ("free(): invalid pointer", seen here with durable_rules 2.0.28), so
# every session must have at least one match.
SENTINEL = "__session__"
_names = itertools.count()
_names_lock = threading.Lock()

_COMPARE = {"at_least": "$gte", "at_most": "$lte", "less_than": "$lt", "more_than": "$gt"}


MET, UNCERTAIN, STALE, POSSIBLE = "met", "uncertain", "stale", "possible"


@dataclass(frozen=True)
class RuleKey:
    """What an engine rule stands for, for one condition:
    - "met": its test holds;
    - "uncertain": its `uncertain_if` test holds (the sources leave the case open);
    - "stale": its test holds for some but not all values a figure past its trust
      horizon may have reached (an expected revision could flip it);
    - "possible": some facts are unknown, and values for them exist that would make the
      test (or `uncertain_if`) hold. Compiled only for tests over two or more facts: with
      one fact, an unknown fact always leaves the condition open."""

    condition: str
    kind: str = MET


def parameter_key(pid: str) -> str:
    return "p__" + pid


def unknown_key(path: str) -> str:
    """The engine field that marks a fact as not known for this subject."""
    return "u__" + engine_key(path)


def as_engine_value(value):
    # numbers are all floats in the engine: mixed types compare unreliably
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def compile_test(test: Test, low: float | None = None, high: float | None = None,
                 either: bool = False, possible: bool = False) -> dict:
    """The engine form of a test, with a figure's value filled in. When the figure lies in
    a band (low < high), a leaf comparing with it must hold at both ends of the band (or,
    with `either`, at one of them): the test is monotone in the figure, so that is the
    same as deciding the whole test at both ends. With `possible`, a leaf also holds when
    its fact is marked unknown."""
    if test.op in ("all", "any"):
        joined = [compile_test(c, low, high, either, possible) for c in test.children]
        return {"$and" if test.op == "all" else "$or": joined}
    high = low if high is None else high
    if test.parameter and low is None:
        leaf = NEVER  # the figure is not known on the check's date
    else:
        leaf = _leaf(test, low)
    if test.parameter and low != high:
        leaf = {"$or" if either else "$and": [leaf, _leaf(test, high)]}
    if possible:
        return {"$or": [leaf, {unknown_key(test.path): 1.0}]}
    return leaf


# A test no fact passes ("t" is always "household" or "member")
NEVER = {"t": "__never__"}
# The period asserted for a figure not known on the check's date
UNKNOWN_PERIOD = -1


def _leaf(test: Test, parameter_value: float | None) -> dict:
    key = engine_key(test.path)
    value = parameter_value if test.parameter else test.value
    if test.op == "equals":
        return {key: as_engine_value(value)}
    if test.op == "not_equals":
        return {"$neq": {key: as_engine_value(value)}}
    if test.op == "in":  # the engine has no $in (error 202)
        return {"$or": [{key: as_engine_value(v)} for v in value]}
    if test.op == "not_in":
        return {"$and": [{"$neq": {key: as_engine_value(v)}} for v in value]}
    return {_COMPARE[test.op]: {key: as_engine_value(value)}}


def _rule(subject: str, body: dict, period: tuple[str, int] | None) -> dict:
    # the discriminator first: a rule of only $nex tests would match the engine's own state
    parts = [{"t": subject}]
    if period is not None:
        parts.append({parameter_key(period[0]): float(period[1])})
    parts.append(body)
    return {"all": [{"m": {"$and": parts}}]}


def has_possible_rule(c: Condition) -> bool:
    tests = [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
    return len(set().union(*(t.paths() for t in tests))) > 1


def compile_condition(c: Condition, parameters: dict[str, Parameter]
                      ) -> dict[str, tuple[RuleKey, dict]]:
    """Engine rules for one condition, by rule name: per period of its figure (a known
    value, or the k-th expected revision past the last one, where the figure lies in a
    band and the test is decided at both ends of it)."""
    rules: dict[str, tuple[RuleKey, dict]] = {}
    pids = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    if pids:
        parameter = parameters[next(iter(pids))]
        # the unknown period: a test can still hold by a branch without the figure
        periods = [(UNKNOWN_PERIOD, None, None)]
        periods += [(i, v.value, v.value) for i, v in enumerate(parameter.values)]
        if parameter.revisions is not None:
            last = len(parameter.values) - 1
            periods += [(last + k, *parameter.band(k)) for k in range(1, STALE_REVISIONS + 1)]
        pid: str | None = parameter.id
    else:
        periods, pid = [(0, None, None)], None
    for index, low, high in periods:
        def add(name: str, key: RuleKey, body: dict, index=index) -> None:
            suffix = f"@{index}" if pid else ""
            suffix = suffix.replace("@-", "@unknown")
            rules[name + suffix] = (key, _rule(c.subject, body, (pid, index) if pid else None))

        add(c.id, RuleKey(c.id), compile_test(c.test, low, high))
        if low != high:
            add(c.id + "~stale", RuleKey(c.id, STALE), compile_test(c.test, low, high, True))
        if c.uncertain_if is not None:
            add(c.id + "~uncertain", RuleKey(c.id, UNCERTAIN),
                compile_test(c.uncertain_if, low, high, True))
        if has_possible_rule(c):
            # one rule per alternative: the engine refuses rules with too many tests
            # (error 113), and "any of" is the same as several rules
            tests = [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
            alternatives = [a for t in tests for a in (t.children if t.op == "any" else (t,))]
            for j, alternative in enumerate(alternatives):
                add(f"{c.id}~possible{j}", RuleKey(c.id, POSSIBLE),
                    compile_test(alternative, low, high, True, possible=True))
    return rules


class Engine:
    def __init__(self, book: Rulebook):
        all_rules: dict[str, tuple[RuleKey, dict]] = {}
        for condition in book.conditions.values():
            all_rules.update(compile_condition(condition, book.parameters))
        self.keys = {name: key for name, (key, _) in all_rules.items()}
        # the facts whose "unknown" mark some rule reads
        self.marked_paths = frozenset(
            path for c in book.conditions.values() if has_possible_rule(c)
            for t in [c.test] + ([c.uncertain_if] if c.uncertain_if else []) for path in t.paths())
        names = sorted(all_rules)
        self.handles = []
        for start in range(0, len(names), RULES_PER_RULESET - 1):
            chunk = {n: all_rules[n][1] for n in names[start:start + RULES_PER_RULESET - 1]}
            chunk[SENTINEL] = {"all": [{"m": {"t": "household"}}]}
            with _names_lock:
                ruleset = f"fengtai_{next(_names)}"
            self.handles.append(dre.create_ruleset(ruleset, json.dumps(chunk, ensure_ascii=False)))

    @property
    def rule_count(self) -> int:
        return len(self.keys)

    def decide(self, facts: list[dict]) -> set[tuple[RuleKey, str]]:
        """Assert facts (each with "t" and a unique "id"; exactly one household fact) in fresh
        sessions; return what fired as (rule key, fact id)."""
        if sum(1 for f in facts if f.get("t") == "household") != 1:
            raise ValueError("a check asserts exactly one household fact")
        sid = uuid.uuid4().hex
        payload = json.dumps([{**f, "sid": sid} for f in facts], ensure_ascii=False)
        fired: set[tuple[RuleKey, str]] = set()
        for handle in self.handles:
            try:
                # the result code says nothing reliable about matches for a batch: ask for
                # the actions of this session's state either way
                state_handle = dre.assert_facts(handle, payload)[1]
                action = dre.start_action_for_state(handle, state_handle)
                message = action[1] if action else None
                while message:
                    for name, matched in json.loads(message).items():
                        if name != SENTINEL:
                            fired.add((self.keys[name], matched["m"]["id"]))
                    message = dre.complete_and_start_action(handle, state_handle)
            finally:
                dre.delete_state(handle, sid)
        return fired

    def close(self) -> None:
        for handle in self.handles:
            dre.delete_ruleset(handle)
        self.handles = []
