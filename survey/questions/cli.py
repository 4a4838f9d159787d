"""`flask --app survey questionnaire …`: check, load and compare questionnaire files and stored versions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.ids import parse_id
from survey.models import QuestionnaireVersion
from survey.questions.definition import Questionnaire, QuestionnaireError, load_file
from survey.questions.versions import conflicts_with_stored, diff, stored_versions

questionnaire_group = AppGroup("questionnaire", help="Check, load and compare questionnaire files.")


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


@questionnaire_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
def questionnaire_check(paths):
    """Validate questionnaire files, also against the stored versions; one line per problem, exit 1 if any."""
    problems = []
    for path in paths:
        try:
            definition = load_file(path)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(conflicts_with_stored(definition, stored_or_none(definition.id), name=str(path)))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{len(paths)} file(s) valid.")


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


def load_questionnaire(path: Path) -> QuestionnaireVersion:
    try:
        source = path.read_text(encoding="utf-8")
        return QuestionnaireVersion.from_source(source)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot be read: {exc}")
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
    """A questionnaire file, or a stored version named SLUG@VERSION or by its id."""
    if Path(ref).is_file():
        try:
            return load_file(ref)
        except QuestionnaireError as exc:
            fail("\n".join(exc.problems))
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
    return version.definition
