"""Scenarios written in the app: the author's draft, published versions, shares with
groups; an attempt records the version it used; a round may follow an earlier one (the
debrief compares them) and keeps the lines its trainer picked for the debrief.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "authored_scenarios",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "authored_id",
            sa.Integer(),
            sa.ForeignKey("authored_scenarios.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("published_at", WHEN, nullable=False),
        sa.UniqueConstraint("authored_id", "version"),
    )
    op.create_table(
        "scenario_shares",
        sa.Column(
            "authored_id",
            sa.Integer(),
            sa.ForeignKey("authored_scenarios.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_scenario_shares_group_id", "scenario_shares", ["group_id"])
    with op.batch_alter_table("attempts") as attempts:
        attempts.add_column(sa.Column("scenario_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("rounds") as rounds:
        rounds.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        rounds.create_foreign_key("fk_rounds_follows_id", "rounds", ["follows_id"], ["id"], ondelete="SET NULL")
        rounds.add_column(sa.Column("debrief_picks", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as rounds:
        rounds.drop_column("debrief_picks")
        rounds.drop_constraint("fk_rounds_follows_id", type_="foreignkey")
        rounds.drop_column("follows_id")
    with op.batch_alter_table("attempts") as attempts:
        attempts.drop_column("scenario_version")
    op.drop_index("ix_scenario_shares_group_id", "scenario_shares")
    op.drop_table("scenario_shares")
    op.drop_table("scenario_versions")
    op.drop_table("authored_scenarios")
