"""What the rule files say, once loaded: plain, immutable data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

THEMES = ("livelihood", "employment", "health", "education", "culture", "accessibility", "care")
LEVELS = ("community", "subdistrict", "district")
CONFIDENCE = ("A", "B", "C")
OPERATORS = ("equals", "not_equals", "in", "not_in", "at_least", "at_most", "less_than",
             "more_than")
NUMERIC_OPERATORS = ("at_least", "at_most", "less_than", "more_than")
AMOUNT_KINDS = ("payment", "income_line")  # money paid, or a line incomes are compared with
DIRECTIONS = ("up", "down", "either")
# A figure revised on a schedule is followed for at most this many revisions past its
# last known value; after that nothing can be said about it, and it counts as not known.
STALE_REVISIONS = 10
# The date of the check, as a number YYYYMMDD (a fact the engine compares dates with)
CHECK_DATE = "check.as_of"


def date_number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Source:
    """A public document: its title, who issued it, its number (文号) if any, its date,
    its address where one exists, and a confidence grade."""

    title: str
    confidence: str
    url: str | None = None
    date: str | None = None
    issuer: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class Test:
    """A boolean test over facts: op is one of OPERATORS, "all" or "any"."""

    op: str
    path: str | None = None
    value: Any = None
    parameter: str | None = None
    children: tuple[Test, ...] = ()

    def paths(self) -> set[str]:
        if self.op in ("all", "any"):
            return set().union(*(c.paths() for c in self.children))
        return {self.path}

    def parameters(self) -> set[str]:
        found = {self.parameter} if self.parameter else set()
        for child in self.children:
            found |= child.parameters()
        return found


@dataclass(frozen=True)
class Uncertainty:
    text: Text
    source: Source


@dataclass(frozen=True)
class Condition:
    id: str
    text: Text
    test: Test
    any_member: bool = False
    uncertain_if: Test | None = None
    uncertainty: Uncertainty | None = None
    defined_in: str = ""

    @cached_property
    def parameter(self) -> str | None:
        """The dated figure the condition compares with, if any (at most one)."""
        pids = self.test.parameters() | (self.uncertain_if.parameters()
                                         if self.uncertain_if else set())
        return next(iter(pids)) if pids else None

    @cached_property
    def subject(self) -> str:
        """Which engine fact the test runs on: the household alone, or each member."""
        if self.any_member:
            return "member"
        paths = self.test.paths() | (self.uncertain_if.paths() if self.uncertain_if else set())
        household_level = ("household.", CHECK_DATE)
        return "household" if all(p.startswith(household_level) for p in paths) else "member"


@dataclass(frozen=True)
class ParameterValue:
    start: dt.date
    value: float
    source: Source


@dataclass(frozen=True)
class Revisions:
    """How a figure usually changes after its trust horizon: in which direction, every how
    many months, and by at most how much each time."""

    direction: str
    every_months: int
    step_at_most: float


@dataclass(frozen=True)
class Period:
    """What a check can rely on for one figure on its date: the value in force (by
    `index` among the known values, then one more for each expected revision past the
    last one); the figure lies between `low` and `high` (equal while it is trusted)."""

    index: int
    value: ParameterValue
    low: float
    high: float
    revisions: int = 0  # expected revisions since the last known value

    @property
    def stale(self) -> bool:
        return self.revisions > 0


@dataclass(frozen=True)
class Parameter:
    id: str
    title: Text
    unit: str
    text: Text
    values: tuple[ParameterValue, ...]
    trusted_until: dt.date = dt.date.max  # the newest value is known to hold until then
    revisions: Revisions | None = None
    kind: str = "payment"

    def in_force(self, as_of: dt.date) -> tuple[int, ParameterValue] | None:
        """The newest value that started on or before as_of (whether still trusted or not)."""
        found = None
        for index, value in enumerate(self.values):
            if value.start <= as_of:
                found = (index, value)
        return found

    def stale_on(self, as_of: dt.date) -> bool:
        return self.in_force(as_of) is not None and as_of > self.trusted_until

    def revisions_by(self, as_of: dt.date) -> int:
        """Expected revisions between the trust horizon and as_of (0 while trusted)."""
        if self.revisions is None or as_of <= self.trusted_until:
            return 0
        first = self.trusted_until + dt.timedelta(days=1)
        months = (as_of.year - first.year) * 12 + as_of.month - first.month - (
            1 if as_of.day < first.day else 0)
        return months // self.revisions.every_months + 1

    def period(self, as_of: dt.date) -> Period | None:
        """The period a check dated as_of falls in, or None when the figure is not known
        then: before its first value, or past its trust horizon with no known way of
        changing (or more than STALE_REVISIONS revisions past it)."""
        found = self.in_force(as_of)
        if found is None:
            return None
        index, value = found
        if as_of <= self.trusted_until or index < len(self.values) - 1:
            return Period(index, value, value.value, value.value)
        k = self.revisions_by(as_of)
        if self.revisions is None or k > STALE_REVISIONS:
            return None
        low, high = self.band(k)
        return Period(index + k, value, low, high, k)

    def band(self, k: int) -> tuple[float, float]:
        """Where the figure may be after k expected revisions past its last known value."""
        last = self.values[-1].value
        assert self.revisions is not None
        step = k * self.revisions.step_at_most
        low = last - step if self.revisions.direction in ("down", "either") else last
        high = last + step if self.revisions.direction in ("up", "either") else last
        return low, high


@dataclass(frozen=True)
class AmountTier:
    parameter: str
    when: tuple[str, ...] = ()


@dataclass(frozen=True)
class Office:
    key: str  # the annex's own name
    name: Text
    current: Text | None  # name after the 2018-2019 reorganisation, when it changed
    source: Source | None
    verified: bool  # only then do result pages show `current`
    note: str | None = None  # for maintainers: what is believed and why


@dataclass(frozen=True)
class AnnexTask:
    number: int
    work_item: str
    lead_office: str | None
    partner_offices: tuple[str, ...]
    timing: str
    partners_open: bool = False  # the annex ends the list with "等" (and others)


@dataclass(frozen=True)
class InForce:
    """The dates a measure is in force: from `start`, until `end` if it ended. With
    `earlier_unknown`, the sources show it only from `start`: an earlier check is "maybe"."""

    start: dt.date
    source: Source
    end: dt.date | None = None
    earlier_unknown: bool = False


@dataclass(frozen=True)
class Benefit:
    id: str
    theme: str
    scope: str  # "member" or "household"
    title: Text
    summary: Text
    clause: str
    annex_tasks: tuple[int, ...]
    plan_text: str
    level: str
    conditions: tuple[str, ...]
    documents: tuple[Text, ...]
    how_to_apply: Text
    sources: tuple[Source, ...]
    amount: tuple[AmountTier, ...] = ()
    uncertainty: Uncertainty | None = None
    contact_office: str | None = None
    already_received: str | None = None  # condition id: the household already gets it
    file: str = ""
    in_force: InForce | None = None


@dataclass(frozen=True)
class Subdistrict:
    name: str  # the Chinese name, which is also the value the contract accepts
    kind: str  # 街道 or 镇
    former: tuple[str, ...] = ()  # pre-2021 units whose area went into this one
    en: str = ""

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.name


@dataclass
class Rulebook:
    benefits: dict[str, Benefit]
    conditions: dict[str, Condition]
    parameters: dict[str, Parameter]
    offices: dict[str, Office]
    annex: dict[int, AnnexTask]
    annex_mapping: dict[int, dict[str, Any]]
    subdistricts: dict[str, Subdistrict]
    version: str = ""

    def subdistrict_names(self) -> frozenset[str]:
        return frozenset(self.subdistricts)
