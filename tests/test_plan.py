"""The action plan's own items (issue 15, item 4): the coordinator keeps activities and indicators, entered on a page
or imported with a preview; each responsible unit reports them in a round; the council workbook shows them."""

import io
import re

import lxml.html
import openpyxl
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from helpers import fill_and_submit, login, open_form, post_form, staff_account
from survey.extensions import db
from survey.models import ActivityReport, Assignment, AuditEvent, IndicatorValue, PlanActivity, PlanIndicator, Unit
from test_scopes import SOCIAL

HEADER = ["Typ", "Namn", "Delmål", "Ansvarig", "Från år", "Till år", "Måttenhet", "Målvärde", "Riktning", "Aktivitet"]


def unit_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, name, data):
    page = client.get("/samordning/plan/import").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    builder = EnvironBuilder(
        path="/samordning/plan/import", method="POST", data={"csrf_token": token, "file": (io.BytesIO(data), name)}
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def page_text(response) -> str:
    """The page's text, a space between elements (a term and its description read apart)."""
    return " ".join(" ".join(lxml.html.fromstring(response.get_data(as_text=True)).itertext()).split())


def table_rows(response, heading_id: str) -> list[list[str]]:
    """The cells of each row of the table labelled by ``heading_id``, as text."""
    page = lxml.html.fromstring(response.get_data(as_text=True))
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
        for row in page.xpath(f'//table[@aria-labelledby="{heading_id}"]/tbody/tr')
    ]


def add_plan(app, unit_name="Centrum mot våld", **indicator):
    """An activity and a percentage indicator of it, for one unit; returns their ids."""
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        activity = PlanActivity(name="Utbildning om våld i nära relationer", goal="Ökad kunskap", unit=unit)
        values = dict(name="Andel medarbetare som deltagit i utbildning", measure="%", target=80, direction="higher")
        db.session.add_all([activity, PlanIndicator(unit=unit, activity=activity, **(values | indicator))])
        db.session.commit()
        return activity.id, db.session.scalar(select(PlanIndicator.id).order_by(PlanIndicator.id.desc()))


# The coordinator's pages


def test_coordinator_creates_an_activity_and_an_indicator_and_sees_them_listed(app, client, world):
    login(client)
    centrum = unit_id(app, "Centrum mot våld")
    response = post_form(
        client,
        "/samordning/plan/aktivitet/ny",
        {
            "name": "Utbildning om våld",
            "goal": "Ökad kunskap",
            "unit": centrum,
            "start_year": "2025",
            "end_year": "2027",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        activity = db.session.scalar(select(PlanActivity))
        assert (activity.name, activity.goal, activity.unit_id, activity.period) == (
            "Utbildning om våld",
            "Ökad kunskap",
            centrum,
            "2025–2027",
        )
        activity_id = activity.id
    post_form(
        client,
        "/samordning/plan/indikator/ny",
        {
            "name": "Andel utbildade",
            "measure": "%",
            "target": "80,5",
            "direction": "higher",
            "unit": centrum,
            "activity": activity_id,
            "is_active": "y",
        },
    )
    with app.app_context():
        indicator = db.session.scalar(select(PlanIndicator))
        assert (indicator.target, indicator.direction, indicator.activity_id) == (80.5, "higher", activity_id)
        assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "plan_item_created"))
    listed = client.get("/samordning/plan")
    assert table_rows(listed, "activities-heading") == [
        ["Utbildning om våld", "Ökad kunskap", "Centrum mot våld", "2025–2027", "Nej"]
    ]
    assert table_rows(listed, "indicators-heading") == [
        ["Andel utbildade", "%", "80,5", "Högre är bättre", "Centrum mot våld", "Utbildning om våld", "Ja"]
    ]


def test_a_form_with_errors_keeps_what_was_typed_and_names_each_problem(app, client, world):
    login(client)
    response = post_form(
        client,
        "/samordning/plan/indikator/ny",
        {"name": "Andel utbildade", "measure": "%", "target": "120", "direction": "higher", "unit": ""},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "En andel i procent ligger mellan 0 och 100." in text
    assert "Välj den enhet som ansvarar för indikatorn." in text
    assert 'value="Andel utbildade"' in response.get_data(as_text=True) and 'value="120"' in response.get_data(
        as_text=True
    )
    response = post_form(
        client, "/samordning/plan/aktivitet/ny", {"name": "Samverkan", "start_year": "2027", "end_year": "2025"}
    )
    assert "Slutåret kan inte ligga före startåret." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(PlanIndicator)) is None and db.session.scalar(select(PlanActivity)) is None


def test_editing_keeps_the_item_and_can_deactivate_it(app, client, world):
    activity_id, indicator_id = add_plan(app)
    login(client)
    form = client.get(f"/samordning/plan/indikator/{indicator_id}").get_data(as_text=True)
    assert 'value="Andel medarbetare som deltagit i utbildning"' in form
    post_form(
        client,
        f"/samordning/plan/indikator/{indicator_id}",
        {
            "name": "Andel medarbetare som deltagit i utbildning",
            "measure": "%",
            "target": "5",
            "direction": "lower",
            "unit": unit_id(app, "Äldreområdet"),
            "activity": "",
        },
    )
    with app.app_context():
        indicator = db.session.get(PlanIndicator, indicator_id)
        assert (indicator.target, indicator.direction, indicator.activity_id, indicator.is_active) == (
            5,
            "lower",
            None,
            False,
        )
        assert indicator.unit.name == "Äldreområdet"


def test_import_previews_then_writes_activities_and_indicators_and_a_second_import_changes_them(app, client, world):
    login(client)
    rows = [
        HEADER,
        ["aktivitet", "Utbildning om våld", "Ökad kunskap", "Centrum mot våld", 2025, 2027, "", "", "", ""],
        ["indikator", "Andel utbildade", "", "Centrum mot våld", "", "", "%", "80", "högre", "Utbildning om våld"],
        ["indikator", "Antal anmälningar", "", "Äldreområdet", "", "", "antal", "12,5", "lägre", ""],
    ]
    preview = page_text(upload(client, "plan.xlsx", xlsx(rows)))
    assert "Nya (3)" in preview and "Indikator: Andel utbildade (Centrum mot våld)" in preview
    with app.app_context():
        assert db.session.scalar(select(PlanActivity)) is None, "nothing is written before confirming"
    post_form(client, "/samordning/plan/import/bekrafta", {}, page="/samordning/plan")
    with app.app_context():
        activity = db.session.scalar(select(PlanActivity))
        assert (activity.name, activity.start_year, activity.end_year) == ("Utbildning om våld", 2025, 2027)
        indicators = {i.name: i for i in db.session.scalars(select(PlanIndicator))}
        assert indicators["Andel utbildade"].activity_id == activity.id
        assert (indicators["Antal anmälningar"].target, indicators["Antal anmälningar"].direction) == (12.5, "lower")
        assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "plan_imported")) == {
            "created": 3,
            "changed": 0,
            "unchanged": 0,
        }
    rows[2][7] = "85"
    preview = page_text(upload(client, "plan.csv", "\n".join(";".join(map(str, r)) for r in rows).encode()))
    assert "Nya (0)" in preview and "Ändras (1)" in preview and "Oförändrade (2)" in preview
    post_form(client, "/samordning/plan/import/bekrafta", {}, page="/samordning/plan")
    with app.app_context():
        assert db.session.scalar(select(PlanIndicator.target).where(PlanIndicator.name == "Andel utbildade")) == 85


def test_import_names_every_error_by_its_row_and_writes_nothing(app, client, world):
    login(client)
    rows = [
        HEADER,
        ["uppgift", "Något", "", "Centrum mot våld", "", "", "", "", "", ""],
        ["aktivitet", "", "", "Finns inte", "", "", "", "", "", ""],
        ["aktivitet", "Samverkan", "", "Centrum mot våld", "2027", "2025", "", "", "", ""],
        ["indikator", "Andel", "", "Centrum mot våld", "", "", "%", "120", "uppåt", "Saknad aktivitet"],
        ["indikator", "Antal", "", "Centrum mot våld", "", "", "", "många", "", ""],
        ["aktivitet", "Samverkan", "", "Centrum mot våld", "", "", "", "", "", ""],
    ]
    response = upload(client, "plan.xlsx", xlsx(rows))
    errors = [
        [cell.text_content() for cell in row.xpath("td")]
        for row in lxml.html.fromstring(response.get_data(as_text=True)).xpath("//table/tbody/tr")
    ]
    assert errors == [
        ["2", "Okänd typ ”uppgift”. Skriv aktivitet eller indikator."],
        ["3", "Den ansvariga enheten ”Finns inte” finns inte i registret."],
        ["3", "Namnet saknas."],
        ["4", "Slutåret kan inte ligga före startåret."],
        ["5", "Aktiviteten ”Saknad aktivitet” finns inte i filen eller planen."],
        ["5", "En andel i procent ligger mellan 0 och 100."],
        ["5", "Okänd riktning ”uppåt”. Skriv högre eller lägre."],
        ["6", "Målvärdet ”många” är inget tal."],
        ["6", "Måttenhet saknas. Skriv % för en andel eller till exempel antal."],
        ["7", "Samma namn och ansvariga enhet finns redan på rad 4."],
    ]
    assert "Importera</button>" not in response.get_data(as_text=True)
    response = post_form(client, "/samordning/plan/import/bekrafta", {}, page="/samordning/plan")
    assert response.status_code == 303 and response.headers["Location"].endswith("/samordning/plan/import")
    with app.app_context():
        assert db.session.scalar(select(PlanActivity)) is None


def test_import_refuses_unknown_columns_and_other_files_with_a_message(client, world):
    login(client)
    text = page_text(upload(client, "plan.xlsx", xlsx([["Typ", "Namn", "Färg"], ["aktivitet", "X", "röd"]])))
    assert "Okända kolumner: Färg." in text
    assert "Filen måste vara ett Excel-ark" in page_text(upload(client, "plan.txt", b"Typ;Namn"))
    assert "Kolumnerna Ansvarig saknas." in page_text(upload(client, "plan.csv", b"Typ;Namn\naktivitet;X\n"))


def test_the_template_downloads_and_imports_as_it_is(app, client, world):
    login(client)
    response = client.get("/samordning/plan/mall.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    with app.app_context():
        db.session.add(Unit(name="Socialtjänsten 2", kind="verksamhet"))
        db.session.commit()
    # The template's example names Socialtjänsten, which the world has.
    assert "Nya (2)" in page_text(upload(client, "mall.xlsx", response.data))


def test_cli_imports_the_plan_with_a_dry_run_first(app, runner, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "Typ;Namn;Ansvarig;Måttenhet;Målvärde\nindikator;Andel utbildade;Centrum mot våld;%;80\n", encoding="utf-8"
    )
    result = runner.invoke(args=["plan", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "create\tindikator\tAndel utbildade\tCentrum mot våld" in result.output
    with app.app_context():
        assert db.session.scalar(select(PlanIndicator)) is None
    result = runner.invoke(args=["plan", "import", str(path)])
    assert result.exit_code == 0 and "Imported." in result.output
    path.write_text("Typ;Namn;Ansvarig\nindikator;Andel;Centrum mot våld\n", encoding="utf-8")
    result = runner.invoke(args=["plan", "import", str(path)])
    assert result.exit_code != 0 and "row 2: Måttenhet saknas" in result.output


def test_a_scoped_coordinator_sees_and_gives_only_their_part_of_the_plan(app, client, world):
    add_plan(app, "Centrum mot våld")
    with app.app_context():
        bostaden = db.session.scalar(select(Unit).where(Unit.name == "AB Bostaden"))
        db.session.add(PlanActivity(name="Trygga trapphus", unit=bostaden))
        db.session.add(PlanIndicator(name="Antal larm", measure="antal", unit=bostaden))
        staff_account(SOCIAL, "coordinator", "social", scope=["Socialtjänsten"])
        db.session.commit()
        outside_activity = db.session.scalar(select(PlanActivity.id).where(PlanActivity.name == "Trygga trapphus"))
        outside_indicator = db.session.scalar(select(PlanIndicator.id).where(PlanIndicator.name == "Antal larm"))
    login(client, SOCIAL)
    listed = page_text(client.get("/samordning/plan"))
    assert "Utbildning om våld i nära relationer" in listed and "Trygga trapphus" not in listed
    assert "Antal larm" not in listed
    assert client.get(f"/samordning/plan/aktivitet/{outside_activity}").status_code == 404
    assert client.get(f"/samordning/plan/indikator/{outside_indicator}").status_code == 404
    form = client.get("/samordning/plan/aktivitet/ny").get_data(as_text=True)
    assert "Centrum mot våld" in form and "AB Bostaden" not in form
    response = post_form(client, "/samordning/plan/aktivitet/ny", {"name": "Smyg", "unit": unit_id(app, "AB Bostaden")})
    assert response.status_code == 200 and "Ansvarig enhet – Inte ett giltigt val" in page_text(response)
    rows = [HEADER, ["aktivitet", "Smyg", "", "AB Bostaden", "", "", "", "", "", ""]]
    assert "AB Bostaden ligger utanför din del av organisationen." in page_text(upload(client, "plan.xlsx", xlsx(rows)))
    with app.app_context():
        assert db.session.scalar(select(PlanActivity).where(PlanActivity.name == "Smyg")) is None


# The contact person's page


def report_url(world, n=0):
    return f"/svar/{world.assignment_ids[n]}/handlingsplan"


def test_the_responsible_unit_reports_status_and_values_which_survive_a_reload(app, client, world):
    activity_id, indicator_id = add_plan(app)
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        db.session.add(PlanIndicator(name="Antal deltagare i föräldraskapsutbildning", measure="antal", unit=unit))
        db.session.commit()
        count_id = db.session.scalar(select(PlanIndicator.id).where(PlanIndicator.measure == "antal"))
    open_form(client, world)
    start = page_text(client.get(f"/svar/{world.assignment_ids[0]}/"))
    assert "Verksamheten ansvarar för 1 aktivitet" not in start
    assert "Verksamheten ansvarar för 3 aktiviteter och indikatorer i handlingsplanen. 3 är inte rapporterade" in start
    page = page_text(client.get(report_url(world)))
    assert "Utbildning om våld i nära relationer Delmål Ökad kunskap" in page
    assert "Målvärde 80 % (högre är bättre)" in page
    response = post_form(
        client,
        report_url(world),
        {
            f"activity-{activity_id}-status": "pagar",
            f"activity-{activity_id}-comment": "Två av tre grupper klara.",
            f"indicator-{indicator_id}-value": "62,5 %",
            f"indicator-{indicator_id}-comment": "Enligt kursregistret.",
            f"indicator-{count_id}-value": "1 250",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        report = db.session.scalar(select(ActivityReport))
        assert (report.status, report.comment) == ("pagar", "Två av tre grupper klara.")
        values = {v.indicator_id: (v.value, v.comment) for v in db.session.scalars(select(IndicatorValue))}
        assert values == {indicator_id: (62.5, "Enligt kursregistret."), count_id: (1250, "")}
        assert db.session.get(Assignment, world.assignment_ids[0]).status == "in_progress"
    again = client.get(report_url(world)).get_data(as_text=True)
    assert re.search(r'value="pagar"[^>]*checked|checked[^>]*value="pagar"', again)
    assert 'value="62,5"' in again and "Två av tre grupper klara." in again and 'value="1\u00a0250"' in again


def test_a_percentage_outside_0_to_100_is_refused_and_what_was_typed_stays(app, client, world):
    activity_id, indicator_id = add_plan(app)
    open_form(client, world)
    response = post_form(
        client,
        report_url(world),
        {f"indicator-{indicator_id}-value": "140", f"activity-{activity_id}-comment": "Inte klart än."},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Talet får inte vara större än 100." in text and "Inte klart än." in text
    assert 'value="140"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(IndicatorValue)) is None and db.session.scalar(select(ActivityReport)) is None


def test_a_unit_without_items_has_no_plan_page_and_another_units_page_is_not_theirs(app, client, world):
    add_plan(app, "Äldreområdet")
    open_form(client, world, 0)
    assert client.get(report_url(world, 0)).status_code == 404
    assert "Handlingsplanen" not in page_text(client.get(f"/svar/{world.assignment_ids[0]}/"))
    assert client.get(report_url(world, 1)).status_code == 404, "the session holds the first unit's form only"


def test_an_activity_outside_its_years_or_inactive_is_not_asked_about(app, client, world):
    activity_id, indicator_id = add_plan(app)
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        db.session.add(PlanActivity(name="Avslutad", unit=unit, start_year=2000, end_year=2001))
        db.session.add(PlanActivity(name="Vilande", unit=unit, is_active=False))
        db.session.commit()
    open_form(client, world)
    page = page_text(client.get(report_url(world)))
    assert "Avslutad" not in page and "Vilande" not in page and "Utbildning om våld i nära relationer" in page


def test_review_and_receipt_show_the_report_and_it_is_read_only_after_submit(app, client, world):
    activity_id, indicator_id = add_plan(app)
    open_form(client, world)
    post_form(
        client,
        report_url(world),
        {f"activity-{activity_id}-status": "genomford", f"indicator-{indicator_id}-value": "85"},
    )
    review = page_text(client.get(f"/svar/{world.assignment_ids[0]}/granska"))
    assert "Handlingsplanen Utbildning om våld i nära relationer Genomförd" in review
    assert "Andel medarbetare som deltagit i utbildning 85 % (mål 80)" in review
    fill_and_submit(client, world)
    receipt = page_text(client.get(f"/svar/{world.assignment_ids[0]}/kvitto"))
    assert "Utbildning om våld i nära relationer Genomförd" in receipt and "85 % (mål 80)" in receipt
    locked = client.get(report_url(world)).get_data(as_text=True)
    assert 'type="radio"' not in locked and "Spara</button>" not in locked
    assert "Status Genomförd" in page_text(client.get(report_url(world)))
    response = post_form(client, report_url(world), {f"activity-{activity_id}-status": "installd"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ActivityReport.status)) == "genomford"


# The council workbook


def sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_the_workbook_shows_each_indicator_per_round_against_its_target_and_the_activities(app, client, world):
    from datetime import timedelta

    from survey.models import Round

    activity_id, share_id = add_plan(app)
    with app.app_context():
        centrum = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        bostaden = db.session.scalar(select(Unit).where(Unit.name == "AB Bostaden"))
        reports = PlanIndicator(
            name="Antal orosanmälningar", measure="antal", target=5, direction="lower", unit=centrum
        )
        larm = PlanIndicator(name="Antal larm", measure="antal", target=3, unit=bostaden)
        db.session.add_all([reports, larm])
        current = db.session.get(Round, world.round_id)
        earlier = Round(
            name="Kartläggning 2025",
            questionnaire_version=current.questionnaire_version,
            opens_on=current.opens_on - timedelta(days=365),
            closes_on=current.closes_on - timedelta(days=365),
            state="closed",
        )
        before = earlier.assign(centrum)
        before.status = "submitted"
        db.session.flush()
        db.session.add_all(
            [
                IndicatorValue(assignment_id=before.id, indicator_id=share_id, value=60, comment=""),
                IndicatorValue(assignment_id=before.id, indicator_id=reports.id, value=9, comment=""),
            ]
        )
        db.session.commit()
        reports_id, earlier_id = reports.id, earlier.id
    open_form(client, world)
    post_form(
        client,
        report_url(world),
        {
            f"activity-{activity_id}-status": "pagar",
            f"activity-{activity_id}-comment": "Hälften klar.",
            f"indicator-{share_id}-value": "85",
            f"indicator-{reports_id}-value": "7",
            f"indicator-{reports_id}-comment": "Fler än målet.",
        },
    )
    fill_and_submit(client, world)
    login(client)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx").data)
    )
    rows = sheet_rows(workbook, "Indikatorer")
    assert rows[0] == [
        "Indikator",
        "Måttenhet",
        "Ansvarig",
        "Målvärde",
        "Riktning",
        "Kartläggning 2025",
        "Kartläggning 2026",
        "Målet nått",
        "Kommentar",
    ]
    assert rows[1:] == [
        [
            "Andel medarbetare som deltagit i utbildning",
            "%",
            "Centrum mot våld",
            0.8,
            "Högre är bättre",
            0.6,
            0.85,
            "Ja",
            None,
        ],
        ["Antal larm", "antal", "AB Bostaden", 3, "Högre är bättre", None, None, None, None],
        ["Antal orosanmälningar", "antal", "Centrum mot våld", 5, "Lägre är bättre", 9, 7, "Nej", "Fler än målet."],
    ]
    assert workbook["Indikatorer"]["G2"].number_format == "0.0%"
    assert sheet_rows(workbook, "Aktiviteter")[1:] == [
        [
            "Individ- och familjenämnden",
            "Centrum mot våld",
            "Ökad kunskap",
            "Utbildning om våld i nära relationer",
            None,
            "Pågår",
            "Hälften klar.",
        ]
    ]
    with app.app_context():  # as a follow-up of last year's round, the activity is followed up there too
        db.session.get(Round, world.round_id).previous_round_id = earlier_id
        db.session.commit()
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx").data)
    )
    assert sheet_rows(workbook, "Uppföljning")[-1] == [
        "Individ- och familjenämnden",
        "Centrum mot våld",
        "Handlingsplanens aktivitet: Utbildning om våld i nära relationer",
        None,
        "Pågår",
        "Hälften klar.",
        "Kartläggning 2026",
    ]


def test_a_draft_value_counts_only_when_drafts_are_asked_for_and_a_scoped_reader_sees_their_part(app, client, world):
    activity_id, share_id = add_plan(app)
    with app.app_context():
        bostaden = db.session.scalar(select(Unit).where(Unit.name == "AB Bostaden"))
        db.session.add(PlanIndicator(name="Antal larm", measure="antal", target=3, unit=bostaden))
        staff_account(SOCIAL, "coordinator", "social", scope=["Socialtjänsten"])
        db.session.commit()
    open_form(client, world)
    post_form(client, report_url(world), {f"indicator-{share_id}-value": "70"})
    login(client, SOCIAL)
    url = f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx"
    rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(client.get(url).data)), "Indikatorer")
    assert [row[0] for row in rows[1:]] == ["Andel medarbetare som deltagit i utbildning"]
    assert rows[1][-3:] == [None, None, None], "a draft is not counted"
    rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(client.get(url + "?utkast=1").data)), "Indikatorer")
    assert rows[1][-3:] == [0.7, "Nej", None]
