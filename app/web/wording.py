"""Words the pages put on the rule engine's codes: statuses, themes, levels, grades.

Lazily translated, so they can live at module level and still follow the
language of each request. The texts of the rules themselves (titles,
conditions) come in both languages from the rule files, not from here.
"""

from __future__ import annotations

# `_` is lazy here: module-level text is translated when a page shows it, in its language
from flask_babel import lazy_gettext as _

from app.checker import ELIGIBLE, MAYBE, MET, NOT_ELIGIBLE, UNKNOWN, UNMET

THEMES = {
    "livelihood": _("Basic living"),
    "employment": _("Work and income"),
    "health": _("Rehabilitation and health care"),
    "education": _("Education"),
    "culture": _("Culture and sport"),
    "accessibility": _("Accessibility and getting around"),
    "care": _("Care and support"),
}

# A status is always said in words, with an icon as text beside it: never colour alone.
BENEFIT_STATUS = {
    ELIGIBLE: _("You can apply"),
    MAYBE: _("You may be able to get this: confirm with the office"),
    NOT_ELIGIBLE: _("Not eligible on these answers"),
}

CONDITION_STATUS = {
    MET: _("Met"),
    UNMET: _("Not met"),
    UNKNOWN: _("Not known"),
}

STATUS_ICON = {ELIGIBLE: "✓", MET: "✓", MAYBE: "?", UNKNOWN: "?", NOT_ELIGIBLE: "✗",
               UNMET: "✗"}

APPLY_FIRST_AT = {
    "community": _("Your residents’ committee or village committee"),
    "subdistrict": _("Your subdistrict office or town government"),
    "district": _("The district office in charge of this benefit"),
}

CONFIDENCE = {
    "A": _("Grade A: an official text"),
    "B": _("Grade B: a press report"),
    "C": _("Grade C: not yet checked against an official text"),
}

SCOPE = {
    "member": _("For each person"),
    "household": _("For the household"),
}
