"""WTForms fields for answers: choices that refuse made-up codes, Swedish numbers and dates, text limits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, RadioField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        codes = {choice.value for choice in self.choices}
        if any(value not in codes for value in self.data or ()):
            raise ValidationError(_l("Välj bland alternativen som visas."))


class ChoiceField(RadioField):
    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Välj ett av alternativen som visas."))


# The ways people write a date: 2026-03-01, 2026-3-1, 20260301; day first as in Swedish, 1/3 2026, 1/3-2026,
# 1.3.2026; and year and month alone, 2026-03, for the questions where an approximate date will do.
DATE_TEXT = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})|(\d{4})(\d{2})(\d{2})")
DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[-./ ]\s*(\d{4})")
YEAR_MONTH = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})")
# "ca 1200", "cirka 1 200", "~40": an approximate number is still the number.
APPROXIMATELY = re.compile(r"^(ca\.?|cirka|ungefär|omkring|runt|~)\s*", re.IGNORECASE)


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date as people write it; year and month alone mean the first of the month."""
    if match := DATE_TEXT.fullmatch(text):
        year, month, day = (int(part) for part in match.groups() if part is not None)
        return year, month, day
    if match := DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return year, month, day
    if match := YEAR_MONTH.fullmatch(text):
        year, month = (int(part) for part in match.groups())
        return year, month, 1
    return None


class SwedishDateField(DateField):
    """A date typed as text, ÅÅÅÅ-MM-DD (2026-3-1, 20260301, 1/3 2026 and 2026-03 too: see date_parts).

    A text box rather than the browser's date picker: a picker sends nothing at all for a date
    that does not exist, so 30 February would vanish without a word, and text that is not a
    date could not be shown back for correction.
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        self.data = None
        text = " ".join(valuelist).strip()
        if not text:
            return
        parts = date_parts(text)
        if parts is None:
            raise ValueError(
                _l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01, eller bara år och månad: 2026-03.")
            )
        year, month, day = parts
        try:
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(
                _l("Det datumet finns inte i kalendern. Kontrollera månad och dag, till exempel 2026-02-28.")
            ) from None


class NumberField(Field):
    """A number typed the Swedish way ("1 250,5") or the English way ("1250.5")."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, integer=False, minimum=None, maximum=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.integer, self.minimum, self.maximum = integer, minimum, maximum

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="#,##0.##########")

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        cleaned = APPROXIMATELY.sub("", text).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(cleaned)
            # Not finite, or absurdly large or small (1E+400000 takes seconds to turn into an int).
            if not number.is_finite() or (number and abs(number.adjusted()) > 30):
                raise InvalidOperation
        except InvalidOperation:
            # The same words as the next check, so the two messages never contradict each other.
            if self.integer:
                raise ValueError(_l("Skriv ett heltal, till exempel 12.")) from None
            raise ValueError(_l("Skriv ett tal, till exempel 12 eller 12,5.")) from None
        if self.integer and number != number.to_integral_value():
            raise ValueError(_l("Skriv ett heltal, utan decimaler."))
        self.data = int(number) if self.integer or number == number.to_integral_value() else float(number)

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.minimum is not None and self.data < self.minimum:
            raise ValidationError(_l("Talet får inte vara mindre än %(min)s.", min=format_decimal(self.minimum)))
        if self.maximum is not None and self.data > self.maximum:
            raise ValidationError(_l("Talet får inte vara större än %(max)s.", max=format_decimal(self.maximum)))


class TextLimit:
    """At most ``limit`` characters; the message says how long the text is now, so the writer
    knows how much to cut even without the live counter."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                _l(
                    "Texten får vara högst %(max)s tecken, men är %(now)s. Korta den och spara igen.",
                    max=format_decimal(self.limit),
                    now=format_decimal(length),
                )
            )
