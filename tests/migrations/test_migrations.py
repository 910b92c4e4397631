"""Migrations: an empty database migrates to head, agrees with the models, and downgrades cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from portal.models import Base
from tests.dbsetup import database_url


@pytest.fixture
def empty_app(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    url = database_url(f"portal_migrations_{worker_id}", tmp_path)
    fresh = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x" * 40})
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def test_an_empty_database_migrates_to_head_and_matches_the_models(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables


def test_every_migration_downgrades_and_upgrades_again(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "applications" in inspect(db.engine).get_table_names()


def test_migration_0014_fills_review_steps_from_the_audit_trail(empty_app: Flask) -> None:
    """The steps taken before the upgrade (audited transitions) become the same review_steps rows the
    app writes now, the handler each signature signs included."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.domain.workflow import Status
    from portal.models import ReviewStep
    from tests.factories import STEPS_TO, make_application, make_world

    columns = (
        ReviewStep.application_id,
        ReviewStep.org_id,
        ReviewStep.role,
        ReviewStep.action,
        ReviewStep.actor_id,
        ReviewStep.applicant_id,
        ReviewStep.handler_id,
    )
    with empty_app.app_context():
        upgrade()
        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        world = make_world(db.session)
        make_application(db.session, world, now, steps=STEPS_TO[Status.CERTIFIED])
        make_application(db.session, world, now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1)
        db.session.commit()
        written = db.session.execute(select(*columns).order_by(ReviewStep.id)).all()
        assert len(written) == 8 + 7
        db.session.remove()  # the migration needs the database to itself (SQLite: BEGIN IMMEDIATE)
        downgrade(revision="0011")
        upgrade()
        assert db.session.execute(select(*columns).order_by(ReviewStep.id)).all() == written
        db.session.remove()


def test_migration_0030_backfills_the_experts_terms_and_levels(empty_app: Flask) -> None:
    """Experts from before 0030: appointed on the (Shanghai) day they were added, for 3 years; the level
    read from the title's text where it says it, else NULL (待补充)."""
    from datetime import UTC, date, datetime

    from sqlalchemy import text

    from tests.factories import make_committee, make_committee_world, make_experts

    with empty_app.app_context():
        upgrade()
        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        world = make_committee_world(db.session, now)
        co = make_committee(db.session, world, now)
        ids = [e.id for e in make_experts(db.session, co, now, 3)]
        db.session.commit()
        db.session.remove()
        downgrade(revision="0029")
        with db.engine.begin() as connection:
            for expert_id, title, created in zip(
                ids,
                ("正高级工程师", "高级工程师", "资深专家"),
                ("2024-02-28 17:30:00", "2025-06-01 02:00:00", "2026-01-05 02:00:00"),
                strict=True,
            ):
                connection.execute(
                    text("UPDATE experts SET title = :title, created_at = :created WHERE id = :id"),
                    {"title": title, "created": created, "id": expert_id},
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT title_level, appointed_on, term_ends FROM experts ORDER BY id")
            ).all()
        as_dates = [(level, str(start)[:10], str(end)[:10]) for level, start, end in rows]
        assert as_dates == [
            ("正高级", "2024-02-29", "2027-02-28"),  # 17:30 UTC is the next day in Shanghai (a leap day)
            ("副高级", "2025-06-01", "2028-06-01"),
            (None, "2026-01-05", "2029-01-05"),
        ]
        assert date.fromisoformat(as_dates[0][1]) == date(2024, 2, 29)


def test_migration_0040_lets_a_meeting_be_cancelled_and_rebuilds_the_status_check(empty_app: Flask) -> None:
    """0040 rebuilds meetings' status CHECK on either engine (SQLite by batch copy, the meetings kept):
    'cancelled' is accepted after it, refused before it; a downgrade turns cancelled meetings back to
    planned rather than fail on them."""
    from datetime import UTC, date, datetime

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from portal.models import Meeting
    from tests.factories import make_committee, make_committee_world

    def status_check() -> str:
        checks = {c["name"]: c["sqltext"] for c in inspect(db.engine).get_check_constraints("meetings")}
        return str(checks["ck_meetings_status"])

    def set_status(status: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE meetings SET status = :s WHERE id = :id"), {"s": status, "id": ids[0]}
            )

    with empty_app.app_context():
        upgrade()
        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        world = make_committee_world(db.session, now)
        co = make_committee(db.session, world, now)
        meetings = [
            Meeting(
                committee_id=co.committee.id, held_on=date(2026, 11, 20), place=place,
                filing_due=date(2026, 11, 5), filing_clause="003 六(一)", created_by_id=world.admin.id,
            )
            for place in ("会议室一", "会议室二")
        ]  # fmt: skip
        db.session.add_all(meetings)
        db.session.commit()
        ids = [m.id for m in meetings]
        db.session.remove()
        assert "'cancelled'" in status_check()
        set_status("cancelled")

        downgrade(revision="0039")
        assert "'cancelled'" not in status_check() and "'published'" in status_check()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT status FROM meetings ORDER BY id")).scalars().all() == [
                "planned",
                "planned",
            ]
        with pytest.raises(IntegrityError):
            set_status("cancelled")

        upgrade()
        assert "'cancelled'" in status_check()
        set_status("cancelled")
        with pytest.raises(IntegrityError):
            set_status("withdrawn")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT place, status, cancel_reason FROM meetings ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [("会议室一", "cancelled", ""), ("会议室二", "planned", "")]


def test_a_migrated_database_refuses_switching_security_notices_off(empty_app: Flask) -> None:
    """email_opt_outs.topic's CHECK (0028) lists the topics a person may switch off; the security topic
    added since is not one of them, so the migrated database and the model agree without a migration
    (compare_metadata does not compare CHECKs: this does) and the database refuses such an opt-out."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from portal.domain.mail import OPTIONAL_TOPICS, EmailTopic
    from portal.models import EmailOptOut
    from tests.factories import make_user

    with empty_app.app_context():
        upgrade()
        checks = {
            c["name"]: str(c["sqltext"]) for c in inspect(db.engine).get_check_constraints("email_opt_outs")
        }
        listed = checks["ck_email_opt_outs_topic"]
        assert all(f"'{topic.value}'" in listed for topic in OPTIONAL_TOPICS)
        assert f"'{EmailTopic.SECURITY.value}'" not in listed
        model = next(c for c in EmailOptOut.__table__.constraints if c.name == "ck_email_opt_outs_topic")
        assert str(model.sqltext) == "topic IN (" + ", ".join(f"'{t.value}'" for t in OPTIONAL_TOPICS) + ")"
        user = make_user(db.session, "周文博")
        db.session.commit()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO email_opt_outs (user_id, topic) VALUES (:u, 'security')"), {"u": user.id}
            )
        db.session.remove()


def test_migration_0042_takes_internal_references_out_of_stored_committee_notes(empty_app: Flask) -> None:
    """A committee and a scope row loaded from the old Zhenjiang profile kept "（policy-spec §8 #17）" in
    their notes, shown on the committee's page; the rest of each note stays as it was."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from tests.factories import make_committee, make_committee_world

    with empty_app.app_context():
        upgrade()
        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        made = make_committee(db.session, make_committee_world(db.session, now), now)
        committee_id = made.committee.id
        db.session.commit()
        db.session.remove()
        downgrade(revision="0041")
        kept = "依据文件时间申报（时间另行通知）；单元格合并，受理地、级别与申报时间按序号13推定"
        old_scope = kept + "（policy-spec §8 #17）"
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE committees SET note = :note WHERE id = :id"),
                {
                    "note": "附件序号14单元格合并，受理单位与级别按序号13推定（policy-spec §8 #17）",
                    "id": committee_id,
                },
            )
            connection.execute(
                text("UPDATE committee_scopes SET note = :note WHERE committee_id = :id"),
                {"note": old_scope, "id": committee_id},
            )
            connection.execute(
                text(
                    "INSERT INTO committee_scopes (committee_id, row_no, specialties, place, levels, "
                    "pending, citation, note, source, updated_at) SELECT committee_id, '2', specialties, "
                    "place, levels, pending, citation, :note, source, updated_at FROM committee_scopes "
                    "WHERE committee_id = :id"
                ),
                {"note": "按设计（DESIGN §3）之外的说明保持不变", "id": committee_id},
            )
        upgrade()
        with db.engine.connect() as connection:
            committee_note = connection.scalar(
                text("SELECT note FROM committees WHERE id = :id"), {"id": committee_id}
            )
            scope_notes = connection.scalars(
                text("SELECT note FROM committee_scopes WHERE committee_id = :id ORDER BY row_no"),
                {"id": committee_id},
            ).all()
    assert committee_note == "附件序号14单元格合并，受理单位与级别按序号13推定"
    assert scope_notes == [
        "依据文件时间申报（时间另行通知）；单元格合并，受理地、级别与申报时间按序号13推定",
        "按设计之外的说明保持不变",
    ]
