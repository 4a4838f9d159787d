"""Benchmark: the council workbook for a large round, against bare openpyxl writing the same cells.

    .venv/bin/python benches/bench_export.py [--units 10000] [--small 1000]

Builds rounds of submitted units (each with 5 good examples and 5 development areas) from the
real questionnaire in a temporary SQLite database, then prints:
- time: the export (queries, row functions, safe cells, writing) as a ratio to writing the
  same cells with bare openpyxl write-only, all measured in this run, best of --repeat runs
  each. The cells are recorded from the export itself, so the baseline cannot drift from it:
  "same cells" writes them with their styles (wrapped long text, date formats, bold headers),
  made the way openpyxl documents; "values only" drops the styles, a stricter yardstick;
- memory: the export's peak traced memory (tracemalloc) at the small and the large size.
Aim (issue 6): ratio <= 1.5 against the same cells, peak at 10,000 units within 50 MB of the peak at 1,000.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from copy import copy
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk_round import bulk_round  # noqa: E402  (benches/, beside this script)

from survey import create_app  # noqa: E402
from survey.db import utcnow  # noqa: E402
from survey.exports.council import council_workbook  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Answer, QuestionnaireVersion, Round  # noqa: E402

QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"


def answers_for(definition, assignment_id: int, n: int) -> list[dict]:
    """A full, plausible submission: every top-level question answered, 5 entries in each group."""
    rows, index = [], 0

    def value(question, k):
        if question.type in ("short_text", "long_text"):
            return f"{question.label[:40]} – svar {n}.{k} " + "text " * (30 if question.type == "long_text" else 2)
        if question.kind.widget == "number":  # numbers and percentages
            return (n * 7 + k) % 100
        if question.type == "date":
            return "2026-03-01"
        if question.type == "multiple_choice":
            return [o.code for o in question.choices[: 1 + (n + k) % 3]]
        return question.choices[(n + k) % len(question.choices)].code

    for question in definition.questions:
        if question.is_group:
            for k in range(5):
                index += 1
                rows.append(
                    {"assignment_id": assignment_id, "question_key": question.key, "entry_index": index, "value": True}
                )
                for field in question.fields:
                    rows.append(
                        {
                            "assignment_id": assignment_id,
                            "question_key": field.key,
                            "entry_index": index,
                            "value": value(field, k),
                        }
                    )
        else:
            rows.append(
                {
                    "assignment_id": assignment_id,
                    "question_key": question.key,
                    "entry_index": 0,
                    "value": value(question, 0),
                }
            )
    return rows


def build_round(size: int) -> int:
    version = QuestionnaireVersion.from_source(QUESTIONNAIRE.read_text(encoding="utf-8"))
    now = utcnow()
    round_, assignment_ids = bulk_round(size, version, status="submitted", submitted_dt=now, last_entry_index=10)
    definition = version.definition
    batch = []
    for n, assignment_id in enumerate(assignment_ids):
        batch.extend(answers_for(definition, assignment_id, n))
        if len(batch) > 50_000:
            db.session.execute(insert(Answer), [{**r, "updated_dt": now} for r in batch])
            batch = []
    if batch:
        db.session.execute(insert(Answer), [{**r, "updated_dt": now} for r in batch])
    db.session.commit()
    return round_.id


class Styled(NamedTuple):
    """A cell the export wrote with a style, as bare openpyxl would be told to write it."""

    value: Any
    data_type: str
    font: Font | None
    alignment: Alignment | None
    number_format: str | None


def cells_of_export(round_) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet's rows exactly as the export appends them (recorded during one export, untimed)."""
    recorded: dict[int, tuple[str, list]] = {}
    original = WriteOnlyWorksheet.append

    def record(sheet, row):
        recorded.setdefault(id(sheet), (sheet.title, []))[1].append([styled(v) for v in row])
        original(sheet, row)

    WriteOnlyWorksheet.append = record
    try:
        council_workbook(round_)
    finally:
        WriteOnlyWorksheet.append = original
    return list(recorded.values())


def styled(value: Any) -> Any:
    if not isinstance(value, Cell):
        return value
    return Styled(
        value.value,
        value.data_type,
        copy(value.font) if value.font != Font() else None,
        copy(value.alignment) if value.alignment != Alignment() else None,
        value.number_format if value.number_format != "General" else None,
    )


def bare_openpyxl(sheets: list[tuple[str, list[list[Any]]]], with_styles: bool) -> float:
    """Baseline: the export's cells, computed beforehand, written with plain openpyxl write-only.

    With styles, each styled cell is made the way openpyxl's documentation shows (WriteOnlyCell,
    then font, alignment, number format); without, only the values are written.
    """
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([bare_cell(sheet, v, with_styles) for v in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
    return time.perf_counter() - start


def bare_cell(sheet, value: Any, with_styles: bool) -> Any:
    if not isinstance(value, Styled):
        return value
    if not with_styles:
        return value.value  # the bench's texts hold nothing openpyxl would read as a formula
    cell = WriteOnlyCell(sheet, value=value.value)
    cell.data_type = value.data_type
    if value.font is not None:
        cell.font = value.font
    if value.alignment is not None:
        cell.alignment = value.alignment
    if value.number_format is not None:
        cell.number_format = value.number_format
    return cell


def best_of(repeat: int, run) -> float:
    return min(run() for _ in range(repeat))


def measure(round_id: int, repeat: int) -> dict[str, float]:
    round_ = db.session.get(Round, round_id)
    sheets = cells_of_export(round_)
    # The recorded cells are millions of objects; out of the garbage collector's sight, so that
    # its full collections during the export do not walk them and bill the export for it.
    gc.collect()
    gc.freeze()

    def export() -> float:
        db.session.expire_all()
        start = time.perf_counter()
        data = council_workbook(round_).getvalue()
        assert len(data) > 10_000
        return time.perf_counter() - start

    # Interleaved, best of a few: the machine's noise hits all three alike.
    timings = {"export": [], "cells": [], "values": []}
    for _ in range(repeat):
        timings["cells"].append(bare_openpyxl(sheets, with_styles=True))
        timings["values"].append(bare_openpyxl(sheets, with_styles=False))
        timings["export"].append(export())
    del sheets
    gc.unfreeze()
    gc.collect()
    # Memory in a separate run: tracing slows allocation-heavy code several times over.
    db.session.expire_all()
    tracemalloc.start()
    council_workbook(round_)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {name: min(times) for name, times in timings.items()} | {"peak": peak / 1024 / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"}
        )
        with app.app_context():
            db.create_all()
            results = {}
            for size in (args.small, args.units):
                # A fresh database per size: two rounds of one questionnaire would add the comparison sheets.
                db.session.remove()
                db.drop_all()
                db.create_all()
                started = time.perf_counter()
                round_id = build_round(size)
                print(f"built {size} units in {time.perf_counter() - started:.1f} s", flush=True)
                results[size] = measure(round_id, args.repeat)
            for size, r in results.items():
                print(
                    f"{size:>6} units: export {r['export']:.2f} s; bare openpyxl, same cells {r['cells']:.2f} s "
                    f"(ratio {r['export'] / r['cells']:.2f}), values only {r['values']:.2f} s "
                    f"(ratio {r['export'] / r['values']:.2f}); peak traced memory {r['peak']:.1f} MB"
                )
            growth = results[args.units]["peak"] - results[args.small]["peak"]
            print(f"memory growth from {args.small} to {args.units} units: {growth:.1f} MB")


if __name__ == "__main__":
    main()
