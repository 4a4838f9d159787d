"""mail_template: a new kind, 'receipt', the message that confirms a unit's submitted answers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BEFORE = ("invitation", "reminder", "password_reset", "account_invitation", "reopened")
AFTER = BEFORE + ("receipt",)


def allowed(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def replace_check(kinds):
    # batch mode: SQLite cannot alter a constraint in place, so the table is rebuilt.
    with op.batch_alter_table("mail_template", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_template_kind"), type_="check")
        batch_op.create_check_constraint("kind", allowed(kinds))


def upgrade():
    replace_check(AFTER)


def downgrade():
    op.execute("DELETE FROM mail_template WHERE kind = 'receipt'")
    replace_check(BEFORE)
