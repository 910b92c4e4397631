"""Demo data that shows the product at its best, and the road walker it shares with test factories.

A loader over the real services, as people would do it (issue 18.8): the deployment opens each bureau and
its admin (services.organisations.open_bureau / open_bureau_admin, as `flask create-admin`); the admin
chooses the policy profile, creates the departments and enterprises and opens the staff accounts
(organisations.create_organisation, staff.add_staff); enterprise HR open the applicants' accounts
(accounts.create_applicant); each person then replaces the random first password with the demo one
(auth.change_password); applications are started, filled, submitted and reviewed through
applications/materials/notices/corrections, so timelines, audit trails and notices are real. Walking
starts on a fixed date in 2026 (a year the working-day calendar knows), so `seed-demo` works whatever
day it runs; running it twice changes nothing (what exists is found by name or phone and kept).

Other demo data (the committee road's) lives in its own module, called by one line at the end of
:func:`seed_demo`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo_committee import committee_phones, seed_committee_demo
from portal.demo_kunming import kunming_phones, seed_kunming_demo
from portal.domain.accounts import ApplicantDraft, EmploymentType
from portal.domain.i18n import Language
from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.passwords import PasswordPolicy
from portal.domain.workflow import Action, Status
from portal.models import Application, Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.services import (
    accounts,
    applications,
    auth,
    corrections,
    endorsements,
    forms,
    materials,
    notices,
    organisations,
    policies,
    staff,
    unit_opinions,
)
from portal.services.actors import SYSTEM, Actor, actor_for
from portal.services.calendar import today
from portal.services.organisations import NewAccount, OrganisationInput, PersonInput
from portal.storage import Storage

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Demo@2026"
# The README's logins are shorter than the production rule (12 characters): the demo's own first change
# allows them, everything else as in production; the production guard refuses to start while a demo
# account exists (demo_phones).
DEMO_POLICY = PasswordPolicy(min_length=len(DEMO_PASSWORD))
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


GANZHOU_CONTACT = "人力资源部 0797-8380000"


def walk(
    session: Session,
    reviewers: Reviewers,
    application: Application,
    steps: int,
    start: datetime,
    contact: str = GANZHOU_CONTACT,
) -> datetime:
    """Take `application` through the first `steps` of ROAD, one working moment apart; returns the time
    after the last step. The notice is drafted for the day of its step and closed the day after it ends;
    `contact` is its 异议受理联系方式 (the unit's city's area code)."""
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
                    contact=contact,
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
            # The demo's handlers confirm the profile's check where it asks one (EXP-03, Ganzhou's 初审).
            applications.act(
                session,
                actor,
                application.id,
                action,
                moment,
                acknowledgement=DEMO_ACKNOWLEDGEMENT,
                verified=True,
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
# non-state enterprises (001 三(六)), and 经济 中级 is an exam title, so 李静怡 applies for 副高级. A 评审
# case never reaches 认定发证 (a committee decides it, issue 22.1): the certified example, 张雨桐, is a
# 工艺美术 recognition the bureau certifies itself.
APPLICANTS = (
    ("陈思远", "13970700011", STATE_ENTERPRISE, "工程", "土木工程", "中级", "认定", 0, False),
    ("李静怡", "13970700012", STATE_ENTERPRISE, "经济", "人力资源管理", "副高级", "评审", 1, False),
    ("吴俊杰", "13970700017", STATE_ENTERPRISE, "工程", "建筑电气", "中级", "认定", 1, False),
    ("孙嘉怡", "13970700016", STATE_ENTERPRISE, "工程", "道路与桥梁", "中级", "认定", 3, False),
    ("王子涵", "13970700013", STATE_ENTERPRISE, "工程", "给排水", "助理级", "认定", 6, False),
    ("张雨桐", "13970700014", PRIVATE_ENTERPRISE, "工艺美术", "工艺美术设计", "中级", "认定", 10, False),
    ("赵明轩", "13970700015", PRIVATE_ENTERPRISE, "工程", "电气工程", "助理级", "评审", 2, True),
)


LARGE_SCANS = "张雨桐"  # her dossier holds the phone photo and the 30-page scan (issue 23)

# A foreign engineer of the private enterprise (SCOPE-03: a passport with a work permit), who reads the
# portal in English: the demo of an applicant following their own case in English (issue 24).
FOREIGN_APPLICANT = ApplicantDraft(
    name="DANIEL WEBER",
    document_type="passport",
    id_number="C01X00T47",
    nationality="DEU",
    permit_kind="work_permit",
    permit_no="1100002023000456",
    phone="13970700018",
    employment_type=EmploymentType.LABOUR_CONTRACT.value,
)


def _id_for(serial: int) -> str:
    return complete_resident_id(f"36070219900101{serial:03d}")


def _find_org(session: Session, name: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.name == name)).first()


def _find_user(session: Session, phone: str) -> User | None:
    return session.scalars(select(User).where(User.phone == phone)).first()


def _settle(session: Session, account: NewAccount, now: datetime) -> User:
    """The person's first login: the random first password replaced by the demo one, as they would."""
    user = account.user
    me = actor_for(user, None)
    auth.change_password(session, user, account.password, DEMO_PASSWORD, DEMO_PASSWORD, now, me, DEMO_POLICY)
    return user


def _actor_in(session: Session, user: User, org: Organisation) -> Actor:
    membership = session.scalars(
        select(Membership).where(
            Membership.user_id == user.id, Membership.org_id == org.id, Membership.ended_at.is_(None)
        )
    ).one()
    return actor_for(user, membership)


def _bureau(
    session: Session, name: str, region: str, code: str, admin: tuple[str, str, int], now: datetime
) -> tuple[Organisation, Actor]:
    """The bureau and its first admin (``admin``: name, phone, serial), opened as the deployment does."""
    bureau = _find_org(session, name) or organisations.open_bureau(
        session, name, now, code=code, region=region
    )
    who, phone, serial = admin
    user = _find_user(session, phone)
    if user is None:
        account = organisations.open_bureau_admin(
            session, bureau, PersonInput(who, _id_for(serial), phone), now
        )
        user = _settle(session, account, now)
    return bureau, _actor_in(session, user, bureau)


def _organisation(
    session: Session,
    admin: Actor,
    kind: OrgKind,
    name: str,
    parent: Organisation,
    now: datetime,
    **extra: str,
) -> Organisation:
    """A department or enterprise, created by the bureau's admin (unless it exists)."""
    found = _find_org(session, name)
    if found is not None:
        return found
    data = OrganisationInput(kind=kind.value, name=name, parent_id=parent.id, **extra)
    return organisations.create_organisation(session, admin, data, now)


def _staff_member(
    session: Session,
    admin: Actor,
    org: Organisation,
    person: tuple[str, str, int],
    role: StaffRole,
    now: datetime,
) -> Actor:
    """A staff account with its role, opened by ``admin`` (unless it exists), with the demo password."""
    name, phone, serial = person
    user = _find_user(session, phone)
    if user is None:
        added = staff.add_staff(
            session, admin, org.id, PersonInput(name, _id_for(serial), phone), role.value, now
        )
        assert added.account is not None
        user = _settle(session, added.account, now)
    return _actor_in(session, user, org)


def open_applicant(session: Session, hr: Actor, name: str, phone: str, serial: int, now: datetime) -> User:
    """An applicant account opened by the enterprise's HR (``hr``), with the demo password; the one that
    exists when the phone is already registered."""
    user = _find_user(session, phone)
    if user is None:
        draft = ApplicantDraft(
            name=name,
            id_number=_id_for(serial),
            phone=phone,
            employment_type=EmploymentType.LABOUR_CONTRACT.value,
        )
        user = _settle(session, accounts.create_applicant(session, hr, draft, now), now)
    return user


def demo_phones() -> list[str]:
    """The demo accounts' logins: the production guard refuses to start while any of them exists."""
    targets = [phone for t in HANDOFF_TARGETS for phone in (*t.staff_phones, t.applicant[1])]
    return (
        [person.phone for person in STAFF]
        + [row[1] for row in APPLICANTS]
        + [FOREIGN_APPLICANT.phone]
        + targets
        + committee_phones()
        + kunming_phones()
    )


def seed_demo(session: Session, now: datetime, storage: Storage) -> list[tuple[str, str, str]]:
    """Create the demo organisations, people and applications unless they exist. Returns the logins.

    Stand-in scans fill the required material slots, except in 陈思远's draft, which still lacks its
    labour contract and pledge (the journey to try)."""
    first_admin = next(p for p in STAFF if p.key == "admin")
    bureau, admin = _bureau(
        session, BUREAU, "江西省赣州市", "GZ", (first_admin.name, first_admin.phone, 1), now
    )
    if bureau.policy_profile is None:
        policies.set_profile(session, admin, DEMO_PROFILE, now)
    department = _organisation(
        session, admin, OrgKind.DEPARTMENT, DEPARTMENT, bureau, now, region="赣州经济技术开发区"
    )
    orgs = {
        BUREAU: bureau,
        DEPARTMENT: department,
        STATE_ENTERPRISE: _organisation(
            session,
            admin,
            OrgKind.ENTERPRISE,
            STATE_ENTERPRISE,
            department,
            now,
            uscc=complete_uscc("91360703MA35G0CT0"),
            ownership=Ownership.STATE.value,
            region="赣州经济技术开发区",
        ),
        PRIVATE_ENTERPRISE: _organisation(
            session,
            admin,
            OrgKind.ENTERPRISE,
            PRIVATE_ENTERPRISE,
            department,
            now,
            uscc=complete_uscc("91360703MA39QX8K1"),
            ownership=Ownership.NON_STATE.value,
            region="赣州经济技术开发区",
        ),
    }
    actors: dict[str, Actor] = {"admin": admin}
    logins: list[tuple[str, str, str]] = []
    for serial, person in enumerate(STAFF, start=1):
        who = (person.name, person.phone, serial)
        if person.key == "admin":
            pass
        elif person.role is StaffRole.ADMIN and person.org == BUREAU:  # a bureau's admins: the deployment's
            actors[person.key] = _bureau(session, BUREAU, "", "", who, now)[1]
        else:
            actors[person.key] = _staff_member(session, admin, orgs[person.org], who, person.role, now)
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
        existed = _find_user(session, phone) is not None
        road = reviewers(enterprise)
        applicant = open_applicant(session, road.enterprise_handler, name, phone, offset, now)
        logins.append((f"申报人（{enterprise}）", phone, name))
        if existed:
            continue
        application = _start(
            session,
            storage,
            road.enterprise_handler,
            applicant,
            (series, specialty, level),
            DEMO_ROAD_START,
            pathway,
            complete=steps > 0,
            large_scans=name == LARGE_SCANS,
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
    logins.append(_seed_foreign_applicant(session, storage, actors["pvt_handler"], now))
    _ensure_open_window(session, actors["admin"], bureau, now)
    for target in HANDOFF_TARGETS:
        logins += _seed_handoff_target(session, storage, target, now)
    if endorsements.current_seal(session, orgs[PRIVATE_ENTERPRISE].id) is None:
        endorsements.upload_seal(session, actors["pvt_leader"], storage, demo_seal_png(), "公章.png", now)
    # Demo data of other roads: one line each, calling its own module's loader (kept easy to merge).
    logins += seed_committee_demo(session, storage, now)  # issue 22: Zhenjiang's committee office and experts
    logins += seed_kunming_demo(session, storage)  # issue 22.7: Dongchuan's committee, with a 职称确认
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


@dataclass(frozen=True)
class HandoffTarget:
    """A bureau handing off to another provincial system (issue 23): its tree, staff and one applicant
    walked past the unit's notice, so each target (js, km) has an application ready to hand off."""

    profile: str
    bureau: tuple[str, str, str]  # name, region, code
    department: str
    enterprise: tuple[str, str]  # name, USCC body (17 characters)
    staff_phones: tuple[
        str, ...
    ]  # bureau handler, leader, admin; department handler, leader; unit handler, leader
    staff_names: tuple[str, ...]
    applicant: tuple[str, str, str, str]  # name, phone, specialty, authority code
    serial: int
    contact: str  # the unit notice's 异议受理联系方式, with the city's own area code


HANDOFF_TARGETS = (
    HandoffTarget(
        "zhenjiang-2024",
        ("镇江市人力资源和社会保障局", "江苏省镇江市", "ZJ"),
        "镇江新区管委会人才办",
        ("镇江新区港城建设工程有限公司", "91321191MA1N8CQ2X"),
        ("13970800001", "13970800002", "13970800003", "13970800004", "13970800005", "13970800006",
         "13970800007"),
        ("顾晓雯", "蒋国华", "丁春燕", "殷浩", "朱建忠", "眭丽", "唐卫东"),
        ("周文博", "13970800011", "建筑施工", "zj-center"),
        100,
        "人力资源部 0511-85600000",
    ),
    HandoffTarget(
        "kunming-2022",
        ("昆明市东川区人力资源和社会保障局", "云南省昆明市东川区", "DC"),
        "东川区工业和信息化局",
        ("昆明东川铜都矿业技术服务有限公司", "91530113MA6P2KD4X"),
        ("13970900001", "13970900002", "13970900003", "13970900004", "13970900005", "13970900006",
         "13970900007"),
        ("李艳", "杨应福", "普丽萍", "张家顺", "段红", "王永贵", "马丽华"),
        ("何泽宇", "13970900011", "采矿工程", "km-dongchuan"),
        130,
        "人力资源部 0871-62100000",
    ),
)  # fmt: skip


def contact_for(profile: str) -> str:
    """The unit notice's contact line of the hand-off target under `profile` (its city's area code)."""
    return next(t.contact for t in HANDOFF_TARGETS if t.profile == profile)


# The walk of these runs inside this window (marked as demo data), so their policy profile's eligibility
# rules apply on the way as they would for real.
HANDOFF_WINDOW = ("2026-10-01", "2026-12-31")


def _seed_handoff_target(
    session: Session, storage: Storage, target: HandoffTarget, now: datetime
) -> list[tuple[str, str, str]]:
    name, region, code = target.bureau
    people = [
        (person, phone, target.serial + i)
        for i, (phone, person) in enumerate(zip(target.staff_phones, target.staff_names, strict=True))
    ]
    bureau, admin = _bureau(session, name, region, code, people[2], now)
    if bureau.policy_profile is None:
        policies.set_profile(session, admin, target.profile, now)
    department = _organisation(
        session, admin, OrgKind.DEPARTMENT, target.department, bureau, now, region=region
    )
    enterprise = _organisation(
        session, admin, OrgKind.ENTERPRISE, target.enterprise[0], department, now,
        uscc=complete_uscc(target.enterprise[1]), ownership=Ownership.NON_STATE.value, region=region,
    )  # fmt: skip
    places = (
        (bureau, StaffRole.HANDLER), (bureau, StaffRole.LEADER), (bureau, StaffRole.ADMIN),
        (department, StaffRole.HANDLER), (department, StaffRole.LEADER),
        (enterprise, StaffRole.HANDLER), (enterprise, StaffRole.LEADER),
    )  # fmt: skip
    actors: list[Actor] = []
    logins: list[tuple[str, str, str]] = []
    for (org, role), person in zip(places, people, strict=True):
        actor = admin if person is people[2] else _staff_member(session, admin, org, person, role, now)
        actors.append(actor)
        logins.append((f"{org.name}{role.title}", person[1], person[0]))
    if endorsements.current_seal(session, enterprise.id) is None:  # the 综合情况表 is sealed (004 二(七))
        endorsements.upload_seal(session, actors[-1], storage, demo_seal_png(), "公章.png", DEMO_ROAD_START)
    who, phone, specialty, authority = target.applicant
    existed = _find_user(session, phone) is not None
    bureau_handler, bureau_leader, admin, dept_handler, dept_leader, handler, leader = actors
    applicant = open_applicant(session, handler, who, phone, target.serial + 10, now)
    logins.append((f"申报人（{enterprise.name}）", phone, who))
    if existed:
        return logins
    policies.save_window(
        session,
        admin,
        policies.WindowInput(
            batch_id="demo-handoff", batch_name="演示受理期（报送）", authority="all", levels="初级,中级",
            opens=HANDOFF_WINDOW[0], closes=HANDOFF_WINDOW[1],
            citation="演示数据：报送演示的受理期（并非真实通知）", note="flask seed-demo 载入",
        ),
        DEMO_ROAD_START,
    )  # fmt: skip
    application = _start(
        session, storage, handler, applicant, ("工程", specialty, "中级"), DEMO_ROAD_START, "评审",
        authority=authority,
    )  # fmt: skip
    road = Reviewers(handler, leader, dept_handler, dept_leader, bureau_handler, bureau_leader)
    walk(session, road, application, 5, DEMO_ROAD_START, target.contact)  # up to 公示期满: hand off
    return logins


def _attach_large_scans(
    session: Session, storage: Storage, applicant: Actor, application: Application, moment: datetime
) -> None:
    """What applicants really upload, for the hand-off to re-encode and split (issue 23): a 12-megapixel
    phone photo of the ID card and a 30-page scan of the labour contract."""
    from portal.demo_files import phone_photo, scanned_pdf
    from portal.models import Material

    for slot, data, media_type, name, pages in (
        ("id_card", phone_photo(), "image/jpeg", "身份证（手机拍摄）.jpg", 1),
        ("labour_contract", scanned_pdf(30), "application/pdf", "劳动合同（扫描件）.pdf", 30),
    ):
        stored = materials.store_file(session, storage, data, media_type, name, applicant, moment)
        session.add(
            Material(
                application_id=application.id, slot=slot, kind="original", file_id=stored.id, pages=pages,
                uploaded_by_id=application.applicant_id, uploaded_at=moment,
            )
        )  # fmt: skip
    session.flush()


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
    large_scans: bool = False,
    authority: str = "",
) -> Application:
    series, specialty, level = what
    start = applications.StartInput(applicant.id, series, specialty, level, pathway, authority)
    application = applications.start_application(session, handler, start, moment)
    me = actor_for(applicant, None)
    forms.save_form(session, me, application.id, demo_form(specialty, application.enterprise.name), moment)
    if large_scans:
        _attach_large_scans(session, storage, me, application, moment)
    skip = () if complete else ("labour_contract",)
    materials.attach_placeholders(session, me, storage, application, moment, skip=skip, sign=complete)
    return application


def _seed_foreign_applicant(
    session: Session, storage: Storage, hr: Actor, now: datetime
) -> tuple[str, str, str]:
    """DANIEL WEBER's account, opened by HR as for anyone (passport, nationality, work permit checked), his
    interface language set to English, and his application drafted with its materials, ready to submit:
    工程 by 评审, as a non-state employer's engineers are not certified (001 三(六))."""
    draft = FOREIGN_APPLICANT
    login = (f"申报人（{PRIVATE_ENTERPRISE}，外籍，英文界面）", draft.phone, draft.name)
    if _find_user(session, draft.phone) is not None:
        return login
    user = _settle(session, accounts.create_applicant(session, hr, draft, now), now)
    auth.set_language(session, user, Language.EN.value)
    _start(session, storage, hr, user, ("工程", "电子信息工程", "中级"), DEMO_ROAD_START, "评审")
    return login


def _seed_staff_applicant(
    session: Session, storage: Storage, handler: Actor, leader: Actor, enterprise: Organisation
) -> None:
    """The private enterprise's handler applies too: the demo shows she cannot review her own case.

    No service lets a staff account also apply (accounts.check_applicant_input sends HR to the bureau's
    admin: one person, one account), so this one step sets her employer as that admin would by hand."""
    user = session.get(User, handler.user_id)
    assert user is not None
    if user.employer_id is not None:
        return
    user.employer_id = enterprise.id
    session.flush()
    what = ("经济", "人力资源管理", "副高级")
    application = _start(session, storage, leader, user, what, DEMO_ROAD_START, "评审")
    applications.act(session, actor_for(user, None), application.id, Action.SUBMIT, DEMO_ROAD_START)
