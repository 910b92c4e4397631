"""Issue #5 in services: windows and eligibility guard the submission, admins maintain windows and
contacts (audited, no overlaps), and HR's dry run finds the earliest batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import walk
from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Ownership, StaffRole, User
from portal.services import (
    applications,
    cases,
    corrections,
    eligibility,
    forms,
    materials,
    notices,
    policies,
)
from portal.services.actors import Actor, actor_for
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    STORAGE,
    Office,
    World,
    filled_form,
    make_user,
    make_world,
    reviewers,
)

IN_Q4 = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)  # Wednesday, inside Ganzhou's fourth 2026 window
AFTER_Q4 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ACK = "已知悉，如离职将及时告知单位"


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def admin(world: World) -> Actor:
    return actor_for(world.admin, world.admin_membership)


def draft(
    session: Session,
    world: World,
    now: datetime,
    *,
    series: str = "工程",
    specialty: str = "土木工程",
    level: str = "中级",
    pathway: str = "认定",
    office: Office | None = None,
) -> tuple[Application, User]:
    office = office or world.enterprise
    applicant = make_user(session, employer=office.org)
    application = applications.start_application(
        session,
        office.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, series, specialty, level, pathway),
        now,
    )
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), now)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, now)
    return application, applicant


def submit(
    session: Session, application: Application, applicant: User, now: datetime, ack: str = ACK
) -> Application:
    return applications.act(
        session, actor_for(applicant, None), application.id, Action.SUBMIT, now, acknowledgement=ack
    )


def test_the_authority_defaults_to_the_one_the_profile_names(session: Session, world: World) -> None:
    application, _ = draft(session, world, IN_Q4)
    assert (application.pathway, application.authority_code) == ("认定", "gz-city")
    other = make_user(session, employer=world.enterprise.org)
    with pytest.raises(ValidationFailed) as refused:
        applications.start_application(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            applications.StartInput(
                other.id, "工程", "土木工程", "中级", "认定", authority_code="gz-zhanggong"
            ),
            IN_Q4,
        )
    assert "不认定本单位的中级" in refused.value.fields["authority_code"]


def test_an_exam_title_is_refused_with_the_reason_and_clause(session: Session, world: World) -> None:
    with pytest.raises(ValidationFailed) as at_start:
        draft(session, world, IN_Q4, series="会计", specialty="会计")
    assert "以考代评" in at_start.value.fields["level"] and "（001 三(六)）" in at_start.value.fields["level"]
    # A draft started before the profile listed its title as an exam title is still blocked at submission.
    application, applicant = draft(session, world, IN_Q4)
    application.series, application.specialty = "会计", "会计"
    session.flush()
    evaluation = eligibility.evaluate(session, application, IN_Q4)
    assert [(f.rule, f.clause) for f in evaluation.blocks] == [("EXAM-01", "001 三(六)")]
    with pytest.raises(DomainError) as refused:
        submit(session, application, applicant, IN_Q4)
    assert refused.value.code == "ineligible"
    assert "以考代评" in refused.value.message and "001 三(六)" in refused.value.message
    assert application.status == Status.DRAFT.value
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == application.id, AuditEvent.outcome == "denied")
    ).one()
    assert denied.detail["findings"][0]["rule"] == "EXAM-01"


def test_a_non_state_enterprise_is_refused_engineering_recognition(session: Session, world: World) -> None:
    with pytest.raises(ValidationFailed) as at_start:
        draft(session, world, IN_Q4, office=world.other_enterprise)
    assert "可通过职称评审途径申报（001 三(六)）" in at_start.value.fields["pathway"]
    # A draft started before its employer's ownership was recorded as non-state is still blocked at
    # submission.
    enterprise = world.other_enterprise.org
    enterprise.ownership = Ownership.STATE.value
    application, applicant = draft(session, world, IN_Q4, office=world.other_enterprise)
    enterprise.ownership = Ownership.NON_STATE.value
    session.flush()
    with pytest.raises(DomainError) as refused:
        submit(session, application, applicant, IN_Q4)
    assert "非国有企业工程专业技术资格不组织考核认定" in refused.value.message
    assert "001 三(六)" in refused.value.message


def test_outside_the_window_the_next_one_is_named(session: Session, world: World, clock: Clock) -> None:
    application, applicant = draft(session, world, clock.now)  # 2026-09-28: between the third and fourth
    with pytest.raises(DomainError) as refused:
        submit(session, application, applicant, clock.now)
    assert refused.value.message == "当前不在受理期内，下一受理期：2026年10月20日至11月20日（2026年第四批）"
    with pytest.raises(DomainError) as late:
        submit(session, application, applicant, AFTER_Q4)
    assert "下一受理期尚未公布" in late.value.message


def test_warnings_need_an_acknowledged_reason_and_the_batch_is_fixed(session: Session, world: World) -> None:
    application, applicant = draft(session, world, IN_Q4)
    assert [f.rule for f in eligibility.evaluate(session, application, IN_Q4).warnings] == ["CUT-02"]
    with pytest.raises(ValidationFailed) as refused:
        submit(session, application, applicant, IN_Q4, ack="  ")
    assert "确认说明" in refused.value.fields["acknowledgement"]
    submitted = submit(session, application, applicant, IN_Q4)
    assert (submitted.status, submitted.batch_id, submitted.cutoff) == (
        "submitted",
        "2026-4",
        date(2026, 12, 31),
    )
    assert submitted.warnings_acknowledgement == ACK
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_id == application.id, AuditEvent.action == "acknowledge_warnings"
        )
    ).one()
    assert event.reason == ACK and event.detail["findings"][0]["rule"] == "CUT-02"


def test_the_submission_keeps_the_batch_s_name_for_when_the_profile_no_longer_holds_it(
    session: Session, world: World
) -> None:
    # Once the bureau's profile no longer held the batch (a new year's file, an admin's window deleted),
    # every page named it by its id ("2026-4") instead of 2026年第四批.
    application, applicant = draft(session, world, IN_Q4)
    submitted = submit(session, application, applicant, IN_Q4)
    assert (submitted.batch_id, submitted.batch_name) == ("2026-4", "2026年第四批")
    handler = reviewers(world).enterprise_handler
    world.bureau.org.policy_profile = "ganzhou-2022"  # its batches are 2022-1 and 2022-2
    session.flush()
    assert cases.review_case(session, handler, application.id, IN_Q4).batch == "2026年第四批"
    submitted.batch_name = None  # submitted before the name was kept: the id, as before
    assert cases.review_case(session, handler, application.id, IN_Q4).batch == "2026-4"


def test_a_resubmission_after_the_window_keeps_its_batch(session: Session, world: World) -> None:
    application, applicant = draft(session, world, IN_Q4)
    submit(session, application, applicant, IN_Q4)
    road = reviewers(world)
    corrections.return_for_correction(
        session,
        road.enterprise_handler,
        application.id,
        corrections.ReturnInput({"summary": "补充业绩"}, "2026-12-31"),
        IN_Q4,
    )
    resubmitted = applications.act(
        session,
        actor_for(applicant, None),
        application.id,
        Action.RESUBMIT,
        AFTER_Q4,
        acknowledgement=ACK,
        responses={"summary": "业绩已在主要业绩栏列明"},
    )
    assert (resubmitted.status, resubmitted.batch_id) == ("submitted", "2026-4")


def test_a_pathway_outside_the_profile_goes_to_manual_review(
    session: Session, world: World, clock: Clock
) -> None:
    application, applicant = draft(session, world, clock.now, pathway="评审", office=world.other_enterprise)
    evaluation = eligibility.evaluate(session, application, clock.now)
    assert not evaluation.applies and [f.severity for f in evaluation.findings] == ["manual"]
    assert submit(session, application, applicant, clock.now).status == "submitted"


def window_input(**overrides: str) -> policies.WindowInput:
    values = {
        "batch_id": "2027-1",
        "batch_name": "2027年第一批",
        "authority": "all",
        "levels": "初级,中级",
        "opens": "2027-01-20",
        "closes": "2027-02-20",
        "cutoff": "2027-03-31",
        "citation": "赣市人社字〔2027〕1号 附件",
    }
    return policies.WindowInput(**{**values, **overrides})


def test_the_admin_adds_next_years_window_and_submissions_see_it(session: Session, world: World) -> None:
    row = policies.save_window(session, admin(world), window_input(), AFTER_Q4)
    application, applicant = draft(session, world, AFTER_Q4)
    with pytest.raises(DomainError) as refused:
        submit(session, application, applicant, AFTER_Q4)
    assert refused.value.message == "当前不在受理期内，下一受理期：2027年1月20日至2月20日（2027年第一批）"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "policy_window_add")).one()
    assert event.object_id == row.id and event.detail["after"]["closes"] == "2027-02-20"
    # Its cutoff is a batch cutoff now, not an unknown date.
    findings = eligibility.evaluate(session, application, AFTER_Q4).findings
    assert not any("不是" in f.message and f.rule == "CUT-02" for f in findings)
    policies.save_window(session, admin(world), window_input(closes="2027-02-28"), AFTER_Q4, window_id=row.id)
    policies.delete_window(session, admin(world), row.id, AFTER_Q4)
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "policy_window")
        .order_by(AuditEvent.id)  # no order without it: PostgreSQL once gave the update first
    ).all()
    assert actions == ["policy_window_add", "policy_window_update", "policy_window_delete"]


def test_windows_of_one_authority_and_level_cannot_overlap(session: Session, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        policies.save_window(
            session,
            admin(world),
            window_input(batch_id="2026-extra", opens="2026-11-01", closes="2026-12-10"),
            IN_Q4,
        )
    assert "与2026年第四批" in refused.value.fields["opens"] and "不能重叠" in refused.value.fields["opens"]
    # Other levels do not clash; the same batch id replaces the file's batch (a deadline extension).
    policies.save_window(
        session,
        admin(world),
        window_input(batch_id="2026-senior", levels="副高级", opens="2026-11-01", closes="2026-12-10"),
        IN_Q4,
    )
    policies.save_window(
        session,
        admin(world),
        window_input(
            batch_id="2026-4",
            batch_name="第四批",
            opens="2026-10-20",
            closes="2026-11-30",
            cutoff="2026-12-31",
        ),
        IN_Q4,
    )
    profile = policies.effective_profile(session, world.bureau.org)
    assert profile is not None
    assert [w.closes for w in profile.batches if w.batch_id == "2026-4"] == [date(2026, 11, 30)]


def test_only_the_bureau_admin_maintains_windows(session: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        policies.save_window(session, world.bureau.actor(StaffRole.HANDLER), window_input(), IN_Q4)


def test_a_window_closing_on_a_rest_day_is_flagged(session: Session, world: World) -> None:
    view = policies.overview(session, admin(world), datetime(2026, 1, 5, 2, tzinfo=UTC))
    first = next(w for w in view.windows if w.window.batch_id == "2026-1")
    assert first.closes_on_rest_day is True and first.last_workday == date(2026, 2, 14)
    second = next(w for w in view.windows if w.window.batch_id == "2026-2")
    assert second.closes_on_rest_day is False


def test_contact_corrections_are_used_and_audited(session: Session, world: World) -> None:
    policies.save_contact(
        session,
        admin(world),
        policies.ContactInput("gz-city", "赣州市职称工作办公室", "0797-8179999", source="2027年通知附件"),
        IN_Q4,
    )
    profile = policies.effective_profile(session, world.bureau.org)
    assert profile is not None and profile.authority("gz-city").phone == "0797-8179999"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "authority_contact_update")).one()
    assert event.detail["before"]["phone"] == "0797-8179808"


def test_home_windows_count_down_to_the_close(session: Session, world: World) -> None:
    shown = policies.current_windows(session, world.enterprise.org, IN_Q4)
    assert shown[0].title == "2026年第四批" and shown[0].is_open and shown[0].days_left == 30


def test_the_dry_run_finds_the_earliest_batch(session: Session, world: World) -> None:
    hr = world.enterprise.actor(StaffRole.HANDLER)
    data = eligibility.DryRunInput(
        pathway="认定",
        series="工程",
        specialty="机械工程",
        level="助理级",
        education="本科",
        graduated_on="2026-07-01",
        major_matches="yes",
        work_started_on="2026-07-10",
        title_level="none",
    )
    result = eligibility.dry_run(session, hr, data, datetime(2026, 4, 1, 2, tzinfo=UTC))
    assert result.verdict.startswith("最早可于2026年第三批申报")
    assert result.attempts[0].blocks[0].rule == "CUT-02"  # the degree comes after the second batch's cutoff
    exam = eligibility.dry_run(
        session,
        hr,
        eligibility.DryRunInput(pathway="认定", series="会计", level="中级"),
        datetime(2026, 4, 1, 2, tzinfo=UTC),
    )
    assert exam.earliest is None and "尚不符合申报条件" in exam.verdict
    typed = eligibility.dry_run(  # a suggested series typed in English is compared as its Chinese name
        session, hr, replace(data, series=" engineering "), datetime(2026, 4, 1, 2, tzinfo=UTC)
    )
    assert typed.series == "工程" and typed.verdict == result.verdict
    with pytest.raises(ValidationFailed) as invalid:
        eligibility.dry_run(session, hr, eligibility.DryRunInput(pathway="评审", series="", level="x"), IN_Q4)
    assert set(invalid.value.fields) == {"pathway", "series", "level"}
    with pytest.raises(PermissionDenied):
        eligibility.dry_run(session, world.bureau.actor(StaffRole.HANDLER), data, IN_Q4)


def test_the_notice_sheet_shows_the_years_the_check_counted(session: Session, world: World) -> None:
    """CUT-06 on the 公示表: work from 2014-01-01, graduated 2015-06-30. The sheet counted from the first
    post to the notice's first day (12年); the check counts from graduation to the batch's cutoff
    2026-12-31 (11年). Colleagues challenging the notice read the check's figure and its day."""
    applicant = make_user(session, employer=world.enterprise.org)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    application = applications.start_application(
        session, handler, applications.StartInput(applicant.id, "工程", "土木工程", "中级", "认定"), IN_Q4
    )
    work = {"employer": world.enterprise.org.name, "post": "技术员", "professional": "是"}
    form = filled_form(application, work=[{**work, "started_on": "2014-01-01"}])
    forms.save_form(session, actor_for(applicant, None), application.id, form, IN_Q4)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, IN_Q4)
    walk(session, reviewers(world), application, STEPS_TO[Status.UNIT_APPROVED], IN_Q4)
    assert application.status == Status.UNIT_APPROVED and application.cutoff == date(2026, 12, 31)
    data = notices.NoticeInput("职称申报人员公示", "一楼公示栏", "人事部 0797-1234567", "2026-10-26")
    notice = notices.draft_notice(session, handler, data, [application.id], IN_Q4)
    _header, rows = notices.sheet(session, notice)
    assert rows[0].years == "11年（计至2026年12月31日）"
    finding = next(
        f for f in eligibility.evaluate(session, application, IN_Q4).findings if f.rule == "CUT-06"
    )
    assert "为11年" in str(finding.message)
    # Published, the sheet keeps the figure it was posted with (and counts nothing per row when shown).
    notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, IN_Q4)
    assert notice.entries[0].years_shown == "11年（计至2026年12月31日）"
    application.cutoff = date(2027, 12, 31)
    assert notices.sheet(session, notice)[1][0].years == "11年（计至2026年12月31日）"
