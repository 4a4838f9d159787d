"""The questionnaire in another language in a real browser: a contact person fills in the demo questionnaire in
English from start to receipt, and a questionnaire with Arabic texts reads right to left; axe finds nothing."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from helpers import DATA, World
from survey.extensions import db
from survey.models import Assignment, Round
from survey.questions.languages import localized

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
axe = Axe()


def violations(page) -> list[str]:
    page.wait_for_load_state("load")
    result = axe.run(page, options=WCAG)
    return [f"{v['id']}: {v['help']} @ {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def by_label(label: str):
    return re.compile(rf"^{re.escape(label)}( \(required\))?$")


def test_a_contact_person_fills_in_the_demo_questionnaire_in_english(app, live_server, page, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    unit = "Kommunföretagen (Bostaden)"  # sent in nothing last year: a blank form
    link = next(line.split("\t")[1] for line in result.output.splitlines() if line.startswith(f"{unit}\t"))
    with app.app_context():
        english = localized(db.session.scalars(select(Round).where(Round.state == "open")).one().definition, "en")

    page.goto(link.replace("http://127.0.0.1:5000", live_server))
    page.get_by_role("link", name="English", exact=True).first.click()
    expect(page.get_by_text("This mapping shows")).to_be_visible()
    assert not violations(page), violations(page)
    page.get_by_role("link", name="Start filling in").click()
    typed = {}
    for number, section in enumerate(english.sections):
        expect(page.locator("h1")).to_have_text(section.title)
        for question in section.questions:
            if question.is_group:
                if question.key == "goda_exempel":
                    page.get_by_role("button", name=f"+ Add {question.entry_label.lower()}").click()
                    card = page.locator("#post-goda_exempel-1")
                    for field in question.fields:
                        if field.type in ("short_text", "long_text"):
                            card.get_by_label(by_label(field.label)).fill(f"An answer to {field.key}")
                    card.get_by_role("group", name=by_label(question.fields[-1].label)).get_by_label("Yes").check()
                continue
            if question.type in ("short_text", "long_text"):
                typed[question.key] = f"An answer to {question.key}"
                page.get_by_label(by_label(question.label)).fill(typed[question.key])
            elif question.type in ("single_choice", "yes_partly_no") and question.required:
                page.get_by_role("group", name=by_label(question.label)).get_by_label(question.choices[0].label).check()
            elif question.type == "multiple_choice" and question.required:
                page.get_by_role("group", name=by_label(question.label)).get_by_label(question.options[0].label).check()
        if number == 2:  # a page of yes/partly/no questions
            expect(page.get_by_text("Partly").first).to_be_visible()
            assert not violations(page), violations(page)
        last = number == len(english.sections) - 1
        page.get_by_role("button", name="Save and review the answers" if last else "Save and continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.get_by_role("heading", name=english.sections[0].title)).to_be_visible()
    page.get_by_role("button", name="Submit the answers").click()
    expect(page.get_by_role("heading", name="Thank you! The answers have been submitted")).to_be_visible()
    assignment_id = int(re.search(r"/svar/(\d+)/kvitto", page.url)[1])
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.is_submitted and assignment.round.state == "open"
        values = assignment.values()
        for key, text in typed.items():
            assert values[(key, 0)] == text
        assert values[("publicering", 0)] == "ja", "the code, whatever the language it was chosen in"


def test_arabic_texts_read_right_to_left_and_axe_finds_nothing(app, live_server, page):
    world = World(app, DATA / "translated.toml")
    page.goto(live_server + world.link())
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_text("استبيان بعدة لغات.")).to_be_visible()
    assert not violations(page), violations(page)
    page.get_by_role("link", name="Börja fylla i").click()
    heading = page.locator("h1")
    expect(heading).to_have_text("معلومات أساسية")
    assert heading.evaluate("h => getComputedStyle(h).direction") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar" and page.locator("html").get_attribute("dir") == "rtl"
    buttons = page.locator(".form-buttons")
    assert buttons.get_attribute("lang") == "sv", "the interface stays Swedish, and is marked so"
    assert buttons.evaluate("b => getComputedStyle(b).direction") == "ltr"
    question = page.get_by_role("group", name=re.compile("هل يوجد إجراء مكتوب؟"))
    assert question.evaluate("q => getComputedStyle(q).direction") == "rtl"
    expect(page.get_by_text("Hur fungerar samverkan?")).to_be_visible()  # not translated: Swedish
    assert not violations(page), violations(page)
    question.get_by_label("نعم").check()
    page.get_by_role("button", name="Spara och gå vidare").click()
    expect(page.locator("h1")).to_have_text("أمثلة جيدة")
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_ids[0]).values()[("rutin", 0)] == "ja"


def test_the_editor_previews_in_arabic_and_discards_the_draft_without_axe_violations(app, live_server, page, tmp_path):
    from test_accessibility import log_in

    World(app, DATA / "translated.toml")
    upload = tmp_path / "oversatt.toml"
    upload.write_text((DATA / "translated.toml").read_text(encoding="utf-8").replace('version = "1"', 'version = "2"'))
    log_in(page, live_server)
    page.goto(live_server + "/samordning/formular/ladda-upp")
    page.get_by_label("Frågeformulär som Excel-fil").set_input_files(str(upload))
    page.get_by_role("button", name="Kontrollera filen").click()
    page.get_by_role("link", name="Grunduppgifter").click()
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("h1")).to_have_text("معلومات أساسية")
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.get_by_text("2 texter i avsnittet saknar översättning och visas på svenska")).to_be_visible()
    assert not violations(page), violations(page)
    page.get_by_role("button", name="Spara och gå vidare").click()
    expect(page.locator("h1")).to_have_text("أمثلة جيدة")
    page.get_by_role("link", name="Tillbaka till utkastet").click()
    page.get_by_role("link", name="Släng utkastet").click()
    expect(page.get_by_role("heading", name="Släng utkastet?")).to_be_visible()
    assert not violations(page), violations(page)
    page.get_by_role("button", name="Släng utkastet").click()
    expect(page.get_by_text("Utkastet är slängt. Inget av det sparades.")).to_be_visible()
