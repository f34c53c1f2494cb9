"""Community workers' pages: the whole-household quick form (/screen), batch screening of
a spreadsheet (/batch) and its templates.

An upload is read in memory (app/tools/upload.py), screened by the batch core
and answered as one ZIP download; nothing of it is kept or logged.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from app import service
from app.batch import messages as batch_messages
from app.batch.job import layout_for, screen_to_zip
from app.batch.read import MAX_BYTES, MAX_ROWS, FileRefused, file_format
from app.batch.template import column_guide, template_csv, template_xlsx
from app.facts import MAX_MEMBERS
from app.i18n import current_language
from app.tools import bp
from app.tools.forms import BatchForm
from app.tools.household import apply_problems, build_payload, form_errors
from app.tools.household_form import HouseholdForm, set_choices, small_number
from app.tools.results import render_results
from app.validation import InvalidRequest
from app.web.summary import error_summary

ZIP = "application/zip"
TEMPLATE_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _batch_page(form: BatchForm, errors: list[dict[str, str]], status: int):
    lang = current_language()
    return render_template(
        "tools/batch.html", form=form, errors=errors,
        columns=column_guide(layout_for(current_app), lang),
        limits={"size": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}",
                "members": MAX_MEMBERS}), status


@bp.route("/batch", methods=["GET", "POST"])
def batch():
    form = BatchForm()
    if not form.validate_on_submit():
        return _batch_page(form, error_summary(form), 400) if form.is_submitted() else \
            _batch_page(form, [], 200)
    lang = current_language()
    upload = form.file.data
    try:
        in_fmt = file_format(upload.filename or "")
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FileRefused("too_large")
        archive, _outcome = screen_to_zip(data, in_fmt, form.output.data, lang)
    except FileRefused as refused:
        form.file.errors = [batch_messages.refused(refused, layout_for(current_app), lang)]
        return _batch_page(form, error_summary(form), 400)
    name = f"screening-{service.beijing_today():%Y%m%d}.zip"
    return Response(archive, mimetype=ZIP,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.errorhandler(413)
def too_large(_error):
    form = BatchForm(formdata=None)
    form.file.errors = [batch_messages.refused(FileRefused("too_large"),
                                               layout_for(current_app), current_language())]
    return _batch_page(form, error_summary(form), 413)


@bp.get("/batch/template.<fmt>")
def template(fmt: str):
    if fmt not in TEMPLATE_TYPES:
        abort(404)
    lang = current_language()
    layout, book = layout_for(current_app), service.checker().book
    body = template_csv(layout, lang, book) if fmt == "csv" else template_xlsx(layout, lang, book)
    name = f"households-template-{lang}.{fmt}"
    return Response(body, mimetype=TEMPLATE_TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Type": TEMPLATE_TYPES[fmt]})




def _screen_page(form, errors: list[dict[str, str]], status: int):
    return render_template("tools/screen.html", form=form, errors=errors,
                           max_members=MAX_MEMBERS), status


def _without_member(form, index: int):
    """The same answers with one member removed; guardian links follow the renumbering."""
    members = [entry.form.data for entry in form.members.entries]
    del members[index]
    for member in members:
        ward = member.get("is_guardian_of")
        number = small_number(ward)
        if number is not None:
            number -= 1
            member["is_guardian_of"] = ("" if number == index else
                                        str(number) if number > index else ward)
    household = {f.name: f.data for f in form if f.name not in ("members", "csrf_token")}
    return HouseholdForm(formdata=None, data={**household, "members": members})


@bp.route("/screen", methods=["GET", "POST"])
def screen():
    book, lang = service.checker().book, current_language()
    form = HouseholdForm()
    action = request.form.get("action", "results")
    if form.is_submitted() and action == "add" and len(form.members) < MAX_MEMBERS:
        form.members.append_entry()
    elif form.is_submitted() and action.startswith("remove-") and len(form.members) > 1:
        index = small_number(action.removeprefix("remove-"))
        if index is not None and index < len(form.members):
            form = _without_member(form, index)
    set_choices(form, book.subdistricts, lang)
    if not form.is_submitted() or action != "results":
        return _screen_page(form, [], 200)
    form.validate()  # reads the answers; the API's validator judges them below
    errors = form_errors(form)
    if errors:
        return _screen_page(form, errors, 400)
    # answers are used for this one response and not kept or logged anywhere
    payload = build_payload(form)
    try:
        parsed = service.parse(payload)
    except InvalidRequest as invalid:
        return _screen_page(form, apply_problems(invalid.problems, form), 400)
    return render_results(service.check(parsed, lang), payload)
