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

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import orjson

from app.checker import BenefitResult
from app.json_provider import OPTIONS
from app.present import prepared, result_dict
from app.rulebook.model import Rulebook

# bounds: encoded results kept (bytes, per process) and check dates remembered
MAX_BYTES = 24 * 1024 * 1024
MAX_DATES = 4096


# every field of a result but the benefit (its id is keyed), the member (written per
# answer) and the conditions (their outcomes are keyed): status, amount tiers and any
# field added later, so that a new field cannot be left out of the key
_KEYED = tuple(f.name for f in dataclasses.fields(BenefitResult)
               if f.name not in ("benefit", "member", "conditions"))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class AnswerWriter:
    def __init__(self, book: Rulebook, default: Callable[[Any], Any]):
        self.book = book
        self.default = default
        self._parameters = tuple(book.parameters.values())
        self._starts = tuple(b.in_force.start for b in book.benefits.values() if b.in_force)
        self._dates: dict[dt.date, int] = {}
        self._date_keys: dict[tuple, int] = {}
        self._results: dict[tuple, bytes] = {}
        self._ids: dict[str, bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self.default, option=OPTIONS)

    def date_key(self, as_of: dt.date) -> int:
        """A number that is the same for two dates exactly when every dated figure and
        every measure's start read the same on both."""
        found = self._dates.get(as_of)
        if found is None:
            key = (tuple((found[0] if (found := p.in_force(as_of)) else None, p.stale_on(as_of))
                         for p in self._parameters),
                   tuple(as_of < start for start in self._starts))
            with self._lock:
                found = self._date_keys.setdefault(key, len(self._date_keys))
                if len(self._dates) < MAX_DATES:
                    self._dates[as_of] = found
        return found

    def _result(self, r: BenefitResult, as_of: dt.date, lang: str, date_key: int) -> bytes:
        """One result's bytes after its member: `,"status":…}`."""
        key = (r.benefit.id, lang, date_key, tuple(o for _, o in r.conditions),
               *(_hashable(getattr(r, name)) for name in _KEYED))
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
