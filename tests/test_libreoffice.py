"""Every workbook we write opens in LibreOffice Calc, and hostile text comes out of it as literal text.

LibreOffice runs headless and converts each workbook to CSV, one file per sheet:
a workbook it cannot read gives no files. `make test` installs it from Debian
(libreoffice-calc-nogui).
"""

import csv
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import FULL_FIRST_SECTION, login, open_form, post_form
from survey.exports.council import council_workbook
from survey.extensions import db
from survey.models import Round

SOFFICE = shutil.which("soffice")
ALL_SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
HOSTILE = '=HYPERLINK("http://example.org","klicka") @SUM(1+1) +46 -1 #N/A \u202eebircsed'
# Forms drop bidirectional controls such as U+202E (they disguise names); the rest is kept literally.
STORED = HOSTILE.replace("\u202e", "")


@pytest.fixture
def soffice():
    if SOFFICE is None:
        if os.environ.get("REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed; make test installs it")
    return SOFFICE


def sheets_as_read_by_libreoffice(soffice, path, tmp_path) -> dict[str, list[list[str]]]:
    out = tmp_path / "csv"
    result = subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", ALL_SHEETS_AS_CSV, "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    prefix = path.stem + "-"
    sheets = {}
    for file in sorted(out.glob("*.csv")):
        with file.open(encoding="utf-8", newline="") as handle:
            sheets[file.stem.removeprefix(prefix)] = list(csv.reader(handle))
    assert sheets, f"LibreOffice could not read {path.name}: {result.stderr}"
    return sheets


def test_council_workbook_and_template_open_in_libreoffice_with_text_intact(app, client, world, soffice, tmp_path):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "namn": HOSTILE, "action": "save"})
    coordinator = app.test_client()
    login(coordinator)
    council = tmp_path / "council.xlsx"
    council.write_bytes(coordinator.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx?utkast=1").data)
    template = tmp_path / "template.xlsx"
    template.write_bytes(coordinator.get(f"/samordning/svar/{world.assignment_ids[0]}/mall.xlsx").data)

    sheets = sheets_as_read_by_libreoffice(soffice, council, tmp_path)
    assert {"Översikt", "Goda exempel", "Per fråga", "Våldsområden", "Svar", "Ej inkommit", "Frågor"} <= set(sheets)
    answers = sheets["Svar"]
    assert answers[1][answers[0].index("namn")] == STORED
    assert answers[1][answers[0].index("anstallda")] == "1250"
    header, *table = sheets["Översikt"]  # one table, no total row
    assert header[0] == "Nämnd" and sorted(row[0] for row in table) == ["AB Bostaden", "Individ- och familjenämnden"]

    filled_in = sheets_as_read_by_libreoffice(soffice, template, tmp_path / "template")
    rows = {row[0]: row for row in filled_in["Grunduppgifter"] if row}
    assert rows["namn"][2] == STORED
    assert rows["rutin"][2] == "Delvis"


A4_LANDSCAPE = (842, 595)  # points, rounded


def pdf_of(soffice, path, tmp_path):
    out = tmp_path / "pdf"
    result = subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    return PdfReader(out / (path.stem + ".pdf"))


def printed_sizes(page) -> list[tuple[str, float]]:
    """(text, size in points as printed) of each run of text on a page: the font size times the scaling
    of the text and transformation matrices, so a sheet shrunk to fit shows as small text."""
    runs = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            runs.append((text.strip(), abs(size * tm[3] * cm[3])))

    page.extract_text(visitor_text=visit)
    return runs


def test_the_council_workbook_prints_legibly_on_a4(app, runner, soffice, tmp_path):
    """Printed through LibreOffice as a council member would: A4 landscape, every text at a readable size
    (wide sheets run across pages instead of shrinking), and the answers are there."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        closed = db.session.scalar(select(Round).where(Round.state == "closed"))
        workbook = tmp_path / "council.xlsx"
        workbook.write_bytes(council_workbook(closed).getvalue())
    pdf = pdf_of(soffice, workbook, tmp_path)
    assert len(pdf.pages) > 10
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages}
    assert sizes == {A4_LANDSCAPE}
    runs = [run for page in pdf.pages for run in printed_sizes(page)]
    text = " ".join(t for t, _size in runs)
    assert "Individ- och familjenämnden" in text and "Svarsfrekvens" in text
    assert "###" not in text, "a number or date wider than its column prints as ###"
    smallest = min(size for _t, size in runs)
    assert smallest >= 8, f"text printed at {smallest:.1f} pt"
