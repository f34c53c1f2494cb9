"""The pages: the check form and its results, the catalogue of benefits."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)

from app.web import errors, filters, views  # noqa: E402,F401

errors.register(bp)
bp.record_once(lambda state: filters.register(state.app))
