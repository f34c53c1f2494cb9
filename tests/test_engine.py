"""The engine under load: many different households checked at once, each answer compared
with tests/oracle.py, and no engine session left behind (shared/durable-rules.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import threading
import time
from collections import Counter

import durable_rules_engine as dre
import pytest
from oracle import boundary_numbers, evaluate, random_payload

import app.rulebook.engine as engine_module
from app.checker import Checker
from app.validation import validate

THREADS = 8
# `make test` runs a short soak; `make soak` runs 2,000 checks a thread
PER_THREAD = int(os.environ.get("ENGINE_CHECKS_PER_THREAD", "250"))
TODAY = dt.date(2026, 12, 1)
SESSION_LIMIT = 1024  # live sessions a ruleset holds before MemoryError
SID = re.compile(r'"sid": ?"([^"]+)"')


class Spy:
    """Stands in for the durable_rules_engine module inside app.rulebook.engine and
    records which (ruleset handle, session id) pairs were opened and deleted."""

    def __init__(self, fail_on_action: int | None = None):
        self.opened: list[tuple[int, str]] = []
        self.deleted: list[tuple[int, str]] = []
        self.rulesets: list[tuple[str, dict]] = []
        self.actions = 0
        self.fail_on_action = fail_on_action

    def __getattr__(self, name):
        return getattr(dre, name)

    def create_ruleset(self, name, text):
        self.rulesets.append((name, json.loads(text)))
        return dre.create_ruleset(name, text)

    def assert_facts(self, handle, payload):
        sids = set(SID.findall(payload))
        assert len(sids) == 1, "one session per check"
        self.opened.append((handle, sids.pop()))
        return dre.assert_facts(handle, payload)

    def start_action_for_state(self, handle, state):
        self.actions += 1
        if self.actions == self.fail_on_action:
            raise RuntimeError("injected failure")
        return dre.start_action_for_state(handle, state)

    def delete_state(self, handle, sid):
        self.deleted.append((handle, sid))
        return dre.delete_state(handle, sid)


def _got(results) -> dict:
    got = {}
    for r in results:
        key = (r.benefit.id, r.member)
        assert key not in got, f"{key} answered twice"
        got[key] = (r.status, [(c.id, o.status) for c, o in r.conditions], list(r.amount_tiers))
    return got


def differences(book, request, results, seen: Counter | None = None) -> list[str]:
    """What the engine answered differently from the oracle; `seen` counts the statuses."""
    expected = evaluate(book, request)
    if seen is not None:
        for (bid, _), want in expected.items():
            seen[(bid, want.status)] += 1
            seen.update(want.conditions)
    got = _got(results)
    if set(got) != set(expected):
        return [f"answered {sorted(set(got) ^ set(expected), key=str)} wrongly"]
    found = []
    for key, want in expected.items():
        status, conditions, tiers = got[key]
        if (status, conditions, tiers) != (want.status, want.conditions, want.tiers):
            found.append(f"{key}: engine {status} {conditions} {tiers}; "
                         f"oracle {want.status} {want.conditions} {want.tiers}")
    return found


def _request(book, payload):
    return validate(payload, book.subdistrict_names(), TODAY)


def test_oracle_and_engine_agree_on_known_households(checker):
    """A few hand-made cases first, so a failure in the big run is easier to read."""
    book = checker.book
    payloads = [
        {"as_of": "2025-03-01", "household": {"hukou": "beijing_urban"},
         "members": [{"id": "a", "age": 34, "needs_long_term_care": True,
                      "disability": {"certificate": True, "category": "physical", "grade": 2}},
                     {"id": "b", "disability": None}, {"id": "c"},
                     {"id": "d", "disability": {}, "is_guardian_of": "a"}]},
        {"members": [{"id": "x"}]},
        {"as_of": "2015-01-01", "household": {"monthly_income_per_person": 710},
         "members": [{"id": "x", "disability": {"grade": 3, "category": "mental"}}]},
    ]
    for payload in payloads:
        request = _request(book, payload)
        assert differences(book, request, checker.run(request)) == []


def test_eight_threads_of_random_households_match_the_oracle(checker, monkeypatch):
    book = checker.book
    edges = boundary_numbers(book)
    spy = Spy()
    monkeypatch.setattr(engine_module, "dre", spy)
    barrier = threading.Barrier(THREADS)
    failures: list[str] = []
    done = Counter()
    seen = [Counter() for _ in range(THREADS)]

    def work(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(PER_THREAD):
                payload = random_payload(rng, book, edges)
                request = _request(book, payload)
                found = differences(book, request, checker.run(request), seen[seed])
                if found:
                    failures.append(f"{json.dumps(payload, ensure_ascii=False)}\n  " +
                                    "\n  ".join(found[:5]))
                done[seed] += 1
        except Exception as error:  # reported below, with the thread's seed
            failures.append(f"thread {seed}: {error!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    assert failures == [], f"{len(failures)} wrong answers, first: {failures[:3]}"
    assert sum(done.values()) == THREADS * PER_THREAD
    # every session opened was deleted, once, in the ruleset that opened it
    assert Counter(spy.deleted) == Counter(spy.opened)
    sids = {sid for _, sid in spy.opened}
    assert len(sids) == THREADS * PER_THREAD, "each check uses its own session"
    assert len(spy.opened) == len(sids) * len(checker.engine.handles)
    print(f"{THREADS * PER_THREAD} checks in {elapsed:.1f} s")

    # the random households reached every branch: a run where nothing is ever met proves little
    total = sum(seen, Counter())
    for benefit in book.benefits.values():
        for cid in benefit.conditions:
            # an "in force" condition whose earlier dates are unknown is never unmet
            assert total[(cid, "met")] and (total[(cid, "unmet")] or total[(cid, "unknown")]), (
                cid, total[(cid, "met")])
        wanted = {"maybe", "not_eligible"} | (set() if benefit.uncertainty else {"eligible"})
        assert all(total[(benefit.id, status)] for status in wanted), benefit.id


def test_no_session_is_left_behind_after_a_failure(checker, monkeypatch):
    book = checker.book
    spy = Spy(fail_on_action=1)
    monkeypatch.setattr(engine_module, "dre", spy)
    request = _request(book, {"household": {"hukou": "beijing_urban"},
                              "members": [{"id": "a", "disability": {"certificate": True}}]})
    with pytest.raises(RuntimeError, match="injected"):
        checker.run(request)
    assert spy.opened and Counter(spy.deleted) == Counter(spy.opened)
    # more checks than a ruleset has room for live sessions: a leak would raise MemoryError
    for _ in range(SESSION_LIMIT + 100):
        results = checker.run(request)
    assert differences(book, request, results) == []
    assert Counter(spy.deleted) == Counter(spy.opened)


def test_compiled_rulesets_respect_the_engine_limits(book, monkeypatch):
    spy = Spy()
    monkeypatch.setattr(engine_module, "dre", spy)
    first = Checker(book)
    second = Checker(book)  # the same rulebook compiled twice in one process
    per_compile, rule_count = len(first.engine.handles), first.engine.rule_count
    try:
        request = _request(book, {"as_of": "2024-08-01", "household": {"hukou": "beijing_rural"},
                                  "members": [{"id": "a", "age": 70, "disability": {
                                      "certificate": True, "category": "visual", "grade": 1}}]})
        assert _got(first.run(request)) == _got(second.run(request))
        assert differences(book, request, second.run(request)) == []
    finally:
        first.engine.close()
        second.engine.close()

    names = [name for name, _ in spy.rulesets]
    assert len(names) == len(set(names)), "each compilation gets its own ruleset names"
    assert len(spy.rulesets) == 2 * per_compile
    sentinel = getattr(engine_module, "SENTINEL", None)  # one bookkeeping rule per ruleset
    assert sum(len(set(rules) - {sentinel}) for _, rules in spy.rulesets) == 2 * rule_count
    for name, rules in spy.rulesets:
        assert 0 < len(rules) <= 60, f"{name} has {len(rules)} rules"
        assert "$in" not in _keys(rules), f"{name} uses $in, which the engine lacks"
        for rule_name, rule in rules.items():
            (pattern,) = rule["all"]
            match = pattern["m"]
            first_test = match["$and"][0] if "$and" in match else match
            assert list(first_test) == ["t"] and first_test["t"] in ("household", "member"), (
                f"{rule_name} does not start with the discriminator")


def _keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | set().union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node)) if node else set()
    return set()


def test_every_condition_is_compiled_to_engine_rules(checker):
    """The engine decides every condition: none is left to Python."""
    covered = {key.condition for keys in checker.engine.keys.values() for key in keys}
    assert covered == set(checker.book.conditions)


def test_a_check_in_which_no_condition_holds_still_cleans_up(checker):
    """Deleting a session in which no rule matched crashed durable_rules 2.0.28 (free():
    invalid pointer); the engine's always-matching household rule keeps every session
    deletable. A household with nothing known matches no condition at all."""
    bare = [{"t": "household", "id": "h"}, {"t": "member", "id": "m0"}]
    for _ in range(1100):  # more than the 1024 live sessions a ruleset can hold
        assert checker.engine.decide(bare) == {}


def test_a_check_without_its_household_fact_is_refused(checker):
    with pytest.raises(ValueError):
        checker.engine.decide([{"t": "member", "id": "m0"}])


def test_only_the_fields_some_rule_reads_are_asserted(checker):
    """A fact field that no engine rule compares is left out of the engine fact (the
    subdistrict, a member's relation); every field a rule compares, a dated figure's band
    included, is kept."""
    from app.checker import engine_fact, prepare

    fields = checker.engine.fields
    rules = json.dumps([rule for _, rule in _compiled(checker)], ensure_ascii=False)
    assert {"household__subdistrict", "member__relation"}.isdisjoint(fields)
    assert "t" in fields and {"all", "m"}.isdisjoint(fields)  # the rules' shape, not fields
    for field in fields:
        assert f'"{field}"' in rules
    request = validate({"household": {"subdistrict": "方庄街道", "hukou": "beijing_urban"},
                        "members": [{"id": "a", "relation": "self", "age": 30}]},
                       checker.book.subdistrict_names(), dt.date(2026, 12, 1))
    household, members = prepare(request, checker.book, checker.compared)
    fact = engine_fact("member", members[0], checker.engine.marked_paths,
                       checker._engine_keys)
    assert "household__subdistrict" not in fact and "member__relation" not in fact
    assert fact["member__age"] == 30.0 and fact["household__hukou"] == "beijing_urban"
    assert {"p__dibao-standard__low", "p__dibao-standard__known"} <= set(fact)


def _compiled(checker):
    from app.rulebook.engine import compile_condition

    for condition in checker.book.conditions.values():
        yield from compile_condition(condition, checker.book.parameters).values()


def test_verdicts_kept_are_bounded_and_change_no_result(book, checker, monkeypatch):
    """Past MAX_VERDICTS, verdicts are made for each result and not kept; the results are
    the same either way."""
    import app.checker as checker_module

    monkeypatch.setattr(checker_module, "MAX_VERDICTS", 5)
    small = Checker(book)
    try:
        rng = random.Random(77)
        edges = boundary_numbers(book)
        for _ in range(30):
            request = validate(random_payload(rng, book, edges), book.subdistrict_names(),
                               dt.date(2026, 12, 1))
            assert [(r.benefit.id, r.member, r.verdict) for r in small.run(request)] == [
                (r.benefit.id, r.member, r.verdict) for r in checker.run(request)]
        assert small._kept == 5 == sum(len(v) for v in small._verdicts)
    finally:
        small.engine.close()


def test_action_messages_are_read_off_their_ends(checker, monkeypatch):
    """Every action message of a real check is read without parsing its fact (the id is
    asserted last); the results equal the oracle's. A message of another shape (an id not
    last, several rules) is still read, by parsing it."""
    book = checker.book
    rng = random.Random(5)
    requests = [_request(book, random_payload(rng, book, boundary_numbers(book)))
                for _ in range(30)]

    class NoParsing:
        dumps = staticmethod(engine_module.orjson.dumps)

        @staticmethod
        def loads(message):
            raise AssertionError(f"parsed a whole action message: {message[:80]}")

    monkeypatch.setattr(engine_module, "orjson", NoParsing)
    for request in requests:
        assert differences(book, request, checker.run(request)) == []
    monkeypatch.undo()
    fired = engine_module._fired
    assert fired('{"r1":{"m":{"sid":"s","t":"member","x":1.0,"id":"m12"}}}') == [("r1", "m12")]
    assert fired('{"r1":{"m":{"t":"member","id":"m0","x":"a\\"}}}"}}}') == [("r1", "m0")]
    assert fired('{"r1":{"m":{"id":"h","t":"household"}},'
                 '"r2":{"m":{"id":"m1","t":"member"}}}') == [("r1", "h"), ("r2", "m1")]
