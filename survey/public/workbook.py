"""The public workbook: the published good examples, the response per nämnd and the entries per violence area.

Every sheet has one header row, and every row as many cells as its header: a number sits under its heading."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from survey.exports.data import GOOD_EXAMPLES_KEY
from survey.exports.writer import write_sheet
from survey.models import Round
from survey.public.summary import PublicSummary, public_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def example_rows(round_: Round, summary: PublicSummary):
    group = round_.definition.question(GOOD_EXAMPLES_KEY)
    labels = [f.label for f in public_fields(group)] if group is not None and group.is_group else []
    yield [*labels[:1], "Verksamhet", "Nämnd eller bolag", *labels[1:]]
    for example in summary.examples:
        details = dict(example.details)
        yield [example.title, example.unit, example.namnd, *(details.get(label, "") for label in labels[1:])]


def response_rows(summary: PublicSummary):
    yield ["Nämnd eller bolag", "Inbjudna", "Har svarat"]
    for namnd, (invited, submitted) in summary.per_namnd.items():
        yield [namnd, invited, submitted]


def area_rows(summary: PublicSummary):
    yield ["Våldsområde", *summary.area_columns]
    for area, counts in summary.areas:
        yield [area, *counts]


def examples_workbook(round_: Round, summary: PublicSummary) -> bytes:
    workbook = Workbook(write_only=True)
    write_sheet(workbook, "Goda exempel", example_rows(round_, summary), widths=(40, 30, 30, 60, 30, 30, 30, 30))
    write_sheet(workbook, "Svar per nämnd", response_rows(summary), widths=(40, 12, 12))
    if summary.areas:
        write_sheet(workbook, "Våldsområden", area_rows(summary), widths=(40, 16, 20))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
