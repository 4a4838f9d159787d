"""A questionnaire section becomes a WTForms class at run time: one field per question and per
field of each existing group entry."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from survey.forms import Form
from survey.ids import parse_id
from survey.models import SINGLE
from survey.questions.definition import KEY_RE, Question, Section
from survey.questions.fields import ChoiceField, MultiCheckboxField, NumberField, SwedishDateField, TextLimit


def field_name(question: Question, index: int) -> str:
    """The form field name of a question, or of a group field in entry ``index``."""
    return field_name_of((question.key, index))


def field_name_of(key: tuple[str, int]) -> str:
    name, index = key
    return name if index == SINGLE else f"{name}-{index}"


def parse_field_name(name: str) -> tuple[str, int] | None:
    """The (question key, entry index) a form field name stands for; None if it names none."""
    key, _sep, index = name.partition("-")
    if not KEY_RE.match(key):
        return None
    if not _sep:
        return key, SINGLE
    number = parse_id(index)
    return (key, number) if number is not None and number > 0 else None


def make_field(question: Question) -> Field:
    kwargs: dict[str, Any] = {"label": question.label, "description": question.help}
    qtype = question.type
    if qtype in ("short_text", "long_text"):
        field_class = StringField if qtype == "short_text" else TextAreaField
        return field_class(validators=[Optional(), TextLimit(question.max_length)], **kwargs)
    if qtype == "number":
        return NumberField(
            validators=[Optional()],
            integer=question.integer,
            minimum=question.min,
            maximum=question.max,
            **kwargs,
        )
    choices = [SelectChoice(o.code, o.label) for o in question.choices]
    if qtype in ("single_choice", "yes_partly_no", "scale"):
        return ChoiceField(validators=[Optional()], choices=choices, **kwargs)
    if qtype == "multiple_choice":
        return MultiCheckboxField(validators=[Optional()], choices=choices, **kwargs)
    if qtype == "date":
        return SwedishDateField(
            validators=[Optional()],
            format="%Y-%m-%d",
            render_kw={"placeholder": "ÅÅÅÅ-MM-DD", "inputmode": "numeric", "autocomplete": "off"},
            **kwargs,
        )
    raise ValueError(f"no form field for type {qtype}")


def section_form_class(section: Section, entries: dict[str, list[int]]) -> type[FlaskForm]:
    """A form class for one section, with one field set per existing group entry."""
    attrs = {}
    for question in section.questions:
        if question.is_group:
            for index in entries.get(question.key, []):
                for field in question.fields:
                    attrs[field_name(field, index)] = make_field(field)
        else:
            attrs[question.key] = make_field(question)
    return type("SectionForm", (Form,), attrs)


def to_form_data(question: Question, value: Any) -> Any:
    """A stored JSON value as the form field wants it."""
    if value is None:
        return None
    if question.type == "date":
        return date.fromisoformat(value)
    if question.type == "scale":
        return str(value)
    return value


def to_stored(question: Question, data: Any) -> Any:
    """A validated form value as it is stored (JSON): ISO dates, ints for scales, code lists.

    Whitespace counts as no answer, and a code that is not one of the question's
    options is never stored, whatever reached the form.
    """
    if isinstance(data, str) and not data.strip():
        return None
    if data in (None, []):
        return None
    codes = {option.code for option in question.choices}
    if question.type == "date":
        return data.isoformat()
    if question.type == "scale":
        return int(data) if data in codes else None
    if question.type in ("single_choice", "yes_partly_no"):
        return data if data in codes else None
    if question.type == "multiple_choice":
        return [code for code in data if code in codes] or None
    if question.type in ("short_text", "long_text"):
        return data.strip()
    return data


def section_fields(section: Section, entries: dict[str, list[int]]):
    """(question, entry index) for every field of the section form, in page order."""
    for question in section.questions:
        if question.is_group:
            for index in entries.get(question.key, []):
                for field in question.fields:
                    yield field, index
        else:
            yield question, SINGLE


def build_section_form(section: Section, entries: dict[str, list[int]], values: dict, formdata=None):
    """The section's form, filled from posted data when given, else from stored values."""
    data = {
        field_name(q, i): to_form_data(q, values.get((q.key, i))) for q, i in section_fields(section, entries)
    }
    form_class = section_form_class(section, entries)
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=data)


def valid_values(form, section: Section, entries: dict[str, list[int]]) -> dict[tuple[str, int], Any]:
    """The values of every field that passed validation, ready to store; invalid fields are left out."""
    values = {}
    for question, index in section_fields(section, entries):
        field = form[field_name(question, index)]
        if not field.errors:
            values[(question.key, index)] = to_stored(question, field.data)
    return values
