"""The coordinator's text in the report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length

from survey.forms import Form

MAX_TEXT = 20_000


class ReportTextForm(Form):
    text = TextAreaField(
        _l("Samordnarens text"),
        validators=[Length(max=MAX_TEXT, message=_l("Texten får vara högst %(max)d tecken."))],
        description=_l("Visas överst i rapporten. Markdown: **fetstil**, *kursiv*, listor med - och rubriker med ##."),
    )
