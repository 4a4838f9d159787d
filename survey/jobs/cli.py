"""`flask --app survey jobs work`: the worker that runs background jobs (`make run` starts one beside the server)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.jobs.worker import run_pending, work_forever

jobs_group = AppGroup("jobs", help="Background jobs: invitations to a whole round, links files, big workbooks.")


@jobs_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--interval", type=float, default=2.0, show_default=True, help="Seconds between looks for new jobs.")
def work(once: bool, interval: float) -> None:
    """Run queued jobs, and take over those whose worker stopped; any number of workers may run at once."""
    if once:
        click.echo(f"{run_pending()} jobs run.")
        return
    work_forever(interval)
