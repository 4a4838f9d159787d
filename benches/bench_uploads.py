"""Benchmark: spreadsheet bombs are refused fast and in little memory, against reading an honest file.

    .venv/bin/python benches/bench_uploads.py

Each file is measured in a fresh Python process (so its peak resident memory is its own): the
bombs of tests/bombs.py through check_spreadsheet(), and, as the baseline in the
same run, an honest workbook of 5,000 register rows read the way the answer import reads (the
check, then openpyxl). Prints, per file: seconds, peak RSS in MB, and the ratio of its seconds to
the baseline's. Aim (issue 14): every bomb refused in under 2 s and under 256 MB, and no slower
than reading the honest file (ratio <= 1).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

MEASURE = """
import io, json, sys, time
from openpyxl import load_workbook
from survey import create_app
from survey.spreadsheets import SpreadsheetRefused, check_spreadsheet
app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
data = open(sys.argv[1], "rb").read()
with app.test_request_context():
    start = time.perf_counter()
    try:
        check_spreadsheet(data)
        load_workbook(io.BytesIO(data), data_only=True)
        outcome = "read"
    except SpreadsheetRefused as refused:
        outcome = str(refused)[:60]
    seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would carry over the parent's across exec).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "outcome": outcome}))
"""


def honest_register(rows: int = 5000) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Verksamhet", "Överordnad", "Typ", "Kontaktperson", "E-post"])
    for n in range(rows):
        sheet.append([f"Verksamhet {n}", "Socialtjänsten", "verksamhet", f"Person {n}", f"p{n}@example.org"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(data: bytes) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(data)
        file.flush()
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, file.name], capture_output=True, text=True, check=True, cwd=ROOT
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    from bombs import BOMBS

    baseline = measure(honest_register())
    print(f"{'file':22} {'seconds':>8} {'peak MB':>8} {'ratio':>6}  outcome")
    print(
        f"{'honest 5,000 rows':22} {baseline['seconds']:8.2f} {baseline['peak_mb']:8.0f} {1:6.2f}  "
        f"{baseline['outcome']}"
    )
    worst = 0.0
    for name, (make, _message) in BOMBS.items():
        result = measure(make())
        ratio = result["seconds"] / baseline["seconds"]
        worst = max(worst, ratio)
        print(f"{name:22} {result['seconds']:8.2f} {result['peak_mb']:8.0f} {ratio:6.2f}  {result['outcome']}")
    print(f"worst ratio to the honest file: {worst:.2f} (aim <= 1)")


if __name__ == "__main__":
    main()
