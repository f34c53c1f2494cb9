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

from app.checker import BenefitResult, Verdict
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
        # per (language, date key), per verdict (by id: an entry holds its verdict, so the
        # id is not reused while kept): the verdict, the bytes before the member
        # (`,{"benefit":…,"member":`) and after it (`,"status":…}`)
        self._kept: dict[tuple[str, int], dict[int, tuple[Verdict, bytes, bytes]]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self.default, option=OPTIONS)

    def _encode(self, v: Verdict, as_of: dt.date, lang: str,
                kept: dict[int, tuple[Verdict, bytes, bytes]]) -> tuple[Verdict, bytes, bytes]:
        out = result_dict(self.book, BenefitResult(v, None), as_of, lang, prepared(self.book))
        del out["benefit"], out["member"]
        entry = (v, b',{"benefit":' + self._dumps(v.benefit.id) + b',"member":',
                 b"," + self._dumps(out)[1:])
        size = len(entry[1]) + len(entry[2])
        if self._bytes + size <= MAX_BYTES:
            with self._lock:
                if id(v) not in kept:
                    kept[id(v)] = entry
                    self._bytes += size
        return entry

    def full(self, results: list[BenefitResult], as_of: dt.date, lang: str) -> bytes:
        """The full answer (present.response_dict) as JSON, with a final newline."""
        date_key = self.date_key(as_of)
        kept = self._kept.get((lang, date_key))
        if kept is None:
            with self._lock:
                kept = self._kept.setdefault((lang, date_key), {})
        members: dict[str | None, bytes] = {}
        parts = [self._dumps({"as_of": as_of.isoformat(), "rules_version": self.book.version,
                              "lang": lang})[:-1] + b',"results":[']
        for v, member in results:  # a result is (verdict, member)
            entry = kept.get(id(v))
            if entry is None or entry[0] is not v:
                entry = self._encode(v, as_of, lang, kept)
            encoded = members.get(member)
            if encoded is None:
                encoded = members[member] = self._dumps(member)
            parts.append(entry[1])
            parts.append(encoded)
            parts.append(entry[2])
        if len(parts) > 1:
            parts[1] = parts[1][1:]  # no comma before the first result
        parts.append(b"]}\n")
        return b"".join(parts)
