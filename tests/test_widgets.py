"""A section page writes its inputs itself (survey/respond/widgets.py and respond/_fields.html), not through
WTForms' widgets, for speed. These check, field by field, that each tag is the one WTForms would write, so a
question type that gains a render_kw or a validator that WTForms renders as an attribute is not lost."""

import html
import re

from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectMultipleField

from helpers import FULL_FIRST_SECTION, open_form, post_form
from survey.extensions import db
from survey.models import Assignment
from survey.questions.forms import build_section_form

ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def tag_of(page: str, name: str) -> str:
    """The page's <input> or whole <textarea> named ``name``."""
    match = re.search(rf'<input[^>]* name="{name}"[^>]*>|<textarea[^>]* name="{name}"[^>]*>.*?</textarea>', page, re.S)
    assert match, name
    return match.group(0)


def assert_written_as_wtforms_would(page: str, form, names) -> None:
    for name in names:
        field = form[name]
        if isinstance(field, (RadioField, SelectMultipleField)):
            for option in field:
                assert f"{option()} {option.label()}" in page, option.id
            continue
        tag = tag_of(page, name)
        opening = tag[: tag.index(">")]
        # What the template chose to add (the hint it is described by, its size); WTForms adds the rest.
        own = {"id", "name", "type", "value", *(field.render_kw or {})}
        chosen = {key: html.unescape(value or "") for key, value in ATTRIBUTE.findall(opening.split(" ", 1)[1])}
        assert tag == field(**{key: value for key, value in chosen.items() if key not in own})


def test_every_input_of_a_section_page_is_the_tag_wtforms_would_write(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    answers = {**FULL_FIRST_SECTION, "namn": 'Anna "Ankan" <Andersson> & co', "uppdrag": "Rad ett\r\n<b>två</b>"}
    post_form(client, url, {**answers, "action": "save"})
    page = client.get(url).get_data(as_text=True)
    typed = {"anstallda": "ett par hundra", "utbildad": "2026-02-30", "huvudomrade": "påhittad", "andel": "140"}
    shown_again = post_form(client, url, {**answers, **typed, "action": "save"})
    assert shown_again.status_code == 200
    with app.test_request_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        section = assignment.definition.section("grund")
        stored = build_section_form(section, {}, assignment.values())
        assert (
            '<input checked id="omraden-' in page and 'value="Anna &#34;Ankan&#34; &lt;Andersson&gt; &amp; co"' in page
        )
        assert_written_as_wtforms_would(page, stored, [field.name for field in stored if field.name != "csrf_token"])
        posted = build_section_form(section, {}, {}, formdata=MultiDict({**answers, **typed}))
        assert_written_as_wtforms_would(shown_again.get_data(as_text=True), posted, typed)
