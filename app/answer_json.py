"""The full answer's JSON, written from results whose bytes were written before.

A check's full answer is about a hundred results, each the same bytes as the same
result in any other answer with the same benefit, language, status, condition
outcomes and amount tiers (every field of the result but its member), on a date
that reads the same dated figures (the same period of each figure, past its trust
horizon or not) and the same side of each measure's start. So each result is
encoded once (app/present.py words it, orjson writes it) and kept without its
member id, which is written per answer: the kept bytes hold nothing a resident
typed. The answer is then the concatenation, the same bytes as encoding
`present.response_dict` whole (tests/test_answer_json.py checks that, and
scripts/compare_answers.py against a recording).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import orjson

from app.checker import BenefitResult
from app.json_provider import OPTIONS
from app.present import DateKeys, prepared, result_dict
from app.rulebook.model import Rulebook

# encoded results kept (bytes, per process)
MAX_BYTES = 24 * 1024 * 1024


class AnswerWriter:
    def __init__(self, book: Rulebook, default: Callable[[Any], Any]):
        self.book = book
        self.default = default
        self.date_key = DateKeys(book)
        self._results: dict[tuple, bytes] = {}
        self._ids: dict[str, bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self.default, option=OPTIONS)

    def _result(self, r: BenefitResult, as_of: dt.date, lang: str, date_key: int) -> bytes:
        """One result's bytes after its member: `,"status":…}`."""
        # a verdict is every field of the result but its member, and equal verdicts are
        # equal in every field (app/checker.py)
        key = (r.verdict, lang, date_key)
        found = self._results.get(key)
        if found is None:
            out = result_dict(self.book, r, as_of, lang, prepared(self.book))
            del out["benefit"], out["member"]
            found = b"," + self._dumps(out)[1:]
            if self._bytes + len(found) <= MAX_BYTES:
                with self._lock:
                    if key not in self._results:
                        self._results[key] = found
                        self._bytes += len(found)
        return found

    def _benefit(self, benefit_id: str) -> bytes:
        found = self._ids.get(benefit_id)
        if found is None:  # rule ids only: as many as there are benefits
            found = self._ids[benefit_id] = b'{"benefit":' + self._dumps(benefit_id) + \
                b',"member":'
        return found

    def full(self, results: list[BenefitResult], as_of: dt.date, lang: str) -> bytes:
        """The full answer (present.response_dict) as JSON, with a final newline."""
        date_key = self.date_key(as_of)
        members: dict[str | None, bytes] = {}
        parts = []
        for r in results:
            member = members.get(r.member)
            if member is None:
                member = members[r.member] = self._dumps(r.member)
            parts.append(self._benefit(r.benefit.id) + member +
                         self._result(r, as_of, lang, date_key))
        head = self._dumps({"as_of": as_of.isoformat(), "rules_version": self.book.version,
                            "lang": lang})
        return head[:-1] + b',"results":[' + b",".join(parts) + b"]}\n"
