"""Topics, supports, consultation rounds, votes, ballots and tally events.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estate_setting",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.Column("support_households", sa.Integer(), nullable=True),
        sa.Column("support_share", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("estate_setting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_estate_setting_estate_id"), ["estate_id"], unique=False
        )

    op.create_table(
        "topic",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("proposer_household_id", sa.String(), nullable=True),
        sa.Column("proposer_resident_id", sa.String(), nullable=True),
        sa.Column("proposer_name", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposer_household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposer_resident_id"],
            ["resident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_estate_id"), ["estate_id"], unique=False)

    op.create_table(
        "consultation_round",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_round_topic_id"), ["topic_id"], unique=False
        )

    op.create_table(
        "topic_support",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("supported_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("topic_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_support_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "topic_transition",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("topic_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topic_transition_topic_id"), ["topic_id"], unique=False
        )

    op.create_table(
        "vote",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("estate_id", sa.String(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("options", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("participation_share", sa.String(), nullable=True),
        sa.Column("pass_share", sa.String(), nullable=True),
        sa.Column("basis", sa.String(), nullable=True),
        sa.Column("electorate", sa.String(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("return_place", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("closed_at", sa.String(), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_estate_id"), ["estate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.String(), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("area_centi", sa.Integer(), nullable=True),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("choice", sa.String(), nullable=True),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("spoilt", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.String(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_serial"), ["serial"], unique=False)
        batch_op.create_index(batch_op.f("ix_ballot_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "consultation_contact",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.String(), nullable=False),
        sa.Column("household_id", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("opinion", sa.String(), nullable=False),
        sa.Column("said", sa.String(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["consultation_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_contact_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "ballot_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cl", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("choice", sa.String(), nullable=True),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("spoilt", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ballot_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_event_ballot_id"), ["ballot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ballot_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_event_ballot_id"))

    op.drop_table("ballot_event")
    with op.batch_alter_table("consultation_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_contact_round_id"))

    op.drop_table("consultation_contact")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_vote_id"))
        batch_op.drop_index(batch_op.f("ix_ballot_serial"))

    op.drop_table("ballot")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_topic_id"))
        batch_op.drop_index(batch_op.f("ix_vote_estate_id"))

    op.drop_table("vote")
    with op.batch_alter_table("topic_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_transition_topic_id"))

    op.drop_table("topic_transition")
    with op.batch_alter_table("topic_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_support_topic_id"))

    op.drop_table("topic_support")
    with op.batch_alter_table("consultation_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_round_topic_id"))

    op.drop_table("consultation_round")
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_estate_id"))

    op.drop_table("topic")
    with op.batch_alter_table("estate_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estate_setting_estate_id"))

    op.drop_table("estate_setting")
