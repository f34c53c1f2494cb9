"""Field types and validators shared by every form (the check form and the forms built on it).

`BoundedNumberField` is the one way a form reads a number: through
app.numbers.parse_bounded_number, so that no text a visitor sends can make the
server build a huge number.
"""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import StopValidation

from app.numbers import NumberTooLarge, parse_bounded_number


class Required:
    """Stop with `message` when a field has no answer (0 is an answer). A field whose
    text could not be read already has its one error: nothing more to check."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


def optional(form, field):
    """An empty optional number is "not known": skip the range check."""
    if field.process_errors or field.data is None:
        raise StopValidation()


class BoundedNumberField(StringField):
    """A number typed as text (see parse_bounded_number for what is accepted).

    `invalid_message` is shown for text that is not a number (or not whole, when
    `whole`); `range_message` (by default `invalid_message`) for a number with too many
    digits to be in any range, which should be the message of the field's NumberRange so
    that 1e400 and 121 read the same. `data` is an int when `whole`, otherwise a Decimal,
    or None when empty.
    """

    def __init__(self, label=None, validators=None, *, whole: bool, invalid_message,
                 range_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.whole = whole
        self.invalid_message = invalid_message
        self.range_message = range_message or invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_bounded_number(valuelist[0], whole=self.whole)
        except NumberTooLarge as exc:
            raise ValueError(self.range_message) from exc
        except ValueError as exc:
            raise ValueError(self.invalid_message) from exc

    def _value(self):
        if self.raw_data:
            # what was typed, shown back to be corrected; an uploaded file is not shown
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        return "" if self.data is None else str(self.data)
