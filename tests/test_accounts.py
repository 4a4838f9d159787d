"""Accounts: admin-only management, set-password links by mail, the second factor, the audit log."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pyotp
from itsdangerous import TimestampSigner
from sqlalchemy import select

from helpers import PASSWORD, csrf_from, login, post_form
from survey.accounts import passwords
from survey.extensions import db
from survey.models import ACTION_NAMES, AuditEvent, OutboxMessage, Setting, User

ROOT = Path(__file__).resolve().parent.parent


def make_user(app, email, role, password=PASSWORD):
    with app.app_context():
        user = User(email=email, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()


def mailed_link(app, to: str) -> str:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())
        ).first()
        return re.search(r"http://127\.0\.0\.1:5000(/konto/nytt-losenord/\S+)", message.body).group(1)


def test_only_admins_manage_accounts(app, client, world):
    login(client)  # a coordinator
    assert client.get("/samordning/konton").status_code == 403
    make_user(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    assert admin.get("/samordning/konton").status_code == 200


def test_admin_creates_an_account_and_the_person_sets_a_password_by_link(app, world):
    make_user(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    bad = post_form(admin, "/samordning/konton/nytt", {"email": "inte en adress", "name": "", "role": "viewer"})
    assert "Skriv en giltig e-postadress" in bad.get_data(as_text=True)
    post_form(
        admin, "/samordning/konton/nytt", {"email": "Ordforande@Example.org", "name": "Ordförande", "role": "viewer"}
    )
    link = mailed_link(app, "ordforande@example.org")
    person = app.test_client()
    post_form(person, link, {"password": "samverkan mot våld 2027", "confirm": "samverkan mot våld 2027"})
    assert person.get(link).status_code == 410  # used once
    login(person, "ordforande@example.org", "samverkan mot våld 2027")
    assert person.get("/samordning/").status_code == 200
    assert person.get("/samordning/omgang/ny").status_code == 403


def test_password_reset_link_works_once_and_says_the_same_for_unknown_addresses(app, client, world):
    unknown = post_form(client, "/konto/glomt-losenord", {"email": "finns-inte@example.org"}, follow_redirects=True)
    known = post_form(client, "/konto/glomt-losenord", {"email": "samordnare@example.org"}, follow_redirects=True)
    message = "Om adressen har ett konto får den strax ett e-postmeddelande"
    assert message in unknown.get_data(as_text=True) and message in known.get_data(as_text=True)
    link = mailed_link(app, "samordnare@example.org")
    post_form(client, link, {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"})
    assert client.get(link).status_code == 410
    other = app.test_client()
    assert login(other).status_code == 200  # the old password no longer works
    login(other, password="ett helt nytt lösenord")
    assert other.get("/samordning/").status_code == 200


def ask_for_reset(client) -> None:
    post_form(client, "/konto/glomt-losenord", {"email": "samordnare@example.org"})


def issued(monkeypatch, ago: timedelta) -> None:
    """Set-password links signed from now on seem signed that long ago (itsdangerous reads the clock to sign)."""
    make = passwords.password_serializer

    class SignedEarlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - ago.total_seconds())

    def serializer():
        serializer = make()
        serializer.signer = SignedEarlier
        return serializer

    monkeypatch.setattr(passwords, "password_serializer", serializer)


def test_a_reset_link_lasts_one_hour_and_then_offers_a_new_one(app, client, world, monkeypatch):
    issued(monkeypatch, timedelta(minutes=58))
    ask_for_reset(client)
    monkeypatch.undo()
    assert client.get(mailed_link(app, "samordnare@example.org")).status_code == 200
    issued(monkeypatch, timedelta(minutes=61))
    ask_for_reset(client)
    monkeypatch.undo()
    link = mailed_link(app, "samordnare@example.org")
    expired = client.get(link)
    assert expired.status_code == 410
    page = expired.get_data(as_text=True)
    assert "Länken har gått ut. En länk för nytt lösenord gäller i en timme" in page
    assert 'href="/konto/glomt-losenord"' in page
    refused = post_form(
        client,
        link,
        {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"},
        page="/konto/glomt-losenord",
    )
    assert refused.status_code == 410
    assert login(app.test_client()).status_code == 303, "the password is unchanged"


def test_an_account_invitation_lasts_three_days(app, world, monkeypatch):
    make_user(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    for email, ago in (
        ("ny@example.org", timedelta(days=2, hours=23)),
        ("sen@example.org", timedelta(days=3, minutes=1)),
    ):
        issued(monkeypatch, ago)
        post_form(admin, "/samordning/konton/nytt", {"email": email, "name": "", "role": "viewer"})
        monkeypatch.undo()
    person = app.test_client()
    assert person.get(mailed_link(app, "ny@example.org")).status_code == 200
    late = person.get(mailed_link(app, "sen@example.org"))
    assert late.status_code == 410
    assert "Länken har gått ut" in late.get_data(as_text=True)


def test_a_newer_reset_link_ends_the_earlier_one(app, client, world):
    ask_for_reset(client)
    first = mailed_link(app, "samordnare@example.org")
    ask_for_reset(client)
    second = mailed_link(app, "samordnare@example.org")
    assert first != second
    replaced = client.get(first)
    assert replaced.status_code == 410
    assert "en nyare länk skickats" in replaced.get_data(as_text=True)
    assert client.get(second).status_code == 200


def test_a_used_reset_link_cannot_set_the_password_again(app, client, world):
    ask_for_reset(client)
    link = mailed_link(app, "samordnare@example.org")
    form = client.get(link).get_data(as_text=True)
    post_form(client, link, {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"})
    again = client.post(
        link,
        data={"csrf_token": csrf_from(form), "password": "ett annat lösenord här", "confirm": "ett annat lösenord här"},
    )
    assert again.status_code == 410
    assert login(app.test_client(), password="ett helt nytt lösenord").status_code == 303


def test_changing_the_password_ends_an_outstanding_reset_link(app, client, world):
    ask_for_reset(client)
    link = mailed_link(app, "samordnare@example.org")
    with app.app_context():
        User.by_email("samordnare@example.org").set_password("ett lösenord som byttes")
        db.session.commit()
    assert client.get(link).status_code == 410


def test_tampered_set_password_link_is_refused(client, world):
    assert client.get("/konto/nytt-losenord/eyJpZCI6MX0.inte.signerad").status_code == 410


def enrol(app, client) -> str:
    page = client.get("/konto/tvastegs").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = post_form(client, "/konto/tvastegs", {"code": "000000"})
    assert "Koden stämmer inte" in wrong.get_data(as_text=True)
    post_form(client, "/konto/tvastegs", {"code": pyotp.TOTP(secret).now()})
    return secret


def test_second_factor_is_asked_for_after_enrolment(app, client, world):
    login(client)
    secret = enrol(app, client)
    with app.app_context():
        assert User.by_email("samordnare@example.org").totp_secret == secret
    other = app.test_client()
    response = login(other)
    assert response.headers["Location"] == "/logga-in/kod"
    assert other.get("/samordning/").status_code == 302  # not logged in yet
    wrong = post_form(other, "/logga-in/kod", {"code": "123456"})
    assert "Koden stämmer inte" in wrong.get_data(as_text=True)
    # The next time-step's code: the one enrolment used is used up.
    post_form(other, "/logga-in/kod", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert other.get("/samordning/").status_code == 200
    with app.app_context():
        failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
        assert [e.details for e in failed] == [{"second_factor": True}]


def test_admin_can_require_the_second_factor_for_everyone(app, client, world):
    make_user(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    post_form(admin, "/samordning/konton/installningar", {"require_totp": "y"}, page="/samordning/konton")
    with app.app_context():
        assert Setting.get("require_totp") is True
    login(client)
    assert client.get("/samordning/").headers["Location"] == "/konto/tvastegs"
    enrol(app, client)
    assert client.get("/samordning/").status_code == 200


def test_disabled_account_cannot_log_in(app, world):
    make_user(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    with app.app_context():
        coordinator_id = User.by_email("samordnare@example.org").id
    post_form(admin, f"/samordning/konton/{coordinator_id}/aktiv", {}, page="/samordning/konton")
    person = app.test_client()
    login(person)
    assert person.get("/samordning/").status_code == 302


def test_audit_log_lists_and_filters_events(app, client, world):
    make_user(app, "admin@example.org", "admin")
    login(app.test_client(), password="fel")
    login(client, "admin@example.org")
    page = client.get("/samordning/logg").get_data(as_text=True)
    assert "<td>Misslyckad inloggning</td>" in page and "admin@example.org (admin)" in page
    assert '<option value="login_failed">Misslyckad inloggning</option>' in page
    filtered = client.get("/samordning/logg", query_string={"action": "login_failed"}).get_data(as_text=True)
    assert "samordnare@example.org" in filtered and "admin@example.org (admin)" not in filtered


def test_every_audited_action_has_a_name_in_the_log():
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "survey").rglob("*.py"))
    actions = set()
    for first, second in re.findall(r'audit(?:_by_user)?\(\s*"([a-z_]+)"(?: if [^\n]*? else "([a-z_]+)")?', source):
        actions |= {first, second} - {""}
    actions |= {f"{kind}s_queued" for kind in ("invitation", "reminder")}
    assert len(actions) > 30 and actions <= set(ACTION_NAMES), sorted(actions - set(ACTION_NAMES))


def test_failed_logins_are_limited_per_account(app, world):
    for attempt in range(10):
        assert login(app.test_client(), password=f"fel {attempt}").status_code == 200
    blocked = login(app.test_client())  # even the right password, from a fresh browser
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)


def test_guessing_links_is_limited_per_address(client, world):
    for attempt in range(30):
        assert client.get(f"/svar/lank/gissning-{attempt}").status_code == 404
    assert client.get("/svar/lank/gissning-30").status_code == 429
    assert client.get(world.link()).status_code == 303  # a real link is honoured all the same


def test_reset_requests_are_limited(client, world):
    for _ in range(3):
        post_form(client, "/konto/glomt-losenord", {"email": "samordnare@example.org"})
    assert post_form(client, "/konto/glomt-losenord", {"email": "samordnare@example.org"}).status_code == 429
