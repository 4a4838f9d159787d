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

from helpers import FULL_FIRST_SECTION, login, open_form, post_form

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
    assert answers[2][answers[0].index("namn")] == STORED
    assert answers[2][answers[0].index("anstallda")] == "1250"
    assert [row[0] for row in sheets["Översikt"]][-1] == "Totalt"

    filled_in = sheets_as_read_by_libreoffice(soffice, template, tmp_path / "template")
    rows = {row[0]: row for row in filled_in["Grunduppgifter"] if row}
    assert rows["namn"][2] == STORED
    assert rows["rutin"][2] == "Delvis"
