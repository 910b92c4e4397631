"""Issue 22.4-22.6 on the screens: the office plans a meeting (the filing deadline and clause shown), puts
accepted applicants on the agenda, draws the panel (seeded, re-computable), files it; the bureau accepts;
the experts acknowledge and vote on their own page (only totals are shown); the pass rate is shown before
the office confirms; the bureau publishes. Refusals are answered on the page, nothing changed."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Expert, Meeting, MeetingStatus, Notification, StaffRole
from portal.services import votes
from portal.services.calendar import today
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import (
    committee_notice,
    committee_road,
    make_committee,
    make_committee_world,
    make_experts,
    make_review_application,
    pass_notice,
    staff_login,
    to_meeting,
)
from tests.i18n.reading import assert_english, in_english


def _meeting(session: Session) -> Meeting:
    return session.query(Meeting).order_by(Meeting.id.desc()).first()  # type: ignore[return-value]


def test_the_office_walks_a_meeting_from_planning_to_published_results_on_its_screens(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, application = committee_road(session, clock)
    assert application.state is Status.AWAITING_MEETING
    experts = make_experts(session, made, clock.now, 5)
    handler = staff_login(login_as, made.office)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)

    empty = handler.get("/committees/meetings")
    assert empty.status_code == 200 and "这里还没有评审会议" in empty.text
    too_soon = handler.post(
        "/committees/meetings", data={"held_on": "", "place": "", "form_token": new_token()}
    )
    assert too_soon.status_code == 422 and "请填写会议地点" in too_soon.text
    day = today(clock.now) + timedelta(days=30)
    planned = handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    assert planned.status_code == 303
    meeting = _meeting(session)
    page = handler.get(planned.headers["Location"])
    # The deadline computed from the profile, with its clause; the rule shown before the filing.
    assert meeting.filing_clause in page.text and 'id="filing-due"' in page.text
    assert "未经备案的评审行为不予认可" in page.text
    assert application.applicant.name in page.text  # a candidate for the agenda
    # The pass-rate hint cites Zhenjiang's own clause (it cited Kunming's 004 一(七) to every office).
    assert "通过率实行适当的比例控制（003 六(一)）" in page.text and "004 一(七)" not in page.text

    added = handler.post(
        f"/committees/meetings/{meeting.id}/agenda", data={"application_ids": [application.id]}
    )
    assert added.status_code == 303
    handler.post(
        f"/committees/meetings/{meeting.id}/plan",
        data={
            "held_on": day.isoformat(),
            "place": "市人社局会议室",
            "plan": "按专业分组评审",
            "pass_rate_limit": "80",
        },
    )
    even = handler.post(
        f"/committees/meetings/{meeting.id}/draw", data={"size": "4", "form_token": new_token()}
    )
    assert even.status_code == 422 and "奇数" in even.text
    # The vote rule is unconfirmed policy data (the notice cites 人社部令第40号 without its numbers): said
    # as the pages say it, not as a drafting note.
    assert "抽取人数应为不少于5的奇数（003 二 引言，该项政策数据未经确认）" in even.text
    assert "待核实" not in even.text
    drawn = handler.post(
        f"/committees/meetings/{meeting.id}/draw",
        data={"size": "5", "seed": "abc", "form_token": new_token()},
    )
    assert drawn.status_code == 303
    page = handler.get(f"/committees/meetings/{meeting.id}")
    assert 'id="draw-check"' in page.text and "得到相同的专家名单" in page.text
    assert "报备须由办事机构领导签发" in page.text

    filed = leader.post(f"/committees/meetings/{meeting.id}/file", follow_redirects=True)
    assert "已报人社局备案" in filed.text
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.FILED

    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    refused = bureau.post(
        f"/committees/meetings/{meeting.id}/filing", data={"decision": "refuse", "note": ""}
    )
    assert refused.status_code == 422 and "不予备案须写明原因" in refused.text
    bureau.post(f"/committees/meetings/{meeting.id}/filing", data={"decision": "accept", "note": ""})
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.ACCEPTED

    # Before the meeting day 开始表决 is shown disabled with its reason (it was offered, asked to confirm,
    # then refused); a post is still refused, on the page.
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    blocked = re.search(r'<div class="stack blocked" id="open-blocked">(.*?)</div>', page, re.S)
    assert blocked and "disabled" in blocked.group(1) and "当天才能开始表决" in blocked.group(1)
    assert f"/committees/meetings/{meeting.id}/open" not in page
    quorum = re.search(r'<p id="quorum">(.*?)</p>', page, re.S)
    assert quorum and "（003 二 引言，该项政策数据未经确认）" in quorum.group(1) and "待核实" not in page
    early = leader.post(
        f"/committees/meetings/{meeting.id}/open",
        data={"present": [m.id for m in votes.panel(session, meeting)]},
        follow_redirects=True,
    )
    assert "当天才能开始表决" in early.text
    members = votes.panel(session, meeting)
    seated = {m.expert.user_id for m in members}
    panel_experts = [e for e in experts if e.user_id in seated]
    for expert in panel_experts:
        expert.user.must_change_password = False  # their first password changed (tests/web/test_auth.py)
        own = login_as(expert.user)
        home = own.get("/")
        assert home.headers["Location"].endswith("/committees/panels")
        # Zhenjiang's experts are not asked to confirm Kunming's study duty (CHAN-06, 004 一(七)).
        mine = own.get("/committees/panels").text
        assert "本人已集中学习" not in mine and f"/committees/panels/{meeting.id}/acknowledge" not in mine
    clock.now = clock.now + timedelta(days=30)
    # A month on: the office logs in again (sessions expire).
    handler = staff_login(login_as, made.office)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/open" in page and 'id="open-blocked"' not in page
    opened = leader.post(f"/committees/meetings/{meeting.id}/open", data={"present": [m.id for m in members]})
    assert opened.status_code == 303
    entry = meeting.entries[0]
    for n, expert in enumerate(panel_experts):
        own = login_as(expert.user)
        if n == 0:
            missing = own.post(f"/committees/panels/{meeting.id}/ballot", data={})
            assert missing.status_code == 422
        choice = "no" if n == 0 else "yes"
        assert (
            own.post(
                f"/committees/panels/{meeting.id}/ballot", data={f"choice_{entry.id}": choice}
            ).status_code
            == 303
        )
        if n == 0:
            again = own.post(
                f"/committees/panels/{meeting.id}/ballot",
                data={f"choice_{entry.id}": "yes"},
                follow_redirects=True,
            )
            assert "每位专家只能投票一次" in again.text
    outsider = login_as(world.bureau.handler)
    assert (
        outsider.post(
            f"/committees/panels/{meeting.id}/ballot", data={f"choice_{entry.id}": "yes"}
        ).status_code
        == 404
    )
    voting = handler.get(f"/committees/meetings/{meeting.id}")
    assert "已投票 5 人" in voting.text
    leader.post(f"/committees/meetings/{meeting.id}/close")
    counted = handler.get(f"/committees/meetings/{meeting.id}")
    # Totals only, and the pass rate before confirmation.
    assert "赞成 4，反对 1，弃权 0" in counted.text
    assert 'id="pass-rate"' in counted.text and "通过率 100%" in counted.text and "高于设定" in counted.text

    early_confirm = leader.post(
        f"/committees/meetings/{meeting.id}/confirm", data={"note": ""}, follow_redirects=True
    )
    assert "评审结果公示尚未结束" in early_confirm.text
    session.expire_all()  # the requests moved the application by compare-and-set
    assert application.state is Status.VOTED
    # With only the results ready, the office's new notice is titled as its 评审结果公示 (not 评前公示).
    drafting = handler.get("/notices")
    assert '年度职称评审结果的公示"' in drafting.text and "年度职称评审人员的评前公示" not in drafting.text
    notice = committee_notice(session, made.office, [application.id], clock.now, title="评审结果公示")
    clock.now = pass_notice(session, notice)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    no_note = leader.post(
        f"/committees/meetings/{meeting.id}/confirm", data={"note": ""}, follow_redirects=True
    )
    assert "确认前须写明说明" in no_note.text
    leader.post(f"/committees/meetings/{meeting.id}/confirm", data={"note": "经评委会研究确认"})
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.CONFIRMED

    bureau_leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    shown = bureau_leader.get(f"/committees/meetings/{meeting.id}")
    assert "公布评审结果" in shown.text
    bureau_leader.post(
        f"/committees/meetings/{meeting.id}/publish", data={"document_no": "镇人社〔2026〕8号"}
    )
    session.refresh(application)
    assert application.state is Status.RESULT_PUBLISHED


def test_the_expert_pool_adds_an_expert_with_a_first_password_and_refuses_bad_fields(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    handler = staff_login(login_as, made.office)
    assert "专家库还是空的" in handler.get("/committees/experts").text
    bad = handler.post("/committees/experts", data={"name": "王五", "series": "工程"})
    assert bad.status_code == 422 and "请填写专业" in bad.text and 'value="王五"' in bad.text
    from tests.factories import phone, resident_id

    good = handler.post(
        "/committees/experts",
        data={
            "name": "王五",
            "id_number": resident_id(),
            "phone": phone(),
            "series": "工程",
            "specialty": "建设工程",
            "title": "高级工程师",
            "employer_name": "镇江市建筑设计院",
        },
    )
    assert good.status_code == 200 and 'id="first-password"' in good.text
    listed = handler.get("/committees/experts?specialty=建设").text
    assert "镇江市建筑设计院" in listed
    # The level follows the title in the Chinese way, with no space before the full-width bracket.
    assert "高级工程师<span" in listed or '高级工程师</span><span class="level">' in listed
    assert "高级工程师 <span" not in listed and "高级工程师 （" not in listed
    expert = session.scalars(select(Expert).where(Expert.title == "高级工程师")).one()
    shown = handler.get(f"/committees/experts/{expert.id}").text
    assert '<span id="title-level">（副高级）</span>' in shown and "高级工程师 <span" not in shown
    # The bureau does not see the pool; an applicant sees no meetings.
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    assert bureau.get("/committees/experts").status_code == 403


def _counted(session: Session, clock: Clock, choice: str) -> tuple[Any, Any, Any, Meeting, Any]:
    """A committee road whose meeting's five experts all voted `choice` and whose vote is counted, a
    month after its filing: (world, committee office, application, meeting, the day of the count)."""
    from portal.services.actors import actor_for
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    day = clock.now + timedelta(days=30)
    leader = made.office.actor(StaffRole.LEADER)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members], day)
    for member in members:
        ballot = {entry.id: choice for entry in meeting.entries}
        votes.cast_ballot(session, actor_for(member.expert.user, None), meeting.id, ballot, day)
    votes.close_voting(session, leader, meeting.id, day)
    return world, made, application, meeting, day


def test_a_failed_vote_reaches_the_applicants_timeline_with_its_totals(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 22.6: a failure, once confirmed, ends the application with the vote's totals as its reason,
    and the applicant reads them on their timeline."""
    from portal.services import results

    _world, made, application, meeting, day = _counted(session, clock, "no")
    leader = made.office.actor(StaffRole.LEADER)
    notice = committee_notice(session, made.office, [application.id], day, title="评审结果公示")
    clock.now = pass_notice(session, notice)
    results.confirm_results(session, leader, meeting.id, "", clock.now)
    session.refresh(application)
    assert application.state is Status.NOT_PASSED
    applicant = login_as(application.applicant)
    page = applicant.get(f"/me/applications/{application.id}")
    assert "赞成0票、反对5票" in page.text and "未通过" in page.text


def test_a_refused_start_of_the_vote_keeps_the_absent_experts_unticked(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The leader unticked two absent experts and was refused (an expert had not acknowledged the
    standards, Kunming's CHAN-06): the page came back with all seven ticked, so the next click counted the
    absent present."""
    from portal.services.actors import actor_for
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock, profile="kunming-2022")
    make_experts(session, made, clock.now, 7)
    meeting = filed_meeting(session, world, made, [application], clock.now, panel=7)
    members = votes.panel(session, meeting)
    for member in members[1:]:
        votes.acknowledge(session, actor_for(member.expert.user, None), meeting.id, clock.now)
    clock.now = clock.now + timedelta(days=30)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    ticked = [m.id for m in members[:5]]  # the last two are absent; the first has not acknowledged
    refused = leader.post(f"/committees/meetings/{meeting.id}/open", data={"present": ticked})
    assert refused.status_code == 422 and "尚未确认已学习评价标准条件（004 一(七)）" in refused.text
    english = in_english(leader).post(f"/committees/meetings/{meeting.id}/open", data={"present": ticked})
    assert "These experts have not yet confirmed that they studied the evaluation standards (004 1(7))" in (
        english.text
    )
    for member in members:
        box = f'name="present" value="{member.id}" checked'
        assert (box in refused.text) is (member.id in ticked), member.id
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.ACCEPTED  # the refusal changed nothing


def _voting_meeting(
    session: Session, clock: Clock, applicants: int, absent: int
) -> tuple[Any, list[Any], Any]:
    """A meeting of five experts voting on `applicants` applications, the last `absent` not present;
    with the world and the committee it was made in."""
    from portal.models import StaffRole
    from tests.factories import filed_meeting

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    applications = [make_review_application(session, world, clock.now) for _ in range(applicants)]
    for application in applications:
        clock.now = to_meeting(session, world, made, application, clock.now)
    meeting = filed_meeting(session, world, made, applications, clock.now, pool=5)
    members = votes.panel(session, meeting)
    clock.now = clock.now + timedelta(days=30)
    present = [m.id for m in members[: len(members) - absent]]
    votes.open_voting(session, made.office.actor(StaffRole.LEADER), meeting.id, present, clock.now)
    return meeting, members, (world, made)


def test_a_refused_ballot_keeps_the_expert_s_other_choices(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # One applicant left out: the ballot came back with every choice cleared (an agenda holds dozens).
    meeting, members, _ = _voting_meeting(session, clock, applicants=2, absent=0)
    first, second = meeting.entries
    expert = members[0].expert.user
    expert.must_change_password = False
    own = login_as(expert)
    refused = own.post(f"/committees/panels/{meeting.id}/ballot", data={f"choice_{first.id}": "no"})
    assert refused.status_code == 422
    assert f'name="choice_{first.id}" value="no" required checked>' in refused.text
    assert f'name="choice_{second.id}" value="yes" required>' in refused.text


def test_an_expert_not_ticked_present_is_told_why_there_is_no_ballot(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The absent expert's meeting read 表决中 with nothing under it: no ballot, no word why.

    meeting, members, _ = _voting_meeting(session, clock, applicants=1, absent=1)
    absent = members[-1].expert.user
    absent.must_change_password = False
    own = login_as(absent)
    page = own.get("/committees/panels").text
    assert f'id="absent-{meeting.id}"' in page and "您未登记为本次会议的出席专家，不能投票" in page
    assert f"/committees/panels/{meeting.id}/ballot" not in page
    in_english(own)
    assert "您未登记" not in own.get("/committees/panels").text
    present = members[0].expert.user
    present.must_change_password = False
    assert f'id="absent-{meeting.id}"' not in login_as(present).get("/committees/panels").text


def test_once_confirmed_the_results_show_the_office_s_note_not_how_to_confirm(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A rate above the setting needs a note to confirm; the bureau publishing never saw it, and the page
    # kept telling everyone how to confirm (确认时须写明说明, 确认前须发布…) after it was done.
    from portal.models import StaffRole
    from portal.services import results
    from portal.services.actors import actor_for

    meeting, members, (world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    meeting.pass_rate_limit = 60  # all five vote yes: 100%, above it
    for member in members:
        ballot = {e.id: "yes" for e in meeting.entries}
        votes.cast_ballot(session, actor_for(member.expert.user, None), meeting.id, ballot, clock.now)
    leader = made.office.actor(StaffRole.LEADER)
    votes.close_voting(session, leader, meeting.id, clock.now)
    passed = [e.application_id for e in meeting.entries]
    notice = committee_notice(session, made.office, passed, clock.now, title="评审结果公示")
    clock.now = pass_notice(session, notice)
    results.confirm_results(
        session, leader, meeting.id, "本专业申报人员整体水平较高，经评委会复议同意", clock.now
    )
    bureau = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    page = bureau.get(f"/committees/meetings/{meeting.id}").text
    assert 'id="confirm-note"' in page and "本专业申报人员整体水平较高，经评委会复议同意" in page
    assert "确认时须写明说明" not in page and "确认前须发布评审结果公示" not in page


def test_the_english_meeting_page_punctuates_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # "Draw seed 3f…：recomputed …" and "Filing deadline 13 Dec 2026（003 六(一)）": Chinese punctuation
    # written around English words.

    meeting, _, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = staff_login(login_as, made.office)
    in_english(office)
    page = office.get(f"/committees/meetings/{meeting.id}").text
    seed = re.search(r'<p id="draw-check">(.*?)</p>', page, re.S)
    assert seed and "</code>: recomputed" in seed.group(1) and "：" not in seed.group(1)
    assert "</strong> (003 6(1))" in page and "</strong>（" not in page


def _accepted_by_the_office(session: Session, clock: Clock) -> tuple[Any, Any]:
    """A committee and a 评审 application the bureau sent it and its office accepted (handler, then leader):
    ready for the office's 评前公示."""
    from portal.domain.workflow import Action
    from portal.services import applications

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    applications.act(session, leader, application.id, Action.SEND_TO_COMMITTEE, clock.now)
    for role, step in (
        (StaffRole.HANDLER, Action.HANDLER_APPROVE),
        (StaffRole.LEADER, Action.LEADER_APPROVE),
    ):
        applications.act(session, made.office.actor(role), application.id, step, clock.now)
    return made, application


def test_the_office_s_notice_is_posted_on_its_website_by_default(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The committee office's draft offered 单位办公楼一楼公示栏, the enterprise's notice board; its notices go
    # on the office's website (PUB-03, 003 五(三)).
    made, _application = _accepted_by_the_office(session, clock)
    office = staff_login(login_as, made.office)
    page = office.get("/notices").text
    assert 'name="location" type="text" value="评委会办事机构网站"' in page


def test_the_office_s_draft_notice_is_published_by_its_own_leader_as_the_pages_name_them(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The committee office's handler saved a 评前公示 draft and read "公示草稿已保存，请单位领导核对后发布"
    # (and "草稿须由单位领导…" on the draft): an office has no 单位领导; its 办事机构领导 publishes it.
    from portal.models import Notice

    made, application = _accepted_by_the_office(session, clock)
    office = staff_login(login_as, made.office)
    form = {
        "title": "评前公示",
        "location": "评委会办事机构网站",
        "contact": "办事机构 0511-84403810",
        "start_date": today(clock.now).isoformat(),
        "application_ids": [str(application.id)],
    }
    saved = office.post("/notices", data=form, follow_redirects=True).text
    assert "公示草稿已保存，请办事机构领导核对后发布" in saved and "单位领导" not in saved
    assert re.search(
        r'<p class="notice" id="publisher">草稿须由办事机构领导（非起草人）核对后发布。</p>', saved
    )
    notice = session.scalars(select(Notice).order_by(Notice.id.desc())).first()
    assert notice is not None and notice.org_id == made.office.org.id
    english = in_english(office).get(f"/notices/{notice.id}").text
    assert "The office&#39;s leader (not the drafter) checks and publishes the draft." in english


def test_the_english_expert_reads_what_they_confirm_having_studied_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The pledge above 确认已学习 ("I have studied them") stayed in Chinese on the English page (Kunming's
    # experts: only its profile asks the pledge, CHAN-06).
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock, profile="kunming-2022")
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    expert = votes.panel(session, meeting)[0].expert.user
    expert.must_change_password = False
    own = login_as(expert)
    in_english(own)
    page = own.get("/committees/panels").text
    assert f"/committees/panels/{meeting.id}/acknowledge" in page
    assert "本人已集中学习" not in page and "evaluation standards and conditions of this series" in page
    assert "(004 1(7))" in page


def test_only_a_profile_that_asks_it_shows_the_experts_study_of_the_standards(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Zhenjiang's experts were asked to confirm "…原则评审（004 一(七)）", a Kunming notice's duty
    # (CHAN-06), and the office's panel listed each as 未确认: its 003 asks nothing of the kind.
    from tests.factories import filed_meeting

    for profile, asked in (("zhenjiang-2024", False), ("kunming-2022", True)):
        world, made, application = committee_road(session, clock, profile=profile)
        meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
        expert = votes.panel(session, meeting)[0].expert.user
        expert.must_change_password = False
        session.flush()
        own = login_as(expert)
        page = own.get("/committees/panels").text
        assert (f'id="seat-pledge-{meeting.id}"' in page) is asked, profile
        assert ("本人已集中学习" in page) is asked and ("004 一(七)" in page) is asked, profile
        panel = staff_login(login_as, made.office).get(f"/committees/meetings/{meeting.id}").text
        assert ("学习评价标准条件" in panel) is asked and ("未确认" in panel) is asked, profile
        if not asked:  # a request anyway is refused, and nothing recorded
            refused = own.post(f"/committees/panels/{meeting.id}/acknowledge", follow_redirects=True)
            assert "未要求专家在会前确认学习评价标准条件" in refused.text
            assert votes.panel(session, meeting)[0].acknowledged_at is None


def test_the_english_meeting_page_names_one_meeting_and_one_committee_in_the_singular(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The page of one meeting was headed "Review meetings 18 Dec 2026", its committee labelled "Review
    # committees" and the panel's column "Experts".
    meeting, _, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = in_english(staff_login(login_as, made.office))
    page = office.get(f"/committees/meetings/{meeting.id}").text
    assert re.search(r"<h1>Review meeting \d+ \w+ \d{4} ", page)
    assert "<dt>Review committee</dt>" in page and "Review committees</dt>" not in page
    assert ">Expert</th>" in page
    listed = office.get("/committees/meetings").text
    assert ">Review committee</th>" in listed
    assert "<td>1 applicant</td>" in listed  # the agenda's size (it read "1 person" under 议程)


def test_the_english_expert_form_gives_its_examples_as_the_applications_write_them(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The hints read "e.g. Engineering": an expert entered so is never drawn for the applications' 工程.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    handler = in_english(staff_login(login_as, made.office))
    page = handler.get("/committees/experts").text
    assert "e.g. Engineering" not in page
    assert 'In Chinese, as the applications write it, e.g. <span lang="zh-CN">工程</span>' in page


def test_the_english_filing_checklist_counts_the_agenda_and_the_panel_as_the_chinese_does(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 上会评审 1 人 read "1 applicant to be reviewed" under "Eligibility review", as if the review were still
    # to come; the panel's "专家5人" had no singular.
    meeting, _, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = staff_login(login_as, made.office)
    assert "上会评审 1 人" in office.get(f"/committees/meetings/{meeting.id}").text
    page = in_english(office).get(f"/committees/meetings/{meeting.id}").text
    assert "to be reviewed" not in page
    assert "1 applicant on the agenda for the meeting&#39;s review" in page
    assert "5 experts drawn at random (seed seed-for-tests)" in page


def test_the_english_status_line_separates_its_facts_with_an_english_separator(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The committee office's review page read "Under review at the committee's office 　Employer: …": a
    # full-width space (U+3000) between the facts. The Chinese page keeps its 　.
    _world, made, application = committee_road(session, clock)
    office = staff_login(login_as, made.office)
    chinese = office.get(f"/review/applications/{application.id}").text
    assert "</span>\u3000单位：" in chinese
    page = in_english(office).get(f"/review/applications/{application.id}").text
    status_line = next(line for line in page.splitlines() if "Employer:" in line)
    assert "\u3000" not in status_line and "</span> · Employer:" in status_line


def test_the_english_committee_pages_number_clauses_as_the_other_english_messages_do(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The meeting page read "Basis 003 六(一)" while the messages beside it wrote "(004 1(7))".
    meeting, _, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = staff_login(login_as, made.office)
    assert "003 六(一)" in office.get(f"/committees/meetings/{meeting.id}").text
    in_english(office)
    page = office.get(f"/committees/meetings/{meeting.id}").text
    listed = office.get("/committees/meetings").text
    for text in (page, listed):
        assert "六(一)" not in text and "003 6(1)" in text
    too_soon = office.post(
        "/committees/meetings",
        data={
            "held_on": (today(clock.now) + timedelta(days=3)).isoformat(),
            "place": "会议室",
            "form_token": new_token(),
        },
    )
    assert too_soon.status_code == 422
    assert "六(一)" not in too_soon.text and "003 6(1)" in too_soon.text


def test_the_english_notice_page_of_the_office_numbers_its_clauses_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The 评前公示 page's rule read "(003 五(三))" and "(003 六(二))" in English.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    office = staff_login(login_as, made.office)
    assert "（003 五(三)）" in office.get("/notices").text
    page = in_english(office).get("/notices").text
    assert "五(三)" not in page and "(003 5(3))" in page and "(003 6(2))" in page


def test_the_office_s_notice_page_cites_the_clauses_of_its_bureau_s_profile(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A Dongchuan office read Zhenjiang's "（003 五(三)）" and "（003 六(二)）" on its 公示 page.
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    page = staff_login(login_as, made.office).get("/notices").text
    assert "不少于5个工作日（004 一(五)）" in page and "由职称办公布（004 一(一)）" in page
    assert "003" not in page
    english = in_english(staff_login(login_as, made.office)).get("/notices").text
    assert "(004 1(5))" in english and "(004 1(1))" in english


def test_the_panel_s_column_of_series_and_specialty_is_headed_so(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The column showing "工程 / 建设工程" was headed 专业 ("Specialty") alone.
    meeting, _, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = staff_login(login_as, made.office)
    panel = office.get(f"/committees/meetings/{meeting.id}").text.split('id="panel"')[1]
    assert ">系列 / 专业</th>" in panel and ">专业</th>" not in panel
    english = in_english(office).get(f"/committees/meetings/{meeting.id}").text.split('id="panel"')[1]
    assert ">Series / specialty</th>" in english


def test_the_english_return_count_reads_as_one_sentence_with_its_limit(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Kunming's limit (004 一(四)) read "Returned after the employer's recommendation:  0  times (at most  3
    # times, 004 1(4)）": loose spaces, no singular and a full-width bracket.
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    application = make_review_application(session, world, clock.now)
    unit = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    chinese = unit.get(f"/review/applications/{application.id}").text
    assert "单位推荐后已退回 0 次（上限 3 次，004 一(四)）" in chinese
    page = in_english(unit).get(f"/review/applications/{application.id}").text
    line = next(line for line in page.splitlines() if "Employer:" in line)
    assert "（" not in line and "）" not in line and "004 1(4)" in line and "  " not in line


def test_the_office_s_empty_lists_point_to_their_form_by_its_heading_not_to_the_right(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # On a phone the forms stand below the lists, which said to use the form "on the right" (在右侧).
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    office = staff_login(login_as, made.office)
    for path in ("/committees/experts", "/committees/meetings", "/notices"):
        assert "右侧" not in office.get(path).text, path
    in_english(office)
    for path, heading in (
        ("/committees/experts", "Add an expert"),
        ("/committees/meetings", "Plan a review meeting"),
        ("/notices", "Draft a notice"),
    ):
        page = office.get(path).text
        assert "on the right" not in page and f"under “{heading}”" in page, path


def test_an_expert_s_header_names_them_an_expert_not_an_applicant(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 许建国, an expert without an employer, read "许建国（申报人）" / "(applicant)" beside 我的评审会议.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    (expert,) = make_experts(session, made, clock.now, 1)
    expert.user.must_change_password = False
    session.flush()
    own = login_as(expert.user)
    page = own.get("/committees/panels").text
    assert f"{expert.user.name}（评审专家）" in page and "（申报人）" not in page
    assert "(review expert)" in in_english(own).get("/committees/panels").text


def _review_warning(page: str) -> str | None:
    found = re.search(r'<p class="warn" id="review-deadline-warning">(.*?)</p>', page, re.S)
    return found.group(1) if found else None


def test_a_zhenjiang_intermediate_meeting_after_november_is_planned_with_a_warning_on_its_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """WIN-04 (003 三(二), "原则上各专业中级评审时间在11月底前完成"): the date form says it, a meeting after
    11-30 is planned all the same and its page warns — the office's and the bureau's, in English too —
    while 中级 applications on it are undecided; a meeting by the day is not warned of."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    handler = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    listing = handler.get("/committees/meetings").text
    assert (
        'id="review-deadline-hint"' in listing
        and "原则上各专业中级评审在2026年11月30日前完成（003 三(二)）" in listing
    )

    def plan(day: str) -> Meeting:
        planned = handler.post(
            "/committees/meetings",
            data={"held_on": day, "place": "市人社局会议室", "form_token": new_token()},
        )
        assert planned.status_code == 303  # "原则上": planned, never refused
        return _meeting(session)

    in_time = plan("2026-11-30")
    assert _review_warning(handler.get(f"/committees/meetings/{in_time.id}").text) is None
    late = plan("2026-12-10")
    empty = _review_warning(handler.get(f"/committees/meetings/{late.id}").text)
    assert empty is not None and "本评委会受理中级申报" in empty and "（003 三(二)）" in empty
    handler.post(f"/committees/meetings/{late.id}/agenda", data={"application_ids": [application.id]})
    warned = _review_warning(handler.get(f"/committees/meetings/{late.id}").text)
    assert warned is not None and "会议日期2026年12月10日晚于2026年11月30日" in warned
    assert "议程中有1件中级申报尚未办结" in warned
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    assert _review_warning(bureau.get(f"/committees/meetings/{late.id}").text) == warned
    in_english(handler)
    english = _review_warning(handler.get(f"/committees/meetings/{late.id}").text)
    assert english is not None and "(003 3(2))" in english and "30 Nov 2026" in english
    assert english == (
        "The meeting on 10 Dec 2026 is after 30 Nov 2026. Reviews for Intermediate level titles in all"
        " specialties should normally be finished by then (003 3(2)), and 1 Intermediate level application"
        " on the agenda is still undecided. Please hold the meeting earlier if you can; if it has to be"
        " later, you can still file it as usual."
    )
    hint = handler.get("/committees/meetings").text.split('id="review-deadline-hint">')[1].split("</p>")[0]
    assert hint == (
        "Reviews for Intermediate level titles in all specialties should normally be finished by 30 Nov 2026"
        " (003 3(2)). You can still plan and file a later meeting, and its page will remind you."
    )


def test_a_late_meeting_s_warning_is_gone_once_its_results_are_published(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A meeting after 11-30 still read "能提前的请提前；确需在此后评审的，仍可照常报备" once its results were
    # confirmed and published (its passed applications not yet certified): the advice is for before filing.
    clock.now = clock.now.replace(month=11, day=10)
    _world, made, application = committee_road(session, clock, published=True)
    meeting = _meeting(session)
    assert meeting.state is MeetingStatus.PUBLISHED
    assert (meeting.held_on.month, meeting.held_on.day) > (11, 30)  # after Zhenjiang's 中级 deadline
    assert not application.state.is_final  # passed, its certificate number still to come
    handler = staff_login(login_as, made.office)
    assert _review_warning(handler.get(f"/committees/meetings/{meeting.id}").text) is None


def test_the_review_page_sends_the_bureau_leader_to_the_meeting_page_to_publish_the_results(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The review page of a confirmed result showed 发文公布评审结果 as a button posting to the application,
    # which the rulebook refuses (a meeting's results are published on its page): a link to it instead.
    from portal.services import results
    from portal.services.actors import actor_for

    meeting, members, (world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    for member in members:
        ballot = {e.id: "yes" for e in meeting.entries}
        votes.cast_ballot(session, actor_for(member.expert.user, None), meeting.id, ballot, clock.now)
    leader = made.office.actor(StaffRole.LEADER)
    votes.close_voting(session, leader, meeting.id, clock.now)
    application = meeting.entries[0].application
    notice = committee_notice(session, made.office, [application.id], clock.now, title="评审结果公示")
    clock.now = pass_notice(session, notice)
    results.confirm_results(session, leader, meeting.id, "经评委会研究确认", clock.now)
    assert application.state is Status.RESULT_CONFIRMED
    bureau = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    page = bureau.get(f"/review/applications/{application.id}").text
    assert f'href="/committees/meetings/{meeting.id}"' in page and "发文公布评审结果" in page
    assert 'name="action" value="publish_result"' not in page


def test_a_meeting_offers_the_draw_and_the_filing_only_once_they_can_be_done(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A new meeting offered 随机抽取专家 with an empty agenda and, to its leader, 报人社局备案 with nothing
    # ready: each button (the filing after a confirmation) led only to a refusal. The page now says why.
    _world, made, application = committee_road(session, clock)
    make_experts(session, made, clock.now, 5)
    handler = staff_login(login_as, made.office)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    day = today(clock.now) + timedelta(days=30)
    handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    meeting = _meeting(session)
    page = handler.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/draw" not in page
    assert 'id="draw-blocked"' in page and "请先将申报列入议程，再按其系列（专业）抽取专家" in page
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/file" not in page
    blocked = re.search(r'<div class="stack blocked" id="file-blocked">(.*?)</div>', page, re.S)
    assert blocked and "disabled" in blocked.group(1) and "报备材料不全" in blocked.group(1)
    assert (
        "Put applications on the agenda first"
        in in_english(handler).get(f"/committees/meetings/{meeting.id}").text
    )

    handler.post(f"/committees/meetings/{meeting.id}/agenda", data={"application_ids": [application.id]})
    handler.post(
        f"/committees/meetings/{meeting.id}/plan",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "plan": "", "pass_rate_limit": "80"},
    )
    page = handler.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/draw" in page and 'id="draw-blocked"' not in page
    handler.post(f"/committees/meetings/{meeting.id}/draw", data={"size": "5", "form_token": new_token()})
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/file" in page and 'id="file-blocked"' not in page


def test_the_history_names_the_vote_and_the_document_number_as_such_not_as_reasons(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 林卫东's history read "理由：出席专家5人，赞成…" under the count and "理由：镇职称〔2026〕31号"
    # under the publication ("Reason: …" in English): neither step has a reason.
    _world, _made, application = committee_road(session, clock, published=True)
    applicant = login_as(application.applicant)
    page = applicant.get(f"/me/applications/{application.id}").text
    reasons = re.findall(r'<p class="reason">(.*?)</p>', page, re.S)
    assert any(r.startswith("表决情况：") and "赞成" in r for r in reasons), reasons
    assert "文号：文号〔2026〕1号" in reasons, reasons
    assert not any(r.startswith("理由：") for r in reasons), reasons
    english = re.findall(
        r'<p class="reason">(.*?)</p>',
        in_english(applicant).get(f"/me/applications/{application.id}").text,
        re.S,
    )
    assert any(r.startswith("Document number: ") for r in english), english
    assert any(r.startswith("Vote: ") for r in english), english


def test_the_counts_beside_the_meeting_s_headings_are_drawn_as_counts(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # "议程 1", "评审专家 5" ("Agenda 1", "Panel 5"): .badge-count was styled only inside the top bar, so a
    # heading's count read as part of its name.
    from pathlib import Path

    _world, made, _application = committee_road(session, clock)
    handler = staff_login(login_as, made.office)
    day = today(clock.now) + timedelta(days=30)
    handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    page = handler.get(f"/committees/meetings/{_meeting(session).id}").text
    assert '<span class="badge-count" id="agenda-count">' in page
    css = (Path(__file__).resolve().parents[2] / "portal" / "static" / "site.css").read_text(encoding="utf-8")
    rules = re.findall(r"(?m)^([^{}\n]*)\{([^}]*)\}", css)
    own = [body for selector, body in rules if re.search(r"(^|,)\s*\.badge-count\s*(,|$)", selector)]
    assert own and "border-radius" in own[0] and "background" in own[0]


def test_the_results_are_offered_for_confirmation_only_once_their_notice_has_ended(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # After the count the leader was offered 确认评审结果 with the note field: typing the note and
    # confirming the dialog ended in "马晓东的评审结果公示尚未结束（或尚未发布）" and the note was lost.
    _world, made, application, meeting, day = _counted(session, clock, "yes")
    clock.now = day
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/confirm" not in page
    blocked = re.search(r'<div class="stack blocked" id="confirm-blocked">(.*?)</div>', page, re.S)
    assert blocked and "disabled" in blocked.group(1) and "评审结果公示尚未结束" in blocked.group(1)

    notice = committee_notice(session, made.office, [application.id], day, title="评审结果公示")
    clock.now = pass_notice(session, notice)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert f"/committees/meetings/{meeting.id}/confirm" in page and 'id="confirm-blocked"' not in page


def _seated_expert(
    session: Session,
    clock: Clock,
    login_as: Any,
    *,
    acknowledged: bool = False,
    profile: str = "zhenjiang-2024",
) -> tuple[Meeting, Any]:
    """A filed meeting and a client logged in as one of its drawn experts (who studied the standards when
    `acknowledged`: a profile that asks it, Kunming's)."""
    from portal.services.actors import actor_for
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock, profile=profile)
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    member = votes.panel(session, meeting)[0]
    if acknowledged:
        votes.acknowledge(session, actor_for(member.expert.user, None), meeting.id, clock.now)
    member.expert.user.must_change_password = False
    session.flush()
    return meeting, login_as(member.expert.user)


def test_an_expert_reads_where_their_meeting_is_held_on_their_own_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 我的评审会议 named the day and the committee only: the place was in one inbox message.
    meeting, own = _seated_expert(session, clock, login_as)
    place = re.search(rf'<p id="seat-place-{meeting.id}">(.*?)</p>', own.get("/committees/panels").text)
    assert place and place.group(1) == f"会议地点：{meeting.place}"
    english = in_english(own).get("/committees/panels").text
    assert f'Meeting place: <span lang="zh-CN">{meeting.place}</span>' in english


def test_the_applicant_is_told_when_the_bureau_publishes_their_passed_result(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 林卫东's messages went from "sent to the committee" to, weeks later, the certificate number: the
    # publication of his passed review (with its document number) told him nothing.
    _world, _made, application = committee_road(session, clock, published=True)
    applicant = login_as(application.applicant)
    inbox = applicant.get("/inbox").text
    told = "人社局已发文公布评审结果（文号〔2026〕1号）：您的申报评审通过，待录入省电子职称证书编号。"
    assert told in inbox
    english = in_english(applicant).get("/inbox").text
    assert "published the review results" in english and "文号〔2026〕1号" in english


def test_an_expert_reads_when_they_confirmed_the_standards_as_a_sentence(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # "Confirmed having studied the evaluation standards 4 Nov 2026, 12:00": a label and a time side by side.
    meeting, own = _seated_expert(session, clock, login_as, acknowledged=True, profile="kunming-2022")
    line = rf'<p id="seat-acknowledged-{meeting.id}">(.*?)</p>'
    chinese = re.search(line, own.get("/committees/panels").text)
    assert chinese and re.fullmatch(r"已于\d{4}年\d+月\d+日 \d\d:\d\d确认学习评价标准条件", chinese.group(1))
    english = re.search(line, in_english(own).get("/committees/panels").text)
    assert english and re.fullmatch(
        r"You confirmed on \d+ \w{3} \d{4}, \d\d:\d\d that you have studied the evaluation standards",
        english.group(1),
    )


def test_a_meeting_planned_by_mistake_is_cancelled_with_a_reason_and_its_agenda_waits_again(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    page = handler.get(f"/committees/meetings/{meeting.id}")
    form = re.search(r'<form[^>]*id="cancel-form"[^>]*>', page.text)
    assert form is not None and f'action="/committees/meetings/{meeting.id}/cancel"' in form.group(0)
    assert "data-confirm=" in form.group(0) and "取消后不能恢复" in form.group(0)
    assert 'name="cancel_reason"' in page.text and "取消会议" in page.text

    blank = handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": " "})
    assert blank.status_code == 422 and "请填写取消原因" in blank.text
    long = handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "重" * 501})
    assert long.status_code == 422 and "重" * 501 in long.text  # the typed reason is kept
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.PLANNED and len(meeting.entries) == 1

    done = handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "与另一会议重复"})
    assert done.status_code == 303
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.CANCELLED
    shown = handler.get(done.headers["Location"])
    assert _flash(shown.text) == ["已取消评审会议：议程中的1份申报已退回待列入评审会议，抽取的5名专家已释放"]
    assert "已取消" in shown.text and "与另一会议重复" in shown.text and 'id="cancelled-by"' in shown.text
    assert made.office.handler.name in shown.text
    assert 'id="cancel-form"' not in shown.text and 'id="plan"' not in shown.text
    assert 'id="filing-items"' not in shown.text

    # The list: in 全部 with its badge, not in 筹备中; the counts say so.
    listed = handler.get("/committees/meetings?tab=preparing")
    assert 'id="count-preparing">0<' in listed.text and 'id="count-all">1<' in listed.text
    assert "市人社局会议室" not in listed.text
    everything = handler.get("/committees/meetings?tab=all")
    assert "市人社局会议室" in everything.text and "已取消" in everything.text
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    assert "已取消" in bureau.get("/committees/meetings?tab=all").text
    assert 'id="cancel-form"' not in bureau.get(f"/committees/meetings/{meeting.id}").text

    # The application waits for a meeting again: a new meeting offers it for its agenda.
    handler.post(
        "/committees/meetings",
        data={"held_on": meeting.held_on.isoformat(), "place": "另一会议室", "form_token": new_token()},
    )
    assert application.applicant.name in handler.get(f"/committees/meetings/{_meeting(session).id}").text

    again = handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "再次"})
    assert again.status_code == 303
    assert "会议已取消" in handler.get(again.headers["Location"]).text


def test_the_english_cancel_form_and_cancelled_meeting_read_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, made, _application = committee_road(session, clock)
    handler = in_english(staff_login(login_as, made.office))
    meeting = _planned_on_screen(session, clock, handler, "会议室")
    assert _cancels_in_english(handler, meeting) == ["Review meeting cancelled"]


def _flash(page: str) -> list[str]:
    """The page's flashed messages, as text."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="status">(.*?)</p>', page)]


def _cancels_in_english(client: Any, meeting: Meeting) -> list[str]:
    """The meeting's page offers its cancel in English, and reads in English once cancelled; the flash
    that says so."""
    page = client.get(f"/committees/meetings/{meeting.id}").text
    assert_english(page)
    assert "Cancel the meeting" in page
    client.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "重复"})
    shown = client.get(f"/committees/meetings/{meeting.id}").text
    assert_english(shown)
    assert "Cancelled" in shown
    return _flash(shown)


def _planned_on_screen(session: Session, clock: Clock, handler: Any, place: str) -> Meeting:
    """A meeting planned 30 days on by the office on its list (its flash read: the next page's are the
    next step's)."""
    day = today(clock.now) + timedelta(days=30)
    handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": place, "form_token": new_token()},
        follow_redirects=True,
    )
    return _meeting(session)


def test_a_meeting_cancelled_with_no_agenda_and_no_experts_says_only_that_it_is_cancelled(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The flash said the agenda was returned and the experts released for a meeting that had neither."""
    _world, made, application = committee_road(session, clock)
    handler = staff_login(login_as, made.office)
    meeting = _planned_on_screen(session, clock, handler, "会议室")
    done = handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "日期填错"})
    assert done.status_code == 303
    assert _flash(handler.get(done.headers["Location"]).text) == ["已取消评审会议"]
    # Its page, read again later, says the same: nothing went back, nobody was released.
    page = handler.get(f"/committees/meetings/{meeting.id}").text
    assert _cancelled_note(page) == "本次会议已取消：取消时议程中没有申报，也尚未抽取评审专家。"
    # With an agenda and no panel: the agenda returned, and no word of experts.
    second = _planned_on_screen(session, clock, handler, "另一会议室")
    url = f"/committees/meetings/{second.id}"
    handler.post(f"{url}/agenda", data={"application_ids": [application.id]}, follow_redirects=True)
    done = handler.post(f"{url}/cancel", data={"cancel_reason": "重复安排"})
    assert _flash(handler.get(done.headers["Location"]).text) == [
        "已取消评审会议：议程中的1份申报已退回待列入评审会议"
    ]
    assert _cancelled_note(handler.get(url).text) == (
        "本次会议已取消：取消时议程中的申报已退回待列入评审会议，可以列入其他会议；取消时尚未抽取评审专家。"
        "下面是取消时的议程（只读）。"
    )
    # In English too (the client reads English from here on).
    assert _cancelled_note(in_english(handler).get(f"/committees/meetings/{meeting.id}").text) == (
        "This meeting was cancelled: its agenda was empty and no experts had been drawn."
    )


def _cancelled_note(page: str) -> str:
    """The cancelled meeting's sentence of what its cancel did."""
    found = re.search(r'<p class="muted" id="cancelled-note">(.*?)</p>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def _prepared_on_screen(session: Session, clock: Clock, login_as: Any):  # type: ignore[no-untyped-def]
    """A meeting planned, its agenda, plan and panel of five set on the office's screens."""
    world, made, application = committee_road(session, clock)
    make_experts(session, made, clock.now, 5)
    handler = staff_login(login_as, made.office)
    day = today(clock.now) + timedelta(days=30)
    handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    meeting = _meeting(session)
    handler.post(f"/committees/meetings/{meeting.id}/agenda", data={"application_ids": [application.id]})
    handler.post(
        f"/committees/meetings/{meeting.id}/plan",
        data={
            "held_on": day.isoformat(),
            "place": "市人社局会议室",
            "plan": "按专业分组评审",
            "pass_rate_limit": "80",
        },
    )
    handler.post(f"/committees/meetings/{meeting.id}/draw", data={"size": "5", "form_token": new_token()})
    return world, made, application, meeting, handler


def _value(page: str, name: str) -> str:
    """What the page's input or textarea `name` holds."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', page
    )
    assert found is not None, name
    return html.unescape(found.group(1))


def test_each_refused_form_of_the_meeting_page_leaves_the_others_showing_what_is_saved(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A refused 取消会议 (no reason) came back with the 会议筹备 form empty: its 保存 then wiped the saved
    # plan and pass rate. A refused form keeps what was typed in it; the others show what is saved.
    _world, _made, _application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    url = f"/committees/meetings/{meeting.id}"
    saved = {
        "held_on": meeting.held_on.isoformat(),
        "place": "市人社局会议室",
        "plan": "按专业分组评审",
        "pass_rate_limit": "80",
        "size": "5",
    }

    cancel = handler.post(f"{url}/cancel", data={"cancel_reason": ""})
    assert cancel.status_code == 422 and "请填写取消原因" in cancel.text
    assert {name: _value(cancel.text, name) for name in saved} == saved

    draw = handler.post(f"{url}/draw", data={"size": "4", "seed": "abc", "form_token": new_token()})
    assert draw.status_code == 422 and "奇数" in draw.text
    assert _value(draw.text, "size") == "4" and _value(draw.text, "seed") == "abc"  # as typed
    assert _value(draw.text, "plan") == "按专业分组评审" and _value(draw.text, "cancel_reason") == ""

    typed = saved | {"plan": "改为集中评审", "pass_rate_limit": "abc"}
    plan = handler.post(f"{url}/plan", data={k: v for k, v in typed.items() if k != "size"})
    assert plan.status_code == 422
    assert _value(plan.text, "plan") == "改为集中评审" and _value(plan.text, "pass_rate_limit") == "abc"
    assert _value(plan.text, "size") == "5"  # the draw form was not sent: as saved

    session.refresh(meeting)
    assert meeting.plan == "按专业分组评审" and meeting.pass_rate_limit == 80


def test_a_cancelled_meeting_lists_its_former_agenda_and_experts_read_only(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    drawn = [m.expert for m in votes.panel(session, meeting)]
    handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "与另一会议重复"})
    for browser in (
        handler,
        login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id),
    ):
        page = browser.get(f"/committees/meetings/{meeting.id}").text
        assert "取消时的议程" in page and f'id="former-entry-{application.id}"' in page
        row = re.search(rf'<tr id="former-entry-{application.id}">.*?</tr>', page, re.S)
        assert row is not None and application.applicant.name in row.group(0)
        assert "待评审会议" in row.group(0)  # as it is now: waiting for a meeting again
        assert "取消时已抽取的评审专家" in page
        assert all(f'id="former-member-{e.id}"' in page and e.user.name in page for e in drawn)
        assert 'id="cancelled-by"' in page and made.office.handler.name in page and "与另一会议重复" in page
        # Read-only: no agenda form, no removal, no draw.
        assert 'id="agenda-form"' not in page and "/remove" not in page and "/draw" not in page
        assert "还没有抽取评审专家" not in page and "议程中还没有申报" not in page
        assert _cancelled_note(page) == (
            "本次会议已取消：取消时议程中的申报已退回待列入评审会议，可以列入其他会议；抽取的专家已释放。"
            "下面是取消时的议程和专家名单（只读）。"
        )
        assert 'class="badge badge-ended" id="meeting-status"' in page  # 已取消 in its colour (STATE_TONES)
    fragment = handler.get(f"/committees/meetings/{meeting.id}?block=agenda", headers={"HX-Request": "true"})
    assert f'id="former-entry-{application.id}"' in fragment.text


def test_a_meeting_cancelled_empty_says_its_agenda_and_panel_were_empty(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, made, _application = committee_road(session, clock)
    handler = staff_login(login_as, made.office)
    day = today(clock.now) + timedelta(days=30)
    handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "会议室", "form_token": new_token()},
    )
    meeting = _meeting(session)
    handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "日期填错"})
    page = handler.get(f"/committees/meetings/{meeting.id}").text
    assert "取消时议程中没有申报" in page and "取消时尚未抽取评审专家" in page


def test_the_office_leader_withdraws_a_filing_and_the_bureau_no_longer_has_it_pending(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    assert 'id="withdraw-form"' not in leader.get(f"/committees/meetings/{meeting.id}").text  # not filed yet
    leader.post(f"/committees/meetings/{meeting.id}/file")
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.FILED
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    pending = bureau.get("/committees/meetings?tab=filed").text
    assert (
        'id="count-filed">1<' in pending
        and '<span class="badge badge-waiting">已报备，待确认</span>' in pending
    )

    page = leader.get(f"/committees/meetings/{meeting.id}").text
    form = re.search(r'<form[^>]*id="withdraw-form"[^>]*>', page)
    assert form is not None and f'action="/committees/meetings/{meeting.id}/withdraw"' in form.group(0)
    assert "data-confirm=" in form.group(0) and 'name="withdraw_reason"' in page
    handler_page = handler.get(f"/committees/meetings/{meeting.id}").text  # the handler is told who may
    assert 'id="withdraw-form"' not in handler_page and 'id="withdraw-leader"' in handler_page
    assert 'id="withdraw-form"' not in bureau.get(f"/committees/meetings/{meeting.id}").text

    blank = leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": " "})
    assert blank.status_code == 422 and "请填写撤回原因" in blank.text
    long = leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "错" * 501})
    assert long.status_code == 422 and "错" * 501 in long.text  # the typed reason is kept
    refused = handler.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "日期错"})
    assert refused.status_code == 303
    assert "撤回备案须由办事机构领导办理" in handler.get(refused.headers["Location"]).text
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.FILED

    done = leader.post(
        f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "会议日期填错"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("#filing")
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.PLANNED
    shown = leader.get(done.headers["Location"]).text
    assert "已撤回备案" in shown and "会议日期填错" in shown and 'id="withdrawals"' in shown
    assert 'id="plan"' in shown and 'id="cancel-form"' in shown  # editable and cancellable again
    assert 'id="withdraw-form"' not in shown

    # The bureau: nothing pending, its decision form gone, the withdrawal on the page; a stale decision
    # is refused with the reason.
    assert 'id="count-filed">0<' in bureau.get("/committees/meetings?tab=filed").text
    bureau_page = bureau.get(f"/committees/meetings/{meeting.id}").text
    assert 'id="decide-filing"' not in bureau_page and "会议日期填错" in bureau_page
    late = bureau.post(f"/committees/meetings/{meeting.id}/filing", data={"decision": "accept", "note": ""})
    assert late.status_code == 303 and "没有待确认的报备" in bureau.get(late.headers["Location"]).text
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.PLANNED

    # Filed again, then decided: no withdrawal any more.
    leader.post(f"/committees/meetings/{meeting.id}/file")
    bureau.post(f"/committees/meetings/{meeting.id}/filing", data={"decision": "accept", "note": ""})
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.ACCEPTED
    assert 'id="withdraw-form"' not in leader.get(f"/committees/meetings/{meeting.id}").text
    after = leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "晚了"})
    assert "人社局已作出备案决定" in leader.get(after.headers["Location"]).text
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.ACCEPTED and application.id in [
        e.application_id for e in meeting.entries
    ]


def test_a_meeting_withdrawn_then_cancelled_still_shows_its_withdrawals(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, made, _application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    leader.post(f"/committees/meetings/{meeting.id}/file")
    leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "会议日期填错"})
    handler.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "改期另行安排"})
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.CANCELLED
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert 'id="filing"' not in page and 'id="withdrawn-filings"' in page  # the card went, the record stays
    assert "会议日期填错" in page and "改期另行安排" in page


def test_the_english_withdrawal_and_cancelled_agenda_read_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, made, _application, meeting, _handler = _prepared_on_screen(session, clock, login_as)
    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))
    leader.post(f"/committees/meetings/{meeting.id}/file")
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert_english(page)
    assert 'id="withdraw-form"' in page
    leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "日期错"})
    assert_english(leader.get(f"/committees/meetings/{meeting.id}").text)
    leader.post(f"/committees/meetings/{meeting.id}/cancel", data={"cancel_reason": "重复"})
    shown = leader.get(f"/committees/meetings/{meeting.id}").text
    assert_english(shown)


def test_the_pass_rate_refusal_and_the_filing_deadline_number_their_clause_in_english(
    session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The refusal passed the pass rate's clause as plain text: "…above the 80% set for this meeting
    # (003 六(一)): explain why…" in English. The meeting's filing deadline cites it through |clause.
    from portal.services import results
    from tests.factories import to_tallied
    from tests.i18n.reading import HAN, sentence

    world, made, application = committee_road(session, clock)
    meeting, clock.now = to_tallied(session, world, made, [application], clock.now)
    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))
    page = leader.get(f"/committees/meetings/{meeting.id}").text
    assert re.search(r'id="filing-due">[^<]+<small class="muted">Basis 003 6\(1\)</small>', page), page
    refused = leader.post(
        f"/committees/meetings/{meeting.id}/confirm", data={"note": ""}, follow_redirects=True
    )
    said = sentence(refused.text, "The pass rate of 100%")
    assert said.endswith("set for this meeting (003 6(1))") and not HAN.search(said), said
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.TALLIED
    assert results.why_not_confirm(session, meeting) is None  # the note alone was missing
    # A profile naming no clause for it: the sentence without one, never "()".
    monkeypatch.setattr(votes, "pass_rate_clause", lambda *_: "")
    bare = leader.post(f"/committees/meetings/{meeting.id}/confirm", data={"note": ""}, follow_redirects=True)
    assert "set for this meeting: explain why before confirming" in html.unescape(bare.text)


def test_the_bureau_reads_a_filing_and_its_withdrawal_in_its_inbox_and_opens_the_meeting(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, _application, meeting, _handler = _prepared_on_screen(session, clock, login_as)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    leader.post(f"/committees/meetings/{meeting.id}/file")
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    inbox = bureau.get("/inbox").text
    assert f"新的待办（备案）：{made.committee.name}报备" in inbox and "请确认是否予以备案" in inbox
    [notice] = [
        n
        for n in session.scalars(select(Notification).where(Notification.user_id == world.bureau.handler.id))
        if n.kind == "new_work" and n.link.startswith("/committees/")
    ]
    opened = bureau.post(f"/inbox/{notice.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(
        f"/committees/meetings/{meeting.id}"
    )
    assert 'id="decide-filing"' in bureau.get(opened.headers["Location"]).text

    leader.post(f"/committees/meetings/{meeting.id}/withdraw", data={"withdraw_reason": "会议日期填错"})
    inbox = bureau.get("/inbox").text
    assert "待办已撤回" in inbox and "撤回原因：会议日期填错" in inbox
    english = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    page = english.get("/inbox").text
    assert "New work (filing)" in page and "Work withdrawn" in page
    assert_english(page)
    # The office's own staff are not told of their own filing.
    office_inbox = leader.get("/inbox").text
    assert "新的待办（备案）" not in office_inbox and "待办已撤回" not in office_inbox


def test_the_office_reads_the_bureau_s_filing_decision_in_its_inbox_with_the_reason_in_both_languages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, _application, meeting, handler = _prepared_on_screen(session, clock, login_as)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    leader.post(f"/committees/meetings/{meeting.id}/file")
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    refusal = {"decision": "refuse", "note": "专家名单不全"}
    bureau.post(f"/committees/meetings/{meeting.id}/filing", data=refusal)
    for office in (handler, leader):
        inbox = office.get("/inbox").text
        assert f"备案未通过：人社局对{made.committee.name}" in inbox and "原因：专家名单不全" in inbox
    [notice] = [
        n
        for n in session.scalars(select(Notification).where(Notification.user_id == made.office.handler.id))
        if n.kind == "filing_decided"
    ]
    opened = handler.post(f"/inbox/{notice.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(
        f"/committees/meetings/{meeting.id}"
    )
    assert "备案未通过" not in bureau.get("/inbox").text  # the bureau decided it: it is not told

    leader.post(f"/committees/meetings/{meeting.id}/file", follow_redirects=True)  # its flash read here
    bureau.post(f"/committees/meetings/{meeting.id}/filing", data={"decision": "accept", "note": ""})
    assert f"备案已通过：人社局确认了{made.committee.name}" in handler.get("/inbox").text
    english = in_english(leader).get("/inbox").text
    assert "Filing refused: the HR bureau refused the filing of" in english
    assert "Filing accepted: the HR bureau accepted the filing of" in english
    assert_english(english)


def test_an_expert_opens_their_meeting_reviews_the_agenda_votes_there_and_reads_the_totals(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 我的评审会议 showed each meeting's date, committee, status and place: no agenda to review, no link,
    # and after the count no totals. The meeting's own page: the agenda (names, units, series and levels,
    # no ID numbers or phones), the ballot there while the vote is open, then each application's totals.
    meeting, members, (_world, made) = _voting_meeting(session, clock, applicants=2, absent=0)
    first, second = meeting.entries
    page_url = f"/committees/panels/{meeting.id}"
    users = [m.expert.user for m in members]
    for user in users:
        user.must_change_password = False
    session.flush()
    own = login_as(users[0])
    assert f'href="{page_url}"' in own.get("/committees/panels").text
    page = own.get(page_url)
    assert page.status_code == 200
    for entry in (first, second):
        applicant = entry.application.applicant
        assert f'id="entry-{entry.application_id}"' in page.text and applicant.name in page.text
        assert applicant.id_number not in page.text and applicant.phone not in page.text
    assert "建设工程" in page.text and "中级" in page.text
    assert f'name="choice_{first.id}"' in page.text and 'name="from" value="meeting"' in page.text
    assert 'id="totals-' not in page.text
    # A ballot short of one applicant comes back on this page with the choice made kept.
    short = own.post(f"{page_url}/ballot", data={"from": "meeting", f"choice_{first.id}": "no"})
    assert short.status_code == 422 and 'id="agenda"' in short.text
    assert f'name="choice_{first.id}" value="no" required checked>' in short.text
    for n, user in enumerate(users):
        choice = "no" if n == 0 else "yes"
        ballot = {"from": "meeting", f"choice_{first.id}": choice, f"choice_{second.id}": "yes"}
        cast = login_as(user).post(f"{page_url}/ballot", data=ballot)
        assert cast.status_code == 303 and cast.headers["Location"].endswith(f"{page_url}#vote")
    assert f'id="voted-{meeting.id}"' in own.get(page_url).text
    staff_login(login_as, made.office, StaffRole.LEADER).post(f"/committees/meetings/{meeting.id}/close")
    counted = own.get(page_url).text
    totals = re.search(rf'<small id="totals-{first.application_id}">(.*?)</small>', counted)
    assert totals and totals.group(1) == "赞成 4，反对 1，弃权 0", counted
    assert 'id="vote-counted"' in counted and "choice_" not in counted
    english = in_english(own).get(page_url)
    assert_english(english.text)
    assert "4 for, 1 against, 0 abstaining" in english.text


def test_the_panel_and_vote_notices_take_the_expert_to_the_meeting_s_own_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The inbox's "log in to cast your (secret) ballot" led to the list of meetings, not the meeting.
    meeting, members, _ = _voting_meeting(session, clock, applicants=1, absent=0)
    user = members[0].expert.user
    kinds = {
        n.kind: n.link for n in session.scalars(select(Notification).where(Notification.user_id == user.id))
    }
    assert kinds["panel"] == kinds["voting"] == f"/committees/panels/{meeting.id}", kinds
    user.must_change_password = False
    own = login_as(user)
    for notification in session.scalars(select(Notification).where(Notification.user_id == user.id)):
        opened = own.post(f"/inbox/{notification.id}/open")
        assert opened.headers["Location"].endswith(f"/committees/panels/{meeting.id}")
    assert own.get(f"/committees/panels/{meeting.id}").status_code == 200


def test_a_cancelled_accepted_meeting_whose_experts_all_left_the_pool_says_only_the_bureau_was_told(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Its page said the bureau *and the experts* had been told of the cancellation, although every drawn
    expert had left the pool and nobody but the bureau was told (as the cancel's flash already said)."""
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    office_handler = made.office.actor(StaffRole.HANDLER)
    for member in votes.panel(session, meeting):
        votes.deactivate_expert(session, office_handler, member.expert_id, "调离", clock.now)
    session.flush()
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    url = f"/committees/meetings/{meeting.id}"
    done = leader.post(f"{url}/cancel", data={"cancel_reason": "专家均已调离"})
    shown = leader.get(done.headers["Location"]).text
    assert _flash(shown)[0].endswith("人社局已收到通知")
    note = re.search(r'<p class="muted" id="cancelled-after-filing">(.*?)</p>', shown, re.S)
    assert note is not None and "人社局已收到取消通知" in note.group(1) and "专家已收到" not in note.group(1)
    english = in_english(leader).get(url).text
    note = re.search(r'<p class="muted" id="cancelled-after-filing">(.*?)</p>', english, re.S)
    assert note is not None and "expert" in note.group(1) and "told" in note.group(1)


def test_an_accepted_meeting_short_of_its_quorum_is_cancelled_by_its_leader_on_its_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """An accepted meeting whose panel cannot make its quorum said only to contact the filing office. Now
    the page names the step; the leader finds the cancel form (a reason, a confirmation naming the bureau
    and the experts), a handler a note that the leader cancels; the post redirects (PRG) to the meeting,
    cancelled, who/when/why shown, the bureau and experts told."""
    from portal.services.actors import actor_for
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    office_handler = made.office.actor(StaffRole.HANDLER)
    for member in members[:2]:
        votes.deactivate_expert(session, office_handler, member.expert_id, "调离", clock.now)
    session.flush()
    handler = staff_login(login_as, made.office)
    leader = staff_login(login_as, made.office, StaffRole.LEADER)
    url = f"/committees/meetings/{meeting.id}"

    page = leader.get(url).text
    gone = re.search(r'<p[^>]*id="quorum-gone"[^>]*>(.*?)</p>', page, re.S)
    assert gone is not None and "“取消会议”" in gone.group(1) and "请与" not in gone.group(1)
    form = re.search(r'<form[^>]*id="cancel-form"[^>]*>', page)
    assert form is not None and f'action="{url}/cancel"' in form.group(0)
    assert "已经人社局确认备案" in html.unescape(form.group(0)) and "人社局和专家将收到通知" in html.unescape(
        form.group(0)
    )
    assert 'id="cancel-accepted-hint"' in page and 'name="cancel_reason"' in page
    by_handler = handler.get(url).text
    assert 'id="cancel-form"' not in by_handler and 'id="cancel-leader"' in by_handler
    refused = handler.post(f"{url}/cancel", data={"cancel_reason": "改期"})  # the leader's step
    assert refused.status_code == 303
    assert "须由办事机构领导取消" in handler.get(refused.headers["Location"]).text
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.ACCEPTED

    blank = leader.post(f"{url}/cancel", data={"cancel_reason": " "})
    assert blank.status_code == 422 and "请填写取消原因" in blank.text
    done = leader.post(f"{url}/cancel", data={"cancel_reason": "专家不足法定人数"})
    assert done.status_code == 303 and done.headers["Location"].endswith(url)
    shown = leader.get(done.headers["Location"]).text
    assert _flash(shown) == [
        "已取消已备案的评审会议：议程中的1份申报已退回待列入评审会议，抽取的5名专家已释放，人社局和专家已收到通知"
    ]
    assert 'id="cancelled-after-filing"' in shown and "专家不足法定人数" in shown
    assert made.office.leader.name in shown and 'id="cancel-form"' not in shown
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.CANCELLED and application.state is Status.AWAITING_MEETING
    told = session.scalars(select(Notification).where(Notification.text.contains("已取消"))).all()
    assert {n.user_id for n in told} >= {world.bureau.handler.id, members[2].expert.user_id}
    # The expert's own page of it is gone (the panel was released); their list no longer holds it.
    expert = members[2].expert.user
    expert.must_change_password = False
    session.flush()
    own = login_as(expert)
    assert own.get(f"/committees/panels/{meeting.id}").status_code == 404
    assert votes.memberships_of(session, actor_for(expert, None)) == []
    # A second post of the same form: refused in words, nothing more told.
    again = leader.post(f"{url}/cancel", data={"cancel_reason": "专家不足法定人数"})
    assert again.status_code == 303 and "会议已取消" in leader.get(again.headers["Location"]).text
    assert len(
        session.scalars(select(Notification).where(Notification.text.contains("已取消"))).all()
    ) == len(told)


def test_the_accepted_meeting_s_cancel_form_reads_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, made, [application], clock.now, pool=5)
    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))
    assert _cancels_in_english(leader, meeting) == [
        "Accepted review meeting cancelled: the 1 application on its agenda is back to awaiting a review "
        "meeting, the 5 drawn experts are released, the HR bureau and the experts have been told"
    ]
    shown = leader.get(f"/committees/meetings/{meeting.id}").text
    assert "the experts were told of the cancellation" in shown
