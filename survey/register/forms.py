"""The forms of the register: a unit, a contact person, a register file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey.forms import Form, email_field
from survey.models import UnitKind


class UnitForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv enhetens namn.")), Length(max=200)])
    kind = RadioField(
        _l("Typ"),
        choices=[SelectChoice(kind.value, kind.label) for kind in UnitKind],
        validators=[DataRequired(_l("Välj en typ."))],
    )
    parent = SelectField(_l("Hör till"), description=_l("Den enhet som står närmast över i organisationen."))


class ContactForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv kontaktpersonens namn.")), Length(max=200)])
    email = email_field()


class RegisterUploadForm(Form):
    file = FileField(_l("Fil med registret (.xlsx eller .csv)"), validators=[FileRequired(_l("Välj en fil."))])
