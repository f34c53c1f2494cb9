"""Template filters and the values every page needs (language, switch link).

Formatting lives here so that templates stay free of logic.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask, request, url_for
from flask_babel import format_date
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.i18n import current_language
from app.web import wording
from app.web.wording import CONFIDENCE

HTML_LANG = {"zh": "zh-Hans", "en": "en"}
SWITCH = {"zh": ("en", "English"), "en": ("zh", "中文")}

# Han characters and CJK punctuation (、。「」《》〔〕（）and full-width forms); a run keeps
# the digits and dates inside it ("丰政发〔2018〕3号" is one name, not three pieces)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RUN = re.compile(rf"[{_CJK}]+(?:[0-9 .:/\-]*[{_CJK}]+)*")
_NUMERALS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}
_CLAUSE = re.compile(r"([一二三四五六七八九十]+)（([一二三四五六七八九十]+)）")


def lang_span(text) -> Markup:
    """On English pages, mark each run of Chinese (an office, a source title) as Chinese,
    so that screen readers pronounce it and the page says which language it is in."""
    if text is None:
        return Markup("")
    if current_language() != "en":
        return escape(text)
    out, last = [], 0
    for match in _CJK_RUN.finditer(str(text)):
        out.append(escape(str(text)[last:match.start()]))
        out.append(Markup('<span lang="zh-Hans">{}</span>').format(match.group()))
        last = match.end()
    out.append(escape(str(text)[last:]))
    return Markup("").join(out)


def _numeral(chinese: str) -> int | None:
    """一 … 九十九 (the plan's sections never go past 十)."""
    if chinese in _NUMERALS:
        return _NUMERALS[chinese]
    tens, _, units = chinese.partition("十")
    if not _ or (tens and tens not in _NUMERALS) or (units and units not in _NUMERALS):
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def clause(text: str | None) -> Markup:
    """The plan's section ("二（二）") as "2 (2)" on English pages."""
    if not text:
        return Markup("")
    if current_language() == "en":
        parts = _CLAUSE.findall(text)
        if parts and _CLAUSE.sub("", text).strip() == "":
            numbers = [(_numeral(a), _numeral(b)) for a, b in parts]
            if all(a and b for a, b in numbers):
                return escape(", ".join(f"{a} ({b})" for a, b in numbers))
    return lang_span(text)


def long_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value  # a source dated by month only ("2015-09") is shown as written
    return format_date(value, format="long")


def confidence(grade: str | None) -> str:
    return str(CONFIDENCE.get(grade, "")) if grade else ""


def page_globals() -> dict:
    lang = current_language()
    other, switch_text = SWITCH[lang]
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()) and request.endpoint != "static":
        # the same page in the other language (after a POST: the page as last saved),
        # keeping its other arguments (the journey's "return to check answers")
        kept = {k: v for k, v in request.args.items() if k != "lang" and k not in (
            request.view_args or {})}
        switch_url = url_for(request.endpoint, **(request.view_args or {}), **kept, lang=other)
    else:
        switch_url = url_for("web.start", lang=other)
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "switch_lang": other,
        "switch_html_lang": HTML_LANG[other],
        "switch_text": switch_text,
        "switch_url": switch_url,
    }


def _per_request(function):
    """A filter whose output depends on the request's language. Taking the context keeps
    Jinja from folding `"…" | filter` into the compiled template on first use."""
    @pass_context
    def wrapped(_context, value):
        return function(value)
    return wrapped


def register(app: Flask) -> None:
    app.jinja_env.filters.update({name: _per_request(f) for name, f in (
        ("lang_span", lang_span), ("clause", clause), ("long_date", long_date),
        ("confidence", confidence))})
    app.jinja_env.globals["wording"] = wording  # macros see globals, not the context
    app.context_processor(page_globals)
