"""The step-by-step household journey (GOV.UK question pages, "add another", check answers)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("journey", __name__, url_prefix="/journey")

from app.journey import views  # noqa: E402,F401
