"""The full answer written from kept result bytes (app/answer_json.py) is the same bytes
as encoding present.response_dict whole, whatever is kept."""

from __future__ import annotations

import random

import oracle
import orjson
import pytest

from app import answer_json
from app.answer_json import AnswerWriter
from app.json_provider import OPTIONS
from app.present import response_dict
from app.validation import validate


def _households(book, count: int, seed: int):
    rng = random.Random(seed)
    edges = oracle.boundary_numbers(book)
    for i in range(count):
        payload = oracle.random_payload(rng, book, edges)
        if i % 10 == 0:  # member ids with quotes, backslashes, non-ASCII and separators
            ids = {m["id"]: f'"{m["id"]}" \\ 成员\u2028' for m in payload["members"]}
            for member in payload["members"]:
                member["id"] = ids[member["id"]]
                if "is_guardian_of" in member:
                    member["is_guardian_of"] = ids[member["is_guardian_of"]]
        yield validate(payload, book.subdistrict_names(), oracle.random_as_of(rng, book))


@pytest.mark.parametrize("max_bytes", [answer_json.MAX_BYTES, 0])
def test_same_bytes_as_the_whole_answer_encoded(app, monkeypatch, max_bytes):
    monkeypatch.setattr(answer_json, "MAX_BYTES", max_bytes)
    checker = app.extensions["checker"]
    writer = AnswerWriter(checker.book, app.json.default)
    checked = 0
    for request in _households(checker.book, 100, 20261203 + max_bytes):
        results = checker.run(request)
        for lang in ("zh", "en"):
            whole = orjson.dumps(response_dict(checker.book, results, request.as_of, lang),
                                 default=app.json.default,
                                 option=OPTIONS | orjson.OPT_APPEND_NEWLINE)
            assert writer.full(results, request.as_of, lang) == whole
            checked += 1
    assert checked == 200
    assert (writer._bytes > 0) == (max_bytes > 0)
    assert writer._bytes <= max_bytes


def test_kept_bytes_hold_no_member_id(app):
    checker = app.extensions["checker"]
    writer = AnswerWriter(checker.book, app.json.default)
    request = validate({"household": {}, "members": [{"id": "SENTINEL-7f3a"}]},
                       checker.book.subdistrict_names(), oracle.random_as_of(
                           random.Random(1), checker.book))
    answer = writer.full(checker.run(request), request.as_of, "en")
    assert b"SENTINEL-7f3a" in answer
    kept = [part for entries in writer._kept.values() for entry in entries.values()
            for part in entry[1:]]
    assert kept and not any(b"SENTINEL" in part for part in kept)


def test_api_full_answer_is_the_service_dict(client, app):
    payload = {"household": {"hukou": "beijing_urban"},
               "members": [{"id": "a", "age": 70, "disability": None}]}
    response = client.post("/api/v1/check?lang=en", json=payload)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    with app.test_request_context("/?lang=en"):
        from app import service

        expected = service.check(service.parse(payload), "en")
    assert response.get_json() == expected


def test_every_result_field_but_the_member_is_keyed(app):
    """The kept bytes are keyed by the result's verdict (every field but the member). Two
    verdicts that differ in any field are different keys, or an answer could reuse bytes
    written for a result that differs in it."""
    from app.checker import BenefitResult, Verdict

    checker = app.extensions["checker"]
    writer = AnswerWriter(checker.book, app.json.default)
    request = next(_households(checker.book, 1, 7))
    result = checker.run(request)[0]
    v = result.verdict
    fields = {"benefit": v.benefit, "status": v.status, "conditions": v.conditions,
              "amount_tiers": v.amount_tiers, "already_received": v.already_received}
    assert set(fields) == set(Verdict.__slots__) - {"_key", "_hash"}
    assert Verdict(**fields) == v and hash(Verdict(**fields)) == hash(v)
    other_benefit = next(b for b in checker.book.benefits.values() if b.id != v.benefit.id)
    other_outcome = ((v.conditions[0][0], v.conditions[0][1]._replace(status="made-up")),
                     *v.conditions[1:])
    changes = {"benefit": other_benefit, "status": "made-up", "conditions": other_outcome,
               "amount_tiers": (("made-up", "eligible"),),
               "already_received": not v.already_received}
    for name, value in changes.items():
        changed = Verdict(**{**fields, name: value})
        assert changed != v, name
    writer.full([result], request.as_of, "en")
    changed = BenefitResult(Verdict(**{**fields, "status": "made-up"}), result.member)
    assert b"made-up" in writer.full([changed], request.as_of, "en")
