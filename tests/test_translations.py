"""The questionnaire in several languages: translations in TOML and in XLSForm columns, the contact person's
pages in the chosen language with Swedish for each text not translated, right to left for Arabic, and the
list of texts that lack a translation."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from helpers import DATA, ROOT, World, csrf_from, login, open_form, post_form
from survey.exports.council import council_workbook
from survey.exports.data import ExportOptions
from survey.exports.words import ENGLISH
from survey.extensions import db
from survey.models import Round
from survey.questions.definition import QuestionnaireError, load_file, parse
from survey.questions.languages import languages, localized, missing
from survey.questions.xlsform import write_workbook
from survey.questions.xlsform_reading import read_workbook

TRANSLATED = DATA / "translated.toml"
DEMO = ROOT / "questionnaires" / "kartlaggning-vald.toml"


@pytest.fixture
def translated_world(app):
    return World(app, TRANSLATED)


def test_every_kind_of_text_reads_in_english_with_the_same_keys():
    definition = load_file(TRANSLATED)
    english = localized(definition, "en")
    assert languages(definition) == ("sv", "ar", "en")
    assert (english.title, english.intro) == ("Translated form", "A form in several languages.")
    assert (english.sections[0].title, english.sections[0].help) == ("Basic information", "About the unit in general.")
    assert (english.question("namn").label, english.question("namn").help) == (
        "Who fills in the form?",
        "Name and role.",
    )
    assert english.question("anstallda").unit == "people"
    scale = english.question("samverkan")
    assert (scale.min_label, scale.max_label) == ("Not at all", "Very well")
    assert [o.label for o in english.question("omraden").options] == ["Domestic violence", "Honour-based violence"]
    assert english.question("goda_exempel").entry_label == "Example"
    assert english.question("beskrivning").label == "Description"
    assert [q.key for q in english.questions] == [q.key for q in definition.questions]
    assert english.content_hash == definition.content_hash and english.language == "en"
    assert english.question("rutin").as_text("ja") == "Yes"


def test_a_text_without_a_translation_falls_back_to_swedish_text_by_text():
    arabic = localized(load_file(TRANSLATED), "ar")
    assert arabic.question("samverkan").label == "Hur fungerar samverkan?"  # not translated
    assert arabic.question("samverkan").min_label == "لا على الإطلاق"  # translated, in the same question
    assert [o.label for o in arabic.question("omraden").options] == [
        "العنف في العلاقات القريبة",
        "Hedersrelaterat våld",
    ]


def test_a_language_the_questionnaire_does_not_have_is_swedish():
    definition = load_file(TRANSLATED)
    assert localized(definition, "fi") is definition and localized(definition, "sv") is definition


def test_the_texts_that_lack_a_translation_are_listed():
    definition = load_file(TRANSLATED)
    assert missing(definition, "en") == []
    assert [str(m) for m in missing(definition, "ar")] == [
        "option set omraden: option heder: label: 'Hedersrelaterat våld'",
        "samverkan: label: 'Hur fungerar samverkan?'",
    ]


def test_the_demo_questionnaire_is_complete_in_english():
    definition = load_file(DEMO)
    assert "en" in languages(definition)
    assert [str(m) for m in missing(definition, "en")] == []


def test_a_misspelt_or_misplaced_translation_is_named():
    source = TRANSLATED.read_text(encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        parse(source.replace('label_en = "Number of staff"', 'lable_en = "Number of staff"', 1))
    assert "anstallda: unknown key 'lable_en'" in str(caught.value)
    with pytest.raises(QuestionnaireError) as caught:
        parse(source.replace('label_en = "Who fills in the form?"', 'unit_en = "st"', 1))
    assert "namn: unknown key 'unit_en'" in str(caught.value)
    with pytest.raises(QuestionnaireError) as caught:
        parse(source.replace('label_en = "Who fills in the form?"', "label_en = 3", 1))
    assert "namn: label_en must be text" in str(caught.value)


def test_a_translated_questionnaire_round_trips_through_a_spreadsheet_with_its_content_hash(app):
    source = TRANSLATED.read_text(encoding="utf-8")
    with app.app_context():
        data = write_workbook(source)
        reading = read_workbook(data, "t.xlsx")
    assert reading.problems == [] and reading.warnings == []
    assert parse(reading.source).content_hash == parse(source).content_hash


def test_a_spreadsheet_edited_in_its_translation_columns_reads_them(app):
    from io import BytesIO

    from openpyxl import load_workbook

    with app.app_context():
        book = load_workbook(BytesIO(write_workbook(TRANSLATED.read_text(encoding="utf-8"))))
    del book["toml_source"]  # as if made by hand: the sheets are all there is
    survey = book["survey"]
    headers = [cell.value for cell in survey[1]]
    assert "label::English (en)" in headers and "hint::English (en)" in headers and "label::Arabic (ar)" in headers
    assert "label::English (en)" in [cell.value for cell in book["choices"][1]]
    assert "form_title::English (en)" in [cell.value for cell in book["settings"][1]]
    column = headers.index("label::English (en)") + 1
    row = next(r for r in range(2, survey.max_row + 1) if survey.cell(r, 2).value == "namn")
    survey.cell(row, column).value = "Your name"
    out = BytesIO()
    book.save(out)
    with app.app_context():
        reading = read_workbook(out.getvalue(), "t.xlsx")
    assert reading.problems == []
    english = localized(parse(reading.source), "en")
    assert english.question("namn").label == "Your name"
    assert english.question("samverkan").max_label == "Very well"
    assert english.sections[0].help == "About the unit in general."
    assert english.question("goda_exempel").entry_label == "Example"


def test_the_contact_person_reads_the_questionnaire_in_english(client, translated_world):
    open_form(client, translated_world)
    start = client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=en").get_data(as_text=True)
    assert "A form in several languages." in start and "Basic information" in start
    page = client.get(translated_world.section_url("grund")).get_data(as_text=True)
    assert '<h1 id="section-title">Basic information</h1>' in page
    assert "Who fills in the form?" in page and "Name and role." in page and "Domestic violence" in page
    assert "Vem fyller i?" not in page
    assert 'dir="rtl"' not in page


def english_section_without_the_staff_label(app, client) -> str:
    """The first section in English of the translated questionnaire with one label left untranslated."""
    source = TRANSLATED.read_text(encoding="utf-8").replace('label_en = "Number of staff"\n', "", 1)
    path = Path(app.instance_path) / "partly.toml"
    path.write_text(source, encoding="utf-8")
    world = World(app, path)
    open_form(client, world)
    return client.get(world.section_url("grund") + "?lang=en").get_data(as_text=True)


def test_an_english_page_shows_swedish_where_a_text_is_not_translated(app, client):
    page = english_section_without_the_staff_label(app, client)
    assert "Antal anställda" in page and "Who fills in the form?" in page and "people" in page


def test_an_arabic_page_is_right_to_left_with_its_swedish_interface_marked(client, translated_world):
    open_form(client, translated_world)
    start = client.get(f"/svar/{translated_world.assignment_ids[0]}/").get_data(as_text=True)
    assert 'href="?lang=ar" lang="ar" hreflang="ar" dir="rtl"' in start
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=ar")
    page = client.get(translated_world.section_url("grund")).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert '<h1 id="section-title">معلومات أساسية</h1>' in page
    assert "<legend>هل يوجد إجراء مكتوب؟" in page
    assert '<div class="form-buttons" lang="sv" dir="ltr">' in page, "the buttons are Swedish, and marked so"
    assert "Spara och gå vidare" in page


def test_an_arabic_page_marks_its_swedish_errors_controls_and_session_dialog(client, translated_world):
    open_form(client, translated_world)
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=ar")
    url = translated_world.section_url("grund")
    page = post_form(client, url, {"namn": "Kim", "anstallda": "tolv", "action": "save"}).get_data(as_text=True)
    sv = 'lang="sv" dir="ltr"'
    assert f"<h2 {sv}>Det finns fel att rätta</h2>" in page
    assert f"<p {sv}>Övriga svar på sidan är sparade.</p>" in page
    # The label in the summary is Arabic, as the page; only the Swedish message is marked.
    assert re.search(rf"عدد الموظفين – <span {sv}>Skriv", page)
    assert re.search(rf'<dialog id="session-warning"[^>]*{sv}', page)
    examples = client.get(translated_world.section_url("exempel")).get_data(as_text=True)
    assert f"+ <span {sv}>Lägg till</span> مثال" in examples


def test_arabic_is_kept_through_a_section_a_save_and_the_review(client, translated_world):
    open_form(client, translated_world)
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=ar")
    url = translated_world.section_url("grund")
    response = post_form(client, url, {"namn": "Kim", "rutin": "ja", "action": "next"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/avsnitt/exempel")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "أمثلة جيدة" in page
    response = post_form(client, url, {"namn": "Kim", "rutin": "ja", "action": "save"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "Sparat" in page
    review = client.get(f"/svar/{translated_world.assignment_ids[0]}/granska").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in review
    assert "<dt>من يملأ الاستبيان؟</dt>" in review and "Kim" in review


def test_the_section_page_switches_to_any_offered_language_and_refuses_others(client, translated_world):
    open_form(client, translated_world)
    url = translated_world.section_url("grund")
    response = post_form(client, url, {"namn": "Kim", "action": "lang:ar"})
    assert response.headers["Location"].endswith("?lang=ar")
    assert '<html lang="ar" dir="rtl">' in client.get(response.headers["Location"]).get_data(as_text=True)
    response = post_form(client, url, {"namn": "Kim", "action": "lang:xx"})
    assert "lang=" not in response.headers["Location"]
    client.get(url + "?lang=zz")  # not a language we offer: ignored
    assert '<html lang="ar" dir="rtl">' in client.get(url).get_data(as_text=True)


def test_an_arabic_text_left_untranslated_is_marked_swedish_left_to_right(client, translated_world):
    open_form(client, translated_world)
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=ar")
    page = client.get(translated_world.section_url("grund")).get_data(as_text=True)
    assert '<legend lang="sv" dir="ltr">Hur fungerar samverkan?' in page
    assert '<label dir="ltr" for="omraden-1" lang="sv">Hedersrelaterat våld</label>' in page
    assert '<label for="omraden-0">العنف في العلاقات القريبة</label>' in page


def test_an_english_page_marks_exactly_the_untranslated_question_swedish(app, client):
    page = english_section_without_the_staff_label(app, client)
    assert '<html lang="en">' in page
    assert '<label for="anstallda" lang="sv" dir="ltr">Antal anställda' in page
    assert '<label for="namn">Who fills in the form?' in page
    assert page.count('lang="sv" dir="ltr"') == 1, "only the one text that fell back"


def test_answers_saved_in_english_are_the_same_answers(app, client, translated_world):
    open_form(client, translated_world)
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=en")
    url = translated_world.section_url("grund")
    response = post_form(client, url, {"namn": "Kim", "rutin": "ja", "omraden": ["heder"], "action": "save"})
    assert response.status_code == 303
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=sv")
    review = client.get(f"/svar/{translated_world.assignment_ids[0]}/granska").get_data(as_text=True)
    assert "Hedersrelaterat våld" in review and "Honour-based violence" not in review


def test_yes_partly_no_reads_in_english_too():
    english = localized(load_file(DEMO), "en")
    assert [o.label for o in english.question("rutin_fraga_om_vald").choices] == ["Yes", "Partly", "No"]
    assert [o.label for o in load_file(DEMO).question("rutin_fraga_om_vald").choices] == ["Ja", "Delvis", "Nej"]


def submit_translated(client, world):
    open_form(client, world)
    url = world.section_url("grund")
    post_form(client, url, {"namn": "Kim", "anstallda": "12", "omraden": ["nara"], "rutin": "ja", "action": "next"})
    url = world.section_url("exempel")
    post_form(client, url, {"action": "add:goda_exempel"})
    post_form(client, url, {"rubrik-1": "Vi frågar alla", "action": "review"})
    review = f"/svar/{world.assignment_ids[0]}/granska"
    return post_form(client, f"/svar/{world.assignment_ids[0]}/skicka-in", {}, page=review)


def swedish_word(text) -> bool:
    """One of the workbook's own Swedish words that English says otherwise ("Version" reads alike)."""
    return text in ENGLISH and ENGLISH[text] != text


def workbook_of(client, round_id, **query):
    response = client.get(f"/samordning/omgang/{round_id}/sammanstallning.xlsx", query_string=query)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data)), response


def test_the_workbook_in_english_has_english_names_and_headings_and_the_same_keys(app, client, translated_world):
    submit_translated(client, translated_world)
    login(client)
    swedish, _response = workbook_of(client, translated_world.round_id)
    english, response = workbook_of(client, translated_world.round_id, lang="en")
    assert response.headers["Content-Disposition"].endswith("-en.xlsx")
    assert english.sheetnames[:4] == ["Overview", "About this workbook", "Good practice", "Per question"]
    assert "Answers" in english.sheetnames and "Questions" in english.sheetnames
    assert len(english.sheetnames) == len(swedish.sheetnames)
    for sheet in english:
        assert not swedish_word(sheet.title), sheet.title
        for heading in next(sheet.iter_rows(values_only=True)):
            assert not swedish_word(heading), (sheet.title, heading)
    keys = [c.value for c in english["Answers"][1]]
    assert keys == [c.value for c in swedish["Svar"][1]] and "namn" in keys and "rutin" in keys
    answers = {h: v for h, v in zip(keys, [c.value for c in english["Answers"][2]], strict=True)}
    assert (answers["rutin"], answers["omraden"], answers["status"]) == ("Yes", "Domestic violence", "Submitted")
    codebook = [[c.value for c in row] for row in english["Questions"].iter_rows()]
    rutin = next(row for row in codebook if row[0] == "rutin")
    assert rutin[:6] == ["rutin", "Basic information", None, "Is there a written routine?", "one choice", "no"]
    about = [c.value for c in english["About this workbook"][2]]
    assert about[4] == "All committees and companies; submitted answers (also those reopened for completion)"


def test_the_export_command_writes_the_workbook_in_english(app, runner, client, translated_world, tmp_path):
    submit_translated(client, translated_world)
    result = runner.invoke(args=["export", "council", "--round", "1", "--lang", "en", "-o", str(tmp_path / "e.xlsx")])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").sheetnames[0] == "Overview"
    wrong = runner.invoke(args=["export", "council", "--round", "1", "--lang", "xx"])
    assert wrong.exit_code == 2 and "'xx' is not one of 'sv', 'en'" in wrong.output


def test_every_heading_of_the_demo_workbook_has_its_english(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        this_year = db.session.scalars(select(Round).order_by(Round.id.desc())).first()
        book = openpyxl.load_workbook(council_workbook(this_year, ExportOptions(include_drafts=True, language="en")))
    assert "Comparison" in book.sheetnames and "Follow-up" in book.sheetnames
    for sheet in book:
        assert not swedish_word(sheet.title), sheet.title
        for heading in next(sheet.iter_rows(values_only=True)):
            assert not swedish_word(heading), (sheet.title, heading)


def test_the_coordinator_sees_which_texts_lack_a_translation(client, translated_world):
    login(client)
    page = client.get(f"/samordning/omgang/{translated_world.round_id}/fragor").get_data(as_text=True)
    assert "Översättning: العربية" in page and "Översättning: English" in page
    assert "2 texter saknar översättning och visas på svenska" in page
    assert "<code>samverkan</code> (label): Hur fungerar samverkan?" in page
    assert "Alla texter är översatta." in page  # English
    assert "Who fills in the form?" not in page, "the coordinator's page shows the questionnaire in Swedish"


def test_the_editor_previews_a_section_in_each_language_with_what_lacks_a_translation(client, translated_world):
    login(client)
    source = TRANSLATED.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"')
    token = csrf_from(client.get("/samordning/formular").get_data(as_text=True))
    response = client.post("/samordning/formular/kontrollera", data={"csrf_token": token, "source": source})
    assert response.status_code == 303
    swedish = client.get("/samordning/formular/utkast/avsnitt/grund").get_data(as_text=True)
    assert '<html lang="sv">' in swedish and "Grunduppgifter" in swedish
    assert 'href="/samordning/formular/utkast/avsnitt/grund?sprak=ar" lang="ar" hreflang="ar" dir="rtl"' in swedish
    assert "saknar översättning" not in swedish
    arabic = client.get("/samordning/formular/utkast/avsnitt/grund?sprak=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and "معلومات أساسية" in arabic
    assert "2 texter i avsnittet saknar översättning och visas på svenska" in arabic
    assert "<code>samverkan</code> (label)" in arabic and "<code>option set omraden: option heder</code>" in arabic
    assert 'action="/samordning/formular/utkast/avsnitt/grund?sprak=ar"' in arabic, "the buttons keep the language"
    english = client.get("/samordning/formular/utkast/avsnitt/grund?sprak=en").get_data(as_text=True)
    assert "Basic information" in english and "Alla texter i avsnittet är översatta." in english
    assert '<html lang="sv">' in english, "the coordinator's interface stays Swedish"
    moved = post_form(client, "/samordning/formular/utkast/avsnitt/grund?sprak=ar", {"action": "next"})
    assert moved.headers["Location"].endswith("/utkast/avsnitt/exempel?sprak=ar")
    unknown = client.get("/samordning/formular/utkast/avsnitt/grund?sprak=xx").get_data(as_text=True)
    assert "Grunduppgifter" in unknown, "a language the draft lacks shows Swedish"


def test_the_printable_questions_are_arabic_right_to_left_with_swedish_marked(client, translated_world):
    open_form(client, translated_world)
    client.get(f"/svar/{translated_world.assignment_ids[0]}/?lang=ar")
    page = client.get(f"/svar/{translated_world.assignment_ids[0]}/fragor").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h2>1. معلومات أساسية</h2>" in page
    assert '<h3 lang="sv" dir="ltr">Hur fungerar samverkan?' in page
    assert '<li lang="sv" dir="ltr">Hedersrelaterat våld</li>' in page
    assert "<li>العنف في العلاقات القريبة</li>" in page
