"""The check form under random posts (Hypothesis, through the test client): every field,
huge numbers and exponents, any Unicode, files, repeated and unknown fields, bytes that
are not UTF-8. Never a 5xx, and no post takes a second."""

from __future__ import annotations

import io
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.forms import VALUE_LABELS, CheckForm

FIELDS = sorted(name for name in vars(CheckForm) if not name.startswith("_")
                and hasattr(getattr(CheckForm, name), "field_class"))
CHOICES = sorted({value for labels in VALUE_LABELS.values() for value in labels}
                 | {"yes", "no", "unknown", "", "方庄街道"})
NUMBERS = ["1e9999999", "1e999999999999999999", "-1e400", "1e400", "9" * 310, "9" * 5000,
           "1E-999999999999999999", "nan", "-inf", "Infinity", "sNaN", "0x1F", "３４岁",
           "1,800.5 元", "¥1800", "1_000", "٣٤", "  34  ", "-0", "0.0000001", "1e15", "1e14"]

numbers = st.from_regex(r"[-+]?\d{0,40}(\.\d{0,12})?([eE][-+]?\d{1,22})?", fullmatch=True)
texts = st.text(max_size=40) | st.text(st.characters(codec="utf-8"), max_size=10)
files = st.binary(max_size=64).map(lambda data: (io.BytesIO(data), "answer.txt"))
values = st.sampled_from(NUMBERS) | st.sampled_from(CHOICES) | numbers | texts | files
names = st.sampled_from([*FIELDS, "csrf_token", "unknown", ""])
# up to 40 pairs: fields repeat, and any field may be missing
answers = st.lists(st.tuples(names, values), max_size=40)
raw_bodies = st.binary(max_size=300) | st.text(max_size=200).map(
    lambda text: text.encode("utf-8", "surrogatepass"))


def _post(client, data, content_type=None):
    """The response and the CPU time it took in this thread (the test client answers in
    it): a post that builds a huge number spends it, whatever else the machine runs."""
    started = time.thread_time()
    response = client.post("/check?lang=en", data=data, content_type=content_type)
    return response, time.thread_time() - started


def test_the_fuzz_reaches_every_field():
    assert {"age", "monthly_income_per_person", "hukou", "subdistrict", "grade",
            "medical_insurance"} <= set(FIELDS)


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(pairs=answers)
def test_random_answers_are_never_a_server_error_nor_slow(app, pairs):
    data = MultiDict(pairs)
    response, took = _post(app.test_client(), data)
    assert response.status_code in (200, 400, 413), response.status_code
    assert response.mimetype == "text/html"
    assert took < 1, f"{took:.2f} s"


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(body=raw_bodies)
def test_random_bytes_as_a_form_are_never_a_server_error(app, body):
    response, took = _post(app.test_client(), body, "application/x-www-form-urlencoded")
    assert response.status_code in (200, 400), response.status_code
    assert took < 1, f"{took:.2f} s"


def _screen_names():
    from app.tools.household_form import HouseholdForm, MemberForm

    def fields(form):
        return sorted(n for n in vars(form) if not n.startswith("_")
                      and hasattr(getattr(form, n), "field_class"))

    indices = ["0", "1", "19", "20", "999", "-1", "01", "²", "٣", "9" * 5000, "", "x"]
    member = [f"members-{i}-{n}" for i in indices for n in [*fields(MemberForm), "x", ""]]
    return [n for n in fields(HouseholdForm) if n != "members"] + member


SCREEN_NAMES = _screen_names()
actions = st.sampled_from(["add", "results", "remove-0", "remove-1", "remove-19", "remove-²",
                           "remove-", "remove-" + "9" * 5000, "remove-٣"]) | texts


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(st.sampled_from(SCREEN_NAMES), values), max_size=40),
       action=actions)
def test_random_answers_to_the_quick_form_are_never_a_server_error_nor_slow(app, pairs,
                                                                            action):
    data = MultiDict([*pairs, ("action", action)])
    started = time.thread_time()
    response = app.test_client().post("/screen?lang=en", data=data)
    took = time.thread_time() - started
    assert response.status_code in (200, 400, 413), response.status_code
    assert response.mimetype == "text/html"
    assert took < 1, f"{took:.2f} s"
