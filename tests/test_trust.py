"""Issue 14's findings in sessions and accounts: each test failed on the code the probe found.

M3 sessions idle out from their first request and end with their link; L2 mailed links come from
PUBLIC_URL only; L3 logging in costs the same whether or not the account exists; L4 rate limits
count failures, per account and address, atomically; L5 re-authentication and one use per TOTP
code; and two defaults (the SQLite file's mode, who may frame the summary).
"""

import os
import re
import stat
import threading
import time

import pyotp
import pytest
from sqlalchemy import select

from helpers import PASSWORD, csrf_from, login, open_form, post_form, staff_account, stored
from survey import create_app, limits, security
from survey.extensions import db
from survey.models import Assignment, OutboxMessage, User
from survey.models import accounts as account_model

COORDINATOR = "samordnare@example.org"


class Clock:
    """survey.security's view of the time, moved forward by a test."""

    def __init__(self):
        self.offset = 0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(security, "time", fake)
    return fake


def login_from(client, address: str, email: str = COORDINATOR, password: str = PASSWORD):
    """Log in as a browser at `address` would (the page's CSRF token, then the POST)."""
    token = csrf_from(client.get("/logga-in").get_data(as_text=True))
    return client.post(
        "/logga-in",
        data={"csrf_token": token, "email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


def enrol(client) -> str:
    """Switch on the second factor for the logged-in user; returns its secret."""
    page = client.get("/konto/tvastegs").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert post_form(client, "/konto/tvastegs", {"code": pyotp.TOTP(secret).now()}).status_code == 303
    return secret


def next_code(secret: str) -> str:
    """The code of the next time-step (accepted as a clock drift), unlike the one enrolment used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def all_at_once(clients, request) -> list[int]:
    """Run request(client) for every client in its own thread, released together; the status codes."""
    barrier = threading.Barrier(len(clients))
    codes = []

    def run(client):
        barrier.wait()
        codes.append(request(client).status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


# M3: sessions idle out from their first request, and end when their link is replaced


def test_a_session_set_by_the_login_post_idles_out(client, world, clock):
    login(client)
    clock.offset = 61 * 60
    assert client.get("/samordning/").status_code == 302


def test_a_session_set_by_the_second_factor_step_idles_out(app, client, world, clock):
    login(client)
    secret = enrol(client)
    other = app.test_client()
    login(other)
    assert post_form(other, "/logga-in/kod", {"code": next_code(secret)}).status_code == 303
    clock.offset = 61 * 60
    assert other.get("/samordning/").status_code == 302


def test_a_session_set_by_opening_a_link_idles_out(client, world, clock):
    open_form(client, world)
    clock.offset = 61 * 60
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 404


def test_a_bound_session_without_a_stamp_counts_as_idle(client, world):
    open_form(client, world)
    with client.session_transaction() as session:
        del session["seen"]
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 404


def replace_link(app, assignment_id: int) -> str:
    with app.app_context():
        token = db.session.get(Assignment, assignment_id).issue_token()
        db.session.commit()
        return token


def test_a_replaced_link_ends_the_session_it_opened_and_keeps_the_typed_text(app, client, world):
    open_form(client, world)
    url = world.section_url("grund")
    page = csrf_from(client.get(url).get_data(as_text=True))
    new_token = replace_link(app, world.assignment_ids[0])
    saved = client.post(url, data={"csrf_token": page, "uppdrag": "Text som inte får tappas", "action": "save"})
    assert saved.status_code == 403
    assert "Text som inte får tappas" in saved.get_data(as_text=True)
    assert stored(app, world.assignment_ids[0]) == {}
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 404
    assert client.get(f"/svar/{world.assignment_ids[0]}/svar.xlsx").status_code == 404
    assert client.get(f"/svar/lank/{new_token}").status_code == 303  # the new link opens a session again
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 200


def test_a_link_kept_by_a_reminder_keeps_its_session(app, client, world):
    open_form(client, world)
    with app.app_context():
        db.session.get(Assignment, world.assignment_ids[0]).issue_token(keep_earlier=True)
        db.session.commit()
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 200


# L2: mailed links are PUBLIC_URL and the route, whatever the request says


def test_a_mailed_reset_link_ignores_the_requests_host_and_script_root(app, client, world):
    # As the probe did it: a script root that turns PUBLIC_URL's host into a user name. The browser's
    # cookie would not be sent to such a path, so the form goes without its CSRF token here.
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        "/konto/glomt-losenord",
        data={"email": COORDINATOR},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
        environ_overrides={"SCRIPT_NAME": "@evil.example"},
    )
    assert response.status_code == 303
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == COORDINATOR)).one().body
    assert re.search(r"^http://127\.0\.0\.1:5000/konto/nytt-losenord/[\w.-]+$", body, re.MULTILINE), body
    assert "evil" not in body


# L3: logging in costs one password hash check whether or not the account exists


def test_login_checks_a_password_hash_whether_or_not_the_account_exists(app, world, monkeypatch):
    checked = []
    real = account_model.check_password_hash
    monkeypatch.setattr(account_model, "check_password_hash", lambda *args: checked.append(1) or real(*args))
    with app.app_context():
        disabled = staff_account("avslutad@example.org", "viewer")
        disabled.is_enabled = False
        db.session.commit()
    for email in ("finns-inte@example.org", "avslutad@example.org", COORDINATOR):
        checked.clear()
        assert login(app.test_client(), email, "fel lösenord").status_code == 200
        assert checked == [1], email
    assert login(app.test_client(), "avslutad@example.org").status_code == 200  # the right password, disabled


# L4: only failures count, per account and address, atomically


def test_a_real_link_is_honoured_after_many_made_up_ones_from_the_same_address(client, world):
    answers = [client.get(f"/svar/lank/gissning-{attempt:020d}").status_code for attempt in range(35)]
    assert answers[:30] == [404] * 30 and set(answers[30:]) == {429}
    assert client.get(world.link()).status_code == 303


def test_failed_logins_from_elsewhere_do_not_lock_the_user_out(app, world):
    for attempt in range(12):
        login_from(app.test_client(), "203.0.113.9", password=f"fel {attempt}")
    assert login_from(app.test_client(), "203.0.113.9").status_code == 429  # that address is stopped
    assert login_from(app.test_client(), "198.51.100.7").status_code == 303  # the user, elsewhere, is not


def test_failures_over_many_addresses_meet_a_ceiling_for_the_account(app, world, monkeypatch):
    allowed, window = limits.LIMITS["login-account"]
    monkeypatch.setitem(limits.LIMITS, "login-account", (4, window))
    for attempt in range(4):
        assert login_from(app.test_client(), f"203.0.113.{attempt}", password="fel").status_code == 200
    assert login_from(app.test_client(), "198.51.100.7").status_code == 429


def test_concurrent_failed_logins_get_no_more_tries_than_the_limit(app, world):
    allowed = limits.LIMITS["login-pair"][0]
    clients = [app.test_client() for _ in range(3 * allowed)]
    tokens = {id(c): csrf_from(c.get("/logga-in").get_data(as_text=True)) for c in clients}
    codes = all_at_once(
        clients,
        lambda c: c.post("/logga-in", data={"csrf_token": tokens[id(c)], "email": COORDINATOR, "password": "fel"}),
    )
    assert sorted(set(codes)) == [200, 429]
    assert codes.count(200) == allowed  # exactly: never more, and never all refused by counting each other


def test_concurrent_wrong_codes_get_no_more_tries_than_the_limit(app, client, world):
    login(client)
    enrol(client)
    allowed = limits.LIMITS["code-account"][0]
    clients = [app.test_client() for _ in range(2 * allowed + 2)]
    tokens = {}
    for c in clients:
        assert login(c).headers["Location"] == "/logga-in/kod"
        tokens[id(c)] = csrf_from(c.get("/logga-in/kod").get_data(as_text=True))
    codes = all_at_once(
        clients, lambda c: c.post("/logga-in/kod", data={"csrf_token": tokens[id(c)], "code": "000000"})
    )
    assert sorted(set(codes)) == [200, 429]
    assert codes.count(200) == allowed  # exactly: never more, and never all refused by counting each other


# L5: re-authentication for password and second-factor changes; each code once


def test_changing_the_password_asks_for_the_current_one(app, client, world):
    login(client)
    new = {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"}
    for current in ("", "fel lösenord"):
        refused = post_form(client, "/konto/losenord", {**new, "current": current})
        assert refused.status_code == 200 and "Nuvarande lösenord" in refused.get_data(as_text=True)
    with app.app_context():
        assert User.by_email(COORDINATOR).check_password(PASSWORD)
    assert post_form(client, "/konto/losenord", {**new, "current": PASSWORD}).status_code == 303
    with app.app_context():
        assert User.by_email(COORDINATOR).check_password("ett helt nytt lösenord")


def test_the_change_after_a_one_time_password_needs_no_current_password(app, client, world):
    with app.app_context():
        User.by_email(COORDINATOR).set_password("engångslösenord 123", one_time=True)
        db.session.commit()
    login(client, password="engångslösenord 123")
    page = client.get("/konto/losenord").get_data(as_text=True)
    assert 'name="current"' not in page
    new = {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"}
    assert post_form(client, "/konto/losenord", new).status_code == 303


def test_replacing_the_second_factor_asks_for_the_password(app, client, world):
    login(client)
    first = enrol(client)
    page = client.get("/konto/tvastegs").get_data(as_text=True)
    second = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    refused = post_form(client, "/konto/tvastegs", {"code": pyotp.TOTP(second).now(), "current": "fel"})
    assert refused.status_code == 200
    with app.app_context():
        assert User.by_email(COORDINATOR).totp_secret == first
    assert post_form(client, "/konto/tvastegs", {"code": next_code(second), "current": PASSWORD}).status_code == 303
    with app.app_context():
        assert User.by_email(COORDINATOR).totp_secret == second


def test_a_totp_code_is_accepted_once(app, client, world):
    login(client)
    secret = enrol(client)
    enrolment_code = pyotp.TOTP(secret).now()
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    for browser in (first, second, third):
        login(browser)
    assert post_form(first, "/logga-in/kod", {"code": next_code(secret)}).status_code == 303
    again = post_form(second, "/logga-in/kod", {"code": next_code(secret)})
    assert again.status_code == 200 and "Koden stämmer inte" in again.get_data(as_text=True)
    assert post_form(third, "/logga-in/kod", {"code": enrolment_code}).status_code == 200


# Defaults: the SQLite file is the app's alone; only the site itself may frame the summary


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="an SQLite file only")
def test_the_sqlite_file_is_created_readable_by_the_app_alone(tmp_path):
    path = tmp_path / "private" / "kartlaggning.sqlite"
    path.parent.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        db.create_all()
        db.session.execute(select(User)).all()
        for file in path.parent.iterdir():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        db.engine.dispose()


def test_only_the_site_itself_may_frame_the_summary_unless_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("PUBLIC_FRAME_ANCESTORS", raising=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        }
    )
    assert app.config["PUBLIC_FRAME_ANCESTORS"] == "'self'"
