"""What every form shares: the base class and text without control characters."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm

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
