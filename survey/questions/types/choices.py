"""Choices: one option, several options, Ja/Delvis/Nej, and a scale with words at its ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from wtforms import Field, SelectChoice
from wtforms.validators import Optional

from survey.questions.fields import ChoiceField, MultiCheckboxField
from survey.questions.option import Option
from survey.questions.types.base import ChoiceTally, QuestionType, cell_text, excel_rule, register

if TYPE_CHECKING:
    from survey.questions.definition import Question

# Fixed options, so they carry their own translations (a questionnaire file cannot give them).
YES_PARTLY_NO = (
    Option("ja", "Ja", (("ar", "label", "نعم"), ("en", "label", "Yes"))),
    Option("delvis", "Delvis", (("ar", "label", "جزئيا"), ("en", "label", "Partly"))),
    Option("nej", "Nej", (("ar", "label", "لا"), ("en", "label", "No"))),
)


def read_options(builder, raw: dict, key: str) -> dict[str, Any]:
    """A choice question's options: a list of {code, label} tables, or the name of an option set."""
    ref = raw.get("options")
    if ref is None:
        builder.problem(key, "choice question without options")
        return {}
    if isinstance(ref, str):
        if ref not in builder.option_sets:
            builder.problem(key, f"options refers to unknown option set {ref!r}")
            return {}
        options, option_set = builder.option_sets[ref], ref
    else:
        options, option_set = builder.options(ref, key), None
    if len(options) < 2:
        builder.problem(key, "choice question needs at least two options")
    return {"options": options, "option_set": option_set}


class OneChoice(QuestionType):
    """One option of several, as radio buttons; the base of every single-answer choice."""

    widget, blank, counted, stored_as = "radios", "choices", True, "code"

    def field(self, question: Question, **kwargs: Any) -> Field:
        choices = [SelectChoice(option.code, option.label) for option in self.choices(question)]
        return ChoiceField(validators=[Optional()], choices=choices, **kwargs)

    def to_stored(self, question: Question, data: Any) -> Any:
        return data if data in {option.code for option in self.choices(question)} else None

    def as_text(self, question: Question, value: Any) -> str:
        return question.label_for(value)

    def as_cell(self, question: Question, value: Any) -> Any:
        return question.label_for(value)

    def hint(self, question: Question) -> str:
        return _("Välj ett alternativ:")

    def excel_hint(self, question: Question) -> str:
        return _("Välj ett alternativ i listan.")

    def excel_validation(self, question, choice_range):
        return excel_rule("list", _("Välj ett av alternativen i listan."), formula1=choice_range())

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        text = cell_text(value)
        if not text:
            return text
        wanted = text.casefold()
        return next(
            (
                option.code
                for option in self.choices(question)
                if wanted in (option.code.casefold(), option.label.casefold())
            ),
            None,
        )

    def tally(self, question: Question) -> ChoiceTally:
        return ChoiceTally(self.choices(question))


@register
class SingleChoice(OneChoice):
    name, codebook_name = "single_choice", "ett val"
    attributes = frozenset({"options"})

    def read(self, builder, raw, key):
        return read_options(builder, raw, key)

    def choices(self, question: Question) -> tuple[Option, ...]:
        return question.options


@register
class YesPartlyNo(OneChoice):
    name, codebook_name, inline_choices, fixed_options = "yes_partly_no", "ja/delvis/nej", True, True

    def choices(self, question: Question) -> tuple[Option, ...]:
        return question.options or YES_PARTLY_NO  # options only in another language (questions.languages)


@register
class Scale(OneChoice):
    """A whole number between min and max (0–10), the ends named in words; stored as the number."""

    name, codebook_name, inline_choices, blank = "scale", "skala", True, ""
    attributes, stored_as = frozenset({"min", "max", "min_label", "max_label"}), "whole number"

    def read(self, builder, raw, key):
        low, high = raw.get("min"), raw.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            builder.problem(key, "scale needs whole-number min and max")
            return {}
        if not 0 <= low < high <= 10:
            builder.problem(key, "scale needs 0 <= min < max <= 10")
            return {}
        return {
            "min": low,
            "max": high,
            "integer": True,
            "min_label": builder.text(raw, "min_label", key, required=True),
            "max_label": builder.text(raw, "max_label", key, required=True),
        }

    @staticmethod
    def ends(question: Question) -> tuple[int, int]:
        """The scale's lowest and highest value (a scale always has both: read() requires them)."""
        return int(question.min or 0), int(question.max or 0)

    def choices(self, question: Question) -> tuple[Option, ...]:
        low, high = self.ends(question)
        return tuple(Option(str(n), str(n)) for n in range(low, high + 1))

    def to_form(self, question: Question, value: Any) -> Any:
        return str(value)

    def to_stored(self, question: Question, data: Any) -> Any:
        return int(data) if super().to_stored(question, data) is not None else None

    def as_text(self, question: Question, value: Any) -> str:
        low, high = self.ends(question)
        return f"{value} ({low} = {question.min_label}, {high} = {question.max_label})"

    def as_cell(self, question: Question, value: Any) -> Any:
        return value

    def hint(self, question: Question) -> str:
        return _("Ett värde från %(min)s (%(min_label)s) till %(max)s (%(max_label)s).", **self.words(question))

    def excel_hint(self, question: Question) -> str:
        return _(
            "Välj %(min)s–%(max)s i listan: %(min)s = %(min_label)s, %(max)s = %(max_label)s.", **self.words(question)
        )

    def words(self, question: Question) -> dict[str, Any]:
        """The ends and their words, as the hints name them."""
        low, high = self.ends(question)
        return {"min": low, "max": high, "min_label": question.min_label, "max_label": question.max_label}

    def option_label(self, question: Question, option: Option) -> str:
        """An option as the reader saw it: the ends carry their words ("1 – Inte alls")."""
        low, high = self.ends(question)
        word = {low: question.min_label, high: question.max_label}.get(int(option.code))
        return f"{option.label} – {word}" if word else option.label

    def tally(self, question: Question) -> ChoiceTally:
        return ChoiceTally(self.choices(question), lambda option: self.option_label(question, option), with_mean=True)

    def codebook_options(self, question: Question) -> str:
        low, high = self.ends(question)
        return f"{low} = {question.min_label}; {high} = {question.max_label}"


@register
class MultipleChoice(QuestionType):
    """Every option that applies, as check boxes; stored as the list of codes in the options' order."""

    name, codebook_name, widget, blank = "multiple_choice", "flera val", "checkboxes", "choices"
    one_cell_per_option, counted, stored_as = True, True, "codes"
    attributes = frozenset({"options"})

    def read(self, builder, raw, key):
        return read_options(builder, raw, key)

    def choices(self, question: Question) -> tuple[Option, ...]:
        return question.options

    def field(self, question: Question, **kwargs: Any) -> Field:
        choices = [SelectChoice(option.code, option.label) for option in question.options]
        return MultiCheckboxField(validators=[Optional()], choices=choices, **kwargs)

    def to_stored(self, question: Question, data: Any) -> Any:
        codes = {option.code for option in question.options}
        return [code for code in data if code in codes] or None

    def as_text(self, question: Question, value: Any) -> str:
        return ", ".join(question.label_for(code) for code in value)

    def as_cell(self, question: Question, value: Any) -> Any:
        return "; ".join(question.label_for(code) for code in value)

    def hint(self, question: Question) -> str:
        return _("Markera alla som stämmer:")

    def excel_hint(self, question: Question) -> str:
        return _("Skriv Ja vid varje alternativ som stämmer.")

    def tally(self, question: Question) -> ChoiceTally:
        return ChoiceTally(question.options)

    def same(self, question: Question, before: Any, now: Any) -> bool:
        # The same options picked in another order say the same.
        if isinstance(before, list) and isinstance(now, list):
            return sorted(before) == sorted(now)
        return before == now
