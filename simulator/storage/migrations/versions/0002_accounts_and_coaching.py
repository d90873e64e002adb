"""Accounts (password, single sign-on, invites, sign-in failures), coaching (groups,
assignments, comments, corrections, score adjustments), the audit log and app settings.

Only adds: existing rows keep their values (a user of 0.1.0 has no password and stays
active; an attempt has no assignment).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLE = sa.Enum("coachee", "coach", "trainer", "admin", name="role", native_enum=False, length=16)
WHEN = sa.DateTime(timezone=True)


def attempt_column() -> sa.Column:
    """The attempt a review record belongs to: it goes when the attempt goes."""
    attempts = sa.ForeignKey("attempts.id", ondelete="CASCADE")
    return sa.Column("attempt_id", sa.Integer(), attempts, nullable=False, index=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("email", sa.String(254), nullable=True))
        users.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        users.add_column(sa.Column("oidc_subject", sa.String(300), nullable=True))
        users.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        users.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        users.add_column(sa.Column("last_login_at", WHEN, nullable=True))
        users.create_index("ix_users_email", ["email"], unique=True)
        users.create_index("ix_users_oidc_subject", ["oidc_subject"], unique=True)

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("coach_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added_at", WHEN, nullable=False),
    )
    op.create_index("ix_group_members_user_id", "group_members", ["user_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("difficulty", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("target_score", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    with op.batch_alter_table("attempts") as attempts:
        attempts.add_column(sa.Column("assignment_id", sa.Integer(), nullable=True))
        attempts.create_foreign_key(
            "fk_attempts_assignment_id", "assignments", ["assignment_id"], ["id"], ondelete="SET NULL"
        )
        attempts.create_index("ix_attempts_assignment_id", ["assignment_id"])

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "attempt_id", sa.Integer(), sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("turn_idx", sa.Integer(), nullable=True),
        sa.Column("reply_to", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "code_corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "attempt_id", sa.Integer(), sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("turn_idx", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("automatic", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "score_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "attempt_id", sa.Integer(), sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("dimension", sa.String(32), nullable=False),
        sa.Column("automatic", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("reader_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("at", WHEN, nullable=False, index=True),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("used_at", WHEN, nullable=True),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(254), nullable=False, index=True),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("app_settings", "login_failures", "invites", "audit_log", "score_adjustments"):
        op.drop_table(table)
    for table in ("code_corrections", "comments"):
        op.drop_table(table)
    with op.batch_alter_table("attempts") as attempts:
        attempts.drop_index("ix_attempts_assignment_id")
        attempts.drop_constraint("fk_attempts_assignment_id", type_="foreignkey")
        attempts.drop_column("assignment_id")
    for table in ("assignments", "group_members", "groups"):
        op.drop_table(table)
    with op.batch_alter_table("users") as users:
        users.drop_index("ix_users_oidc_subject")
        users.drop_index("ix_users_email")
        for column in ("last_login_at", "session_version", "active", "oidc_subject", "password_hash", "email"):
            users.drop_column(column)
