"""Benchmark: the big round's long work as jobs, run by the real worker process, beside bare baselines.

    .venv/bin/python benches/bench_jobs.py [--units 10000] [--invitations 5000] [--database sqlite|postgres|both]

For each database: builds a round of --units submitted units (bench_export's answers) in an empty database,
queues its council workbook as a job, starts `flask --app survey jobs work` as its own process, and watches the
job's row until it is done; then the same for "Bjud in alla" to a round of --invitations units (bench_bulk_mail's
round, one contact person each). Prints per job:
- wall time from the worker's start (a fresh process, as after a deploy) to the job seen done, and the job's own
  started-to-finished time as the worker recorded it;
- the worker's peak resident memory (VmHWM in /proc, read before it is stopped);
- the progress reports seen (distinct "done" values read while it ran), and for invitations the messages queued;
- a baseline measured in this run: bare openpyxl write-only writing as many rows and cells per sheet as the job's
  file holds (counted in it), and one bulk INSERT of the same outbox rows, with the job's time as a ratio to it.
PostgreSQL runs in tests/with-postgres.sh's throwaway cluster (a child run of this script inside it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benches"))

import bench_bulk_mail  # noqa: E402  (benches/, beside this script)
import bench_export  # noqa: E402

from survey import create_app  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.jobs.worker import enqueue  # noqa: E402
from survey.models import Job, JobKind, JobState, OutboxMessage, Round, User  # noqa: E402

OUTBOX_COLUMNS = ("kind", "to_address", "to_name", "subject", "body", "status", "attempts", "last_error")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB, or nan where /proc has no such line."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_worker(env: dict[str, str], job_id: int, timeout: float) -> dict[str, Any]:
    """Start the worker process, watch the job until it is finished; the figures, the worker stopped."""
    flask = str(Path(sys.executable).parent / "flask")
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  closed below; not a pipe, which could fill
    started = time.perf_counter()
    worker = subprocess.Popen(  # noqa: S603  our own venv's flask
        [flask, "--app", "survey", "jobs", "work", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    seen: set[int] = set()
    try:
        while True:
            state, done = db.session.execute(select(Job.state, Job.done).where(Job.id == job_id)).one()
            db.session.rollback()  # a fresh snapshot each look
            if state == JobState.RUNNING and done:
                seen.add(done)
            if state in (JobState.DONE, JobState.FAILED):
                wall = time.perf_counter() - started
                break
            if worker.poll() is not None:
                log.seek(0)
                raise SystemExit(f"the worker stopped: {log.read()}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"job {job_id} not done after {timeout:g} s")
            time.sleep(0.1)
        rss = peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
    job = db.session.get(Job, job_id)
    assert job is not None
    if job.state != JobState.DONE:
        raise SystemExit(f"job {job_id} failed: {job.error}")
    own = (job.finished_dt - job.started_dt).total_seconds() if job.finished_dt and job.started_dt else float("nan")
    return {"wall": wall, "own": own, "rss": rss, "reports": len(seen), "job": job}


def sheet_shapes(path: Path) -> list[tuple[int, int]]:
    """Per worksheet of the written workbook, its rows and cells (counted in its XML, not parsed: quick)."""
    shapes = []
    with zipfile.ZipFile(path) as workbook:
        for name in workbook.namelist():
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                xml = workbook.read(name)
                shapes.append((xml.count(b"<row "), xml.count(b"<c ")))
    return shapes


def bare_openpyxl(shapes: list[tuple[int, int]]) -> float:
    """Baseline: plain openpyxl write-only writing as many rows and cells per sheet, each a 40-character text.

    (bench_export's stricter baseline, the export's very cells with their styles, records them in process: at
    10,000 units that takes longer than the job itself and gigabytes of memory, so here the shape is copied.)"""
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    text = "Svar på en fråga, ungefär en rad lång …"
    for n, (rows, cells) in enumerate(shapes):
        sheet = workbook.create_sheet(f"Blad {n}")
        width, left = divmod(cells, rows) if rows else (0, 0)
        for r in range(rows):
            sheet.append([text] * (width + (1 if r < left else 0)))
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
    return time.perf_counter() - started


def coordinator() -> User:
    user = db.session.scalar(select(User).where(User.email == "bank@example.org"))
    if user is None:
        user = User(email="bank@example.org", role="coordinator", name="Bänk")
        user.set_password(bench_bulk_mail.PASSWORD)
        db.session.add(user)
        db.session.flush()  # the job takes its id
    return user


def fresh_schema() -> None:
    db.session.remove()
    db.drop_all()
    db.create_all()


def bench_workbook(env: dict[str, str], units: int, timeout: float) -> str:
    fresh_schema()
    started = time.perf_counter()
    round_ = db.session.get(Round, bench_export.build_round(units))
    assert round_ is not None
    job = enqueue(JobKind.WORKBOOK, round_, coordinator(), total=units, include_drafts=False, namnd_id=None)
    db.session.commit()
    built = time.perf_counter() - started
    r = run_worker(env, job.id, timeout)
    path = Path(env["EXPORT_DIR"]) / (r["job"].result_path or "")
    shapes = sheet_shapes(path)
    cells = sum(n for _rows, n in shapes)
    bare = bare_openpyxl(shapes)
    return (
        f"workbook, {units} units (built in {built:.1f} s): done {r['wall']:.1f} s after the worker's start "
        f"(job {r['own']:.1f} s); worker peak RSS {r['rss']:.0f} MB; {r['reports']} progress reports seen; "
        f"file {path.stat().st_size / 1024 / 1024:.1f} MB, {cells} cells; bare openpyxl write-only, as many cells "
        f"{bare:.1f} s: ratio {r['own'] / bare:.2f}"
    )


def bench_invitations(env: dict[str, str], units: int, timeout: float) -> str:
    fresh_schema()
    started = time.perf_counter()
    round_ = db.session.get(Round, bench_bulk_mail.build_round(units))
    assert round_ is not None
    job = enqueue(JobKind.INVITATIONS, round_, coordinator(), total=0)
    db.session.commit()
    built = time.perf_counter() - started
    r = run_worker(env, job.id, timeout)
    rows = [
        dict(row._mapping)
        for row in db.session.execute(
            select(*(getattr(OutboxMessage, c) for c in OUTBOX_COLUMNS)).where(OutboxMessage.job_id == job.id)
        )
    ]
    messages = len(rows)
    reported = (r["job"].result or {}).get("messages")
    begun = time.perf_counter()
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()
    bare = time.perf_counter() - begun
    return (
        f"invitations, {units} units (built in {built:.1f} s): done {r['wall']:.1f} s after the worker's start "
        f"(job {r['own']:.1f} s); worker peak RSS {r['rss']:.0f} MB; {r['reports']} progress reports seen; "
        f"{messages} messages queued (the job says {reported}); bare bulk INSERT of the same {messages} outbox "
        f"rows {bare:.3f} s: ratio {r['own'] / bare:.1f}"
    )


def bench_database(label: str, url: str, args) -> None:
    with tempfile.TemporaryDirectory(prefix="kartlaggning-jobs-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_URL": "http://127.0.0.1",
            "EXPORT_DIR": f"{folder}/exports",
            "UPLOAD_DIR": f"{folder}/uploads",
        }
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": env["SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": url,
                "EXPORT_DIR": env["EXPORT_DIR"],
            }
        )
        with app.app_context():
            print(f"== {label} ==", flush=True)
            if args.units:
                print("  " + bench_workbook(env, args.units, args.timeout), flush=True)
            if args.invitations:
                print("  " + bench_invitations(env, args.invitations, args.timeout), flush=True)
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000, help="units in the workbook's round (0: skip)")
    parser.add_argument("--invitations", type=int, default=5_000, help="units invited (0: skip)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a job may take before the bench gives up")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="kartlaggning-sqlite-") as folder:
            bench_database("SQLite", f"sqlite:///{folder}/bench.sqlite", args)
    if args.database in ("postgres", "both"):
        url = os.environ.get("TEST_DATABASE_URL")
        if url:
            bench_database("PostgreSQL", url, args)
        else:  # a child run inside the throwaway cluster
            child = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--database", "postgres"]
            if subprocess.run([str(ROOT / "tests" / "with-postgres.sh"), *child], check=False).returncode:  # noqa: S603
                raise SystemExit("the PostgreSQL run failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
