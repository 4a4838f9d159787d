"""Faults: the database failing during a save, and two saves racing for the same assignment."""

import re
import threading
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from helpers import csrf_from, fill_and_submit, hidden_fields, login, open_form, stored, two_browsers
from survey.extensions import db
from survey.models import Assignment


@contextmanager
def failing_writes(app, times: int):
    """The next `times` INSERT/UPDATE statements fail as a locked or unreachable database would."""
    state = {"left": times}

    def before(conn, cursor, statement, parameters, context, executemany):
        if state["left"] and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            state["left"] -= 1
            raise OperationalError(statement, parameters, Exception("database is locked"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_save_that_loses_the_race_is_merged_again_not_dropped(app, world):
    """Bo's save commits between Anna's read and Anna's write; Anna's write is retried and merged."""
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    main = threading.current_thread()
    state = {"raced": False}

    def bo_saves_first(conn, cursor, statement, parameters, context, executemany):
        if (
            not state["raced"]
            and threading.current_thread() is main
            and statement.lstrip().startswith("UPDATE assignment")
        ):
            state["raced"] = True
            other = threading.Thread(
                target=lambda: bo.post(url, data={**bo_page, "uppdrag": "Bos text", "action": "save"})
            )
            other.start()
            other.join()

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", bo_saves_first)
    try:
        response = anna.post(url, data={**anna_page, "namn": "Annas namn", "action": "save"})
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", bo_saves_first)
    assert state["raced"]
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Annas namn", ("uppdrag", 0): "Bos text"}


def test_a_failing_database_shows_the_text_and_a_retry_button_and_nothing_half_written(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = hidden_fields(client, url)
    with failing_writes(app, 100):  # down for longer than the retries
        response = client.post(
            url, data={**page, "namn": "Viktig text", "uppdrag": "Lång beskrivning", "action": "save"}
        )
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "Det gick inte att spara just nu" in text
    assert "Viktig text" in text and "Lång beskrivning" in text
    assert stored(app, world.assignment_ids[0]) == {}
    # The retry button posts the same fields again.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text))
    assert fields["namn"] == "Viktig text" and fields["action"] == "save"
    retry = client.post(url, data={**page, "namn": "Viktig text", "uppdrag": "Lång beskrivning", "action": "save"})
    assert retry.status_code == 303
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Viktig text", ("uppdrag", 0): "Lång beskrivning"}


def test_autosave_during_a_database_fault_answers_json(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = hidden_fields(client, url)
    with failing_writes(app, 100):
        reply = client.post(url, data={**page, "namn": "x", "action": "autosave"})
    assert reply.status_code == 503 and reply.json["ok"] is False


def test_two_saves_at_the_same_moment_lose_nothing(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    results = {}

    def save(name, client, data):
        results[name] = client.post(url, data=data).status_code

    shown = {"namn": "", "uppdrag": ""}  # what both pages show, as a browser posts it back
    for round_number in range(5):
        anna_post = {**anna_page, **shown, "namn": f"Anna {round_number}", "action": "save"}
        bo_post = {**bo_page, **shown, "uppdrag": f"Bo {round_number}", "action": "save"}
        threads = [
            threading.Thread(target=save, args=("anna", anna, anna_post)),
            threading.Thread(target=save, args=("bo", bo, bo_post)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {"anna": 303, "bo": 303}
        values = stored(app, world.assignment_ids[0])
        assert values[("namn", 0)] == f"Anna {round_number}" and values[("uppdrag", 0)] == f"Bo {round_number}"
        anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
        shown = {"namn": f"Anna {round_number}", "uppdrag": f"Bo {round_number}"}


def test_a_database_locked_for_a_moment_is_retried_without_bothering_the_user(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = hidden_fields(client, url)
    with failing_writes(app, 1):
        response = client.post(url, data={**page, "namn": "Sparas ändå", "action": "save"})
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Sparas ändå"}


def test_coordinator_action_with_the_database_down_gets_a_503_page_and_writes_nothing(app, world, monkeypatch):
    fill_and_submit(app.test_client(), world, 0)
    coordinator = app.test_client()
    login(coordinator)
    page = f"/samordning/svar/{world.assignment_ids[0]}"

    def database_down(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    html = coordinator.get(page).get_data(as_text=True)
    monkeypatch.setattr(db.session, "commit", database_down)
    response = coordinator.post(f"{page}/godkann", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 503
    assert "Databasen svarade inte, så ingenting sparades" in response.get_data(as_text=True)
    monkeypatch.undo()
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_ids[0]).approved_dt is None
