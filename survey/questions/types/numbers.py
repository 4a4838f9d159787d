"""A number: whole or with decimals, within bounds, with a unit such as "st" or "timmar"."""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import Field
from wtforms.validators import Optional

from survey.questions.fields import NumberField
from survey.questions.types.base import NumberTally, QuestionType, excel_rule, register

if TYPE_CHECKING:
    from survey.questions.definition import Question


def read_bounds(builder, raw: dict, key: str) -> dict[str, Any]:
    """min and max, each a number or absent, min not above max."""
    bounds = {}
    for name in ("min", "max"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            builder.problem(key, f"{name} must be a number")
            value = None
        bounds[name] = value
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        builder.problem(key, "min is larger than max")
    return bounds


def fits(question: Question, value: Any) -> bool:
    """Whether a stored number is one the question accepts now: its bounds, and a whole number if it asks for one."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    if question.integer and value != int(value):
        return False
    return (question.min is None or value >= question.min) and (question.max is None or value <= question.max)


@register
class NumberType(QuestionType):
    name, codebook_name, widget = "number", "tal", "number"
    counted, stored_as = True, "number"
    attributes = frozenset({"min", "max", "integer", "unit"})

    def read(self, builder, raw, key):
        integer = raw.get("integer", False)
        if not isinstance(integer, bool):
            builder.problem(key, "integer must be true or false")
            integer = False
        return {**read_bounds(builder, raw, key), "integer": integer, "unit": builder.text(raw, "unit", key)}

    def field(self, question: Question, **kwargs: Any) -> Field:
        return NumberField(
            validators=[Optional()], integer=question.integer, minimum=question.min, maximum=question.max, **kwargs
        )

    def as_text(self, question: Question, value: Any) -> str:
        return format_decimal(value) + (f" {question.unit}" if question.unit else "")

    def carry_over(self, question: Question, value: Any) -> Any:
        return value if fits(question, value) else None

    def hint(self, question: Question) -> str:
        text = _("Ett heltal") if question.integer else _("Ett tal")
        if question.unit:
            text += f" ({question.unit})"
        if question.min is not None:
            text += ", " + _("minst %(min)s", min=format_decimal(question.min))
        if question.max is not None:
            text += ", " + _("högst %(max)s", max=format_decimal(question.max))
        return text + "."

    def excel_hint(self, question: Question) -> str:
        kind = _("Ett heltal") if question.integer else _("Ett tal")
        bounds = []
        if question.min is not None:
            bounds.append(_("minst %(min)s", min=f"{question.min:g}"))
        if question.max is not None:
            bounds.append(_("högst %(max)s", max=f"{question.max:g}"))
        unit = f" ({question.unit})" if question.unit else ""
        return f"{kind}{unit}" + (", " + ", ".join(bounds) if bounds else "") + "."

    def excel_validation(self, question, choice_range):
        low = question.min if question.min is not None else -1e15
        high = question.max if question.max is not None else 1e15
        return excel_rule(
            "whole" if question.integer else "decimal",
            self.excel_hint(question),
            operator="between",
            formula1=f"{low:g}",
            formula2=f"{high:g}",
        )

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        # "40%" typed into a question counted in per cent is 40, not the 0.4 Excel stores.
        if question.unit == "%" and percent_format:
            with suppress(InvalidOperation):  # the form's own check names the cell
                value = Decimal(str(value)) * 100
        return super().from_cell(question, value, percent_format)

    def tally(self, question: Question) -> NumberTally:
        return NumberTally(with_sum=question.unit != "%")  # a sum of percentages means nothing
