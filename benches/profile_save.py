"""In-process cost of the contact person's two commonest requests: a section page (GET) and a save (autosave
POST), on a temporary SQLite database built by bench_load.build_round; --profile shows pyinstrument's tree.
The CPU time is this process's, which a machine loaded by others disturbs less than the wall-clock time.

    .venv/bin/python benches/profile_save.py [--repeat 50] [--profile]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benches"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's profile of the repeats")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kartlaggning-profile-")
    os.environ.update(DATABASE_URL=f"sqlite:///{folder}/p.sqlite", SECRET_KEY="profile", COORDINATOR_EMAIL="x@y.se")
    from bench_load import build_round, form_fields

    from survey import create_app
    from survey.extensions import db

    app = create_app(
        {"SECRET_KEY": "profile", "SESSION_COOKIE_SECURE": False, "EXPORT_DIR": folder, "UPLOAD_DIR": folder}
    )
    with app.app_context():
        db.create_all()
        plan = build_round(2, 1)
    client = app.test_client()
    assignment_id, link = plan["links"][0]
    assert client.get(link).status_code == 303
    url = f"/svar/{assignment_id}/avsnitt/{plan['sections'][0]}"
    fields = dict(form_fields(client.get(url).get_data(as_text=True)))

    def page():
        assert client.get(url).status_code == 200

    def save(n=[0]):  # noqa: B006  a counter kept between calls
        n[0] += 1
        data = {**fields, plan["field"]: f"text {n[0]}", "action": "autosave"}
        reply = client.post(url, data=data).get_json()
        assert reply["ok"], reply
        fields.update(version=str(reply["version"]), base=reply["base"])

    for name, request in (("section GET", page), ("autosave POST", save)):
        request()  # the first of each parses and compiles what later ones reuse
        times, cpu = [], []
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            request()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if profiler:
            profiler.stop()
            print(re.sub(r"\n\s*\n", "\n", profiler.output_text(unicode=True, show_all=False)))
        print(
            f"{name}: median {statistics.median(times) * 1000:.1f} ms, CPU {statistics.median(cpu) * 1000:.1f} ms "
            f"(median of {args.repeat})"
        )


if __name__ == "__main__":
    main()
