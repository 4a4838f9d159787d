"""The demo's follow-up round in a real browser: a contact person starts from last year's answers and follows up
last year's development areas; the coordinator reads the counts and makes next year's round. axe on every new page."""

import re

from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import log_in, violations

from helpers import add_account
from survey.extensions import db
from survey.models import Assignment, Round


def demo(app, runner) -> dict[str, str]:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    links = dict(line.split("\t") for line in result.output.splitlines() if "\t" in line)
    add_account(app, "coordinator@example.org", "coordinator", "Samordnare")
    return links


def untouched_unit_with_last_years_answers(app) -> str:
    with app.app_context():
        this_year = db.session.scalar(select(Round).where(Round.state == "open"))
        for assignment in sorted(this_year.assignments, key=lambda a: a.unit.name):
            earlier = db.session.scalar(
                select(Assignment).where(
                    Assignment.round_id == this_year.previous_round_id, Assignment.unit_id == assignment.unit_id
                )
            )
            if assignment.status == "not_started" and earlier is not None and earlier.is_submitted:
                return assignment.unit.name
    raise AssertionError("the demo has no such unit")


def test_a_contact_person_starts_from_last_year_and_follows_up(app, live_server, page, runner):
    links = demo(app, runner)
    unit = untouched_unit_with_last_years_answers(app)
    page.goto(links[unit].replace("http://127.0.0.1:5000", live_server))
    expect(page.get_by_role("heading", name="Hur vill ni börja?")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Börja med förra omgångens svar").click()

    expect(page.get_by_text(re.compile(r"\d+ svar från förra omgången är ifyllda"))).to_be_visible()
    expect(page.get_by_text("Från förra omgången. Ändra om det inte stämmer längre.").first).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Spara och gå vidare").click()
    page.goto(links[unit].replace("http://127.0.0.1:5000", live_server))

    page.get_by_role("link", name="Följ upp utvecklingsområdena").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Förra omgångens utvecklingsområden")
    assert violations(page) == []
    groups = page.get_by_role("group", name=re.compile("Vad har hänt med utvecklingsområdet?"))
    for n in range(groups.count()):
        groups.nth(n).get_by_label("Pågår").check()
    page.get_by_label("Kommentar").first.fill("Vi har börjat.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Uppföljningen är sparad.")).to_be_visible()
    expect(page.get_by_label("Kommentar").first).to_have_value("Vi har börjat.")
    expect(groups.first.get_by_label("Pågår")).to_be_checked()
    page.get_by_role("link", name="Till startsidan").click()
    expect(page.get_by_text("Alla har fått status.")).to_be_visible()
    page.goto(page.url + "granska")
    assert violations(page) == []


def test_the_coordinator_reads_the_follow_up_and_makes_next_years_round(app, live_server, page, runner):
    demo(app, runner)
    log_in(page, live_server, "coordinator@example.org")
    page.get_by_role("link", name="Kartläggning av arbetet mot våld 2026").click()
    heading = page.get_by_role("heading", name="Uppföljning av förra omgångens utvecklingsområden")
    expect(heading).to_be_visible()
    expect(page.locator("table", has=page.locator("caption", has_text="Per våldsområde"))).to_contain_text(
        "Våld i nära relationer"
    )
    assert violations(page) == []
    page.get_by_role("link", name="Kartläggning av arbetet mot våld 2025").first.click()
    page.get_by_role("link", name="Skapa uppföljningsomgång").click()
    expect(page.get_by_label("Namn på omgången")).to_have_value("Kartläggning av arbetet mot våld 2025 – uppföljning")
    expect(page.get_by_text("Ny fråga:").first).to_be_visible()
    assert violations(page) == []
