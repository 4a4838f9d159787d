"""axe-core's WCAG 2.1 A/AA rules on every page of both roles, error states included: zero violations.
And a keyboard-only walk through the contact person's whole flow."""

import io

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from helpers import PASSWORD, add_account, login
from survey.extensions import db

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
axe = Axe()


def violations(page) -> list[str]:
    page.wait_for_load_state("load")
    result = axe.run(page, options=WCAG)
    return [f"{v['id']}: {v['help']} @ {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def scan(page, scanned: list, name: str) -> None:
    found = violations(page)
    scanned.append((name, len(found)))
    assert not found, f"{name}: {found}"


@pytest.fixture
def admin(app):
    add_account(app, "admin@example.org", "admin", "Admin")


def unit_id(app, world) -> int:
    from survey.models import Assignment

    with app.app_context():
        return db.session.get(Assignment, world.assignment_ids[0]).unit_id


def log_in(page, base, email="samordnare@example.org"):
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_contact_person_pages_have_no_axe_violations(live_server, page, world):
    scanned = []
    base = live_server
    page.goto(base + "/")
    scan(page, scanned, "front page")
    page.goto(base + "/tillganglighet")
    scan(page, scanned, "accessibility statement")
    page.goto(base + "/svar/lank/okand")
    scan(page, scanned, "unknown link")
    page.goto(base + world.link())
    scan(page, scanned, "start page")
    page.get_by_role("link", name="Alla frågor på en sida, att skriva ut").click()
    scan(page, scanned, "questions to print")
    page.go_back()
    page.get_by_role("link", name="Börja fylla i").click()
    scan(page, scanned, "section")
    page.get_by_label("Antal anställda").fill("många")
    page.get_by_label("Verksamhetens uppdrag").fill("x" * 60)
    page.get_by_role("button", name="Spara och gå vidare").click()
    expect(page.get_by_text("Det finns fel att rätta")).to_be_visible()
    scan(page, scanned, "section with errors")
    page.get_by_label("Antal anställda").fill("12")
    page.get_by_label("Verksamhetens uppdrag").fill("Kort")
    page.get_by_role("button", name="Goda exempel").click()
    page.get_by_role("button", name="+ Lägg till gott exempel").click()
    scan(page, scanned, "section with a group entry")
    page.get_by_role("button", name="Ta bort gott exempel 1").click()
    scan(page, scanned, "remove confirmation")
    page.get_by_role("link", name="Nej, behåll").click()
    page.get_by_role("button", name="Spara och granska svaren").click()
    scan(page, scanned, "review with missing answers")
    page.goto(base + world.section_url("grund"))
    page.get_by_label("Vem fyller i?").fill("Anna")
    page.get_by_label("Antal anställda").fill("")
    page.get_by_label("Verksamhetens uppdrag").fill("Kort")
    page.get_by_label("Hedersrelaterat våld och förtryck").first.check()
    page.get_by_role("button", name="Spara och gå vidare").click()
    page.locator("#post-goda_exempel-1").get_by_label("Rubrik").fill("Exempel")
    page.get_by_role("button", name="Spara och granska svaren").click()
    scan(page, scanned, "review")
    page.get_by_role("button", name="Skicka in svaren").click()
    scan(page, scanned, "receipt")
    print("\nscanned:", scanned)


def filled_template(app, world, name: str, tmp_path) -> str:
    """The first unit's offline template with the name question answered, as a file to upload."""
    client = app.test_client()
    login(client)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/samordning/svar/{world.assignment_ids[0]}/mall.xlsx").data)
    )
    workbook["Grunduppgifter"]["C2"] = name
    path = tmp_path / "ifylld.xlsx"
    workbook.save(path)
    return str(path)


def test_coordinator_pages_have_no_axe_violations(app, live_server, page, world, admin, tmp_path):
    scanned = []
    base = live_server
    page.goto(base + "/logga-in")
    page.get_by_role("button", name="Logga in").click()
    scan(page, scanned, "login with errors")
    log_in(page, base, "admin@example.org")
    for name, path in [
        ("rounds", "/samordning/"),
        ("round dashboard", f"/samordning/omgang/{world.round_id}"),
        ("round's questions", f"/samordning/omgang/{world.round_id}/fragor"),
        ("one unit's answers", f"/samordning/svar/{world.assignment_ids[0]}"),
        ("new round", "/samordning/omgang/ny"),
        ("edit round", f"/samordning/omgang/{world.round_id}/redigera"),
        ("mail templates", "/samordning/epost"),
        ("edit mail template", "/samordning/epost/invitation"),
        ("outbox", "/samordning/utkorg"),
        ("accounts", "/samordning/konton"),
        ("new account", "/samordning/konton/nytt"),
        ("audit log", "/samordning/logg"),
        ("second factor", "/konto/tvastegs"),
        ("forgot password", "/konto/glomt-losenord"),
        ("register", "/samordning/register/"),
        ("register: new unit", "/samordning/register/ny"),
        ("register: unit", f"/samordning/register/{unit_id(app, world)}"),
        ("register: import", "/samordning/register/import"),
        # The trends pages, their charts in scroll boxes of their own (issue 18).
        ("round's trends", f"/samordning/omgang/{world.round_id}/trender"),
        ("unit's trends", f"/samordning/svar/{world.assignment_ids[0]}/trender"),
        ("trends", "/samordning/trender"),
        # Last: the clicks below start on it.
        ("import answers", f"/samordning/svar/{world.assignment_ids[0]}/importera"),
    ]:
        page.goto(base + path)
        scan(page, scanned, name)
    page.get_by_role("button", name="Visa vad som ändras").click()
    scan(page, scanned, "import answers with errors")
    for name, answer in (("import preview with cell errors", "x" * 201), ("import preview with changes", "Anna")):
        page.goto(base + f"/samordning/svar/{world.assignment_ids[0]}/importera")
        page.get_by_label("Ifylld svarsmall (.xlsx)").set_input_files(filled_template(app, world, answer, tmp_path))
        page.get_by_role("button", name="Visa vad som ändras").click()
        scan(page, scanned, name)
    page.goto(base + f"/samordning/omgang/{world.round_id}")
    page.get_by_role("button", name="Publicera sammanställningen").click()
    page.goto(base + f"/sammanstallning/{world.round_id}")
    scan(page, scanned, "published summary (public)")
    page.goto(base + "/samordning/omgang/ny")
    page.get_by_role("button", name="Skapa omgången").click()
    scan(page, scanned, "new round with errors")
    print("\nscanned:", scanned)


def test_axe_does_find_violations(page):
    """The scanner is live: a page with known faults does fail."""
    page.set_content('<html><head><title>x</title></head><body><img src="x.png"><input type="text"></body></html>')
    found = violations(page)
    assert any(v.startswith("image-alt") for v in found)
    assert any(v.startswith("html-has-lang") for v in found)
    assert any(v.startswith("label") for v in found)


def test_keyboard_only_walk_through_the_contact_flow(live_server, page, world):
    page.goto(live_server + world.link())
    page.keyboard.press("Tab")  # skip link
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    focus_and_press(page, "Börja fylla i", "Enter")
    focus_field(page, "Vem fyller i?")
    page.keyboard.type("Tangentbordsanvändare")
    focus_field(page, "Viktigaste våldsområdet")  # the radio group: arrows choose
    page.keyboard.press("ArrowDown")
    focus_and_press(page, "Spara och gå vidare", "Enter")
    focus_and_press(page, "+ Lägg till gott exempel", "Enter")
    focus_field(page, "Rubrik")
    page.keyboard.type("Exempel via tangentbord")
    focus_and_press(page, "Spara och granska svaren", "Enter")
    expect(page.get_by_role("heading", name="Kontrollera dina svar")).to_be_visible()
    focus_and_press(page, "Skicka in svaren", "Enter")
    expect(page.get_by_role("heading", name="Tack! Svaren är inskickade")).to_be_visible()
    expect(page.get_by_text("Exempel via tangentbord")).to_be_visible()


def focused_name(page) -> str:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el) return '';
        const group = el.closest('fieldset');
        if (el.type === 'radio' && group) return group.querySelector('legend').innerText.trim();
        if (el.labels && el.labels.length) return el.labels[0].innerText.trim();
        return (el.innerText || el.value || '').trim();
    }""")


def tab_to(page, name: str, limit: int = 200) -> None:
    """Press Tab until the focused element is called `name` (as a keyboard user would)."""
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page).startswith(name):
            return
    raise AssertionError(f"never reached {name!r} with Tab")


def focus_field(page, name: str) -> None:
    tab_to(page, name)


def focus_and_press(page, name: str, key: str) -> None:
    """Tab to a link or button and press it; every one pressed here loads a new page."""
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press(key)
