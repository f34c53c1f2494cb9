"""JSON API: POST /api/v1/check, GET /api/v1/benefits, GET /api/v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from app import messages, service
from app.api.openapi import openapi_document
from app.catalogue_data import catalogue
from app.compact import ANSWERS
from app.i18n import current_language
from app.numbers import loads_json
from app.validation import InvalidRequest

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(status: int, code: str, message: str, errors: list | None = None):
    body = {"error": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/check")
def check():
    answer = request.args.get("answer", "full")
    if answer not in ANSWERS:
        return _error(400, "invalid_answer", messages.invalid_choice("answer", ANSWERS))
    if not request.is_json:
        return _error(415, "unsupported_media_type", messages.not_json())
    raw = request.get_data(cache=False)
    try:
        payload = loads_json(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _error(400, "invalid_json", messages.invalid_json())
    try:
        parsed = service.parse(payload)
    except InvalidRequest as invalid:
        return _error(422, "invalid_household", messages.invalid_household(),
                      [messages.problem_dict(p) for p in invalid.problems])
    if answer == "full":
        return current_app.response_class(service.check_json(parsed, current_language()),
                                          mimetype=current_app.json.mimetype)
    return jsonify(service.check(parsed, current_language(), answer))


@bp.get("/benefits")
def benefits():
    return jsonify(catalogue(service.checker().book, current_language()))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(service.checker().book))


def keep_error_headers(response, error: HTTPException):
    """Headers the error carries besides its own page's type: Allow on a 405 (RFC 9110
    15.5.6 requires it)."""
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code == 413:
        return _error(413, "too_large",
                      messages.body_too_large(current_app.config["MAX_CONTENT_LENGTH"]))
    response = _error(error.code or 500, (error.name or "error").lower().replace(" ", "_"),
                      messages.http_error(error.code or 500))
    return keep_error_headers(response, error)
