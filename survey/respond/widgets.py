"""The inputs of a section page, written out directly rather than by WTForms' widgets.

Calling a field in a template builds a field object per option and passes every attribute through
html_params, which was most of a section page's time (issue 17). These write the same markup: the
attributes sorted by name, as html_params writes them, and escaped. respond/_fields.html still
chooses the markup by the question type's widget; a type's field gives its render_kw (a date's
placeholder), its value as text (_value(): what was typed, when it did not read) and its choices.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import Field

from survey.respond import bp


@bp.app_template_global()
def attributes(**values: Any) -> Markup:
    """HTML attributes, each after a space, sorted by name: True alone, False and None left out, a trailing
    underscore dropped (``for_``, ``class_``), ``data_max_length`` as ``data-max-length``."""
    parts = []
    for name, value in sorted(values.items()):
        if value is None or value is False:
            continue
        name = name.rstrip("_")
        if name.startswith(("data_", "aria_")):
            name = name.replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return Markup("".join(parts))


@bp.app_template_global()
def text_input(field: Field, **extra: Any) -> Markup:
    """A text, number or date field's one-line input."""
    own = {"id": field.id, "type": "text", **(field.render_kw or {}), **extra}
    return Markup(f"<input{attributes(**own, name=field.name, value=field._value())}>")


@bp.app_template_global()
def text_area(field: Field, **extra: Any) -> Markup:
    """A long text field's text area; the line break after the tag is the one a browser drops."""
    own = {"id": field.id, **(field.render_kw or {}), **extra}
    return Markup(f"<textarea{attributes(**own, name=field.name)}>\r\n{escape(field._value())}</textarea>")
