"""The downloadable templates (CSV and XLSX), in the page's language.

Row 1 holds the headers in that language and row 2 the same columns in the
other one (the reader skips a second header row), then a filled example
household. The XLSX adds a drop-down list of the accepted words on every
column with a vocabulary, and a guide sheet that explains each column.
"""

from __future__ import annotations

import csv
import io

from flask_babel import force_locale
from flask_babel import gettext as _

from app.batch.columns import HOUSEHOLD_ID, MEMBER_ID, Layout, value_labels
from app.batch.read import MAX_ROWS
from app.facts import MAX_MEMBERS
from app.forms import NO, YES, YES_NO

OTHER = {"zh": "en", "en": "zh"}

# The example household, in the contract's values: household facts on its first row only.
EXAMPLE = [
    {"household_id": "A001", "member_id": "1", "hukou": "beijing_urban",
     "subdistrict": "方庄街道", "assistance": "dibao", "monthly_income_per_person": 900,
     "housing": "public_rental", "house_dilapidated": False, "recent_crisis": False,
     "relation": "self", "age": 52, "disabled": True, "disability.certificate": True,
     "disability.category": "physical", "disability.grade": 2, "employment": "unemployed",
     "wants_work": True, "needs_long_term_care": True, "medical_insurance": "resident"},
    {"household_id": "A001", "member_id": "2", "relation": "spouse", "age": 50,
     "disabled": False, "employment": "employed", "is_guardian_of": "3"},
    {"household_id": "A001", "member_id": "3", "relation": "child", "age": 12, "disabled": True,
     "disability.certificate": True, "disability.category": "intellectual",
     "disability.grade": 3, "school_stage": "compulsory"},
]


def _word(name: str, value, lang: str, book) -> object:
    """The example's value as a worker would type it in this language."""
    if lang == "en" or value is None:
        return value
    if isinstance(value, bool):
        return str(YES_NO[YES if value else NO])
    if name == "subdistrict":
        return value
    labels = value_labels(name)
    return str(labels[value]) if isinstance(value, str) and value in labels else value


def example_rows(layout: Layout, lang: str, book) -> list[list]:
    with force_locale(lang):
        return [[_word(c.name, row.get(c.name), lang, book) for c in layout.columns]
                for row in EXAMPLE]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def template_csv(layout: Layout, lang: str, book) -> bytes:
    """UTF-8 with a BOM, so that Excel on a Chinese system opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(layout.headers(lang))
    writer.writerow(layout.headers(OTHER[lang]))
    for row in example_rows(layout, lang, book):
        writer.writerow([_cell(v) for v in row])
    return "\ufeff".join(["", buffer.getvalue()]).encode("utf-8")


def _explain(column, lang: str) -> str:
    with force_locale(lang):
        own = {
            HOUSEHOLD_ID: _("Your own code for the household, the same on each of its rows. "
                            "Not a name or an ID number."),
            MEMBER_ID: _("Your own code for the member, different for each member of the "
                         "household. Not a name or an ID number."),
            "as_of": _("The date to check on, as YYYY-MM-DD. Empty: today."),
            "disabled": _("Yes or No. No: the other disability columns stay empty."),
            "is_guardian_of": _("The member code of the person this member is guardian of."),
        }
        if column.name in own:
            return str(own[column.name])
        if column.scope == "household":
            return _("%(fact)s. A household fact: give it on the household’s first row, or the "
                     "same on every row.", fact=column.labels[lang])
        return str(column.labels[lang])


def _accepted(column, layout: Layout, lang: str) -> str:
    fact = column.fact
    with force_locale(lang):
        words = layout.choices.get(column.name, {}).get(lang)
        if words:
            return "; ".join(words)
        if fact is not None and fact.kind in ("int", "number"):
            return _("A number from %(minimum)s to %(maximum)s", minimum=f"{fact.minimum:g}",
                     maximum=f"{fact.maximum:g}")
        return ""


def template_xlsx(layout: Layout, lang: str, book) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    with force_locale(lang):
        titles = (str(_("Households")), str(_("Guide")), str(_("Lists")))
        guide_headers = [str(_("Column")), str(_("Column in the other language")),
                         str(_("What to enter")), str(_("Accepted words"))]
        guide_intro = [
            str(_("One row per member. Rows of one household stay together and share its "
                  "household code.")),
            str(_("Row 1 holds the column names in this language, row 2 the same columns in "
                  "the other language; either can be used, and row 2 may be deleted.")),
            str(_("Empty, or “Not sure”, means not known: the results then say what to "
                  "confirm.")),
            str(_("At most %(rows)s rows and %(members)s members per household.",
                  rows=f"{MAX_ROWS:,}", members=MAX_MEMBERS)),
            str(_("Use your own codes for households and members, never names or ID "
                  "numbers.")),
        ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = titles[0]
    sheet.append(layout.headers(lang))
    sheet.append(layout.headers(OTHER[lang]))
    for row in example_rows(layout, lang, book):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C3"
    lists = workbook.create_sheet(titles[2])
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.labels[lang]) * 2)
        words = layout.choices.get(column.name, {}).get(lang)
        if not words:
            continue
        for row, word in enumerate(words, start=1):
            lists.cell(row=row, column=index, value=word)
        source = f"{quote_sheetname(titles[2])}!${letter}$1:${letter}${len(words)}"
        check = DataValidation(type="list", formula1=source, allow_blank=True)
        check.add(f"{letter}3:{letter}{MAX_ROWS + 2}")
        sheet.add_data_validation(check)
    lists.sheet_state = "hidden"
    guide = workbook.create_sheet(titles[1], 1)
    for line in guide_intro:
        guide.append([line])
    guide.append([])
    guide.append(guide_headers)
    for row in column_guide(layout, lang):
        guide.append([row["header"], row["other"], row["explain"], row["accepted"]])
    for letter, width in zip("ABCD", (28, 28, 60, 60), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_guide(layout: Layout, lang: str) -> list[dict[str, str]]:
    """Each column: its header in both languages, what to enter and the accepted words."""
    return [{"header": c.labels[lang], "other": c.labels[OTHER[lang]],
             "explain": _explain(c, lang), "accepted": _accepted(c, layout, lang)}
            for c in layout.columns]
