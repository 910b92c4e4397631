"""The demo data is a loader over the real services (issue 18.8): the deployment opens each bureau and its
admins, the admin creates the departments, enterprises and staff accounts, HR open the applicants', and
each person sets the README's password through the password change; so every organisation and account
has the audit event the product writes for it, and every demo login works with Demo@2026."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import DEMO_PASSWORD, FOREIGN_APPLICANT, demo_phones, seed_demo
from portal.models import Application, AuditEvent, Committee, Notice, Organisation, OrgKind, User
from portal.services import auth
from portal.services.organisations import PersonInput, open_bureau, open_bureau_admin
from tests.factories import STORAGE

LOADED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _audited(session: Session, action: str, object_type: str) -> set[int]:
    return set(
        session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.action == action, AuditEvent.object_type == object_type
            )
        )
    )


def test_every_demo_organisation_and_account_is_made_by_its_service(session: Session) -> None:
    seed_demo(session, LOADED, STORAGE)
    orgs = list(session.scalars(select(Organisation)))
    assert {OrgKind(o.kind) for o in orgs} >= {OrgKind.BUREAU, OrgKind.DEPARTMENT, OrgKind.ENTERPRISE}
    # Committee offices are opened with their committees (the admin loads the profile's committee table,
    # or creates one: Dongchuan's, whose table is in attachments the seeds lack).
    loaded = {
        committee_id
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "load_committees"))
        for committee_id in e.detail["committees"]
    } | _audited(session, "create_committee", "committee")
    offices = set(session.scalars(select(Committee.office_id).where(Committee.id.in_(loaded))))
    assert {o.id for o in orgs} <= _audited(session, "create_organisation", "organisation") | offices
    assert any(OrgKind(o.kind) is OrgKind.COMMITTEE for o in orgs)
    users = list(session.scalars(select(User).where(User.phone.in_(demo_phones()))))
    assert len(users) == len(set(demo_phones()))
    # Every account was opened by a service that audits it (staff by their admin or the deployment, experts
    # by their committee office, applicants by their HR), and its first password was changed by its holder.
    opened = {
        e.detail["user_id"]
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action.in_(("add_staff", "add_expert"))))
    } | _audited(session, "create_applicant", "user")
    changed = _audited(session, "change_password", "user")
    assert {u.id for u in users} <= opened - {None}
    assert {u.id for u in users} <= changed
    assert not any(u.must_change_password for u in users)
    assert all(u.created_at is not None for u in users)


def test_every_demo_login_works_with_the_readme_password(session: Session) -> None:
    logins = seed_demo(session, LOADED, STORAGE)
    policy = auth.LoginPolicy()
    for _, phone, name in logins[:: max(1, len(logins) // 6)]:  # a few of each kind: hashing is slow
        assert auth.authenticate(session, phone, DEMO_PASSWORD, LOADED, policy).name == name


def test_the_deployment_opens_a_bureau_and_its_admin(session: Session) -> None:
    bureau = open_bureau(session, "测试市人力资源和社会保障局", LOADED, code="CS", region="测试市")
    account = open_bureau_admin(
        session, bureau, PersonInput("王测试", "360702199001010993", "13800001111"), LOADED
    )
    assert account.user.must_change_password and account.password
    assert bureau.id in _audited(session, "create_organisation", "organisation")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "add_staff")).all()
    assert any(e.object_id == bureau.id and e.detail["user_id"] == account.user.id for e in events)


def test_each_unit_notice_gives_a_contact_in_its_own_city(session: Session) -> None:
    """A Zhenjiang or Kunming unit's notice gave Ganzhou's 0797 number for objections."""
    seed_demo(session, LOADED, STORAGE)
    area_codes = {"镇江": "0511-", "昆明": "0871-", "赣州": "0797-"}
    notices = list(session.scalars(select(Notice)))
    assert len(notices) > 3
    for notice in notices:
        top = notice.org
        while top.parent is not None:
            top = top.parent
        city = next(c for c in area_codes if c in top.name + top.region)
        assert area_codes[city] in notice.contact, (notice.org.name, notice.contact)


def test_the_demo_has_a_foreign_applicant_who_reads_the_portal_in_english(session: Session) -> None:
    logins = seed_demo(session, LOADED, STORAGE)
    person = session.scalars(select(User).where(User.phone == FOREIGN_APPLICANT.phone)).one()
    document = (person.document_type, person.nationality, person.permit_kind)
    assert document == ("passport", "DEU", "work_permit")
    assert person.language == "en" and person.employer_id is not None
    assert any(phone == person.phone and "外籍" in what for what, phone, _ in logins)
    drafts = session.scalars(select(Application).where(Application.applicant_id == person.id)).all()
    assert [(a.status, a.pathway) for a in drafts] == [("draft", "评审")]
