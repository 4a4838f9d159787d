"""Details a coordinator sees in a real browser (issue 20): legends read as headings, a long mail fits a phone."""

from test_accessibility import log_in
from test_narrow_screens import OVERFLOWING

from survey.extensions import db
from survey.models import OutboxMessage

LEGEND_WEIGHTS = "() => [...document.querySelectorAll('fieldset > legend')].map(l => [l.innerText.trim(), getComputedStyle(l).fontWeight])"


def test_every_legend_of_the_new_unit_form_is_bold(live_server, page, world):
    log_in(page, live_server)
    page.goto(f"{live_server}/samordning/register/ny")
    weights = dict(page.evaluate(LEGEND_WEIGHTS))
    assert any(label.startswith("Typ") for label in weights), weights
    assert all(int(weight) >= 600 for weight in weights.values()), weights


def test_a_message_with_a_long_link_fits_a_phone(app, browser, live_server, world):
    with app.app_context():
        message = OutboxMessage(
            kind="invitation",
            to_address="kontakt@example.org",
            subject="Inbjudan",
            body="Hej!\n\nLäs mer på https://example.org/" + "x" * 200 + "\n\nHälsningar",
            assignment_id=world.assignment_ids[0],
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    context = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_server)
        page.goto(f"{live_server}/samordning/utkorg/{message_id}")
        assert "Centrum mot våld" in page.inner_text("main")
        assert page.evaluate(OVERFLOWING) == []
        # The long line wraps inside its box rather than running out of it (which OVERFLOWING cannot see).
        assert page.evaluate("() => { const p = document.querySelector('pre'); return p.scrollWidth <= p.clientWidth }")
    finally:
        context.close()
