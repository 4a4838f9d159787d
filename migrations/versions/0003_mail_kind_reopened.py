"""mail_template: a new kind, 'reopened', the message that tells a unit its answers are open again

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:20:00

"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BEFORE = ("invitation", "reminder", "password_reset", "account_invitation")
AFTER = BEFORE + ("reopened",)


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
    op.execute("DELETE FROM mail_template WHERE kind = 'reopened'")
    replace_check(BEFORE)
