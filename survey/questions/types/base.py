"""What every question type has, and the registry the types enter themselves in."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import gettext as _
from openpyxl.worksheet.datavalidation import DataValidation
from wtforms import Field

from survey.forms import without_control_characters
from survey.questions.option import Option

if TYPE_CHECKING:
    from survey.questions.definition import Question

# A summary row of the "Per fråga" sheet: what is measured, the value, and a share (or None).
SummaryRow = tuple[str, Any, float | None]
TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Enter a type in the registry under its ``name``; a name used twice is a programming error."""
    if cls.name in TYPES:
        raise ValueError(f"question type {cls.name!r} is registered twice")
    TYPES[cls.name] = cls()
    return cls


def type_names() -> tuple[str, ...]:
    return tuple(TYPES)


def cell_text(value: Any) -> str:
    """A cell's value as posted text: whole floats without ".0", no control characters."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return without_control_characters(str(value)).strip()


def excel_rule(kind: str, error: str, **attributes: Any) -> DataValidation:
    """An Excel data validation that explains itself when a cell is refused; blank is always allowed."""
    return DataValidation(
        type=kind, showErrorMessage=True, errorTitle=_("Ogiltigt svar"), allow_blank=True, error=error, **attributes
    )


class QuestionType:
    """The behaviour of one type of question. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    codebook_name: ClassVar[str]  # the type in words, in the workbook's "Frågor" sheet
    # Which macro of respond/_fields.html renders the field: radios, checkboxes, text, textarea, number or date.
    widget: ClassVar[str] = "text"
    # What the printable blank questionnaire shows after the hint: "choices", "lines", "tall" or "" (nothing).
    blank: ClassVar[str] = "lines"
    inline_choices: ClassVar[bool] = False  # short options side by side (Ja/Delvis/Nej, a scale)
    fixed_options: ClassVar[bool] = False  # its options are the type's own (Ja/Delvis/Nej), with their translations
    one_cell_per_option: ClassVar[bool] = False  # the offline template gives each option a Ja-cell
    counted: ClassVar[bool] = False  # the "Per fråga" sheet counts its answers
    excel_format: ClassVar[str | None] = None  # the number format of its answer cells in the offline template
    attributes: ClassVar[frozenset[str]] = frozenset()  # the keys its TOML table may have beyond the common ones
    # What its stored answers are; a question key may change type between versions only within one kind
    # of answer (short ↔ long text, number ↔ percent), or last year's answers would not read.
    stored_as: ClassVar[str]

    # --- the questionnaire file
    def read(self, builder: Any, raw: dict, key: str) -> dict[str, Any]:
        """The type's own attributes from its TOML table; problems go to ``builder.problem(key, …)``."""
        return {}

    def choices(self, question: Question) -> tuple[Option, ...]:
        """The options a respondent picks from (none for types without options)."""
        return ()

    # --- the web form
    def field(self, question: Question, **kwargs: Any) -> Field:
        raise NotImplementedError(f"{self.name} has no form field")

    def to_form(self, question: Question, value: Any) -> Any:
        """A stored JSON value as the form field wants it."""
        return value

    def to_stored(self, question: Question, data: Any) -> Any:
        """A validated, non-empty form value as it is stored (JSON)."""
        return data

    # --- reading an answer
    def as_text(self, question: Question, value: Any) -> str:
        """An answer as a sentence reads it: pages, review, receipt, the import preview."""
        return str(value)

    def as_cell(self, question: Question, value: Any) -> Any:
        """An answer as a workbook cell holds it: labels for codes, real numbers and dates."""
        return value

    def hint(self, question: Question) -> str:
        """How to answer, for the page and the printable questionnaire."""
        return ""

    # --- the offline template
    def excel_hint(self, question: Question) -> str:
        """How to answer in the offline template's column beside the answer."""
        return self.hint(question)

    def excel_validation(self, question: Question, choice_range: Callable[[], str]) -> DataValidation | None:
        """The cell's data validation; ``choice_range()`` gives the range of the question's labels."""
        return None

    def from_cell(self, question: Question, value: Any, percent_format: bool) -> str | None:
        """A filled-in cell's value as the text the web form would have posted; None for a choice that is
        not an option. ``percent_format``: the cell shows its number as a percentage (0.4 as 40 %)."""
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            value = value.date()
        if isinstance(value, date):
            return str(value)
        return cell_text(value)

    # --- summaries and comparisons
    def tally(self, question: Question) -> Tally | None:
        """What the "Per fråga" sheet counts of the question's answers; None for a type it does not count."""
        return None

    def codebook_options(self, question: Question) -> str:
        """The options in the "Frågor" sheet: code = label."""
        return "; ".join(f"{option.code} = {option.label}" for option in self.choices(question))

    def same(self, question: Question, before: Any, now: Any) -> bool:
        """Whether two rounds' answers say the same."""
        return before == now

    def carry_over(self, question: Question, value: Any) -> Any:
        """Last round's stored answer as this version of the question stores it, or None when it no longer fits
        (an option that is gone, a number outside the new bounds): what a follow-up round may start from."""
        try:
            return self.to_stored(question, self.to_form(question, value))
        except (TypeError, ValueError):
            return None


class Tally:
    """The answers to one question, counted unit by unit for the "Per fråga" sheet."""

    def add(self, value: Any) -> None:
        raise NotImplementedError

    def rows(self) -> list[SummaryRow]:
        raise NotImplementedError


class ChoiceTally(Tally):
    """Counts and shares per option; shares are of the answers given (entries, in repeating groups)."""

    def __init__(
        self,
        options: tuple[Option, ...],
        label: Callable[[Option], str] = lambda option: option.label,
        with_mean: bool = False,
    ):
        self.options, self.label, self.with_mean = options, label, with_mean
        self.given = 0
        self.chosen: dict[str, int] = defaultdict(int)

    def add(self, value: Any) -> None:
        self.given += 1
        for code in value if isinstance(value, list) else [value]:
            self.chosen[str(code)] += 1

    def rows(self) -> list[SummaryRow]:
        total = self.given
        rows: list[SummaryRow] = [
            (
                self.label(option),
                self.chosen.get(option.code, 0),
                self.chosen.get(option.code, 0) / total if total else 0,
            )
            for option in self.options
        ]
        rows.append(("Antal svar", total, None))
        if self.with_mean and total:
            mean = sum(int(code) * count for code, count in self.chosen.items()) / total
            rows.append(("Medelvärde", round(mean, 1), None))
        return rows


class NumberTally(Tally):
    """n, (sum,) mean, median, lowest and highest; each value in the cell ``shown`` makes of it."""

    def __init__(self, with_sum: bool = True, shown: Callable[[float], Any] = lambda value: value):
        self.with_sum, self.shown = with_sum, shown
        self.numbers: list[float] = []  # kept whole, for the median

    def add(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.numbers.append(value)

    def rows(self) -> list[SummaryRow]:
        found, shown = self.numbers, self.shown
        if not found:
            return [("Antal svar", 0, None)]
        rows: list[SummaryRow] = [("Antal svar", len(found), None)]
        if self.with_sum:
            rows.append(("Summa", shown(sum(found)), None))
        return rows + [
            ("Medelvärde", shown(round(statistics.fmean(found), 1)), None),
            ("Median", shown(round(statistics.median(found), 1)), None),
            ("Lägsta", shown(min(found)), None),
            ("Högsta", shown(max(found)), None),
        ]
