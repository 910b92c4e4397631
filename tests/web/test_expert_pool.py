"""The expert pool's page (人社部令第40号): each expert's title level (待补充 where unknown) and term
(任期已满 once ended, with a filter), the warnings of the pool against the regulation, a term longer than
3 years refused on the form with the regulation, and the renewal and the level on the expert's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world, make_experts, phone, resident_id
from tests.i18n.reading import in_english


def _office(session: Session, clock: Clock, login_as: Any):  # type: ignore[no-untyped-def]
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now, levels="中级,副高级,正高级")
    return co, login_as(co.office.handler, membership_id=co.office.handler_membership.id)


def test_the_pool_shows_ended_terms_and_pending_levels_with_a_filter_and_warns(
    session: Session, clock: Clock, login_as: Any
) -> None:
    co, handler = _office(session, clock, login_as)
    current = make_experts(session, co, clock.now, 2)
    ended = make_experts(session, co, clock.now, 1, appointed_on="2023-01-01", term_ends="2025-12-31")[0]
    current[1].title_level = None
    session.flush()
    page = handler.get("/committees/experts").text
    row = page.split(f'id="expert-{ended.id}"')[1].split("</tr>")[0]
    assert "任期已满" in row and "2025" in row
    pending = page.split(f'id="expert-{current[1].id}"')[1].split("</tr>")[0]
    assert "职称层级待补充" in pending and "任期已满" not in pending
    assert "副高级及以上" in page
    warnings = page.split('id="pool-warnings"')[1].split("</div>")[0]
    assert "不少于11人" in warnings and "只有1人" in warnings  # one in term at the level
    only_ended = handler.get("/committees/experts?standing=ended").text
    assert f'id="expert-{ended.id}"' in only_ended and f'id="expert-{current[0].id}"' not in only_ended


def test_a_term_of_more_than_three_years_is_refused_on_the_form(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _co, handler = _office(session, clock, login_as)
    form = {
        "name": "王五", "id_number": resident_id(), "phone": phone(), "series": "工程",
        "specialty": "建设工程", "title": "高级工程师", "employer_name": "镇江市建筑设计院",
        "appointed_on": "2026-11-01", "term_ends": "2030-11-01",
    }  # fmt: skip
    refused = handler.post("/committees/experts", data=form)
    assert refused.status_code == 422
    assert "每届任期不超过3年（人社部令第40号）" in refused.text and 'value="2030-11-01"' in refused.text
    low = handler.post("/committees/experts", data={**form, "term_ends": "", "title_level": "中级"})
    assert low.status_code == 422 and "低于副高级" in low.text
    good = handler.post("/committees/experts", data={**form, "term_ends": "2029-10-31"})
    assert good.status_code == 200 and 'id="first-password"' in good.text


def test_the_office_renews_a_term_and_fills_in_a_level_on_the_expert_s_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    co, handler = _office(session, clock, login_as)
    expert = make_experts(session, co, clock.now, 1, appointed_on="2023-01-01", term_ends="2025-12-31")[0]
    expert.title_level = None
    session.flush()
    url = f"/committees/experts/{expert.id}"
    assert "任期已满" in handler.get(url).text
    longer = handler.post(f"{url}/renew", data={"appointed_on": "2026-01-01", "term_ends": "2029-06-30"})
    assert longer.status_code == 422 and "人社部令第40号" in longer.text
    renewed = handler.post(f"{url}/renew", data={"appointed_on": "2026-01-01", "term_ends": "2028-12-31"})
    assert renewed.status_code == 303
    filled = handler.post(f"{url}/level", data={"title_level": "正高级"})
    assert filled.status_code == 303
    page = handler.get(url).text
    assert (
        "任期已满" not in page
        and "正高级" in page
        and "待补充" not in page.split('id="expert-facts"')[1].split("</dl>")[0]
    )


def test_the_english_pool_page_names_the_level_and_the_regulation_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    co, handler = _office(session, clock, login_as)
    make_experts(session, co, clock.now, 1)
    in_english(handler)
    page = handler.get("/committees/experts").text
    assert "This is a senior committee" in page and "Deputy senior level or above" in page
    assert "MOHRSS Order No. 40" in page and "（" not in page.split('id="pool"')[1].split("</table>")[0]


def test_the_pool_is_exported_as_filtered_by_a_post_and_audited(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The pool had no export (the office files its experts with the meeting): the button sends the
    page's filters; names and employers only (no phone, no ID number); a GET is not a download."""
    from io import BytesIO

    from openpyxl import load_workbook
    from sqlalchemy import select

    from portal.models import AuditEvent

    co, handler = _office(session, clock, login_as)
    current = make_experts(session, co, clock.now, 2)
    ended = make_experts(session, co, clock.now, 1, appointed_on="2023-01-01", term_ends="2025-12-31")[0]
    page = handler.get("/committees/experts?standing=ended").text
    button = page.split('action="/committees/experts.xlsx"')[1].split("</form>")[0]
    assert 'name="standing" value="ended"' in button and 'name="series"' not in button
    response = handler.post("/committees/experts.xlsx", data={"standing": "ended"})
    assert response.status_code == 200 and response.data.startswith(b"PK\x03\x04")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["姓名", "职称系列", "专业"] and len(rows) == 2
    assert rows[1][0] == ended.user.name and "任期已满" in rows[1]
    everyone = load_workbook(BytesIO(handler.post("/committees/experts.xlsx").data)).active
    names = {row[0].value for row in everyone.iter_rows(min_row=2)}
    assert names == {e.user.name for e in [*current, ended]}
    assert not any(e.user.phone in str(row) for row in rows for e in [*current, ended])
    assert not handler.get("/committees/experts.xlsx").data.startswith(b"PK")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_experts").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["rows"] for e in events] == [1, 3]


def test_an_expert_s_series_and_specialty_are_the_applications_words_and_old_ones_are_flagged(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # An expert entered as "Engineering" (or any series) was accepted and never drawn for the applications'
    # 工程: refused now in both languages, an English series name taken back as its Chinese one (the
    # committee's specialties offered as a list), and an expert entered before the check is flagged on the
    # pool page and corrected on their own page.
    co, handler = _office(session, clock, login_as)
    form = {
        "name": "王五", "id_number": resident_id(), "phone": phone(), "series": "工程技术",
        "specialty": "土木", "title": "高级工程师", "employer_name": "镇江市建筑设计院",
    }  # fmt: skip
    refused = handler.post("/committees/experts", data=form)
    assert refused.status_code == 422
    assert "“工程技术”不是申报使用的职称系列" in refused.text
    assert 'list="expert-series-options"' in refused.text and '<option value="建设工程">' in refused.text
    english = in_english(handler).post("/committees/experts", data={**form, "series": "Accounting x"})
    assert english.status_code == 422
    assert "is not a title series the applications use" in english.text
    typed = handler.post(
        "/committees/experts", data={**form, "series": "Engineering", "specialty": "建设工程"}
    )
    assert typed.status_code == 200 and 'id="first-password"' in typed.text
    from portal.models import Expert

    added = session.query(Expert).order_by(Expert.id.desc()).first()
    assert added is not None and (added.series, added.specialty) == ("工程", "建设工程")

    old = make_experts(session, co, clock.now, 1)[0]
    old.series, old.specialty = "Engineering", "Construction"  # as entered before the check
    session.flush()
    pool = handler.get("/committees/experts").text
    assert f'id="unmatched-{old.id}"' in pool and 'id="pool-unmatched"' in pool
    assert f'id="unmatched-{added.id}"' not in pool
    page = handler.get(f"/committees/experts/{old.id}").text
    assert 'id="subject-flags"' in page and "is not a title series the applications use" in page
    refused = handler.post(
        f"/committees/experts/{old.id}/subject", data={"series": "Civil engineering", "specialty": "建设工程"}
    )
    assert refused.status_code == 422 and "Civil engineering" in refused.text
    # The refusal is audited and the audit row outlives the request's rollback.
    from portal.models import AuditEvent

    denied = session.query(AuditEvent).filter_by(action="set_expert_subject", outcome="denied").all()
    assert [(e.detail["expert_id"], e.detail["code"]) for e in denied] == [(old.id, "unknown_series")]
    fixed = handler.post(
        f"/committees/experts/{old.id}/subject", data={"series": "工程", "specialty": "建设工程"}
    )
    assert fixed.status_code == 303
    session.refresh(old)
    assert (old.series, old.specialty) == ("工程", "建设工程")
    assert f'id="unmatched-{old.id}"' not in handler.get("/committees/experts").text


def test_the_pool_filters_on_a_series_typed_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    # Filtering the English pool on "Engineering" found nobody: the stored series is 工程.
    co, handler = _office(session, clock, login_as)
    (expert,) = make_experts(session, co, clock.now, 1)
    page = in_english(handler).get("/committees/experts?series=Engineering").text
    assert f'id="expert-{expert.id}"' in page and 'list="expert-series-options"' in page


def test_the_office_deactivates_an_expert_with_a_reason_and_restores_them(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """停用: confirmed first, a reason required (kept when refused); the pool lists the expert as 已停用
    with the day and the reason, after those in the pool; 恢复 puts them back. Both PRG (303)."""
    co, handler = _office(session, clock, login_as)
    kept, gone = make_experts(session, co, clock.now, 2)
    url = f"/committees/experts/{gone.id}"
    page = handler.get(url).text
    form = page.split('id="deactivate-form"')[1].split("</form>")[0]
    assert "data-confirm=" in form and 'name="deactivation_reason"' in form and "required" in form
    empty = handler.post(f"{url}/deactivate", data={"deactivation_reason": ""})
    assert empty.status_code == 422 and "请填写停用原因" in empty.text
    done = handler.post(f"{url}/deactivate", data={"deactivation_reason": "本人申请退出专家库"})
    assert done.status_code == 303 and done.headers["Location"].endswith(url)
    shown = handler.get(url).text
    assert 'id="inactive"' in shown and "本人申请退出专家库" in shown.split('id="deactivation"')[1]
    pool = handler.get("/committees/experts").text
    row = pool.split(f'id="expert-{gone.id}"')[1].split("</tr>")[0]
    assert "已停用" in row and "本人申请退出专家库" in row and "2026年" in row
    assert pool.index(f'id="expert-{kept.id}"') < pool.index(f'id="expert-{gone.id}"')
    only = handler.get("/committees/experts?standing=inactive").text
    assert f'id="expert-{gone.id}"' in only and f'id="expert-{kept.id}"' not in only
    again = handler.post(f"{url}/deactivate", data={"deactivation_reason": "再次"})
    assert again.status_code == 303 and "该专家已停用" in handler.get(url).text

    restore = handler.get(url).text.split(f'action="{url}/restore"')[1].split("</form>")[0]
    assert "恢复" in restore  # offered to a deactivated expert, confirmed first (the form's data-confirm)
    english = (
        in_english(login_as(co.office.leader, membership_id=co.office.leader_membership.id)).get(url).text
    )
    assert "Restore the expert" in english and ">Deactivation</dt>" in english
    back = handler.post(f"{url}/restore")
    assert back.status_code == 303
    assert 'id="inactive"' not in handler.get(url).text and 'id="deactivate-form"' in handler.get(url).text


def test_the_meeting_page_flags_a_deactivated_panel_member_and_the_filing_waits_for_a_new_draw(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from portal.services import votes
    from tests.factories import committee_road, drawn_meeting

    _world, co, application = committee_road(session, clock)
    meeting = drawn_meeting(session, co, application, clock.now, pool=6)
    member = votes.panel(session, meeting)[0]
    session.flush()
    handler = login_as(co.office.handler, membership_id=co.office.handler_membership.id)
    expert_page = handler.get(f"/committees/experts/{member.expert_id}").text
    assert f"/committees/meetings/{meeting.id}" in expert_page.split('id="open-seats"')[1]
    handler.post(f"/committees/experts/{member.expert_id}/deactivate", data={"deactivation_reason": "调离"})
    page = handler.get(f"/committees/meetings/{meeting.id}").text
    assert f'id="gone-{member.id}"' in page and "请重新抽取专家" in page.split('id="panel-gone"')[1]
    assert "专家名单中有已停用的专家" in page.split('id="filing-items"')[1]
    leader = login_as(co.office.leader, membership_id=co.office.leader_membership.id)
    assert 'id="file-blocked"' in leader.get(f"/committees/meetings/{meeting.id}").text
    english = in_english(handler).get(f"/committees/meetings/{meeting.id}").text
    assert "1 expert on the panel has been taken out of the pool (deactivated)." in english
    assert "Deactivated, no longer in the pool" in english


def test_a_deactivated_expert_no_longer_sees_the_panel_and_is_told_why_a_ballot_is_refused(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from datetime import timedelta

    from portal.models import StaffRole
    from portal.services import votes
    from tests.factories import committee_road, filed_meeting

    world, co, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=5)
    members = votes.panel(session, meeting)
    day = clock.now + timedelta(days=30)
    clock.now = day
    votes.open_voting(
        session, co.office.actor(StaffRole.LEADER), meeting.id, [m.id for m in members[1:]], day
    )
    votes.deactivate_expert(session, co.office.actor(StaffRole.HANDLER), members[0].expert_id, "调离", day)
    members[0].expert.user.must_change_password = False
    session.flush()
    expert = login_as(members[0].expert.user)
    assert f'id="seat-{meeting.id}"' not in expert.get("/committees/panels").text
    ballot = {f"choice_{e.id}": "yes" for e in meeting.entries}
    refused = expert.post(f"/committees/panels/{meeting.id}/ballot", data=ballot)
    assert refused.status_code == 303
    assert "您已被移出本评委会专家库（已停用），不能再投票" in expert.get("/committees/panels").text
    in_english(expert).post(f"/committees/panels/{meeting.id}/ballot", data=ballot)
    assert "can no longer vote" in expert.get("/committees/panels").text
    # The deactivation reached their inbox, in their language: the office, the reason, the panels.
    inbox = in_english(expert).get("/inbox").text
    assert "has taken you out of the expert pool of" in inbox
    assert 'Reason: <span lang="zh-CN">调离</span>' in inbox
    assert "no longer shown under My review meetings" in inbox


def test_the_meeting_page_says_a_deactivated_member_still_counts_in_the_quorum(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from portal.models import StaffRole
    from portal.services import votes
    from tests.factories import committee_road, filed_meeting

    world, co, application = committee_road(session, clock)
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=5)
    member = votes.panel(session, meeting)[0]
    url = f"/committees/meetings/{meeting.id}"
    handler = login_as(co.office.handler, membership_id=co.office.handler_membership.id)
    page = handler.get(url).text
    assert "法定人数：出席专家不少于专家名单5人的2/3，即4人" in page.split('id="quorum"')[1]
    assert 'id="quorum-gone"' not in page
    votes.deactivate_expert(session, co.office.actor(StaffRole.HANDLER), member.expert_id, "调离", clock.now)
    session.flush()
    gone = handler.get(url).text.split('id="quorum-gone"')[1].split("</p>")[0]
    assert "已停用的1名专家仍计入专家名单（人社局确认备案的名单不因停用而缩减），按缺席计。" in gone
    english = in_english(handler).get(url).text.split('id="quorum-gone"')[1].split("</p>")[0]
    assert "1 deactivated expert still counts in the panel" in english
