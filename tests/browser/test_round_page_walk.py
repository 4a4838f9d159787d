"""A coordinator walks a round's page and a unit's page at desktop and phone widths (issue 20): after inviting
everyone, the page says when the invitations went out, a reminder asks first, and nothing scrolls sideways."""

import pytest
from test_accessibility import log_in
from test_narrow_screens import OVERFLOWING

from helpers import fill_and_submit


@pytest.mark.parametrize("width", [1280, 375])
def test_a_coordinator_invites_is_asked_before_reminding_and_sees_a_submitted_unit(
    app, browser, live_server, world, width
):
    fill_and_submit(app.test_client(), world, 2)
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server)
        page.goto(f"{live_server}/samordning/omgang/{world.round_id}")
        assert page.get_by_role("button", name="Påminn alla som inte skickat in").count() == 0
        assert page.evaluate(OVERFLOWING) == []
        page.get_by_role("button", name="Bjud in alla som inte bjudits in").click()
        main = page.inner_text("main")
        said = main[main.find("Inbjudningarna skickades") :].split("(")[0]
        assert said.startswith("Inbjudningarna skickades för ") and said.strip().endswith("sedan"), said
        assert page.evaluate(OVERFLOWING) == []
        page.get_by_role("button", name="Påminn alla som inte skickat in").click()
        assert page.get_by_role("heading", name="Påminna igen?").is_visible()
        assert "bjöds in" in page.inner_text("main")
        assert page.evaluate(OVERFLOWING) == []
        page.get_by_role("link", name="Avbryt").click()
        page.locator("#unit-actions").get_by_role("link", name="AB Bostaden").click()
        main = page.inner_text("main")
        assert "Svaren är inskickade. Öppna dem igen innan du läser in en fil." in main
        assert page.get_by_role("link", name="Läs in en ifylld svarsmall").count() == 0
        assert page.get_by_role("button", name="Öppna igen med kommentar").is_visible()
        assert page.evaluate(OVERFLOWING) == []
    finally:
        context.close()
