"""ACC-04: the bureau admin voids a self-registered account no unit attached (bogus, or abandoned with a
typo'd name that held the ID number). The account can no longer log in, its sessions end, and its ID
number and mobile are free again (the person registers again, or HR open their account); the void is
audited with who, whom and why, refusals as attempts. Only the admin of the bureau it registered with
may; an attached, already voided (two admins at once) or staff account is refused with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.domain.accounts import ApplicantDraft
from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.identity import complete_resident_id
from portal.models import AuditEvent, AuthSession, RegistrationVoid, StaffRole, User
from portal.services import accounts, registration_voids
from portal.services.actors import Actor, actor_for
from tests.conftest import Clock
from tests.factories import World, make_staff, make_world

PASSWORD = "Kunming#Reg2026x"
NUMBER = complete_resident_id("53011319880607123")
PHONE = "13970908811"


@pytest.fixture
def kunming(session: Session) -> World:
    return make_world(session, policy_profile="kunming-2022")


def _register(client: Any, world: World, **changes: str) -> Any:
    typed = {
        "name": "李春燕",
        "document_type": "resident_id",
        "id_number": NUMBER,
        "phone": PHONE,
        "password": PASSWORD,
        "confirm": PASSWORD,
    } | changes
    return client.post(f"/register/{world.bureau.org.id}", data=typed)


def _registered(session: Session, world: World, client: Any, **changes: str) -> User:
    assert _register(client, world, **changes).status_code == 303
    user = session.scalars(select(User).where(User.id_number == changes.get("id_number", NUMBER))).one()
    return user


def _admin(world: World) -> Actor:
    return actor_for(world.admin, world.admin_membership)


def _attempts(session: Session) -> list[str]:
    return [
        e.detail["code"]
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "void_registration", AuditEvent.outcome == "denied")
            .order_by(AuditEvent.id)
        )
    ]


def test_a_voided_registration_logs_in_no_more_and_the_person_registers_again(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    user = _registered(session, kunming, client)
    squatter = client.post("/login", data={"login": PHONE, "password": PASSWORD})
    assert squatter.status_code == 303 and client.get("/account/employer").status_code == 200

    record = registration_voids.void_registration(
        session, _admin(kunming), user.id, "  冒用他人身份注册，本人来电反映  ", clock.now
    )
    session.refresh(user)
    assert not user.is_active and not user.awaits_employer
    assert (user.id_number, user.phone) == registration_voids.released_numbers(user.id)
    assert (record.id_number, record.phone, record.name) == (NUMBER, PHONE, "李春燕")
    assert (record.reason, record.voided_by_id) == ("冒用他人身份注册，本人来电反映", kunming.admin.id)
    assert not session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all()
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "void_registration", AuditEvent.outcome == "ok")
    ).one()
    assert (event.actor_id, event.object_id, event.reason) == (
        kunming.admin.id,
        user.id,
        "冒用他人身份注册，本人来电反映",
    )
    assert event.detail["name"] == "李春燕" and NUMBER not in str(event.detail)

    assert client.get("/account/employer").status_code in (302, 303)  # the squatter's session ended
    again = client.post("/login", data={"login": PHONE, "password": PASSWORD})
    assert again.status_code == 422
    # The number and the mobile are free: the person registers again, and logs in.
    assert _register(client, kunming).status_code == 303
    fresh = session.scalars(select(User).where(User.id_number == NUMBER)).one()
    assert fresh.id != user.id and fresh.awaits_employer
    assert client.post("/login", data={"login": PHONE, "password": PASSWORD}).status_code == 303


def test_hr_open_the_account_of_a_voided_number_as_a_new_one(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    user = _registered(session, kunming, client, name="李春艳")  # a typo'd name holds the number
    hr = kunming.enterprise.actor(StaffRole.HANDLER)
    draft = ApplicantDraft(
        name="李春燕", id_number=NUMBER, phone="13912345670", employment_type="labour_contract"
    )
    assert "name" in accounts.check_applicant_input(session, hr, draft, clock.now).problems
    registration_voids.void_registration(session, _admin(kunming), user.id, "姓名填写错误", clock.now)
    made = accounts.create_applicant(session, hr, draft, clock.now)
    assert made.user.id != user.id and made.user.employer_id == kunming.enterprise.org.id


def test_hr_attaching_an_account_the_admin_voided_meanwhile_is_told_so(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    user = _registered(session, kunming, client)
    hr = kunming.enterprise.actor(StaffRole.HANDLER)
    draft = ApplicantDraft(name="李春燕", id_number=NUMBER, phone=PHONE, employment_type="labour_contract")
    checked = accounts.check_applicant_input(session, hr, draft, clock.now)  # HR's form, read first
    assert checked.reuse is user
    registration_voids.void_registration(session, _admin(kunming), user.id, "冒用身份", clock.now)
    with pytest.raises(StaleObject) as late:
        accounts.attach_registered(session, hr, user, checked.checked, clock.now)
    assert "作废" in late.value.message
    session.refresh(user)
    assert user.employer_id is None and not user.is_active


def test_no_reason_no_void_and_only_the_bureaus_own_admin_voids(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    user = _registered(session, kunming, client)
    admin = _admin(kunming)
    with pytest.raises(ValidationFailed) as empty:
        registration_voids.void_registration(session, admin, user.id, "   ", clock.now)
    assert "请写明作废的理由" in empty.value.fields["reason"]
    with pytest.raises(ValidationFailed) as long:
        registration_voids.void_registration(session, admin, user.id, "理" * 501, clock.now)
    assert "不能超过500字" in long.value.fields["reason"]
    for role in (StaffRole.LEADER, StaffRole.HANDLER):
        with pytest.raises(PermissionDenied):
            registration_voids.void_registration(
                session, kunming.bureau.actor(role), user.id, "领导作废", clock.now
            )
    elsewhere = make_world(session, policy_profile="kunming-2022")
    with pytest.raises(NotFound):
        registration_voids.void_registration(session, _admin(elsewhere), user.id, "替别的局作废", clock.now)
    assert user.id not in {
        r.user.id for r in registration_voids.waiting_registrations(session, _admin(elsewhere)).rows
    }
    session.refresh(user)
    assert user.is_active and user.id_number == NUMBER
    assert session.scalars(select(RegistrationVoid)).all() == []


def test_an_attached_a_voided_or_a_staff_account_is_refused_and_each_refusal_is_audited(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    admin = _admin(kunming)
    attached = _registered(session, kunming, client)
    hr = kunming.enterprise.actor(StaffRole.HANDLER)
    accounts.create_applicant(
        session,
        hr,
        ApplicantDraft(name="李春燕", id_number=NUMBER, phone=PHONE, employment_type="labour_contract"),
        clock.now,
    )
    with pytest.raises(DomainError) as held:
        registration_voids.void_registration(session, admin, attached.id, "冒用身份", clock.now)
    assert held.value.code == "attached" and "用人单位关联" in held.value.message

    other = complete_resident_id("53011319900101456")
    staff = _registered(session, kunming, client, id_number=other, phone="13970908812", name="王某")
    make_staff(session, kunming.bureau.org, StaffRole.HANDLER, user=staff)
    with pytest.raises(DomainError) as made_staff:
        registration_voids.void_registration(session, admin, staff.id, "不再需要", clock.now)
    assert made_staff.value.code == "not_applicant"

    third = complete_resident_id("53011319900101789")
    bogus = _registered(session, kunming, client, id_number=third, phone="13970908813", name="赵某")
    registration_voids.void_registration(session, admin, bogus.id, "冒用身份", clock.now)
    with pytest.raises(DomainError) as twice:
        registration_voids.void_registration(session, admin, bogus.id, "再作废一次", clock.now)
    assert twice.value.code == "voided"
    assert _attempts(session) == ["attached", "not_applicant", "voided"]


def test_two_admins_at_once_the_second_is_told_it_is_voided_and_an_attach_meanwhile_wins(
    kunming: World, session: Session, client: Any, clock: Clock
) -> None:
    """Each admin's page was read before the other acted: the service's own check passes on its stale
    copy, and the compare-and-set finds the account changed."""
    admin = _admin(kunming)
    user = _registered(session, kunming, client)
    # Another admin voided it a moment ago (the row changed; this session's copy did not).
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(is_active=False)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(DomainError) as late:
        registration_voids.void_registration(session, admin, user.id, "同时作废", clock.now)
    assert late.value.code == "voided" and "另一位管理员" in late.value.message

    other = complete_resident_id("53011319900101456")
    second = _registered(session, kunming, client, id_number=other, phone="13970908812", name="王某")
    session.execute(
        update(User)
        .where(User.id == second.id)
        .values(employer_id=kunming.enterprise.org.id)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(DomainError) as attached:
        registration_voids.void_registration(session, admin, second.id, "同时关联", clock.now)
    assert attached.value.code == "attached"
    session.refresh(second)
    assert second.is_active and second.id_number == other
    assert _attempts(session) == ["voided", "attached"]


def test_an_account_made_staff_between_the_check_and_the_void_is_not_voided(
    kunming: World, session: Session, client: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another admin makes the account staff just after the void's own check read it as an applicant: the
    compare-and-set itself finds the membership, and the void is refused with its reason."""
    user = _registered(session, kunming, client)
    checked = accounts.unattached_registration

    def made_staff_meanwhile(db: Session, account: User) -> bool:
        answer = checked(db, account)
        if not account.memberships:
            make_staff(db, kunming.bureau.org, StaffRole.HANDLER, user=account)
        return answer

    monkeypatch.setattr(registration_voids, "unattached_registration", made_staff_meanwhile)
    with pytest.raises(DomainError) as late:
        registration_voids.void_registration(session, _admin(kunming), user.id, "冒用身份", clock.now)
    assert late.value.code == "not_applicant"
    session.refresh(user)
    assert user.is_active and user.id_number == NUMBER and user.phone == PHONE
    assert not session.scalars(select(RegistrationVoid)).all()
    assert _attempts(session) == ["not_applicant"]


def test_the_list_shows_masked_numbers_searches_and_pages(
    kunming: World, session: Session, client: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _admin(kunming)
    user = _registered(session, kunming, client)
    client.post("/login", data={"login": PHONE, "password": PASSWORD})
    other = complete_resident_id("53011319900101456")
    second = _registered(session, kunming, client, id_number=other, phone="13970908812", name="王某")
    listing = registration_voids.waiting_registrations(session, admin)
    assert [r.user.id for r in listing.rows] == [second.id, user.id]  # newest first
    assert listing.rows[1].last_login is not None and listing.rows[0].last_login is None

    def found(q: str) -> list[int]:
        return [r.user.id for r in registration_voids.waiting_registrations(session, admin, q=q).rows]

    assert found("春燕") == [user.id]
    assert found(NUMBER) == [user.id] and found(NUMBER.lower()) == [user.id]
    assert found(NUMBER[-4:]) == [user.id]
    assert found(NUMBER[-8:]) == []  # a longer piece than 6 digits is no search (it would spell numbers out)
    assert found("没有这个人") == []

    monkeypatch.setattr(registration_voids, "PAGE_SIZE", 1)
    first = registration_voids.waiting_registrations(session, admin)
    assert [r.user.id for r in first.rows] == [second.id] and first.next_before == second.id
    rest = registration_voids.waiting_registrations(session, admin, before=first.next_before)
    assert [r.user.id for r in rest.rows] == [user.id] and rest.next_before is None


def test_the_admin_voids_on_the_page_after_the_question_and_the_link_is_only_where_people_register(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    admin = login_as(kunming.admin, membership_id=kunming.admin_membership.id)
    page = admin.get("/admin/registrations")
    assert page.status_code == 200 and 'href="/admin/registrations"' in page.text
    row = page.text.split(f'id="registration-{user.id}"')[1].split("</tr>")[0]
    assert NUMBER not in page.text and PHONE not in page.text
    assert NUMBER[:4] in row and NUMBER[-4:] in row and "139****8811" in row and "从未登录" in row
    assert "data-confirm=" in row and "作废注册" in row and 'maxlength="500"' in row
    assert admin.get("/admin/registrations?q=没有这个人").text.count("没有符合条件的注册账号") == 1

    empty = admin.post(f"/admin/registrations/{user.id}/void", data={"reason": "  "})
    assert empty.status_code == 422
    assert f'id="e-reason-{user.id}"' in empty.text and "请写明作废的理由" in empty.text
    session.refresh(user)
    assert user.is_active

    done = admin.post(
        f"/admin/registrations/{user.id}/void", data={"reason": "冒用身份"}, follow_redirects=True
    )
    assert "已作废该注册" in done.text and f'id="registration-{user.id}"' not in done.text
    assert "没有待关联的自行注册账号" in done.text
    again = admin.post(f"/admin/registrations/{user.id}/void", data={"reason": "冒用身份"})
    assert again.status_code == 303  # refused with its reason on the page, not a 500
    assert "该注册已被作废" in admin.get("/admin/registrations").text

    # A bureau whose profile has no self-registration: no link (the page itself lists nothing).
    ganzhou = make_world(session, policy_profile="ganzhou-2026")
    theirs = login_as(ganzhou.admin, membership_id=ganzhou.admin_membership.id)
    assert 'href="/admin/registrations"' not in theirs.get("/admin/audit").text
    assert "没有待关联的自行注册账号" in theirs.get("/admin/registrations").text
    assert theirs.post(f"/admin/registrations/{user.id}/void", data={"reason": "x"}).status_code == 404


def test_a_bureau_leader_cannot_void_and_the_refusal_is_audited(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    leader = login_as(kunming.bureau.leader, membership_id=kunming.bureau.leader_membership.id)
    assert leader.get("/admin/registrations").status_code == 403
    assert leader.post(f"/admin/registrations/{user.id}/void", data={"reason": "领导作废"}).status_code == 403
    session.refresh(user)
    assert user.is_active
    denied = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access_denied", AuditEvent.actor_id == kunming.bureau.leader.id
        )
    ).all()
    assert any(e.detail.get("endpoint") == "admin.void_registration" for e in denied)


def test_a_refused_void_comes_back_to_the_rows_the_admin_searched(
    kunming: World, session: Session, client: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin finds the person by a search (or on an older page) and sends no reason: the page comes back
    with that row, its error and what was typed (it listed the newest rows unfiltered, without them)."""
    user = _registered(session, kunming, client)
    for n, name in enumerate(("王某甲", "王某乙")):  # newer ones: with a row a page, the person is not first
        other = complete_resident_id(f"5301131990010145{n}")
        _registered(session, kunming, client, id_number=other, phone=f"1397090882{n}", name=name)
    monkeypatch.setattr(registration_voids, "PAGE_SIZE", 1)
    admin = login_as(kunming.admin, membership_id=kunming.admin_membership.id)
    page = admin.get(f"/admin/registrations?q={NUMBER[-4:]}").text
    action = f'action="/admin/registrations/{user.id}/void?q={NUMBER[-4:]}"'
    assert action in page
    refused = admin.post(f"/admin/registrations/{user.id}/void?q={NUMBER[-4:]}", data={"reason": " "})
    assert refused.status_code == 422 and f'id="e-reason-{user.id}"' in refused.text
    assert f'id="registration-{user.id}"' in refused.text
    session.refresh(user)
    assert user.is_active
