"""A date, typed as ÅÅÅÅ-MM-DD (see SwedishDateField for why not a date picker); stored as ISO text."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from wtforms import Field
from wtforms.validators import Optional

from survey.questions.fields import SwedishDateField
from survey.questions.types.base import QuestionType, excel_rule, register

if TYPE_CHECKING:
    from survey.questions.definition import Question


@register
class DateType(QuestionType):
    name, codebook_name, widget, stored_as = "date", "datum", "date", "date"

    def field(self, question: Question, **kwargs: Any) -> Field:
        return SwedishDateField(
            validators=[Optional()],
            format="%Y-%m-%d",
            render_kw={"placeholder": "ÅÅÅÅ-MM-DD", "inputmode": "numeric", "autocomplete": "off"},
            **kwargs,
        )

    def to_form(self, question: Question, value: Any) -> Any:
        return date.fromisoformat(value)

    def to_stored(self, question: Question, data: Any) -> Any:
        return data.isoformat()

    def as_cell(self, question: Question, value: Any) -> Any:
        return date.fromisoformat(value)

    def hint(self, question: Question) -> str:
        return _(
            "Ett datum, ÅÅÅÅ-MM-DD, till exempel 2026-03-01. Bara år och månad (2026-03) blir den första i månaden."
        )

    def excel_hint(self, question: Question) -> str:
        return _("Datum, ÅÅÅÅ-MM-DD.")

    def excel_validation(self, question, choice_range):
        return excel_rule("date", _("Skriv datumet som ÅÅÅÅ-MM-DD."), operator="greaterThan", formula1="1")

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        if isinstance(value, datetime):
            value = value.date()
        return value.isoformat() if isinstance(value, date) else super().from_cell(question, value, percent_format)
