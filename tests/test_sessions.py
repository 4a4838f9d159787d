"""Sessions end after inactivity, on the server's clock, and can be extended before they do."""

import time

from helpers import login, open_form


def age_session(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - seconds


def test_contact_session_ends_after_the_idle_limit(app, client, world):
    open_form(client, world)
    start = f"/svar/{world.assignment_ids[0]}/"
    age_session(client, 59 * 60)
    assert client.get(start).status_code == 200  # still within the hour, and refreshed by the visit
    age_session(client, 61 * 60)
    assert client.get(start).status_code == 404
    assert client.get(world.link()).status_code == 303  # the personal link opens a new session


def test_coordinator_session_ends_after_the_idle_limit(client, world):
    login(client)
    assert client.get("/samordning/").status_code == 200
    age_session(client, 61 * 60)
    assert client.get("/samordning/").status_code == 302


def test_pages_of_a_session_carry_the_warning_and_its_limit(client, world):
    open_form(client, world)
    page = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert 'id="session-warning"' in page and 'data-idle-seconds="3600"' in page
    assert "Fortsätt arbeta" in page
    assert 'id="session-warning"' not in client.application.test_client().get("/").get_data(as_text=True)


def test_extend_keeps_the_session_alive(client, world):
    open_form(client, world)
    page = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    age_session(client, 50 * 60)
    reply = client.post("/session/forlang", headers={"X-CSRFToken": token})
    assert reply.status_code == 200 and reply.json == {"ok": True, "idle_seconds": 3600}
    with client.session_transaction() as session:
        assert time.time() - session["seen"] < 5


def test_extend_without_a_session_is_refused(client, world):
    page = client.get("/logga-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/session/forlang", headers={"X-CSRFToken": token}).status_code == 401
