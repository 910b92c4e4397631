"""Issue 17.1: a correction resubmitted with nothing changed reached HR marked 已补正. A resubmission must
answer every item the return listed: change it, or write why it stays as it is; otherwise it is refused
with the list of untouched items, each with its own message, and nothing moves."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import StaffRole
from portal.services import applications, corrections, forms, materials
from portal.services.actors import actor_for
from portal.web import i18n
from tests import imaging
from tests.conftest import Clock
from tests.factories import STORAGE, World, make_application, make_world
from tests.i18n.reading import in_english


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def returned(session: Session, world: World, clock: Clock) -> Any:
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput(
            {"education": "毕业院校填写有误", "field:work_summary": "工作总结过于简略"}, "2026-10-20"
        ),
        clock.now,
    )
    session.flush()
    return application


def test_nothing_changed_is_refused_naming_each_untouched_item(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = returned(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/act"
    refused = browser.post(url, data={"action": "resubmit", "version": application.version})
    assert refused.status_code == 422
    assert "以下退回事项尚未修改，也未说明理由：学历学位（全部）、工作总结" in refused.text
    assert "“学历学位（全部）”未作修改" in refused.text and "“工作总结”未作修改" in refused.text
    session.refresh(application)
    assert application.state is Status.RETURNED


def test_the_refusal_stands_above_the_two_columns_and_leaves_them_as_they_were(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 5, finding 6: the refusal was the grid's first child, so it took the 申报表's cell, the form fell
    into the narrow column and the 申报条件检查 (with the button just clicked) went below the whole form."""
    application = returned(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/act"
    refused = browser.post(url, data={"action": "resubmit", "version": application.version}).text
    grid = refused.index('class="two-col"')
    assert refused.index("以下退回事项尚未修改，也未说明理由") < grid
    # The columns are the form and the aside, in that order, as on the page before the click.
    assert re.match(r'class="two-col">\s*<section class="card" id="application-form">', refused[grid:])


def test_a_changed_item_and_a_reasoned_one_go_through_and_the_reviewer_reads_the_reason(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = returned(session, world, clock)
    applicant = actor_for(application.applicant, None)
    form = {**forms.posted_form(session, application), "education-0-school": "江西理工大学"}  # it changes
    forms.save_form(session, applicant, application.id, form, clock.now)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/act"
    half = browser.post(url, data={"action": "resubmit", "version": application.version})
    assert (
        half.status_code == 422 and "工作总结" in half.text and "“学历学位（全部）”未作修改" not in half.text
    )
    reason = "工作总结已按单位模板填写完整，无需再改"
    done = browser.post(
        url,
        data={"action": "resubmit", "version": application.version, "response_field:work_summary": reason},
    )
    assert done.status_code == 303, done.text[:500]
    session.refresh(application)
    assert application.state is Status.SUBMITTED
    page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert f"申报人未修改，理由：{reason}" in page


def test_the_changes_table_lists_every_field_and_replaced_file_with_dates_as_the_ui_writes_them(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 17.10: a replaced contract was not listed and dates showed as 2016-06-30."""
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput(
            {"education": "毕业时间有误", "material:labour_contract": "合同页不全"}, "2026-10-20"
        ),
        clock.now,
    )
    me = actor_for(application.applicant, None)
    form = {**forms.posted_form(session, application), "education-0-graduated_on": "2016-06-30"}
    later = clock.now + timedelta(hours=1)
    forms.save_form(session, me, application.id, form, later)
    materials.upload_material(
        session,
        me,
        STORAGE,
        application.id,
        materials.UploadInput(slot="labour_contract", kind="original"),
        [materials.scans.Part("新劳动合同.png", imaging.png(300, 400))],
        later,
    )
    applications.act(
        session,
        me,
        application.id,
        Action.RESUBMIT,
        later,
    )
    page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    table = page.split('id="changes-title"')[1].split("</table>")[0]
    # Per row: the row and its field (issue 21.4).
    assert "学历学位第1条（南昌大学 本科）· 毕业时间" in table
    assert "2015年6月30日" in table and "2016年6月30日" in table
    assert "2016-06-30" not in table and "2015-06-30" not in table
    assert "材料：劳动（聘用）合同" in table and "新劳动合同" in table
    assert 'class="table reflow changes-table"' in page and 'data-label="补正后"' in table


def test_the_sections_not_returned_read_as_the_page_writes_dates_series_and_an_open_end(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The walk of the demo: the locked work history showed "2016-07-15" on a page writing "15 Jul 2016", the
    title's series as stored (工程, where the header said Engineering) and a job not ended as "(empty)", then
    as "To: To date" (the words for the open end repeated the label): it reads "To: present", as the
    Chinese reads 结束时间：至今."""
    application = returned(session, world, clock)
    url = f"/me/applications/{application.id}"
    page = in_english(login_as(application.applicant)).get(url).text
    work = page[page.index('id="row-work-0"') :]
    work = work[: work.index("</fieldset>") if "</fieldset>" in work else len(work)]
    assert "10 Jul 2015" in work and "2015-07-10" not in work.replace('value="2015-07-10"', "")
    assert '<span class="label">To</span><span class="prewrap">present</span>' in work
    assert "To date" not in work and "(empty)" not in work
    title = page[page.index('id="row-title-0"') :]
    assert "Engineering" in title and '<span lang="zh-CN">工程</span>' not in title
    assert "1 Sep 2016" in title
    chinese = login_as(application.applicant)
    chinese.set_cookie(i18n.COOKIE, i18n.Language.ZH.value)
    zh_page = chinese.get(url).text
    assert "2015年7月10日" in zh_page
    assert '<span class="label">结束时间</span><span class="prewrap">至今</span>' in zh_page
