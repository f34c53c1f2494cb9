"""The answers of one journey, kept in the contract's own request shape.

They live in Flask's signed session cookie, never on the server (README, "The
household journey"): `household` and `members` are exactly the API's request
fields, where a "Not sure" is null and a question never asked is absent, and
`done` lists the pages answered. "Download my answers" is therefore the request
itself, and "continue from a file" reads one back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, session
from flask_babel import gettext

from app.facts import MAX_MEMBERS
from app.i18n import current_language
from app.journey.pages import GUARDIAN_PAGE, HOUSEHOLD_PAGES, MEMBER_PAGES, MEMBERS, Page, Step
from app.questions import RELATION_NAMES

KEY = "journey"
MISSING = object()  # never asked (absent), as against None ("Not sure")


class BrokenState(Exception):
    """The saved answers were altered, have expired, or do not make sense."""


@dataclass
class State:
    household: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    done: set[str] = field(default_factory=set)

    def member(self, member_id: str) -> dict[str, Any] | None:
        return next((m for m in self.members if m["id"] == member_id), None)

    def new_member_id(self) -> str:
        used = {m["id"] for m in self.members}
        return next(f"m{n}" for n in range(1, MAX_MEMBERS + 2) if f"m{n}" not in used)


# --- keeping it in the session cookie ---

def load() -> State:
    raw = session.get(KEY)
    if getattr(session, "tampered", False):
        raise BrokenState("tampered")
    if raw is None:
        return State()
    idle = current_app.config["JOURNEY_IDLE_SECONDS"]
    if not isinstance(raw, dict) or time.time() - raw.get("t", 0) > idle:
        raise BrokenState("expired")
    household, members, done = raw.get("h"), raw.get("m"), raw.get("d")
    if not (isinstance(household, dict) and isinstance(members, list)
            and isinstance(done, list) and len(members) <= MAX_MEMBERS
            and all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in members)):
        raise BrokenState("shape")
    return State(household, members, set(done))


def save(state: State) -> None:
    session[KEY] = {"t": int(time.time()), "h": state.household, "m": state.members,
                    "d": sorted(state.done)}


def touch() -> None:
    """Any page of the journey keeps the answers alive for another idle period."""
    if KEY in session and isinstance(session[KEY], dict):
        session[KEY] = {**session[KEY], "t": int(time.time())}


def clear() -> None:
    session.pop(KEY, None)


# --- reading and writing one fact ---

def get_value(state: State, step: Step, path: str) -> Any:
    if path.startswith("household."):
        return state.household.get(path.removeprefix("household."), MISSING)
    member = state.member(step.member or "") or {}
    if path == "member.disabled":
        if step.member and f"{step.member}/disability" not in state.done:
            return MISSING
        if "disability" not in member:
            return None
        return member["disability"] is not None
    if path.startswith("member.disability."):
        return (member.get("disability") or {}).get(path.removeprefix("member.disability."),
                                                     MISSING)
    return member.get(path.removeprefix("member."), MISSING)


def set_value(state: State, step: Step, path: str, value: Any) -> None:
    if path.startswith("household."):
        state.household[path.removeprefix("household.")] = value
        return
    member = state.member(step.member or "")
    if member is None:
        return
    if path == "member.disabled":
        if value is None:
            member.pop("disability", None)
        elif value:
            member["disability"] = member.get("disability") or {}
        else:
            member["disability"] = None
        return
    if path.startswith("member.disability."):
        member["disability"] = {**(member.get("disability") or {}),
                                path.removeprefix("member.disability."): value}
        return
    member[path.removeprefix("member.")] = value


# --- naming members: no names, a relation and an age ---

def member_label(state: State, member_id: str) -> str:
    member = state.member(member_id) or {}
    relation = member.get("relation", "other")
    label = gettext("%(relation)s (%(age)s)", relation=RELATION_NAMES.get(relation, relation),
                    age=member.get("age", "?"))
    twins = [m["id"] for m in state.members
             if m.get("relation") == relation and m.get("age") == member.get("age")]
    if len(twins) > 1:
        label = gettext("%(label)s, number %(n)s", label=label, n=twins.index(member_id) + 1)
    return label


def who(state: State, member_id: str | None) -> str | None:
    """How a question names the member: None for "you" (the person filling in)."""
    member = state.member(member_id or "")
    if member is None or member.get("relation") == "self":
        return None
    label = member_label(state, member_id)
    # inside an English sentence: "Does your child (5) have …"; Chinese has no case
    return label[0].lower() + label[1:] if current_language() == "en" else label


# --- which pages are for whom ---

def _has_disability(member: dict[str, Any]) -> bool:
    return isinstance(member.get("disability"), dict)


def outside_age(page: Page, member: dict[str, Any]) -> bool:
    age = member.get("age")
    if not isinstance(age, int):
        return False
    return ((page.min_age is not None and age < page.min_age)
            or (page.max_age is not None and age > page.max_age))


def assumed(page: Page, state: State, member: dict[str, Any]) -> bool:
    """The page is not asked at this age, and its `assume` answers stand instead."""
    return bool(page.assume) and outside_age(page, member) and (
        f"{member['id']}/{page.id}" not in state.done)


def guard_allows(page: Page, state: State, member: dict[str, Any]) -> bool:
    if outside_age(page, member) and f"{member['id']}/{page.id}" not in state.done:
        return False  # (answered anyway, from check answers: then it counts)
    if page.needs_disability and not _has_disability(member):
        return False
    if page is GUARDIAN_PAGE:
        return bool(wards(state, member["id"]))
    return True


def wards(state: State, member_id: str) -> list[str]:
    """Whom a member could be guardian of: the others said to have a disability."""
    return [m["id"] for m in state.members if m["id"] != member_id and _has_disability(m)]


def candidate_steps(state: State) -> list[Step]:
    """Every page the guards allow, in the journey's order (before the rules have a say)."""
    steps = [Step(p.id) for p in HOUSEHOLD_PAGES] + [Step(MEMBERS)]
    if MEMBERS not in state.done:
        return steps
    for member in state.members:
        steps += [Step(p.id, member["id"]) for p in MEMBER_PAGES
                  if guard_allows(p, state, member)]
    steps += [Step(GUARDIAN_PAGE.id, m["id"]) for m in state.members
              if guard_allows(GUARDIAN_PAGE, state, m)]
    return steps


def to_request(state: State, steps: list[Step]) -> dict[str, Any]:
    """The contract's request from the answers on these (answered) pages only, so that an
    answer left behind on a page that no longer applies does not count."""
    from app.journey.pages import PAGES

    asked = {s.key for s in steps if s.key in state.done}
    household = {}
    for page in HOUSEHOLD_PAGES:
        if page.id in asked:
            for path in page.facts:
                value = state.household.get(path.removeprefix("household."), MISSING)
                if value is not MISSING:
                    household[path.removeprefix("household.")] = value
    ids = {m["id"] for m in state.members}
    members = []
    for m in state.members:
        out: dict[str, Any] = {"id": m["id"]}
        for name in ("relation", "age", "sex"):
            if name in m:
                out[name] = m[name]
        if f"{m['id']}/disability" in asked and "disability" in m:
            details = m["disability"]
            if isinstance(details, dict) and f"{m['id']}/disability-details" not in asked:
                details = {}
            out["disability"] = details
        for page in (*MEMBER_PAGES, GUARDIAN_PAGE):
            if page.id in ("disability", "disability-details"):
                continue
            if assumed(page, state, m):
                out.update({p.removeprefix("member."): v for p, v in page.assume})
            elif f"{m['id']}/{page.id}" in asked:
                for path in PAGES[page.id].facts:
                    name = path.removeprefix("member.")
                    if name in m and (name != "is_guardian_of" or m[name] in ids - {m["id"]}):
                        out[name] = m[name]
        members.append(out)
    return {"household": household, "members": members}


def from_request(payload: dict[str, Any]) -> State:
    """A validated request (continue from a file) as answers: a page counts as answered when
    the file gives any of its facts, so the journey asks only what the file leaves out."""
    from app.journey.pages import PAGES

    household = dict(payload.get("household") or {})
    members = [dict(m) for m in payload["members"]]
    done = {MEMBERS}
    for page in HOUSEHOLD_PAGES:
        if any(p.removeprefix("household.") in household for p in page.facts):
            done.add(page.id)
    for m in members:
        if "disability" in m:
            done.add(f"{m['id']}/disability")
            if m["disability"]:
                done.add(f"{m['id']}/disability-details")
        for page in PAGES.values():
            if page.scope == "member" and page.id not in ("disability", "disability-details"):
                if any(p.removeprefix("member.") in m for p in page.facts):
                    done.add(f"{m['id']}/{page.id}")
    return State(household, members, done)
