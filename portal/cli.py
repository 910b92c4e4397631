"""Flask commands: seed-demo (idempotent demo data) and create-admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import ValidationFailed
from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.workflow import Action
from portal.extensions import db
from portal.models import Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.services import applications
from portal.services.actors import Actor, actor_for
from portal.services.auth import hash_password
from portal.services.organisations import PersonInput

DEMO_PASSWORD = "Demo@2026"
BUREAU = "赣州市职称工作办公室"
DEPARTMENT = "赣州经济技术开发区党群工作部"
STATE_ENTERPRISE = "赣州开发区城市建设投资集团有限公司"
PRIVATE_ENTERPRISE = "赣州虔芯新材料科技有限公司"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    phone: str
    org: str | None
    role: StaffRole | None
    description: str


STAFF = (
    DemoPerson("admin", "钟立新", "13870700001", BUREAU, StaffRole.ADMIN, "人社局系统管理员"),
    DemoPerson("bureau_handler", "刘雅琴", "13870700002", BUREAU, StaffRole.HANDLER, "人社局经办人"),
    DemoPerson("bureau_leader", "温建国", "13870700003", BUREAU, StaffRole.LEADER, "人社局领导"),
    DemoPerson(
        "dept_handler", "谢晓燕", "13870700004", DEPARTMENT, StaffRole.HANDLER, "开发区党群工作部经办人"
    ),
    DemoPerson("dept_leader", "赖志强", "13870700005", DEPARTMENT, StaffRole.LEADER, "开发区党群工作部领导"),
    DemoPerson(
        "soe_handler", "黄丽华", "13870700006", STATE_ENTERPRISE, StaffRole.HANDLER, "城投集团人事经办人"
    ),
    DemoPerson("soe_leader", "曾宪明", "13870700007", STATE_ENTERPRISE, StaffRole.LEADER, "城投集团分管领导"),
    DemoPerson(
        "pvt_handler", "邱敏", "13870700008", PRIVATE_ENTERPRISE, StaffRole.HANDLER, "虔芯新材料人事经办人"
    ),
    DemoPerson(
        "pvt_leader", "罗永红", "13870700009", PRIVATE_ENTERPRISE, StaffRole.LEADER, "虔芯新材料总经理"
    ),
)

# Applicants: (name, phone, enterprise, series, specialty, level, how far along the road)
APPLICANTS = (
    ("陈思远", "13970700011", STATE_ENTERPRISE, "工程", "土木工程", "中级", "draft"),
    ("李静怡", "13970700012", STATE_ENTERPRISE, "经济", "人力资源管理", "中级", "submitted"),
    ("王子涵", "13970700013", STATE_ENTERPRISE, "工程", "给排水", "助理级", "dept_review"),
    ("张雨桐", "13970700014", PRIVATE_ENTERPRISE, "工程", "材料工程", "中级", "certified"),
    ("赵明轩", "13970700015", PRIVATE_ENTERPRISE, "工程", "电气工程", "助理级", "returned"),
)


def _id_for(serial: int, birth: str = "19900101") -> str:
    return complete_resident_id(f"360702{birth}{serial:03d}")


def _ensure_org(
    session: Session, name: str, kind: OrgKind, parent: Organisation | None, **extra: str
) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, kind=kind.value, parent_id=parent.id if parent else None, **extra)
        session.add(org)
        session.flush()
    return org


def _ensure_user(session: Session, name: str, phone: str, serial: int, employer: Organisation | None) -> User:
    user = session.scalars(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(
            name=name,
            phone=phone,
            id_number=_id_for(serial),
            password_hash=hash_password(DEMO_PASSWORD),
            must_change_password=False,
            employer_id=employer.id if employer else None,
        )
        session.add(user)
        session.flush()
    return user


def seed_demo(session: Session, now: datetime) -> list[tuple[str, str, str]]:
    """Create the demo organisations, people and applications unless they exist. Returns the logins."""
    bureau = _ensure_org(session, BUREAU, OrgKind.BUREAU, None, region="江西省赣州市", code="GZ")
    department = _ensure_org(session, DEPARTMENT, OrgKind.DEPARTMENT, bureau, region="赣州经济技术开发区")
    orgs = {
        BUREAU: bureau,
        DEPARTMENT: department,
        STATE_ENTERPRISE: _ensure_org(
            session,
            STATE_ENTERPRISE,
            OrgKind.ENTERPRISE,
            department,
            uscc=complete_uscc("91360703MA35G0CT0"),
            ownership=Ownership.STATE.value,
            region="赣州经济技术开发区",
        ),
        PRIVATE_ENTERPRISE: _ensure_org(
            session,
            PRIVATE_ENTERPRISE,
            OrgKind.ENTERPRISE,
            department,
            uscc=complete_uscc("91360703MA39QX8K1"),
            ownership=Ownership.NON_STATE.value,
            region="赣州经济技术开发区",
        ),
    }
    people: dict[str, User] = {}
    logins: list[tuple[str, str, str]] = []
    for serial, person in enumerate(STAFF, start=1):
        user = _ensure_user(session, person.name, person.phone, serial, None)
        people[person.key] = user
        assert person.org is not None and person.role is not None
        org = orgs[person.org]
        exists = session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.org_id == org.id, Membership.ended_at.is_(None)
            )
        )
        if exists is None:
            session.add(Membership(user_id=user.id, org_id=org.id, role=person.role.value, started_at=now))
            session.flush()
        logins.append((person.description, person.phone, person.name))

    for offset, (name, phone, enterprise, series, specialty, level, goal) in enumerate(APPLICANTS, start=50):
        existed = session.scalar(select(User.id).where(User.phone == phone)) is not None
        applicant = _ensure_user(session, name, phone, offset, orgs[enterprise])
        logins.append((f"申报人（{enterprise}）", phone, name))
        if existed:
            continue
        _walk(session, applicant, orgs[enterprise], series, specialty, level, goal, now)
    _seed_staff_applicant(session, people["pvt_handler"], orgs[PRIVATE_ENTERPRISE], now)
    return logins


def _seed_staff_applicant(session: Session, handler: User, enterprise: Organisation, now: datetime) -> None:
    """The private enterprise's handler applies too: the demo shows she cannot review her own case."""
    if handler.employer_id is not None:
        return
    handler.employer_id = enterprise.id
    session.flush()
    leader = _staff_actor(session, "13870700009")
    app = applications.start_application(
        session, leader, applications.StartInput(handler.id, "经济", "人力资源管理", "中级"), now
    )
    applications.save_form(
        session,
        actor_for(handler, None),
        app.id,
        applications.FormInput(
            education="本科",
            school="赣南师范大学",
            major="人力资源管理",
            graduated_on="2014-06-30",
            work_started_on="2014-07-01",
            current_title="助理经济师",
            work_summary="负责公司招聘、培训和职称申报组织工作。",
        ),
        now,
    )
    applications.act(session, actor_for(handler, None), app.id, Action.SUBMIT, now)


def _staff_actor(session: Session, phone: str) -> Actor:
    user = session.scalars(select(User).where(User.phone == phone)).one()
    return actor_for(user, user.active_memberships[0])


def _walk(
    session: Session,
    applicant: User,
    enterprise: Organisation,
    series: str,
    specialty: str,
    level: str,
    goal: str,
    now: datetime,
) -> None:
    """Take one demo application as far as `goal`, through the same services a user would use."""
    soe = enterprise.ownership == Ownership.STATE.value
    e_handler = _staff_actor(session, "13870700006" if soe else "13870700008")
    e_leader = _staff_actor(session, "13870700007" if soe else "13870700009")
    d_handler, d_leader = _staff_actor(session, "13870700004"), _staff_actor(session, "13870700005")
    b_handler, b_leader = _staff_actor(session, "13870700002"), _staff_actor(session, "13870700003")
    me = actor_for(applicant, None)
    app = applications.start_application(
        session, e_handler, applications.StartInput(applicant.id, series, specialty, level), now
    )
    if goal == "draft":
        return
    applications.save_form(
        session,
        me,
        app.id,
        applications.FormInput(
            education="本科",
            school="江西理工大学",
            major=specialty,
            graduated_on=date(2016, 6, 30).isoformat(),
            work_started_on=date(2016, 7, 15).isoformat(),
            current_title="助理工程师",
            work_summary="参与开发区多个市政工程项目的设计与施工管理，负责技术方案编制和现场质量控制。",
        ),
        now,
    )
    steps: list[tuple[Actor, Action, str]] = [(me, Action.SUBMIT, "")]
    if goal != "submitted":
        steps += [(e_handler, Action.HANDLER_APPROVE, "")]
    if goal == "returned":
        steps += [(e_leader, Action.RETURN, "工作总结过于简略，请补充近三年主要业绩和具体数据")]
    if goal in ("dept_review", "certified"):
        steps += [
            (e_leader, Action.LEADER_APPROVE, ""),
            (e_handler, Action.START_NOTICE, ""),
            (e_handler, Action.CLOSE_NOTICE, ""),
            (e_leader, Action.FORWARD, ""),
        ]
    if goal == "certified":
        steps += [
            (d_handler, Action.HANDLER_APPROVE, ""),
            (d_leader, Action.LEADER_APPROVE, ""),
            (b_handler, Action.HANDLER_APPROVE, ""),
            (b_leader, Action.CERTIFY, ""),
        ]
    moment = now - timedelta(days=len(steps))
    for actor, action, reason in steps:
        moment += timedelta(hours=20)
        applications.act(session, actor, app.id, action, moment, reason=reason)


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo organisations, staff and applications (running it twice changes nothing)."""
        logins = seed_demo(db.session, datetime.now(UTC))
        db.session.commit()
        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}，可用手机号登录）：")
        for description, phone, name in logins:
            click.echo(f"  {description:<24} {name:<6} {phone}")

    @app.cli.command("create-admin")
    @click.option("--bureau", required=True, help="认定机构（人社局）名称；不存在则创建")
    @click.option("--code", default="", help="认定机构代码，用于证书编号")
    @click.option("--name", required=True)
    @click.option("--id-number", required=True)
    @click.option("--phone", required=True)
    def create_admin_command(bureau: str, code: str, name: str, id_number: str, phone: str) -> None:
        """Create a certifying bureau (if new) and its system administrator; prints the first password."""
        from portal.services.auth import initial_password
        from portal.services.organisations import normalise_person

        session = db.session
        now = datetime.now(UTC)
        org = _ensure_org(session, bureau, OrgKind.BUREAU, None, **({"code": code} if code else {}))
        try:
            person_name, number, mobile = normalise_person(
                session, PersonInput(name, id_number, phone), today=now
            )
        except ValidationFailed as invalid:
            raise click.ClickException("；".join(invalid.fields.values())) from None
        password = initial_password()
        user = User(
            name=person_name,
            id_number=number,
            phone=mobile,
            password_hash=hash_password(password),
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, org_id=org.id, role=StaffRole.ADMIN.value, started_at=now))
        session.commit()
        click.echo(f"管理员已创建：{person_name} {mobile}，初始密码 {password}（首次登录须修改）")
