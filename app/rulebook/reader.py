"""Typed reading of one YAML rule file, recording each problem with its file and path.

Problems read `rules/<file>: <path inside it>: <reason>`, so that a policy
officer can find and fix each one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from app.facts import FACT_PATHS
from app.rulebook.model import (
    CONFIDENCE,
    NUMERIC_OPERATORS,
    OPERATORS,
    Source,
    Test,
    Text,
    Uncertainty,
)

# A source a resident reads names a public document; these name a working note instead
INTERNAL_CITATION = re.compile(r"reference|§|转引|代码库|第三方|repository|shared/|seed/",
                               re.IGNORECASE)
SOURCE_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class RuleFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid rule files:\n  " + "\n  ".join(problems))


def shown(file: Path | str) -> str:
    """rules/… relative to the project, as a policy officer would look for it."""
    path = Path(file)
    parts = path.parts
    return str(Path(*parts[parts.index("rules"):])) if "rules" in parts else str(path)


class Reader:
    """Typed access to one YAML document, recording problems with their path."""

    def __init__(self, file: str, problems: list[str],
                 documents: dict[str, Source] | None = None):
        self.file = shown(file)
        self.problems = problems
        self.documents = documents or {}

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(f"{self.file}: {path or '(top)'}: {reason}")

    def mapping(self, node: Any, path: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.fail(path, "expected a mapping")
            return None
        for key in required:
            if key not in node:
                self.fail(path, f"missing required key '{key}'")
        for key in node:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.fail(join_path(path, str(key)), f"unknown key (allowed: {allowed})")
        return node

    def string(self, node: Any, path: str) -> str:
        if not isinstance(node, str) or not node.strip():
            self.fail(path, "expected a non-empty text")
            return ""
        return node.strip()

    def text(self, node: Any, path: str) -> Text:
        m = self.mapping(node, path, ("zh", "en"))
        if m is None:
            return Text("", "")
        return Text(self.string(m.get("zh"), path + ".zh"), self.string(m.get("en"), path + ".en"))

    def choice(self, node: Any, path: str, allowed: tuple[str, ...]) -> str:
        if node not in allowed:
            self.fail(path, f"{node!r} is not one of {', '.join(allowed)}")
            return allowed[0]
        return node

    def date(self, node: Any, path: str) -> dt.date:
        if isinstance(node, dt.date):
            return node
        if isinstance(node, str):
            try:
                return dt.date.fromisoformat(node)
            except ValueError:
                pass
        self.fail(path, "expected a date YYYY-MM-DD")
        return dt.date.min

    def source(self, node: Any, path: str, public: bool = True) -> Source:
        """A source: `{document: id, part: …}` naming one of rules/sources.yaml, or written
        out. A public source (one residents read) names its issuer and date, and never a
        working note."""
        if isinstance(node, dict) and "document" in node:
            m = self.mapping(node, path, ("document",), ("part",)) or {}
            document = self.documents.get(m.get("document"))
            if document is None:
                self.fail(path + ".document", f"{m.get('document')!r} is not a document of "
                                              "rules/sources.yaml")
                return Source("", "C")
            if "part" not in m:
                return document
            part = self.string(m.get("part"), path + ".part")
            self._public_text(part, path + ".part")
            return replace(document, title=f"{document.title} {part}")
        keys = ("title", "confidence", "issuer", "date") if public else ("title", "confidence")
        optional = ("url", "number") + (() if public else ("issuer", "date"))
        m = self.mapping(node, path, keys, optional)
        if m is None:
            return Source("", "C")
        title = self.string(m.get("title"), path + ".title")
        issuer = self.string(m["issuer"], path + ".issuer") if "issuer" in m else None
        if public:
            for key in ("title", "issuer", "number"):
                if isinstance(m.get(key), str):
                    self._public_text(m[key], f"{path}.{key}")
        date = m.get("date")
        if date is not None:
            date = str(date)
            if not (SOURCE_DATE.match(date) or date == "undated"):
                self.fail(path + ".date", "expected YYYY, YYYY-MM, YYYY-MM-DD or 'undated'")
        return Source(title, self.choice(m.get("confidence"), path + ".confidence", CONFIDENCE),
                      m.get("url"), date, issuer,
                      self.string(m["number"], path + ".number") if "number" in m else None)

    def _public_text(self, text: str, path: str) -> None:
        if INTERNAL_CITATION.search(text):
            self.fail(path, "cites a working note; name the public document (title, issuer, "
                            "number, date, address)")

    def uncertainty(self, node: Any, path: str) -> Uncertainty:
        m = self.mapping(node, path, ("text", "source")) or {}
        return Uncertainty(self.text(m.get("text"), path + ".text"),
                           self.source(m.get("source"), path + ".source"))

    def test(self, node: Any, path: str) -> Test:
        if not isinstance(node, dict) or not node:
            self.fail(path, "expected a test: {fact: …, <operator>: …}, {all: […]} or {any: […]}")
            return Test("all")
        if set(node) in ({"all"}, {"any"}):
            op = next(iter(node))
            items = node[op]
            if not isinstance(items, list) or len(items) < 2:
                self.fail(join_path(path, op), "expected a list of at least two tests")
                return Test(op)
            return Test(op, children=tuple(self.test(t, f"{path}.{op}[{i}]")
                                           for i, t in enumerate(items)))
        ops = [k for k in node if k != "fact"]
        if "fact" not in node or len(ops) != 1 or ops[0] not in OPERATORS:
            self.fail(path, "expected 'fact' and exactly one operator of: " + ", ".join(OPERATORS))
            return Test("all")
        op = ops[0]
        fact_path = node["fact"]
        fact = FACT_PATHS.get(fact_path)
        if fact is None:
            self.fail(path + ".fact", f"{fact_path!r} is not a fact of the contract")
            return Test("all")
        return self._leaf(op, fact_path, fact, node[op], f"{path}.{op}")

    def _leaf(self, op: str, fact_path: str, fact: Any, value: Any, path: str) -> Test:
        if op in NUMERIC_OPERATORS:
            if fact.kind not in ("int", "number"):
                self.fail(path, f"{op} needs a numeric fact; {fact_path} is {fact.kind}")
            if isinstance(value, dict):
                m = self.mapping(value, path, ("parameter",))
                return Test(op, fact_path, parameter=m and m.get("parameter"))
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(path, "expected a number or {parameter: id}")
            return Test(op, fact_path, value=value)
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in") and (not isinstance(value, list) or len(value) < 2):
            self.fail(path, "expected a list of at least two values")
            return Test(op, fact_path, value=())
        for v in values:
            self._check_value(fact_path, fact, v, path)
        return Test(op, fact_path, value=tuple(values) if op in ("in", "not_in") else value)

    def _check_value(self, fact_path: str, fact: Any, value: Any, path: str) -> None:
        if fact.kind == "bool" and not isinstance(value, bool):
            self.fail(path, f"{fact_path} is true or false, not {value!r}")
        elif fact.kind == "enum" and value not in fact.values:
            self.fail(path, f"{value!r} is not a value of {fact_path} ({', '.join(fact.values)})")
        elif fact.kind in ("int", "number") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            self.fail(path, f"{fact_path} is a number, not {value!r}")
        elif fact.kind == "subdistrict" and not isinstance(value, str):
            self.fail(path, f"{fact_path} is a name, not {value!r}")


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_yaml(file: Path, problems: list[str]) -> Any:
    try:
        with file.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        problems.append(f"{shown(file)}: not valid YAML: {error}")
    except OSError as error:
        problems.append(f"{shown(file)}: cannot be read: {error.strerror}")
    return None


