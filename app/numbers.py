"""Numbers read from what a visitor sends, bounded before they are parsed.

Every number that comes in as text goes through here: the web form's number
fields (app/form_fields.py), JSON bodies of the API and the CLI (`loads_json`),
and any new form or file import. Turning text into a number is only cheap when
the text and the number are small: `int(Decimal("1e9999999"))` builds a
ten-million-digit integer while holding the GIL (the whole worker stops), and
`math.isnan()` on an integer too large for a float raises. So the length of the
text is checked before parsing, and the size of the number before it becomes
an int or a float.
"""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

# Longest text read as a number. "10,000,000.00 元" is 16 characters; Decimal reads
# 400 in microseconds, and the size of the number is checked next.
MAX_TEXT = 400
# Largest number of digits before the decimal point: far above any age or income,
# far below what costs time to convert.
MAX_DIGITS = 15
# Written after a number on phones and forms; removed before reading it.
NOISE = (",", "，", " ", "元", "岁", "¥", "yuan")


class NotANumber(ValueError):
    """The text is not a number (or is too long to be one a person typed)."""


class NumberTooLarge(ValueError):
    """A number with more than MAX_DIGITS digits before the point: out of any range."""


def parse_bounded_number(text: Any, *, whole: bool = False) -> Decimal | int | None:
    """Read a number the way people type it: full-width digits, spaces, thousands
    separators and a trailing 元/岁 are accepted. Returns None for empty text, an int
    when `whole`, otherwise a Decimal. Raises NotANumber or NumberTooLarge.

    Anything that is not text (an uploaded file in a form field, say) is NotANumber.
    """
    if not isinstance(text, str):
        raise NotANumber("not text")
    if len(text) > MAX_TEXT:
        raise NotANumber("too long")
    text = unicodedata.normalize("NFKC", text).strip()
    for noise in NOISE:
        text = text.replace(noise, "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise NotANumber("not a number") from exc
    if not number.is_finite():
        raise NotANumber("not finite")
    if number and number.adjusted() >= MAX_DIGITS:
        raise NumberTooLarge("too many digits")
    if whole:
        if number != number.to_integral_value():
            raise NotANumber("not whole")
        return int(number)
    return number


def _json_int(text: str) -> int | float:
    # a JSON integer longer than this is out of every range: say so without building it
    if len(text.lstrip("-")) > MAX_DIGITS:
        return float("-inf") if text.startswith("-") else float("inf")
    return int(text)


def loads_json(raw: bytes | str) -> Any:
    """json.loads, with every integer bounded before it is built: one with more than
    MAX_DIGITS digits arrives as ±infinity, which validation refuses as out of range.
    (Fractions and exponents are read by float(), which is cheap and gives infinity
    for anything too large.)"""
    return json.loads(raw, parse_int=_json_int)
