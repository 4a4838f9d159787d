"""The forms of running a round: the round itself, reopening, mail templates, answer files."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from survey.forms import Form
from survey.reminders import MAX_DAYS


class ReminderDaysField(StringField):
    """Whole days before the last day, written "7, 2"; the data is a list of numbers, the most days first."""

    def _value(self) -> str:
        if isinstance(self.data, list):
            return ", ".join(str(d) for d in self.data)
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        parts = [p.strip() for p in text.replace(";", ",").replace(" och ", ",").split(",") if p.strip()]
        if not all(p.isascii() and p.isdigit() and int(p) <= MAX_DAYS for p in parts) or len(parts) > 10:
            self.data = None
            raise ValueError(
                _l(
                    "Skriv antal dagar före sista svarsdag som heltal mellan 0 och %(max)s, åtskilda med komma, "
                    "till exempel 7, 2.",
                    max=MAX_DAYS,
                )
            )
        self.data = sorted({int(p) for p in parts}, reverse=True)


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
        description=_l(
            "Alla verksamheter utan underenheter i den valda delen av organisationen får var sitt formulär."
        ),
    )
    reminder_days = ReminderDaysField(
        _l("Automatiska påminnelser, dagar före sista svarsdag"),
        default=[7, 2],
        description=_l(
            "Till exempel 7, 2: en påminnelse en vecka och två dagar före sista svarsdag till verksamheter som inte "
            "har skickat in. Den som påmints eller bjudits in de senaste dagarna hoppas över. Lämna tomt för att "
            "bara påminna själv."
        ),
    )
    instructions = TextAreaField(
        _l("Instruktioner till kontaktpersonerna (manual för genomförande)"),
        validators=[Length(max=20_000)],
        description=_l(
            "Visas på startsidan för varje kontaktperson. Du kan använda Markdown: **fet**, *kursiv*, listor och länkar."
        ),
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


class AnswersUploadForm(Form):
    file = FileField(_l("Ifylld svarsmall (.xlsx)"), validators=[FileRequired(_l("Välj en fil."))])


class AnswersImportForm(Form):
    mark_submitted = BooleanField(
        _l("Markera svaren som inskickade"),
        description=_l(
            "Välj detta när verksamheten har skickat filen som sitt svar. Alla obligatoriska frågor måste vara besvarade."
        ),
    )
