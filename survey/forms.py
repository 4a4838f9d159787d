"""WTForms classes: the fixed ones (login, password) and the ones built at run time from a questionnaire section."""
from __future__ import annotations

import re

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from .db import parse_id
from .models import SINGLE
from .questionnaires import KEY_RE, Question, Section


# C0 control characters other than tab, line feed and carriage return: no one types them, and
# PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control_characters(value):
    """The posted value without control characters, and with every line ending a plain line feed.

    Browsers send a textarea's line breaks as CR LF but count them as one character; storing LF
    keeps our limits the same as the counter beside the field.
    """
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, list):
        return [without_control_characters(v) for v in value]
    return value


class Form(FlaskForm):
    """The base of every form here: every field drops control characters from what was posted."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [without_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


class LoginForm(Form):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv din e-postadress."))])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord."))])


class ChangePasswordForm(Form):
    password = PasswordField(
        _l("Nytt lösenord"),
        validators=[
            DataRequired(_l("Skriv ett nytt lösenord.")),
            Length(min=12, max=200, message=_l("Lösenordet ska vara minst 12 tecken långt.")),
        ],
        description=_l("Minst 12 tecken. En fras med flera ord är lätt att minnas och svår att gissa."),
    )
    confirm = PasswordField(
        _l("Upprepa det nya lösenordet"),
        validators=[EqualTo("password", _l("Lösenorden är inte lika. Skriv samma lösenord två gånger."))],
    )


class RoundForm(Form):
    name = StringField(
        _l("Namn på omgången"),
        validators=[DataRequired(_l("Ge omgången ett namn, till exempel Kartläggning 2027.")), Length(max=200)],
    )
    questionnaire = SelectField(_l("Frågeformulär"), validators=[DataRequired(_l("Välj ett frågeformulär."))])
    opens_on = DateField(_l("Öppnar"), validators=[DataRequired(_l("Skriv datumet som ÅÅÅÅ-MM-DD."))])
    closes_on = DateField(_l("Sista svarsdag"), validators=[DataRequired(_l("Skriv datumet som ÅÅÅÅ-MM-DD."))])
    scope = SelectField(
        _l("Vilka verksamheter deltar?"),
        description=_l("Alla verksamheter utan underenheter i den valda delen av organisationen får var sitt formulär."),
    )
    instructions = TextAreaField(
        _l("Instruktioner till kontaktpersonerna (manual för genomförande)"),
        validators=[Length(max=20_000)],
        description=_l("Visas på startsidan för varje kontaktperson. Du kan använda Markdown: **fet**, *kursiv*, listor och länkar."),
    )

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Sista svarsdag kan inte vara före dagen omgången öppnar."))


class ReopenRoundForm(Form):
    closes_on = DateField(_l("Ny sista svarsdag"), validators=[DataRequired(_l("Skriv datumet som ÅÅÅÅ-MM-DD."))])


class ReopenAssignmentForm(Form):
    comment = TextAreaField(
        _l("Kommentar till kontaktpersonen"),
        validators=[DataRequired(_l("Skriv vad som behöver kompletteras.")), Length(max=5000)],
        description=_l("Visas på kontaktpersonens startsida och på varje avsnitt tills svaren skickas in igen."),
    )
    notify = BooleanField(_l("Skicka kommentaren och en länk till kontaktpersonen med e-post"), default=True)


class MailTemplateForm(Form):
    subject = StringField(_l("Ämnesrad"), validators=[DataRequired(_l("Skriv en ämnesrad.")), Length(max=300)])
    body = TextAreaField(_l("Meddelande"), validators=[DataRequired(_l("Skriv ett meddelande.")), Length(max=20_000)])


class UserForm(Form):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(_l("Skriv en e-postadress.")),
        Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."), check_deliverability=False),
        Length(max=254),
    ])
    name = StringField(_l("Namn"), validators=[Length(max=200)],
                       description=_l("Står under inbjudningar och påminnelser som personen skickar."))
    role = RadioField(_l("Roll"), choices=[
        SelectChoice("coordinator", _l("Samordnare – driver omgångar")),
        SelectChoice("viewer", _l("Läsare – ser svarsläge och sammanställningar")),
        SelectChoice("admin", _l("Administratör – hanterar även konton")),
    ], validators=[DataRequired(_l("Välj en roll."))])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv din e-postadress."))])


class TotpForm(Form):
    code = StringField(
        _l("Engångskod"),
        validators=[DataRequired(_l("Skriv koden från appen.")), Length(min=6, max=8, message=_l("Koden har sex siffror."))],
        description=_l("Sex siffror från din autentiseringsapp."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SecuritySettingsForm(Form):
    require_totp = BooleanField(_l("Kräv tvåstegsverifiering för alla konton"))


class UnitForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv enhetens namn.")), Length(max=200)])
    kind = RadioField(_l("Typ"), choices=[
        SelectChoice("namnd", _l("Nämnd")),
        SelectChoice("forvaltning", _l("Förvaltning")),
        SelectChoice("verksamhet", _l("Verksamhet")),
        SelectChoice("bolag", _l("Bolag")),
    ], validators=[DataRequired(_l("Välj en typ."))])
    parent = SelectField(_l("Hör till"), description=_l("Den enhet som står närmast över i organisationen."))


class ContactForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv kontaktpersonens namn.")), Length(max=200)])
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(_l("Skriv en e-postadress.")),
        Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."), check_deliverability=False),
        Length(max=254),
    ])


class RegisterUploadForm(Form):
    file = FileField(_l("Fil med registret (.xlsx eller .csv)"), validators=[FileRequired(_l("Välj en fil."))])


class AnswersUploadForm(Form):
    file = FileField(_l("Ifylld svarsmall (.xlsx)"), validators=[FileRequired(_l("Välj en fil."))])


class AnswersImportForm(Form):
    mark_submitted = BooleanField(
        _l("Markera svaren som inskickade"),
        description=_l("Välj detta när verksamheten har skickat filen som sitt svar. Alla obligatoriska frågor måste vara besvarade."),
    )


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


DATE_TEXT = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})|(\d{4})(\d{2})(\d{2})")


class SwedishDateField(DateField):
    """A date typed as text, ÅÅÅÅ-MM-DD (2026-3-1 and 20260301 too).

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
        match = DATE_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(_l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01."))
        year, month, day = (int(part) for part in match.groups() if part is not None)
        try:
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(_l("Det datumet finns inte i kalendern. Kontrollera månad och dag, till exempel 2026-02-28.")) from None


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
        cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(cleaned)
            # Not finite, or absurdly large or small (1E+400000 takes seconds to turn into an int).
            if not number.is_finite() or (number and abs(number.adjusted()) > 30):
                raise InvalidOperation
        except InvalidOperation:
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
            raise ValidationError(_l("Texten får vara högst %(max)s tecken, men är %(now)s. Korta den och spara igen.",
                                     max=format_decimal(self.limit), now=format_decimal(length)))


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
