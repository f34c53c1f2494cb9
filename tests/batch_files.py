"""Build batch spreadsheets from API request bodies (used by the tests and `make bench`).

Each household's body becomes one row per member, in the contract's values, so
that the batch's answer can be held against the API's for the same household.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS

EN_HEADERS = (["household_id", "member_id", "as_of", *HOUSEHOLD_FACTS, "relation", "age",
               "disabled", *(f"disability.{n}" for n in DISABILITY_FACTS),
               *(n for n in MEMBER_FACTS if n not in ("relation", "age"))])


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows_for(hid: str, payload: dict[str, Any], first_only: bool = False) -> list[dict[str, str]]:
    rows = []
    for index, member in enumerate(payload["members"]):
        row = {"household_id": hid, "member_id": member["id"]}
        if index == 0 or not first_only:
            row["as_of"] = cell(payload.get("as_of"))
            row.update({k: cell(v) for k, v in payload["household"].items()})
        row.update({k: cell(v) for k, v in member.items() if k not in ("id", "disability")})
        if "disability" in member:
            disability = member["disability"]
            row["disabled"] = "false" if disability is None else "true"
            row.update({f"disability.{k}": cell(v) for k, v in (disability or {}).items()})
        rows.append(row)
    return rows


def csv_text(households: list[tuple[str, dict]], headers: dict[str, str] | None = None,
             first_only: bool = False) -> str:
    """households: (code, request body). headers maps contract names to the file's headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([(headers or {}).get(h, h) for h in EN_HEADERS])
    for hid, payload in households:
        for row in rows_for(hid, payload, first_only):
            writer.writerow([row.get(h, "") for h in EN_HEADERS])
    return buffer.getvalue()


def xlsx_parts(households: list[tuple[str, dict]]) -> dict[str, bytes]:
    """The parts (name → bytes) of a workbook openpyxl writes with csv_text's rows: tests
    change some, then zip them again with `zipped`."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(csv_text(households))):
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source:
        return {part.filename: source.read(part.filename) for part in source.infolist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    """A workbook's parts as an XLSX file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()
