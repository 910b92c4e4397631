"""The expert pool's refused steps are audited as `deactivate_expert`'s are (a denied row on the committee
with the expert, a reason code and the fields refused; never the values typed): adding an expert, renewing
a term, setting the title level. The row outlives the request's rollback (`audit.record_attempt`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import ValidationFailed
from portal.models import AuditEvent, StaffRole
from portal.services import votes
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world, make_experts, phone, resident_id


def _denied(session: Session, action: str) -> list[dict[str, object]]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.outcome == "denied")
        .order_by(AuditEvent.id)
    )
    return [{"on": (e.object_type, e.object_id), **e.detail} for e in rows]


def test_a_refused_addition_is_audited_with_its_code_and_fields(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    (expert,) = make_experts(session, co, clock.now, 1)
    handler = co.office.actor(StaffRole.HANDLER)
    committee = ("committee", expert.committee_id)
    data = votes.ExpertInput(
        name="新专家", id_number=resident_id(), phone=phone(), series="工程", specialty="建设工程",
        title="高级工程师", employer_name="镇江市建筑设计院",
    )  # fmt: skip

    with pytest.raises(ValidationFailed) as twice:
        votes.add_expert(
            session,
            handler,
            replace(data, name=expert.user.name, id_number=expert.user.id_number, phone=expert.user.phone),
            clock.now,
        )
    assert twice.value.code == "already_in_pool", twice.value.fields
    with pytest.raises(ValidationFailed) as unknown:
        votes.add_expert(session, handler, replace(data, series="天文学"), clock.now)
    assert unknown.value.code == "unknown_series"
    with pytest.raises(ValidationFailed) as low:
        votes.add_expert(session, handler, replace(data, title_level="员级"), clock.now)
    assert low.value.code == "below_committee_level"
    with pytest.raises(ValidationFailed) as empty:
        votes.add_expert(session, handler, replace(data, specialty=""), clock.now)
    assert empty.value.code == "invalid_expert"

    denied = _denied(session, "add_expert")
    assert [(d["code"], d["fields"]) for d in denied] == [
        ("already_in_pool", ["id_number"]),
        ("unknown_series", ["series"]),
        ("below_committee_level", ["title_level"]),
        ("invalid_expert", ["specialty"]),
    ]
    assert all(d["on"] == committee and d["expert_id"] is None for d in denied)
    # What was typed (an ID number among it) stays out of the audit row.
    assert all(data.id_number not in str(d) for d in denied)


def test_refused_renewals_and_levels_are_audited_on_the_expert(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    (expert,) = make_experts(session, co, clock.now, 1)
    handler = co.office.actor(StaffRole.HANDLER)
    before = (expert.appointed_on, expert.term_ends, expert.title_level)
    yesterday = (clock.now - timedelta(days=1)).date().isoformat()
    a_year_ago = (clock.now - timedelta(days=365)).date().isoformat()

    with pytest.raises(ValidationFailed) as ended:
        votes.renew_expert(session, handler, expert.id, votes.TermInput(a_year_ago, yesterday), clock.now)
    assert ended.value.code == "term_ended"
    with pytest.raises(ValidationFailed) as missing:
        votes.renew_expert(session, handler, expert.id, votes.TermInput("", ""), clock.now)
    assert missing.value.code == "invalid_term"
    with pytest.raises(ValidationFailed) as level:
        votes.set_title_level(session, handler, expert.id, "特级", clock.now)
    assert level.value.code == "invalid_level"

    assert (expert.appointed_on, expert.term_ends, expert.title_level) == before
    assert [(d["code"], d["fields"], d["expert_id"]) for d in _denied(session, "renew_expert")] == [
        ("term_ended", ["term_ends"], expert.id),
        ("invalid_term", ["appointed_on", "term_ends"], expert.id),
    ]
    assert [(d["code"], d["fields"], d["expert_id"]) for d in _denied(session, "set_expert_level")] == [
        ("invalid_level", ["title_level"], expert.id),
    ]
