"""What a section page and a save cost (issue 17, item 3): the form class built once per section and entries,
help texts rendered once, no query or flush to name the audit actor, the templates' texts still in the
language asked for."""

from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import event

from helpers import hidden_fields, open_form, stored
from survey.extensions import db
from survey.markup import _rendered, render_markdown
from survey.models import Assignment
from survey.questions import forms


def statements_during(app, action) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:80])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_section_page_builds_its_form_class_once_per_version_and_entries(client, world):
    open_form(client, world)
    forms.FORM_CLASSES.clear()
    for _ in range(3):
        assert client.get(world.section_url("grund")).status_code == 200
    assert len(forms.FORM_CLASSES) == 1
    client.get(world.section_url("exempel"))
    assert len(forms.FORM_CLASSES) == 2, "another section is another class"
    page = hidden_fields(client, world.section_url("exempel"))
    added = client.post(world.section_url("exempel"), data={**page, "action": "add:goda_exempel"})
    assert added.status_code == 303
    text = client.get(world.section_url("exempel")).get_data(as_text=True)
    assert len(forms.FORM_CLASSES) == 3, "a new entry is a new set of fields"
    assert 'name="exempel_rubrik-' in text, "the new entry's fields are on the page"


def test_a_save_names_its_actor_without_a_query_and_checks_its_version_first(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = hidden_fields(client, url)
    seen = statements_during(
        app, lambda: client.post(url, data={**page, "namn": "Ett namn", "action": "autosave"}).get_json()
    )
    assert not [s for s in seen if s.startswith("SELECT unit")], seen
    writes = [" ".join(s.replace(" INTO", "").split()[:2]) for s in seen if s.startswith(("INSERT", "UPDATE"))]
    assert writes.index("UPDATE assignment") < writes.index("INSERT audit_event"), writes


def test_a_save_reads_the_form_once_and_nothing_after_writing(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = hidden_fields(client, url)
    replies = []
    for namn, action in (("Ett namn", "autosave"), ("Ett annat namn", "autosave"), ("Ett tredje", "save")):
        data = {**page, "namn": namn, "action": action}
        seen = statements_during(app, lambda data=data: replies.append(client.post(url, data=data)))
        reads = [s for s in seen if s.startswith("SELECT")]
        # The link, the assignment, its unit, round and questionnaire version in one query; its answers in another.
        assert [s.split()[1].split(".")[0] for s in reads] == ["assignment", "answer"], seen
        assert seen[: len(reads)] == reads, f"nothing is read again once the save is written: {seen}"
        assert len(seen) <= 5, seen  # and the writes: the version check, the changed answer, the audit row
        if action == "autosave":
            reply = replies[-1].get_json()
            assert reply["ok"] and reply["version"] == version_of(app, world.assignment_ids[0]), reply
            page = {**page, "version": str(reply["version"]), "base": reply["base"]}
    assert "kollega" not in replies[1].get_json()["message"], "the first reply's version was the stored one"
    assert replies[-1].status_code == 303
    assert stored(app, world.assignment_ids[0])[("namn", 0)] == "Ett tredje"


def version_of(app, assignment_id: int) -> int:
    with app.app_context():
        return db.session.get(Assignment, assignment_id).version


def test_help_texts_are_rendered_once_per_text(app):
    text = "Räkna **alla** som arbetar, också timanställda."
    render_markdown(text)
    hits = _rendered.cache_info().hits
    assert (
        render_markdown(text)
        == render_markdown(text)
        == "<p>Räkna <strong>alla</strong> som arbetar, också timanställda.</p>\n"
    )
    assert _rendered.cache_info().hits == hits + 2
    assert render_markdown("<script>x</script>") == "<p>&lt;script&gt;x&lt;/script&gt;</p>\n"


def test_templates_translate_in_the_requests_language_and_a_forced_one(app):
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ _('Spara') }}") == "Save"
        with force_locale("sv"):
            assert render_template_string("{{ _('Spara') }}") == "Spara"
        assert render_template_string("{{ _('Spara') }}") == "Save"
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Spara') }}") == "Spara"
