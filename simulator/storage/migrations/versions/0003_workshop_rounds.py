"""Workshop rounds: a trainer's round (join code, scenarios, time box, guests, anonymity)
and its participants; an attempt may belong to a round, which lets its trainer read it; a
user may be a guest (joined a round with a display name only).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("join_code", sa.String(16), nullable=False, unique=True, index=True),
        sa.Column("scenario_ids", sa.JSON(), nullable=False),
        sa.Column("difficulty", sa.String(16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("guests", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("ends_at", WHEN, nullable=True),
        sa.Column("paused_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "round_participants",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("joined_at", WHEN, nullable=False),
        sa.Column("show_lines", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_round_participants_user_id", "round_participants", ["user_id"])
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("guest", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("attempts") as attempts:
        attempts.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        attempts.create_foreign_key("fk_attempts_round_id", "rounds", ["round_id"], ["id"], ondelete="SET NULL")
        attempts.create_index("ix_attempts_round_id", ["round_id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("guest")
    with op.batch_alter_table("attempts") as attempts:
        attempts.drop_index("ix_attempts_round_id")
        attempts.drop_constraint("fk_attempts_round_id", type_="foreignkey")
        attempts.drop_column("round_id")
    op.drop_table("round_participants")
    op.drop_table("rounds")
