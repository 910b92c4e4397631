"""Corrections listed once (003 五(二), 004 一(四), REV-03), deadlines, abandonment, notifications."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cli import smtp_mailer
from portal.demo import walk
from portal.domain import corrections as correction_rules
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import Language, from_record
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Notification, StaffRole
from portal.services import applications, corrections, forms, materials, notifications
from portal.services.actors import actor_for
from portal.web import i18n
from portal.web.mail import compose_notice
from tests.conftest import Clock
from tests.factories import STEPS_TO, STORAGE, World, make_application, make_world, reviewers
from tests.mailserver import Inbox, body_of


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def shanghai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def returned(
    session: Session,
    world: World,
    clock: Clock,
    *,
    steps: int = 1,
    by: StaffRole = StaffRole.HANDLER,
    items: dict[str, str] | None = None,
    deadline: str = "2026-10-20",
    draft: Application | None = None,
):  # type: ignore[no-untyped-def]
    if draft is not None:
        walk(session, reviewers(world), draft, steps, clock.now + timedelta(minutes=1))
        application = draft
    else:
        application = make_application(session, world, clock.now, steps=steps)
    office = {1: world.enterprise, 2: world.enterprise}.get(steps, world.department)
    corrections.return_for_correction(
        session,
        office.actor(by),
        application.id,
        corrections.ReturnInput(
            items or {"education": "毕业证书扫描件不清晰", "field:work_summary": "请补充近三年业绩"}, deadline
        ),
        clock.now,
    )
    session.refresh(application)
    return application


def test_a_return_lists_every_item_at_once_with_a_deadline(
    session: Session, world: World, clock: Clock
) -> None:
    application = returned(session, world, clock)
    correction = corrections.open_correction(session, application.id)
    assert correction is not None and correction.deadline == date(2026, 10, 20)
    assert [(i.section, i.reason) for i in correction.items] == [
        ("education", "毕业证书扫描件不清晰"),
        ("field:work_summary", "请补充近三年业绩"),
    ]
    assert application.state is Status.RETURNED
    note = session.scalars(select(Notification).where(Notification.user_id == application.applicant_id)).one()
    assert "学历学位（全部）：毕业证书扫描件不清晰" in note.text and "工作总结：请补充近三年业绩" in note.text


def test_a_return_needs_ticked_items_each_with_a_reason_and_a_later_deadline(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed) as nothing:
        corrections.return_for_correction(
            session, handler, application.id, corrections.ReturnInput({}, "x"), clock.now
        )
    assert set(nothing.value.fields) == {"items", "deadline"}
    with pytest.raises(ValidationFailed) as empty_reason:
        corrections.return_for_correction(
            session, handler, application.id, corrections.ReturnInput({"work": " "}, "2026-09-28"), clock.now
        )
    assert set(empty_reason.value.fields) == {"reason_work", "deadline"}
    session.refresh(application)
    assert application.state is Status.SUBMITTED


def test_the_applicant_may_change_only_what_was_returned(
    session: Session, world: World, clock: Clock
) -> None:
    application = returned(session, world, clock, items={"field:work_summary": "请补充近三年业绩"})
    me = actor_for(application.applicant, None)
    posted = forms.posted_form(session, application)
    tampered = {**posted, "education-0-school": "别的大学", "work_summary": "补充后"}
    with pytest.raises(ValidationFailed) as info:
        forms.save_form(session, me, application.id, tampered, clock.now)
    assert set(info.value.fields) == {"education-0-school"}
    assert "没有被退回" in info.value.fields["education-0-school"]
    fixed = {**forms.posted_form(session, application), "work_summary": "补充了近三年的三个项目"}
    forms.save_form(session, me, application.id, fixed, clock.now)
    assert application.work_summary == "补充了近三年的三个项目" and application.school == "南昌大学"


def test_a_return_names_one_row_and_only_that_row_may_change(
    session: Session, world: World, clock: Clock
) -> None:
    """Issue 21.4: a return names one row; the other rows, the other sections and new rows stay as
    they were; the changes table names the row and its field."""
    draft = make_application(session, world, clock.now)
    extra = {
        **forms.posted_form(session, draft),
        "work-1-employer": "赣州市政设计院",
        "work-1-post": "助理设计师",
        "work-1-professional": "是",
        "work-1-started_on": "2013-07-01",
        "work-1-ended_on": "2015-06-30",
    }
    forms.save_form(session, actor_for(draft.applicant, None), draft.id, extra, clock.now)
    # The earlier job asks for its own proof (EXP-02): a stand-in file for it.
    materials.attach_placeholders(session, actor_for(draft.applicant, None), STORAGE, draft, clock.now)
    work = [r for r in forms.rows_of(session, draft.id) if r.section.value == "work"]
    assert len(work) == 2
    application = returned(
        session, world, clock, items={f"row:work:{work[1].id}": "结束时间与证明不符"}, draft=draft
    )
    me = actor_for(application.applicant, None)
    posted = forms.posted_form(session, application)
    other_row = next(k for k, v in posted.items() if v == application.enterprise.name)
    with pytest.raises(ValidationFailed) as info:
        forms.save_form(session, me, application.id, {**posted, other_row: "别的单位"}, clock.now)
    assert set(info.value.fields) == {other_row}
    wrong_row_key = next(
        k for k, v in posted.items() if k.startswith("work-") and k.endswith("-ended_on") and v
    )
    forms.save_form(session, me, application.id, {**posted, wrong_row_key: "2015-03-31"}, clock.now)
    changes = correction_rules.changes(
        corrections.latest_correction(session, application.id).snapshot,
        corrections.snapshot(session, application),
    )
    assert [(c.field, c.before, c.after) for c in changes] == [
        (f"row:work:{work[1].id}", "2015年6月30日", "2015年3月31日")
    ]
    assert "工作经历" in changes[0].title and "结束时间" in changes[0].title


def test_resubmission_goes_back_to_the_reviewer_who_returned_it_with_the_changes_shown(
    session: Session, world: World, clock: Clock
) -> None:
    application = returned(
        session, world, clock, steps=2, by=StaffRole.LEADER, items={"field:work_summary": "太简略"}
    )
    me = actor_for(application.applicant, None)
    forms.save_form(
        session,
        me,
        application.id,
        {**forms.posted_form(session, application), "work_summary": "详细的总结"},
        clock.now,
    )
    applications.act(session, me, application.id, Action.RESUBMIT, clock.now + timedelta(hours=1))
    session.refresh(application)
    assert (application.state, application.awaiting) == (Status.UNIT_REVIEW, "leader")
    assert application.handler_signed_by_id == world.enterprise.handler.id
    changes = corrections.changes_since_return(session, application)
    assert [(c.field, c.after) for c in changes] == [("field:work_summary", "详细的总结")]
    leader_inbox = notifications.inbox(session, world.enterprise.actor(StaffRole.LEADER))
    assert any("新的待办（领导）" in n.text for n in leader_inbox)


def test_returns_after_unit_approval_are_counted(session: Session, world: World, clock: Clock) -> None:
    """004 一(四): counting starts when the unit approves."""
    early = returned(session, world, clock, steps=1)
    assert early.counted_returns == 0 and not corrections.open_correction(session, early.id).counted  # type: ignore[union-attr]
    late = returned(session, world, clock, steps=STEPS_TO[Status.DEPT_REVIEW])
    assert late.counted_returns == 1 and corrections.open_correction(session, late.id).counted  # type: ignore[union-attr]


def test_a_resubmission_after_the_deadline_is_refused_even_before_the_job_has_run(
    session: Session, world: World, clock: Clock
) -> None:
    """003 五(二), 004 一(四) (REV-03): not corrected by the deadline is treated as giving up. Only the
    5-minute job enforced it, so until it ran (or with no worker at all) a late resubmission went through."""
    application = returned(
        session, world, clock, deadline="2026-10-20", items={"field:work_summary": "太简略"}
    )
    me = actor_for(application.applicant, None)
    forms.save_form(
        session,
        me,
        application.id,
        {**forms.posted_form(session, application), "work_summary": "详细的总结"},
        clock.now,
    )
    with pytest.raises(DomainError) as late:
        applications.act(
            session, me, application.id, Action.RESUBMIT, datetime(2026, 10, 20, 16, 1, tzinfo=UTC)
        )
    assert late.value.code == "correction_overdue" and "2026年10月20日" in late.value.message
    assert application.state is Status.RETURNED  # the job abandons it
    on_the_day = datetime(2026, 10, 20, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai, the last day
    assert (
        applications.act(session, me, application.id, Action.RESUBMIT, on_the_day).state is Status.SUBMITTED
    )


def test_a_missed_deadline_abandons_the_application(session: Session, world: World, clock: Clock) -> None:
    """003 五(二): not corrected by the deadline is treated as giving up the application."""
    application = returned(session, world, clock, deadline="2026-10-20")
    assert corrections.abandon_overdue(session, shanghai(date(2026, 10, 20), 23)) == []
    abandoned = corrections.abandon_overdue(session, shanghai(date(2026, 10, 21)))
    session.refresh(application)
    assert [c.application_id for c in abandoned] == [application.id]
    assert application.state is Status.ABANDONED
    me = actor_for(application.applicant, None)
    with pytest.raises(DomainError):
        applications.act(session, me, application.id, Action.RESUBMIT, shanghai(date(2026, 10, 21)))


def test_the_applicant_is_warned_three_working_days_before_the_deadline_once(
    session: Session, world: World, clock: Clock
) -> None:
    application = returned(session, world, clock, deadline="2026-10-20")  # a Tuesday
    assert corrections.warn_deadlines(session, shanghai(date(2026, 10, 14))) == []  # 5 working days left
    warned = corrections.warn_deadlines(session, shanghai(date(2026, 10, 16)))  # Fri: 16, 19, 20
    assert [c.application_id for c in warned] == [application.id]
    assert corrections.warn_deadlines(session, shanghai(date(2026, 10, 19))) == []
    texts = [n.text for n in notifications.inbox(session, actor_for(application.applicant, None))]
    assert any("补正截止日期 2026年10月20日 临近" in t for t in texts)


def test_work_arriving_notifies_the_staff_whose_move_it_is(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    handler_inbox = notifications.inbox(session, world.department.actor(StaffRole.HANDLER))
    assert any(application.applicant.name in n.text and "经办人" in n.text for n in handler_inbox)
    assert notifications.inbox(session, world.department.actor(StaffRole.LEADER)) == []
    assert notifications.unread_count(session, world.department.handler.id) == 1


def test_emails_go_only_to_people_with_a_verified_address_and_only_once(
    app: Flask, session: Session, world: World, clock: Clock, smtp: Inbox
) -> None:
    """Through a real SMTP server (tests/mailserver.py); tests/web/test_email.py has the rest."""
    world.department.handler.email = "xie@example.cn"
    world.department.handler.email_verified_at = clock.now
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    with app.app_context():
        mailer = smtp_mailer(app)
        assert mailer is not None
        assert notifications.send_pending_emails(session, mailer, clock.now, compose_notice) == 1
        assert notifications.send_pending_emails(session, mailer, clock.now, compose_notice) == 0
    [message] = smtp.messages
    assert message["To"] == "xie@example.cn"
    assert "https://portal.example/review/applications/" in body_of(message)


def test_the_third_counted_return_makes_the_application_inadmissible_for_the_year(
    app: Flask, session: Session, clock: Clock
) -> None:
    """004 一(四) (Kunming profile): counted from the unit's approval, the third return ends it."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    world.bureau.org.policy_profile = "kunming-2022"  # its return limit applies from here on
    session.flush()
    handler = world.department.actor(StaffRole.HANDLER)
    me = actor_for(application.applicant, None)
    # Kunming's hand-off asks for the 职称申报承诺书 too (004 二(六)): a resubmission needs it.
    materials.attach_placeholders(session, me, STORAGE, application, clock.now, sign=False)
    for round_ in range(1, 4):
        corrections.return_for_correction(
            session,
            handler,
            application.id,
            corrections.ReturnInput({"field:work_summary": f"第{round_}次"}, "2026-12-20"),
            clock.now,
        )
        session.refresh(application)
        if round_ < 3:
            assert application.state is Status.RETURNED and application.counted_returns == round_
            applications.act(
                session,
                me,
                application.id,
                Action.RESUBMIT,
                clock.now,
                responses={"field:work_summary": "已按要求说明"},
            )
    assert (application.state, application.counted_returns) == (Status.REJECTED, 3)
    # The system's note is a message (its clause too), so an English reader does not get Chinese.
    ended = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_id == application.id, AuditEvent.action == Action.REJECT.value
        )
    ).one()
    assert ended.reason == "单位推荐后已退回3次，达到上限（004 一(四)），本年度不再受理该申报人的申报"
    record = ended.detail["reason_record"]
    assert record["template"].startswith("单位推荐后已退回%(count)s次")
    with app.test_request_context(), force_locale(Language.EN.value):
        english = str(i18n.translate(from_record(record)))
    assert "(004 1(4))" in english and not re.search(r"[\u4e00-\u9fff]", english), english
    with pytest.raises(DomainError) as barred:
        applications.start_application(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            applications.StartInput(application.applicant_id, "工程", "土木工程", "中级"),
            clock.now,
        )
    assert barred.value.code == "return_limit" and "004 一(四)" in barred.value.message


def test_a_draft_started_before_the_third_return_is_not_submitted_that_year_either(
    app: Flask, session: Session, clock: Clock
) -> None:
    """004 一(四): after the third return "本年度不再受理个人的申报材料" bars the person (policy-spec §8 #6
    default), not one application: a draft for another series started before the bar was still
    submitted, because only start_application asked."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    other = make_application(
        session,
        world,
        clock.now,
        applicant=application.applicant,
        what=("经济", "人力资源管理", "副高级"),
        pathway="初定",  # no Kunming data for it: no window or finding stands in the way
    )
    world.bureau.org.policy_profile = "kunming-2022"
    session.flush()
    me = actor_for(application.applicant, None)
    for draft in (application, other):
        materials.attach_placeholders(session, me, STORAGE, draft, clock.now, sign=False)
    for round_ in range(1, 4):
        corrections.return_for_correction(
            session,
            world.department.actor(StaffRole.HANDLER),
            application.id,
            corrections.ReturnInput({"field:work_summary": f"第{round_}次"}, "2026-12-20"),
            clock.now,
        )
        if round_ < 3:
            responses = {"field:work_summary": "已按要求说明"}
            applications.act(session, me, application.id, Action.RESUBMIT, clock.now, responses=responses)
    assert application.state is Status.REJECTED
    with pytest.raises(DomainError) as barred:
        applications.act(session, me, other.id, Action.SUBMIT, clock.now)
    assert barred.value.code == "return_limit" and "004 一(四)" in barred.value.message
    assert other.state is Status.DRAFT
    # The clause as English cites clauses (it was passed as plain text and stayed "004 一(四)").
    with app.test_request_context(), force_locale(Language.EN.value):
        english = str(i18n.translate(barred.value.message))
    assert english.endswith("(004 1(4))") and "004 一(四)" not in english, english


def test_without_a_limit_in_the_policy_returns_are_counted_but_never_end_it(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    handler = world.department.actor(StaffRole.HANDLER)
    me = actor_for(application.applicant, None)
    for _ in range(4):
        corrections.return_for_correction(
            session,
            handler,
            application.id,
            corrections.ReturnInput({"field:work_summary": "再补充"}, "2026-12-20"),
            clock.now,
        )
        applications.act(
            session,
            me,
            application.id,
            Action.RESUBMIT,
            clock.now,
            responses={"field:work_summary": "已按要求说明"},
        )
    session.refresh(application)
    assert (application.state, application.counted_returns) == (Status.DEPT_REVIEW, 4)
