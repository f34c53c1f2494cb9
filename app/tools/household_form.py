"""The whole-household quick form (/screen): built from the contract's facts.

A compact block per member (FieldList of FormField). Every question is a
select or a short text box, "Not sure" first, so the common answers are a
letter or two away by keyboard. Nothing here checks ranges or vocabularies:
the answers become the API's request body and the API's validator judges them
(app/tools/household.py), so the form and the API cannot drift apart.
"""

from __future__ import annotations

# `_` is lazy here: module-level text is translated when a page shows it, in its language
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.batch.columns import BEFORE_DISABILITY, fact_label, value_labels
from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MAX_MEMBERS, MEMBER_FACTS, Fact
from app.form_fields import BoundedNumberField
from app.forms import FACT_NAMES, NO, YES, YES_NO

NOT_SURE = ""
DISABLED = "disabled"


def _not_sure() -> SelectChoice:
    return SelectChoice(NOT_SURE, _("Not sure"))


def _field(fact: Fact, label):
    if fact.kind in ("int", "number") and fact.name != "grade":
        return BoundedNumberField(
            label, whole=fact.kind == "int",
            invalid_message=_("Enter a number, or leave it empty if not known"))
    if fact.kind == "bool":
        choices = [SelectChoice(YES, YES_NO[YES]), SelectChoice(NO, YES_NO[NO])]
    elif fact.kind in ("enum", "int"):
        labels = value_labels(fact.name)
        values = fact.values or tuple(labels)
        choices = [SelectChoice(v, labels.get(v, v)) for v in values]
    else:  # the subdistrict and a member reference: choices are set per request
        choices = []
    return SelectField(label, choices=[_not_sure(), *choices], default=NOT_SURE,
                       validate_choice=False)


def _member_fields() -> dict:
    """Field name → field, in the form's order: relation and age, the disability, the rest."""
    fields = {}
    for name in (n for n in MEMBER_FACTS if n in BEFORE_DISABILITY):
        fields[name] = _field(MEMBER_FACTS[name], fact_label(f"member.{name}") or name)
    fields[DISABLED] = _field(Fact(DISABLED, "bool"), FACT_NAMES["member.disabled"])
    for name, fact in DISABILITY_FACTS.items():
        fields[name] = _field(fact, FACT_NAMES.get(f"member.disability.{name}", name))
    for name in (n for n in MEMBER_FACTS if n not in BEFORE_DISABILITY):
        label = fact_label(f"member.{name}") or (
            _("Guardian of") if name == "is_guardian_of" else name)
        fields[name] = _field(MEMBER_FACTS[name], label)
    return fields


MemberForm = type("MemberForm", (Form,), _member_fields())


def _household_fields() -> dict:
    fields = {name: _field(fact, FACT_NAMES.get(f"household.{name}", name))
              for name, fact in HOUSEHOLD_FACTS.items()}
    fields["as_of"] = StringField(
        _("Date of the check"),
        description=_("Leave it empty for today, or enter a date as YYYY-MM-DD."))
    return fields


def small_number(text: object) -> int | None:
    """A member number, index or grade as this page's own fields and buttons send it (1 to
    3 ASCII digits), else None. str.isdigit alone passes "²", which int() refuses, and
    int() refuses a number of 5,000 digits too: either would be a 500."""
    if isinstance(text, str) and 0 < len(text) <= 3 and text.isascii() and text.isdigit():
        return int(text)
    return None


class MemberList(FieldList):
    """The member blocks, numbered by the page's own field names ("members-0-age").
    WTForms reads any key whose number passes str.isdigit with int(); keys whose number
    is not a small_number are ignored here."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = small_number(key[offset:].split(self._field_separator, 1)[0])
                if index is not None:
                    yield index


# the household's questions first, then the members (fields keep their creation order)
HouseholdForm = type("HouseholdForm", (FlaskForm,), {
    **_household_fields(),
    "members": MemberList(FormField(MemberForm), min_entries=1, max_entries=MAX_MEMBERS),
})


def member_label(index: int) -> str:
    return _("Member %(number)s", number=index + 1)


def set_choices(form: HouseholdForm, subdistricts, lang: str) -> None:
    """The choices that depend on the request: subdistricts in the page's language, and for
    each member the other members they can be guardian of."""
    form.subdistrict.choices = [_not_sure()] + [SelectChoice(s.name, s.get(lang))
                                                for s in subdistricts.values()]
    count = len(form.members.entries)
    for index, entry in enumerate(form.members.entries):
        entry.form.is_guardian_of.choices = [_not_sure()] + [
            SelectChoice(str(other + 1), member_label(other))
            for other in range(count) if other != index]
