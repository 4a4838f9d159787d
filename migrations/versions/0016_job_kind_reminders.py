"""job: a new kind, 'reminders', "Påminn alla" for a big round run as a job like the invitations

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:55:00

"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BEFORE = ("invitations", "links", "workbook")
AFTER = ("invitations", "reminders", "links", "workbook")


def allowed(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def replace_check(kinds):
    # batch mode: SQLite cannot alter a constraint in place, so the table is rebuilt.
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_job_kind"), type_="check")
        batch_op.create_check_constraint("kind", allowed(kinds))


def upgrade():
    replace_check(AFTER)


def downgrade():
    op.execute("DELETE FROM job WHERE kind = 'reminders'")
    replace_check(BEFORE)
