"""Demo data for Dongchuan's committee road with a 职称确认 (issue 22.7, 004 一(五)): the Dongchuan bureau's
admin sets up a district committee for 工程 采矿工程 in 东川区 (the profile's scope table is in unseen
attachments, so the admin enters it, as 004's profile note says), its office's handler and leader, an
expert pool, and two applications of the mining services company whose current title was granted in
Sichuan: 杜晓峰's, sent by the bureau to the committee with the confirmation asked for (it stands at the
office's intake, the line waiting to be sent to the bureau), and 罗春燕's draft, whose 现有职称 row from
Sichuan is there for the unit's HR to ask for its confirmation.

Its own module, called with one line from portal.demo after the hand-off targets (which create the
Dongchuan bureau, its tree and staff). Everything goes through the services a user would use; idempotent:
a second run finds the office's staff and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo_committee import _actor_in, reviewers_of, staff_committee
from portal.domain.workflow import Action
from portal.models import Application, Committee, Organisation, StaffRole, User
from portal.services import applications, committees, confirmations, forms, handoff_results, materials
from portal.services.actors import Actor, actor_for
from portal.storage import Storage

BUREAU = "昆明市东川区人力资源和社会保障局"  # portal.demo's Kunming hand-off target
ENTERPRISE = "昆明东川铜都矿业技术服务有限公司"
COMMITTEE = "东川区工程系列采矿工程专业中级评审委员会"
FORMING_UNIT = "昆明市东川区人力资源和社会保障局"
SPECIALTY = "采矿工程"
OFFICE_STAFF = (
    ("办事机构经办人", "13970900021", "李春梅", StaffRole.HANDLER),
    ("办事机构领导", "13970900022", "张建华", StaffRole.LEADER),
)
# (name, phone, employer): 采矿工程 experts from other employers, so none is recused for these applicants.
EXPERTS = (
    ("钱永平", "13970900031", "云南省地质矿产勘查开发局"),
    ("赵丽娟", "13970900032", "昆明理工大学国土资源工程学院"),
    ("孙德明", "13970900033", "东川区应急管理局"),
    ("周晓红", "13970900034", "云南铜业（集团）有限公司"),
    ("吴国强", "13970900035", "昆明有色冶金设计研究院"),
    ("郑海波", "13970900036", "东川区自然资源局"),
    ("冯雪", "13970900037", "云南驰宏锌锗股份有限公司"),
)
APPLICANT = ("杜晓峰", "13970900041")  # at the office's intake, the confirmation asked for
DRAFT_APPLICANT = ("罗春燕", "13970900042")  # a draft: the unit's HR asks for the confirmation
# The title each holds from Sichuan (004 一(五): granted in another province).
SICHUAN_TITLE = {
    "kind": "职称",
    "name": "助理工程师",
    "series": "工程",
    "level": "助理级",
    "obtained_on": "2019-12-20",
    "authority": "四川省人力资源和社会保障厅",
    "province": "四川省",
    "certificate_no": "SC2019-ZL0321",
}


def kunming_phones() -> list[str]:
    """The logins this module creates (the production guard refuses to start while any exists)."""
    return (
        [p for _d, p, _n, _r in OFFICE_STAFF] + [e[1] for e in EXPERTS] + [APPLICANT[1], DRAFT_APPLICANT[1]]
    )


def _committee(session: Session, bureau: Organisation) -> Committee:
    """The district committee and its one scope row, as the bureau's admin enters them."""
    found = session.scalars(select(Committee).where(Committee.name == COMMITTEE)).first()
    if found is not None:
        return found
    from portal import demo

    admin = _actor_in(session, bureau, StaffRole.ADMIN)
    start = demo.DEMO_ROAD_START
    committee = committees.create_committee(
        session, admin, committees.CommitteeInput(name=COMMITTEE, forming_unit=FORMING_UNIT), start
    )
    committees.save_scope(
        session, admin, committee.id,
        committees.ScopeInput(
            row_no="1", specialties=SPECIALTY, place="东川区", levels=("助理级", "中级"),
            citation="004 一(一)", note="演示数据：东川区评委会受理范围见附件2、3（未收录），由管理员录入",
        ),
        start,
    )  # fmt: skip
    session.refresh(committee)  # its scope, as routing reads it
    return committee


def seed_kunming_demo(session: Session, storage: Storage) -> list[tuple[str, str, str]]:
    """Dongchuan's committee road with a 职称确认 (see the module's docstring); returns its logins
    (description, phone, name). Needs portal.demo's Kunming hand-off target (seeded before it)."""
    from portal import demo

    start = demo.DEMO_ROAD_START
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).first()
    enterprise = session.scalars(select(Organisation).where(Organisation.name == ENTERPRISE)).first()
    if bureau is None or enterprise is None:
        return []
    admin = _actor_in(session, bureau, StaffRole.ADMIN)
    committee = _committee(session, bureau)
    experts = [(name, phone, SPECIALTY, employer) for name, phone, employer in EXPERTS]
    logins = staff_committee(session, admin, committee, OFFICE_STAFF, experts, 260)
    logins.append((f"申报人（{ENTERPRISE}，评审途径，职称确认）", APPLICANT[1], APPLICANT[0]))
    logins.append((f"申报人（{ENTERPRISE}，草稿，外省职称）", DRAFT_APPLICANT[1], DRAFT_APPLICANT[0]))
    if session.scalar(select(User.id).where(User.phone == APPLICANT[1])) is not None:
        return logins
    road = reviewers_of(session, enterprise, bureau)
    unit_handler = road.enterprise_handler
    drafts = []
    for serial, (name, phone) in enumerate((APPLICANT, DRAFT_APPLICANT), start=290):
        applicant = demo.open_applicant(session, unit_handler, name, phone, serial, start)
        application = demo._start(
            session, storage, unit_handler, applicant, ("工程", SPECIALTY, "中级"), start, "评审",
            authority="km-dongchuan",
        )  # fmt: skip
        # The form's 现有职称: the title from Sichuan in place of the demo's row, with its certificate scan.
        me = actor_for(applicant, None)
        forms.save_form(session, me, application.id, forms.form_data(title=[SICHUAN_TITLE]), start)
        materials.attach_placeholders(session, me, storage, application, start)
        drafts.append(application)
    sent, _draft = drafts
    title_row = next(
        r.id for r in forms.rows_of(session, sent.id) if r.get("province") == SICHUAN_TITLE["province"]
    )
    confirmations.request_from_row(session, unit_handler, sent.id, title_row, "other_province", start)
    # Up to the bureau handler's approval; the city system's review passed, imported on 报送省级系统 as
    # the bureau does (004 一(二): 未经市系统审核的申报材料，不予送评); then the leader sends it on.
    moment = demo.walk(session, road, sent, 9, start, demo.contact_for("kunming-2022"))
    _city_system_passed(session, storage, road.bureau_handler, sent, moment)
    applications.act(
        session, road.bureau_leader, sent.id, Action.SEND_TO_COMMITTEE, moment + timedelta(hours=1),
        committee_id=committee.id,
    )  # fmt: skip
    return logins


def _city_system_passed(
    session: Session, storage: Storage, handler: Actor, application: Application, moment: datetime
) -> None:
    """The city system's passed review of `application`, as the bureau's handler imports it: a results
    sheet through the hand-off results import (preview, then apply), never a row written by hand."""
    sheet = f"身份证号码,姓名,审核结果\n{application.applicant.id_number},{application.applicant.name},通过\n"
    found, _rows = handoff_results.check_results(
        session, storage, handler, "km", sheet.encode("utf-8"), "市系统审核结果.csv", moment
    )
    handoff_results.apply_results(session, storage, handler, found.id, moment)
