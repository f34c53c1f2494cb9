"""Rows → households → the API's validator, with every problem mapped to a row and column.

Each household's rows become exactly the request body the API takes
(shared/contract.md) and go through the same validator (app/validation.py),
so a file is judged and worded as the API judges a request. A household with
any problem is left out as a whole; every problem is kept with its row number
and the contract name of its column. Cell values are never put in a problem.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.batch.columns import AS_OF, DISABLED, HOUSEHOLD_ID, MEMBER_ID, Column, Layout, normal
from app.batch.read import MAX_CELL, Cell
from app.numbers import NotANumber, NumberTooLarge, parse_bounded_number
from app.validation import CheckRequest, InvalidRequest, Problem, validate

_MISSING = object()  # blank or "not sure": the fact is left out, as the contract's unknown
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_DIGITS = "10X98765432"
_PATH = re.compile(r"^members\[(\d+)\](?:\.disability\.(\w+)|\.(\w+))?$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def is_resident_id(text: str) -> bool:
    """An 18-character resident ID number with a valid GB 11643 check digit."""
    t = text.strip().upper()
    if len(t) != 18 or not (t[:17].isascii() and t[:17].isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(t[:17], _WEIGHTS, strict=True))
    return _CHECK_DIGITS[total % 11] == t[17]


@dataclass(frozen=True)
class RowProblem:
    household: str  # the household's code as written ("" when the cell is blank)
    row: int
    column: str  # the contract name of the column ("" for the row as a whole)
    problem: Problem  # code and allowed values; its path is the column's contract name


@dataclass
class Household:
    id: str
    rows: list[int]
    request: CheckRequest | None = None
    problems: list[RowProblem] = field(default_factory=list)


def id_text(cell: Cell) -> str:
    """A code as text: 7 and 7.0 from a spreadsheet's number cell both read as "7"."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _number(text: str) -> Any:
    """A number cell's text, read as the web form reads it (app/numbers.py, bounded before
    it is built); text that is not a number is passed on for the validator to word."""
    try:
        number = parse_bounded_number(text)
    except NumberTooLarge:
        return float("-inf") if text.lstrip().startswith("-") else float("inf")
    except NotANumber:
        return text
    if number is None:
        return text
    return int(number) if number == number.to_integral_value() else float(number)


def _date(cell: Cell) -> Any:
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    match = _DATE.match(str(cell))
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            return str(cell)
    return str(cell)


def convert(column: Column, cell: Cell, layout: Layout) -> Any:
    """A cell as the contract's value; _MISSING when not known; unreadable text is passed on
    unchanged for the validator to word; raise ValueError for a cell that is too long."""
    if cell is None:
        return _MISSING
    if isinstance(cell, str):
        cell = unicodedata.normalize("NFKC", cell).strip()
        if len(cell) > MAX_CELL:
            raise ValueError("too_long")
        if normal(cell) in layout.unknown_words:
            return _MISSING
    kind = column.kind
    if kind == "as_of":
        return _date(cell)
    if kind in ("id", "member_ref"):
        return id_text(cell)
    words = layout.words.get(column.name, {})
    if isinstance(cell, bool):
        return cell
    if kind == "bool" and isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    if isinstance(cell, dt.date | dt.datetime):
        return cell.isoformat()
    if isinstance(cell, int | float):
        return cell if kind in ("int", "number") else words.get(normal(id_text(cell)), cell)
    found = words.get(normal(cell), _MISSING)
    if found is not _MISSING:
        return found
    if kind in ("int", "number"):
        return _number(cell)
    return cell


_CONVERTED_MAX = 20_000  # distinct text cells remembered per file


def _converter(layout: Layout):
    """convert, remembering what each text cell of a column (ids aside) came to: a file
    repeats the same few words in most columns. Other cells, and cells too long, are
    converted every time."""
    seen: dict[tuple[str, str], Any] = {}

    def converted(column: Column, cell: Cell) -> Any:
        if type(cell) is not str or column.kind in ("id", "member_ref"):
            return convert(column, cell, layout)
        key = (column.name, cell)
        value = seen.get(key, seen)
        if value is seen:
            value = convert(column, cell, layout)  # a ValueError is raised, not remembered
            if len(seen) < _CONVERTED_MAX:
                seen[key] = value
        return value
    return converted


@dataclass
class _Builder:
    """One household's rows, gathered into the API's request body."""

    id: str
    layout: Layout
    converted: Callable[[Column, Cell], Any]
    rows: list[int] = field(default_factory=list)
    household: dict[str, Any] = field(default_factory=dict)
    source: dict[str, int] = field(default_factory=dict)  # household fact → row it came from
    members: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def problem(self, row: int, column: str, code: str, **allowed) -> None:
        self.problems.append(RowProblem(self.id, row, column, Problem(column, code, allowed)))

    def add(self, number: int, cells: dict[str, Cell]) -> None:
        self.rows.append(number)
        member: dict[str, Any] = {}
        disability: dict[str, Any] = {}
        disabled: Any = _MISSING
        for column in self.layout.columns:
            if column.name not in cells or column.name == HOUSEHOLD_ID:
                continue
            try:
                value = self.converted(column, cells[column.name])
            except ValueError:
                self.problem(number, column.name, "too_long", max_length=MAX_CELL)
                continue
            if value is _MISSING:
                continue
            if column.scope in ("household", "as_of"):
                self._household_fact(number, column.name, value)
            elif column.name == MEMBER_ID:
                if is_resident_id(value):
                    self.problem(number, MEMBER_ID, "resident_id")
                member["id"] = value
            elif column.scope == "disabled":
                disabled = value
            elif column.scope == "disability":
                disability[column.name.removeprefix("disability.")] = value
            else:
                member[column.name] = value
        if disabled is True or (disabled is _MISSING and disability):
            member["disability"] = disability
        elif disabled is False:
            if disability:
                first = next(iter(disability))
                self.problem(number, f"disability.{first}", "details_without_disability")
            member["disability"] = None
        elif disabled is not _MISSING:
            self.problem(number, DISABLED, "expected_bool")
        member.setdefault("id", "")
        self.members.append(member)

    def _household_fact(self, number: int, name: str, value: Any) -> None:
        if name not in self.household:
            self.household[name] = value
            self.source[name] = number
        elif self.household[name] != value:
            self.problem(number, name, "household_disagrees", first_row=self.source[name])

    def payload(self) -> dict[str, Any]:
        household = {k: v for k, v in self.household.items() if k != AS_OF}
        body: dict[str, Any] = {"household": household, "members": self.members}
        if AS_OF in self.household:
            body["as_of"] = self.household[AS_OF]
        return body

    def place(self, p: Problem) -> RowProblem:
        """Where in the file a validator problem is: its row and column."""
        first = self.rows[0]
        if p.path == "as_of" or p.path.startswith("household."):
            name = p.path.removeprefix("household.")
            return RowProblem(self.id, self.source.get(name, first), name,
                              Problem(name, p.code, p.allowed))
        match = _PATH.match(p.path)
        if match:
            index, disability, name = match.groups()
            row = self.rows[int(index)] if int(index) < len(self.rows) else first
            column = (f"disability.{disability}" if disability
                      else MEMBER_ID if name in (None, "id") else name)
            return RowProblem(self.id, row, column, Problem(column, p.code, p.allowed))
        return RowProblem(self.id, first, MEMBER_ID, p)

    def finish(self, subdistricts: frozenset[str], today: dt.date) -> Household:
        household = Household(self.id, self.rows, problems=list(self.problems))
        try:
            request = validate(self.payload(), subdistricts, today)
        except InvalidRequest as invalid:
            household.problems += [self.place(p) for p in invalid.problems]
        else:
            if not household.problems:
                household.request = request
        household.problems.sort(key=lambda rp: rp.row)
        return household


@dataclass
class Survey:
    """The first pass over a file: how many rows and households, and which households'
    rows are not next to each other."""

    rows: int = 0
    households: int = 0
    split: set[str] = field(default_factory=set)


def survey(rows: Iterable[tuple[int, dict[str, Cell]]]) -> Survey:
    found = Survey()
    seen: set[str] = set()
    last = None
    for _, cells in rows:
        found.rows += 1
        hid = id_text(cells.get(HOUSEHOLD_ID))
        if hid != last:
            if hid in seen:
                found.split.add(hid)
            seen.add(hid)
            last = hid
    found.households = len(seen)
    return found


def households(rows: Iterable[tuple[int, dict[str, Cell]]], layout: Layout,
               subdistricts: frozenset[str], today: dt.date,
               split: set[str] | frozenset[str] = frozenset()) -> Iterator[Household]:
    """Group consecutive rows by household code; validate each household as the API would."""
    builder: _Builder | None = None
    converted = _converter(layout)
    for number, cells in rows:
        hid = id_text(cells.get(HOUSEHOLD_ID))
        if builder is not None and (hid != builder.id or not hid):
            yield _done(builder, subdistricts, today, split)
            builder = None
        if builder is None:
            builder = _Builder(hid, layout, converted)
            if not hid:
                builder.problem(number, HOUSEHOLD_ID, "missing_household_id")
            elif is_resident_id(hid):
                builder.problem(number, HOUSEHOLD_ID, "resident_id")
        builder.add(number, cells)
    if builder is not None:
        yield _done(builder, subdistricts, today, split)


def _done(builder: _Builder, subdistricts: frozenset[str], today: dt.date,
          split: set[str] | frozenset[str]) -> Household:
    if builder.id in split:
        builder.problem(builder.rows[0], HOUSEHOLD_ID, "split_household")
    return builder.finish(subdistricts, today)

