"""/api/v1/openapi.json: a valid OpenAPI document that describes what the API really does."""

from __future__ import annotations

import copy
import json
import random

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec
from oracle import boundary_numbers, random_payload
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from test_api import BAD, CHECK, CONTRACT_EXAMPLE, VALID, post

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MAX_MEMBERS, MEMBER_FACTS

DOC = "urn:fengtai:openapi"


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validator(document, name: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema validator for one component, with its $refs resolved in the document."""
    registry = Registry().with_resource(
        DOC, Resource.from_contents(document, default_specification=DRAFT202012))
    return jsonschema.Draft202012Validator(
        {"$ref": f"{DOC}#/components/schemas/{name}"}, registry=registry,
        format_checker=jsonschema.FormatChecker())


def response_validator(document, path: str, status: str) -> jsonschema.Draft202012Validator:
    operation = next(iter(document["paths"][path].values()))
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    registry = Registry().with_resource(
        DOC, Resource.from_contents(document, default_specification=DRAFT202012))
    if "anyOf" in schema:  # the check's full or compact answer
        schema = {"anyOf": [{"$ref": DOC + s["$ref"]} for s in schema["anyOf"]]}
    else:
        schema = {"$ref": DOC + schema["$ref"]}
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.FormatChecker())


def test_document_is_valid_openapi(document):
    validate_spec(copy.deepcopy(document))
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/check", "/api/v1/benefits"} <= set(document["paths"])


def test_real_answers_match_the_200_schema(client, document, book):
    check = response_validator(document, "/api/v1/check", "200")
    rng = random.Random(7)
    edges = boundary_numbers(book)
    payloads = [CONTRACT_EXAMPLE, VALID, {"members": [{"id": "x"}]},
                *[random_payload(rng, book, edges) for _ in range(25)]]
    for payload in payloads:
        for query in ("", "?lang=en"):
            response = post(client, payload, query)
            assert response.status_code == 200
            check.validate(response.get_json())


def test_compact_answers_match_their_schema_and_the_full_answer_in_status(client, document,
                                                                         book):
    compact = validator(document, "CompactCheckResponse")
    full = validator(document, "CheckResponse")
    rng = random.Random(11)
    edges = boundary_numbers(book)
    for payload in [VALID, *[random_payload(rng, book, edges) for _ in range(10)]]:
        short = post(client, payload, "?answer=compact&lang=en").get_json()
        whole = post(client, payload, "?lang=en").get_json()
        compact.validate(short)
        assert not full.is_valid(short) and not compact.is_valid(whole)
        assert [(r["benefit"], r["member"], r["status"]) for r in short["results"]] == \
            [(r["benefit"], r["member"], r["status"]) for r in whole["results"]]
        for brief, result in zip(short["results"], whole["results"], strict=True):
            unknown = sorted({p for c in result["conditions"] for p in c.get("missing_facts", ())})
            assert brief.get("missing_facts", []) == (unknown if result["status"] == "maybe"
                                                      else [])
    response = post(client, VALID, "?answer=everything&lang=en")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_answer"
    assert "full, compact" in response.get_json()["message"]


def test_real_errors_match_the_error_schemas(client, document):
    checks = {status: response_validator(document, "/api/v1/check", status)
              for status in ("400", "413", "415", "422")}
    for case in BAD[::3]:
        response = post(client, case[1](copy.deepcopy(VALID)), "?lang=en")
        assert response.status_code == 422
        checks["422"].validate(response.get_json())
    samples = {
        "400": client.post("/api/v1/check", data="{", content_type="application/json"),
        "413": client.post("/api/v1/check", data=" " * 70000, content_type="application/json"),
        "415": client.post("/api/v1/check", data="{}", content_type="text/plain"),
    }
    for status, response in samples.items():
        assert str(response.status_code) == status
        checks[status].validate(response.get_json())


def _property(schema: dict, name: str) -> dict:
    return schema["properties"][name]


def _assert_matches_facts(schema: dict, facts: dict, subdistricts: list[str]) -> None:
    assert schema.get("additionalProperties") is False
    for name, fact in facts.items():
        prop = _property(schema, name)
        if fact.kind == "enum":
            assert prop["enum"] == [*fact.values, None], name
        elif fact.kind == "subdistrict":
            assert sorted(v for v in prop["enum"] if v is not None) == subdistricts
        elif fact.kind == "bool":
            assert "boolean" in prop["type"], name
        elif fact.kind in ("int", "number"):
            assert ("integer" if fact.kind == "int" else "number") in prop["type"], name
            assert (prop["minimum"], prop["maximum"]) == (fact.minimum, fact.maximum), name
        elif fact.kind == "member_ref":
            assert "string" in prop["type"], name


def test_request_schema_follows_the_fact_table(document, book):
    request = document["components"]["schemas"]["CheckRequest"]
    subdistricts = sorted(book.subdistricts)
    assert set(request["properties"]) == {"as_of", "household", "members"}
    assert request["additionalProperties"] is False
    _assert_matches_facts(_property(request, "household"), HOUSEHOLD_FACTS, subdistricts)
    members = _property(request, "members")
    assert (members["minItems"], members["maxItems"]) == (1, MAX_MEMBERS)
    member = members["items"]
    assert set(member["properties"]) == {*MEMBER_FACTS, "id", "disability"}
    _assert_matches_facts(member, MEMBER_FACTS, subdistricts)
    (disability,) = [s for s in member["properties"]["disability"]["oneOf"]
                     if s.get("type") == "object"]
    _assert_matches_facts(disability, DISABILITY_FACTS, subdistricts)


# Problems no JSON Schema can express: they need the other members, or trim spaces.
BEYOND_SCHEMA = {"duplicate_id", "unknown_member"}


def test_request_schema_agrees_with_the_api(client, document, book):
    """What the API accepts the schema accepts, and (within what a schema can say) what
    the API rejects the schema rejects too."""
    schema = validator(document, "CheckRequest")
    rng = random.Random(11)
    edges = boundary_numbers(book)
    for payload in [CONTRACT_EXAMPLE, VALID, *[random_payload(rng, book, edges)
                                               for _ in range(40)]]:
        schema.validate(json.loads(json.dumps(payload)))
    for name, change, _path, code, _allowed in BAD:
        # JSON Schema cannot say "no lone surrogate" (a string is a string to it)
        if code in BEYOND_SCHEMA or name == "lone surrogate in an id":
            continue
        payload = json.loads(json.dumps(change(copy.deepcopy(VALID))))
        assert post(client, payload).status_code == 422
        assert not schema.is_valid(payload), f"the schema accepts {name}"


# --- where schemathesis found the schema and the API disagreeing -------------------------

def _lang_parameter(document) -> dict:
    (lang,) = [p for p in document["paths"]["/api/v1/check"]["post"]["parameters"]
               if p["name"] == "lang"]
    return lang


def test_any_lang_is_accepted_and_falls_back_as_the_schema_says(client, document):
    lang = _lang_parameter(document)
    assert "enum" not in lang["schema"]
    assert "Accept-Language" in lang["description"] and "zh" in lang["description"]
    for value in ("AAA", "", "EN", "fr"):
        response = post(client, CONTRACT_EXAMPLE, f"?lang={value}")
        assert response.status_code == 200
        assert response.get_json()["lang"] == "zh", value
    response = client.post(f"{CHECK}?lang=AAA", json=CONTRACT_EXAMPLE,
                           headers={"Accept-Language": "en"})
    assert response.get_json()["lang"] == "en"


@pytest.mark.parametrize("member_id", ["\x1f", "\t", " ", "a\x00b", "\u0085"])
def test_a_member_id_the_schema_allows_the_api_accepts(client, document, member_id):
    payload = {"members": [{"id": member_id}]}
    assert validator(document, "CheckRequest").is_valid(payload)
    response = post(client, payload)
    assert response.status_code == 200
    assert {r["member"] for r in response.get_json()["results"]} == {member_id, None}


def test_the_schema_describes_what_it_cannot_express(document):
    member = document["components"]["schemas"]["CheckRequest"]["properties"]["members"]
    guardian = member["items"]["properties"]["is_guardian_of"]
    assert "unknown_member" in guardian["description"]
    assert "another member" in guardian["description"]
    assert "unique" in member["items"]["properties"]["id"]["description"]
    assert "duplicate_id" in member["items"]["properties"]["id"]["description"]
