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


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Source:
    title: str
    confidence: str
    url: str | None = None
    date: str | None = None


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
    def subject(self) -> str:
        """Which engine fact the test runs on: the household alone, or each member."""
        if self.any_member:
            return "member"
        paths = self.test.paths() | (self.uncertain_if.paths() if self.uncertain_if else set())
        return "household" if all(p.startswith("household.") for p in paths) else "member"


@dataclass(frozen=True)
class ParameterValue:
    start: dt.date
    value: float
    source: Source


@dataclass(frozen=True)
class Parameter:
    id: str
    title: Text
    unit: str
    text: Text
    values: tuple[ParameterValue, ...]

    def in_force(self, as_of: dt.date) -> tuple[int, ParameterValue] | None:
        found = None
        for index, value in enumerate(self.values):
            if value.start <= as_of:
                found = (index, value)
        return found


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
    file: str = ""


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
