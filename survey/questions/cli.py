"""`flask --app survey questionnaire …`: check, load, compare and export questionnaire files (TOML, or a
spreadsheet in the XLSForm layout) and stored versions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.clitools import fail, write_output
from survey.extensions import db
from survey.ids import parse_id
from survey.models import QuestionnaireVersion
from survey.questions.definition import Questionnaire, QuestionnaireError, parse
from survey.questions.languages import XLSFORM_NAMES, languages, missing
from survey.questions.versions import conflicts_with_stored, diff, stored_versions
from survey.questions.xlsform import write_workbook
from survey.questions.xlsform_reading import read_workbook

questionnaire_group = AppGroup(
    "questionnaire", help="Check, load, compare and export questionnaires (TOML or XLSForm spreadsheets)."
)


@questionnaire_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--language",
    "wanted",
    multiple=True,
    help="Also list the texts without a translation into this language (a code: en, ar …) if the file has none yet.",
)
def questionnaire_check(paths, wanted):
    """Validate questionnaire files (TOML or .xlsx), also against the stored versions; one line per problem,
    exit 1 if any. What a spreadsheet holds that cannot be carried over is a warning. For each language the
    file is translated into, the texts that still lack a translation are listed (they show in Swedish)."""
    problems = []
    for path in paths:
        try:
            definition = parse(file_source(Path(path)), name=str(path))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(conflicts_with_stored(definition, stored_or_none(definition.id), name=str(path)))
        echo_missing_translations(definition, str(path), wanted)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{len(paths)} file(s) valid.")


def echo_missing_translations(definition: Questionnaire, name: str, wanted: tuple[str, ...]) -> None:
    for language in dict.fromkeys([*languages(definition)[1:], *wanted]):
        lacking = missing(definition, language)
        said = f"{name}: {XLSFORM_NAMES.get(language, language)} ({language}): "
        if not lacking:
            click.echo(said + "every text is translated")
            continue
        click.echo(said + f"{len(lacking)} text(s) without a translation, shown in Swedish:")
        for text in lacking:
            click.echo(f"  {text}")


def stored_or_none(slug: str) -> list:
    """The stored versions, or none when there is no database to ask yet (a check before `db upgrade`)."""
    try:
        return stored_versions(slug)
    except SQLAlchemyError:
        db.session.rollback()
        return []


@questionnaire_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def questionnaire_load(path):
    """Store a questionnaire file as a version rounds can use (same text, same version)."""
    version = load_questionnaire(Path(path))
    db.session.commit()
    click.echo(f"{version.slug} {version.version} (id {version.id}, sha256 {version.content_hash[:12]})")


def file_source(path: Path) -> str:
    """The TOML text of a questionnaire file: the file itself, or read from a spreadsheet (.xlsx)."""
    if path.suffix.lower() == ".xlsx":
        return spreadsheet_source(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError([f"{path}: cannot be read: {exc}"]) from None


def spreadsheet_source(path: Path) -> str:
    """The TOML text of an XLSForm workbook, its warnings echoed; QuestionnaireError when it is refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    reading = read_workbook(data, name=str(path))
    for warning in reading.warnings:
        click.echo(f"warning: {warning}", err=True)
    if reading.problems:
        raise QuestionnaireError(reading.problems)
    return reading.source


def load_questionnaire(path: Path) -> QuestionnaireVersion:
    try:
        return QuestionnaireVersion.from_source(file_source(path))
    except QuestionnaireError as exc:
        fail("\n".join(p.replace("<questionnaire>", str(path)) for p in exc.problems))


@questionnaire_group.command("diff")
@click.argument("old")
@click.argument("new")
def questionnaire_diff(old, new):
    """What changed from OLD to NEW: each a file, or a stored version as SLUG@VERSION or its id."""
    before, after = find_definition(old), find_definition(new)
    changes = diff(before, after)
    click.echo(
        f"{before.id} {before.version} → {after.id} {after.version}: "
        f"{sum(c.kind == 'added' for c in changes)} added, {sum(c.kind == 'removed' for c in changes)} removed, "
        f"{sum(c.kind == 'changed' for c in changes)} changed"
    )
    for change in changes:
        click.echo(str(change))


def find_definition(ref: str) -> Questionnaire:
    """A questionnaire file (TOML or .xlsx), or a stored version named SLUG@VERSION or by its id."""
    return parse(find_source(ref), name=ref)


def find_source(ref: str) -> str:
    """The TOML text of a questionnaire file, of a spreadsheet, or of a stored version (SLUG@VERSION or id)."""
    if Path(ref).is_file():
        try:
            source = file_source(Path(ref))
            parse(source, name=ref)
        except QuestionnaireError as exc:
            fail("\n".join(exc.problems))
        return source
    slug, _at, label = ref.partition("@")
    version = None
    if label:
        version = db.session.scalar(
            select(QuestionnaireVersion).where(QuestionnaireVersion.slug == slug, QuestionnaireVersion.version == label)
        )
    elif (version_id := parse_id(ref)) is not None:
        version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        fail(
            f"{ref}: no such file, and no stored version (give SLUG@VERSION or an id; "
            "'flask --app survey questionnaire load' stores a file)"
        )
    return version.source


@questionnaire_group.command("export")
@click.argument("ref")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="the file to write (default: in EXPORT_DIR)")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["xlsx", "toml"]),
    help="xlsx: a spreadsheet in the XLSForm layout; toml: the text itself (default: from the file name, else xlsx)",
)
def questionnaire_export(ref, output, format_):
    """Write a stored version (SLUG@VERSION or its id) or a file as a spreadsheet or as TOML; loading the
    spreadsheet again gives the same version (the same content hash)."""
    source = find_source(ref)
    definition = parse(source)
    format_ = format_ or ("toml" if output and Path(output).suffix.lower() == ".toml" else "xlsx")
    path = (
        Path(output)
        if output
        else Path(current_app.config["EXPORT_DIR"]) / f"{definition.id}-{definition.version}.{format_}"
    )
    data = source.encode("utf-8") if format_ == "toml" else workbook_of(source, definition)
    write_output(path, data)
    click.echo(f"{definition.id} {definition.version} written to {path}")


def workbook_of(source: str, definition: Questionnaire) -> bytes:
    """The spreadsheet, refused rather than written if reading it back would not give the very same text."""
    try:
        data = write_workbook(source)
    except IllegalCharacterError:
        fail(
            f"{definition.id} {definition.version}: a text holds a control character no spreadsheet can hold; "
            "export it with --format toml"
        )
    reading = read_workbook(data, name="the spreadsheet")
    if reading.source != source:
        fail(
            f"{definition.id} {definition.version}: the spreadsheet would not load as the same version "
            f"({'; '.join(reading.problems + reading.warnings) or 'its text differs'}); export it with --format toml"
        )
    return data
