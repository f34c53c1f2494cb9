"""The check-answers page: every answer given, in words, each with a change link."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext

from app import service
from app.i18n import current_language
from app.journey import state as st
from app.journey.forms import anchor
from app.journey.pages import HOUSEHOLD_PAGES, MEMBER_PAGES, MEMBERS, PAGES, Step
from app.questions import BANK


def subdistrict_name(name: str) -> str:
    """A subdistrict in the page's language (the value kept is the contract's Chinese name)."""
    found = service.checker().book.subdistricts.get(name)
    return found.get(current_language()) if found else name


def _text(state: st.State, path: str, value) -> str:
    if path == "member.is_guardian_of":
        if value is None or state.member(value) is None:
            return gettext("No, not the guardian of anyone in the household")
        return st.member_label(state, value)
    if path == "household.subdistrict" and value is not None:
        return subdistrict_name(value)
    return BANK[path].value_text(value)


def _rows(state: st.State, step: Step, step_url) -> list[dict]:
    who = st.who(state, step.member)
    rows = []
    for path in PAGES[step.page].facts:
        value = st.get_value(state, step, path)
        if value is st.MISSING:
            continue
        rows.append({"question": BANK[path].label(who), "answer": _text(state, path, value),
                     "href": step_url(step, **{"return": "check"}) + "#" + anchor(path)})
    return rows


def _assumed_rows(state: st.State, member: dict, step_url) -> list[dict]:
    """What was taken as the answer of a page not asked at this age, said so, changeable."""
    who = st.who(state, member["id"])
    rows = []
    for page in MEMBER_PAGES:
        if st.assumed(page, state, member):
            step = Step(page.id, member["id"])
            for path, value in page.assume:
                rows.append({"question": BANK[path].label(who),
                             "answer": gettext("%(answer)s (not asked at this age)",
                                               answer=_text(state, path, value)),
                             "href": step_url(step, **{"return": "check", "ask": "1"})
                             + "#" + anchor(path)})
    return rows


def answer_sections(state: st.State, steps: list[Step], step_url) -> list[dict]:
    household = [row for s in steps if s.member is None and s.page in
                 {p.id for p in HOUSEHOLD_PAGES} for row in _rows(state, s, step_url)]
    sections = [{"title": gettext("The household"), "rows": household}]
    people = [{"question": gettext("People in the household"),
               "answer": ", ".join(st.member_label(state, m["id"]) for m in state.members),
               "href": step_url(Step(MEMBERS), **{"return": "check"})}]
    sections.append({"title": gettext("Who lives in the household"), "rows": people})
    for m in state.members:
        about = BANK["member.relation"]
        change = url_for("journey.change_member", member_id=m["id"], **{"return": "check"})
        rows = [{"question": about.label(None), "answer": about.value_text(m.get("relation")),
                 "href": change + "#relation-0"},
                {"question": BANK["member.age"].label(None), "answer": str(m.get("age", "")),
                 "href": change + "#age"}]
        if "sex" in m:
            rows.append({"question": BANK["member.sex"].label(None),
                         "answer": BANK["member.sex"].value_text(m["sex"]),
                         "href": change + "#sex-0"})
        for s in steps:
            if s.member == m["id"]:
                rows += _rows(state, s, step_url)
        rows += _assumed_rows(state, m, step_url)
        sections.append({"title": st.member_label(state, m["id"]), "rows": rows})
    return sections
