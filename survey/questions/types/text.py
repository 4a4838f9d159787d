"""Free text: a short answer on one line, or a long one in a text area."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Optional

from survey.questions.fields import TextLimit
from survey.questions.types.base import QuestionType, cell_text, excel_rule, register

if TYPE_CHECKING:
    from survey.questions.definition import Question


class TextType(QuestionType):
    attributes, stored_as = frozenset({"max_length"}), "text"
    default_max_length = 200
    field_class: type[Field] = StringField

    def read(self, builder, raw, key):
        value = raw.get("max_length", self.default_max_length)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            builder.problem(key, "max_length must be a positive whole number")
            value = self.default_max_length
        return {"max_length": value}

    def field(self, question: Question, **kwargs: Any) -> Field:
        limit = question.max_length or self.default_max_length
        return self.field_class(validators=[Optional(), TextLimit(limit)], **kwargs)

    def to_stored(self, question: Question, data: Any) -> Any:
        return data.strip()

    def hint(self, question: Question) -> str:
        return _("Fritext, högst %(n)s tecken.", n=format_decimal(question.max_length))

    def excel_hint(self, question: Question) -> str:
        return _("Text, högst %(max)s tecken.", max=question.max_length)

    def excel_validation(self, question, choice_range):
        return excel_rule(
            "textLength", self.excel_hint(question), operator="lessThanOrEqual", formula1=str(question.max_length)
        )

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        # A date typed into a text answer is kept as the date it shows, not Excel's serial number.
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            value = value.date()
        return value.isoformat() if isinstance(value, date) else cell_text(value)


@register
class ShortText(TextType):
    name, codebook_name, widget = "short_text", "kort text", "text"


@register
class LongText(TextType):
    name, codebook_name, widget, blank = "long_text", "lång text", "textarea", "tall"
    default_max_length = 10_000
    field_class = TextAreaField
