"""The schema as `create_all` made it before migrations: every table, frozen.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

The tables are declared here, not imported from the models, so this revision stays what it
is when the models move on. `schema()` is also what a database made by the old `create_all`
(no alembic_version table) is compared with before it is stamped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def _index(
    metadata: sa.MetaData, name: str, table: str, *columns: str, unique: bool = False
) -> None:
    sa.Index(name, *(metadata.tables[table].c[c] for c in columns), unique=unique)


def schema() -> sa.MetaData:
    """The tables, indexes and constraints of revision 0001."""
    metadata = sa.MetaData()
    sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("handle_key", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("banned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handle_key"),
    )
    _index(metadata, "ix_account_role", "account", "role")
    sa.Table(
        "handoff_event",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("webhook_id"),
    )
    _index(metadata, "ix_handoff_candidate", "handoff_event", "candidate_id", "status", "id")
    _index(metadata, "ix_handoff_due", "handoff_event", "status", "next_attempt_at")
    _index(metadata, "ix_handoff_event_account_id", "handoff_event", "account_id")
    sa.Table(
        "jobs_candidate",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("education_level", sa.String(length=16), nullable=False),
        sa.Column("field_of_study", sa.String(length=200), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("sectors_text", sa.String(length=128), nullable=False),
        sa.Column("experience_level", sa.String(length=16), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("regions_text", sa.String(length=64), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(length=64), nullable=False),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quest", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("percentile", sa.Float(), nullable=False),
        sa.Column("badges", sa.JSON(), nullable=False),
        sa.Column("tracks_completed", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id"),
    )
    _index(metadata, "ix_jobs_candidate_account_id", "jobs_candidate", "account_id")
    _index(
        metadata, "ix_jobs_candidate_consent_converted", "jobs_candidate", "consent", "converted_at"
    )
    _index(metadata, "ix_jobs_candidate_consent_score", "jobs_candidate", "consent", "score")
    _index(metadata, "ix_jobs_candidate_converted_at", "jobs_candidate", "converted_at")
    _index(metadata, "ix_jobs_candidate_education_level", "jobs_candidate", "education_level")
    _index(metadata, "ix_jobs_candidate_experience_level", "jobs_candidate", "experience_level")
    _index(
        metadata,
        "ix_jobs_candidate_filters",
        "jobs_candidate",
        "consent",
        "sectors_text",
        "regions_text",
        "education_level",
        "experience_level",
        "percentile",
    )
    _index(metadata, "ix_jobs_candidate_percentile", "jobs_candidate", "percentile")
    _index(metadata, "ix_jobs_candidate_score", "jobs_candidate", "score")
    sa.Table(
        "jobs_company",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("offices", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    _index(metadata, "ix_jobs_company_sector", "jobs_company", "sector")
    sa.Table(
        "jobs_erased_candidate",
        metadata,
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    sa.Table(
        "jobs_received_webhook",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("webhook_id"),
    )
    sa.Table(
        "jobs_recruiter_audit",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recruiter_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_jobs_recruiter_audit_at", "jobs_recruiter_audit", "at")
    _index(metadata, "ix_jobs_recruiter_audit_candidate_id", "jobs_recruiter_audit", "candidate_id")
    _index(metadata, "ix_jobs_recruiter_audit_recruiter_id", "jobs_recruiter_audit", "recruiter_id")
    sa.Table(
        "jobs_recruiter_note",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recruiter_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_jobs_recruiter_note_candidate_id", "jobs_recruiter_note", "candidate_id")
    _index(
        metadata,
        "ix_jobs_recruiter_note_owner",
        "jobs_recruiter_note",
        "recruiter_id",
        "candidate_id",
    )
    sa.Table(
        "jobs_shortlist",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recruiter_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recruiter_id", "candidate_id"),
    )
    _index(metadata, "ix_jobs_shortlist_candidate_id", "jobs_shortlist", "candidate_id")
    _index(metadata, "ix_jobs_shortlist_recruiter_id", "jobs_shortlist", "recruiter_id")
    sa.Table(
        "quest",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    sa.Table(
        "api_token",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    _index(metadata, "ix_api_token_account_id", "api_token", "account_id")
    sa.Table(
        "board_archive",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quest_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["quest_id"],
            ["quest.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quest_id", "scope"),
    )
    _index(metadata, "ix_board_archive_quest_id", "board_archive", "quest_id")
    sa.Table(
        "challenge",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quest_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("prompt", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("requires", sa.JSON(), nullable=True),
        sa.Column("hints", sa.JSON(), nullable=True),
        sa.Column("scoring", sa.JSON(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("solve_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quest_id"],
            ["quest.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quest_id", "slug"),
    )
    _index(metadata, "ix_challenge_quest_id", "challenge", "quest_id")
    sa.Table(
        "idempotent_response",
        metadata,
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "key"),
    )
    sa.Table(
        "jobs_job",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hiring_organization_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("degree", sa.String(length=16), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("open_to", sa.JSON(), nullable=False),
        sa.Column("open_to_text", sa.String(length=64), nullable=False),
        sa.Column("employment_type", sa.String(length=32), nullable=False),
        sa.Column("date_posted", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_through", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hiring_organization_id"],
            ["jobs_company.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_jobs_job_date_posted", "jobs_job", "date_posted")
    _index(metadata, "ix_jobs_job_degree", "jobs_job", "degree")
    _index(metadata, "ix_jobs_job_hiring_organization_id", "jobs_job", "hiring_organization_id")
    _index(metadata, "ix_jobs_job_level", "jobs_job", "level")
    _index(metadata, "ix_jobs_job_programme", "jobs_job", "programme")
    _index(metadata, "ix_jobs_job_sector", "jobs_job", "sector")
    sa.Table(
        "jobseeker",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("education_level", sa.String(length=16), nullable=False),
        sa.Column("field_of_study", sa.String(length=200), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("experience_level", sa.String(length=16), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(length=64), nullable=False),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_history", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id"),
        sa.UniqueConstraint("candidate_id"),
    )
    sa.Table(
        "track",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quest_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quest_id"],
            ["quest.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quest_id", "slug"),
    )
    _index(metadata, "ix_track_quest_id", "track", "quest_id")
    sa.Table(
        "attempt",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.String(length=500), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_attempt_account_challenge", "attempt", "account_id", "challenge_id")
    _index(metadata, "ix_attempt_submitted", "attempt", "submitted_at")
    sa.Table(
        "hint_unlock",
        metadata,
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "challenge_id", "n"),
    )
    sa.Table(
        "jobs_interest",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs_job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "job_id"),
    )
    _index(metadata, "ix_jobs_interest_candidate_id", "jobs_interest", "candidate_id")
    _index(metadata, "ix_jobs_interest_job_id", "jobs_interest", "job_id")
    sa.Table(
        "progress",
        metadata,
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "challenge_id"),
    )
    sa.Table(
        "solve",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("quest_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("base", sa.Integer(), nullable=False),
        sa.Column("speed_bonus", sa.Integer(), nullable=False),
        sa.Column("first_bonus", sa.Integer(), nullable=False),
        sa.Column("hint_cost", sa.Integer(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
        ),
        sa.ForeignKeyConstraint(
            ["quest_id"],
            ["quest.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "challenge_id", name="uq_solve_once"),
    )
    _index(metadata, "ix_solve_account", "solve", "account_id")
    _index(metadata, "ix_solve_quest_id", "solve", "quest_id")
    _index(metadata, "ix_solve_quest_time", "solve", "quest_id", "solved_at")

    return metadata


def upgrade() -> None:
    schema().create_all(op.get_bind())


def downgrade() -> None:
    schema().drop_all(op.get_bind())
