"""Taking an expert out of a committee's pool (停用) and back (恢复): a reason required, audited (refusals
too, as the pool's other refusals are); never drawn again; a prepared meeting whose panel holds them cannot
be filed until it draws again; the expert no longer sees the panel, and is refused an acknowledgement or a
ballot in words; a ballot already cast is counted; a vote waiting for their ballot keeps them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.mail import EmailTopic, NoticeKind, kinds_of
from portal.models import AuditEvent, MeetingStatus, Notification, StaffRole
from portal.services import meetings, notifications, votes
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import (
    drawn_meeting,
    filed_meeting,
    make_committee,
    make_committee_world,
    make_experts,
    make_review_application,
    to_meeting,
)


def _road(session: Session, clock: Clock, *, profile: str = "zhenjiang-2024"):  # type: ignore[no-untyped-def]
    world = make_committee_world(session, clock.now, profile=profile)
    place = "镇江市区" if profile.startswith("zhenjiang") else "东川区"
    co = make_committee(session, world, clock.now, place=place)
    application = make_review_application(session, world, clock.now)
    to_meeting(session, world, co, application, clock.now)
    return world, co, application


def _pool_audit(session: Session, action: str) -> list[tuple[str, str | None]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.outcome, e.detail.get("code")) for e in rows]


def test_deactivation_needs_a_reason_is_audited_and_restored_once(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    (expert,) = make_experts(session, co, clock.now, 1)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)

    with pytest.raises(ValidationFailed) as empty:
        votes.deactivate_expert(session, handler, expert.id, "  ", clock.now)
    assert empty.value.code == "invalid_reason" and "停用原因" in empty.value.fields["deactivation_reason"]
    assert expert.active

    votes.deactivate_expert(session, handler, expert.id, " 调离本专业 ", clock.now)
    assert (expert.active, expert.deactivation_reason) == (False, "调离本专业")
    assert expert.deactivated_at == clock.now and expert.deactivated_by_id == co.office.handler.id
    with pytest.raises(DomainError) as again:
        votes.deactivate_expert(session, leader, expert.id, "重复", clock.now)
    assert again.value.code == "already_inactive" and expert.deactivation_reason == "调离本专业"
    assert _pool_audit(session, "deactivate_expert") == [
        ("denied", "invalid_reason"), ("ok", None), ("denied", "already_inactive"),
    ]  # fmt: skip
    assert votes.pool_health(session, handler, clock.now).qualified == 0
    listed = votes.experts_of(session, handler, standing=votes.Standing.INACTIVE, day=clock.now.date())
    assert listed == [expert]

    later = clock.now + timedelta(days=1)
    votes.restore_expert(session, leader, expert.id, later)
    assert expert.active and expert.deactivated_at is None and expert.deactivation_reason == ""
    restored = session.scalars(select(AuditEvent).where(AuditEvent.action == "restore_expert")).one()
    assert restored.detail["deactivation"]["reason"] == "调离本专业"
    with pytest.raises(DomainError) as twice:
        votes.restore_expert(session, leader, expert.id, later)
    assert twice.value.code == "already_active"
    assert _pool_audit(session, "restore_expert") == [("ok", None), ("denied", "already_active")]


def test_only_the_office_of_the_pool_deactivates(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    other = make_committee(session, world, clock.now, specialties="机械工程")
    (expert,) = make_experts(session, co, clock.now, 1)
    with pytest.raises(NotFound):
        votes.deactivate_expert(session, other.office.actor(StaffRole.HANDLER), expert.id, "原因", clock.now)
    with pytest.raises(PermissionDenied):
        votes.deactivate_expert(session, world.bureau.actor(StaffRole.HANDLER), expert.id, "原因", clock.now)
    with pytest.raises(PermissionDenied):
        votes.restore_expert(session, actor_for(expert.user, None), expert.id, clock.now)
    assert expert.active


def test_a_prepared_meeting_draws_again_before_it_is_filed(session: Session, clock: Clock) -> None:
    _world, co, application = _road(session, clock)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    meeting = drawn_meeting(session, co, application, clock.now, pool=6)
    gone = votes.panel(session, meeting)[0].expert
    assert [s.meeting_id for s in votes.open_seats(session, gone)] == [meeting.id]

    votes.deactivate_expert(session, handler, gone.id, "本人申请退出", clock.now)
    assert [m.expert_id for m in votes.gone_members(votes.panel(session, meeting))] == [gone.id]
    with pytest.raises(DomainError) as refused:
        meetings.file_meeting(session, leader, meeting.id, clock.now)
    assert refused.value.code == "filing_incomplete" and gone.user.name in refused.value.message
    with pytest.raises(ValidationFailed):  # five left: a sixth would be needed to draw seven
        votes.draw_panel(session, handler, meeting.id, 7, clock.now)
    votes.draw_panel(session, handler, meeting.id, 5, clock.now, seed="s2")
    assert gone.id not in {m.expert_id for m in votes.panel(session, meeting)}
    # The replacement is a draw, so the page's recomputation of it still gives the panel (no hand-picked
    # member: there is no step adding one by hand).
    check = votes.verify_draw(session, meeting)
    assert check is not None and check.holds and check.seed == "s2"
    assert not hasattr(votes, "add_member")
    meetings.file_meeting(session, leader, meeting.id, clock.now)
    assert meeting.state is MeetingStatus.FILED


def test_a_deactivated_expert_loses_the_panel_and_is_refused_in_words(session: Session, clock: Clock) -> None:
    world, co, application = _road(session, clock, profile="kunming-2022")
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    gone, kept = members[0], members[1:]
    expert = actor_for(gone.expert.user, None)
    assert [m.meeting_id for m in votes.memberships_of(session, expert)] == [meeting.id]

    votes.deactivate_expert(
        session, co.office.actor(StaffRole.HANDLER), gone.expert_id, "违反回避", clock.now
    )
    assert votes.memberships_of(session, expert) == []
    with pytest.raises(DomainError) as pledge:
        votes.acknowledge(session, expert, meeting.id, clock.now)
    assert pledge.value.code == "expert_inactive" and "已停用" in pledge.value.message
    for member in kept:
        votes.acknowledge(session, actor_for(member.expert.user, None), meeting.id, clock.now)
    leader, day = co.office.actor(StaffRole.LEADER), clock.now + timedelta(days=30)
    with pytest.raises(ValidationFailed) as present:
        votes.open_voting(session, leader, meeting.id, [m.id for m in members], day)
    assert (
        present.value.code == "expert_inactive" and gone.expert.user.name in present.value.fields["present"]
    )
    votes.open_voting(session, leader, meeting.id, [m.id for m in kept], day)
    ballot = {entry.id: "yes" for entry in meeting.entries}
    with pytest.raises(DomainError) as vote:
        votes.cast_ballot(session, expert, meeting.id, ballot, day)
    assert vote.value.code == "expert_inactive" and "不能再投票" in vote.value.message
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.outcome == "denied", AuditEvent.object_id == meeting.id)
    ).all()
    # Compared as a set of attempts: the rows come back in no stated order (PostgreSQL returned open_voting's
    # first once).
    assert sorted((e.action, e.detail["code"]) for e in denied) == [
        ("acknowledge_conditions", "expert_inactive"), ("cast_ballot", "expert_inactive"),
        ("open_voting", "expert_inactive"),
    ]  # fmt: skip


def test_a_ballot_cast_is_counted_and_an_awaited_ballot_keeps_the_expert(
    session: Session, clock: Clock
) -> None:
    world, co, application = _road(session, clock)
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    leader, handler = co.office.actor(StaffRole.LEADER), co.office.actor(StaffRole.HANDLER)
    day = clock.now + timedelta(days=30)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members], day)
    ballot = {entry.id: "yes" for entry in meeting.entries}
    votes.cast_ballot(session, actor_for(members[0].expert.user, None), meeting.id, ballot, day)

    with pytest.raises(DomainError) as waiting:
        votes.deactivate_expert(session, handler, members[1].expert_id, "调离", day)
    assert waiting.value.code == "voting_open" and "表决结束后再停用" in waiting.value.message
    assert members[1].expert.active
    votes.deactivate_expert(session, handler, members[0].expert_id, "调离", day)  # voted: may go
    for member in members[1:]:
        votes.cast_ballot(session, actor_for(member.expert.user, None), meeting.id, ballot, day)
    votes.close_voting(session, leader, meeting.id, day)
    assert [e.yes for e in meeting.entries] == [5]
    assert [s.meeting_id for s in votes.open_seats(session, members[0].expert)] == []


def _told(session: Session, user_id: int) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(session.scalars(stmt))


def test_the_expert_is_told_of_a_deactivation_with_the_reason_and_of_the_restoration(
    session: Session, clock: Clock
) -> None:
    """The expert hears, in the inbox and by e-mail as their other work notices (the draw, the vote), which
    office took them out of the pool, why, and what it means for their panels; and that they are back."""
    _world, co, application = _road(session, clock)
    meeting = drawn_meeting(session, co, application, clock.now, pool=5)
    expert = votes.panel(session, meeting)[0].expert
    expert.user.email, expert.user.email_verified_at = "zhuanjia@example.cn", clock.now
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    before = len(_told(session, expert.user_id))
    office_told = len(_told(session, co.office.handler.id))

    votes.deactivate_expert(session, handler, expert.id, "调离本专业", clock.now)
    (gone,) = _told(session, expert.user_id)[before:]
    office, committee = co.office.org.name, co.committee.name
    assert gone.kind == NoticeKind.POOL_STANDING.value and gone.kind in kinds_of(EmailTopic.WORK)
    assert gone.text == (
        f"{office}已将您移出{committee}评审专家库（停用），原因：调离本专业。今后不再抽选您为评审专家；"
        "您所在的尚未表决的评审会议不再在“我的评审会议”中显示，您也不能再为其确认或投票，已投的票仍然有效。"
        f"如有疑问，请联系{office}。"
    )
    assert gone.link == meetings.PANELS_LINK and gone.message_record is not None  # read in each language
    assert gone.id in {n.id for n, _user in notifications.pending_emails(session)}
    # Nobody else is told: the office did it.
    assert len(_told(session, co.office.handler.id)) == office_told

    votes.restore_expert(session, leader, expert.id, clock.now)
    back = _told(session, expert.user_id)[-1]
    assert back.kind == NoticeKind.POOL_STANDING.value and back.text == (
        f"{office}已将您恢复到{committee}评审专家库：您可再被抽选为评审专家，"
        "您所在的尚未表决的评审会议重新在“我的评审会议”中显示。"
    )
    # A refused step tells nobody anything.
    with pytest.raises(DomainError):
        votes.restore_expert(session, leader, expert.id, clock.now)
    assert _told(session, expert.user_id)[-1] is back


def test_the_quorum_counts_the_panel_as_filed_with_a_deactivated_member_absent(
    session: Session, clock: Clock
) -> None:
    """Pinned: the quorum (2/3 of the panel) is of the panel the bureau accepted, a member taken out of the
    pool since counted in it and absent, never dropped from it (which would lower the number needed);
    the refusal and the page's words say so, and say when the rest can no longer make it."""
    world, co, application = _road(session, clock)
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    day = clock.now + timedelta(days=30)
    votes.deactivate_expert(session, handler, members[0].expert_id, "调离", clock.now)

    counted = votes.quorum(session, meeting)
    assert (counted.panel, counted.needed, counted.gone, counted.reachable) == (5, 4, 1, True)
    assert str(counted.words).startswith("法定人数：出席专家不少于专家名单5人的2/3，即4人")
    assert counted.gone_words == (
        "已停用的1名专家仍计入专家名单（人社局确认备案的名单不因停用而缩减），按缺席计。"
    )
    # Three of the four left: 3 of 4 would be a quorum, 3 of the 5 filed is not.
    with pytest.raises(ValidationFailed) as short:
        votes.open_voting(session, leader, meeting.id, [m.id for m in members[1:4]], day)
    assert short.value.code == "no_quorum"
    words = short.value.fields["present"]
    assert "出席专家3人，不足专家名单5人的法定人数4人" in words and "已停用的1名专家仍计入专家名单" in words
    assert meeting.state is MeetingStatus.ACCEPTED

    votes.deactivate_expert(session, handler, members[1].expert_id, "调离", clock.now)
    counted = votes.quorum(session, meeting)
    assert (counted.gone, counted.reachable) == (2, False)
    assert "仍在专家库的专家3人，不足法定人数，本次会议无法开始表决。" in counted.gone_words
    # The way forward is named: the leader cancels the meeting here, the bureau told, and plans anew.
    assert "“取消会议”" in counted.gone_words and "市职称办和专家将收到通知" in counted.gone_words
    assert "请与市职称办联系" not in counted.gone_words

    votes.restore_expert(session, handler, members[1].expert_id, clock.now)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members[1:]], day)  # 4 of the 5 filed
    assert meeting.state is MeetingStatus.VOTING and meeting.present == 4
    opened = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "open_voting", AuditEvent.outcome == "ok")
    ).one()
    assert opened.detail["panel"] == 5
