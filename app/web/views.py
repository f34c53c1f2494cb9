"""The pages: start, the check form and its results, the catalogue of benefits.

A view validates the form, calls the service and renders a prepared object:
eligibility is decided by the rules engine alone (service.check).
"""

from __future__ import annotations

from flask import abort, render_template

from app import service
from app.catalogue_data import benefit_entry, catalogue
from app.forms import CheckForm
from app.i18n import current_language
from app.rulebook.model import THEMES as THEME_ORDER
from app.validation import InvalidRequest
from app.web import bp
from app.web.payload import MEMBER_ID, build_payload
from app.web.results import results_page
from app.web.summary import error_summary, problem_summary
from app.web.wording import THEMES


@bp.get("/")
def start():
    return render_template("web/start.html")


def _form_page(form: CheckForm, errors: list[dict[str, str]], status: int):
    return render_template("web/check.html", form=form, errors=errors), status


def _check_form() -> CheckForm:
    form = CheckForm()
    form.set_subdistricts(service.checker().book.subdistricts, current_language())
    return form


def reshow_check_form(message: str):
    """The form as it was sent, answers kept, with one message above it: used when its
    token had expired or was missing, so nothing was checked."""
    return _form_page(_check_form(), [{"href": "#check-form", "text": message}], 400)


@bp.route("/check", methods=["GET", "POST"])
def check():
    form = _check_form()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _form_page(form, error_summary(form), 400)
        return _form_page(form, [], 200)
    # answers are used for this one response and not kept or logged anywhere
    try:
        parsed = service.parse(build_payload(form))
    except InvalidRequest as invalid:
        return _form_page(form, problem_summary(invalid.problems, form), 400)
    response = service.check(parsed, current_language())
    return render_template("web/results.html", page=results_page(response, MEMBER_ID))


@bp.get("/benefits")
def benefits():
    entries = catalogue(service.checker().book, current_language())["benefits"]
    groups = [{"theme": theme, "label": THEMES[theme],
               "benefits": [b for b in entries if b["theme"] == theme]}
              for theme in THEME_ORDER]
    return render_template("catalogue/index.html", groups=[g for g in groups if g["benefits"]],
                           count=len(entries))


@bp.get("/benefits/<benefit_id>")
def benefit(benefit_id: str):
    book = service.checker().book
    if benefit_id not in book.benefits:
        abort(404)
    entry = benefit_entry(book, book.benefits[benefit_id], current_language())
    return render_template("catalogue/benefit.html", benefit=entry)
