"""The export benchmark's data builder and measurement run on a small round, so the benchmark cannot rot."""

import re
import sys

from helpers import ROOT


def test_benchmark_builds_and_measures_a_small_round(app):
    sys.path.insert(0, str(ROOT / "benches"))
    import bench_export

    with app.app_context():
        round_id = bench_export.build_round(20)
        result = bench_export.measure(round_id, repeat=1)
    assert set(result) == {"export", "cells", "values", "peak"} and all(v > 0 for v in result.values())


def test_load_benchmark_runs_small_and_loses_nothing(capsys):
    """bench_load end to end on SQLite with tiny settings: gunicorn up, the mix run (and again without the
    coordinator, with pauses), both yardsticks (the bare insert and the bare save), the database read back."""
    sys.path.insert(0, str(ROOT / "benches"))
    import bench_load

    tiny = ["--users", "2", "--seconds", "2", "--units", "3", "--database", "sqlite", "--workers", "1"]
    assert bench_load.main([*tiny, "--coordinator-cost", "--think", "0.01", "--bare-save"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"without its 1 coordinator\(s\), the 1 contact person\(s\) saved \d+\.\d/s: .* -?\d+ %", out)
    saves = re.search(r"saves/s (\d+\.\d), bare saves/s (\d+\.\d): ratio (\d+\.\d\d)", out)
    assert saves and float(saves.group(2)) > 0, out
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(
        r"saves/s ratio to bare insert: (\d+\.\d\d); p99 save ms: (\d+); lost acknowledged saves: (\d+)", last
    )
    assert match, last
    assert float(match.group(1)) > 0 and match.group(3) == "0"


def test_jobs_benchmark_runs_both_jobs_through_the_worker_process(capsys):
    """bench_jobs at a tiny size on SQLite: the workbook and the invitations each done by a real worker process,
    with its memory, the messages queued and a ratio to the baseline printed."""
    sys.path.insert(0, str(ROOT / "benches"))
    import bench_jobs

    assert bench_jobs.main(["--units", "5", "--invitations", "4", "--database", "sqlite"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"workbook, 5 units .*: done \d+\.\d s .* worker peak RSS \d+ MB; .* ratio \d+\.\d\d$", out, re.M)
    assert re.search(r"invitations, 4 units .* 4 messages queued \(the job says 4\); .* ratio \d+\.\d$", out, re.M)
