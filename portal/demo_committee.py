"""Demo data for the committee (评审) road (issue 22): Zhenjiang's committees loaded from its profile's
申报计划安排表, the city evaluation centre's committee office with a handler and a leader, an expert pool
of engineering experts, and one application sent by the bureau to that committee, standing at the
office's intake, so the README tour can walk the road from the intake to a published result.

Its own module, called with one line from portal.demo: everything goes through the services a user
would use (the admin loads the table, the office adds its experts, the application walks the route and
the bureau's leader sends it), so its timeline and audit trail are real. Idempotent like the rest of the
demo: a second run finds the committee's office staff and leaves everything as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Action
from portal.models import Committee, Membership, Organisation, StaffRole, User
from portal.services import applications, committees, votes
from portal.services.actors import Actor, actor_for
from portal.storage import Storage

if TYPE_CHECKING:  # portal.demo imports this module
    from portal.demo import Reviewers

BUREAU = "镇江市人力资源和社会保障局"  # the Zhenjiang hand-off target's bureau (portal.demo)
ENTERPRISE = "镇江新区港城建设工程有限公司"
COMMITTEE_CODE = "zj-center"  # 003 附件: the city evaluation centre's committee (工程 series rows)
OFFICE_STAFF = (
    ("办事机构经办人", "13970800021", "钱思敏", StaffRole.HANDLER),
    ("办事机构领导", "13970800022", "孔德明", StaffRole.LEADER),
)
# (name, phone, specialty, employer): 建设工程 experts from other employers (none is recused) and one
# from the applicant's own enterprise (recused at the draw: the demo shows the rule).
EXPERTS = (
    ("许建国", "13970800031", "建设工程", "镇江市建筑设计研究院"),
    ("陆海燕", "13970800032", "建设工程", "江苏大学土木工程与力学学院"),
    ("沈立新", "13970800033", "建设工程", "镇江市建设工程质量监督站"),
    ("陶文斌", "13970800034", "建设工程", "镇江城建集团有限公司"),
    ("范雪梅", "13970800035", "建设工程", "丹阳市建筑工程管理处"),
    ("蒋志强", "13970800036", "建设工程", "句容市住房和城乡建设局"),
    ("汤继红", "13970800037", "建设工程", "扬中市建筑安装工程公司"),
    ("周永康", "13970800038", "建设工程", ENTERPRISE),
)
APPLICANT = ("马晓东", "13970800041", "建设工程")


def committee_phones() -> list[str]:
    """The logins this module creates (the production guard refuses to start while any exists)."""
    return [p for _d, p, _n, _r in OFFICE_STAFF] + [e[1] for e in EXPERTS] + [APPLICANT[1]]


def _actor_in(session: Session, org: Organisation, role: StaffRole) -> Actor:
    membership = session.scalars(
        select(Membership).where(
            Membership.org_id == org.id, Membership.role == role.value, Membership.ended_at.is_(None)
        )
    ).first()
    assert membership is not None, f"{org.name} has no {role.value}"
    user = session.get(User, membership.user_id)
    assert user is not None
    return actor_for(user, membership)


def reviewers_of(session: Session, enterprise: Organisation, bureau: Organisation) -> Reviewers:
    """The demo road's reviewers of an enterprise: its handler and leader, its department's, the bureau's."""
    from portal import demo

    department = session.get(Organisation, enterprise.parent_id)
    assert department is not None
    return demo.Reviewers(
        _actor_in(session, enterprise, StaffRole.HANDLER),
        _actor_in(session, enterprise, StaffRole.LEADER),
        _actor_in(session, department, StaffRole.HANDLER),
        _actor_in(session, department, StaffRole.LEADER),
        _actor_in(session, bureau, StaffRole.HANDLER),
        _actor_in(session, bureau, StaffRole.LEADER),
    )


def staff_committee(
    session: Session,
    admin: Actor,
    committee: Committee,
    staff: Iterable[tuple[str, str, str, StaffRole]],
    experts: Iterable[tuple[str, str, str, str]],
    serial: int,
) -> list[tuple[str, str, str]]:
    """The committee office's staff, opened by the bureau's admin as for any of its organisations, and its
    expert pool (name, phone, specialty, employer; 工程 series; 高级工程师 = 副高级, appointed on the demo's
    start for 3 years: qualified for a 高级 committee's draw, 人社部令第40号), added by the office's handler;
    the logins.
    Serials from ``serial`` (staff) and ``serial + 10`` (experts) make the demo's ID numbers."""
    from portal import demo

    start, logins = demo.DEMO_ROAD_START, []
    for n, (description, phone, name, role) in enumerate(staff, start=serial):
        demo._staff_member(session, admin, committee.office, (name, phone, n), role, start)
        logins.append((f"{committee.name}{description}", phone, name))
    handler = _actor_in(session, committee.office, StaffRole.HANDLER)
    for n, (name, phone, specialty, employer) in enumerate(experts, start=serial + 10):
        logins.append((f"评审专家（{employer}）", phone, name))
        if session.scalar(select(User.id).where(User.phone == phone)) is not None:
            continue
        added = votes.add_expert(
            session, handler,
            votes.ExpertInput(
                name, demo._id_for(n), phone, "工程", specialty, "高级工程师", employer, title_level="副高级"
            ),
            start,
        )  # fmt: skip
        if added.account is not None:  # the expert's first login: the demo password, as they would set it
            demo._settle(session, added.account, start)
    return logins


def seed_committee_demo(session: Session, storage: Storage) -> list[tuple[str, str, str]]:
    """The committee road's demo (see the module's docstring); returns its logins (description, phone,
    name). Needs portal.demo's Zhenjiang bureau, enterprise and staff (seeded before it)."""
    from portal import demo  # the walker, the start date, the account openers and the demo's ID numbers

    start = demo.DEMO_ROAD_START
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).first()
    enterprise = session.scalars(select(Organisation).where(Organisation.name == ENTERPRISE)).first()
    if bureau is None or enterprise is None:
        return []
    admin = _actor_in(session, bureau, StaffRole.ADMIN)
    committee = session.scalars(
        select(Committee).where(Committee.bureau_id == bureau.id, Committee.code == COMMITTEE_CODE)
    ).first()
    if committee is None:
        committees.load_from_profile(session, admin, start)
        committee = session.scalars(
            select(Committee).where(Committee.bureau_id == bureau.id, Committee.code == COMMITTEE_CODE)
        ).one()
    logins = staff_committee(session, admin, committee, OFFICE_STAFF, EXPERTS, 160)
    name, phone, specialty = APPLICANT
    logins.append((f"申报人（{ENTERPRISE}，评审途径）", phone, name))
    if session.scalar(select(User.id).where(User.phone == phone)) is not None:
        return logins
    unit_handler = _actor_in(session, enterprise, StaffRole.HANDLER)
    applicant = demo.open_applicant(session, unit_handler, name, phone, 190, start)
    road = reviewers_of(session, enterprise, bureau)
    application = demo._start(
        session, storage, unit_handler, applicant, ("工程", specialty, "中级"), start, "评审",
        authority=COMMITTEE_CODE,
    )  # fmt: skip
    # Up to the bureau handler's approval (the ROAD's first nine steps), then the bureau's leader sends it
    # to the committee whose scope holds it: it stands at the office's intake.
    moment = demo.walk(session, road, application, 9, start, demo.contact_for("zhenjiang-2024"))
    applications.act(
        session, road.bureau_leader, application.id, Action.SEND_TO_COMMITTEE, moment + timedelta(hours=1),
        committee_id=committee.id,
    )  # fmt: skip
    return logins
