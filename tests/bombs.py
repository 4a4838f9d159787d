"""Spreadsheet bombs, made in memory: minimal workbooks that unpack to far more than they weigh or
carry XML tricks, each with the words its refusal message must contain. Used by
tests/test_hostile_uploads.py and benches/bench_uploads.py."""

import io
import zipfile

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/>
</Relationships>"""
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xlsx(sheet_body: str, dimension: str = "", shared_strings: str | None = None) -> bytes:
    """A minimal workbook whose one sheet holds ``sheet_body`` (the XML inside <sheetData>)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml", f"{SHEET_HEAD}{dim}<sheetData>{sheet_body}</sheetData></worksheet>"
        )
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def shared(items: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_HEAD.split(chr(34))[-2]}">{items}</sst>'


BOMBS = {
    "empty-rows": (lambda: xlsx("".join(f'<row r="{n}"/>' for n in range(1, 200_001))), "fler än 10\u00a0000 rader"),
    "a-row-of-cells": (
        lambda: xlsx('<row r="1">' + '<c t="n"><v>1</v></c>' * 100_000 + "</row>"),
        "fler än 300 celler",
    ),
    "a-huge-cell": (
        lambda: xlsx(f'<row r="1"><c t="inlineStr"><is><t>{"x" * 60_000_000}</t></is></c></row>'),
        "MB när den packas upp",
    ),
    "a-long-cell": (
        lambda: xlsx(f'<row r="1"><c t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>'),
        "fler än 32\u00a0767 tecken",
    ),
    "many-shared-strings": (
        lambda: xlsx('<row r="1"><c t="s"><v>0</v></c></row>', shared_strings=shared("<si><t>a</t></si>" * 120_000)),
        "fler än 100\u00a0000 olika texter",
    ),
    "many-cells": (
        lambda: xlsx("".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 200 + "</row>" for r in range(1, 600))),
        "fler än 100\u00a0000 ifyllda celler",
    ),
    "entity-trick": (
        lambda: xlsx(
            "",
            shared_strings='<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            f'<sst xmlns="{SHEET_HEAD.split(chr(34))[-2]}"><si><t>&c;&c;&c;</t></si></sst>',
        ),
        "skadad",
    ),
}
