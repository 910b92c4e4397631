"""The vote's tally, the history note the system writes when a meeting's voting closes (表决情况), reads in
the reader's language: it is kept as a message (msgid and parameters) beside its Chinese text. A note
written before notes were kept so shows as it was stored (Chinese, marked as such)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import AuditEvent
from portal.services import audit
from tests.conftest import Clock
from tests.factories import committee_road
from tests.i18n.reading import in_english


def _tally_event(session: Session, application_id: int) -> AuditEvent:
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application_id,
            AuditEvent.action == Action.TALLY.value,
        )
    ).one()


def test_the_tally_note_reads_in_english_on_the_english_case_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _made, application = committee_road(session, clock, published=True)
    event = _tally_event(session, application.id)
    assert event.reason.startswith("出席专家") and event.reason.endswith(
        "：通过"
    )  # the Chinese kept as written
    browser = login_as(world.bureau.leader)
    chinese = browser.get(f"/review/applications/{application.id}").text
    assert event.reason in chinese
    english = in_english(browser).get(f"/review/applications/{application.id}").text
    assert "experts present:" in english and "votes for needed to pass: passed" in english
    assert event.reason not in english


def test_a_tally_note_stored_before_it_was_a_message_shows_as_stored(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _made, application = committee_road(session, clock, published=True)
    old = "出席专家5人，赞成5票、反对0票、弃权0票，通过须赞成4票：通过"
    audit.record(  # a note as one was written before (the audit trail is append-only: a row of its own)
        session, None, Action.TALLY.value, clock.now, object_type="application", object_id=application.id,
        from_status=Status.AWAITING_MEETING.value, to_status=Status.VOTED.value, reason=old,
    )  # fmt: skip
    english = in_english(login_as(world.bureau.leader)).get(f"/review/applications/{application.id}").text
    assert f'<span lang="zh-CN">{old}</span>' in english
