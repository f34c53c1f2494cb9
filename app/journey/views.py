"""The step-by-step household journey: question pages, the members list, check answers,
results, download and continue-from-file.

Each view reads the answers from the signed session cookie, validates one page,
saves, and redirects along the flow (app/journey/pages.py). Results come from
service.check, the same function the API calls.
"""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from app import csrf, service
from app.facts import MAX_MEMBERS
from app.i18n import current_language
from app.journey import bp
from app.journey import state as st
from app.journey.applies import flow
from app.journey.forms import (
    anchor,
    answers,
    build_form,
    field_name,
    form_data,
    yes_no_form,
)
from app.journey.pages import (
    CHECK,
    HOUSEHOLD_PAGES,
    MEMBERS,
    PAGES,
    Step,
    after_answer,
    first_unanswered,
    previous_step,
)
from app.messages import problem_message
from app.questions import BANK, YES
from app.validation import InvalidRequest
from app.web.household_results import household_page
from app.web.summary import error_summary

ABOUT = ("member.relation", "member.age", "member.sex")


# --- every request: the answers, or the "start again" page ---

@bp.before_request
def load_answers():
    try:
        g.state = st.load()
    except st.BrokenState:
        session.clear()
        return render_template("journey/start_again.html"), 400
    st.touch()
    return None


def _flow() -> list[Step]:
    try:
        return flow(g.state)
    except InvalidRequest:
        abort(400)


def step_url(step: Step | None, **args) -> str:
    if step is None:
        return url_for("web.start")
    if step.page == CHECK:
        return url_for("journey.check_answers")
    if step.page == MEMBERS:
        return url_for("journey.members", **args)
    if step.member is None:
        return url_for("journey.household", page_id=step.page, **args)
    return url_for("journey.member_page", member_id=step.member, page_id=step.page, **args)


def _returning() -> bool:
    return request.args.get("return") == "check"


def _go_on(steps: list[Step], current: Step):
    target = after_answer(steps, current, g.state.done, _returning())
    if _returning() and target.page != CHECK:
        return redirect(step_url(target, **{"return": "check"}))
    return redirect(step_url(target))


def _refused() -> str | None:
    """CSRF, checked here so that a refused page keeps what was typed and says why."""
    if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    try:
        csrf.protect()
    except CSRFError:
        return gettext("Your answers on this page were not saved: the page was open too long, "
                       "or cookies are switched off. Check them and press the button again.")
    return None


def _render(template: str, form, status: int = 200, notice: str | None = None,
            list_error: str | None = None, target: str = "", **context):
    errors = error_summary(form) if form is not None and form.errors else []
    if list_error:
        errors = [{"href": "#" + target, "text": list_error}]
    return render_template(template, form=form, errors=errors, notice=notice, bank=BANK,
                           list_error=list_error, returning=_returning(), **context), (
        400 if errors or notice else status)


# --- the start of the journey ---

@bp.get("/")
def begin():
    return redirect(step_url(first_unanswered(_flow(), g.state.done)))


# --- question pages ---

def _choices(step: Step) -> dict:
    book = service.checker().book
    choices = {"household.subdistrict": [(s.name, s.get(current_language()))
                                         for s in book.subdistricts.values()]
               + [("unknown", gettext("Not sure"))]}
    if step.page == "guardian":
        choices["member.is_guardian_of"] = [
            (ward, st.member_label(g.state, ward)) for ward in st.wards(g.state, step.member)
        ] + [("none", gettext("No, not the guardian of anyone in the household"))]
    return choices


def _question(step: Step):
    steps = _flow()
    page = PAGES[step.page]
    member = g.state.member(step.member or "")
    # a page not asked at this age can still be answered, from check answers
    asked_anyway = bool(request.args.get("ask")) and member is not None and st.assumed(
        page, g.state, member)
    if step not in steps and not asked_anyway:
        # a page that does not apply (or not yet): back on the path
        return redirect(step_url(first_unanswered(steps, g.state.done)))
    who = st.who(g.state, step.member)
    given = {p: v for p in page.facts
             if (v := st.get_value(g.state, step, p)) is not st.MISSING}
    notice = _refused()
    form = build_form(page.facts, who, _choices(step), data=form_data(given),
                      formdata=request.form if request.method == "POST" else None)
    back = (url_for("journey.check_answers") if asked_anyway
            else step_url(previous_step(steps, step)))
    context = {"page": page, "step": step, "back": back,
               "member_label": st.member_label(g.state, step.member) if step.member else None,
               "field_name": field_name}
    if request.method == "GET" or notice:
        return _render("journey/question.html", form, notice=notice, **context)
    if not form.validate():
        return _render("journey/question.html", form, **context)
    for path, value in answers(form, page.facts).items():
        st.set_value(g.state, step, path, value)
    g.state.done.add(step.key)
    st.save(g.state)
    return _go_on(_flow(), step)


@bp.route("/household/<page_id>", methods=["GET", "POST"])
def household(page_id: str):
    if page_id not in {p.id for p in HOUSEHOLD_PAGES}:
        abort(404)
    return _question(Step(page_id))


@bp.route("/members/<member_id>/<page_id>", methods=["GET", "POST"])
def member_page(member_id: str, page_id: str):
    if g.state.member(member_id) is None or page_id not in PAGES or PAGES[
            page_id].scope != "member":
        abort(404)
    return _question(Step(page_id, member_id))


# --- who lives in the household ("add another") ---

@bp.route("/members", methods=["GET", "POST"])
def members():
    steps = _flow()
    full = len(g.state.members) >= MAX_MEMBERS
    notice = _refused()
    form = yes_no_form("add_another", gettext("Do you need to add another person?"),
                       gettext("Select whether you need to add another person"),
                       formdata=request.form if request.method == "POST" else None)
    context = {"members": [{"id": m["id"], "label": st.member_label(g.state, m["id"])}
                           for m in g.state.members],
               "full": full, "max_members": MAX_MEMBERS,
               "back": step_url(previous_step(steps, Step(MEMBERS)))}
    if request.method == "GET" or notice:
        return _render("journey/members.html", form, notice=notice, **context)
    if not g.state.members:
        return _render("journey/members.html", form, target="add-first", list_error=gettext(
            "Add at least one person who lives in the household"), **context)
    if not full and not form.validate():
        return _render("journey/members.html", form, **context)
    if not full and form.add_another.data == YES:
        return redirect(url_for("journey.add_member", **_return_args()))
    g.state.done.add(MEMBERS)
    st.save(g.state)
    return _go_on(_flow(), Step(MEMBERS))


def _return_args() -> dict:
    return {"return": "check"} if _returning() else {}


def _about(member_id: str | None):
    member = g.state.member(member_id) if member_id else None
    has_self = any(m.get("relation") == "self" and m["id"] != member_id
                   for m in g.state.members)
    relations = [c for c in BANK["member.relation"].choices()
                 if not (has_self and c[0] == "self")]
    given = {p: member[p.removeprefix("member.")] for p in ABOUT
             if member and p.removeprefix("member.") in member}
    notice = _refused()
    form = build_form(ABOUT, None, {"member.relation": relations}, data=form_data(given),
                      formdata=request.form if request.method == "POST" else None)
    context = {"member_label": st.member_label(g.state, member_id) if member else None,
               "back": url_for("journey.members", **_return_args()), "field_name": field_name}
    if request.method == "GET" or notice or not form.validate():
        return _render("journey/member.html", form, notice=notice, **context)
    values = answers(form, ABOUT)
    if member is None:
        if len(g.state.members) >= MAX_MEMBERS:
            return redirect(url_for("journey.members"))
        member = {"id": g.state.new_member_id()}
        g.state.members.append(member)
    member["relation"] = values["member.relation"]
    member["age"] = values["member.age"]
    member["sex"] = values["member.sex"]
    st.save(g.state)
    return redirect(url_for("journey.members", **_return_args()))


@bp.route("/members/add", methods=["GET", "POST"])
def add_member():
    if len(g.state.members) >= MAX_MEMBERS:
        return redirect(url_for("journey.members"))
    return _about(None)


@bp.route("/members/<member_id>", methods=["GET", "POST"])
def change_member(member_id: str):
    if g.state.member(member_id) is None:
        abort(404)
    return _about(member_id)


@bp.route("/members/<member_id>/remove", methods=["GET", "POST"])
def remove_member(member_id: str):
    if g.state.member(member_id) is None:
        abort(404)
    label = st.member_label(g.state, member_id)
    notice = _refused()
    form = yes_no_form("remove", gettext("Are you sure you want to remove %(who)s?", who=label),
                       gettext("Select whether to remove %(who)s", who=label),
                       formdata=request.form if request.method == "POST" else None)
    context = {"member_label": label, "back": url_for("journey.members", **_return_args())}
    if request.method == "GET" or notice or not form.validate():
        return _render("journey/remove.html", form, notice=notice, **context)
    if form.remove.data == YES:
        g.state.members = [m for m in g.state.members if m["id"] != member_id]
        for m in g.state.members:
            if m.get("is_guardian_of") == member_id:
                m.pop("is_guardian_of")
        g.state.done = {k for k in g.state.done if not k.startswith(member_id + "/")}
        st.save(g.state)
    return redirect(url_for("journey.members", **_return_args()))


# --- check answers, results ---

def _request(steps: list[Step]) -> dict:
    return st.to_request(g.state, steps)


def _ask_what_is_left(steps: list[Step]):
    """A redirect to the first page still unanswered, coming back to check answers after
    it (after continuing from a file, or a changed answer that opens new pages); None
    when every page is answered."""
    pending = first_unanswered(steps, g.state.done)
    if pending.page != CHECK:
        return redirect(step_url(pending, **{"return": "check"}))
    return None


@bp.get("/check-answers")
def check_answers():
    steps = _flow()
    left = _ask_what_is_left(steps)
    if left is not None:
        return left
    from app.journey.answers import answer_sections

    return render_template("journey/check_answers.html",
                           sections=answer_sections(g.state, steps, step_url),
                           back=step_url(previous_step(steps, Step(CHECK))))


@bp.get("/results")
def results():
    steps = _flow()
    left = _ask_what_is_left(steps)
    if left is not None:
        return left
    payload = _request(steps)
    try:
        parsed = service.parse(payload)
    except InvalidRequest:
        abort(400)
    response = service.check(parsed, current_language())
    page = household_page(response, payload,
                          lambda member, path: _question_url(steps, member, path),
                          only_asked=True)
    return render_template("results/household.html", page=page,
                           back=url_for("journey.check_answers"))


def _question_url(steps: list[Step], member: str | None, path: str) -> str | None:
    from app.journey.pages import page_for_fact

    page = page_for_fact(path)
    if page is None:
        return None
    step = Step(page.id, member if page.scope == "member" else None)
    if step not in steps:
        return None
    return step_url(step, **{"return": "check"}) + "#" + anchor(path)


# --- keeping the answers: download, continue from a file, clear ---

@bp.get("/answers.json")
def download():
    payload = _request(_flow())
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="household-answers.json"',
        "Cache-Control": "no-store"})  # a household's answers: never in a shared cache


@bp.route("/continue", methods=["GET", "POST"])
def continue_from_file():
    notice = _refused()
    if request.method == "GET" or notice:
        return _render("journey/continue.html", None, notice=notice)
    upload = request.files.get("answers")
    problems: list[str] = []
    if upload is None or not upload.filename:
        problems = [gettext("Select the file of answers you downloaded")]
    else:
        try:
            payload = json.loads(upload.read())
            service.parse(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            problems = [gettext("The file could not be read: choose the .json file that "
                                "“Download my answers” gave you")]
        except InvalidRequest as invalid:
            problems = [problem_message(p) for p in invalid.problems]
    if problems:
        return render_template("journey/continue.html", problems=problems, errors=[
            {"href": "#answers", "text": p} for p in problems], notice=None), 400
    g.state = st.from_request(payload)
    st.save(g.state)
    return redirect(url_for("journey.check_answers"))


@bp.post("/clear")
def clear():
    if _refused():
        return redirect(url_for("web.start"))
    st.clear()
    return redirect(url_for("journey.cleared"))


@bp.get("/cleared")
def cleared():
    return render_template("journey/cleared.html")
