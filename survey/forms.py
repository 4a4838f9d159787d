"""What every form shares: the base class and text without control characters."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

# C0 control characters other than tab, line feed and carriage return: no one types them, and
# PostgreSQL refuses NUL in text outright. Also the bidirectional controls (U+200E, U+200F,
# U+202A–U+202E, U+2066–U+2069): a right-to-left override makes a name read differently from
# what it holds.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def email_field(description: str = "") -> EmailField:
    """An e-mail address as every form asks for it: required, checked, at most 254 characters."""
    return EmailField(
        _l("E-postadress"),
        validators=[
            DataRequired(_l("Skriv en e-postadress.")),
            Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."), check_deliverability=False),
            Length(max=254),
        ],
        description=description,
    )
