"""The export benchmark's data builder and measurement run on a small round, so the benchmark cannot rot."""

import sys

from helpers import ROOT


def test_benchmark_builds_and_measures_a_small_round(app):
    sys.path.insert(0, str(ROOT / "benches"))
    import bench_export

    with app.app_context():
        round_id = bench_export.build_round(20)
        result = bench_export.measure(round_id, repeat=1)
    assert set(result) == {"export", "cells", "values", "peak"} and all(v > 0 for v in result.values())
