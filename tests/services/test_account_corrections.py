"""HR correct the name or mobile they typed when opening an applicant's account (a typo the roster's
姓名不一致 shows, a changed number): checked by the opening form's own rules, audited with each changed
field's before and after. Refused for one's own account, an account that is also staff or an expert, a
voided one; the name (the account's, read live by every case, notice and certificate) stays while a case
the unit recommended is in progress or a certificate was issued under it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.accounts import AccountChange
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.mail import EmailTopic, NoticeKind, kinds_of
from portal.domain.workflow import Status
from portal.models import AuditEvent, Notification, StaffRole, User
from portal.services import accounts
from tests.factories import (
    World,
    make_application,
    make_committee_world,
    make_user,
    staff_and_expert_applicants,
)


@pytest.fixture
def world(session: Session, clock: Any) -> World:
    return make_committee_world(session, clock.now)


def _events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "update_account")))


def test_hr_correct_the_name_and_mobile_and_the_audit_keeps_before_and_after(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    old_phone = person.phone
    for role, name, phone in (
        (StaffRole.HANDLER, " 周 文博 ", "139 7070 9988"),
        (StaffRole.LEADER, "周文博", ""),
    ):
        actor = world.enterprise.actor(role)
        if role is StaffRole.LEADER:  # the leader changes only the name back and forth: nothing else moves
            accounts.update_applicant_account(session, actor, person.id, AccountChange("周文搏"), clock.now)
        update = accounts.update_applicant_account(
            session, actor, person.id, AccountChange(name, phone), clock.now
        )
        assert person.name == "周文博" and update.user is person
    assert person.phone == "13970709988"
    first, back, last = _events(session)
    assert (first.actor_id, first.org_id, first.object_type, first.object_id) == (
        world.enterprise.handler.id,
        world.enterprise.org.id,
        "user",
        person.id,
    )
    # The name as typed and stored; the mobile masked, as the page shows it.
    assert first.detail == {
        "changed": {
            "name": {"before": "周文搏", "after": "周文博"},
            "phone": {"before": f"{old_phone[:3]}****{old_phone[-4:]}", "after": "139****9988"},
        }
    }
    assert back.detail == {"changed": {"name": {"before": "周文博", "after": "周文搏"}}}
    assert last.actor_id == world.enterprise.leader.id and set(last.detail["changed"]) == {"name"}


def test_bad_fields_get_the_opening_forms_messages_and_change_nothing(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    taken = make_user(session, employer=world.other_enterprise.org)
    hr = world.enterprise.actor(StaffRole.HANDLER)
    before = (person.name, person.phone)
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange("周文博#", "1397070"), clock.now
        )
    assert "姓名中不能有“#”" in refused.value.fields["name"]
    assert "手机号" in refused.value.fields["phone"]
    with pytest.raises(ValidationFailed) as empty:
        accounts.update_applicant_account(session, hr, person.id, AccountChange("  "), clock.now)
    assert "请填写姓名" in empty.value.fields["name"]
    with pytest.raises(ValidationFailed) as twice:
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange("周文博", taken.phone), clock.now
        )
    assert twice.value.fields == {"phone": accounts.PHONE_TAKEN}
    with pytest.raises(DomainError) as same:
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange("周文搏", person.phone), clock.now
        )
    assert same.value.code == "unchanged"
    assert (person.name, person.phone) == before and _events(session) == []


def test_another_enterprise_reads_as_not_found_and_other_staff_are_refused(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    with pytest.raises(NotFound):
        accounts.update_applicant_account(
            session,
            world.other_enterprise.actor(StaffRole.HANDLER),
            person.id,
            AccountChange("周文博"),
            clock.now,
        )
    with pytest.raises(PermissionDenied):
        accounts.update_applicant_account(
            session, world.bureau.actor(StaffRole.HANDLER), person.id, AccountChange("周文博"), clock.now
        )
    assert person.name == "周文搏"


def test_oneself_staff_experts_and_voided_accounts_are_refused_and_the_page_says_why(
    world: World, session: Session, clock: Any
) -> None:
    hr = world.enterprise.actor(StaffRole.HANDLER)
    oneself = world.enterprise.handler
    oneself.employer_id = world.enterprise.org.id
    staff_member, expert = staff_and_expert_applicants(session, world, clock.now)
    voided = make_user(session, employer=world.enterprise.org)
    voided.is_active = False
    session.flush()
    expected = {
        oneself.id: (PermissionDenied, "本人"),
        staff_member.id: (PermissionDenied, "工作人员或评审专家"),
        expert.id: (PermissionDenied, "工作人员或评审专家"),
        voided.id: (DomainError, "已停用"),
    }
    for user_id, (kind, words) in expected.items():
        user = session.get(User, user_id)
        assert user is not None
        name = user.name
        with pytest.raises(kind, match=words):
            accounts.update_applicant_account(session, hr, user_id, AccountChange("新名字"), clock.now)
        assert user.name == name
        # The page offers no form and says the same.
        assert words in accounts.show_applicant(session, hr, user_id, clock.now).editing.refusal
    # Not audited by the service: a PermissionDenied is audited where it is shown (access_denied), the
    # others are the page's own answer, as the password reset's.
    assert _events(session) == []


@pytest.mark.parametrize(
    ("status", "reached", "name_fixed"),
    [
        (Status.DRAFT, 0, False),
        (Status.SUBMITTED, 0, False),
        (Status.UNIT_REVIEW, 0, False),
        (Status.RETURNED, 0, False),  # returned by the unit's handler: still the unit's
        (Status.UNIT_APPROVED, 0, True),
        (Status.IN_NOTICE, 0, True),  # the unit's notice is public
        (Status.DEPT_REVIEW, 1, True),
        (Status.RETURNED, 1, True),  # returned by the department: the name is on record there
        (Status.WITHDRAWN, 2, False),  # ended: the account may be corrected
        (Status.CERTIFIED, 2, True),  # a certificate names the holder
    ],
)
def test_the_name_is_fixed_while_a_case_the_unit_recommended_is_in_progress_or_certified(
    world: World, session: Session, clock: Any, status: Status, reached: int, name_fixed: bool
) -> None:
    """No application keeps the name it was submitted with (every page, notice, package and certificate
    reads the account's): correcting it after the unit put its name to the case would rewrite what the
    public, the department and the bureau saw. The mobile is on none of them."""
    hr = world.enterprise.actor(StaffRole.HANDLER)
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    application = make_application(session, world, clock.now, applicant=person)
    application.status, application.reached_level = status.value, reached
    if status is Status.RETURNED:
        application.returned_from = (Status.UNIT_REVIEW if reached == 0 else Status.DEPT_REVIEW).value
    if status is Status.CERTIFIED:
        application.certificate_no, application.certificate_code = "2026GZ09999", "0000000001"
    session.flush()
    editing = accounts.show_applicant(session, hr, person.id, clock.now).editing
    assert editing.refusal == "" and bool(editing.name_refusal) is name_fixed
    assert editing.in_unit == (1 if not status.is_final and not name_fixed else 0)
    change = AccountChange("周文博", "13970709977")
    if name_fixed:
        with pytest.raises(ValidationFailed) as refused:
            accounts.update_applicant_account(session, hr, person.id, change, clock.now)
        assert list(refused.value.fields) == ["name"]
        # The mobile alone is corrected.
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange(person.name, change.phone), clock.now
        )
        assert person.phone == "13970709977" and person.name != "周文博"
    else:
        accounts.update_applicant_account(session, hr, person.id, change, clock.now)
        assert person.name == "周文博"


def _told(session: Session, user: User) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(session.scalars(stmt))


def test_the_holder_is_told_of_a_new_login_mobile_by_whom_and_what_to_do(
    world: World, session: Session, clock: Any
) -> None:
    """A security notice (it cannot be switched off by e-mail): the unit, who, when, the old and new
    number masked as the audit keeps them, and what to do when the person did not ask for it."""
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    old_phone = person.phone
    hr = world.enterprise.actor(StaffRole.HANDLER)
    accounts.update_applicant_account(
        session, hr, person.id, AccountChange("周文搏", "139 7070 9988"), clock.now
    )
    [notice] = _told(session, person)
    assert notice.kind == NoticeKind.ACCOUNT_CHANGED.value and notice.kind in kinds_of(EmailTopic.SECURITY)
    unit = world.enterprise.org.name
    assert notice.text.startswith(f"账号安全提醒：{unit}的{world.enterprise.handler.name}于")
    assert (
        f"将您的登录手机号由{old_phone[:3]}****{old_phone[-4:]}改为139****9988，今后请用新手机号登录"
        in notice.text
    )
    assert f"如果这不是您本人要求的修改，请立即与{unit}人事部门联系，或向当地人社局反映" in notice.text
    assert old_phone not in notice.text and "13970709988" not in notice.text  # masked, as shown
    assert notice.message_record and notice.message_record["params"]["at"] == {
        "datetime": clock.now.isoformat()
    }
    assert notice.link == "/inbox"
    # Nobody else is told (HR did it; the leader is not the holder).
    assert _told(session, world.enterprise.handler) == [] and _told(session, world.enterprise.leader) == []


def test_a_name_and_mobile_changed_together_are_one_notice_and_a_name_alone_a_lighter_one(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    hr = world.enterprise.actor(StaffRole.LEADER)
    accounts.update_applicant_account(
        session, hr, person.id, AccountChange("周文博", "13970709988"), clock.now
    )
    accounts.update_applicant_account(session, hr, person.id, AccountChange("周闻博"), clock.now)
    both, name_only = _told(session, person)
    assert "改为139****9988，姓名由“周文搏”更正为“周文博”，今后请用新手机号登录" in both.text
    assert "账号安全提醒" in both.text
    assert name_only.kind == NoticeKind.ACCOUNT_CHANGED.value
    assert name_only.text.endswith(
        f"将您账号的姓名由“周文博”更正为“周闻博”。如有疑问，请与{world.enterprise.org.name}人事部门联系。"
    )
    assert "账号安全提醒" not in name_only.text and "手机号" not in name_only.text


def test_a_refused_correction_tells_nobody(world: World, session: Session, clock: Any) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    taken = make_user(session, employer=world.other_enterprise.org)
    hr = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed):
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange("周文博", taken.phone), clock.now
        )
    with pytest.raises(DomainError):
        accounts.update_applicant_account(
            session, hr, person.id, AccountChange("周文搏", person.phone), clock.now
        )
    assert _told(session, person) == []
