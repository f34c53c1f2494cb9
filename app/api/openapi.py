"""The OpenAPI 3.1 document, built from the same fact table that validates requests."""

from __future__ import annotations

from typing import Any

from app.contract import BENEFIT_IDS
from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MAX_MEMBERS, MEMBER_FACTS, Fact
from app.rulebook.model import Rulebook


def _schema(fact: Fact, subdistricts: list[str]) -> dict[str, Any]:
    if fact.kind == "bool":
        return {"type": ["boolean", "null"]}
    if fact.kind == "enum":
        return {"type": ["string", "null"], "enum": [*fact.values, None]}
    if fact.kind == "subdistrict":
        return {"type": ["string", "null"], "enum": [*subdistricts, None]}
    if fact.kind == "member_ref":
        return {"type": ["string", "null"], "description": (
            "The id of another member of this request. An id that names no other member "
            "is answered 422 with the code unknown_member (JSON Schema cannot express "
            "this cross-reference).")}
    kind = "integer" if fact.kind == "int" else "number"
    return {"type": [kind, "null"], "minimum": fact.minimum, "maximum": fact.maximum}


def _object(facts: dict[str, Fact], subdistricts: list[str], extra: dict | None = None) -> dict:
    props = {name: _schema(f, subdistricts) for name, f in facts.items()}
    props.update(extra or {})
    return {"type": "object", "additionalProperties": False, "properties": props}


def openapi_document(book: Rulebook) -> dict[str, Any]:
    subdistricts = sorted(book.subdistricts)
    member = _object(MEMBER_FACTS, subdistricts, {
        "id": {"type": "string", "minLength": 1, "maxLength": 64, "description": (
            "Any 1 to 64 characters, unique in the request (a repeated id is answered 422 "
            "with the code duplicate_id). A lone surrogate escape such as \\ud800 is no "
            "character and is refused.")},
        "disability": {"oneOf": [{"type": "null"},
                                 _object(DISABILITY_FACTS, subdistricts)]},
    })
    member["required"] = ["id"]
    figure = {"type": "object", "description": "A dated figure, as shown on or compared "
              "in a result", "properties": {
        "parameter": {"type": ["string", "null"]},
        "kind": {"type": ["string", "null"], "enum": ["payment", "income_line", None],
                 "description": "payment: money paid; income_line: a standard incomes are "
                                "compared with (the dibao standard), not money paid"},
        "value": {"type": ["number", "null"]}, "text": {"type": ["string", "null"]},
        "effective_from": {"type": ["string", "null"], "format": "date"},
        "trusted_until": {"type": ["string", "null"], "format": "date",
                          "description": "the figure is known to hold until then"},
        "stale": {"type": "boolean", "description": "the check is dated after "
                  "trusted_until: the figure may have changed since"},
        "to_confirm": {"type": "boolean"}}}
    condition = {"type": "object", "required": ["id", "text", "status"], "properties": {
        "id": {"type": "string"}, "text": {"type": "string"},
        "status": {"type": "string", "enum": ["met", "unmet", "unknown"]},
        "missing_facts": {"type": "array", "items": {"type": "string"}},
        "uncertain": {"type": "object"},
        "figure": figure,
        "figure_may_have_changed": {"type": "boolean", "description": "unknown because an "
                                    "expected revision of the figure since its date could "
                                    "decide it either way"}}}
    in_force = {"type": ["object", "null"], "description": "The dates the measure is in "
                "force, and whether it was on the check's date", "properties": {
        "from": {"type": "string", "format": "date"},
        "until": {"type": ["string", "null"], "format": "date"},
        "status": {"type": "string", "enum": ["in_force", "not_yet", "ended", "unknown"]},
        "source": {"type": "object"}}}
    result = {"type": "object", "required": ["benefit", "member", "status", "title",
                                             "conditions"], "properties": {
        "benefit": {"type": "string", "enum": list(BENEFIT_IDS)},
        "member": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["eligible", "maybe", "not_eligible"]},
        "title": {"type": "string"},
        "conditions": {"type": "array", "items": condition},
        "amount": {"oneOf": [{"type": "null"}, figure],
                   "description": "only on eligible and maybe results"},
        "lead_office": {"type": ["string", "null"]},
        "partner_offices": {"type": "array", "items": {"type": "string"}},
        "partner_offices_incomplete": {"type": "boolean", "description": "the plan's annex "
                                       "ends the list with 等 (and others)"},
        "in_force": in_force,
        "plan_clause": {"type": "string"},
        "annex_task": {"type": ["integer", "null"]},
        "how_to_apply": {"type": "string"},
        "documents": {"type": "array", "items": {"type": "string"}},
        "already_receiving": {"type": "boolean", "description":
                              "present and true when the household said it already gets "
                              "this benefit (dibao, tekun); its status is still worked out"}}}
    compact = {"type": "object", "required": ["benefit", "member", "status"], "properties": {
        "benefit": result["properties"]["benefit"], "member": result["properties"]["member"],
        "status": result["properties"]["status"],
        "missing_facts": {"type": "array", "items": {"type": "string"}}}}
    error = {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "code": {"type": "string"},
            "message": {"type": "string"}, "allowed": {"type": ["object", "null"]}}}}}}
    lang = [{"name": "lang", "in": "query", "required": False,
             "description": "zh or en. Any other value is ignored: the language then follows "
                            "Accept-Language, and is zh when that names neither.",
             "schema": {"type": "string", "examples": ["zh", "en"]}},
            {"name": "Accept-Language", "in": "header", "required": False,
             "schema": {"type": "string"}}]

    def err(description: str) -> dict:
        return {"description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "Fengtai disability benefits checker", "version": "1",
                 "description": "Which benefits of the Fengtai plan 丰政发〔2018〕3号 "
                                "each household member can get."},
        "paths": {
            "/api/v1/check": {"post": {
                "operationId": "check",
                "parameters": [*lang, {
                    "name": "answer", "in": "query", "required": False,
                    "description": "compact: each result's benefit, member, status and, for "
                                   "maybe, missing_facts only (texts are in /api/v1/benefits)",
                    "schema": {"type": "string", "enum": ["full", "compact"],
                               "default": "full"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CheckRequest"}}}},
                "responses": {
                    "200": {"description": "One result per benefit and member",
                            "content": {"application/json": {"schema": {"anyOf": [
                                {"$ref": "#/components/schemas/CheckResponse"},
                                {"$ref": "#/components/schemas/CompactCheckResponse"}]}}}},
                    "400": err("The body is not valid JSON, or `answer` is not allowed"),
                    "413": err("The body is too large"),
                    "415": err("The body is not sent as application/json"),
                    "422": err("Some facts are not allowed: every field is listed"),
                }}},
            "/api/v1/benefits": {"get": {
                "operationId": "benefits", "parameters": lang,
                "responses": {"200": {"description": "The catalogue of benefits",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "CheckRequest": {"type": "object", "additionalProperties": False,
                             "required": ["members"], "properties": {
                "as_of": {"type": ["string", "null"], "format": "date"},
                "household": _object(HOUSEHOLD_FACTS, subdistricts),
                "members": {"type": "array", "minItems": 1, "maxItems": MAX_MEMBERS,
                            "items": member}}},
            "CheckResponse": {"type": "object", "required": ["as_of", "rules_version", "results"],
                              "properties": {
                "as_of": {"type": "string", "format": "date"},
                "rules_version": {"type": "string"},
                "lang": {"type": "string"},
                "results": {"type": "array", "items": result}}},
            "CompactCheckResponse": {
                "type": "object", "required": ["as_of", "rules_version", "answer", "results"],
                "properties": {
                    "as_of": {"type": "string", "format": "date"},
                    "rules_version": {"type": "string"},
                    "lang": {"type": "string"},
                    "answer": {"const": "compact"},
                    "results": {"type": "array", "items": compact}}},
            "Error": error,
        }},
    }
