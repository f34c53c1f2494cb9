"""Which member pages can still change a result: asked of the rules engine, not coded.

One check of the answers so far gives every condition's outcome for every
member. A page is worth asking of a member when some benefit has a condition
that reads a fact on the page (for that member; for any member, in a household
condition; as the ward's fact, in their guardian's condition) and none of the
benefit's other conditions is already not met. Otherwise whatever the answer,
no result changes, so the page is skipped.
"""

from __future__ import annotations

from app import service
from app.checker import UNMET, BenefitResult
from app.journey.pages import PAGES, Step
from app.rulebook.model import Condition


def _paths(c: Condition) -> frozenset[str]:
    return frozenset(c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set()))


def _facts(step: Step) -> frozenset[str]:
    facts = set(PAGES[step.page].facts)
    if step.page == "disability-details":
        facts.add("member.disabled")
    return frozenset(facts)


def _worth_asking(step: Step, results: list[BenefitResult],
                  guardians: dict[str, set[str]]) -> bool:
    own = _facts(step)
    as_ward = frozenset("ward." + f.removeprefix("member.") for f in own)
    for r in results:
        if r.member not in (step.member, None) and r.member not in guardians.get(
                step.member or "", ()):
            continue
        touching, blocked = False, False
        for c, outcome in r.conditions:
            paths = _paths(c)
            reads = ((r.member == step.member or c.any_member) and paths & own) or (
                r.member != step.member and paths & as_ward)
            if reads:
                touching = True
            elif outcome.status == UNMET:
                blocked = True
                break
        if touching and not blocked:
            return True
    return False


def worth_asking(request: dict, steps: list[Step]) -> set[str]:
    """The keys of `steps` whose page can still change a result, given `request`."""
    parsed = service.parse(request)
    results = service.checker().run(parsed)
    guardians: dict[str, set[str]] = {}
    for m in parsed.members:
        ward = m.facts.get("is_guardian_of")
        if ward:
            guardians.setdefault(ward, set()).add(m.id)
    return {s.key for s in steps if _worth_asking(s, results, guardians)}


def flow(state) -> list[Step]:
    """The pages of this journey, in order: the guards' candidates, less the member pages
    whose answers could change no result."""
    from app.journey.state import candidate_steps, to_request

    candidates = candidate_steps(state)
    ruled = [s for s in candidates if s.member and PAGES[s.page].by_rules]
    if not ruled:
        return candidates
    keep = worth_asking(to_request(state, candidates), ruled)
    return [s for s in candidates if s not in ruled or s.key in keep]
