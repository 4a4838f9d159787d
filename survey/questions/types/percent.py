"""A percentage, 0–100 with decimals: the plans' indicators ("andel medarbetare som deltagit i utbildning").

Stored as the number of per cent (40 for 40 %), so means and comparisons read as the plan writes
them; in a workbook it is Excel's own percentage (0.4 shown as 40,0 %).
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import Field
from wtforms.validators import Optional

from survey.exports.cells import NumberCell
from survey.questions.fields import NumberField
from survey.questions.types.base import NumberTally, QuestionType, excel_rule, register
from survey.questions.types.numbers import fits, read_bounds

if TYPE_CHECKING:
    from survey.questions.definition import Question

EXCEL_FORMAT = "0.0%"


class PercentField(NumberField):
    """A number of per cent, typed with or without the sign: "40", "40 %", "12,5%"."""

    def process_formdata(self, valuelist):
        super().process_formdata([text.strip().removesuffix("%") for text in valuelist])


def as_percent_cell(value: float) -> NumberCell:
    return NumberCell(value / 100, EXCEL_FORMAT)


@register
class PercentType(QuestionType):
    name, codebook_name, widget = "percent", "procent", "number"
    counted, stored_as, attributes = True, "number", frozenset({"min", "max"})
    excel_format = EXCEL_FORMAT

    def read(self, builder, raw, key):
        bounds = read_bounds(builder, raw, key)
        low = 0 if bounds["min"] is None else bounds["min"]
        high = 100 if bounds["max"] is None else bounds["max"]
        if not 0 <= low <= high <= 100:
            builder.problem(key, "a percentage's min and max must lie within 0–100")
        return {"min": low, "max": high, "unit": "%"}

    def field(self, question: Question, **kwargs: Any) -> Field:
        return PercentField(validators=[Optional()], minimum=question.min, maximum=question.max, **kwargs)

    def as_text(self, question: Question, value: Any) -> str:
        return f"{format_decimal(value)} %"

    def carry_over(self, question: Question, value: Any) -> Any:
        return value if fits(question, value) else None

    def as_cell(self, question: Question, value: Any) -> Any:
        return as_percent_cell(value) if isinstance(value, (int, float)) else value

    def hint(self, question: Question) -> str:
        return _(
            "En andel i procent, från %(min)s till %(max)s. Decimaler går bra.",
            min=format_decimal(question.min),
            max=format_decimal(question.max),
        )

    def excel_validation(self, question, choice_range):
        # The answer cell is formatted as a percentage, so "40" typed there is 0.4; a cell that lost its
        # format holds 40. Both are read back as 40 %, so both are let through here.
        return excel_rule(
            "decimal",
            self.hint(question),
            operator="between",
            formula1=f"{question.min / 100:g}",
            formula2=f"{question.max:g}",
        )

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        if percent_format and isinstance(value, (int, float)):
            with suppress(InvalidOperation):  # the form's own check names the cell
                value = Decimal(str(value)) * 100
        return super().from_cell(question, value, percent_format)

    def tally(self, question: Question) -> NumberTally:
        return NumberTally(with_sum=False, shown=as_percent_cell)
