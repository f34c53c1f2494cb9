"""Tools for community workers: the whole-household quick form and batch screening."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tools", __name__)

from app.tools import views  # noqa: E402,F401
