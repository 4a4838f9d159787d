"""The coordinator's questionnaire editor in Chromium: upload → problems → fix on the page → diff → preview as the
contact person sees it → save; axe finds no WCAG 2.1 A/AA violation on any of its pages."""

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import log_in, scan

from helpers import DATA
from survey.extensions import db
from survey.models import QuestionnaireVersion


def test_upload_fix_diff_preview_save_without_axe_violations(app, live_server, page, world, tmp_path: Path):
    scanned: list = []
    source = (DATA / "every_type.toml").read_text(encoding="utf-8")
    broken = tmp_path / "nasta-ar.toml"
    broken.write_text(
        source.replace('version = "1"', 'version = "2"').replace('type = "short_text"', 'type = "txt"', 1)
    )
    log_in(page, live_server)
    page.get_by_role("link", name="Frågeformulär").click()
    expect(page.get_by_role("heading", name="Frågeformulär", level=1)).to_be_visible()
    scan(page, scanned, "versions")
    page.get_by_role("link", name="Alla frågetyper").click()
    expect(page.get_by_text("Versionen används av en omgång och kan bara läsas.")).to_be_visible()
    scan(page, scanned, "a version in use")
    page.get_by_role("link", name="Redigera en kopia").click()
    scan(page, scanned, "a copy to edit")
    page.get_by_role("link", name="Frågeformulär").first.click()
    page.get_by_role("link", name="Ladda upp ett frågeformulär").click()
    scan(page, scanned, "upload")
    not_a_workbook = tmp_path / "fragor.xlsx"
    not_a_workbook.write_bytes(b"PK\x03\x04 no workbook")
    page.get_by_label("Frågeformulär som Excel-fil").set_input_files(str(not_a_workbook))
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.get_by_text("filen är ingen läsbar .xlsx-arbetsbok")).to_be_visible()
    scan(page, scanned, "a spreadsheet refused")
    page.get_by_label("Frågeformulär som Excel-fil").set_input_files(str(broken))
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.get_by_text("okänd frågetyp 'txt'")).to_be_visible()
    expect(page.get_by_text("frågan namn (rad 27):")).to_be_visible()
    scan(page, scanned, "problems in the text")
    text = page.get_by_label("Formulärets text (TOML)")
    fixed = text.input_value().replace('type = "txt"', 'type = "short_text"').replace("Vem fyller i?", "Vem svarar?")
    text.fill(fixed)
    page.get_by_role("button", name="Kontrollera", exact=True).click()
    expect(page.get_by_text("Skillnader mot version 1, som omgången Kartläggning 2026 använde")).to_be_visible()
    expect(page.get_by_text("Ny frågetext, förut: Vem fyller i?")).to_be_visible()
    scan(page, scanned, "draft with its differences")
    page.get_by_role("link", name="Grunduppgifter").click()
    expect(page.get_by_role("heading", name="Förhandsvisning")).to_be_visible()
    expect(page.get_by_label("Vem svarar?")).to_be_visible()
    scan(page, scanned, "preview of a section")
    page.get_by_label("Vem svarar?").fill("Jag")
    page.get_by_role("button", name="Spara och gå vidare").click()
    expect(page).to_have_url(live_server + "/samordning/formular/utkast/avsnitt/exempel")
    scan(page, scanned, "preview of a section with a group")
    page.get_by_role("link", name="Tillbaka till utkastet").click()
    page.get_by_role("button", name="Spara som ny version").click()
    expect(page.get_by_text("Version 2 av Alla frågetyper är sparad.")).to_be_visible()
    scan(page, scanned, "the saved version")
    with app.app_context():
        saved = db.session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.version == "2"))
        assert saved.definition.question("namn").label == "Vem svarar?"
    assert [name for name, count in scanned if count] == []
    assert len(scanned) == 10
