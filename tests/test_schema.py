"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import MailKind, MailTemplate


def test_migrations_produce_the_models_schema(app):
    with app.app_context():
        db.drop_all()
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []


def test_migrated_constraints_accept_every_kind_the_code_knows(app):
    """Check constraints are not compared above, so try them: every mail kind can be stored."""
    with app.app_context():
        db.drop_all()
        upgrade()
        db.session.add_all([MailTemplate(kind=kind, subject="s", body="b") for kind in MailKind])
        db.session.commit()
        assert db.session.query(MailTemplate).count() == len(MailKind)
        db.session.add(MailTemplate(kind="bogus", subject="s", body="b"))
        with pytest.raises(IntegrityError):
            db.session.commit()  # and the check is still there
        db.session.rollback()


def test_migrations_downgrade_to_an_empty_database(app):
    with app.app_context():
        db.drop_all()
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
