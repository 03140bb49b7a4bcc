"""Sync: site keys, trust, peers, history, review items, conflicts, resolutions.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_row",
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "row_id"),
    )
    op.create_table(
        "conflict",
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("loser", sa.String(), nullable=False),
        sa.Column("winner", sa.String(), nullable=False),
        sa.Column("loser_value", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("tbl", "row_id", "field", "loser"),
    )
    op.create_table(
        "local_setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "peer",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("acks", sa.String(), nullable=False),
        sa.Column("last_in", sa.String(), nullable=True),
        sa.Column("last_out", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "review_item",
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("candidates", sa.String(), nullable=False),
        sa.Column("found_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "row_id", "field"),
    )
    op.create_table(
        "review_resolution",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("superseded", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_resolution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_resolution_row_id"), ["row_id"], unique=False)

    op.create_table(
        "site_key",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("bound_path", sa.String(), nullable=False),
        sa.Column("machine_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "sync_history",
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("peer_site", sa.String(), nullable=False),
        sa.Column("peer_name", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id"),
    )
    op.create_table(
        "trusted_site",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("trusted_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )


def downgrade() -> None:
    op.drop_table("pending_row")
    op.drop_table("trusted_site")
    op.drop_table("sync_history")
    op.drop_table("site_key")
    with op.batch_alter_table("review_resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_resolution_row_id"))

    op.drop_table("review_resolution")
    op.drop_table("review_item")
    op.drop_table("peer")
    op.drop_table("local_setting")
    op.drop_table("conflict")
