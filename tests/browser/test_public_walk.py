"""The public page as a web editor and a resident meet it, and the coordinator's approval preview, on the demo's
published round: filters without JavaScript, the embeddable fragment, axe on each (issue 16, item 2)."""

import re

from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import log_in, violations
from test_follow_up_walk import demo

from survey.extensions import db
from survey.models import Round

PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?:\+46|0)\s*\d{1,3}[\s-]*\d{2,3}[\s-]*\d{2}[\s-]*\d{2}")


def test_the_public_page_its_fragment_and_the_preview_pass_axe(app, live_server, page, page_without_js, runner):
    demo(app, runner)
    with app.app_context():
        published = db.session.scalar(select(Round).where(Round.published_dt.is_not(None)))
        round_id, name = published.id, published.name

    page_without_js.goto(f"{live_server}/sammanstallning/{round_id}")
    expect(page_without_js.get_by_role("heading", name=f"Sammanställning: {name}")).to_be_visible()
    shown = page_without_js.locator("article.panel").count()
    assert shown == 4
    assert not PERSONAL.search(page_without_js.content()), "no address or phone number on a public page"
    page_without_js.get_by_label("Sök", exact=True).fill("zzz-inget-exempel-heter-så")
    page_without_js.get_by_role("button", name="Visa exempel").click()
    assert page_without_js.locator("article.panel").count() == 0, "the search works without JavaScript"

    page.goto(f"{live_server}/sammanstallning/{round_id}")
    assert violations(page) == []
    page.goto(f"{live_server}/sammanstallning/{round_id}/inbaddning")
    expect(page.get_by_role("heading", name=f"Sammanställning: {name}")).to_be_visible()
    assert page.locator(".site-header").count() == 0, "the fragment comes without the site's own header"
    assert violations(page) == []

    log_in(page, live_server, "coordinator@example.org")
    page.goto(f"{live_server}/samordning/omgang/{round_id}/goda-exempel")
    expect(page.get_by_role("heading", name="Goda exempel att publicera")).to_be_visible()
    assert violations(page) == []
