"""Arrange a whole household's results for a page: a function of the API's response and
the request it answered, so that any view (the journey, a quick form) can show it.

Statuses come from the checker (service.check); this only orders and groups them:
- what the family can get first, cash and the largest amounts before services;
- what the household already gets (dibao, tekun) shown as such, not offered again;
- one section for the household, then one per member: eligible, maybe, not eligible
  (short rows, each with the conditions not met and the answer that missed them);
- the unknown answers gathered once, each linked back to its question;
- for a member with a disability but no certificate, what a certificate would open,
  found by checking again with one (the engine decides that too);
- the action plan: where to go first, then which office, members and documents once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from app import service
from app.checker import ELIGIBLE, MAYBE, NOT_ELIGIBLE, UNKNOWN, UNMET
from app.journey.answers import subdistrict_name
from app.journey.state import State, member_label
from app.questions import BANK
from app.rulebook.model import LEVELS, THEMES
from app.web.results import fact_name

QuestionUrl = Callable[[str | None, str], str | None]


@dataclass
class Section:
    id: str
    title: str
    eligible: list[dict] = field(default_factory=list)
    maybe: list[dict] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    not_eligible: list[dict] = field(default_factory=list)


@dataclass
class HouseholdResults:
    as_of: str
    rules_version: str
    headline: list[dict]         # what the family can get, in order, one row per benefit
    received: list[dict]         # already received
    unknowns: list[dict]         # questions to answer, once each
    unsettled: int               # results they would settle
    sections: list[Section]
    certificate: list[dict]      # per member without a certificate: what one would open
    plan: list[dict]             # levels → offices → benefits, members, documents
    counts: dict[str, int]


def _order(r: dict) -> tuple:
    """Cash first (largest first), then services by theme, as a family reads them."""
    amount = r.get("amount") or {}
    value = amount.get("value")
    cash = 0 if amount else 1
    return (cash, -(value or 0), THEMES.index(r["theme"]) if r["theme"] in THEMES else 99,
            r["title"])


def _answer_text(request: dict, member_id: str | None, path: str) -> str | None:
    """The answer a condition read, in words ("Grade 3"), for a near miss."""
    q = BANK.get(path)
    if q is None:
        return None
    if path.startswith("household."):
        source = request.get("household", {})
        key = path.removeprefix("household.")
    else:
        member = next((m for m in request["members"] if m["id"] == member_id), {})
        if path.startswith("member.disability."):
            source = member.get("disability") or {}
            key = path.removeprefix("member.disability.")
        elif path == "member.disabled":
            if "disability" not in member:
                return None
            return q.value_text(member["disability"] is not None)
        else:
            source, key = member, path.removeprefix("member.")
    if key not in source:
        return None
    if path == "household.subdistrict":
        return subdistrict_name(source[key])
    return q.value_text(source[key])


def _near_miss(book, r: dict, request: dict) -> list[dict]:
    unmet = [c for c in r["conditions"] if c["status"] == UNMET]
    out = []
    for c in unmet:
        condition = book.conditions.get(c["id"])
        paths = sorted(condition.test.paths()) if condition else []
        given = [t for p in paths if (t := _answer_text(request, r["member"], p))]
        out.append({"text": c["text"], "given": gettext(", ").join(given),
                    # the one change a person can make themselves: get a certificate
                    "certificate": len(unmet) == 1 and paths == [
                        "member.disability.certificate"]})
    return out


def _unknowns(book, results: list[dict], request: dict, question_url: QuestionUrl,
              only_asked: bool):
    """Each unknown answer once, with the results it would settle. A condition over any
    member names no one in particular: its facts are named by each member's own results.
    With `only_asked`, answers the form does not ask (no link) are left out."""
    wards = {m["id"]: m.get("is_guardian_of") for m in request["members"]}
    found: dict[tuple, dict] = {}
    unsettled = 0
    for r in results:
        if r["status"] != MAYBE or r.get("already_receiving"):
            continue
        settles = False
        for c in r["conditions"]:
            condition = book.conditions.get(c["id"])
            if condition is not None and condition.any_member:
                continue
            for path in c.get("missing_facts", ()):
                if path.startswith("parameter:"):
                    continue
                if path.startswith("household."):
                    key = (None, path)
                elif path.startswith("ward."):
                    key = (wards.get(r["member"]), "member." + path.removeprefix("ward."))
                elif r["member"] is None:
                    continue  # any member: named on each member's own result
                else:
                    key = (r["member"], path)
                if key not in found:
                    found[key] = question_url(*key)
                if found[key] is None and only_asked:
                    continue
                settles = True
        unsettled += settles
    state = State(members=request["members"])
    unknowns = [{"name": fact_name(path),
                 "who": member_label(state, member) if member else gettext("The household"),
                 "url": url}
                for (member, path), url in found.items() if url or not only_asked]
    return unknowns, unsettled


def _certificate(request: dict, response: dict, lang: str) -> list[dict]:
    """For each member with a disability and no certificate, check again with one."""
    out = []
    state = State(members=request["members"])
    for m in request["members"]:
        disability = m.get("disability")
        if not isinstance(disability, dict) or disability.get("certificate") is not False:
            continue
        again = copy.deepcopy(request)
        for other in again["members"]:
            if other["id"] == m["id"]:
                other["disability"]["certificate"] = True
        second = service.check(service.parse(again), lang)
        before = {(r["benefit"], r["member"]): r["status"] for r in response["results"]}
        opened = [r for r in second["results"]
                  if r["member"] in (m["id"], None) and r["status"] in (ELIGIBLE, MAYBE)
                  and before.get((r["benefit"], r["member"])) == NOT_ELIGIBLE]
        out.append({"who": member_label(state, m["id"]), "member": m["id"],
                    "benefits": [{"benefit": r["benefit"], "title": r["title"],
                                  "status": r["status"]} for r in sorted(opened, key=_order)]})
    return out


def _plan(results: list[dict], labels: dict) -> list[dict]:
    levels: dict[str, dict[str, dict]] = {level: {} for level in LEVELS}
    for r in sorted(results, key=_order):
        office = r["lead_office"] or ""
        group = levels.setdefault(r["apply_first_at"], {}).setdefault(
            office, {"office": office, "benefits": [], "documents": [], "members": []})
        who = labels.get(r["member"], gettext("The household"))
        existing = next((b for b in group["benefits"] if b["benefit"] == r["benefit"]), None)
        if existing is None:
            group["benefits"].append({"benefit": r["benefit"], "title": r["title"],
                                      "status": r["status"], "who": [who]})
        elif who not in existing["who"]:
            existing["who"].append(who)
        if who not in group["members"]:
            group["members"].append(who)
        for doc in r["documents"]:
            if doc not in group["documents"]:
                group["documents"].append(doc)
    return [{"level": level, "offices": list(offices.values())}
            for level, offices in levels.items() if offices]


def household_page(response: dict[str, Any], request: dict[str, Any],
                   question_url: QuestionUrl = lambda member, path: None,
                   only_asked: bool = False) -> HouseholdResults:
    book = service.checker().book
    state = State(members=request["members"])
    labels = {m["id"]: member_label(state, m["id"]) for m in request["members"]}
    sections = [Section("household", gettext("For the whole household"))] + [
        Section(f"member-{m['id']}", labels[m["id"]]) for m in request["members"]]
    by_id = {s.id: s for s in sections}
    headline: dict[str, dict] = {}
    received: dict[str, dict] = {}
    for r in sorted(response["results"], key=_order):
        section = by_id["household" if r["member"] is None else f"member-{r['member']}"]
        who = labels.get(r["member"], gettext("The household"))
        if r.get("already_receiving"):
            section.received.append(r)
            received.setdefault(r["benefit"], {**r, "who": []})["who"].append(who)
        elif r["status"] == ELIGIBLE:
            section.eligible.append(r)
            headline.setdefault(r["benefit"], {**r, "who": []})["who"].append(who)
        elif r["status"] == MAYBE:
            section.maybe.append({**r, "to_confirm": [
                c["text"] for c in r["conditions"] if c["status"] == UNKNOWN]})
        else:
            misses = _near_miss(book, r, request)
            section.not_eligible.append({**r, "misses": misses, "only_one": len(misses) == 1})
    unknowns, unsettled = _unknowns(book, response["results"], request, question_url,
                                    only_asked)
    active = [r for r in response["results"]
              if r["status"] in (ELIGIBLE, MAYBE) and not r.get("already_receiving")]
    counts = {s: sum(1 for r in response["results"] if r["status"] == s
                     and not r.get("already_receiving"))
              for s in (ELIGIBLE, MAYBE, NOT_ELIGIBLE)}
    return HouseholdResults(
        as_of=response["as_of"], rules_version=response["rules_version"],
        headline=list(headline.values()), received=list(received.values()),
        unknowns=unknowns, unsettled=unsettled, sections=sections,
        certificate=_certificate(request, response, response.get("lang", "zh")),
        plan=_plan(active, labels), counts=counts)
