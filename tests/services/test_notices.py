"""Public notices (003 五(一), 004 二(七), PUB-01/02/07): drafting, publishing, objections, closing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, Notice, Objection, OrgKind, StaffRole
from portal.services import applications, calendar, notices, submissions
from portal.services.actors import Actor, actor_for
from portal.storage.local import LocalStorage
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_staff, make_world


def _png() -> bytes:
    """A real, complete PNG: uploads are decoded in full, so magic bytes alone are refused."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


def at_shanghai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def approved(session: Session, world: World, clock: Clock, count: int = 1) -> list[int]:
    return [
        make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED]).id
        for _ in range(count)
    ]


def draft(session: Session, world: World, ids: list[int], now: datetime, start: str = "2026-09-29") -> Notice:
    data = notices.NoticeInput("某单位职称申报人员公示", "一楼公示栏", "人事部 0797-1234567", start)
    return notices.draft_notice(session, world.enterprise.actor(StaffRole.HANDLER), data, ids, now)


def published(session: Session, world: World, clock: Clock, count: int = 1) -> Notice:
    notice = draft(session, world, approved(session, world, clock, count), clock.now)
    return notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)


def test_the_period_is_five_working_days_across_national_day(
    session: Session, world: World, clock: Clock
) -> None:
    """PUB-01: start Tue 2026-09-29 ends Sat 10-10, an adjusted working day (policy-spec §7.2)."""
    notice = draft(session, world, approved(session, world, clock), clock.now)
    assert (notice.first_day, notice.last_day) == (date(2026, 9, 29), date(2026, 10, 10))
    assert notices.period_text(notice) == "2026年9月29日至10月10日，共5个工作日"


def test_the_civil_code_convention_moves_the_end_one_working_day(
    session: Session, world: World, clock: Clock
) -> None:
    calendar.set_start_counts(session, _admin(world), False, clock.now)
    notice = draft(session, world, approved(session, world, clock), clock.now)
    assert (notice.first_day, notice.last_day) == (date(2026, 9, 30), date(2026, 10, 12))


def _admin(world: World) -> Actor:
    return actor_for(world.admin, world.admin_membership)


def test_a_period_reaching_an_unknown_year_is_refused_with_the_year_to_enter(
    session: Session, world: World, clock: Clock
) -> None:
    ids = approved(session, world, clock)
    clock.now = at_shanghai(date(2026, 12, 28))
    with pytest.raises(ValidationFailed) as info:
        draft(session, world, ids, clock.now, start="2026-12-28")
    assert "2027" in info.value.fields["start_date"]
    admin = _admin(world)
    calendar.add_day(session, admin, date(2027, 1, 1), "holiday", "元旦", clock.now)
    calendar.confirm_year(session, admin, 2027, "国务院办公厅关于2027年部分节假日安排的通知", clock.now)
    notice = draft(session, world, ids, clock.now, start="2026-12-28")
    assert notice.last_day == date(2027, 1, 4)  # 12-28..31 and, after New Year's Day, Monday 01-04


def test_drafting_checks_every_field_and_only_takes_approved_applications(
    session: Session, world: World, clock: Clock
) -> None:
    submitted = make_application(session, world, clock.now, steps=1)
    with pytest.raises(ValidationFailed) as info:
        notices.draft_notice(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            notices.NoticeInput(start_date="x"),
            [submitted.id],
            clock.now,
        )
    assert set(info.value.fields) == {"title", "location", "contact", "start_date", "application_ids"}
    with pytest.raises(PermissionDenied):  # the handler drafts; the leader publishes
        notices.draft_notice(
            session, world.enterprise.actor(StaffRole.LEADER), notices.NoticeInput(), [], clock.now
        )


def test_an_application_is_in_one_notice_at_a_time(session: Session, world: World, clock: Clock) -> None:
    ids = approved(session, world, clock)
    draft(session, world, ids, clock.now)
    with pytest.raises(ValidationFailed) as info:
        draft(session, world, ids, clock.now)
    assert "application_ids" in info.value.fields


def test_the_leader_publishes_and_never_the_one_who_drafted(
    session: Session, world: World, clock: Clock
) -> None:
    notice = draft(session, world, approved(session, world, clock, 2), clock.now)
    with pytest.raises(PermissionDenied):
        notices.publish_notice(session, world.enterprise.actor(StaffRole.HANDLER), notice.id, clock.now)
    notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)
    assert {e.application.state for e in notice.entries} == {Status.IN_NOTICE}
    assert notice.published_at == clock.now


def test_a_draft_published_late_starts_on_the_day_it_is_published(
    session: Session, world: World, clock: Clock
) -> None:
    notice = draft(session, world, approved(session, world, clock), clock.now)
    late = at_shanghai(date(2026, 10, 12))
    notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, late)
    assert notice.first_day == date(2026, 10, 12)


def test_objections_only_during_the_period_with_name_and_contact(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock)
    data = notices.ObjectionInput("钱多多", "13912340000", "业绩不实", str(notice.entries[0].id))
    with pytest.raises(DomainError) as early:
        notices.file_objection(session, storage, notice.public_token, data, clock.now, ip="10.0.0.1")
    assert early.value.code == "not_started"
    during = at_shanghai(date(2026, 9, 30))
    with pytest.raises(ValidationFailed) as info:
        notices.file_objection(
            session, storage, notice.public_token, notices.ObjectionInput(), during, ip="1.1.1.1"
        )
    assert set(info.value.fields) == {"name", "contact", "text"}
    objection = notices.file_objection(
        session,
        storage,
        notice.public_token,
        data,
        during,
        ip="10.0.0.1",
        attachment=PNG,
        attachment_name="证明.png",
    )
    assert objection.attachment is not None and storage.get(objection.attachment.sha256) == PNG
    after = at_shanghai(date(2026, 10, 11))
    with pytest.raises(DomainError) as late:
        notices.file_objection(session, storage, notice.public_token, data, after, ip="10.0.0.1")
    assert late.value.code == "notice_over" and "人事部" in late.value.message


def test_an_attachment_is_judged_by_its_content(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock)
    during = at_shanghai(date(2026, 9, 30))
    data = notices.ObjectionInput("钱多多", "13912340000", "业绩不实")
    with pytest.raises(ValidationFailed) as info:
        notices.file_objection(
            session,
            storage,
            notice.public_token,
            data,
            during,
            ip="1.1.1.1",
            attachment=b"<html><script>alert(1)</script>",
            attachment_name="a.pdf",
        )
    assert "按文件内容识别" in info.value.fields["attachment"]
    assert not storage.root.exists() or not any(storage.root.rglob("*"))  # nothing left on disk


def test_objections_are_rate_limited_per_ip(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock)
    during = at_shanghai(date(2026, 9, 30))

    def data() -> notices.ObjectionInput:  # a form each time (each rendering carries its own token)
        return notices.ObjectionInput("某人", "电话", "内容")

    for _ in range(notices.OBJECTIONS_PER_IP_PER_DAY):
        notices.file_objection(session, storage, notice.public_token, data(), during, ip="10.9.9.9")
    with pytest.raises(DomainError) as info:
        notices.file_objection(session, storage, notice.public_token, data(), during, ip="10.9.9.9")
    assert info.value.code == "rate_limited"
    notices.file_objection(session, storage, notice.public_token, data(), during, ip="10.9.9.8")


def test_the_same_form_twice_files_one_objection_and_is_answered_as_filed(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock)
    during = at_shanghai(date(2026, 9, 30))
    data = notices.ObjectionInput("某人", "电话", "内容")
    first = notices.file_objection(session, storage, notice.public_token, data, during, ip="10.9.9.7")
    with pytest.raises(submissions.AlreadySubmitted) as replay:
        notices.file_objection(session, storage, notice.public_token, data, during, ip="10.9.9.7")
    assert replay.value.submission.object_id == first.id
    assert len(session.scalars(select(Objection).where(Objection.notice_id == notice.id)).all()) == 1
    without = notices.ObjectionInput("某人", "电话", "内容", form_token="")
    with pytest.raises(DomainError) as missing:
        notices.file_objection(session, storage, notice.public_token, without, during, ip="10.9.9.7")
    assert missing.value.code == "form_token" and "刷新" in missing.value.message


def test_the_period_end_passes_everyone_without_an_open_objection(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock, 2)
    challenged, quiet = notice.entries
    during = at_shanghai(date(2026, 9, 30))
    objection = notices.file_objection(
        session,
        storage,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "不实", str(challenged.id)),
        during,
        ip="x",
    )
    assert (
        notices.close_due_notices(session, at_shanghai(date(2026, 10, 10), 23)) == []
    )  # last day still runs
    end = at_shanghai(date(2026, 10, 11))
    notices.close_due_notices(session, end)
    assert quiet.application.state is Status.NOTICE_PASSED and quiet.outcome == "passed"
    assert challenged.application.state is Status.IN_NOTICE and notice.status == "published"
    notices.resolve_objection(
        session, world.enterprise.actor(StaffRole.HANDLER), objection.id, "dismissed", "经核查，业绩属实", end
    )
    assert challenged.application.state is Status.NOTICE_PASSED and notice.status == "closed"
    _, rows = notices.result(notice)
    assert [r.result for r in rows] == ["有异议，经核查不成立：经核查，业绩属实", "公示期满，无异议"]


def test_a_handler_never_handles_an_objection_against_their_own_application(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    """000/001 四(一)(二) (ACC-02): nobody reviews their own application, at any step. A second HR handler
    of the enterprise applying for a title could dismiss the objection filed against them in the unit's
    notice, and so pass their own notice."""
    colleague, membership = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "第二经办人")
    colleague.employer_id = world.enterprise.org.id
    own = make_application(
        session, world, clock.now, applicant=colleague, steps=STEPS_TO[Status.UNIT_APPROVED]
    )
    notice = draft(session, world, [own.id], clock.now)
    notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)
    (entry,) = notice.entries
    during = at_shanghai(date(2026, 9, 30))
    data = notices.ObjectionInput("钱", "电话", "业绩不实", str(entry.id))
    objection = notices.file_objection(session, storage, notice.public_token, data, during, ip="x")
    with pytest.raises(ValidationFailed) as refused:  # on the form's decision, the typed text shown back
        notices.resolve_objection(
            session, actor_for(colleague, membership), objection.id, "dismissed", "经核查属实", during
        )
    assert "本人" in refused.value.fields["decision"]
    assert objection.status == "open" and own.state is Status.IN_NOTICE
    denied = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "resolve_objection", AuditEvent.outcome == "denied"
        )
    ).all()
    assert [d["code"] for d in denied] == ["own_application"]
    notices.resolve_objection(
        session, world.enterprise.actor(StaffRole.HANDLER), objection.id, "dismissed", "经核查属实", during
    )
    assert objection.status == "dismissed"


def test_an_upheld_objection_ends_the_application_and_needs_the_leader(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    notice = published(session, world, clock)
    entry = notice.entries[0]
    during = at_shanghai(date(2026, 9, 30))
    objection = notices.file_objection(
        session,
        storage,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "学历造假", str(entry.id)),
        during,
        ip="x",
    )
    with pytest.raises(PermissionDenied):
        notices.resolve_objection(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            objection.id,
            "upheld",
            "学历证书系伪造",
            during,
        )
    notices.resolve_objection(
        session, world.enterprise.actor(StaffRole.LEADER), objection.id, "upheld", "学历证书系伪造", during
    )
    assert entry.application.state is Status.REJECTED and entry.outcome == "removed"
    reason = session.scalars(
        select(AuditEvent.reason).where(
            AuditEvent.object_id == entry.application_id, AuditEvent.action == "reject"
        )
    ).one()
    assert reason == "公示期间异议成立：学历证书系伪造"
    with pytest.raises(DomainError):
        notices.resolve_objection(
            session, world.enterprise.actor(StaffRole.LEADER), objection.id, "dismissed", "again", during
        )


def test_the_sheet_masks_identity_and_counts_full_years(session: Session, world: World, clock: Clock) -> None:
    notice = draft(session, world, approved(session, world, clock), clock.now)
    header, rows = notices.sheet(session, notice)
    number = notice.entries[0].application.applicant.id_number
    assert rows[0].masked_id == number[:4] + "*" * 10 + number[-4:]
    assert rows[0].years == "11年"  # from 2015-07-10 to 2026-09-29
    assert header.period == "2026年9月29日至10月10日，共5个工作日"


def test_notices_of_another_enterprise_are_not_found(session: Session, world: World, clock: Clock) -> None:
    notice = draft(session, world, approved(session, world, clock), clock.now)
    with pytest.raises(NotFound):
        notices.get_notice(session, world.other_enterprise.actor(StaffRole.HANDLER), notice.id)


def test_the_clock_counts_down_working_days(session: Session, world: World, clock: Clock) -> None:
    notice = published(session, world, clock)
    assert notices.notice_clock(session, notice, clock.now).phase == "upcoming"
    running = notices.notice_clock(session, notice, at_shanghai(date(2026, 9, 30)))
    assert (running.phase, running.workdays_left) == ("running", 4)
    # Over, but the scheduled job has not passed it yet: pages say "closing" (they never close it).
    later = clock.now + timedelta(days=30)
    closing = notices.notice_clock(session, notice, later)
    assert closing.phase == "closing" and "正在结转" in closing.text and notice.status == "published"
    notices.close_due_notices(session, later)
    assert notices.notice_clock(session, notice, later).phase == "ended"


def test_a_department_notice_holds_the_leaders_signature_until_it_passes(
    session: Session, world: World, clock: Clock
) -> None:
    """PUB-03 (003 五(三)): a notice above the enterprise: its status stays, the signature waits."""
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    moment = at_shanghai(date(2026, 10, 12))
    handler, leader = world.department.actor(StaffRole.HANDLER), world.department.actor(StaffRole.LEADER)
    assert [a.id for a in notices.ready_for_notice(session, handler)] == [application.id]
    data = notices.NoticeInput("评委会评前公示", "人社局网站", "职称办 0797-0000000", "2026-10-12")
    notice = notices.draft_notice(session, handler, data, [application.id], moment)
    notices.publish_notice(session, leader, notice.id, moment)
    session.refresh(application)
    assert application.state is Status.DEPT_REVIEW  # a higher notice leaves the status alone
    applications.act(session, handler, application.id, Action.HANDLER_APPROVE, moment)
    with pytest.raises(DomainError) as info:
        applications.act(session, leader, application.id, Action.LEADER_APPROVE, moment)
    assert info.value.code == "in_notice"
    after = at_shanghai(notice.last_day + timedelta(days=1))
    notices.close_due_notices(session, after)
    assert notice.status == "closed" and notice.entries[0].outcome == "passed"
    applications.act(session, leader, application.id, Action.LEADER_APPROVE, after)
    session.refresh(application)
    assert application.state is Status.BUREAU_REVIEW
    assert notices.ready_for_notice(session, handler) == []


def test_a_new_notices_form_names_the_year_and_ticks_the_ready_applications(
    session: Session, world: World, clock: Clock
) -> None:
    """The draft form before anything is sent: the title, the usual place, a start tomorrow, the ready
    applications ticked; with none ready, nothing ticked (and no error)."""
    handler = world.department.actor(StaffRole.HANDLER)
    moment = at_shanghai(date(2026, 10, 12))
    empty = notices.draft_form(handler, "开发区党群工作部", [], moment)
    assert empty.chosen == [] and empty.fields["start_date"] == "2026-10-13"
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    ready = notices.ready_for_notice(session, handler)
    first = notices.draft_form(handler, "开发区党群工作部", ready, moment)
    assert first.chosen == [application.id]
    assert first.fields == {
        "title": "开发区党群工作部关于2026年度职称申报人员的公示",
        "location": notices.DEFAULT_LOCATION,
        "start_date": "2026-10-13",
    }


def test_an_emoji_in_the_notices_contact_line_is_refused_in_words(
    session: Session, world: World, clock: Clock
) -> None:
    """Issue 17.12: the 公示表 is set in Noto CJK, which has no emoji: a ☎ printed as an empty box."""
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    with pytest.raises(ValidationFailed) as refused:
        notices.draft_notice(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            notices.NoticeInput("公示", "一楼公示栏", "☎️ 人事部 0797-1234567 📞", "2026-09-28"),
            [application.id],
            clock.now,
        )
    assert refused.value.fields == {
        "contact": "异议受理联系方式中有表情符号（☎📞），打印的公示表无法显示，请改用文字"
    }


@pytest.mark.parametrize(
    ("kind", "leader"),
    [
        (OrgKind.ENTERPRISE, "单位领导"),
        (OrgKind.DEPARTMENT, "主管部门领导"),
        (OrgKind.BUREAU, "人社局领导"),
        (OrgKind.COMMITTEE, "办事机构领导"),
    ],
)
def test_a_saved_draft_names_who_publishes_it_as_its_organisation_calls_its_leader(
    kind: OrgKind, leader: str
) -> None:
    # A committee office's handler was told to have the 单位领导 publish the draft: the drafting
    # organisation's own leader publishes it (publish_notice), named as the pages name that role there.
    draft = SimpleNamespace(org=SimpleNamespace(org_kind=kind))
    assert notices.draft_saved(draft) == f"公示草稿已保存，请{leader}核对后发布"  # type: ignore[arg-type]
    assert notices.draft_waits(draft) == f"草稿须由{leader}（非起草人）核对后发布。"  # type: ignore[arg-type]


def test_a_notice_passed_over_unfounded_objections_is_not_called_without_objection(
    session: Session, world: World, clock: Clock, storage: LocalStorage
) -> None:
    """Walk 5, item 8: five objections were recorded as 异议不成立; the 公示结果 said so, but the case's
    status read 公示无异议，待报送 and its history 公示期满无异议. The history's step and its status now say
    what happened, from the decision the 公示结果 reads (notices.overruled); the quiet entry keeps 无异议.
    The handling notes, written as sentences, were joined as "…不成立。；经核查…": each loses its full
    stop."""
    from portal.services import unit_opinions

    notice = published(session, world, clock, 2)
    challenged, quiet = notice.entries
    during = at_shanghai(date(2026, 9, 30))
    filed = [
        notices.file_objection(
            session, storage, notice.public_token,
            notices.ObjectionInput("钱", "电话", f"不实{i}", str(challenged.id)), during, ip=f"10.0.0.{i}",
        )
        for i in range(2)
    ]  # fmt: skip
    end = at_shanghai(date(2026, 10, 11))
    handler = world.enterprise.actor(StaffRole.HANDLER)
    for objection, note in zip(filed, ("经核查，业绩属实，异议不成立。", "经核查，证书真实."), strict=True):
        notices.resolve_objection(session, handler, objection.id, "dismissed", note, end)
    assert challenged.application.state is Status.NOTICE_PASSED and notice.status == "closed"
    _, rows = notices.result(notice)
    assert rows[0].result == "有异议，经核查不成立：经核查，业绩属实，异议不成立；经核查，证书真实"
    outcome = unit_opinions.notice_outcome(session, challenged.application_id)
    assert outcome.endswith("收到异议2件，经核查不成立：经核查，业绩属实，异议不成立；经核查，证书真实")
    over = notices.overruled_for(session, challenged.application)
    assert over is not None and over.count == 2
    assert notices.overruled_for(session, quiet.application) is None

    def closing(application_id: int) -> applications.TimelineEntry:
        steps = applications.timeline(session, handler, application_id)
        return next(e for e in steps if e.to_status == Status.NOTICE_PASSED)

    step = closing(challenged.application_id)
    assert step.action_title == "公示期满（异议经核查不成立）" and step.overruled
    assert step.to_status_title == "公示期满（异议经核查不成立），待报送"
    step = closing(quiet.application_id)
    assert step.action_title == "公示期满无异议" and not step.overruled
    assert step.to_status_title == "公示无异议，待报送"
