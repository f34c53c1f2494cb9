"""The check form: one person's situation in the contract's facts.

Field names are the contract's fact names (app/facts.py), so that one table
drives the form, the payload built from it and the words on the results page.
Every question that may be unknown offers "Not sure", which is preselected:
skipping a question is the same as not knowing, and the result says "maybe"
rather than guessing.
"""

from __future__ import annotations

# `_` is lazy here: module-level text is translated when a page shows it, in its language
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from app.facts import HOUSEHOLD_FACTS, MEMBER_FACTS
from app.form_fields import BoundedNumberField, Required, optional

NOT_SURE = "unknown"
YES, NO = "yes", "no"

# The words for every value of the contract's vocabularies, used by the form
# and by the results page (one place, so a value reads the same everywhere).
VALUE_LABELS = {
    "relation": {
        "self": _("The person filling in"),
        "spouse": _("Husband or wife"),
        "child": _("Son or daughter"),
        "parent": _("Father or mother"),
        "sibling": _("Brother or sister"),
        "grandparent": _("Grandparent"),
        "grandchild": _("Grandchild"),
        "other": _("Other relative or person"),
    },
    "hukou": {
        "beijing_urban": _("Beijing urban household registration"),
        "beijing_rural": _("Beijing rural (agricultural) household registration"),
        "non_beijing": _("Household registration outside Beijing"),
    },
    "assistance": {
        "none": _("No social assistance"),
        "dibao": _("Minimum livelihood guarantee (dibao)"),
        "low_income": _("Low-income family"),
        "tekun": _("Support for people in extreme poverty (tekun), or rural “five guarantees”"),
    },
    "housing": {
        "owned": _("A home the family owns"),
        "public_rental": _("Public rental housing"),
        "private_rental": _("A home rented privately"),
        "no_stable_home": _("No stable home"),
        "rural_own_house": _("The family’s own house in a village"),
    },
    "category": {
        "visual": _("Visual disability"),
        "hearing": _("Hearing disability"),
        "speech": _("Speech disability"),
        "physical": _("Physical disability"),
        "intellectual": _("Intellectual disability"),
        "mental": _("Mental (psychiatric) disability"),
        "multiple": _("Multiple disabilities"),
    },
    "grade": {
        "1": _("Grade 1 (most severe)"),
        "2": _("Grade 2"),
        "3": _("Grade 3"),
        "4": _("Grade 4 (least severe)"),
    },
    "employment": {
        "employed": _("Employed"),
        "self_employed": _("Self-employed or in flexible work"),
        "unemployed": _("Unemployed or without work"),
        "student": _("A student"),
        "retired": _("Retired"),
        "not_working_age": _("Not of working age"),
    },
    "school_stage": {
        "none": _("Not at school"),
        "preschool": _("Preschool (kindergarten)"),
        "compulsory": _("Primary or junior secondary school (compulsory education)"),
        "special_school": _("A special education school (any stage)"),
        "senior_secondary": _("Senior secondary school"),
        "vocational": _("Vocational school or college"),
        "higher": _("Higher education (university or college)"),
    },
    "sex": {
        "male": _("Male"),
        "female": _("Female"),
    },
    "insurance": {
        "resident": _("Urban and rural residents’ scheme"),
        "employee": _("Employees’ scheme"),
        "none": _("Not insured"),
    },
}

# Short names of the facts, for "to settle this we need to know …" on the results page.
FACT_NAMES = {
    "household.hukou": _("Household registration (hukou)"),
    "household.subdistrict": _("Subdistrict or town"),
    "household.assistance": _("Social assistance the household gets"),
    "household.monthly_income_per_person": _("Monthly income per person"),
    "household.housing": _("Where the household lives"),
    "household.house_dilapidated": _("Whether the home is unsafe"),
    "household.recent_crisis": _("Whether a sudden event left the family unable to cope"),
    "member.relation": _("Relation to the person filling in"),
    "member.age": _("Age"),
    "member.sex": _("Sex"),
    "member.personal_monthly_income": _("The person’s own monthly income"),
    "member.disabled": _("Whether the person has a disability"),
    "member.disability.certificate": _("Whether the person has a disability certificate"),
    "member.disability.category": _("Type of disability"),
    "member.disability.grade": _("Disability grade"),
    "member.employment": _("Work"),
    "member.wants_work": _("Whether the person would like a job or training"),
    "member.needs_long_term_care": _("Whether the person needs long-term daily care"),
    "member.severe_mental_disorder": _("Whether the person has a severe mental disorder"),
    "member.school_stage": _("Schooling"),
    "member.cannot_attend_school": _("Whether the person can go to school in person"),
    "member.supported_by_family": _("Whether the person lives on family support"),
    "member.can_register_own_household": _("Whether the person could register a separate "
                                            "household"),
    "member.owns_adapted_vehicle": _("Whether the person drives an adapted vehicle"),
    "member.in_welfare_institution": _("Whether the person lives in a welfare institution"),
    "member.pension_insurance": _("Pension insurance"),
    "member.medical_insurance": _("Medical insurance"),
}


def _choices(labels: dict, not_sure: bool = True) -> list[SelectChoice]:
    choices = [SelectChoice(value, label) for value, label in labels.items()]
    if not_sure:
        choices.append(SelectChoice(NOT_SURE, _("Not sure")))
    return choices


YES_NO = {YES: _("Yes"), NO: _("No")}


class AnswerRadios(RadioField):
    """Radios with nothing selected until the person chooses (GOV.UK: never pre-select).
    A question left unanswered reads as "Not sure"; a value that is not a choice is still
    refused."""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            return
        super().pre_validate(form)


def _radios(label, hint, labels, message, **kwargs) -> RadioField:
    return AnswerRadios(label, description=hint, choices=_choices(labels), default=None,
                        invalid_choice_message=message, **kwargs)


INCOME_MAX = HOUSEHOLD_FACTS["monthly_income_per_person"].maximum
PERSONAL_INCOME_MAX = MEMBER_FACTS["personal_monthly_income"].maximum
PERSONAL_INCOME_RANGE = _("The person’s own monthly income must be between 0 and "
                          "%(maximum)s yuan", maximum=f"{PERSONAL_INCOME_MAX:,.0f}")
INCOME_RANGE = _("Monthly income per person must be between 0 and %(maximum)s yuan",
                 maximum=f"{INCOME_MAX:,.0f}")
AGE = MEMBER_FACTS["age"]
AGE_RANGE = _("Age must be between %(minimum)s and %(maximum)s",
              minimum=int(AGE.minimum), maximum=int(AGE.maximum))


class CheckForm(FlaskForm):
    # --- the household ---
    hukou = _radios(
        _("Where is the household registered (hukou)?"),
        _("The household register booklet shows this."),
        VALUE_LABELS["hukou"],
        _("Select where the household is registered, or “Not sure”"))
    subdistrict = SelectField(
        _("Which subdistrict or town does the household live in?"),
        description=_("This tells you where to apply. Choose “Not sure” if you do not know."),
        choices=[SelectChoice("", _("Not sure"))], default="",
        invalid_choice_message=_("Select a subdistrict or town from the list, or “Not sure”"))
    assistance = _radios(
        _("Does the household get social assistance?"),
        _("Choose the one the civil affairs office has approved for the household."),
        VALUE_LABELS["assistance"],
        _("Select the social assistance the household gets, or “Not sure”"))
    monthly_income_per_person = BoundedNumberField(
        _("Monthly income per person, in yuan"),
        description=_("Add up the household’s income for a month and divide it by the number "
                       "of people in the household. Leave it empty if you are not sure."),
        whole=False,
        invalid_message=_("Enter the monthly income per person as a number, like 1800"),
        range_message=INCOME_RANGE,
        validators=[optional, NumberRange(min=0, max=INCOME_MAX, message=INCOME_RANGE)])
    housing = _radios(
        _("Where does the household live now?"),
        None,
        VALUE_LABELS["housing"],
        _("Select where the household lives, or “Not sure”"))
    house_dilapidated = _radios(
        _("Is the home unsafe or in very poor repair?"),
        _("For example, an old house that has been assessed as dangerous."),
        YES_NO,
        _("Select whether the home is unsafe, or “Not sure”"))
    recent_crisis = _radios(
        _("Has a sudden event left the family unable to cope?"),
        _("For example, an accident or a serious illness."),
        YES_NO,
        _("Select whether a sudden event left the family unable to cope, or “Not sure”"))

    # --- the person ---
    age = BoundedNumberField(
        _("How old is the person?"),
        description=_("Age in whole years."),
        whole=True,
        invalid_message=_("Enter the age as a whole number, like 34"),
        range_message=AGE_RANGE,
        validators=[Required(_("Enter the person’s age")),
                    NumberRange(min=AGE.minimum, max=AGE.maximum, message=AGE_RANGE)])
    sex = _radios(
        _("What is the person’s sex?"),
        _("Some Beijing age limits differ for men and women."),
        VALUE_LABELS["sex"],
        _("Select the person’s sex, or “Not sure”"))
    has_disability = _radios(
        _("Does the person have a disability?"),
        _("Answer “Yes” even if they do not have a disability certificate yet."),
        YES_NO,
        _("Select whether the person has a disability, or “Not sure”"))
    certificate = _radios(
        _("Does the person have a disability certificate?"),
        _("Answer only if the person has a disability. The certificate is issued by the "
           "disabled persons’ federation."),
        YES_NO,
        _("Select whether the person has a disability certificate, or “Not sure”"))
    category = _radios(
        _("What type of disability does the person have?"),
        _("Answer only if the person has a disability. Choose the type written on the "
           "certificate, or the one a doctor diagnosed."),
        VALUE_LABELS["category"],
        _("Select the type of disability, or “Not sure”"))
    grade = _radios(
        _("What grade is the disability?"),
        _("Answer only if the person has a disability certificate. The grade is written on "
           "it."),
        VALUE_LABELS["grade"],
        _("Select the disability grade, or “Not sure”"))
    employment = _radios(
        _("What does the person do now?"),
        None,
        VALUE_LABELS["employment"],
        _("Select what the person does now, or “Not sure”"))
    personal_monthly_income = BoundedNumberField(
        _("The person’s own stable monthly income, in yuan"),
        description=_("For example a pension or wages, not the family’s income. Enter 0 if "
                       "they have none. Leave it empty if you are not sure."),
        whole=False,
        invalid_message=_("Enter the person’s own monthly income as a number, like 1200"),
        range_message=PERSONAL_INCOME_RANGE,
        validators=[optional, NumberRange(min=0, max=PERSONAL_INCOME_MAX,
                                          message=PERSONAL_INCOME_RANGE)])
    wants_work = _radios(
        _("Would the person like a job or training?"),
        None,
        YES_NO,
        _("Select whether the person would like a job or training, or “Not sure”"))
    needs_long_term_care = _radios(
        _("Does the person need daily care for 6 months or more?"),
        _("Someone has to help them every day, for example with eating, washing or moving "
           "around."),
        YES_NO,
        _("Select whether the person needs long-term daily care, or “Not sure”"))
    severe_mental_disorder = _radios(
        _("Has the person been diagnosed with a severe mental disorder?"),
        _("Answer “Yes” only if a psychiatric hospital or doctor diagnosed it."),
        YES_NO,
        _("Select whether the person has a severe mental disorder, or “Not sure”"))
    school_stage = _radios(
        _("Is the person at school or studying now?"),
        None,
        VALUE_LABELS["school_stage"],
        _("Select the person’s schooling, or “Not sure”"))
    cannot_attend_school = _radios(
        _("Is the person too ill or disabled to go to school in person?"),
        _("Answer only for a child or young person of school age."),
        YES_NO,
        _("Select whether the person can go to school in person, or “Not sure”"))
    supported_by_family = _radios(
        _("Does the person live on support from their family?"),
        _("Their living costs are paid mainly by relatives."),
        YES_NO,
        _("Select whether the person lives on family support, or “Not sure”"))
    can_register_own_household = _radios(
        _("Could the person register as a separate household?"),
        _("That is, have their own household registration, apart from their relatives."),
        YES_NO,
        _("Select whether the person could register a separate household, or “Not sure”"))
    owns_adapted_vehicle = _radios(
        _("Does the person drive their own vehicle adapted for disabled drivers?"),
        None,
        YES_NO,
        _("Select whether the person drives an adapted vehicle, or “Not sure”"))
    in_welfare_institution = _radios(
        _("Does the person live in a welfare institution?"),
        _("For example, a care home or a welfare home."),
        YES_NO,
        _("Select whether the person lives in a welfare institution, or “Not sure”"))
    pension_insurance = _radios(
        _("Which basic pension insurance does the person have?"),
        None,
        VALUE_LABELS["insurance"],
        _("Select the person’s pension insurance, or “Not sure”"))
    medical_insurance = _radios(
        _("Which basic medical insurance does the person have?"),
        None,
        VALUE_LABELS["insurance"],
        _("Select the person’s medical insurance, or “Not sure”"))

    def set_subdistricts(self, subdistricts, lang: str) -> None:
        """The 26 names come from the rulebook (rules/subdistricts.yaml), shown in the
        page's language; the value sent is always the contract's Chinese name."""
        self.subdistrict.choices = [SelectChoice("", _("Not sure"))] + [
            SelectChoice(s.name, s.get(lang)) for s in subdistricts.values()]

