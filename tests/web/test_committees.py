"""Issue 22.2 on the screens: the admin loads the 申报计划安排表 and keeps a committee's scope (filters in
the URL, counts, Excel of what is shown, a bad row refused in Chinese with the typed values kept), the
office's staff read it, and the bureau leader chooses the committee on the review page."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Committee, StaffRole
from tests.conftest import Clock
from tests.factories import (
    make_committee,
    make_committee_world,
    make_review_application,
    make_world,
    to_meeting,
    to_published,
)
from tests.i18n.reading import in_english


def test_the_admin_loads_the_table_and_filters_and_exports_a_committees_scope(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    page = admin.get("/committees")
    assert "载入申报计划安排表" in page.text and "还没有评委会" in page.text
    loaded = admin.post("/committees/load", follow_redirects=True)
    assert "已载入 27 个评委会、48 行受理范围" in loaded.text
    again = admin.post("/committees/load", follow_redirects=True)
    assert "申报计划安排表已载入过，未重复载入" in again.text  # the bureau's own name for its table
    center = session.query(Committee).filter_by(code="zj-center").one()
    shown = admin.get(f"/committees/{center.id}?specialty=建设工程&level=中级")
    assert shown.status_code == 200
    # 序号1's two windows (3月15日-5月30日, 7月1日-9月15日) out of the centre's seven rows.
    assert 'id="scope-count">2 / 7' in shown.text
    assert "2024年7月1日至2024年9月15日" in shown.text
    sheet = admin.get(f"/committees/{center.id}/scopes.xlsx?specialty=建设工程&level=中级")
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "受理专业", "受理地") and len(rows) == 3 and rows[1][2] == "镇江市区"


def test_the_load_action_names_the_table_as_the_bureaus_own_notice_does(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen: every bureau's committees page offered 载入申报计划安排表 “如镇江 003 附件”, Zhenjiang's table
    and clause, to Kunming's admin too. The words are the bureau's profile's: Zhenjiang's 申报计划安排表 with
    its clause; in English, its own translation."""
    world = make_world(session, policy_profile="zhenjiang-2024")
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    page = admin.get("/committees").text
    hint = page.partition('id="scope-table-hint">')[2].partition("</p>")[0]
    assert 'id="load-committees">载入申报计划安排表</button>' in page and "003 附件" in hint
    english = in_english(admin).get("/committees").text
    assert 'id="load-committees">Load the application plan</button>' in english


def test_a_bureau_whose_profile_lists_no_accepting_bodies_is_offered_no_load_that_loads_nothing(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen: Kunming's and Ganzhou's admins were offered 载入…, which loaded nothing and then said the table
    “was loaded before”. Their profiles list no accepting bodies (Kunming's review plans are annexes the
    notice does not carry): the page says to set committees up one by one, and a forged load is refused
    in words."""
    refusals = {
        "kunming-2022": "so there is nothing to load; set up the review committees one by one",
        "ganzhou-2026": "has no committee road: there is no scope to load",
    }
    for profile, refusal in refusals.items():
        world = make_world(session, policy_profile=profile)
        admin = login_as(world.admin, membership_id=world.admin_membership.id)
        page = admin.get("/committees").text
        assert 'id="load-committees"' not in page, profile
        assert "本局的政策配置没有列出各受理单位的评委会受理范围，请在下方逐个设立评委会" in page, profile
        assert "系统管理员可以在下方逐个设立评委会" in page and "载入政策配置" not in page, profile
        english = in_english(admin).get("/committees").text
        assert "Load the" not in english, profile
        refused = admin.post("/committees/load", follow_redirects=True)  # the browser now reads English
        assert refusal in refused.text, profile
        assert "was loaded before" not in refused.text, profile


def test_a_bad_scope_row_is_refused_in_chinese_and_the_form_keeps_what_was_typed(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    answer = admin.post(
        f"/committees/{made.committee.id}/scopes",
        data={"specialties": "机械工程", "place": "", "opens": "2026-10-01", "citation": "003 附件 序号2"},
    )
    assert answer.status_code == 422
    assert "请填写受理地" in answer.text and "请至少选择一个级别" in answer.text
    assert 'value="机械工程"' in answer.text and 'value="003 附件 序号2"' in answer.text


def test_office_staff_read_their_committee_but_only_the_admin_edits(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    other = make_committee(session, world, clock.now)
    handler = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    page = handler.get(f"/committees/{made.committee.id}")
    assert page.status_code == 200 and "添加受理范围" not in page.text
    assert handler.get(f"/committees/{other.committee.id}").status_code == 404
    assert handler.post(f"/committees/scopes/{made.committee.scopes[0].id}/delete").status_code == 403
    assert "评委会" in handler.get("/review/queue").text


def test_the_bureau_leader_chooses_the_committee_on_the_review_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    page = leader.get(f"/review/applications/{application.id}")
    assert 'id="committee-choice"' in page.text
    assert f'<option value="{made.committee.id}" selected>{made.committee.name}</option>' in page.text
    assert "须经职称评审委员会评审" in page.text  # 认定发证 is offered disabled, with the reason
    sent = leader.post(
        f"/review/applications/{application.id}/act",
        data={
            "action": "send_to_committee",
            "committee_id": str(made.committee.id),
            "version": application.version,
        },
    )
    assert sent.status_code == 303
    session.refresh(application)
    assert application.state is Status.COMMITTEE_REVIEW
    office = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    queue = office.get("/review/queue")
    assert application.applicant.name in queue.text
    assert made.office.actor(StaffRole.HANDLER).org_id == application.current_org_id


def test_the_bureau_types_the_provinces_certificate_number_on_the_review_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 22.6: a published pass waits for the province's number; a bad one is refused in Chinese and
    nothing changes, a good one certifies it."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [application], clock.now)
    assert application.state is Status.RESULT_PUBLISHED
    handler = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    page = handler.get(f"/review/applications/{application.id}")
    assert 'id="certificate-no"' in page.text and "省统一编号" in page.text

    def post(number: str) -> Any:
        return handler.post(
            f"/review/applications/{application.id}/act",
            data={"action": "record_certificate", "certificate_no": number, "version": application.version},
            follow_redirects=True,
        )

    bad = post("证书12")
    assert "证书编号为6至40位字母、数字或连字符" in bad.text
    session.refresh(application)
    assert application.state is Status.RESULT_PUBLISHED and application.certificate_no is None
    good = post("js2026-0000042")
    assert "已录入证书编号" in good.text
    session.refresh(application)
    assert (application.state, application.certificate_no) == (Status.CERTIFIED, "JS2026-0000042")


def test_after_the_office_handler_s_review_only_the_leader_is_offered_the_returns(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Once 钱思敏 had passed her first review, her row and page still offered 退回补正 and 退回报送单位 while
    # the case waited for the leader's signature (handler first, leader second): the service refuses
    # them now, and the page offers only what it allows.
    from portal.domain.workflow import Action
    from portal.services import applications

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    handler = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    page = handler.get(f"/review/applications/{application.id}").text
    assert 'id="return"' in page and 'value="return_to_sender"' in page  # in the first review: offered
    applications.act(
        session, made.office.actor(StaffRole.HANDLER), application.id, Action.HANDLER_APPROVE, clock.now
    )
    page = handler.get(f"/review/applications/{application.id}").text
    assert 'id="return"' not in page and "return_to_sender" not in page
    queue = handler.get("/review").text
    assert "return_to_sender" not in queue
    refused = handler.post(
        f"/review/applications/{application.id}/act",
        data={
            "action": "return_to_sender",
            "reason": "不属于本评委会受理范围",
            "version": application.version,
        },
    )
    assert refused.status_code in (303, 422)
    session.refresh(application)
    assert application.state is Status.COMMITTEE_REVIEW and application.awaiting == "leader"
    leader = login_as(made.office.leader, membership_id=made.office.leader_membership.id)
    page = leader.get(f"/review/applications/{application.id}").text
    assert 'id="return"' in page and 'value="return_to_sender"' in page


def test_the_committee_pages_link_an_office_s_staff_only_for_those_who_may_open_it(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The bureau's handler read "镇江市…评委会办事机构的人员" as a link on 评委会 and the committee's page,
    # and followed it to a 404; the list also kept the admin's empty form column at its right.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    staff_url = f'href="/admin/orgs/{made.office.org.id}"'
    handler = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    listed = handler.get("/committees").text
    assert staff_url not in listed and made.office.org.name in listed and 'class="two-col"' not in listed
    assert handler.get(f"/admin/orgs/{made.office.org.id}").status_code == 404
    shown = handler.get(f"/committees/{made.committee.id}").text
    assert staff_url not in shown and made.office.org.name in shown
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    listed = admin.get("/committees").text
    assert staff_url in listed and 'class="two-col"' in listed
    assert admin.get(f"/admin/orgs/{made.office.org.id}").status_code == 200
    own = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    assert staff_url in own.get(f"/committees/{made.committee.id}").text


def test_a_loaded_committee_says_where_its_name_comes_from_in_the_reader_s_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Loading stored a Chinese sentence as the committee's note ("名称按《申报计划安排表》的受理单位推定
    # （003 附件 序号1、3、4、23）"): English readers read a Chinese sentence. The page says it in their
    # language now, the clause as English cites clauses (its words too: "003 annex, row 1, 3, 4, 23").
    from tests.i18n.reading import assert_english, in_english

    world = make_committee_world(session, clock.now)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    admin.post("/committees/load")
    center = session.query(Committee).filter_by(code="zj-center").one()
    assert center.note == ""  # nothing but the profile's own note is stored
    english = in_english(login_as(world.admin, membership_id=world.admin_membership.id))
    page = english.get(f"/committees/{center.id}").text
    note = page.split('id="committee-note">', 1)[1].split("</dd>", 1)[0]
    clause = "003 附件 序号1、3、4、23"
    said = "The name is taken from the accepting body the notice lists"
    assert note == f"{said} (003 annex, row 1, 3, 4, 23)"
    assert_english(page)
    assert f"名称按通知所列受理单位推定（{clause}）" in admin.get(f"/committees/{center.id}").text
    # A committee loaded before keeps its stored note; the sentence is not said twice.
    center.note = "名称按《申报计划安排表》的受理单位推定（003 附件 序号1、3、4、23）；另见市职称办说明"
    session.flush()
    page = english.get(f"/committees/{center.id}").text
    note = page.split('id="committee-note">', 1)[1].split("</dd>", 1)[0]
    assert note.endswith('23); <span lang="zh-CN">另见市职称办说明</span>') and "名称按" not in page
    manual = make_committee(session, world, clock.now).committee
    assert 'id="committee-note"' not in english.get(f"/committees/{manual.id}").text
