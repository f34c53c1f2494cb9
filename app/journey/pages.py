"""The journey as data, and pure functions that move through it.

A page asks about one topic, for the household or for one member. Whether a
member page is asked is decided in two steps:
- `ask` guards (data, below) keep out what is plainly not for this person: no
  school pages for an adult of 26 or more, no job pages under 16 (the legal
  working age), no driving under 18, no disability details without a disability;
- then the rules: a page is asked only while one of its facts can still change a
  result (app/journey/applies.py asks the engine).
Navigation is a function of the flow (the pages that apply, in order) and of the
pages already answered; nothing here reads the request.
"""

from __future__ import annotations

from dataclasses import dataclass

# flask_babel's lazy gettext: the titles are shown in the language of each request
from flask_babel import lazy_gettext as _


@dataclass(frozen=True)
class Page:
    id: str
    title: object               # lazy text: the <h1> of a household page, the topic of a member's
    facts: tuple[str, ...]       # fact paths asked (app/questions.py BANK keys)
    scope: str = "household"     # "household" or "member"
    min_age: int | None = None   # data guards: see the module docstring
    max_age: int | None = None
    needs_disability: bool = False  # only when the member was said to have a disability
    by_rules: bool = True        # also skipped when no fact on it can change a result
    # what is taken as the answer when the age guard skips the page (shown on check
    # answers, where it can be changed): what the age itself says, or, for schooling
    # after 25, the plain case, so that a retired person gets no "maybe" for school aid
    assume: tuple[tuple[str, object], ...] = ()


HOUSEHOLD_PAGES = (
    Page("registration", _("Where the household is registered and lives"),
         ("household.hukou", "household.subdistrict"), by_rules=False),
    Page("money", _("The household’s income and social assistance"),
         ("household.assistance", "household.monthly_income_per_person"), by_rules=False),
    Page("home", _("The household’s home"),
         ("household.housing", "household.house_dilapidated", "household.recent_crisis"),
         by_rules=False),
)

MEMBER_PAGES = (
    Page("disability", _("Disability"), ("member.disabled",), "member", by_rules=False),
    Page("disability-details", _("Disability certificate, type and grade"),
         ("member.disability.certificate", "member.disability.category",
          "member.disability.grade"), "member", needs_disability=True),
    Page("work", _("Work"), ("member.employment", "member.wants_work"), "member", min_age=16,
         assume=(("member.employment", "not_working_age"),)),
    Page("own-income", _("Own income"), ("member.personal_monthly_income",), "member",
         min_age=16),
    Page("school", _("School"), ("member.school_stage", "member.cannot_attend_school"),
         "member", max_age=25, assume=(("member.school_stage", "none"),)),
    Page("care", _("Daily care and health"),
         ("member.needs_long_term_care", "member.severe_mental_disorder",
          "member.in_welfare_institution"), "member"),
    Page("support", _("Living on family support"),
         ("member.supported_by_family", "member.can_register_own_household"), "member",
         min_age=16),
    Page("vehicle", _("Getting around"), ("member.owns_adapted_vehicle",), "member",
         min_age=18, assume=(("member.owns_adapted_vehicle", False),)),
    Page("insurance", _("Pension and medical insurance"),
         ("member.pension_insurance", "member.medical_insurance"), "member"),
)

# asked once every member's own pages are answered, when someone else has a disability
GUARDIAN_PAGE = Page("guardian", _("Guardians"), ("member.is_guardian_of",), "member",
                     min_age=18, by_rules=False)

PAGES = {p.id: p for p in (*HOUSEHOLD_PAGES, *MEMBER_PAGES, GUARDIAN_PAGE)}
MEMBERS = "members"      # the "add another" list page
CHECK = "check-answers"  # the end of the flow


@dataclass(frozen=True)
class Step:
    page: str
    member: str | None = None

    @property
    def key(self) -> str:
        return self.page if self.member is None else f"{self.member}/{self.page}"


def page_for_fact(path: str) -> Page | None:
    for page in PAGES.values():
        if path in page.facts:
            return page
    if path.startswith("member.disability."):
        return PAGES["disability-details"]
    return None


def next_step(flow: list[Step], current: Step) -> Step:
    """The page after `current` in the flow, or check answers at the end."""
    if current in flow:
        index = flow.index(current)
        if index + 1 < len(flow):
            return flow[index + 1]
    return Step(CHECK)


def previous_step(flow: list[Step], current: Step) -> Step | None:
    """The page before `current` (None before the first: the back link goes to the start)."""
    if current.page == CHECK:
        return flow[-1] if flow else None
    if current in flow:
        index = flow.index(current)
        return flow[index - 1] if index else None
    return None


def first_unanswered(flow: list[Step], answered: set[str]) -> Step:
    for step in flow:
        if step.key not in answered:
            return step
    return Step(CHECK)


def after_answer(flow: list[Step], current: Step, answered: set[str],
                 returning: bool) -> Step:
    """Where to go once a page is answered. Coming from check answers, back there, unless
    the change opened pages not yet answered (a disability now "Yes"): those first."""
    if returning:
        return first_unanswered(flow, answered)
    return next_step(flow, current)
