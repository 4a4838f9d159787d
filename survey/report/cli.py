"""`flask --app survey report --round ROUND -o FILE.pdf`: the report's PDF, the same as the page's, of the whole tree."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("report")
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="The PDF file to write.")
@with_appcontext
def report_command(round_ref, output):
    """Write a round's yearly report as a PDF."""
    from survey.cli import find_round  # survey.cli registers this command
    from survey.clitools import write_output
    from survey.report.views import round_pdf_bytes

    round_ = find_round(round_ref)
    path = Path(output)
    with current_app.test_request_context():  # url_for() of the page's stylesheets, as in a request
        pdf = round_pdf_bytes(round_, None)
    write_output(path, pdf)
    click.echo(f"Written to {path}")
