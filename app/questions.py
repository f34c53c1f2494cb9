"""The question bank: one entry per fact of the contract, with its words.

Each entry says how to ask for a fact (about the household, about "you", or about
another member named by their label), the hint, the words for each value, the
short name used on check-answers and results pages, and the error shown when the
question is left unanswered. The step-by-step journey reads it; so can any other
form (quick form, batch headers), so that a fact reads the same everywhere.

Texts are msgids marked with N_ and translated at request time with gettext, so
that a member's label can be put into them ("Does %(who)s have a disability?").
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS, Fact
from app.forms import FACT_NAMES, VALUE_LABELS, YES_NO

NOT_SURE = "unknown"
YES, NO = "yes", "no"

# Who a member is to the person filling in (the answers of the relation question) …
RELATION_CHOICES = {
    "self": _("Me: I am filling this in for myself"),
    "spouse": _("My husband or wife"),
    "child": _("My child"),
    "parent": _("My mother or father"),
    "sibling": _("My brother or sister"),
    "grandparent": _("My grandparent"),
    "grandchild": _("My grandchild"),
    "other": _("Someone else in the household"),
}
# … and how the pages name them, with their age: "Your child (5)" / "孩子（5岁）"
RELATION_NAMES = {
    "self": _("You"),
    "spouse": _("Your husband or wife"),
    "child": _("Your child"),
    "parent": _("Your parent"),
    "sibling": _("Your brother or sister"),
    "grandparent": _("Your grandparent"),
    "grandchild": _("Your grandchild"),
    "other": _("Another household member"),
}
LABELS = {**VALUE_LABELS, "relation": RELATION_CHOICES, "yes_no": YES_NO}


def N_(text: str) -> str:  # noqa: N802 — marks a msgid for extraction, translated later
    return text


# Kinds of answer, and how a form answer becomes a contract value and back
# (one table, so no module switches on Fact.kind to read a form).
def _to_bool(answer: str):
    return {YES: True, NO: False}[answer]


def _from_bool(value) -> str:
    return YES if value else NO


KINDS = {
    "bool": (_to_bool, _from_bool),
    "enum": (str, str),
    "int": (int, str),
    "subdistrict": (str, str),
    "member_ref": (str, str),
}


@dataclass(frozen=True)
class Question:
    fact: str            # contract field name ("hukou", "age", "disability.grade")
    path: str            # fact path of rules/README.md ("household.hukou", "member.age")
    widget: str          # "radios", "select", "number"
    ask_you: str         # msgid, when the member is the person filling in, or the household
    ask_other: str = ""  # msgid with %(who)s, for another member
    hint: str = ""       # msgid (may contain %(who)s)
    error_you: str = ""
    error_other: str = ""
    values: str = ""     # key into VALUE_LABELS, or "yes_no"
    not_sure: bool = True
    inline: bool = False

    def fact_def(self) -> Fact:
        name = self.fact.removeprefix("disability.")
        if self.path.startswith("household."):
            return HOUSEHOLD_FACTS[name]
        if self.fact.startswith("disability."):
            return DISABILITY_FACTS[name]
        if self.fact == "disabled":
            return Fact("disabled", "bool")
        return MEMBER_FACTS[name]

    def label(self, who: str | None) -> str:
        if who is None or not self.ask_other:
            return gettext(self.ask_you)
        return gettext(self.ask_other, who=who)

    def hint_text(self, who: str | None) -> str:
        if not self.hint:
            return ""
        return gettext(self.hint, who=who or gettext("you"))

    def error(self, who: str | None) -> str:
        if who is None or not self.error_other:
            return gettext(self.error_you)
        return gettext(self.error_other, who=who)

    def short_name(self) -> str:
        return str(FACT_NAMES.get(self.path, self.fact))

    def choices(self) -> list[tuple[str, str]]:
        labels = LABELS.get(self.values, {})
        out = [(value, str(label)) for value, label in labels.items()]
        if self.not_sure:
            out.append((NOT_SURE, gettext("Not sure")))
        return out

    def to_value(self, answer):
        """A form answer as the contract's value; "Not sure" is None (JSON null)."""
        if answer in (None, "", NOT_SURE):
            return None
        kind = self.fact_def().kind
        if kind == "number":
            return int(answer) if answer == int(answer) else float(answer)
        return KINDS[kind][0](answer)

    def to_answer(self, value):
        """The contract's value as the form's answer (None → "Not sure")."""
        if value is None:
            return NOT_SURE if self.widget != "number" else None
        kind = self.fact_def().kind
        if kind == "number":
            return value
        return KINDS[kind][1](value)

    def value_text(self, value) -> str:
        """An answer in words, for check answers and near misses."""
        if value is None:
            return gettext("Not sure")
        answer = self.to_answer(value)
        for choice, label in self.choices():
            if choice == answer:
                return label
        return str(value)


def _q(fact, path, widget, ask_you, ask_other="", **kw) -> Question:
    return Question(fact, path, widget, ask_you, ask_other, **kw)


BANK: dict[str, Question] = {q.path: q for q in (
    # --- the household ---
    _q("hukou", "household.hukou", "radios",
       N_("Where is the household registered (hukou)?"),
       hint=N_("The household register booklet shows this."), values="hukou",
       error_you=N_("Select where the household is registered, or “Not sure”")),
    _q("subdistrict", "household.subdistrict", "select",
       N_("Which subdistrict or town does the household live in?"),
       hint=N_("This tells you where to apply. Choose “Not sure” if you do not know."),
       error_you=N_("Select a subdistrict or town from the list, or “Not sure”")),
    _q("assistance", "household.assistance", "radios",
       N_("Does the household get social assistance?"),
       hint=N_("Choose the one the civil affairs office has approved for the household."),
       values="assistance",
       error_you=N_("Select the social assistance the household gets, or “Not sure”")),
    _q("monthly_income_per_person", "household.monthly_income_per_person", "number",
       N_("Monthly income per person, in yuan"),
       hint=N_("Add up the household’s income for a month and divide it by the number of "
               "people in the household."),
       error_you=N_("Enter the monthly income per person, or select “Not sure”")),
    _q("housing", "household.housing", "radios",
       N_("Where does the household live now?"), values="housing",
       error_you=N_("Select where the household lives, or “Not sure”")),
    _q("house_dilapidated", "household.house_dilapidated", "radios",
       N_("Is the home unsafe or in very poor repair?"),
       hint=N_("For example, an old house that has been assessed as dangerous."),
       values="yes_no", inline=True,
       error_you=N_("Select whether the home is unsafe, or “Not sure”")),
    _q("recent_crisis", "household.recent_crisis", "radios",
       N_("Has a sudden event left the family unable to cope?"),
       hint=N_("For example, an accident or a serious illness."), values="yes_no", inline=True,
       error_you=N_("Select whether a sudden event left the family unable to cope, "
                    "or “Not sure”")),
    # --- a member: who they are (no names: a relation and an age) ---
    _q("relation", "member.relation", "radios",
       N_("Who is this person to you?"), values="relation", not_sure=False,
       error_you=N_("Select who this person is to you")),
    _q("age", "member.age", "number",
       N_("How old is this person?"), hint=N_("Age in whole years."), not_sure=False,
       error_you=N_("Enter the person’s age")),
    _q("sex", "member.sex", "radios",
       N_("What is the person’s sex?"), hint=N_("Some Beijing age limits differ for men and "
                                                "women."),
       values="sex", inline=True, error_you=N_("Select the person’s sex, or “Not sure”")),
    # --- their own income (some rules test the person, not the household) ---
    _q("personal_monthly_income", "member.personal_monthly_income", "number",
       N_("The person’s own stable monthly income, in yuan"),
       hint=N_("For example a pension or wages, not the family’s income. Enter 0 if there "
               "is none."),
       error_you=N_("Enter the person’s own monthly income, or select “Not sure”")),
    # --- their disability ---
    _q("disabled", "member.disabled", "radios",
       N_("Do you have a disability?"), N_("Does %(who)s have a disability?"),
       hint=N_("Answer “Yes” even without a disability certificate yet."),
       values="yes_no", inline=True,
       error_you=N_("Select whether you have a disability, or “Not sure”"),
       error_other=N_("Select whether %(who)s has a disability, or “Not sure”")),
    _q("disability.certificate", "member.disability.certificate", "radios",
       N_("Do you have a disability certificate?"),
       N_("Does %(who)s have a disability certificate?"),
       hint=N_("The certificate is issued by the disabled persons’ federation."),
       values="yes_no", inline=True,
       error_you=N_("Select whether you have a disability certificate, or “Not sure”"),
       error_other=N_("Select whether %(who)s has a disability certificate, or “Not sure”")),
    _q("disability.category", "member.disability.category", "radios",
       N_("What type of disability do you have?"),
       N_("What type of disability does %(who)s have?"),
       hint=N_("The type written on the certificate, or the one a doctor diagnosed."),
       values="category",
       error_you=N_("Select the type of disability, or “Not sure”"),
       error_other=N_("Select the type of disability, or “Not sure”")),
    _q("disability.grade", "member.disability.grade", "radios",
       N_("What grade is your disability?"), N_("What grade is the disability of %(who)s?"),
       hint=N_("The grade is written on the certificate. Without a certificate, choose "
               "“Not sure” unless an assessment gave a grade."),
       values="grade",
       error_you=N_("Select the disability grade, or “Not sure”"),
       error_other=N_("Select the disability grade, or “Not sure”")),
    # --- work ---
    _q("employment", "member.employment", "radios",
       N_("What do you do now?"), N_("What does %(who)s do now?"), values="employment",
       error_you=N_("Select what you do now, or “Not sure”"),
       error_other=N_("Select what %(who)s does now, or “Not sure”")),
    _q("wants_work", "member.wants_work", "radios",
       N_("Would you like a job or training?"), N_("Would %(who)s like a job or training?"),
       values="yes_no", inline=True,
       error_you=N_("Select whether you would like a job or training, or “Not sure”"),
       error_other=N_("Select whether %(who)s would like a job or training, or “Not sure”")),
    # --- school ---
    _q("school_stage", "member.school_stage", "radios",
       N_("Are you at school or studying now?"), N_("Is %(who)s at school or studying now?"),
       values="school_stage",
       error_you=N_("Select your schooling, or “Not sure”"),
       error_other=N_("Select the schooling of %(who)s, or “Not sure”")),
    _q("cannot_attend_school", "member.cannot_attend_school", "radios",
       N_("Are you too ill or disabled to go to school in person?"),
       N_("Is %(who)s too ill or disabled to go to school in person?"),
       values="yes_no", inline=True,
       error_you=N_("Select whether you can go to school in person, or “Not sure”"),
       error_other=N_("Select whether %(who)s can go to school in person, or “Not sure”")),
    # --- care ---
    _q("needs_long_term_care", "member.needs_long_term_care", "radios",
       N_("Do you need daily care for 6 months or more?"),
       N_("Does %(who)s need daily care for 6 months or more?"),
       hint=N_("Someone has to help every day, for example with eating, washing or moving "
               "around."),
       values="yes_no", inline=True,
       error_you=N_("Select whether you need long-term daily care, or “Not sure”"),
       error_other=N_("Select whether %(who)s needs long-term daily care, or “Not sure”")),
    _q("severe_mental_disorder", "member.severe_mental_disorder", "radios",
       N_("Have you been diagnosed with a severe mental disorder?"),
       N_("Has %(who)s been diagnosed with a severe mental disorder?"),
       hint=N_("Answer “Yes” only if a psychiatric hospital or doctor diagnosed it."),
       values="yes_no", inline=True,
       error_you=N_("Select whether you have a severe mental disorder, or “Not sure”"),
       error_other=N_("Select whether %(who)s has a severe mental disorder, or “Not sure”")),
    _q("in_welfare_institution", "member.in_welfare_institution", "radios",
       N_("Do you live in a welfare institution?"),
       N_("Does %(who)s live in a welfare institution?"),
       hint=N_("For example, a care home or a welfare home."), values="yes_no", inline=True,
       error_you=N_("Select whether you live in a welfare institution, or “Not sure”"),
       error_other=N_("Select whether %(who)s lives in a welfare institution, or “Not sure”")),
    # --- living on family support ---
    _q("supported_by_family", "member.supported_by_family", "radios",
       N_("Do you live on support from your family?"),
       N_("Does %(who)s live on support from their family?"),
       hint=N_("Living costs are paid mainly by relatives."), values="yes_no", inline=True,
       error_you=N_("Select whether you live on family support, or “Not sure”"),
       error_other=N_("Select whether %(who)s lives on family support, or “Not sure”")),
    _q("can_register_own_household", "member.can_register_own_household", "radios",
       N_("Could you register as a separate household?"),
       N_("Could %(who)s register as a separate household?"),
       hint=N_("That is, have their own household registration, apart from their "
               "relatives."),
       values="yes_no", inline=True,
       error_you=N_("Select whether you could register a separate household, or “Not sure”"),
       error_other=N_("Select whether %(who)s could register a separate household, "
                      "or “Not sure”")),
    # --- getting around ---
    _q("owns_adapted_vehicle", "member.owns_adapted_vehicle", "radios",
       N_("Do you drive your own vehicle adapted for disabled drivers?"),
       N_("Does %(who)s drive their own vehicle adapted for disabled drivers?"),
       values="yes_no", inline=True,
       error_you=N_("Select whether you drive an adapted vehicle, or “Not sure”"),
       error_other=N_("Select whether %(who)s drives an adapted vehicle, or “Not sure”")),
    # --- insurance ---
    _q("pension_insurance", "member.pension_insurance", "radios",
       N_("Which basic pension insurance do you have?"),
       N_("Which basic pension insurance does %(who)s have?"), values="insurance",
       error_you=N_("Select your pension insurance, or “Not sure”"),
       error_other=N_("Select the pension insurance of %(who)s, or “Not sure”")),
    _q("medical_insurance", "member.medical_insurance", "radios",
       N_("Which basic medical insurance do you have?"),
       N_("Which basic medical insurance does %(who)s have?"), values="insurance",
       error_you=N_("Select your medical insurance, or “Not sure”"),
       error_other=N_("Select the medical insurance of %(who)s, or “Not sure”")),
    # --- guardians ---
    _q("is_guardian_of", "member.is_guardian_of", "radios",
       N_("Are you the legal guardian of someone in the household?"),
       N_("Is %(who)s the legal guardian of someone in the household?"),
       hint=N_("A guardian is responsible for a family member who cannot fully look "
               "after themselves, for example because of a severe mental disorder."),
       not_sure=False,
       error_you=N_("Select the person you are guardian of, or “No”"),
       error_other=N_("Select the person %(who)s is guardian of, or “No”")),
)}
