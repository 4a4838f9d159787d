"""The trend pages on the demo's two rounds in a real browser, as a council member reaches them: the menu's
"Trender", a round's trends, a unit's; axe on each (issue 16, item 1)."""

from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import log_in, violations
from test_follow_up_walk import demo

from survey.extensions import db
from survey.models import Assignment, Round


def test_the_three_trend_pages_read_and_pass_axe(app, live_server, page, runner):
    demo(app, runner)
    with app.app_context():
        last_year = db.session.scalar(select(Round).where(Round.state == "closed"))
        this_year = db.session.scalar(select(Round).where(Round.state == "open"))
        unit = db.session.scalar(
            select(Assignment.id)
            .where(Assignment.round_id == last_year.id, Assignment.status == "submitted")
            .order_by(Assignment.id)
        )
    log_in(page, live_server, "coordinator@example.org")
    page.get_by_role("navigation", name="Samordning").get_by_role("link", name="Trender").click()
    expect(page.get_by_role("heading", name="Trender i kommunen")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert violations(page) == []

    page.get_by_role("link", name=f"Trender för {this_year.name}").click()
    expect(page.get_by_role("heading", name=f"Trender: {this_year.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Utvecklingsområden som följts upp")).to_be_visible()
    assert violations(page) == []

    page.goto(f"{live_server}/samordning/svar/{unit}")
    page.get_by_role("link", name="Trender: verksamhetens svar över tid").click()
    expect(page.get_by_role("heading", name="Svaren, omgång för omgång")).to_be_visible()
    assert violations(page) == []
