"""Personal data over time: the retention purge (gallring), and one person's access and erasure."""

import io
from datetime import date, timedelta

import openpyxl
from sqlalchemy import JSON, String, Text, cast, select

from helpers import PASSWORD, login, post_form, staff_account
from survey import mail
from survey.db import utcnow
from survey.extensions import db
from survey.models import Answer, Assignment, AuditEvent, ContactPerson, OutboxMessage, Round, User, audit

CONTACTS = [
    ("Anna Lindqvist", "anna.lindqvist@example.org"),
    ("Erik Holmström", "erik.holmstrom@example.org"),
    ("Sara Nyberg", "sara.nyberg@example.org"),
]


def texts_in_database():
    """(table, column, text) for every text and JSON value stored in any table."""
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if not columns:  # ids only (user_scope)
            continue
        for row in db.session.execute(select(*[cast(c, Text) for c in columns])):
            for column, value in zip(columns, row, strict=True):
                if value:
                    yield table.name, column.name, value


def places_holding(*needles, skip_tables=()):
    needles = [n.casefold() for n in needles]
    return sorted(
        {
            f"{table}.{column}"
            for table, column, value in texts_in_database()
            if table not in skip_tables and any(n in value.casefold() for n in needles)
        }
    )


def ended_round_with_mail(app, world, days_ago=400, state="archived"):
    """The world's round ended ``days_ago`` days ago, after invitations (one delivered, one given up) and a
    reminder still waiting; every unit with a contact person of its own."""
    with app.app_context():
        sender = User.by_email("samordnare@example.org")
        for assignment_id, (name, email) in zip(world.assignment_ids, CONTACTS, strict=True):
            assignment = db.session.get(Assignment, assignment_id)
            contact = assignment.unit.contacts[0]
            contact.name, contact.email = name, email
            db.session.flush()
            mail.queue_assignment_mail(assignment, "invitation", sender)
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        messages[0].status, messages[0].sent_dt = "sent", utcnow()
        messages[1].status, messages[1].last_error = "failed", f"SMTPRecipientsRefused: {CONTACTS[1][1]}"
        # Whatever a future event might carry about a contact person, the purge finds it in the round's events.
        audit(
            "link_opened",
            f"{CONTACTS[2][0]} <{CONTACTS[2][1]}>",
            round_id=world.round_id,
            assignment_id=world.assignment_ids[2],
            details={"to": [CONTACTS[2][1]]},
        )
        round_ = db.session.get(Round, world.round_id)
        round_.closes_on, round_.state = date.today() - timedelta(days=days_ago), state
        db.session.commit()


def missing_sheet(client, world):
    login(client)
    response = client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Ej inkommit"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_purge_after_the_period_leaves_no_contact_details_of_the_round_while_the_workbook_reads(app, world, runner):
    ended_round_with_mail(app, world)
    with app.app_context():  # Sara has left: the register no longer names her
        db.session.delete(db.session.scalar(select(ContactPerson).where(ContactPerson.email == CONTACTS[2][1])))
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "contact details of ended rounds" in result.output and "removed 1" in result.output
    assert "3 mail message(s), 1 audit event(s) cleaned" in result.output
    with app.app_context():
        assert db.session.get(Round, world.round_id).contacts_purged_dt is not None
        assert places_holding(*CONTACTS[2]) == []
        # Anna and Erik are still the units' contact persons for the next round; only the register names them.
        assert places_holding(*CONTACTS[0], *CONTACTS[1]) == ["contact_person.email", "contact_person.name"]
        assert db.session.scalar(select(OutboxMessage)) is None
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "privacy_purged"))
    rows = missing_sheet(app.test_client(), world)
    assert rows[0][:5] == ["Nämnd", "Enhet", "Status", "Kontaktperson", "E-post"]
    by_unit = {row[1]: row for row in rows[1:]}
    assert set(by_unit) == set(world.unit_names)
    for unit_name, row in by_unit.items():
        assert row[3] == unit_name and row[4] in (None, "")
    assert not any(name in str(rows) or email in str(rows) for name, email in CONTACTS)


def test_the_workbook_names_contact_persons_until_the_purge(app, world):
    ended_round_with_mail(app, world, days_ago=30)
    rows = missing_sheet(app.test_client(), world)
    assert {row[3] for row in rows[1:]} == {name for name, _email in CONTACTS}


def test_dry_run_and_a_round_within_its_period_change_nothing(app, world, runner):
    ended_round_with_mail(app, world)
    with app.app_context():
        before = sorted(texts_in_database())
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would remove 1" in result.output and "Dry run: nothing changed." in result.output
    with app.app_context():
        assert sorted(texts_in_database()) == before
        assert db.session.get(Round, world.round_id).contacts_purged_dt is None
        round_ = db.session.get(Round, world.round_id)
        round_.closes_on = date.today() - timedelta(days=300)  # within twelve months
        db.session.commit()
        before = sorted(texts_in_database())
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Round, world.round_id).contacts_purged_dt is None
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
        assert sorted(t for t in texts_in_database() if t[0] != "audit_event") == [
            t for t in before if t[0] != "audit_event"
        ]


def test_an_open_round_keeps_its_contact_details_whatever_its_dates(app, world, runner):
    ended_round_with_mail(app, world, state="open")
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Round, world.round_id).contacts_purged_dt is None
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 3


def test_mail_and_audit_events_go_after_their_own_periods(app, world, runner):
    now = utcnow()
    with app.app_context():

        def message(status, age, **fields):
            db.session.add(
                OutboxMessage(
                    kind="password_reset",
                    to_address=f"{status}{age}@example.org",
                    subject="s",
                    body="b",
                    status=status,
                    created_dt=now - timedelta(days=age),
                    **fields,
                )
            )

        message("sent", 100, sent_dt=now - timedelta(days=95))
        message("sent", 10, sent_dt=now - timedelta(days=10))
        message("failed", 100)
        message("failed", 10)
        message("pending", 400)
        db.session.add(
            AuditEvent(action="login", actor="old@example.org (coordinator)", occurred_dt=now - timedelta(days=2 * 366))
        )
        db.session.add(
            AuditEvent(action="login", actor="new@example.org (coordinator)", occurred_dt=now - timedelta(days=600))
        )
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert "delivered mail" in result.output and "audit events" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(OutboxMessage.to_address))) == [
            "failed10@example.org",
            "pending400@example.org",
            "sent10@example.org",
        ]
        actors = set(db.session.scalars(select(AuditEvent.actor)))
        assert "new@example.org (coordinator)" in actors and "old@example.org (coordinator)" not in actors


def person_everywhere(app, world):
    """The coordinator, also a unit's contact person: mail to both, events by and about them."""
    with app.app_context():
        coordinator = User.by_email("samordnare@example.org")
        admin = staff_account("admin@example.org", "admin", "Admin")
        assignment = db.session.get(Assignment, world.assignment_ids[1])
        assignment.unit.contacts[0].email = "Samordnare@example.org"
        db.session.flush()
        mail.queue_assignment_mail(assignment, "invitation", admin)
        mail.queue(
            "password_reset",
            coordinator.email,
            coordinator.name,
            {"namn": "Samordnare", "lank": "x"},
            user_id=coordinator.id,
        )
        audit("login", "samordnare@example.org (coordinator)", user_id=coordinator.id)
        audit("user_changed", "admin@example.org (admin)", user_id=admin.id, details={"user": coordinator.id})
        audit("login_failed", "samordnare@example.org", details={"address": "127.0.0.1"})
        audit("login", "admin@example.org (admin)", user_id=admin.id)
        db.session.commit()


def test_an_access_export_holds_the_account_contact_records_mail_and_audit_events(app, world, runner, tmp_path):
    person_everywhere(app, world)
    path = tmp_path / "utdrag.xlsx"
    result = runner.invoke(args=["privacy", "export", "SAMORDNARE@example.org", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 account(s), 1 contact record(s), 2 mail message(s), 3 audit event(s)" in result.output
    workbook = openpyxl.load_workbook(path)
    sheet = {title: [list(r) for r in workbook[title].iter_rows(values_only=True)][1:] for title in workbook.sheetnames}
    assert [row[1] for row in sheet["Konton"]] == ["samordnare@example.org"]
    assert [row[0] for row in sheet["Kontaktperson"]] == [world.unit_names[1]]
    assert sorted(row[5] for row in sheet["E-post"]) == [
        "Kartläggning av arbetet mot våld – Äldreområdet",
        "Nytt lösenord till Kartläggning",
    ]
    assert [(row[1], row[2]) for row in sheet["Logghändelser"]] == [
        ("Inloggning", "den som agerade"),
        ("Konto ändrat", "berörd"),
        ("Misslyckad inloggning", "den som agerade"),
    ]
    cells = [c for ws in workbook for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)


def test_erase_then_export_finds_nothing_personal_left(app, world, runner):
    person_everywhere(app, world)
    with app.app_context():
        answers_before = db.session.scalar(select(db.func.count()).select_from(Answer))
    result = runner.invoke(args=["privacy", "erase", "samordnare@example.org", "--dry-run"])
    assert "would: account" in result.output and "Dry run" in result.output
    with app.app_context():
        assert User.by_email("samordnare@example.org").is_enabled
    result = runner.invoke(args=["privacy", "erase", "samordnare@example.org"])
    assert result.exit_code == 0, result.output
    assert "kept: answers" in result.output and "raderad person #" in result.output
    with app.app_context():
        from survey.privacy.rights import gather

        assert gather("samordnare@example.org").is_empty
        assert places_holding("samordnare@example.org", "Kontakt Äldreområdet") == []
        account = db.session.scalar(select(User).where(User.email.like("raderad-%")))
        assert not account.is_enabled and not account.check_password(PASSWORD)
        assert db.session.scalar(select(db.func.count()).select_from(Answer)) == answers_before
        assert "raderad person #" in " ".join(db.session.scalars(select(AuditEvent.actor)))
    assert login(app.test_client(), "samordnare@example.org").status_code == 200  # no way in


def test_the_last_admin_keeps_the_account(app, world, runner):
    with app.app_context():
        staff_account("admin@example.org", "admin")
        db.session.commit()
    result = runner.invoke(args=["privacy", "erase", "admin@example.org"])
    assert "kept: account" in result.output and "last admin" in result.output
    with app.app_context():
        assert User.by_email("admin@example.org").is_enabled


def test_the_admin_pages_list_purge_export_and_erase(app, world):
    ended_round_with_mail(app, world)
    person_everywhere(app, world)
    coordinator = app.test_client()
    login(coordinator)
    assert coordinator.get("/samordning/gallring").status_code == 403
    assert coordinator.get("/samordning/personuppgifter").status_code == 403
    client = app.test_client()
    login(client, "admin@example.org")
    page = client.get("/samordning/gallring").get_data(as_text=True)
    assert "Kontaktuppgifter i avslutade omgångar" in page and "Kartläggning 2026" in page and "Gallra nu" in page
    assert client.post("/samordning/gallring").status_code == 400  # no CSRF token
    assert post_form(client, "/samordning/gallring", {}).status_code == 303
    with app.app_context():
        assert db.session.get(Round, world.round_id).contacts_purged_dt is not None
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy_purged")).actor
            == "admin@example.org (admin)"
        )
    page = post_form(client, "/samordning/personuppgifter", {"email": "samordnare@example.org"}).get_data(as_text=True)
    assert "1 konto" in page and world.unit_names[1] in page
    download = post_form(
        client,
        "/samordning/personuppgifter/utdrag",
        {"email": "samordnare@example.org"},
        page="/samordning/personuppgifter",
    )
    assert download.mimetype.endswith("spreadsheetml.sheet")
    assert openpyxl.load_workbook(io.BytesIO(download.data))["Konton"]["B2"].value == "samordnare@example.org"
    post_form(
        client,
        "/samordning/personuppgifter/radera",
        {"email": "samordnare@example.org"},
        page="/samordning/personuppgifter",
    )
    with app.app_context():
        assert User.by_email("samordnare@example.org") is not None  # not confirmed: nothing erased
    post_form(
        client,
        "/samordning/personuppgifter/radera",
        {"email": "samordnare@example.org", "confirm": "yes"},
        page="/samordning/personuppgifter",
    )
    with app.app_context():
        assert User.by_email("samordnare@example.org") is None
        assert {"personal_data_exported", "personal_data_erased"} <= set(db.session.scalars(select(AuditEvent.action)))
