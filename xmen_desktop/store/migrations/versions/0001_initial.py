"""Initial schema: sites, estates, households, residents, body members, the change log.

The six estates are genesis data: every PC inserts the same rows with the same deterministic
ids here, without change-log entries, so they never need to travel in a bundle.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from xmen_desktop.domain.ids import natural_id

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPLICATION_ID = 0x584D454E  # "XMEN": how we recognise our own files
# Frozen here on purpose: changing a code would change that estate's id on every PC.
GENESIS_ESTATES = (
    ("xiaoximen", "小西门"),
    ("longmencun", "龙门村"),
    ("puyuli", "普育里"),
    ("jingdeli", "景德里"),
    ("anlan", "安澜"),
    ("luxing", "陆兴"),
)


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.Integer(), nullable=False),
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("base_site", sa.String(length=36), nullable=True),
        sa.Column("base_counter", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "counter"),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_log_hlc"), ["hlc"], unique=False)
        batch_op.create_index("ix_change_log_row", ["tbl", "row_id", "field"], unique=False)

    op.create_table(
        "field_version",
        sa.Column("tbl", sa.String(), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.Integer(), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "row_id", "field"),
    )
    op.create_table(
        "estate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("estate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_estate_code"), ["code"], unique=True)

    op.create_table(
        "local_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("site_name", sa.String(), nullable=False),
        sa.Column("last_hlc", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "site_counter",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("address_key", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("area_centi", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_address_key"), ["address_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_estate_id"), ["estate_id"], unique=False)

    op.create_table(
        "resident",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("relation", sa.String(), nullable=False),
        sa.Column("gender", sa.String(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "body_member",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("resident_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("body_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_member_body"), ["body"], unique=False)
        batch_op.create_index(batch_op.f("ix_body_member_estate_id"), ["estate_id"], unique=False)

    estate = sa.table(
        "estate",
        sa.column("id", sa.String),
        sa.column("cl", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        estate,
        [
            {"id": natural_id("estate", code), "cl": 1, "code": code, "name": name, "position": i}
            for i, (code, name) in enumerate(GENESIS_ESTATES, start=1)
        ],
    )
    op.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def downgrade() -> None:
    with op.batch_alter_table("body_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_member_estate_id"))
        batch_op.drop_index(batch_op.f("ix_body_member_body"))

    op.drop_table("body_member")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_household_id"))

    op.drop_table("resident")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_estate_id"))
        batch_op.drop_index(batch_op.f("ix_household_address_key"))

    op.drop_table("household")
    op.drop_table("site_counter")
    op.drop_table("field_version")
    op.drop_table("site")
    op.drop_table("local_identity")
    with op.batch_alter_table("estate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estate_code"))

    op.drop_table("estate")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_log_hlc"))
        batch_op.drop_index("ix_change_log_row")

    op.drop_table("change_log")
