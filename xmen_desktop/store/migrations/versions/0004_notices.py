"""Notices: attachments by content hash, the estates a notice covers, postings.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("salutation", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("publicity_from", sa.Date(), nullable=True),
        sa.Column("publicity_to", sa.Date(), nullable=True),
        sa.Column("image_id", sa.String(), nullable=True),
        sa.Column("original_image_id", sa.String(), nullable=True),
        sa.Column("image_caption", sa.String(), nullable=False),
        sa.Column("qr_text", sa.String(), nullable=False),
        sa.Column("qr_caption", sa.String(), nullable=False),
        sa.Column("layout", sa.String(), nullable=False),
        sa.Column("taken_down_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["attachment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["original_image_id"],
            ["attachment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notice_estate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_estate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_estate_estate_id"), ["estate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_estate_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "notice_posting",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("board", sa.String(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("posted_by", sa.String(), nullable=False),
        sa.Column("photo_id", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["attachment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_posting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_posting_notice_id"), ["notice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_posting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_posting_notice_id"))

    op.drop_table("notice_posting")
    with op.batch_alter_table("notice_estate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_estate_notice_id"))
        batch_op.drop_index(batch_op.f("ix_notice_estate_estate_id"))

    op.drop_table("notice_estate")
    op.drop_table("notice")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))

    op.drop_table("attachment")
