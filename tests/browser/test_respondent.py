"""A contact person fills in the form in a real browser, with and without JavaScript."""

import re

from playwright.sync_api import expect

from helpers import ROOT
from survey.extensions import db
from survey.models import Round
from survey.questions.definition import load_file

REAL_QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"


def by_label(label: str):
    """A field's accessible name: its label, with "(obligatorisk)" after it when required."""
    return re.compile(rf"^{re.escape(label)}( \(obligatorisk\))?$")


def add_two_good_examples(page, first: str, second: str) -> None:
    page.get_by_role("button", name="+ Lägg till gott exempel").click()
    page.locator("#post-goda_exempel-1").get_by_label("Rubrik").fill(first)
    page.get_by_role("button", name="+ Lägg till gott exempel").click()
    page.locator("#post-goda_exempel-2").get_by_label("Rubrik").fill(second)


def test_filling_in_by_labels_with_autosave_survives_a_reload(live_server, page, world):
    page.goto(live_server + world.link())
    expect(page).to_have_url(re.compile(r"/svar/\d+/$"))
    page.get_by_role("link", name="Börja fylla i").click()
    page.get_by_label("Vem fyller i?").fill("Anna Andersson")
    mission, counter = page.get_by_label("Verksamhetens uppdrag"), page.locator('[data-counter-for="uppdrag"]')
    mission.fill("x" * 55)
    expect(counter).to_have_text("5 tecken för mycket.")
    expect(mission).to_have_value("x" * 55)  # pasted text is never cut
    mission.fill("Stöd\noch skydd")
    expect(counter).to_have_text("36 tecken kvar.")  # a line break is one character, as on the server
    page.get_by_label("Antal anställda").fill("42")
    page.get_by_label("Hedersrelaterat våld och förtryck").first.check()
    page.get_by_role("group", name="Våldsområden").get_by_label("Sexuellt våld").check()
    page.get_by_role("group", name="Hur fungerar samverkan?").get_by_label("4").check()
    page.get_by_label("Delvis").check()
    expect(page.locator("#autosave-status")).to_contain_text("Sparat kl.", timeout=8000)
    page.get_by_role("button", name="Spara och gå vidare").click()

    add_two_good_examples(page, "Våga fråga", "Frukostmöten")
    expect(page.locator("#autosave-status")).to_contain_text("Sparat kl.", timeout=8000)
    page.reload()
    expect(page.locator("#post-goda_exempel-1").get_by_label("Rubrik")).to_have_value("Våga fråga")
    expect(page.locator("#post-goda_exempel-2").get_by_label("Rubrik")).to_have_value("Frukostmöten")

    page.get_by_role("button", name="Grunduppgifter").click()
    expect(page.get_by_label("Vem fyller i?")).to_have_value("Anna Andersson")
    expect(page.get_by_label("Antal anställda")).to_have_value("42")
    expect(page.get_by_role("group", name="Våldsområden").get_by_label("Sexuellt våld")).to_be_checked()
    expect(page.get_by_role("group", name="Hur fungerar samverkan?").get_by_label("4")).to_be_checked()


def test_everything_works_without_javascript(live_server, page_without_js, world):
    page = page_without_js
    page.goto(live_server + world.link())
    page.get_by_role("link", name="Börja fylla i").click()
    page.get_by_label("Vem fyller i?").fill("Utan skript")
    page.get_by_label("Våld i nära relationer").first.check()
    page.get_by_role("button", name="Spara och gå vidare").click()
    add_two_good_examples(page, "Första", "Andra")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_role("button", name="Ta bort gott exempel 1").click()
    page.get_by_role("button", name="Ja, ta bort").click()
    expect(page.locator("#post-goda_exempel-2").get_by_label("Rubrik")).to_have_value("Andra")
    expect(page.locator("#post-goda_exempel-1")).to_have_count(0)
    page.get_by_role("button", name="Spara och granska svaren").click()
    expect(page.get_by_role("heading", name="Kontrollera dina svar")).to_be_visible()
    page.get_by_role("button", name="Skicka in svaren").click()
    expect(page.get_by_role("heading", name="Tack! Svaren är inskickade")).to_be_visible()
    expect(page.get_by_text("Andra")).to_be_visible()


def test_the_demo_questionnaire_by_labels(app, live_server, page, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    # A unit that sent in nothing last year: its form starts blank, without the follow-up choice.
    unit = "Kommunföretagen (Bostaden)"
    link = next(line.split("\t")[1] for line in result.output.splitlines() if line.startswith(f"{unit}\t"))
    with app.app_context():
        definition = db.session.query(Round).filter_by(state="open").one().definition
    assert definition.content_hash == load_file(REAL_QUESTIONNAIRE).content_hash

    page.goto(link.replace("http://127.0.0.1:5000", live_server))
    page.get_by_role("link", name="Börja fylla i").click()
    first = definition.sections[0]
    typed = {}
    for question in first.questions:
        if question.type in ("short_text", "long_text"):
            typed[question.label] = f"Svar på {question.key}"
            page.get_by_label(by_label(question.label)).fill(typed[question.label])
    assert typed, "the first section has text questions"
    page.get_by_role("button", name="Spara och gå vidare").click()

    page.get_by_role("button", name="Goda exempel").click()
    group = definition.question("goda_exempel")
    title = group.fields[0]
    page.get_by_role("button", name=f"+ Lägg till {group.entry_label.lower()}").click()
    page.locator("#post-goda_exempel-1").get_by_label(by_label(title.label)).fill("Trygga skolvägar")
    page.get_by_role("button", name=f"+ Lägg till {group.entry_label.lower()}").click()
    page.locator("#post-goda_exempel-2").get_by_label(by_label(title.label)).fill("Samtalsgrupper")
    expect(page.locator("#autosave-status")).to_contain_text("Sparat kl.", timeout=8000)
    page.reload()
    expect(page.locator("#post-goda_exempel-1").get_by_label(by_label(title.label))).to_have_value("Trygga skolvägar")
    expect(page.locator("#post-goda_exempel-2").get_by_label(by_label(title.label))).to_have_value("Samtalsgrupper")
    page.get_by_role("button", name=first.title).click()
    for label, text in typed.items():
        expect(page.get_by_label(by_label(label))).to_have_value(text)


def test_a_field_the_server_refused_still_asks_before_leaving(live_server, page, world):
    page.goto(live_server + world.link())
    page.get_by_role("link", name="Börja fylla i").click()
    page.get_by_label("Verksamhetens uppdrag").fill("x" * 60)
    page.keyboard.press("Tab")  # leave the field now, so nothing is changed after the autosave below
    expect(page.locator("#autosave-status")).to_contain_text("utom fält med fel", timeout=8000)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)  # closing the tab: every way off inside the page is a saving button
    for _ in range(50):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == ["beforeunload"], "the refused text was never saved, so leaving must ask"
    expect(page.get_by_label("Verksamhetens uppdrag")).to_have_value("x" * 60)
