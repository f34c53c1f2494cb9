"""The one service function the API, the pages and the CLI call."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from app.answer_json import AnswerWriter
from app.checker import Checker
from app.compact import compact_dict
from app.observability import checked
from app.present import response_dict
from app.validation import CheckRequest, validate

BEIJING = ZoneInfo("Asia/Shanghai")


def checker() -> Checker:
    return current_app.extensions["checker"]


def beijing_today() -> dt.date:
    """The default as_of: today in Beijing, whatever the server's clock zone."""
    return dt.datetime.now(BEIJING).date()


def parse(payload: Any) -> CheckRequest:
    """Validate a payload; raises validation.InvalidRequest."""
    return validate(payload, checker().book.subdistrict_names(), beijing_today())


def check(request: CheckRequest, lang: str, answer: str = "full") -> dict[str, Any]:
    """The answer in `lang`; `answer="compact"` gives statuses only (app/compact.py)."""
    c = checker()
    results = c.run(request)
    checked(results, answer)
    shape = compact_dict if answer == "compact" else response_dict
    return shape(c.book, results, request.as_of, lang)


def check_json(request: CheckRequest, lang: str) -> bytes:
    """The full answer in `lang` as JSON bytes: the same bytes as encoding check()'s dict,
    from results encoded once (app/answer_json.py)."""
    c = checker()
    results = c.run(request)
    checked(results, "full")
    writer: AnswerWriter = current_app.extensions["answer_writer"]
    return writer.full(results, request.as_of, lang)
