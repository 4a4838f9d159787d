"""Benchmark: the council workbook for a large round, against bare openpyxl writing the same cells.

    .venv/bin/python benches/bench_export.py [--units 10000] [--small 1000]

Builds rounds of submitted units (each with 5 good examples and 5 development areas) from the
real questionnaire in a temporary SQLite database, then prints:
- time: the export (queries, row functions, safe cells, writing) as a ratio to writing the
  same cells with bare openpyxl write-only, both measured in this run;
- memory: the export's peak traced memory (tracemalloc) at the small and the large size.
Aim (issue 6): ratio <= 1.5, peak at 10,000 units within 50 MB of the peak at 1,000.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey import create_app  # noqa: E402
from survey.db import db, utcnow  # noqa: E402
from survey.export import (  # noqa: E402
    ExportOptions, answered, codebook_rows, council_workbook, group_rows, missing_rows, overview_rows,
    per_question_rows, response_rows, round_units, stream_answers, violence_matrix_rows,
)
from survey.models import Answer, Assignment, ContactPerson, QuestionnaireVersion, Round, Unit  # noqa: E402

QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"


def answers_for(definition, assignment_id: int, n: int) -> list[dict]:
    """A full, plausible submission: every top-level question answered, 5 entries in each group."""
    rows, index = [], 0

    def value(question, k):
        if question.type in ("short_text", "long_text"):
            return f"{question.label[:40]} – svar {n}.{k} " + "text " * (30 if question.type == "long_text" else 2)
        if question.type == "number":
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
                rows.append({"assignment_id": assignment_id, "question_key": question.key, "entry_index": index, "value": True})
                for field in question.fields:
                    rows.append({"assignment_id": assignment_id, "question_key": field.key, "entry_index": index,
                                 "value": value(field, k)})
        else:
            rows.append({"assignment_id": assignment_id, "question_key": question.key, "entry_index": 0,
                         "value": value(question, 0)})
    return rows


def build_round(size: int) -> int:
    version = QuestionnaireVersion.from_source(QUESTIONNAIRE.read_text(encoding="utf-8"))
    round_ = Round(name=f"Bänk {size}", questionnaire_version=version, opens_on=date.today(),
                   closes_on=date.today() + timedelta(days=30), state="open")
    db.session.add(round_)
    namnder = [Unit(name=f"Nämnd {size}-{n}", kind="namnd") for n in range(14)]
    db.session.add_all(namnder)
    db.session.flush()
    now = utcnow()
    unit_ids = db.session.execute(insert(Unit).returning(Unit.id), [
        {"name": f"Verksamhet {n:05d}", "kind": "verksamhet", "parent_id": namnder[n % 14].id, "is_active": True,
         "created_dt": now} for n in range(size)]).scalars().all()
    db.session.execute(insert(ContactPerson), [
        {"unit_id": uid, "name": f"Kontakt {uid}", "email": f"k{uid}@example.org", "created_dt": now} for uid in unit_ids])
    assignment_ids = db.session.execute(insert(Assignment).returning(Assignment.id), [
        {"round_id": round_.id, "unit_id": uid, "status": "submitted", "submitted_dt": now, "version": 1,
         "last_entry_index": 10, "reminder_count": 0, "reopen_comment": ""} for uid in unit_ids]).scalars().all()
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


def bare_openpyxl(round_) -> float:
    """Baseline: the same cells, computed beforehand, written with plain openpyxl write-only."""
    options = ExportOptions()
    definition = round_.definition
    rows, units = round_units(round_, options)
    counted = answered(rows, options)
    sheets = [list(overview_rows(round_, rows, options, units, utcnow()))]
    everything = [key for question in definition.questions for key in (question.key, *(f.key for f in question.fields))]
    sheets += [list(group_rows(g, stream_answers(counted, everything))) for g in definition.groups]
    sheets += [list(per_question_rows(definition, stream_answers(counted, everything))),
               list(violence_matrix_rows(definition, stream_answers(counted, everything))),
               list(response_rows(definition, stream_answers(counted, everything))), list(missing_rows(rows)),
               list(codebook_rows(definition))]
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    for number, cells in enumerate(sheets):
        sheet = workbook.create_sheet(f"Blad {number}")
        for row in cells:
            sheet.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
    return time.perf_counter() - start


def measure(round_id: int) -> tuple[float, float, float]:
    round_ = db.session.get(Round, round_id)
    baseline = bare_openpyxl(round_)
    db.session.expire_all()
    start = time.perf_counter()
    data = council_workbook(round_).getvalue()
    elapsed = time.perf_counter() - start
    assert len(data) > 10_000
    # Memory in a second run: tracing slows allocation-heavy code several times over.
    db.session.expire_all()
    tracemalloc.start()
    council_workbook(round_)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, baseline, peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
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
                results[size] = measure(round_id)
            for size, (elapsed, baseline, peak) in results.items():
                print(f"{size:>6} units: export {elapsed:.2f} s, bare openpyxl {baseline:.2f} s, "
                      f"ratio {elapsed / baseline:.2f}, peak traced memory {peak:.1f} MB")
            growth = results[args.units][2] - results[args.small][2]
            print(f"memory growth from {args.small} to {args.units} units: {growth:.1f} MB")


if __name__ == "__main__":
    main()
