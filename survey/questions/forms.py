"""A questionnaire section becomes a WTForms class at run time: one field per question and per
field of each existing group entry."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field

from survey.forms import Form
from survey.ids import parse_id
from survey.models import SINGLE
from survey.questions.definition import KEY_RE, Question, Section


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
    return question.kind.field(question, label=question.label, description=question.help)


# Form classes by (section, group entries): a section of a parsed version (one object per version and language,
# kept for the process) with the same entries always makes the same class, and making one costs a field per
# question. Bounded: entries differ between units, so the least recently used class goes first.
FORM_CLASSES: OrderedDict[tuple[int, tuple], tuple[Section, type[FlaskForm]]] = OrderedDict()
FORM_CLASSES_MAX = 512
_form_classes_lock = Lock()


def section_form_class(section: Section, entries: dict[str, list[int]]) -> type[FlaskForm]:
    """A form class for one section, with one field set per existing group entry."""
    key = (id(section), tuple(sorted((group, tuple(indexes)) for group, indexes in entries.items())))
    with _form_classes_lock:
        cached = FORM_CLASSES.get(key)
        if cached is not None and cached[0] is section:  # the id of a section gone since may be reused
            FORM_CLASSES.move_to_end(key)
            return cached[1]
    form_class = new_section_form_class(section, entries)
    with _form_classes_lock:
        FORM_CLASSES[key] = (section, form_class)  # holding the section keeps its id from being reused
        while len(FORM_CLASSES) > FORM_CLASSES_MAX:
            FORM_CLASSES.popitem(last=False)
    return form_class


def new_section_form_class(section: Section, entries: dict[str, list[int]]) -> type[FlaskForm]:
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
    return None if value is None else question.kind.to_form(question, value)


def to_stored(question: Question, data: Any) -> Any:
    """A validated form value as it is stored (JSON), by the question's type.

    Whitespace counts as no answer, and a code that is not one of the question's
    options is never stored, whatever reached the form.
    """
    if isinstance(data, str) and not data.strip():
        return None
    if data in (None, []):
        return None
    return question.kind.to_stored(question, data)


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
    form_class = section_form_class(section, entries)
    if formdata is not None:
        return form_class(formdata=formdata)
    data = {field_name(q, i): to_form_data(q, values.get((q.key, i))) for q, i in section_fields(section, entries)}
    return form_class(formdata=None, data=data)


def valid_values(form, section: Section, entries: dict[str, list[int]]) -> dict[tuple[str, int], Any]:
    """The values of every field that passed validation, ready to store; invalid fields are left out."""
    values = {}
    for question, index in section_fields(section, entries):
        field = form[field_name(question, index)]
        if not field.errors:
            values[(question.key, index)] = to_stored(question, field.data)
    return values
