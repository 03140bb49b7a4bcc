"""Operators (who signs in), audit events, erasure markers; who made each change.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("estates", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("pin_allowed", sa.Boolean(), nullable=False),
        sa.Column("pin_hash", sa.String(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("operator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operator_username"), ["username"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_operator"), ["operator"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_estate_id"), ["estate_id"], unique=False)

    # History that matters is append-only: not even a bug can rewrite it.
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )

    op.create_table(
        "erasure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("erased_at", sa.String(), nullable=False),
        sa.Column("erased_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("erasure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_target_id"), ["target_id"], unique=False)

    op.create_table(
        "sign_in_failure",
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )

    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("estate_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_column("estate_id")
        batch_op.drop_column("operator")
    op.drop_table("sign_in_failure")
    op.drop_table("erasure")
    op.drop_table("audit_event")
    op.drop_table("operator")
