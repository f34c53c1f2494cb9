"""The forms of the community workers' tools."""

from __future__ import annotations

# `_` is lazy here: module-level text is translated when a page shows it, in its language
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice


class BatchForm(FlaskForm):
    file = FileField(
        _("Spreadsheet of households"),
        description=_("A .csv or .xlsx file made from the template, at most 10 MB."),
        validators=[FileRequired(_("Select a .csv or .xlsx file to screen"))])
    output = RadioField(
        _("Format of the results"),
        choices=[SelectChoice("xlsx", _("Excel workbook (.xlsx)")),
                 SelectChoice("csv", _("CSV (UTF-8)"))],
        default="xlsx",
        invalid_choice_message=_("Select the format of the results"))
