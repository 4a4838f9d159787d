"""A county in one installation (issue 18, items 3, 4 and 6): the county's unit kinds, the roll-ups at every level
that add up to the level above, the comparison between parts of the county, each level's own voice, and
`flask demo --county` with its logins."""

import email
import email.policy
import io
import re

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from helpers import PASSWORD
from survey.extensions import db
from survey.mail import queue_assignment_mail, send_pending
from survey.models import Assignment, Round, ScopeVoice, Unit, UnitKind, User
from survey.models.units import subtree_ids
from survey.trends.parts import compare_parts
from survey.voice.nearest import voice_for
from test_rounds import Inbox, free_port

OUTPUT_LOGIN = re.compile(r"(\S+@example\.org), engångslösenord: (\S+)")
STATES = slice(1, 6)  # Inbjudna … Ej påbörjade


@pytest.fixture
def county(app, runner):
    """The county demo, loaded through its command; the logins it printed, by e-mail."""
    result = runner.invoke(args=["demo", "--county"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        round_id = db.session.scalar(select(Round.id))
    return {"output": result.output, "passwords": dict(OUTPUT_LOGIN.findall(result.output)), "round_id": round_id}


@pytest.fixture
def inbox(app):
    """A real SMTP server on loopback, as tests/test_rounds.py's; the app is pointed at it."""
    found = Inbox()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="Kartläggning <noreply@example.org>"
    )
    yield found
    controller.stop()


def logged_in(app, county, email):
    """A browser logged in with the demo's one-time password, changed to the tests' password."""
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/logga-in", data={"email": email, "password": county["passwords"][email]})
    assert response.status_code == 303, response.get_data(as_text=True)
    response = client.post(
        "/konto/losenord",
        data={"current_password": county["passwords"][email], "password": PASSWORD, "confirm": PASSWORD},
    )
    return client


def workbook_sheets(client, round_id) -> dict[str, list[tuple]]:
    response = client.get(f"/samordning/omgang/{round_id}/sammanstallning.xlsx?utkast=1")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_demo_county_builds_the_tree_and_prints_logins_and_links(app, county):
    output = county["output"]
    assert "Samordnare (Norrbottens kommunförbund): samordnare.lan@example.org" in output
    for kommun in ("Kiruna", "Gällivare", "Luleå", "Piteå"):
        assert f"Samordnare ({kommun} kommun): samordnare." in output
    assert "Administratör: admin@example.org" in output
    assert "Individ- och familjeomsorg (Kiruna kommun)\thttp://" in output
    assert "Region Norrbotten\thttp://" in output and "Polisen, lokalpolisområde Norrbotten\thttp://" in output
    with app.app_context():
        kinds = {u.name: u.kind for u in db.session.scalars(select(Unit))}
        assert kinds["Norrbottens kommunförbund"] == "kommunforbund"
        assert kinds["Malmfälten"] == kinds["Kustlandet"] == "lansdel"
        assert kinds["Luleå kommun"] == "kommun"
        assert kinds["Region Norrbotten"] == "region"
        assert kinds["Polisen, lokalpolisområde Norrbotten"] == "polis"
        luleå = db.session.scalar(select(Unit).where(Unit.name == "Luleå kommun"))
        assert luleå.parent.name == "Kustlandet"
        round_ = db.session.get(Round, county["round_id"])
        assert round_.scope_unit.name == "Norrbottens kommunförbund"
        assert len(round_.assignments) == 14  # three verksamheter in each of four municipalities, region, police
        statuses = [a.status for a in round_.assignments]
        assert 0 < statuses.count("submitted") < 14 and "in_progress" in statuses and "not_started" in statuses
        kiruna = db.session.scalar(select(User).where(User.email == "samordnare.kiruna@example.org"))
        assert [db.session.get(Unit, i).name for i in kiruna.scope_unit_ids] == ["Kiruna kommun"]


def test_demo_county_is_idempotent_and_keeps_the_links(app, runner, county):
    again = runner.invoke(args=["demo", "--county"])
    assert again.exit_code == 0, again.output
    assert "Kontaktlänkarna för Samverkan mot våld i Norrbotten 2026 är oförändrade" in again.output
    with app.app_context():
        assert len(db.session.scalars(select(Unit)).all()) == 1 + 2 + 4 * (1 + 2 + 2 + 3) + 2
        assert len(db.session.scalars(select(Round)).all()) == 1


def test_demo_county_logins_work_and_each_municipality_sees_its_own(app, county):
    round_id = county["round_id"]
    county_client = logged_in(app, county, "samordnare.lan@example.org")
    page = county_client.get(f"/samordning/omgang/{round_id}").get_data(as_text=True)
    assert "Kiruna kommun" in page and "Piteå kommun" in page and "Region Norrbotten" in page
    kiruna = logged_in(app, county, "samordnare.kiruna@example.org")
    page = kiruna.get(f"/samordning/omgang/{round_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Kiruna kommun" in text or "Socialnämnden" in text
    assert "Piteå kommun" not in text and "Region Norrbotten" not in text
    assert logged_in(app, county, "admin@example.org").get("/samordning/konton").status_code == 200


def test_the_county_workbook_rolls_up_every_level_and_each_adds_up_to_the_level_above(app, county):
    client = logged_in(app, county, "samordnare.lan@example.org")
    sheets = workbook_sheets(client, county["round_id"])
    namnd, kommun, lansdel = sheets["Översikt"], sheets["Översikt per kommun"], sheets["Översikt per länsdel"]
    assert namnd[0][0] == "Nämnd" and namnd[0][-1] == "Kommun"
    assert kommun[0][0] == "Kommun" and kommun[0][-1] == "Länsdel"
    assert lansdel[0][0] == "Länsdel" and len(lansdel[0]) == 7  # the top level: nothing above it but the total

    def added_up(rows, name):
        return [sum(row[i] for row in rows if row[-1] == name) for i in range(STATES.start, STATES.stop)]

    kommun_rows = {row[0]: list(row[STATES]) for row in kommun[1:]}
    for name in ("Kiruna kommun", "Gällivare kommun", "Luleå kommun", "Piteå kommun"):
        assert added_up(namnd[1:], name) == kommun_rows[name], name
        assert kommun_rows[name][0] == 3  # three verksamheter invited in each
    lansdel_rows = {row[0]: list(row[STATES]) for row in lansdel[1:]}
    for name in ("Malmfälten", "Kustlandet"):
        assert added_up(kommun[1:], name) == lansdel_rows[name], name
    # The region and the police are rows of their own on every level, with nothing above them.
    assert lansdel_rows["Region Norrbotten"][0] == kommun_rows["Region Norrbotten"][0] == 1
    assert [row[-1] for row in kommun[1:] if row[0] == "Polisen, lokalpolisområde Norrbotten"] == [None]
    # Every level adds up to the total.
    total = list(sheets["Om sammanställningen"][1][5:10])
    for level in (namnd, kommun, lansdel):
        assert [sum(row[i] for row in level[1:]) for i in range(STATES.start, STATES.stop)] == total
    assert total[0] == 14


def test_a_municipalitys_workbook_holds_only_its_units(app, county):
    client = logged_in(app, county, "samordnare.lulea@example.org")
    sheets = workbook_sheets(client, county["round_id"])
    text = " ".join(str(cell) for rows in sheets.values() for row in rows for cell in row)
    assert "Luleå kommun" in text
    for other in ("Kiruna", "Gällivare", "Piteå", "Region Norrbotten", "Polisen, lokalpolisområde", "Malmfälten"):
        assert other not in text, other
    assert [row[0] for row in sheets["Översikt"][1:]] == ["Barn- och utbildningsnämnden", "Socialnämnden"]
    assert sheets["Om sammanställningen"][1][5] == 3


def test_every_kind_a_county_needs_has_a_label_and_passes_the_constraint(app):
    with app.app_context():
        for kind in UnitKind:
            db.session.add(Unit(name=f"Enhet {kind}", kind=kind))
        db.session.commit()
    assert {str(kind.label) for kind in UnitKind} >= {"Kommunförbund", "Länsdel", "Kommun", "Region", "Polis"}


def unit_named(name: str, parent: str | None = None) -> Unit:
    query = select(Unit).where(Unit.name == name)
    if parent is not None:
        query = query.where(Unit.parent.has(Unit.name == parent))
    return db.session.scalar(query)


def test_a_municipalitys_coordinator_sets_its_voice_and_its_contacts_hear_it(app, county, inbox):
    client = logged_in(app, county, "samordnare.lulea@example.org")
    with app.app_context():
        lulea, pitea = unit_named("Luleå kommun").id, unit_named("Piteå kommun").id
        grundskola = db.session.scalar(
            select(Assignment)
            .join(Unit)
            .where(
                Unit.name == "Grundskola",
                Unit.parent.has(Unit.name == "Utbildningsförvaltningen"),
                Assignment.unit_id.in_(subtree_ids(lulea)),
            )
        )
        assignment_id = grundskola.id
    assert client.get("/samordning/avsandare").status_code == 200
    assert "Piteå kommun" not in client.get("/samordning/avsandare").get_data(as_text=True)
    assert client.get(f"/samordning/avsandare/{pitea}").status_code == 404  # another municipality's: not there
    refused = client.post(
        f"/samordning/avsandare/{lulea}", data={"sender_name": "Luleås samordnare", "reply_to": "inte en adress"}
    )
    assert refused.status_code == 200 and "Luleås samordnare" in refused.get_data(as_text=True)  # kept, not lost
    saved = client.post(
        f"/samordning/avsandare/{lulea}",
        data={
            "sender_name": "Luleås samordnare",
            "reply_to": "vald@lulea.example.org",
            "contact_details": "Ring **Lena** på 0920-45 00 00",
            "manual": "Börja med avsnittet om rutiner.",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        queue_assignment_mail(assignment, "reminder", None)
        db.session.commit()
        sent, failed = send_pending()
    assert (sent, failed) == (1, 0)
    message = email.message_from_bytes(inbox.messages[-1].content, policy=email.policy.default)
    assert message["From"] == "Luleås samordnare <noreply@example.org>"
    assert message["Reply-To"] == "vald@lulea.example.org"
    # The contact person's start page has the municipality's contact details and manual.
    contact = app.test_client()
    with app.app_context():
        token = db.session.get(Assignment, assignment_id).issue_token()
        db.session.commit()
    page = contact.get(f"/svar/lank/{token}", follow_redirects=True).get_data(as_text=True)
    assert "<strong>Lena</strong>" in page and "Börja med avsnittet om rutiner." in page


def test_a_unit_hears_the_nearest_voice_field_by_field_and_the_configuration_last(app, county):
    with app.app_context():
        lulea = unit_named("Luleå kommun")
        region = unit_named("Region Norrbotten")
        db.session.get(ScopeVoice, lulea.id).contact_details = ""  # left empty: heard from the kommunförbund
        db.session.commit()
        school = db.session.scalar(select(Unit.id).where(Unit.name == "Grundskola", Unit.id.in_(subtree_ids(lulea.id))))
        heard = voice_for(school)
        assert heard.sender_name == "Samordnare mot våld, Luleå kommun"
        assert heard.reply_to == "samordnare.lulea@example.org"
        assert "Kommunförbundets samordnare" in heard.contact_details
        assert [None if s is None else s.name for s in heard.source] == [
            "Luleå kommun",
            "Luleå kommun",
            "Luleå kommun",
            "Norrbottens kommunförbund",
        ]
        assert voice_for(region.id).sender_name == "Samverkan mot våld, Norrbottens kommunförbund"
        db.session.execute(delete(ScopeVoice))
        db.session.commit()
        app.config["MAIL_FROM"] = "Kartläggningen <noreply@example.org>"
        fallback = voice_for(school)
        assert (fallback.sender_name, fallback.reply_to, fallback.manual) == (
            "Kartläggningen",
            "samordnare@example.org",
            "",
        )


def test_the_comparison_page_puts_the_parts_side_by_side(app, county):
    client = logged_in(app, county, "samordnare.lan@example.org")
    page = client.get(f"/samordning/omgang/{county['round_id']}/lansdelar")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<svg") >= 3 and "Kustlandet" in text and "Malmfälten" in text
    with app.app_context():
        round_ = db.session.get(Round, county["round_id"])
        coordinator = User.by_email("samordnare.lan@example.org")
        comparison = compare_parts(round_, coordinator, "lansdel")
        assert [p.name for p in comparison.parts] == ["Kustlandet", "Malmfälten"]
        # Each part's invited units and its answers are the county workbook's per länsdel.
        assert comparison.invited == [6, 6]
        sent = {a.id for a in round_.assignments if a.status in ("submitted", "reopened")}
        assert set(comparison.figures.assignments[0]) | set(comparison.figures.assignments[1]) <= sent
        region = next(a.id for a in round_.assignments if a.unit.name == "Region Norrbotten")
        assert region in sent and all(region not in ids for ids in comparison.figures.assignments)
        for trend in comparison.shares:
            for measure in trend.measures:
                assert len(measure.values) == 2
    kiruna = logged_in(app, county, "samordnare.kiruna@example.org")
    own = kiruna.get(f"/samordning/omgang/{county['round_id']}/lansdelar").get_data(as_text=True)
    assert "färre än två länsdelar" in own and "Kustlandet" not in own
    assert kiruna.get(f"/samordning/omgang/{county['round_id']}/lansdelar?niva=x").status_code == 404
