"""The check form without HTTP: validation, messages, and the payload built from it."""

from decimal import Decimal

import pytest

from app import service
from app.forms import CheckForm
from app.web.payload import build_payload, field_for_path
from app.web.summary import error_summary


@pytest.fixture()
def form_for(app, book):
    """Build and validate a CheckForm from posted answers, inside a request."""
    contexts = []

    def make(data, lang="en"):
        ctx = app.test_request_context(f"/check?lang={lang}", method="POST", data=data)
        ctx.push()
        contexts.append(ctx)
        form = CheckForm()
        form.set_subdistricts(book.subdistricts, lang)
        form.validate()
        return form

    yield make
    for ctx in reversed(contexts):
        ctx.pop()


def test_age_is_required(form_for):
    form = form_for({"hukou": "beijing_urban"})
    assert form.errors == {"age": ["Enter the person’s age"]}


def test_age_zero_is_an_answer(form_for):
    form = form_for({"age": "0"})
    assert not form.errors
    assert form.age.data == 0


@pytest.mark.parametrize("age", ["121", "-1", "1000"])
def test_age_out_of_range(form_for, age):
    assert form_for({"age": age}).errors == {"age": ["Age must be between 0 and 120"]}


@pytest.mark.parametrize("age", ["34.5", "abc", "3 4 x"])
def test_age_not_a_whole_number_has_one_message(form_for, age):
    assert form_for({"age": age}).errors == {"age": ["Enter the age as a whole number, like 34"]}


@pytest.mark.parametrize("typed", ["３４", " 34 ", "34岁", "34.0"])
def test_age_typed_as_people_type_it(form_for, typed):
    form = form_for({"age": typed})
    assert not form.errors
    assert form.age.data == 34


@pytest.mark.parametrize("age", ["1e9999999", "1e999999999999999999", "1e400", "9" * 20,
                                 "-1e400", "1E+15", "9" * 310])
def test_age_with_too_many_digits_is_out_of_range_without_being_built(form_for, age):
    # 1e9999999 used to become a 10-million-digit int (the worker froze) and 1e400 made
    # NumberRange call math.isnan() on an int too large for a float (a 500)
    assert form_for({"age": age}).errors == {"age": ["Age must be between 0 and 120"]}


@pytest.mark.parametrize("age", ["9" * 401, "3" * 1000, "1" * 30000])
def test_age_text_too_long_for_a_number_is_not_a_number(form_for, age):
    assert form_for({"age": age}).errors == {"age": ["Enter the age as a whole number, like 34"]}


@pytest.mark.parametrize("income", ["1e400", "1e9999999", "-1e400"])
def test_income_with_too_many_digits_is_out_of_range(form_for, income):
    assert form_for({"age": "34", "monthly_income_per_person": income}).errors == {
        "monthly_income_per_person": [
            "Monthly income per person must be between 0 and 10,000,000 yuan"]}


def test_age_message_in_chinese(form_for):
    assert form_for({}, lang="zh").errors == {"age": ["请填写申请人的年龄"]}


@pytest.mark.parametrize("typed, expected", [("", None), ("1,800", Decimal(1800)),
                                             ("1800.5", Decimal("1800.5")), ("0", Decimal(0)),
                                             ("１８００元", Decimal(1800))])
def test_income_is_optional_and_read_as_a_number(form_for, typed, expected):
    form = form_for({"age": "34", "monthly_income_per_person": typed})
    assert not form.errors
    assert form.monthly_income_per_person.data == expected


@pytest.mark.parametrize("typed, message", [
    ("-5", "Monthly income per person must be between 0 and 10,000,000 yuan"),
    ("lots", "Enter the monthly income per person as a number, like 1800"),
    ("nan", "Enter the monthly income per person as a number, like 1800"),
])
def test_income_errors(form_for, typed, message):
    form = form_for({"age": "34", "monthly_income_per_person": typed})
    assert form.errors == {"monthly_income_per_person": [message]}


def test_a_value_outside_the_choices_is_refused(form_for):
    form = form_for({"age": "34", "hukou": "beijing_suburb", "grade": "5"})
    assert form.errors == {
        "hukou": ["Select where the household is registered, or “Not sure”"],
        "grade": ["Select the disability grade, or “Not sure”"],
    }


def test_subdistrict_must_be_one_of_the_rulebook(form_for, book):
    name = next(iter(book.subdistricts))
    assert not form_for({"age": "34", "subdistrict": name}).errors
    assert form_for({"age": "34", "subdistrict": "某某街道"}).errors == {
        "subdistrict": ["Select a subdistrict or town from the list, or “Not sure”"]}


def test_unanswered_questions_read_as_not_sure(form_for):
    """Nothing is pre-selected; a question left unanswered is valid and gives the same
    payload as answering "Not sure"."""
    form = form_for({"age": "34"})
    assert not form.errors
    assert form.hukou.data is None and form.has_disability.data is None
    not_sure = form_for({"age": "34", "hukou": "unknown", "has_disability": "unknown"})
    assert build_payload(form) == build_payload(not_sure) == {
        "household": {}, "members": [{"id": "m1", "age": 34}]}


def test_the_form_pre_selects_no_answer(client):
    page = client.get("/check?lang=en").get_data(as_text=True)
    assert 'type="radio"' in page
    assert " checked" not in page


def test_not_sure_is_omitted_from_the_payload(form_for):
    form = form_for({"age": "34", "hukou": "unknown", "wants_work": "unknown",
                     "subdistrict": "", "monthly_income_per_person": ""})
    assert build_payload(form) == {"household": {}, "members": [{"id": "m1", "age": 34}]}


def test_payload_with_every_answer(form_for, book):
    subdistrict = next(iter(book.subdistricts))
    form = form_for({
        "hukou": "beijing_urban", "subdistrict": subdistrict, "assistance": "dibao",
        "monthly_income_per_person": "1800", "housing": "private_rental",
        "house_dilapidated": "no", "recent_crisis": "yes",
        "age": "34", "has_disability": "yes", "certificate": "yes", "category": "physical",
        "grade": "2", "employment": "unemployed", "wants_work": "yes",
        "needs_long_term_care": "yes", "severe_mental_disorder": "no", "school_stage": "none",
        "cannot_attend_school": "no", "supported_by_family": "yes",
        "can_register_own_household": "no", "owns_adapted_vehicle": "no",
        "in_welfare_institution": "no", "pension_insurance": "resident",
        "medical_insurance": "employee",
    })
    assert not form.errors
    assert build_payload(form) == {
        "household": {"hukou": "beijing_urban", "subdistrict": subdistrict,
                      "assistance": "dibao", "monthly_income_per_person": 1800,
                      "housing": "private_rental", "house_dilapidated": False,
                      "recent_crisis": True},
        "members": [{
            "id": "m1", "age": 34, "employment": "unemployed", "wants_work": True,
            "needs_long_term_care": True, "severe_mental_disorder": False,
            "school_stage": "none", "cannot_attend_school": False, "supported_by_family": True,
            "can_register_own_household": False, "owns_adapted_vehicle": False,
            "in_welfare_institution": False, "pension_insurance": "resident",
            "medical_insurance": "employee",
            "disability": {"certificate": True, "category": "physical", "grade": 2},
        }],
    }
    # and the checker accepts it as it is
    assert service.parse(build_payload(form)).members[0].disability["grade"] == 2


def test_income_with_fraction_stays_a_number(form_for):
    form = form_for({"age": "34", "monthly_income_per_person": "1800.5"})
    assert build_payload(form)["household"] == {"monthly_income_per_person": 1800.5}


@pytest.mark.parametrize("answers, disability", [
    ({"has_disability": "no", "grade": "2"}, None),         # "No": the details are ignored
    ({"has_disability": "yes"}, {}),                         # a disability, no details known
    ({"has_disability": "unknown", "certificate": "no"}, {"certificate": False}),
    ({"has_disability": "unknown", "grade": "1"}, {"grade": 1}),
])
def test_disability_answers(form_for, answers, disability):
    member = build_payload(form_for({"age": "34", **answers}))["members"][0]
    assert member["disability"] == disability


def test_disability_left_out_when_not_known(form_for):
    member = build_payload(form_for({"age": "34", "has_disability": "unknown"}))["members"][0]
    assert "disability" not in member


def test_error_summary_links_to_the_field_or_its_first_radio(form_for):
    form = form_for({"age": "", "hukou": "x"})
    assert error_summary(form) == [
        {"href": "#hukou-0", "text": "Select where the household is registered, or “Not sure”"},
        {"href": "#age", "text": "Enter the person’s age"},
    ]


def test_request_paths_name_form_fields(form_for):
    form = form_for({"age": "34"})
    assert field_for_path("household.hukou", form) == "hukou"
    assert field_for_path("members[0].age", form) == "age"
    assert field_for_path("members[0].disability.grade", form) == "grade"
    assert field_for_path("members[0].relation", form) is None
    assert field_for_path("as_of", form) is None


def test_subdistricts_are_named_in_the_page_language_and_sent_as_the_contract_names(form_for,
                                                                                      book):
    for lang in ("en", "zh"):
        choices = {c.value: c.label for c in form_for({"age": "30"}, lang).subdistrict.choices}
        assert set(choices) - {""} == set(book.subdistricts)
        label = choices["方庄街道"]
        assert label == ("Fangzhuang Subdistrict" if lang == "en" else "方庄街道")


def test_every_value_of_the_contract_has_words_on_the_form():
    """The form offers exactly the contract's values (app/facts.py), each with its label,
    so a value added to the contract cannot go missing from the form."""
    from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS
    from app.forms import VALUE_LABELS, CheckForm

    facts = {**HOUSEHOLD_FACTS, **MEMBER_FACTS, **DISABILITY_FACTS}
    labels = {**VALUE_LABELS, "pension_insurance": VALUE_LABELS["insurance"],
              "medical_insurance": VALUE_LABELS["insurance"]}
    asked = [name for name, fact in facts.items()
             if fact.kind == "enum" and hasattr(CheckForm, name)]
    # the one-person form does not ask "relation": the person is "self"
    assert set(asked) == {n for n, f in facts.items() if f.kind == "enum"} - {"relation"}
    for name in asked:
        assert set(labels[name]) == set(facts[name].values), name
    grade = facts["grade"]
    assert set(labels["grade"]) == {str(g) for g in range(int(grade.minimum),
                                                         int(grade.maximum) + 1)}
