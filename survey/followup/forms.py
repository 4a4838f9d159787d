"""The follow-up page's form: a status and a comment for each of last round's development areas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from survey.followup.areas import EarlierArea
from survey.forms import Form
from survey.models import FollowUpStatus

COMMENT_LENGTH = 4000


def follow_up_form(areas: list[EarlierArea], formdata=None) -> FlaskForm:
    """One status (radios) and one comment per earlier area, named after the area; filled from what is stored."""
    attrs = {}
    for area in areas:
        attrs[f"{area.name}-status"] = RadioField(
            _l("Vad har hänt med utvecklingsområdet?"),
            choices=[SelectChoice(status.value, status.label) for status in FollowUpStatus],
            validators=[Optional()],
        )
        attrs[f"{area.name}-comment"] = TextAreaField(
            _l("Kommentar"),
            description=_l("Vad har ni gjort, vad återstår, eller varför är det inte längre aktuellt?"),
            validators=[Length(max=COMMENT_LENGTH, message=_l("Högst %(max)d tecken.", max=COMMENT_LENGTH))],
        )
    data = {}
    for area in areas:
        data[f"{area.name}-status"] = area.status.value if area.status else None
        data[f"{area.name}-comment"] = area.comment
    return type("FollowUpForm", (Form,), attrs)(formdata=formdata, data=data)
