"""The forms of the action plan: an activity, an indicator, a plan file; and a unit's report of its items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from survey.forms import Form
from survey.models import ActivityStatus, IndicatorDirection, PlanIndicator
from survey.questions.fields import NumberField
from survey.questions.types.percent import PercentField

NAME_LENGTH = 300
COMMENT_LENGTH = 4000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                FIRST_YEAR,
                LAST_YEAR,
                message=_l("Skriv ett år mellan %(min)s och %(max)s.", min=FIRST_YEAR, max=LAST_YEAR),
            ),
        ],
    )


class ActivityForm(Form):
    name = StringField(
        _l("Aktivitet"), validators=[DataRequired(_l("Skriv vad aktiviteten är.")), Length(max=NAME_LENGTH)]
    )
    goal = TextAreaField(
        _l("Delmål"),
        description=_l("Det delmål i handlingsplanen som aktiviteten hör till."),
        validators=[Length(max=COMMENT_LENGTH)],
    )
    unit = SelectField(
        _l("Ansvarig enhet"),
        description=_l("Enheten rapporterar aktivitetens status i varje omgång."),
        validators=[DataRequired(_l("Välj den enhet som ansvarar för aktiviteten."))],
    )
    start_year = year_field(_l("Från år"))
    end_year = year_field(_l("Till år"))
    is_active = BooleanField(_l("Aktiv (följs upp i nya omgångar)"), default=True)

    def validate_end_year(self, field):
        if field.data is not None and self.start_year.data is not None and field.data < self.start_year.data:
            raise ValidationError(_l("Slutåret kan inte ligga före startåret."))


class IndicatorForm(Form):
    name = StringField(
        _l("Indikator"), validators=[DataRequired(_l("Skriv vad indikatorn mäter.")), Length(max=NAME_LENGTH)]
    )
    measure = StringField(
        _l("Måttenhet"),
        description=_l("Skriv %(sign)s för en andel i procent (0–100), annars till exempel antal.", sign="%"),
        validators=[
            DataRequired(_l("Skriv en måttenhet, till exempel %(sign)s eller antal.", sign="%")),
            Length(max=40),
        ],
    )
    target = NumberField(_l("Målvärde"), validators=[Optional()])
    direction = RadioField(
        _l("Riktning"),
        choices=[SelectChoice(d.value, d.label) for d in IndicatorDirection],
        default=IndicatorDirection.HIGHER.value,
        validators=[DataRequired(_l("Välj om högre eller lägre värden är bättre."))],
    )
    unit = SelectField(
        _l("Ansvarig enhet"),
        description=_l("Enheten rapporterar indikatorns värde i varje omgång."),
        validators=[DataRequired(_l("Välj den enhet som ansvarar för indikatorn."))],
    )
    activity = SelectField(_l("Hör till aktivitet"), validators=[Optional()])
    is_active = BooleanField(_l("Aktiv (följs upp i nya omgångar)"), default=True)

    def validate_target(self, field):
        if field.data is not None and (self.measure.data or "").strip() == "%" and not 0 <= field.data <= 100:
            raise ValidationError(_l("En andel i procent ligger mellan 0 och 100."))


class PlanUploadForm(Form):
    file = FileField(_l("Fil med handlingsplanen (.xlsx eller .csv)"), validators=[FileRequired(_l("Välj en fil."))])


def value_field(indicator: PlanIndicator):
    """The field of an indicator's value: a percentage (0–100, "12,5 %") like the percent question type, or a number."""
    label = _l("Värde (%(measure)s)", measure=indicator.measure)
    if indicator.is_percent:
        return PercentField(label, validators=[Optional()], minimum=0, maximum=100)
    return NumberField(label, validators=[Optional()])


def report_form(activity_reports, indicator_values, formdata=None) -> FlaskForm:
    """A status and a comment per activity, a value and a comment per indicator, filled from what is stored.

    ``activity_reports``/``indicator_values``: (item, stored row or None) pairs, as survey.plan.reports gives them.
    """
    attrs: dict = {}
    data: dict = {}
    comment = [Length(max=COMMENT_LENGTH, message=_l("Högst %(max)d tecken.", max=COMMENT_LENGTH))]
    for activity, report in activity_reports:
        name = f"activity-{activity.id}"
        attrs[f"{name}-status"] = RadioField(
            _l("Status"),
            choices=[SelectChoice(status.value, status.label) for status in ActivityStatus],
            validators=[Optional()],
        )
        attrs[f"{name}-comment"] = TextAreaField(_l("Kommentar"), validators=comment)
        data[f"{name}-status"] = report.status if report else None
        data[f"{name}-comment"] = report.comment if report else ""
    for indicator, value in indicator_values:
        name = f"indicator-{indicator.id}"
        attrs[f"{name}-value"] = value_field(indicator)
        attrs[f"{name}-comment"] = TextAreaField(_l("Kommentar"), validators=comment)
        data[f"{name}-value"] = value.value if value else None
        data[f"{name}-comment"] = value.comment if value else ""
    return type("PlanReportForm", (Form,), attrs)(formdata=formdata, data=data)
