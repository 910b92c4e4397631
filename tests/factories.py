"""Factories for service and web tests: an organisation tree with staff, applicants and applications
walked to any status through the real services."""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from portal.demo import DEMO_OPINION, Reviewers, walk
from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.workflow import Status
from portal.models import Application, Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.services import applications, forms, materials, unit_opinions
from portal.services.actors import Actor, actor_for
from portal.services.auth import hash_password
from portal.storage.local import LocalStorage

# Content-addressed and written atomically, so every worker may share it; the test app reads from it too.
STORAGE_DIR = Path(tempfile.gettempdir()) / "portal-test-files"
STORAGE = LocalStorage(STORAGE_DIR)
PACKAGE_DIR = Path(tempfile.gettempdir()) / "portal-test-packages"  # batch package jobs (by random token)
PASSWORD = "Passw0rd!"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_serial = itertools.count(1)


def resident_id() -> str:
    n = next(_serial)
    return complete_resident_id(f"3607021990{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}")


def phone() -> str:
    return f"139{next(_serial):08d}"


def uscc() -> str:
    return complete_uscc(f"91360703MA{next(_serial):06d}0")


def make_org(
    session: Session, kind: OrgKind, parent: Organisation | None = None, **extra: object
) -> Organisation:
    n = next(_serial)
    values: dict[str, object] = {
        "name": f"{kind.title}{n}",
        "kind": kind.value,
        "parent_id": parent.id if parent else None,
    }
    if kind is OrgKind.ENTERPRISE:
        values.update(uscc=uscc(), ownership=Ownership.STATE.value)
    if kind is OrgKind.BUREAU:
        values.update(code=f"B{n}")
    values.update(extra)
    org = Organisation(**values)
    session.add(org)
    session.flush()
    return org


def make_user(
    session: Session,
    name: str | None = None,
    *,
    employer: Organisation | None = None,
    must_change_password: bool = False,
) -> User:
    user = User(
        name=name or f"用户{next(_serial)}",
        id_number=resident_id(),
        phone=phone(),
        password_hash=PASSWORD_HASH,
        must_change_password=must_change_password,
        employer_id=employer.id if employer else None,
    )
    session.add(user)
    session.flush()
    return user


def make_staff(
    session: Session, org: Organisation, role: StaffRole, name: str | None = None, user: User | None = None
) -> tuple[User, Membership]:
    user = user or make_user(session, name)
    membership = Membership(
        user_id=user.id, org_id=org.id, role=role.value, started_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    session.add(membership)
    session.flush()
    session.refresh(user)
    return user, membership


@dataclass
class Office:
    """One organisation with its handler and leader."""

    org: Organisation
    handler: User
    leader: User
    handler_membership: Membership
    leader_membership: Membership

    def actor(self, role: StaffRole) -> Actor:
        if role is StaffRole.LEADER:
            return actor_for(self.leader, self.leader_membership)
        return actor_for(self.handler, self.handler_membership)


@dataclass
class World:
    bureau: Office
    department: Office
    enterprise: Office
    other_enterprise: Office
    admin: User
    admin_membership: Membership
    applicants: list[User] = field(default_factory=list)


def make_office(session: Session, kind: OrgKind, parent: Organisation | None, **extra: object) -> Office:
    org = make_org(session, kind, parent, **extra)
    handler, hm = make_staff(session, org, StaffRole.HANDLER, f"{org.name}经办人")
    leader, lm = make_staff(session, org, StaffRole.LEADER, f"{org.name}领导")
    return Office(org, handler, leader, hm, lm)


def make_world(session: Session, *, policy_profile: str | None = None) -> World:
    """The organisation tree with staff; ``policy_profile`` (e.g. "ganzhou-2026") switches on windows and
    eligibility checks for the bureau (issue #5)."""
    bureau = make_office(session, OrgKind.BUREAU, None, policy_profile=policy_profile)
    department = make_office(session, OrgKind.DEPARTMENT, bureau.org)
    enterprise = make_office(session, OrgKind.ENTERPRISE, department.org)
    other = make_office(session, OrgKind.ENTERPRISE, department.org, ownership=Ownership.NON_STATE.value)
    admin, admin_membership = make_staff(session, bureau.org, StaffRole.ADMIN, "管理员")
    return World(bureau, department, enterprise, other, admin, admin_membership)


FILLED = {
    "summary": "负责多个市政项目的施工技术管理。",
    "education": {
        "level": "本科",
        "mode": "全日制",
        "school": "南昌大学",
        "major": "土木工程",
        "major_match": "相同或相近",
        "degree": "学士",
        "started_on": "2011-09-01",
        "graduated_on": "2015-06-30",
    },
    "title": {
        "kind": "职称",
        "name": "助理工程师",
        "series": "工程",
        "level": "助理级",
        "obtained_on": "2016-09-01",
        "province": "江西省",
    },
}


def filled_form(
    application: Application, *, flat: dict[str, object] | None = None, **sections: object
) -> dict[str, str]:
    """The 申报表 a filled draft holds: one degree, the job at its enterprise, a title and a summary, as a
    browser posts it; ``flat`` and ``sections`` replace parts."""
    rows: dict[str, object] = {
        "education": [FILLED["education"]],
        "work": [
            {
                "employer": application.enterprise.name,
                "post": "技术员",
                "professional": "是",
                "started_on": "2015-07-10",
            }
        ],
        "title": [FILLED["title"]],
        **sections,
    }
    return forms.form_data({"work_summary": FILLED["summary"], **(flat or {})}, **rows)  # type: ignore[arg-type]


def reviewers(world: World, office: Office | None = None) -> Reviewers:
    office = office or world.enterprise
    return Reviewers(
        office.actor(StaffRole.HANDLER),
        office.actor(StaffRole.LEADER),
        world.department.actor(StaffRole.HANDLER),
        world.department.actor(StaffRole.LEADER),
        world.bureau.actor(StaffRole.HANDLER),
        world.bureau.actor(StaffRole.LEADER),
    )


def make_application(
    session: Session,
    world: World,
    now: datetime,
    *,
    applicant: User | None = None,
    steps: int = 0,
    office: Office | None = None,
    unit_opinion: bool = True,
) -> Application:
    """A filled draft with stand-in materials and the pledge signed, then the first `steps` of the main
    road (portal.demo.ROAD), the notice included."""
    office = office or world.enterprise
    applicant = applicant or make_user(session, employer=office.org)
    application = applications.start_application(
        session,
        office.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "土木工程", "中级"),
        now,
    )
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), now)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, now)
    walk(session, reviewers(world, office), application, steps, now + timedelta(minutes=1))
    handler = office.actor(StaffRole.HANDLER)
    if unit_opinion and unit_opinions.may_record(handler, application):
        # The handler records the unit's opinion at its first review (EXP-04): the leader can sign.
        unit_opinions.record_opinion(
            session, handler, application.id, DEMO_OPINION, now + timedelta(minutes=2)
        )
    return application


STEPS_TO: dict[Status, int] = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.UNIT_REVIEW: 2,
    Status.UNIT_APPROVED: 3,
    Status.IN_NOTICE: 4,
    Status.NOTICE_PASSED: 5,
    Status.DEPT_REVIEW: 6,
    Status.BUREAU_REVIEW: 8,
    Status.CERTIFIED: 10,
}


def tiny_pdf(version: str = "1.4", pages: int = 1) -> bytes:
    """A real, complete PDF (uploads are parsed in full: magic bytes alone are refused)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    return data.replace(data.split(b"\n", 1)[0], f"%PDF-{version}".encode(), 1)


def tiny_png(size: tuple[int, int] = (8, 8)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()
