"""The only module that touches durable_rules (see shared/durable-rules.md).

At start-up every condition of the rule files becomes one engine rule named
after it (plus one per dated parameter period, and one for its "uncertain"
band), grouped into rulesets of at most RULES_PER_RULESET rules. The C module
is used directly: no stock Host, so no timer threads that steal actions.

Per check: facts are asserted in a fresh session of every ruleset, the rules
that fired are collected, and the session is deleted in `finally`. What fired
is the engine's decision; callers only combine it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from typing import NamedTuple

import durable_rules_engine as dre
import orjson

from app.facts import engine_key
from app.rulebook.model import Condition, Parameter, Rulebook, Test

RULES_PER_RULESET = 60
# Every ruleset gets this rule, which matches the household fact every check
# asserts. A session in which nothing matched makes delete_state crash the
# process ("free(): invalid pointer", seen here with durable_rules 2.0.28), so
# every session must have at least one match.
SENTINEL = "__session__"
_names = itertools.count()
_names_lock = threading.Lock()

# An action message is {"<rule name>": {"m": <the matched fact>}}, the fact's fields in the
# order asserted ("t", "id" first). Reading the name and id off its start saves parsing the
# whole fact for every rule that fired; anything else is parsed in full.
_ACTION = re.compile(r'\{"([^"\\]+)":\{"m":\{"t":"[^"\\]*","id":"([^"\\]*)","')

_COMPARE = {"at_least": "$gte", "at_most": "$lte", "less_than": "$lt", "more_than": "$gt"}


class RuleKey(NamedTuple):
    """What an engine rule stands for: a condition, its uncertain band or not. (A tuple:
    checks look these up thousands of times, and a tuple hashes in C.)"""

    condition: str
    uncertain: bool = False


def parameter_key(pid: str) -> str:
    return "p__" + pid


def as_engine_value(value):
    # numbers are all floats in the engine: mixed types compare unreliably
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def compile_test(test: Test, parameter_value: float | None = None) -> dict:
    if test.op in ("all", "any"):
        joined = [compile_test(c, parameter_value) for c in test.children]
        return {"$and" if test.op == "all" else "$or": joined}
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


def compile_condition(c: Condition, parameters: dict[str, Parameter]
                      ) -> dict[str, tuple[RuleKey, dict]]:
    """Engine rules for one condition, by rule name."""
    rules: dict[str, tuple[RuleKey, dict]] = {}
    variants = [(c.test, RuleKey(c.id))]
    if c.uncertain_if is not None:
        variants.append((c.uncertain_if, RuleKey(c.id, uncertain=True)))
    for test, key in variants:
        base = c.id + ("~uncertain" if key.uncertain else "")
        pids = test.parameters()
        if not pids:
            rules[base] = (key, _rule(c.subject, compile_test(test), None))
            continue
        pid = next(iter(pids))
        for index, period in enumerate(parameters[pid].values):
            rules[f"{base}@{index}"] = (key, _rule(c.subject, compile_test(test, period.value),
                                                   (pid, index)))
    return rules


def _fired(message: str) -> list[tuple[str, str]]:
    """(rule name, id of the matched fact) for each rule in one action message."""
    start = _ACTION.match(message)
    if start is not None and message.count('":{"m":{"t":"') == 1:
        return [start.groups()]
    return [(name, matched["m"]["id"]) for name, matched in orjson.loads(message).items()]


class Engine:
    def __init__(self, book: Rulebook):
        all_rules: dict[str, tuple[RuleKey, dict]] = {}
        for condition in book.conditions.values():
            all_rules.update(compile_condition(condition, book.parameters))
        self.keys = {name: key for name, (key, _) in all_rules.items()}
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
        payload = orjson.dumps([{**f, "sid": sid} for f in facts]).decode()
        fired: set[tuple[RuleKey, str]] = set()
        for handle in self.handles:
            try:
                # the result code says nothing reliable about matches for a batch: ask for
                # the actions of this session's state either way
                state_handle = dre.assert_facts(handle, payload)[1]
                action = dre.start_action_for_state(handle, state_handle)
                message = action[1] if action else None
                while message:
                    for name, fact_id in _fired(message):
                        if name != SENTINEL:
                            fired.add((self.keys[name], fact_id))
                    message = dre.complete_and_start_action(handle, state_handle)
            finally:
                dre.delete_state(handle, sid)
        return fired

    def close(self) -> None:
        for handle in self.handles:
            dre.delete_ruleset(handle)
        self.handles = []
