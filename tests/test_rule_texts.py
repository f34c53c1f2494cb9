"""Both languages complete, no mixed pages: each rule text is in the language it claims.

An English page shows the `en` texts of the rule files, so a Chinese name left in
brackets there ("approves it (区民政局)") makes a mixed page. A `zh` text without a
single Chinese character is most likely English put in the wrong field. Source
titles are exempt: they cite Chinese documents and pages mark them lang="zh".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

RULES = Path(__file__).resolve().parent.parent / "rules"
# CJK symbols and punctuation (、。〔〕), ideographs (extension A and unified),
# compatibility ideographs, full-width forms (（）：，)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
TEXT_FILES = ("benefits/*.yaml", "conditions/*.yaml", "parameters/*.yaml", "offices.yaml",
              "subdistricts.yaml", "annex-mapping.yaml")


def book_texts(book) -> Iterator[tuple[str, str, Any]]:
    """(file, place, Text) for every two-language text of the loaded rulebook."""
    for b in book.benefits.values():
        yield b.file, "title", b.title
        yield b.file, "summary", b.summary
        yield b.file, "how_to_apply", b.how_to_apply
        for i, document in enumerate(b.documents):
            yield b.file, f"documents[{i}]", document
        if b.uncertainty:
            yield b.file, "uncertain.text", b.uncertainty.text
    # inline conditions and amount-tier conditions are in here too, with their file
    for c in book.conditions.values():
        yield c.defined_in, f"condition '{c.id}' text", c.text
        if c.uncertainty:
            yield c.defined_in, f"condition '{c.id}' uncertainty.text", c.uncertainty.text
    for p in book.parameters.values():
        file = f"rules/parameters/{p.id}.yaml"
        yield file, "title", p.title
        yield file, "text", p.text
    for o in book.offices.values():
        yield "rules/offices.yaml", f"office '{o.key}' name", o.name
        if o.current:
            yield "rules/offices.yaml", f"office '{o.key}' current", o.current
    for task, entry in sorted(book.annex_mapping.items()):
        if "not_resident_facing" in entry:
            yield ("rules/annex-mapping.yaml", f"task {task} not_resident_facing",
                   entry["not_resident_facing"])


def book_english(book) -> Iterator[tuple[str, str, str]]:
    for file, place, text in book_texts(book):
        yield file, place + ".en", text.en
    for name, sub in book.subdistricts.items():
        yield "rules/subdistricts.yaml", f"'{name}' en", sub.en


def raw_texts() -> Iterator[tuple[str, str, str, Any]]:
    """(file, YAML path, language, value) for every `zh:` and `en:` key in the rule files.

    Read from the YAML itself so that a text the loader does not hand on (or a field
    added later) is still checked, and the report gives the exact place in the file.
    """
    for pattern in TEXT_FILES:
        for file in sorted(RULES.glob(pattern)):
            shown = f"rules/{file.relative_to(RULES)}"
            yield from ((shown, *rest) for rest in _walk(yaml.safe_load(file.read_text("utf-8"))))


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            place = f"{path}.{key}" if path else str(key)
            if key in ("zh", "en"):
                yield place, key, value
            else:
                yield from _walk(value, place)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


def _english_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "empty"
    found = "".join(dict.fromkeys(CJK.findall(value)))
    return f"contains {found}" if found else None


def _chinese_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "empty"
    return None if CJK.search(value) else "has no Chinese character"


@pytest.mark.parametrize("text", [
    "The district civil affairs bureau (区民政局) approves it",
    "rules (教学〔2017〕4号)",
    "old and unsafe (危旧房)",
    "full-width brackets （like these）",
    "a full-width colon：here",
    "an ideographic full stop。",
])
def test_the_check_finds_chinese_in_english(text):
    assert _english_problem(text)


@pytest.mark.parametrize("text", [
    "The District Civil Affairs Bureau approves it.",
    "Apply in writing; “eligible” people pay 10% of 5,000 yuan — ask the office's staff.",
])
def test_the_check_accepts_plain_english(text):
    assert _english_problem(text) is None
    assert _chinese_problem(text) == "has no Chinese character"


def test_the_book_walk_reaches_every_kind_of_text(book):
    places = {(file.split("/")[1], place.split(" ")[0]) for file, place, _ in book_english(book)}
    for expected in [("benefits", "title"), ("benefits", "summary"), ("benefits", "how_to_apply"),
                     ("benefits", "documents[0]"), ("benefits", "uncertain.text.en"),
                     ("benefits", "condition"), ("conditions", "condition"),
                     ("parameters", "title.en"), ("parameters", "text.en"),
                     ("offices.yaml", "office"), ("subdistricts.yaml", "'方庄街道'"),
                     ("annex-mapping.yaml", "task")]:
        assert any(p[0] == expected[0] and p[1].startswith(expected[1]) for p in places), expected


def test_english_texts_of_the_rulebook_have_no_chinese(book):
    offenders = [f"{file}: {place}: {problem}: {text!r}" for file, place, text in book_english(book)
                 if (problem := _english_problem(text))]
    assert not offenders, "English texts with Chinese:\n" + "\n".join(offenders)


def test_chinese_texts_of_the_rulebook_are_chinese(book):
    offenders = [f"{file}: {place}.zh: {problem}: {text.zh!r}"
                 for file, place, text in book_texts(book)
                 if (problem := _chinese_problem(text.zh))]
    assert not offenders, "Chinese texts that are empty or not Chinese:\n" + "\n".join(offenders)


def test_every_en_and_zh_key_in_the_rule_files():
    texts = list(raw_texts())
    # the walk really read every file: each one has English texts
    files = {f"rules/{f.relative_to(RULES)}" for pattern in TEXT_FILES for f in RULES.glob(pattern)}
    assert len(files) > 50 and {file for file, _, lang, _ in texts if lang == "en"} == files
    offenders = []
    for file, place, lang, value in texts:
        problem = (_english_problem if lang == "en" else _chinese_problem)(value)
        if problem:
            offenders.append(f"{file}: {place}: {problem}: {value!r}")
    assert not offenders, "texts in the wrong language:\n" + "\n".join(offenders)
