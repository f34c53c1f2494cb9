"""The only module that touches durable_rules (see shared/durable-rules.md).

At start-up every condition of the rule files becomes one engine rule named
after it, plus rules for its "uncertain", "stale" and "possible" readings (see
RuleKey), grouped into rulesets of at most RULES_PER_RULESET rules. A dated figure
is not compiled in: each check puts the band it lies in on its date into the
facts, and the rules compare with those fields. The C module
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
from collections.abc import Iterator
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

# An action message is {"<rule name>":{"m":<the matched fact>}} (durable_rules'
# serializeResult, for a rule of one fact and no count or cap), the fact as asserted: decide
# asserts each fact with its id last, so the name and the id are read off the message's two
# ends without parsing the whole fact for every rule that fired. Anything else is parsed.
_FACT_END = '"}}}'  # the id's closing quote, the fact's, the frame's and the message's braces
_ID_FIELD = '"id":'

_COMPARE = {"at_least": "$gte", "at_most": "$lte", "less_than": "$lt", "more_than": "$gt"}


MET, UNCERTAIN, STALE, POSSIBLE = "met", "uncertain", "stale", "possible"


class RuleKey(NamedTuple):
    """What an engine rule stands for, for one condition (a tuple: checks look these up
    thousands of times, and a tuple hashes in C):
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


def band_keys(pid: str) -> tuple[str, str, str]:
    """The fields of a subject's engine fact that say where a dated figure lies on the
    check's date: whether it is known then (1.0 or 0.0), its low and its high end (equal
    while the figure is trusted; 0.0 when not known). They are always there: comparing
    with a field a fact lacks gives unreliable answers in the engine."""
    return f"p__{pid}__known", f"p__{pid}__low", f"p__{pid}__high"


def unknown_key(path: str) -> str:
    """The engine field that marks a fact as not known for this subject."""
    return "u__" + engine_key(path)


def as_engine_value(value):
    # numbers are all floats in the engine: mixed types compare unreliably
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def compile_test(test: Test, either: bool = False, possible: bool = False) -> dict:
    """The engine form of a test. A leaf comparing with a dated figure compares with
    both ends of the band the figure lies in on the check's date (fields of the same
    fact, see band_keys): it must hold at both (or, with `either`, at one of them). The
    test is monotone in the figure, so that is the same as deciding the whole test at
    both ends. A leaf on a figure not known on the date does not hold. With
    `possible`, a leaf also holds when its fact is marked unknown."""
    if test.op in ("all", "any"):
        joined = [compile_test(c, either, possible) for c in test.children]
        return {"$and" if test.op == "all" else "$or": joined}
    if test.parameter:
        known, low, high = band_keys(test.parameter)
        ends = {"$or" if either else "$and": [_leaf(test, {"$m": low}),
                                              _leaf(test, {"$m": high})]}
        leaf = {"$and": [{known: 1.0}, ends]}
    else:
        leaf = _leaf(test, test.value)
    if possible:
        return {"$or": [leaf, {unknown_key(test.path): 1.0}]}
    return leaf


def _leaf(test: Test, value) -> dict:
    key = engine_key(test.path)
    if test.op == "equals":
        return {key: as_engine_value(value)}
    if test.op == "not_equals":
        return {"$neq": {key: as_engine_value(value)}}
    if test.op == "in":  # the engine has no $in (error 202)
        return {"$or": [{key: as_engine_value(v)} for v in value]}
    if test.op == "not_in":
        return {"$and": [{"$neq": {key: as_engine_value(v)}} for v in value]}
    return {_COMPARE[test.op]: {key: as_engine_value(value)}}


def _rule(subject: str, body: dict) -> dict:
    # the discriminator first: a rule of only $nex tests would match the engine's own state
    return {"all": [{"m": {"$and": [{"t": subject}, body]}}]}


def alternatives(c: Condition) -> list[Test]:
    """The ways a condition can hold (or be left open): the parts of an "any" test, or
    the test itself, for its test and its `uncertain_if`."""
    tests = [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
    return [a for t in tests for a in (t.children if t.op == "any" else (t,))]


def multi_fact_alternatives(c: Condition) -> list[Test]:
    """The alternatives over several facts. Whether unknown facts could make one of
    those hold is for the engine to find (a "possible" rule each). An alternative over
    one fact that did not hold could hold exactly when that fact is unknown."""
    return [a for a in alternatives(c) if len(a.paths()) > 1]


def single_fact_paths(c: Condition) -> frozenset[str]:
    return frozenset(p for a in alternatives(c) if len(a.paths()) == 1 for p in a.paths())


def compile_condition(c: Condition, parameters: dict[str, Parameter]
                      ) -> dict[str, tuple[RuleKey, dict]]:
    """Engine rules for one condition, by rule name."""
    rules = {c.id: (RuleKey(c.id), _rule(c.subject, compile_test(c.test)))}
    pids = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    if any(parameters[pid].revisions is not None for pid in pids):
        # a figure past its trust horizon: the test holds at one end of its band only
        rules[c.id + "~stale"] = (RuleKey(c.id, STALE),
                                  _rule(c.subject, compile_test(c.test, either=True)))
    if c.uncertain_if is not None:
        rules[c.id + "~uncertain"] = (RuleKey(c.id, UNCERTAIN), _rule(
            c.subject, compile_test(c.uncertain_if, either=True)))
    for j, alternative in enumerate(multi_fact_alternatives(c)):
        # one rule per alternative: the engine refuses rules with too many tests (error
        # 113), and "any of" is the same as several rules
        rules[f"{c.id}~possible{j}"] = (RuleKey(c.id, POSSIBLE), _rule(
            c.subject, compile_test(alternative, either=True, possible=True)))
    return rules


def _fields(rules) -> Iterator[str]:
    """The fact fields that the engine rules compare (keys that are not operators, and
    the fields a "$m" reads)."""
    for node in rules:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$m":
                    yield value
                    continue
                if not key.startswith("$"):
                    yield key
                yield from _fields([value])
        elif isinstance(node, list):
            yield from _fields(node)


def _fired(message: str) -> list[tuple[str, str]]:
    """(rule name, id of the matched fact) for each rule in one action message."""
    if message.endswith(_FACT_END):
        quote = message.rfind('"', 0, -4)  # the id's opening quote
        if message.startswith(_ID_FIELD, quote - 5):
            return [(message[2:message.index('"', 2)], message[quote + 1:-4])]
    return [(name, matched["m"]["id"]) for name, matched in orjson.loads(message).items()]


class Engine:
    def __init__(self, book: Rulebook):
        # identical rules (the "in force" test of benefits with the same dates) are
        # compiled once; what fires stands for every condition that has it
        bodies: dict[str, str] = {}  # rule body (JSON) → rule name
        all_rules: dict[str, dict] = {}
        self.keys: dict[str, list[RuleKey]] = {}
        for condition in book.conditions.values():
            for name, (key, rule) in compile_condition(condition, book.parameters).items():
                body = json.dumps(rule, sort_keys=True, ensure_ascii=False)
                name = bodies.setdefault(body, name)
                all_rules[name] = rule
                self.keys.setdefault(name, []).append(key)
        # the fields of a fact that some rule reads: the others need not be asserted
        self.fields = frozenset(_fields(  # inside each rule's patterns: not "all", "m"
            [pattern for rule in all_rules.values() for frame in rule["all"]
             for pattern in frame.values()]))
        # the facts whose "unknown" mark some rule reads
        self.marked_paths = frozenset(
            path for c in book.conditions.values() for a in multi_fact_alternatives(c)
            for path in a.paths())
        names = sorted(all_rules)
        self.handles = []
        for start in range(0, len(names), RULES_PER_RULESET - 1):
            chunk = {n: all_rules[n] for n in names[start:start + RULES_PER_RULESET - 1]}
            chunk[SENTINEL] = {"all": [{"m": {"t": "household"}}]}
            with _names_lock:
                ruleset = f"fengtai_{next(_names)}"
            self.handles.append(dre.create_ruleset(ruleset, json.dumps(chunk, ensure_ascii=False)))

    @property
    def rule_count(self) -> int:
        return len(self.keys)

    def decide(self, facts: list[dict]) -> dict[str, list[RuleKey]]:
        """Assert facts (each with "t" and a unique "id"; exactly one household fact) in fresh
        sessions; return what fired: per fact id, the keys of the rules that matched it."""
        if sum(1 for f in facts if f.get("t") == "household") != 1:
            raise ValueError("a check asserts exactly one household fact")
        sid = uuid.uuid4().hex
        asserted = []
        for f in facts:
            fact = {"sid": sid, **f}
            fact["id"] = fact.pop("id")  # last: _fired reads it off the message's end
            asserted.append(fact)
        payload = orjson.dumps(asserted).decode()
        keys, fired = self.keys, {}
        for handle in self.handles:
            try:
                # the result code says nothing reliable about matches for a batch: ask for
                # the actions of this session's state either way
                state_handle = dre.assert_facts(handle, payload)[1]
                action = dre.start_action_for_state(handle, state_handle)
                message = action[1] if action else None
                while message:
                    for name, fact_id in _fired(message):
                        found = keys.get(name)  # None: the sentinel
                        if found is not None:
                            if fact_id in fired:
                                fired[fact_id] += found
                            else:
                                fired[fact_id] = list(found)
                    message = dre.complete_and_start_action(handle, state_handle)
            finally:
                dre.delete_state(handle, sid)
        return fired

    def close(self) -> None:
        for handle in self.handles:
            dre.delete_ruleset(handle)
        self.handles = []
