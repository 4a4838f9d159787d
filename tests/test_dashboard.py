"""The round's dashboard: counts, roll-ups per nämnd, filters, and a query count that does not grow."""

import re
from datetime import date, timedelta

from sqlalchemy import delete, event, func, select

from helpers import fill_and_submit, login, open_form, post_form
from survey import reminders
from survey.db import utcnow
from survey.extensions import db
from survey.models import Assignment, ContactPerson, Round, Unit


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_rollups_filters_and_search(app, client, world):
    fill_and_submit(app.test_client(), world, 0)
    contact = app.test_client()
    open_form(contact, world, 1)
    post_form(contact, world.section_url("grund", 1), {"namn": "x", "action": "save"})
    login(client)
    url = f"/samordning/omgang/{world.round_id}"
    page = client.get(url).get_data(as_text=True)
    assert "1 av 3 verksamheter har skickat in" in page
    # The top level only: the nämnd's förvaltning shows once the nämnd is opened.
    assert ">Individ- och familjenämnden</a></th>" in page and "Socialtjänsten</a></th>" not in page
    with app.app_context():
        namnd_id = db.session.scalar(select(Unit.id).where(Unit.name == "Individ- och familjenämnden"))
    opened = client.get(url, query_string={"enhet": namnd_id}).get_data(as_text=True)
    # Individ- och familjenämnden › Socialtjänsten hold two units: one submitted, one in progress.
    row = opened.split(">Socialtjänsten</a></th>")[1].split("</tr>")[0]
    namnd_row = opened.split(">Individ- och familjenämnden</a></th>")[1].split("</tr>")[0]
    assert namnd_row.split("<td>")[1:6] == row.split("<td>")[1:6], "the nämnd adds up its one förvaltning"
    assert [cell.strip() for cell in row.split("<td>")[1:6]] == ["2</td>", "0</td>", "1</td>", "1</td>", "0</td>"]
    assert "50&nbsp;%" in row, "the share never breaks from its sign"
    # AB Bostaden has no parent: it is a top line of its own, so the top lines add up to the round.
    bolag_row = page.split(">AB Bostaden</a></th>")[1].split("</tr>")[0]
    assert [cell.strip() for cell in bolag_row.split("<td>")[1:3]] == ["1</td>", "1</td>"]

    in_progress = client.get(url, query_string={"status": "in_progress"}).get_data(as_text=True)
    assert "Äldreområdet" in in_progress and "Centrum mot våld</a>" not in in_progress
    with app.app_context():
        bolag = db.session.scalar(select(Unit).where(Unit.name == "AB Bostaden"))
        namnd = db.session.scalar(select(Unit).where(Unit.name == "Individ- och familjenämnden"))
    subtree = client.get(url, query_string={"enhet": namnd.id}).get_data(as_text=True)
    assert "Visar 2 av 3 verksamheter." in subtree and "rounds/svar/" not in subtree
    found = client.get(url, query_string={"q": "kontakt ab bostaden"}).get_data(as_text=True)
    assert "Visar 1 av 3 verksamheter." in found and "AB Bostaden</a>" in found
    assert bolag.kind == "bolag"
    by_status = client.get(url, query_string={"sort": "status"}).get_data(as_text=True)
    assert (
        by_status.index("AB Bostaden</a>")
        < by_status.index("Äldreområdet</a>")
        < by_status.index("Centrum mot våld</a>")
    )


def build_organisation(app, size: int) -> int:
    """A round over `size` units spread over ten nämnder with a förvaltning each."""
    from helpers import DATA
    from survey.models import QuestionnaireVersion

    with app.app_context():
        version = QuestionnaireVersion.from_source((DATA / "every_type.toml").read_text(encoding="utf-8"))
        round_ = Round(
            name=f"Stor {size}",
            questionnaire_version=version,
            opens_on=date.today(),
            closes_on=date.today() + timedelta(days=9),
            state="open",
        )
        db.session.add(round_)
        parents = []
        for n in range(10):
            namnd = Unit(name=f"Nämnd {n}", kind="namnd")
            parents.append(Unit(name=f"Förvaltning {n}", kind="forvaltning", parent=namnd))
        db.session.add_all(parents)
        for n in range(size):
            unit = Unit(name=f"Verksamhet {n:04d}", kind="verksamhet", parent=parents[n % 10])
            unit.contacts.append(ContactPerson(name=f"Person {n}", email=f"p{n}@example.org"))
            db.session.add(unit)
            assignment = round_.assign(unit)
            assignment.status = ("not_started", "in_progress", "submitted", "reopened")[n % 4]
        db.session.commit()
        return round_.id


def count_queries(app, client, url: str) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def with_reminders_due(app, round_id: int) -> None:
    """Automatic reminders on the round, and a mix of whom the next one reaches and why not: every third unit
    invited eleven days ago, every seventh of them reminded today, every fifth unit without a contact person."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.reminder_days = [7, 2]
        without_contact = []
        for n, assignment in enumerate(sorted(round_.assignments, key=lambda a: a.id)):
            if n % 3 == 0:
                assignment.invited_dt = utcnow() - timedelta(days=11)
                if n % 7 == 0:
                    assignment.last_reminded_dt, assignment.reminder_count = utcnow(), 1
            if n % 5 == 0:
                without_contact.append(assignment.unit_id)
        db.session.execute(delete(ContactPerson).where(ContactPerson.unit_id.in_(without_contact)))
        db.session.commit()


def test_dashboard_query_count_does_not_grow_with_units(app, client, world):
    small = build_organisation(app, 10)
    large = build_organisation(app, 1000)
    login(client)
    small_count = count_queries(app, client, f"/samordning/omgang/{small}")
    large_count = count_queries(app, client, f"/samordning/omgang/{large}")
    assert large_count == small_count
    # The login's two, the round, the roll-ups (with the round's counts and invitations), the newcomers, the page
    # (with its count), its rows' ancestors and contacts, the round it compares with.
    assert small_count <= 9
    with_reminders_due(app, small)
    with_reminders_due(app, large)
    small_count = count_queries(app, client, f"/samordning/omgang/{small}")
    assert count_queries(app, client, f"/samordning/omgang/{large}") == small_count
    assert small_count <= 10, "the next reminder: its day claimed or not, its units counted with the roll-ups"
    page = client.get(f"/samordning/omgang/{large}").get_data(as_text=True)
    assert "250 av 1000 verksamheter har skickat in" in page


def test_the_round_figures_agree_with_the_reminder_rule_whichever_part_is_open(app, client, world):
    round_id = build_organisation(app, 200)
    with_reminders_due(app, round_id)
    with app.app_context():
        coming = reminders.next_reminder(db.session.get(Round, round_id))
        namnd_id = db.session.scalar(select(Unit.id).where(Unit.name == "Nämnd 3"))
        waiting = db.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.round_id == round_id, Assignment.invited_dt.is_not(None), Assignment.status != "submitted"
            )
        )
    assert coming is not None and 0 < coming.units < waiting and coming.not_invited > 0
    login(client)
    for query in ({}, {"enhet": namnd_id}, {"enhet": namnd_id, "status": "submitted", "q": "Verksamhet 0003"}):
        page = text_of(client.get(f"/samordning/omgang/{round_id}", query_string=query))
        assert f"till {coming.units} verksamheter som inte har skickat in" in page, query
        assert f"{coming.not_invited} verksamheter har inte bjudits in än" in page, query
        assert "50 av 200 verksamheter har skickat in" in page, query
        assert "Påminn alla som inte skickat in" in page, "some were invited and have not submitted"
        assert "Inbjudningarna skickades för 2 veckor sedan" in page, query


def test_status_table_downloads_as_shown(app, client, world):
    import io

    import openpyxl

    fill_and_submit(app.test_client(), world, 0)
    login(client)
    response = client.get(f"/samordning/omgang/{world.round_id}/svarslage.xlsx", query_string={"sort": "status"})
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    assert rows[0][:3] == ["Verksamhet", "Hör till", "Status"]
    assert [(r[0], r[2]) for r in rows[1:]] == [
        ("AB Bostaden", "Ej påbörjad"),
        ("Äldreområdet", "Ej påbörjad"),
        ("Centrum mot våld", "Inskickad"),
    ]
    assert rows[3][1] == "Individ- och familjenämnden › Socialtjänsten" and rows[3][9] == "kontakt@example.org"
    only = client.get(f"/samordning/omgang/{world.round_id}/svarslage.xlsx", query_string={"status": "submitted"})
    assert openpyxl.load_workbook(io.BytesIO(only.data)).active.max_row == 2
