"""The yearly report on the demo's rounds in a real browser, as the coordinator reaches it from the round page:
the text written and saved, the PDF downloaded; axe on the page (issue 16, item 3)."""

from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import log_in, violations
from test_follow_up_walk import demo

from survey.extensions import db
from survey.models import Round


def test_the_report_page_reads_saves_the_text_and_passes_axe(app, live_server, page, runner):
    demo(app, runner)
    with app.app_context():
        this_year = db.session.scalar(select(Round).where(Round.state == "open"))
    log_in(page, live_server, "coordinator@example.org")
    page.goto(f"{live_server}/samordning/omgang/{this_year.id}")
    page.get_by_role("link", name="Rapport till kommunstyrelsen och fullmäktige (sida och PDF)").click()
    expect(page.get_by_role("heading", name=f"Rapport: {this_year.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Svarsfrekvens per nämnd")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert violations(page) == []

    page.get_by_label("Samordnarens text").fill("Arbetet har **kommit långt**.")
    page.get_by_role("button", name="Spara texten").click()
    expect(page.get_by_text("Texten är sparad.")).to_be_visible()
    expect(page.locator(".report-text strong")).to_have_text("kommit långt")
    assert violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner rapporten som PDF").click()
    assert download.value.suggested_filename == f"Rapport {this_year.name}.pdf"
