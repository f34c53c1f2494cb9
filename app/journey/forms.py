"""One form per journey page, built from the question bank.

Nothing is pre-selected: "Not sure" is an answer to choose, and a question left
unanswered is an error that names it. A number question has its own "Not sure"
box beside the text input. CSRF is checked by the views (app/journey/views.py),
so that a refused submission can show the page again with its answers.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, StopValidation

from app.facts import HOUSEHOLD_FACTS, MEMBER_FACTS
from app.form_fields import BoundedNumberField
from app.forms import AGE_RANGE, INCOME_RANGE, PERSONAL_INCOME_RANGE
from app.questions import BANK, NO, NOT_SURE, YES, Question


class JourneyForm(FlaskForm):
    class Meta:
        csrf = False  # checked in the view: a refused page is shown again, answers kept


def field_name(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def anchor(path: str) -> str:
    """The id an error-summary or change link points at: a radio group's first radio."""
    name = field_name(path)
    return name if BANK[path].widget in ("number", "select") else f"{name}-0"


class _AnswerOrNotSure:
    """A number left empty is an error, unless its "Not sure" box is ticked."""

    def __init__(self, message: str, other: str):
        self.message, self.other = message, other

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        not_sure = form[self.other].data if self.other in form else False
        if field.data is None:
            if not_sure:
                raise StopValidation()
            raise StopValidation(self.message)
        if not_sure:
            raise StopValidation(gettext("Enter a number or tick “Not sure”, not both"))


def _number_field(q: Question, who: str | None, not_sure: bool):
    """Read by the shared bounded parser (app/form_fields.py), with the quick form's words."""
    fact = {**HOUSEHOLD_FACTS, **MEMBER_FACTS}[q.fact]
    whole = fact.kind == "int"
    invalid, message = {
        "age": (gettext("Enter the age as a whole number, like 34"), AGE_RANGE),
        "monthly_income_per_person": (
            gettext("Enter the monthly income per person as a number, like 1800"),
            INCOME_RANGE),
        "personal_monthly_income": (
            gettext("Enter the person’s own monthly income as a number, like 1200"),
            PERSONAL_INCOME_RANGE),
    }[q.fact]
    name = field_name(q.path)
    return BoundedNumberField(
        q.label(who), description=q.hint_text(who), whole=whole, invalid_message=invalid,
        range_message=str(message),
        validators=[_AnswerOrNotSure(q.error(who), f"{name}_not_sure" if not_sure else ""),
                    NumberRange(min=fact.minimum, max=fact.maximum, message=str(message))])


def build_form(paths, who: str | None, choices: dict[str, list[tuple[str, str]]] | None = None,
               data: dict | None = None, formdata=None) -> JourneyForm:
    """A form for these questions; `choices` overrides a question's values (subdistricts,
    the members one may be guardian of); `data` holds the answers given before."""
    attrs = {}
    for path in paths:
        q = BANK[path]
        name = field_name(path)
        options = (choices or {}).get(path) or q.choices()
        listed = [SelectChoice(value, label) for value, label in options]
        if q.widget == "number":
            attrs[name] = _number_field(q, who, q.not_sure)
            if q.not_sure:
                attrs[f"{name}_not_sure"] = BooleanField(gettext("Not sure"))
        elif q.widget == "select":
            attrs[name] = SelectField(q.label(who), description=q.hint_text(who),
                                      choices=[SelectChoice("", gettext("Choose one")), *listed],
                                      validate_choice=False,
                                      validators=[_chosen(q.error(who), options)])
        else:
            attrs[name] = RadioField(q.label(who), description=q.hint_text(who),
                                     choices=listed, invalid_choice_message=q.error(who))
    form_class = type("PageForm", (JourneyForm,), attrs)
    return form_class(formdata=formdata, data=data or {})


def yes_no_form(name: str, label: str, message: str, formdata=None) -> JourneyForm:
    """One yes/no question that is not a fact ("add another person?", "remove them?")."""
    field = RadioField(label, choices=[SelectChoice(YES, gettext("Yes")),
                                       SelectChoice(NO, gettext("No"))],
                       invalid_choice_message=message)
    return type("YesNoForm", (JourneyForm,), {name: field})(formdata=formdata)


def _chosen(message: str, options):
    allowed = {value for value, _label in options}

    def check(form, field):
        if field.data not in allowed:
            raise StopValidation(message)
    return check


def answers(form: JourneyForm, paths) -> dict[str, object]:
    """The form's answers as contract values (None for "Not sure")."""
    out = {}
    for path in paths:
        q = BANK[path]
        name = field_name(path)
        if q.widget == "number" and q.not_sure and form[f"{name}_not_sure"].data:
            out[path] = None
        elif path == "member.is_guardian_of":
            value = form[name].data
            out[path] = None if value in (NOT_SURE, "none") else value
        else:
            out[path] = q.to_value(form[name].data)
    return out


def form_data(values: dict[str, object]) -> dict[str, object]:
    """Answers given before, as the form's data (a page shown again keeps them)."""
    data = {}
    for path, value in values.items():
        q = BANK[path]
        name = field_name(path)
        if q.widget == "number":
            if value is None and q.not_sure:
                data[f"{name}_not_sure"] = True
            else:
                data[name] = value
        elif path == "member.is_guardian_of":
            data[name] = "none" if value is None else value
        else:
            data[name] = q.to_answer(value)
    return data
