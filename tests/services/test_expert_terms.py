"""An expert's term and title level (人社部令第40号, policy-spec §6): a term of at most 3 years, renewed as
a new term (audited); the level of the title they hold; a draw takes only experts in term on the meeting's
day holding a title at the committee's level or above, and a short one says how many are missing and why;
adding an expert to a panel by hand is refused for an unqualified one; the pool's warnings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import ValidationFailed
from portal.models import AuditEvent, StaffRole
from portal.services import meetings, votes
from tests.conftest import Clock
from tests.factories import (
    make_committee,
    make_committee_world,
    make_experts,
    make_review_application,
    phone,
    resident_id,
    to_meeting,
)

SENIOR = "中级,副高级,正高级"  # a 高级 committee: its experts hold 副高级 or 正高级


def _meeting(session: Session, clock: Clock, levels: str = SENIOR):  # type: ignore[no-untyped-def]
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels=levels)
    application = make_review_application(session, world, clock.now)
    to_meeting(session, world, co, application, clock.now)
    handler = co.office.actor(StaffRole.HANDLER)
    meeting = meetings.plan_meeting(
        session, handler, meetings.MeetingInput("2026-11-20", "会议室"), clock.now
    )
    meetings.add_to_agenda(session, handler, meeting.id, [application.id], clock.now)
    return co, handler, meeting


def _input(**fields: str) -> votes.ExpertInput:
    data = {
        "name": "王五", "id_number": resident_id(), "phone": phone(), "series": "工程",
        "specialty": "建设工程", "title": "高级工程师", "employer_name": "镇江市建筑设计院",
    }  # fmt: skip
    data.update(fields)
    return votes.ExpertInput(**data)


def test_a_term_longer_than_three_years_is_refused_citing_the_regulation(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels=SENIOR)
    handler = co.office.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed) as longer:
        votes.add_expert(
            session, handler, _input(appointed_on="2026-11-01", term_ends="2029-11-01"), clock.now
        )
    # Three years and a day: the term counts both its days, so it ends on 31 Oct 2029 at the latest.
    assert (
        "人社部令第40号" in longer.value.fields["term_ends"]
        and "2029年10月31日" in longer.value.fields["term_ends"]
    )
    added = votes.add_expert(session, handler, _input(appointed_on="2026-11-01"), clock.now).expert
    assert (added.appointed_on, added.term_ends, added.title_level) == (
        date(2026, 11, 1),
        date(2029, 10, 31),
        "副高级",
    )


def test_an_expert_below_the_committee_s_level_is_not_added_with_the_reason(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels=SENIOR)
    handler = co.office.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed) as low:
        votes.add_expert(session, handler, _input(title="工程师"), clock.now)
    assert "低于副高级" in low.value.fields["title_level"]
    with pytest.raises(ValidationFailed) as unknown:
        votes.add_expert(session, handler, _input(title="专家"), clock.now)
    assert unknown.value.fields["title_level"] == "请选择现有职称层级"
    chosen = votes.add_expert(session, handler, _input(title="专家", title_level="正高级"), clock.now)
    assert chosen.expert.title_level == "正高级"


def test_the_draw_takes_only_experts_in_term_at_the_committee_s_level_and_says_what_is_missing(
    session: Session, clock: Clock
) -> None:
    co, handler, meeting = _meeting(session, clock)
    make_experts(session, co, clock.now, 3)
    ended = make_experts(session, co, clock.now, 2, appointed_on="2023-01-01", term_ends="2025-12-31")
    pending = make_experts(session, co, clock.now, 1)
    pending[0].title_level = None  # an expert from before the level was recorded: 待补充
    below = make_experts(session, co, clock.now, 1)
    below[0].title_level = "中级"  # recorded before the committee's scope took 高级
    session.flush()
    with pytest.raises(ValidationFailed) as short:
        votes.draw_panel(session, handler, meeting.id, 5, clock.now)
    words = short.value.fields["size"]
    assert "只有3人，还差2人" in words
    for part in ("2人任期不含会议日期", "1人现有职称层级低于副高级", "1人现有职称层级待补充"):
        assert part in words
    # Renewed and filled in, they are drawn.
    for expert in ended:
        votes.renew_expert(
            session, handler, expert.id, votes.TermInput("2026-01-01", "2028-12-31"), clock.now
        )
    votes.set_title_level(session, handler, pending[0].id, "副高级", clock.now)
    votes.draw_panel(session, handler, meeting.id, 5, clock.now, seed="s")
    drawn = {m.expert_id for m in votes.panel(session, meeting)}
    assert below[0].id not in drawn and len(drawn) == 5
    renewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "renew_expert")).first()
    assert renewed is not None and renewed.detail["before"] == {
        "appointed_on": "2023-01-01", "term_ends": "2025-12-31"
    }  # fmt: skip


def test_an_expert_whose_term_ends_before_the_meeting_is_not_drawn(session: Session, clock: Clock) -> None:
    co, handler, meeting = _meeting(session, clock, levels="员级,助理级,中级")
    make_experts(session, co, clock.now, 5, title="工程师")  # a 中级 committee: 中级 is enough
    make_experts(session, co, clock.now, 1, term_ends="2026-11-19")  # the day before the meeting
    votes.draw_panel(session, handler, meeting.id, 5, clock.now, seed="s")
    with pytest.raises(ValidationFailed) as short:
        votes.draw_panel(session, handler, meeting.id, 7, clock.now, seed="s")
    assert (
        "只有5人，还差2人" in short.value.fields["size"]
        and "1人任期不含会议日期" in short.value.fields["size"]
    )


def test_a_renewal_longer_than_three_years_is_refused(session: Session, clock: Clock) -> None:
    co, handler, _ = _meeting(session, clock)
    expert = make_experts(session, co, clock.now, 1)[0]
    with pytest.raises(ValidationFailed) as longer:
        votes.renew_expert(
            session, handler, expert.id, votes.TermInput("2026-12-01", "2029-12-01"), clock.now
        )  # three years and a day: a renewal ends on 30 Nov 2029 at the latest
    assert (
        "人社部令第40号" in longer.value.fields["term_ends"]
        and "2029年11月30日" in longer.value.fields["term_ends"]
    )
    renewed = votes.renew_expert(
        session, handler, expert.id, votes.TermInput("2026-12-01", "2029-11-30"), clock.now
    )
    assert (renewed.appointed_on, renewed.term_ends) == (date(2026, 12, 1), date(2029, 11, 30))
    with pytest.raises(ValidationFailed) as empty:
        votes.renew_expert(session, handler, expert.id, votes.TermInput("", ""), clock.now)
    assert set(empty.value.fields) == {"appointed_on", "term_ends"}
    # A renewal that has already ended was saved, and the expert stayed 任期已满.
    with pytest.raises(ValidationFailed) as past:
        votes.renew_expert(
            session, handler, expert.id, votes.TermInput("2020-01-01", "2022-12-31"), clock.now
        )
    assert "已过" in past.value.fields["term_ends"]


def test_the_pool_s_health_counts_only_qualified_experts_and_warns(session: Session, clock: Clock) -> None:
    co, handler, _ = _meeting(session, clock)
    make_experts(session, co, clock.now, 10)
    make_experts(session, co, clock.now, 1, appointed_on="2023-01-01", term_ends="2025-12-31")
    health = votes.pool_health(session, handler, clock.now)
    assert (health.standard.level, health.standard.floor, health.qualified) == ("高级", "副高级", 10)
    assert any("不少于11人" in w for w in health.warnings)
    assert any("单数" in w for w in health.warnings)
    ended = votes.experts_of(session, handler, standing="ended", day=date(2026, 11, 23))
    assert len(ended) == 1


def test_a_series_typed_in_english_is_stored_as_the_applications_chinese_name_by_any_caller(
    session: Session, clock: Clock
) -> None:
    # The view took "Engineering" back as 工程 before calling the service; a caller other than that view
    # (a script, another page) stored "Engineering", which no application writes, so the expert was never
    # drawn. The service does it now: on entry, on correction and in the pool's filter.
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels=SENIOR)
    handler = co.office.actor(StaffRole.HANDLER)
    added = votes.add_expert(session, handler, _input(series=" engineering "), clock.now).expert
    assert added.series == "工程"
    assert votes.experts_of(session, handler, series="Engineering") == [added]
    added.series = "经济"
    corrected = votes.set_subject(session, handler, added.id, "Engineering", "建设工程", clock.now)
    assert (corrected.series, corrected.specialty) == ("工程", "建设工程")
    with pytest.raises(ValidationFailed) as unknown:
        votes.set_subject(session, handler, added.id, "Civil engineering", "建设工程", clock.now)
    assert "series" in unknown.value.fields  # any other text is passed on as typed, and refused


def test_a_refused_series_correction_is_audited_as_denied_with_its_code(
    session: Session, clock: Clock
) -> None:
    """Refused corrections leave a trace like the committee's other refused steps: who tried, on which
    expert, why (the code) and which fields; nothing about the expert changed."""
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels=SENIOR)
    handler = co.office.actor(StaffRole.HANDLER)
    added = votes.add_expert(session, handler, _input(), clock.now).expert
    before = (added.series, added.specialty)
    for series, specialty, code, fields in (
        ("Civil engineering", "建设工程", "unknown_series", ["series"]),
        ("工程", "", "invalid_subject", ["specialty"]),
    ):
        with pytest.raises(ValidationFailed) as refused:
            votes.set_subject(session, handler, added.id, series, specialty, clock.now)
        assert refused.value.code == code
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "set_expert_subject").order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        assert (event.outcome, event.actor_id, event.object_type, event.object_id) == (
            "denied",
            handler.user_id,
            "committee",
            co.committee.id,
        )
        assert event.detail == {"expert_id": added.id, "code": code, "fields": fields}
        assert (added.series, added.specialty) == before
