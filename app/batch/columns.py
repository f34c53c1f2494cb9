"""The columns of a batch spreadsheet, driven by the contract's facts (app/facts.py).

English headers are the contract's names; Chinese headers are the template's
labels, which are the short fact names the results page already uses. A fact
added to app/facts.py becomes a column here without further code. Cell words
(是/否, the form's labels, 不确定) are read into the contract's values.

Headers and words are built once, in both languages, inside an app context
(they come from the translation catalogue); the result is plain data that the
screening processes inherit.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask_babel import force_locale, lazy_gettext
from flask_babel import gettext as _

from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS, Fact
from app.forms import FACT_NAMES, NO, VALUE_LABELS, YES, YES_NO
from app.rulebook.model import Rulebook

HOUSEHOLD_ID, MEMBER_ID, AS_OF, DISABLED = "household_id", "member_id", "as_of", "disabled"
REQUIRED = (HOUSEHOLD_ID, MEMBER_ID)
# Where a fact's value words live in VALUE_LABELS when not under its own name
_LABEL_KEYS = {"pension_insurance": "insurance", "medical_insurance": "insurance"}
# Member facts asked before the disability (the rest follow it), in columns and forms alike
BEFORE_DISABILITY = ("relation", "age", "sex")


def value_labels(name: str) -> dict:
    """The form's words for the values of the fact `name` (empty when it has none)."""
    return VALUE_LABELS.get(_LABEL_KEYS.get(name, name), {})
TRUE_WORDS = ("是", "有", "yes", "y", "true", "1")
FALSE_WORDS = ("否", "无", "没有", "no", "n", "false", "0")
UNKNOWN_WORDS = ("", "不确定", "不知道", "未知", "not sure", "unknown", "null")


# FACT_NAMES words "cannot_attend_school" as "whether the person can go to school", whose
# "yes" would mean the opposite of the fact's true as a yes/no column or question
YES_NO_NAMES = {"member.cannot_attend_school": lazy_gettext("Cannot go to school in person")}


def fact_label(path: str):
    """A fact's short name as a yes/no column or question (lazily translated)."""
    return YES_NO_NAMES.get(path) or FACT_NAMES.get(path)


def _zh_headers() -> dict[str, str]:
    """Labels that FACT_NAMES does not give."""
    return {
        HOUSEHOLD_ID: _("Household code"),
        MEMBER_ID: _("Member code"),
        AS_OF: _("Date of the check"),
        "is_guardian_of": _("Guardian of (member code)"),
    }


@dataclass(frozen=True)
class Column:
    name: str  # the contract's name: the English header
    scope: str  # "id", "as_of", "household", "member", "disabled", "disability"
    fact: Fact | None = None
    labels: dict[str, str] = field(default_factory=dict)  # header in each language

    @property
    def kind(self) -> str:
        return self.fact.kind if self.fact else self.scope


def _columns() -> list[tuple[str, str, Fact | None, str]]:
    """(name, scope, fact, FACT_NAMES key) in template order."""
    out: list[tuple[str, str, Fact | None, str]] = [
        (HOUSEHOLD_ID, "id", None, ""), (MEMBER_ID, "id", None, ""), (AS_OF, "as_of", None, "")]
    out += [(n, "household", f, f"household.{n}") for n, f in HOUSEHOLD_FACTS.items()]
    first = [n for n in MEMBER_FACTS if n in BEFORE_DISABILITY]
    rest = [n for n in MEMBER_FACTS if n not in BEFORE_DISABILITY]
    out += [(n, "member", MEMBER_FACTS[n], f"member.{n}") for n in first]
    out.append((DISABLED, "disabled", Fact(DISABLED, "bool"), "member.disabled"))
    out += [(f"disability.{n}", "disability", f, f"member.disability.{n}")
            for n, f in DISABILITY_FACTS.items()]
    out += [(n, "member", MEMBER_FACTS[n], f"member.{n}") for n in rest]
    return out


def normal(text: str) -> str:
    """How a header or a word is compared: full-width forms folded, case and spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _words(fact: Fact, book: Rulebook) -> dict[str, object]:
    """Every word accepted in a cell of this fact, normalised, to the contract value."""
    words: dict[str, object] = {}
    if fact.kind == "bool":
        words.update({w: True for w in TRUE_WORDS})
        words.update({w: False for w in FALSE_WORDS})
        for lang in ("zh", "en"):
            with force_locale(lang):
                words[normal(str(YES_NO[YES]))] = True
                words[normal(str(YES_NO[NO]))] = False
    elif fact.kind == "enum":
        labels = value_labels(fact.name)
        for value in fact.values:
            words[normal(value)] = value
            for lang in ("zh", "en"):
                if value in labels:
                    with force_locale(lang):
                        words[normal(str(labels[value]))] = value
    elif fact.kind == "int" and fact.name == "grade":
        for value, label in VALUE_LABELS["grade"].items():
            for lang in ("zh", "en"):
                with force_locale(lang):
                    words[normal(str(label))] = int(value)
    elif fact.kind == "subdistrict":
        for s in book.subdistricts.values():
            words[normal(s.name)] = s.name
            if s.en:
                words[normal(s.en)] = s.name
    return words


@dataclass
class Layout:
    """All columns, their headers in both languages and the words their cells accept."""

    columns: list[Column]
    by_header: dict[str, Column]  # normalised header (either language) → column
    words: dict[str, dict[str, object]]  # column name → normalised word → value
    unknown_words: frozenset[str]
    choices: dict[str, dict[str, list[str]]]  # column → lang → words offered in drop-downs

    def header(self, column: Column, lang: str) -> str:
        return column.labels[lang]

    def headers(self, lang: str) -> list[str]:
        return [c.labels[lang] for c in self.columns]


def build_layout(book: Rulebook) -> Layout:
    """Call inside an app context: the Chinese headers come from the catalogue."""
    columns = []
    with force_locale("zh"):
        zh_extra = _zh_headers()
        zh_names = {key: str(fact_label(key)) for key in [*FACT_NAMES, *YES_NO_NAMES]}
    for name, scope, fact, key in _columns():
        zh = zh_extra.get(name) or zh_names.get(key) or name
        columns.append(Column(name, scope, fact, {"en": name, "zh": zh}))
    by_header: dict[str, Column] = {}
    for column in columns:
        for label in column.labels.values():
            by_header[normal(label)] = column
    words = {c.name: _words(c.fact, book) for c in columns if c.fact}
    unknown = set(UNKNOWN_WORDS)
    for lang in ("zh", "en"):
        with force_locale(lang):
            unknown.add(normal(str(_("Not sure"))))
    choices = {c.name: _choices(c, book) for c in columns if c.fact}
    return Layout(columns, by_header, words, frozenset(unknown), choices)


def _choices(column: Column, book: Rulebook) -> dict[str, list[str]]:
    """The words a template's drop-down offers, in each language ("Not sure" last)."""
    fact = column.fact
    out: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        with force_locale(lang):
            not_sure = str(_("Not sure"))
            if fact.kind == "bool":
                out[lang] = [str(YES_NO[YES]), str(YES_NO[NO]), not_sure]
            elif fact.kind == "enum":
                labels = value_labels(fact.name)
                out[lang] = ([str(labels[v]) for v in fact.values] if labels
                             else list(fact.values)) + [not_sure]
            elif fact.kind == "subdistrict":
                out[lang] = [s.get(lang) for s in book.subdistricts.values()] + [not_sure]
    return {lang: words for lang, words in out.items() if words}

