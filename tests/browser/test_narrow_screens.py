"""No page scrolls sideways on a phone or at 400 % zoom (320 CSS pixels wide): a wide table scrolls inside its
own box, and every other thing wraps (WCAG 1.4.10 Reflow). The demo's data, both roles."""

import pytest
from sqlalchemy import select
from test_accessibility import log_in

from helpers import staff_account
from survey.extensions import db
from survey.models import Assignment, OutboxMessage, Round, Unit

# Elements sticking out to the right of the viewport, other than inside a table's own scroll box.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll"))
    .filter(e => getComputedStyle(e).position !== "absolute")
    // The innermost ones: the thing that is too wide, not every box around it.
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + ": " + (e.textContent || "").trim().slice(0, 40));
}"""


@pytest.fixture
def narrow(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def demo(app, runner) -> dict[str, str]:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for email, role in (("samordnare-test@example.org", "coordinator"), ("admin-test@example.org", "admin")):
            staff_account(email, role, "Test")
        # A long address, as real ones are, in the outbox and on the unit's page.
        unit = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        unit.contacts[0].email = "forvaltningens.samordnare.for.vald.i.nara.relationer@kommunen.example.org"
        db.session.add(
            OutboxMessage(
                to_address=unit.contacts[0].email,
                to_name="Kontakt",
                subject="Inbjudan till kartläggningen av arbetet mot våld",
                body="…",
                kind="invitation",
            )
        )
        db.session.commit()
    return dict(line.split("\t") for line in result.output.splitlines() if "\t" in line)


def assert_reflows(page, url: str, seen: dict) -> None:
    page.goto(url)
    seen[url.split("://", 1)[1].split("/", 1)[1]] = page.evaluate(OVERFLOWING)


def test_coordinator_pages_reflow_at_320_pixels(app, runner, live_server, narrow):
    demo(app, runner)
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.state == "open"))
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.round_id == round_id))
        unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "Centrum mot våld"))
    log_in(narrow, live_server, "admin-test@example.org")
    seen: dict = {}
    for path in (
        "/samordning/",
        f"/samordning/omgang/{round_id}",
        f"/samordning/omgang/{round_id}/redigera",
        f"/samordning/svar/{assignment_id}",
        "/samordning/register/",
        f"/samordning/register/{unit_id}",
        "/samordning/register/import",
        "/samordning/utkorg",
        "/samordning/epost",
        "/samordning/konton",
        "/samordning/logg",
        "/samordning/gallring",
        # Found by the newcomer walk-through (issue 20): the action plan's tables, and pages not listed before.
        "/samordning/plan",
        "/samordning/omgang/ny",
        f"/samordning/omgang/{round_id}/goda-exempel",
        f"/samordning/omgang/{round_id}/rapport",
        f"/samordning/svar/{assignment_id}/importera",
        "/samordning/epost/invitation",
        # The trends pages' charts (issue 18): each scrolls inside its own box.
        f"/samordning/omgang/{round_id}/trender",
        f"/samordning/svar/{assignment_id}/trender",
        "/samordning/trender",
    ):
        assert_reflows(narrow, live_server + path, seen)
    overflowing = {page: found for page, found in seen.items() if found}
    assert overflowing == {}, "\n".join(f"{page}: {found[:8]}" for page, found in overflowing.items())


def test_contact_person_pages_reflow_at_320_pixels(app, runner, live_server, narrow):
    links = demo(app, runner)
    narrow.goto(links["Centrum mot våld"].replace("http://127.0.0.1:5000", live_server))
    seen: dict = {"start": narrow.evaluate(OVERFLOWING)}
    start = narrow.url
    sections = narrow.locator("a[href*='/avsnitt/']").evaluate_all("links => links.map(a => a.href)")
    assert sections
    for url in dict.fromkeys(sections):
        assert_reflows(narrow, url, seen)
    assert_reflows(narrow, start.rsplit("/", 1)[0] + "/granska", seen)
    overflowing = {page: found for page, found in seen.items() if found}
    assert overflowing == {}, "\n".join(f"{page}: {found[:8]}" for page, found in overflowing.items())


# The lines a cell's text takes, as laid out.
LINES_OF = """cell => {
  const tops = new Set();
  for (const node of cell.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
  }
  return tops.size;
}"""


# The lines one word of a cell takes.
WORD_LINES = """(cell, word) => {
  for (const node of cell.childNodes) {
    const at = node.nodeType === Node.TEXT_NODE ? node.textContent.indexOf(word) : -1;
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  }
  return 0;
}"""


def test_numbers_and_addresses_stay_whole_on_a_desktop(app, runner, live_server, page, browser):
    demo(app, runner)
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.state == "open"))
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "admin-test@example.org")
    page.goto(f"{live_server}/samordning/omgang/{round_id}")
    shares = page.locator(".rollups td", has_text="%")
    assert shares.count() > 5
    assert {shares.nth(n).evaluate(LINES_OF) for n in range(shares.count())} == {1}, "'100 %' on one line"
    drafts = page.get_by_label("Ta med utkast (påbörjade svar)").bounding_box()
    label = page.get_by_text("Ta med utkast (påbörjade svar)").bounding_box()
    assert abs(drafts["y"] + drafts["height"] / 2 - (label["y"] + label["height"] / 2)) < 6, "beside its label"
    assert 0 < label["x"] - (drafts["x"] + drafts["width"]) < 20
    page.goto(f"{live_server}/samordning/utkorg")
    address = page.locator("td", has_text="forvaltningens.samordnare").first
    assert (
        address.evaluate(WORD_LINES, "forvaltningens.samordnare.for.vald.i.nara.relationer@kommunen.example.org") == 1
    )
