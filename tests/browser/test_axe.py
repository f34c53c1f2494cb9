"""axe-core finds no WCAG 2.2 AA violation on any page, in either language."""

from __future__ import annotations

import pytest

from .conftest import PAGES, format_violations

# the status each page state is answered with: proves the page under test is the one meant
STATUS = {"check-errors": 400, "not-found": 404}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_violations(page, visit, axe_violations, name, lang):
    answer = visit(page, name, lang)
    assert answer.status == STATUS.get(name, 200), f"{name} ({lang}) answered {answer.status}"
    violations = axe_violations(page)
    assert not violations, (
        f"axe on {name} ({lang}, {page.url}) found {len(violations)} WCAG 2.2 AA problem(s):\n"
        + format_violations(violations))
