"""Demo data that shows the product at its best, and the road walker it shares with test factories.

Every demo application is moved through the same services a user would use, so its timeline, audit
trail and notices are real. Walking starts on a fixed date in 2026 (a year the working-day calendar
knows), so `seed-demo` works whatever day it runs.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.workflow import Action, Status
from portal.models import Application, Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.services import (
    applications,
    corrections,
    endorsements,
    forms,
    materials,
    notices,
    policies,
    unit_opinions,
)
from portal.services.actors import SYSTEM, Actor, actor_for
from portal.services.auth import hash_password
from portal.services.calendar import today
from portal.storage import Storage

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Demo@2026"
# 09:30 in Shanghai on Tuesday 2026-10-20, the day Ganzhou's fourth 2026 window opens (001 附件).
DEMO_ROAD_START = datetime(2026, 10, 20, 1, 30, tzinfo=UTC)
DEMO_PROFILE = "ganzhou-2026"
DEMO_ACKNOWLEDGEMENT = "已知悉：如在终算时间前离职或社保情况变化，将及时告知单位"
BUREAU = "赣州市职称工作办公室"
DEPARTMENT = "赣州经济技术开发区党群工作部"
STATE_ENTERPRISE = "赣州开发区城市建设投资集团有限公司"
PRIVATE_ENTERPRISE = "赣州虔芯新材料科技有限公司"


@dataclass(frozen=True)
class Reviewers:
    """The handler and leader actors along one application's route."""

    enterprise_handler: Actor
    enterprise_leader: Actor
    department_handler: Actor
    department_leader: Actor
    bureau_handler: Actor
    bureau_leader: Actor


# The main road, in order: (who acts, action). START_NOTICE and CLOSE_NOTICE go through a notice.
ROAD: tuple[tuple[str, Action], ...] = (
    ("applicant", Action.SUBMIT),
    ("enterprise_handler", Action.HANDLER_APPROVE),
    ("enterprise_leader", Action.LEADER_APPROVE),
    ("enterprise_leader", Action.START_NOTICE),
    ("system", Action.CLOSE_NOTICE),
    ("enterprise_leader", Action.FORWARD),
    ("department_handler", Action.HANDLER_APPROVE),
    ("department_leader", Action.LEADER_APPROVE),
    ("bureau_handler", Action.HANDLER_APPROVE),
    ("bureau_leader", Action.CERTIFY),
)


def demo_form(specialty: str, enterprise: str) -> dict[str, str]:
    """The demo's filled 申报表: one degree, the job at the enterprise, the current title, a summary."""
    return forms.form_data(
        {"work_summary": "参与开发区多个市政工程项目的设计与施工管理，负责技术方案编制和现场质量控制。"},
        education=[
            {
                "level": "本科",
                "mode": "全日制",
                "school": "江西理工大学",
                "major": specialty,
                "major_match": "相同或相近",
                "degree": "学士",
                "started_on": "2012-09-01",
                "graduated_on": "2016-06-30",
            }
        ],
        work=[{"employer": enterprise, "post": "技术员", "professional": "是", "started_on": "2016-07-15"}],
        title=[
            {
                "kind": "职称",
                "name": "助理工程师",
                "series": "工程",
                "level": "助理级",
                "obtained_on": "2018-09-01",
                "province": "江西省",
            }
        ],
    )


DEMO_OPINION = unit_opinions.OpinionInput(
    evaluation="该同志从事专业技术工作以来，工作认真负责，业务能力强，完成了多个工程项目的技术工作。",
    method="vote",
    participants="单位领导班子成员、部门负责人、职工代表",
    participants_count="9",
    votes_for="9",
    recommendation="recommend",
    formation="经单位职称推荐小组会议评议，实名投票，一致同意推荐",
    assessment="近三年年度考核均为合格",
    assessment_passed="yes",
)


def walk(
    session: Session, reviewers: Reviewers, application: Application, steps: int, start: datetime
) -> datetime:
    """Take `application` through the first `steps` of ROAD, one working moment apart; returns the time
    after the last step. The notice is drafted for the day of its step and closed the day after it ends."""
    moment = start
    applicant = actor_for(application.applicant, None)
    for who, action in ROAD[:steps]:
        if action is Action.START_NOTICE:
            notice = notices.draft_notice(
                session,
                reviewers.enterprise_handler,
                notices.NoticeInput(
                    title=f"{application.enterprise.name}职称申报人员公示",
                    location="单位办公楼一楼公示栏",
                    contact="人力资源部 0797-8380000",
                    start_date=today(moment).isoformat(),
                ),
                [application.id],
                moment,
            )
            notices.publish_notice(session, reviewers.enterprise_leader, notice.id, moment)
        elif action is Action.CLOSE_NOTICE:
            entry = notices.entry_for_application(session, application.id)
            assert entry is not None
            moment = datetime.combine(entry.notice.last_day + timedelta(days=1), time(9), SHANGHAI)
            notices.close_if_due(session, entry.notice, moment)
        else:
            actor = (
                applicant if who == "applicant" else SYSTEM if who == "system" else getattr(reviewers, who)
            )
            unit_signs = action is Action.LEADER_APPROVE and application.state is Status.UNIT_REVIEW
            if unit_signs and unit_opinions.opinion_of(session, application.id) is None:
                unit_opinions.record_opinion(
                    session, reviewers.enterprise_handler, application.id, DEMO_OPINION, moment
                )
            applications.act(
                session, actor, application.id, action, moment, acknowledgement=DEMO_ACKNOWLEDGEMENT
            )
        moment += timedelta(hours=2)
    session.refresh(application)
    return moment


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    phone: str
    org: str
    role: StaffRole
    description: str


STAFF = (
    DemoPerson("admin", "钟立新", "13870700001", BUREAU, StaffRole.ADMIN, "人社局系统管理员"),
    DemoPerson("bureau_handler", "刘雅琴", "13870700002", BUREAU, StaffRole.HANDLER, "人社局经办人"),
    DemoPerson("bureau_leader", "温建国", "13870700003", BUREAU, StaffRole.LEADER, "人社局领导"),
    DemoPerson(
        "department_handler", "谢晓燕", "13870700004", DEPARTMENT, StaffRole.HANDLER, "开发区党群工作部经办人"
    ),
    DemoPerson(
        "department_handler_2",
        "钟敏",
        "13870700010",
        DEPARTMENT,
        StaffRole.HANDLER,
        "开发区党群工作部经办人（二）",
    ),
    DemoPerson(
        "department_leader", "赖志强", "13870700005", DEPARTMENT, StaffRole.LEADER, "开发区党群工作部领导"
    ),
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
    # Staff management (issue 16): a second bureau admin confirms what the first asks (ending a leader's or
    # an admin's role), the department's admin manages its own and its enterprises' staff, the state
    # enterprise's admin its own handlers and leaders.
    DemoPerson("admin_2", "欧阳婷", "13870700011", BUREAU, StaffRole.ADMIN, "人社局系统管理员（二）"),
    DemoPerson(
        "department_admin", "曾凡荣", "13870700012", DEPARTMENT, StaffRole.ADMIN, "开发区党群工作部管理员"
    ),
    DemoPerson("soe_admin", "陈建平", "13870700013", STATE_ENTERPRISE, StaffRole.ADMIN, "城投集团人事管理员"),
)

# Applicants: (name, phone, enterprise, series, specialty, level, pathway, steps of ROAD taken, returned?)
# The private enterprise's engineers go by 评审: Ganzhou does not recognise engineering titles for
# non-state enterprises (001 三(六)), and 经济 中级 is an exam title, so 李静怡 applies for 副高级.
APPLICANTS = (
    ("陈思远", "13970700011", STATE_ENTERPRISE, "工程", "土木工程", "中级", "认定", 0, False),
    ("李静怡", "13970700012", STATE_ENTERPRISE, "经济", "人力资源管理", "副高级", "评审", 1, False),
    ("吴俊杰", "13970700017", STATE_ENTERPRISE, "工程", "建筑电气", "中级", "认定", 1, False),
    ("孙嘉怡", "13970700016", STATE_ENTERPRISE, "工程", "道路与桥梁", "中级", "认定", 3, False),
    ("王子涵", "13970700013", STATE_ENTERPRISE, "工程", "给排水", "助理级", "认定", 6, False),
    ("张雨桐", "13970700014", PRIVATE_ENTERPRISE, "工程", "材料工程", "中级", "评审", 10, False),
    ("赵明轩", "13970700015", PRIVATE_ENTERPRISE, "工程", "电气工程", "助理级", "评审", 2, True),
)


def _id_for(serial: int) -> str:
    return complete_resident_id(f"36070219900101{serial:03d}")


def _ensure_org(
    session: Session, name: str, kind: OrgKind, parent: Organisation | None, **extra: str
) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, kind=kind.value, parent_id=parent.id if parent else None, **extra)
        session.add(org)
        session.flush()
    return org


def demo_phones() -> list[str]:
    """The demo accounts' logins: the production guard refuses to start while any of them exists."""
    return [person.phone for person in STAFF] + [row[1] for row in APPLICANTS]


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


def seed_demo(session: Session, now: datetime, storage: Storage) -> list[tuple[str, str, str]]:
    """Create the demo organisations, people and applications unless they exist. Returns the logins.

    Stand-in scans fill the required material slots, except in 陈思远's draft, which still lacks its
    labour contract and pledge (the journey to try)."""
    bureau = _ensure_org(session, BUREAU, OrgKind.BUREAU, None, region="江西省赣州市", code="GZ")
    if bureau.policy_profile is None:
        bureau.policy_profile = DEMO_PROFILE
        session.flush()
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
    actors: dict[str, Actor] = {}
    logins: list[tuple[str, str, str]] = []
    for serial, person in enumerate(STAFF, start=1):
        user = _ensure_user(session, person.name, person.phone, serial, None)
        org = orgs[person.org]
        membership = session.scalars(
            select(Membership).where(
                Membership.user_id == user.id, Membership.org_id == org.id, Membership.ended_at.is_(None)
            )
        ).first()
        if membership is None:
            membership = Membership(user_id=user.id, org_id=org.id, role=person.role.value, started_at=now)
            session.add(membership)
            session.flush()
        actors[person.key] = actor_for(user, membership)
        logins.append((person.description, person.phone, person.name))

    def reviewers(enterprise: str) -> Reviewers:
        prefix = "soe" if enterprise == STATE_ENTERPRISE else "pvt"
        return Reviewers(
            actors[f"{prefix}_handler"],
            actors[f"{prefix}_leader"],
            actors["department_handler"],
            actors["department_leader"],
            actors["bureau_handler"],
            actors["bureau_leader"],
        )

    for offset, (name, phone, enterprise, series, specialty, level, pathway, steps, returned) in enumerate(
        APPLICANTS, 50
    ):
        existed = session.scalar(select(User.id).where(User.phone == phone)) is not None
        applicant = _ensure_user(session, name, phone, offset, orgs[enterprise])
        logins.append((f"申报人（{enterprise}）", phone, name))
        if existed:
            continue
        road = reviewers(enterprise)
        application = _start(
            session,
            storage,
            road.enterprise_handler,
            applicant,
            (series, specialty, level),
            DEMO_ROAD_START,
            pathway,
            complete=steps > 0,
        )
        walk(session, road, application, steps, DEMO_ROAD_START)
        if returned:  # returned today, so its correction deadline lies ahead whenever the demo is loaded
            corrections.return_for_correction(
                session,
                road.enterprise_leader,
                application.id,
                corrections.ReturnInput(
                    {"field:work_summary": "工作总结过于简略，请补充近三年主要业绩和具体数据"},
                    corrections.default_deadline(session, now).isoformat(),
                ),
                now,
            )
    _seed_staff_applicant(
        session, storage, actors["pvt_handler"], actors["pvt_leader"], orgs[PRIVATE_ENTERPRISE]
    )
    _ensure_open_window(session, actors["admin"], bureau, now)
    if endorsements.current_seal(session, orgs[PRIVATE_ENTERPRISE].id) is None:
        endorsements.upload_seal(session, actors["pvt_leader"], storage, demo_seal_png(), "公章.png", now)
    return logins


DEMO_WINDOW_DAYS = 30


def _ensure_open_window(session: Session, admin: Actor, bureau: Organisation, now: datetime) -> None:
    """A window open on the day the demo is loaded, so every step of the README tour works on any date:
    when the profile has none open that day for 初级/中级, the bureau's admin row "演示受理期" opens today
    for 30 days (or until the day before the profile's next window). Marked as demo data in its source."""
    profile = policies.effective_profile(session, bureau)
    if profile is None:
        return
    day = today(now)
    found = policies.windows_on(profile, day, level="中级")
    if found.current is not None:
        return
    closes = day + timedelta(days=DEMO_WINDOW_DAYS)
    if found.next is not None and found.next.opens is not None and found.next.opens <= closes:
        closes = found.next.opens - timedelta(days=1)
    policies.save_window(
        session,
        admin,
        policies.WindowInput(
            batch_id=f"demo-{day:%Y%m%d}",
            batch_name="演示受理期",
            authority="all",
            levels="初级,中级",
            opens=day.isoformat(),
            closes=closes.isoformat(),
            citation="演示数据：载入演示数据之日起开放（并非真实通知）",
            note="make run / flask seed-demo 载入演示数据时自动添加，使导览在任何日期都能提交申报",
        ),
        now,
    )


def demo_seal_png() -> bytes:
    """A stand-in seal: a red ring with a star, transparent around it (a real unit uploads its own)."""
    from PIL import Image, ImageDraw

    size = 240
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 230)
    draw.ellipse([8, 8, size - 8, size - 8], outline=red, width=12)
    centre, outer, inner = size / 2, 46, 18
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _start(
    session: Session,
    storage: Storage,
    handler: Actor,
    applicant: User,
    what: tuple[str, str, str],
    moment: datetime,
    pathway: str = "认定",
    *,
    complete: bool = True,
) -> Application:
    series, specialty, level = what
    application = applications.start_application(
        session, handler, applications.StartInput(applicant.id, series, specialty, level, pathway), moment
    )
    me = actor_for(applicant, None)
    forms.save_form(session, me, application.id, demo_form(specialty, application.enterprise.name), moment)
    skip = () if complete else ("labour_contract",)
    materials.attach_placeholders(session, me, storage, application, moment, skip=skip, sign=complete)
    return application


def _seed_staff_applicant(
    session: Session, storage: Storage, handler: Actor, leader: Actor, enterprise: Organisation
) -> None:
    """The private enterprise's handler applies too: the demo shows she cannot review her own case."""
    user = session.get(User, handler.user_id)
    assert user is not None
    if user.employer_id is not None:
        return
    user.employer_id = enterprise.id
    session.flush()
    what = ("经济", "人力资源管理", "副高级")
    application = _start(session, storage, leader, user, what, DEMO_ROAD_START, "评审")
    applications.act(session, actor_for(user, None), application.id, Action.SUBMIT, DEMO_ROAD_START)
