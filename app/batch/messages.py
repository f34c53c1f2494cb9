"""What a community worker is told about a batch file, in their language.

A bad cell is worded by app/messages.py exactly as the API's 422 words the same
field (the path being the column's contract name); only what a request body
cannot get wrong (a whole file, rows of one household apart) is worded here.
No message repeats a cell's value.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app import messages
from app.batch.columns import Layout
from app.batch.households import RowProblem
from app.batch.read import MAX_BYTES, MAX_CELL, MAX_RECORDS, MAX_ROWS, FileRefused


def _save_as() -> str:
    return _("In Excel choose File › Save As › “CSV UTF-8 (comma delimited)”; in WPS choose "
             "“CSV” and the encoding UTF-8 or GB18030; or save it as an .xlsx workbook.")


def row_problem(p: RowProblem) -> str:
    code, column = p.problem.code, p.column
    if code == "too_long":
        return _("Shorten the cell in “%(column)s” to at most %(max)s characters",
                 column=column, max=MAX_CELL)
    if code == "resident_id":
        return _("Use your own code in “%(column)s”, not a resident ID number: this file must "
                 "not carry ID numbers or names", column=column)
    if code == "missing_household_id":
        return _("Enter a household code in “household_id”: it groups the rows of one "
                 "household")
    if code == "household_disagrees":
        return _("Make “%(column)s” the same on every row of this household as on row "
                 "%(row)s, or give it on the household’s first row only",
                 column=column, row=p.problem.allowed["first_row"])
    if code == "split_household":
        return _("Put all rows of this household next to each other: its rows are separated "
                 "by other households’ rows (sort the file by “household_id”)")
    if code == "details_without_disability":
        return _("Leave “%(column)s” empty, or enter yes in “disabled”: “disabled” is no",
                 column=column)
    return messages.problem_message(p.problem)


def refused(error: FileRefused, layout: Layout, lang: str) -> str:
    """Why a whole file cannot be screened, and what to do."""
    code, params = error.code, error.params
    if code == "unknown_format":
        return _("Upload a .csv or .xlsx file: files ending in .%(suffix)s cannot be read",
                 suffix=params["suffix"])
    if code == "too_large":
        return _("Upload a file of at most %(size)s MB: split a larger register into several "
                 "files", size=MAX_BYTES // (1024 * 1024))
    if code == "empty":
        return _("The file is empty: fill in the template, one row per member, and upload it")
    if code == "only_headers":
        return _("The file has only the header row: add one row for each member of each "
                 "household below it")
    if code == "encoding":
        return _("The file’s text encoding could not be read. %(how)s", how=_save_as())
    if code == "utf16":
        return _("The file is saved as “Unicode text” (UTF-16), which is not read here. "
                 "%(how)s", how=_save_as())
    if code == "xlsx_as_csv":
        return _("The file is an Excel workbook with a .csv name: rename it to end in .xlsx, "
                 "or save it as CSV")
    if code == "old_xls":
        return _("The file is an old Excel workbook (.xls): save it as .xlsx or as CSV UTF-8")
    if code in ("not_a_spreadsheet", "bad_csv"):
        return _("The file is not a spreadsheet that can be read. Upload the template saved "
                 "as CSV or .xlsx")
    if code == "too_many_rows":
        return _("The file has more than %(limit)s rows: split it into files of at most "
                 "%(limit)s rows", limit=f"{MAX_ROWS:,}")
    if code == "too_many_records":
        return _("The file has more than %(limit)s rows, most of them empty: delete the empty "
                 "rows below the households and upload it again", limit=f"{MAX_RECORDS:,}")
    if code == "unpacked_too_large":
        return _("The workbook is over %(size)s MB once unpacked: delete empty rows, columns "
                 "and sheets, or save it as CSV UTF-8, and upload it again", size=params["size"])
    if code == "too_many_columns":
        return _("The header row has more than %(limit)s columns: use the template’s columns",
                 limit=params["limit"])
    if code == "cells_outside_columns":
        return _("Row %(row)s has cells beyond the last column of the header: remove them, "
                 "or give their column a header", row=params["row"])
    accepted = ", ".join(layout.headers(lang))
    if code == "unknown_columns":
        return _("Remove or rename these columns, which are not the template’s: %(columns)s. "
                 "Accepted columns: %(accepted)s",
                 columns=", ".join(params["columns"]), accepted=accepted)
    if code == "blank_header":
        return _("Give every column a header in the first row. Accepted columns: "
                 "%(accepted)s", accepted=accepted)
    if code == "repeated_columns":
        return _("Keep each column once: %(columns)s appear more than once",
                 columns=", ".join(params["columns"]))
    if code == "missing_columns":
        return _("Add the columns %(columns)s: they group the rows into households and "
                 "members", columns=", ".join(params["columns"]))
    return _("The file could not be read. Upload the template saved as CSV or .xlsx")


def problem_line(p: RowProblem, layout: Layout, lang: str) -> str:
    """One bad cell, for the command line's error stream."""
    column = next((c for c in layout.columns if c.name == p.column), None)
    header = layout.header(column, lang) if column else p.column
    return _("Row %(row)s, column “%(column)s”, household %(household)s: %(message)s",
             row=p.row, column=header, household=p.household or "-", message=row_problem(p))


def progress_label() -> str:
    return _("Screening households")


def summary_line(outcome, paths) -> str:
    return _("Screened %(households)s households (%(members)s members, %(rows)s result rows) "
             "in %(seconds).1f s; %(left_out)s households left out for the problems listed. "
             "Results: %(results)s; summary: %(summary)s; referral sheets: %(referrals)s; "
             "problems: %(problems)s",
             households=outcome.households, members=outcome.members,
             rows=outcome.result_rows, seconds=outcome.seconds,
             left_out=len(outcome.left_out), results=paths["results"],
             summary=paths["summary"], referrals=paths["referrals"],
             problems=paths["problems"])
