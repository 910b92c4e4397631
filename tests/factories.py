"""Factories for service and web tests: an organisation tree with staff, applicants and applications
walked to any status through the real services."""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.orm import Session

from portal.demo import DEMO_OPINION, Reviewers, walk
from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.workflow import Status
from portal.models import (
    Application,
    Membership,
    Organisation,
    OrgKind,
    Ownership,
    StaffRole,
    StandIn,
    User,
)
from portal.services import applications, forms, materials, unit_opinions
from portal.services.actors import Actor, actor_for
from portal.services.auth import hash_password
from portal.storage.local import LocalStorage

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from tests.conftest import Clock  # the conftest imports this module: only for the type

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


WORK_PERMIT = "1100002023000123"  # a 外国人工作许可证 number of the shape HR's form accepts


def with_document(
    person: User, document_type: str, number: str, *, nationality: str = "USA", permit_no: str = WORK_PERMIT
) -> User:
    """``person`` identified by ``document_type`` and ``number`` instead of a resident ID card; a passport
    holder also with the nationality and the work permit HR's form requires of them."""
    person.document_type, person.id_number = document_type, number
    if document_type == "passport":
        person.nationality, person.permit_kind, person.permit_no = nationality, "work_permit", permit_no
    return person


def make_passport_holder(
    session: Session,
    name: str | None = None,
    *,
    employer: Organisation | None = None,
    number: str = "E12345678",
    nationality: str = "USA",
    permit_no: str = WORK_PERMIT,
) -> User:
    """A foreign applicant's account: a passport number, a nationality and a work permit."""
    person = make_user(session, name, employer=employer)
    return with_document(person, "passport", number, nationality=nationality, permit_no=permit_no)


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
    pathway: str = "认定",
    what: tuple[str, str, str] = ("工程", "土木工程", "中级"),
    sections: dict[str, object] | None = None,
) -> Application:
    """A filled draft with stand-in materials and the pledge signed, then the first `steps` of the main
    road (portal.demo.ROAD), the notice included. ``what`` is (series, specialty, level); ``sections``
    replace parts of the 申报表 (`filled_form`)."""
    office = office or world.enterprise
    applicant = applicant or make_user(session, employer=office.org)
    application = applications.start_application(
        session,
        office.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, *what, pathway=pathway),
        now,
    )
    rows = filled_form(application, **(sections or {}))
    forms.save_form(session, actor_for(applicant, None), application.id, rows, now)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, now)
    walk(session, reviewers(world, office), application, steps, now + timedelta(minutes=1))
    handler = office.actor(StaffRole.HANDLER)
    if unit_opinion and unit_opinions.may_record(handler, application):
        # The handler records the unit's opinion at its first review (EXP-04): the leader can sign.
        unit_opinions.record_opinion(
            session, handler, application.id, DEMO_OPINION, now + timedelta(minutes=2)
        )
    return application


def returned_summary(
    session: Session, world: World, now: datetime, deadline: str = "2026-10-20"
) -> Application:
    """An application the unit's handler returned for its 工作总结, to be corrected by ``deadline``."""
    from portal.services import corrections

    application = make_application(session, world, now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"field:work_summary": "请补充近三年业绩"}, deadline),
        now,
    )
    return application


def in_batch(
    session: Session,
    application: Application,
    batch_id: str | None,
    *,
    name: str | EllipsisType | None = ...,
    authority: str | None = None,
) -> Application:
    """The application as if its first submission had put it in ``batch_id`` (and, given, under the
    certifying ``authority``): the factory submits it in whatever window is open, and a test moving it
    elsewhere afterwards must move the name kept at submission with it (applications.batch_name, migration
    0038), which pages show once the profile no longer holds the id (`policies.batch_title`). The name is
    the one the bureau's profile gives the batch now, as `eligibility.submission_terms` keeps it; for a
    batch the profile does not hold (last year's, an admin's window since deleted) the test says it —
    ``name="2025年第四批"``, or ``name=None`` for one submitted before names were kept."""
    from portal.models.applications import BATCH_NAME_LENGTH
    from portal.services import policies

    if authority is not None:
        application.authority_code = authority
    if batch_id is None:
        name = None
    elif name is ...:
        profile = policies.effective_profile(session, application.bureau)
        if profile is None or all(w.batch_id != batch_id for w in profile.batches):
            raise ValueError(
                f"the bureau's profile does not hold {batch_id!r}: give the name kept at submission"
            )
        name = policies.batch_title(profile, batch_id, application.authority_code)[:BATCH_NAME_LENGTH]
    application.batch_id, application.batch_name = batch_id, name
    session.flush()
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


def make_staff_application(
    session: Session, world: World, now: datetime, role: StaffRole, *, steps: int
) -> tuple[User, Application]:
    """An employee of the enterprise applies (the first `steps` of the road walked by its staff), then
    takes over its `role` from the one who held it, who leaves: she is now that role's only holder."""
    applicant = make_user(session, "邱敏", employer=world.enterprise.org)
    application = make_application(session, world, now, applicant=applicant, steps=steps)
    make_staff(session, world.enterprise.org, role, user=applicant)
    office = world.enterprise
    former = office.handler_membership if role is StaffRole.HANDLER else office.leader_membership
    former.ended_at = now
    session.flush()
    return applicant, application


def make_stand_in(session: Session, org: Organisation, principal: User, substitute: User) -> StandIn:
    """`substitute` stands in for `principal`'s role at `org` over the test clock's days (named by them)."""
    membership = next(m for m in principal.active_memberships if m.org_id == org.id)
    stand_in = StandIn(
        membership_id=membership.id,
        substitute_id=substitute.id,
        starts_on=date(2026, 9, 28),
        ends_on=date(2026, 10, 9),
        created_by_id=principal.id,
    )
    session.add(stand_in)
    session.flush()
    return stand_in


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


# --- the committee road (issue 22) ----------------------------------------------------------------------


def open_window(session: Session, world: World, now: datetime, *, days: int = 60) -> None:
    """An admin window of the bureau's profile open from `now` for every level (the profiles' own windows
    lie in their notice's year)."""
    from portal.services import policies
    from portal.services.calendar import today

    day = today(now)
    policies.save_window(
        session,
        actor_for(world.admin, world.admin_membership),
        policies.WindowInput(
            batch_id=f"t{day:%Y%m%d}",
            batch_name="测试受理期",
            authority="all",
            levels="员级,助理级,中级,副高级,正高级",
            opens=day.isoformat(),
            closes=(day + timedelta(days=days)).isoformat(),
            citation="003 附件（测试数据）",
        ),
        now,
    )


def make_committee_world(session: Session, now: datetime, *, profile: str = "zhenjiang-2024") -> World:
    """A bureau following a profile with a committee road, its tree placed in the profile's city (the
    enterprise in 镇江市京口区 / 昆明市东川区), and a window open from `now`."""
    region = "镇江市京口区" if profile.startswith("zhenjiang") else "昆明市东川区"
    world = make_world(session, policy_profile=profile)
    for office in (world.enterprise, world.other_enterprise):
        office.org.region = region
    session.flush()
    open_window(session, world, now)
    return world


@dataclass
class CommitteeOffice:
    committee: Any
    office: Office


def make_committee(
    session: Session,
    world: World,
    now: datetime,
    *,
    specialties: str = "建设工程",
    place: str = "镇江市区",
    levels: str = "员级,助理级,中级",
    name: str | None = None,
) -> CommitteeOffice:
    """A committee created by the bureau's admin, one scope row, and its office's handler and leader."""
    from portal.services import committees

    admin = actor_for(world.admin, world.admin_membership)
    n = next(_serial)
    committee = committees.create_committee(
        session,
        admin,
        committees.CommitteeInput(name=name or f"测试评委会{n}", forming_unit=f"组建单位{n}"),
        now,
    )
    committees.save_scope(
        session,
        admin,
        committee.id,
        committees.ScopeInput(
            row_no="1",
            specialties=specialties,
            place=place,
            levels=tuple(levels.split(",")),
            citation="003 附件 序号1",
        ),
        now,
    )
    office_org = committee.office
    handler, hm = make_staff(session, office_org, StaffRole.HANDLER, f"{committee.name}经办人")
    leader, lm = make_staff(session, office_org, StaffRole.LEADER, f"{committee.name}领导")
    session.refresh(committee)
    return CommitteeOffice(committee, Office(office_org, handler, leader, hm, lm))


def make_committee_rows(session: Session, world: World, now: datetime) -> CommitteeOffice:
    """A committee written straight into the tables (for a bureau without a profile, as the security
    suite's tenants are): its office with a handler and leader, and one scope row."""
    from portal.models import Committee, CommitteeScope

    n = next(_serial)
    office_org = make_org(session, OrgKind.COMMITTEE, world.bureau.org, name=f"测试评委会{n}办事机构")
    committee = Committee(
        bureau_id=world.bureau.org.id,
        office_id=office_org.id,
        profile_id="zhenjiang-2024",
        name=f"测试评委会{n}",
        forming_unit=f"组建单位{n}",
        created_at=now,
    )
    session.add(committee)
    session.flush()
    session.add(
        CommitteeScope(
            committee_id=committee.id,
            row_no="1",
            specialties="土木工程",
            place="镇江市",
            levels="中级",
            citation="003 附件 序号1",
            updated_at=now,
        )
    )
    session.flush()
    session.refresh(committee)
    handler, hm = make_staff(session, office_org, StaffRole.HANDLER, f"{committee.name}经办人")
    leader, lm = make_staff(session, office_org, StaffRole.LEADER, f"{committee.name}领导")
    return CommitteeOffice(committee, Office(office_org, handler, leader, hm, lm))


def make_review_application(
    session: Session,
    world: World,
    now: datetime,
    *,
    applicant: User | None = None,
    office: Office | None = None,
    what: tuple[str, str, str] = ("工程", "建设工程", "中级"),
) -> Application:
    """A 评审 application walked to the bureau's review with the bureau handler's signature: the bureau
    leader's 送评委会评审 is next. A 助理级 one is made by a 技术员 (员级), level by level (003 二(一))."""
    junior = what[2] == "助理级"
    return make_application(
        session,
        world,
        now,
        applicant=applicant,
        office=office,
        steps=STEPS_TO[Status.BUREAU_REVIEW] + 1,
        pathway="评审",
        what=what,
        sections={"title": [{**FILLED["title"], "name": "技术员", "level": "员级"}]} if junior else None,
    )


def committee_notice(
    session: Session, office: Office, application_ids: list[int], now: datetime, *, title: str = "评前公示"
) -> Any:
    """The office's handler drafts a notice of these applications starting today, its leader publishes it."""
    from portal.services import notices
    from portal.services.calendar import today

    notice = notices.draft_notice(
        session,
        office.actor(StaffRole.HANDLER),
        notices.NoticeInput(title, "评委会办事机构网站", "办事机构 0511-84403810", today(now).isoformat()),
        application_ids,
        now,
    )
    return notices.publish_notice(session, office.actor(StaffRole.LEADER), notice.id, now)


def pass_notice(session: Session, notice: Any) -> datetime:
    """The day after the notice's last day, 09:00: its end passes every entry without an open objection."""
    from zoneinfo import ZoneInfo

    from portal.services import notices

    after = datetime.combine(
        notice.last_day + timedelta(days=1), datetime.min.time(), ZoneInfo("Asia/Shanghai")
    )
    after = after.replace(hour=9)
    notices.close_if_due(session, notice, after)
    return after


def city_system_passed(session: Session, world: World, application: Application, now: datetime) -> Any:
    """The city system's review recorded as passed for ``application`` (Kunming's gate, 004 一(二)): the
    row an applied results import of the bureau's hand-off target writes (services.handoff_results)."""
    from portal.models import HandoffResult, ResultImport, ResultImportStatus, StoredFile

    stored = StoredFile(
        sha256=f"{next(_serial):064x}", size=1, media_type="text/csv", display_name="市系统审核结果.csv",
        uploaded_by_id=world.bureau.handler.id, created_at=now,
    )  # fmt: skip
    session.add(stored)
    session.flush()
    found = ResultImport(
        org_id=world.bureau.org.id, target="km", file_id=stored.id, digest="0" * 64,
        status=ResultImportStatus.APPLIED.value, created_by_id=world.bureau.handler.id, created_at=now,
    )  # fmt: skip
    session.add(found)
    session.flush()
    result = HandoffResult(
        application_id=application.id, target="km", outcome="passed", import_id=found.id,
        recorded_by_id=world.bureau.handler.id, recorded_at=now,
    )  # fmt: skip
    session.add(result)
    session.flush()
    return result


def with_material(session: Session, application: Application, slot: str, now: datetime) -> Any:
    """``application``'s dossier given a file in ``slot`` (as an upload would leave it, without the bytes):
    for a test whose case must not lack a required material at 认定发证 (rulebook's dossier_gap)."""
    from portal.models import Material, StoredFile

    stored = StoredFile(
        sha256=f"{next(_serial):064x}", size=1, media_type="application/pdf", display_name=f"{slot}.pdf",
        uploaded_by_id=application.applicant_id, created_at=now,
    )  # fmt: skip
    session.add(stored)
    session.flush()
    material = Material(
        application_id=application.id, slot=slot, kind="original", file_id=stored.id, pages=1,
        uploaded_by_id=application.applicant_id, uploaded_at=now,
    )  # fmt: skip
    session.add(material)
    session.flush()
    return material


def staff_login(login_as: Any, office: Office, role: StaffRole = StaffRole.HANDLER) -> FlaskClient:
    """A client (conftest's ``login_as``) logged in as the office's handler or leader, in that role."""
    if role is StaffRole.LEADER:
        return login_as(office.leader, membership_id=office.leader_membership.id)  # type: ignore[no-any-return]
    return login_as(office.handler, membership_id=office.handler_membership.id)  # type: ignore[no-any-return]


class Road(NamedTuple):
    """A committee road: its bureau (make_committee_world), its committee and one 评审 application (a
    tuple, so a test unpacks the three it names)."""

    world: World
    made: CommitteeOffice
    application: Application


def committee_road(
    session: Session, clock: Clock, *, published: bool = False, profile: str = "zhenjiang-2024"
) -> Road:
    """A committee road whose application is on its meeting's agenda stage (to_meeting), or with
    ``published`` passed at a meeting whose results are published (to_published); ``clock`` is moved to
    the time after. ``profile``: Zhenjiang's by default, "kunming-2022" for Dongchuan's committee."""
    world = make_committee_world(session, clock.now, profile=profile)
    place = "镇江市区" if profile.startswith("zhenjiang") else "东川区"
    made = make_committee(session, world, clock.now, place=place)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    if published:
        clock.now = to_published(session, world, made, [application], clock.now)
    return Road(world, made, application)


def to_meeting(
    session: Session, world: World, co: CommitteeOffice, application: Application, now: datetime
) -> datetime:
    """A 评审 application at the bureau's leader taken to the meeting's agenda stage: sent to the committee,
    accepted by its office (handler, then leader), through the office's 评前公示. Returns the time after."""
    from portal.domain.workflow import Action

    if world.bureau.org.policy_profile == "kunming-2022":  # its gate: the city system's review first
        city_system_passed(session, world, application, now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, now
    )
    applications.act(session, co.office.actor(StaffRole.HANDLER), application.id, Action.HANDLER_APPROVE, now)
    applications.act(session, co.office.actor(StaffRole.LEADER), application.id, Action.LEADER_APPROVE, now)
    notice = committee_notice(session, co.office, [application.id], now)
    after = pass_notice(session, notice)
    session.refresh(application)
    return after


def make_experts(session: Session, co: CommitteeOffice, now: datetime, n: int, **fields: str) -> list[Any]:
    """``n`` experts in the committee's pool (new accounts), 工程 建设工程, 高级工程师 appointed today for 3
    years, unless ``fields`` say otherwise (series, specialty, title, title_level, appointed_on, term_ends,
    employer_name)."""
    from portal.services import votes

    made = []
    for _ in range(n):
        serial = next(_serial)
        data = votes.ExpertInput(
            name="专家" + "".join("零一二三四五六七八九"[int(d)] for d in str(serial)),
            id_number=resident_id(),
            phone=phone(),
            series=fields.get("series", "工程"),
            specialty=fields.get("specialty", "建设工程"),
            title=fields.get("title", "高级工程师"),
            employer_name=fields.get("employer_name", f"镇江市建筑设计院{serial}"),
            title_level=fields.get("title_level", ""),
            appointed_on=fields.get("appointed_on", ""),
            term_ends=fields.get("term_ends", ""),
        )
        made.append(votes.add_expert(session, co.office.actor(StaffRole.HANDLER), data, now).expert)
    return made


def drawn_meeting(
    session: Session,
    co: CommitteeOffice,
    application: Application,
    now: datetime,
    *,
    pool: int,
    panel: int = 5,
) -> Any:
    """A meeting in preparation (2026-11-20) with ``application`` on its agenda, a plan and a pass-rate
    setting, and a panel of ``panel`` drawn (seed "s1") from ``pool`` new experts: ready to be filed."""
    from portal.services import meetings, votes

    make_experts(session, co, now, pool)
    handler = co.office.actor(StaffRole.HANDLER)
    meeting = meetings.plan_meeting(session, handler, meetings.MeetingInput("2026-11-20", "会议室"), now)
    meetings.add_to_agenda(session, handler, meeting.id, [application.id], now)
    meetings.save_plan(
        session, handler, meeting.id, meetings.PlanInput(plan="方案", pass_rate_limit="80"), now
    )
    votes.draw_panel(session, handler, meeting.id, panel, now, seed="s1")
    return meeting


def filed_meeting(
    session: Session,
    world: World,
    co: CommitteeOffice,
    applications_: list[Application],
    now: datetime,
    *,
    panel: int = 5,
    pool: int = 0,
) -> Any:
    """A meeting 30 days on with these applications on its agenda, a drawn panel, a plan and a pass-rate
    setting, filed by the office's leader and accepted by the bureau; ``pool`` new experts join the pool
    first (make_experts) where the test has not made them."""
    from portal.services import meetings, votes
    from portal.services.calendar import today

    make_experts(session, co, now, pool)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    meeting = meetings.plan_meeting(
        session,
        handler,
        meetings.MeetingInput((today(now) + timedelta(days=30)).isoformat(), "市人社局三楼会议室"),
        now,
    )
    meetings.add_to_agenda(session, handler, meeting.id, [a.id for a in applications_], now)
    meetings.save_plan(
        session, handler, meeting.id, meetings.PlanInput(plan="按专业分组评审", pass_rate_limit="80"), now
    )
    votes.draw_panel(session, handler, meeting.id, panel, now, seed="seed-for-tests")
    meetings.file_meeting(session, leader, meeting.id, now)
    meetings.decide_filing(session, world.bureau.actor(StaffRole.HANDLER), meeting.id, True, "", now)
    return meeting


def to_tallied(
    session: Session, world: World, co: CommitteeOffice, applications_: list[Application], now: datetime
) -> tuple[Any, datetime]:
    """Applications waiting for the meeting taken to a tallied vote (five experts drawn, acknowledging their
    study where the profile asks it (CHAN-06, Kunming's) and voting yes; a pass rate of 100% over the 80%
    set) whose result notice has run out: (the meeting, the time after)."""
    from portal.services import votes

    meeting = filed_meeting(session, world, co, applications_, now, pool=5)
    members = votes.panel(session, meeting)
    day = now + timedelta(days=30)
    leader = co.office.actor(StaffRole.LEADER)
    for member in members if votes.study_clause(session, meeting) else []:
        votes.acknowledge(session, actor_for(member.expert.user, None), meeting.id, now)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members], day)
    ballot = {entry.id: "yes" for entry in meeting.entries}
    for member in members:
        votes.cast_ballot(session, actor_for(member.expert.user, None), meeting.id, ballot, day)
    votes.close_voting(session, leader, meeting.id, day)
    notice = committee_notice(session, co.office, [a.id for a in applications_], day, title="评审结果公示")
    return meeting, pass_notice(session, notice)


def to_published(
    session: Session, world: World, co: CommitteeOffice, applications_: list[Application], now: datetime
) -> datetime:
    """Applications waiting for the meeting taken to a published pass: tallied (to_tallied), the office's
    confirmation and the bureau's publication. Returns the time after."""
    from portal.services import results

    meeting, after = to_tallied(session, world, co, applications_, now)
    leader = co.office.actor(StaffRole.LEADER)
    results.confirm_results(session, leader, meeting.id, "全票通过，超过设定通过率经评委会研究确认", after)
    results.publish_results(
        session, world.bureau.actor(StaffRole.LEADER), meeting.id, "文号〔2026〕1号", after
    )
    return after


# A current title from another province (Sichuan), complete for the 职称确认 list (004 一(五)).
TITLE_ELSEWHERE = {
    "kind": "职称",
    "name": "工程师",
    "series": "工程",
    "level": "中级",
    "obtained_on": "2019-12-20",
    "authority": "四川省人力资源和社会保障厅",
    "province": "四川省",
    "certificate_no": "SC2019-000123",
}


def with_title_elsewhere(session: Session, application: Application, now: datetime) -> int:
    """The draft's 申报表 saved with a title from another province beside its own; returns that row's id."""
    from portal.domain.form import SectionKey

    rows = filled_form(application, title=[FILLED["title"], TITLE_ELSEWHERE])
    applicant = actor_for(application.applicant, None)
    forms.save_form(session, applicant, application.id, rows, now)
    materials.attach_placeholders(session, applicant, STORAGE, application, now)  # the row's certificate
    return next(
        r.id
        for r in forms.rows_of(session, application.id)
        if r.section is SectionKey.TITLE and r.get("province") == "四川省"
    )


def staff_and_expert_applicants(session: Session, world: World, now: datetime) -> tuple[User, User]:
    """Two applicants of ``world``'s enterprise whose accounts are not only an applicant's: a handler of the
    department, and a committee expert (an older pool row: the pool now refuses applicants). HR neither
    reset their password nor correct their details (`accounts.staff_or_expert`)."""
    staff_member = make_user(session, employer=world.enterprise.org)
    make_staff(session, world.department.org, StaffRole.HANDLER, user=staff_member)
    co = make_committee(session, world, now)
    expert = session.get(User, make_experts(session, co, now, 1)[0].user_id)
    assert expert is not None
    expert.employer_id = world.enterprise.org.id
    session.flush()
    return staff_member, expert
