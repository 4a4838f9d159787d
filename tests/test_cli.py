"""Commands: the demo municipality, contact links, accounts."""

import openpyxl
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Assignment, AuditEvent, ContactPerson, DevelopmentAreaFollowUp, Round, Unit, User


def demo_links(output: str) -> dict[str, str]:
    lines = [line for line in output.splitlines() if "\t" in line]
    return dict(line.split("\t") for line in lines)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_the_samverkansrad_and_prints_working_links(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Inloggning: http://127.0.0.1:5000/logga-in" in result.output
    assert "Samordnare: samordnare@example.org" in result.output
    assert "Administratör: admin@example.org" in result.output, "a newcomer can open Konton and Logg too"
    links = demo_links(result.output)
    assert len(links) == 17
    assert "Umebrå" in links and "Kommunföretagen (Bostaden)" in links
    with app.app_context():
        last_year, this_year = db.session.scalars(select(Round).order_by(Round.id)).all()
        assert (last_year.state, this_year.state) == ("closed", "open")
        assert this_year.previous_round_id == last_year.id, "this year's round follows up last year's"
        assert (last_year.questionnaire_version.version, this_year.questionnaire_version.version) == (
            "2025.1",
            "2026.7",
        )
        assert count(Assignment) == 2 * 17
        assert sum(a.is_submitted for a in last_year.assignments) == 14
        started = [a for a in this_year.assignments if a.start_choice == "previous"]
        assert len(started) >= 4, "several units started from last year's answers"
        origins = {a.origin for assignment in started for a in assignment.answers}
        assert {"previous", "confirmed", "changed"} <= origins
        statuses = db.session.scalars(select(DevelopmentAreaFollowUp.status)).all()
        assert len(statuses) >= 4 and "atgardat" in statuses
        umebra = db.session.scalar(select(Unit).where(Unit.name == "Umebrå"))
        assert umebra.parent.name == "Kommunledningskontoret" and umebra.parent.parent.kind == "namnd"
        assert umebra.contacts[0].email.endswith("@example.org")

    client = app.test_client()
    path = links["Centrum mot våld"].removeprefix("http://127.0.0.1:5000")
    start = client.get(path, follow_redirects=True)
    assert start.status_code == 200
    assert "Centrum mot våld" in start.get_data(as_text=True)
    assert "Om verksamheten" in start.get_data(as_text=True)


def test_demo_is_idempotent_and_its_password_works(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        counts = (count(Unit), count(ContactPerson), count(Assignment), count(Round), count(User))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    with app.app_context():
        assert (count(Unit), count(ContactPerson), count(Assignment), count(Round), count(User)) == counts
    line = next(line for line in result.output.splitlines() if "Samordnare: " in line)
    password = line.split("engångslösenord: ")[1]
    client = app.test_client()
    from helpers import login

    login(client, "samordnare@example.org", password)
    assert client.get("/samordning/").headers["Location"] == "/konto/losenord"


def test_demo_again_keeps_the_links_unless_asked_for_new_ones(app, runner):
    first = demo_links(runner.invoke(args=["demo"]).output)
    again = runner.invoke(args=["demo"])  # not at a terminal: nobody to ask, so the links stay
    assert demo_links(again.output) == {}
    assert "Kontaktlänkarna för Kartläggning av arbetet mot våld 2026 är oförändrade" in again.output
    assert "demo --new-links" in again.output
    client = app.test_client()
    assert client.get(first["Fastighet"].removeprefix("http://127.0.0.1:5000")).status_code == 303
    renewed = demo_links(runner.invoke(args=["demo", "--new-links"]).output)
    assert set(renewed) == set(first)
    assert client.get(first["Fastighet"].removeprefix("http://127.0.0.1:5000")).status_code == 404


def test_links_command_issues_new_links_and_revokes_old_ones(app, runner):
    old = demo_links(runner.invoke(args=["demo"]).output)
    result = runner.invoke(args=["links", "--round", "Kartläggning av arbetet mot våld 2026"])
    assert result.exit_code == 0
    new = demo_links(result.output)
    assert set(new) == set(old) and not set(new.values()) & set(old.values())
    client = app.test_client()
    assert client.get(old["Fastighet"].removeprefix("http://127.0.0.1:5000")).status_code == 404
    assert client.get(new["Fastighet"].removeprefix("http://127.0.0.1:5000")).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "links_issued")) == 2


def test_links_command_names_the_rounds_when_the_round_is_unknown(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["links", "--round", "2019"])
    assert result.exit_code == 1
    assert (
        "No round '2019'. Rounds: 1: Kartläggning av arbetet mot våld 2025, 2: Kartläggning av arbetet mot våld 2026"
        in result.output
    )
    assert "Traceback" not in result.output


def test_users_create_prints_a_one_time_password(app, runner):
    result = runner.invoke(args=["users", "create", "Admin@Example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(": ", 1)[1]
    with app.app_context():
        user = User.by_email("admin@example.org")
        assert user.role == "admin" and user.must_change_password
        assert user.check_password(password)
    again = runner.invoke(args=["users", "create", "admin@example.org"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_create_refuses_a_bad_address(runner):
    result = runner.invoke(args=["users", "create", "inte-en-adress"])
    assert result.exit_code == 1
    assert "Invalid e-mail address" in result.output and "Traceback" not in result.output


def test_the_demo_has_an_action_plan_followed_up_in_both_rounds(app, runner):
    runner.invoke(args=["demo"])
    runner.invoke(args=["demo"])  # idempotent: one plan
    with app.app_context():
        from survey.exports.council import council_workbook
        from survey.exports.data import ExportOptions
        from survey.models import ActivityReport, IndicatorValue, PlanActivity, PlanIndicator

        assert count(PlanActivity) == 4 and count(PlanIndicator) == 3
        last_year, this_year = db.session.scalars(select(Round).order_by(Round.id)).all()
        values = {
            (v.assignment.round_id, v.indicator.name): v.value for v in db.session.scalars(select(IndicatorValue))
        }
        trained = "Andel medarbetare som deltagit i utbildning om våld i nära relationer"
        assert values[(last_year.id, trained)] == 62 and values[(this_year.id, trained)] == 74
        target = db.session.scalar(select(PlanIndicator).where(PlanIndicator.name == trained))
        assert target.target == 80 and target.met(74) is False
        assert count(ActivityReport) >= 4
        # This year's forms are drafts: the council reads them with "Ta med utkast".
        book = council_workbook(this_year, ExportOptions(include_drafts=True))
        rows = {row[0]: row for row in openpyxl.load_workbook(book)["Indikatorer"].iter_rows(values_only=True)}
        assert rows[trained][3:8] == (0.8, "Högre är bättre", 0.62, 0.74, "Nej"), "a percentage is Excel's own"


def test_the_demo_publishes_last_years_summary_with_approved_examples(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        last_year = db.session.scalar(select(Round).order_by(Round.id))
        assert last_year.published_dt is not None
        round_id = last_year.id
    page = app.test_client().get(f"/sammanstallning/{round_id}").get_data(as_text=True)
    assert page.count('<article class="panel">') == 4, "four approved examples are public"
    assert "@example.org" not in page
