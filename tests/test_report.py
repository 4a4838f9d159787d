"""The yearly report (issue 16, item 3): the page, its PDF and the command give the figures the known answers of
two rounds give (test_trends' TwoRounds): the response per nämnd, the entries per violence area, what became of last
year's development areas, the action plan against its targets, and the coordinator's text; a scoped coordinator's
report holds their units only, and a round outside their scope is a 404."""

import io
from datetime import date

import lxml.html
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import PASSWORD, csrf_from, login, post_form
from survey.extensions import db
from survey.models import ActivityReport, PlanActivity, Round, Unit
from survey.report.figures import round_report
from survey.report.pdf import BASE_URL, StaticFilesOnly
from test_trends import SOCIAL, TwoRounds


@pytest.fixture
def rounds(app):
    found = TwoRounds(app)
    with app.app_context():
        centre = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        activity = PlanActivity(name="Utbildning i att fråga om våld", unit=centre, start_year=2026, end_year=2026)
        db.session.add(activity)
        db.session.add(ActivityReport(assignment_id=found.centre_now, activity=activity, status="pagar"))
        db.session.commit()
    return found


def words(text: str) -> str:
    return " ".join(text.split())


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return words(lxml.html.fromstring(response.get_data(as_text=True)).get_element_by_id("main").text_content())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return words(" ".join(page.extract_text() for page in reader.pages))


def rows_of(client, url: str, heading_id: str) -> list[list[str]]:
    page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    section = page.get_element_by_id(heading_id).getparent()
    return [[words(cell.text_content()) for cell in tr.xpath("./th|./td")] for tr in section.xpath(".//table//tr")]


def test_the_figures_are_those_of_the_known_answers(app, rounds):
    with app.app_context():
        report = round_report(db.session.get(Round, rounds.second_id), None)
        assert [(r.name, r.invited, r.submitted, r.share) for r in report.response] == [
            ("Kulturnämnden", 1, 1, 1.0),
            ("Socialnämnden", 1, 1, 1.0),
        ]
        by_area = {c.name: (c.total, c.acted_on) for c in report.followed_by_area}
        assert by_area["Hedersrelaterat våld och förtryck"] == (2, 1)
        assert {c.name: (c.total, c.acted_on) for c in report.followed_by_namnd} == {
            "Kulturnämnden": (1, 1),
            "Socialnämnden": (2, 1),
        }
        assert [(activity.name, reported.status) for _row, activity, reported in report.activities] == [
            ("Utbildning i att fråga om våld", "pagar")
        ]


def test_the_page_shows_response_areas_follow_up_plan_and_the_text(app, client, rounds):
    login(client)
    url = f"/samordning/omgang/{rounds.second_id}/rapport"
    response = post_form(client, url, {"text": "Vi har **nått** målet för utbildning."})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Vi har <strong>nått</strong> målet för utbildning." in page

    assert ["Socialnämnden", "1", "1", "0", "0", "0", "100 %"] in rows_of(client, url, "report-response")
    assert ["Totalt", "2", "2", "0", "0", "0", "100 %"] in rows_of(client, url, "report-response")
    areas = rows_of(client, url, "report-areas")
    assert ["Hedersrelaterat våld och förtryck", "2", "1"] in areas  # development areas, 2025 and 2026
    follow_up = rows_of(client, url, "report-follow-up")
    # Åtgärdat, Pågår, Ej påbörjat, Inte längre aktuellt, no status, total, acted on
    assert ["Hedersrelaterat våld och förtryck", "1", "0", "1", "0", "0", "2", "1"] in follow_up
    assert ["Socialnämnden", "1", "0", "1", "0", "0", "2", "1"] in follow_up
    assert ["Kulturnämnden", "0", "1", "0", "0", "0", "1", "1"] in follow_up
    plan = rows_of(client, url, "report-plan")
    assert ["Andel utbildade i socialtjänsten (%)", "Centrum mot våld", "80 %, högre är bättre", "85 %", "Ja"] in plan
    assert ["Utbildning i att fråga om våld", "Centrum mot våld", "2026", "Pågår", ""] in plan
    assert f'href="/samordning/omgang/{rounds.second_id}/rapport.pdf"' in page
    assert f'href="/samordning/omgang/{rounds.second_id}/rapport"' in client.get(
        f"/samordning/omgang/{rounds.second_id}"
    ).get_data(as_text=True)


def test_an_expired_token_keeps_the_text(app, client, rounds):
    login(client)
    url = f"/samordning/omgang/{rounds.second_id}/rapport"
    response = client.post(url, data={"csrf_token": "stale", "text": "Allt jag skrev"})
    assert response.status_code == 400
    assert "Allt jag skrev" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Round, rounds.second_id).report_text == ""


def test_the_pdf_is_a4_and_holds_the_figures_and_the_charts(app, client, rounds):
    login(client)
    post_form(client, f"/samordning/omgang/{rounds.second_id}/rapport", {"text": "Samverkansrådets bedömning."})
    response = client.get(f"/samordning/omgang/{rounds.second_id}/rapport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 5  # the text, then each main section on a page of its own
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = pdf_text(response.data)
    assert "Samverkansrådets bedömning." in text
    assert "Socialnämnden 1 1 0 0 0 100 %" in text
    assert "Totalt 2 2 0 0 0 100 %" in text
    assert "Andel utbildade i socialtjänsten (%) Centrum mot våld 80 %, högre är bättre 85 % Ja" in text
    assert "Utbildning i att fråga om våld" in text and "Pågår" in text
    assert f"2 / {len(reader.pages)}" in text  # page numbers
    assert text.count("Rapport: Kartläggning 2026") >= len(reader.pages)  # the running header
    # The charts are drawn: their bars' labels are text in the PDF.
    assert "Kartläggning 2026 100 %" in text


def test_the_command_writes_the_same_pdf(app, client, runner, rounds, tmp_path):
    login(client)
    from_the_page = pdf_text(client.get(f"/samordning/omgang/{rounds.second_id}/rapport.pdf").data)
    path = tmp_path / "rapport.pdf"
    result = runner.invoke(args=["report", "--round", "Kartläggning 2026", "-o", str(path)])
    assert result.exit_code == 0, result.output
    text = pdf_text(path.read_bytes())
    assert "Socialnämnden 1 1 0 0 0 100 %" in text and "Kulturnämnden 1 1 0 0 0 100 %" in text
    assert "85 % Ja" in text
    assert text == from_the_page


def test_the_command_names_the_rounds_for_a_bad_round(app, runner, rounds, tmp_path):
    result = runner.invoke(args=["report", "--round", "9999", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "No round '9999'" in result.output and "Kartläggning 2026" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.pdf").exists()


def test_a_scoped_coordinator_sees_their_units_only(app, client, rounds):
    with app.app_context():
        culture = db.session.scalar(select(Unit).where(Unit.name == "Kulturnämnden"))
        library = db.session.scalar(select(Unit).where(Unit.name == "Biblioteket"))
        elsewhere = Round(
            name="Kulturens egen",
            questionnaire_version=db.session.get(Round, rounds.second_id).questionnaire_version,
            opens_on=date(2026, 5, 1),
            closes_on=date(2026, 6, 1),
            scope_unit=culture,
        )
        elsewhere.assign(library)
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id
    login(client, SOCIAL, PASSWORD)
    url = f"/samordning/omgang/{rounds.second_id}/rapport"
    text = page_text(client, url)
    assert "Socialnämnden" in text and "Kulturnämnden" not in text and "Biblioteket" not in text
    assert 'name="text"' not in client.get(url).get_data(as_text=True)  # the round is wider than their scope
    assert client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))}).status_code == 403
    pdf = pdf_text(client.get(url + ".pdf").data)
    assert "Socialnämnden 1 1 0 0 0 100 %" in pdf and "Kulturnämnden" not in pdf
    for path in (f"/samordning/omgang/{elsewhere_id}/rapport", f"/samordning/omgang/{elsewhere_id}/rapport.pdf"):
        assert client.get(path).status_code == 404


def test_the_pdf_fetches_nothing_but_the_apps_static_files(app):
    fetch = StaticFilesOnly(app.static_folder)
    assert b"@page" in fetch(BASE_URL + "static/report.css").read()
    for url in (
        "https://example.org/x.css",
        "file:///etc/passwd",
        BASE_URL + "static/../__init__.py",
        BASE_URL + "samordning/",
    ):
        with pytest.raises(ValueError):
            fetch(url)
