"""Issue #5 on screen: the live pre-check, refused submissions, reviewers' findings, windows on the home
pages, the admin's 受理批次 page and HR's dry run."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Action
from portal.models import AuditEvent, AuthorityContact, PolicyWindow, StaffRole
from portal.services import applications, forms, materials
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STORAGE, World, filled_form, make_user, make_world
from tests.i18n.reading import assert_english, in_english

IN_Q4 = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def draft(
    session: Session, world: World, now: datetime, series: str = "工程", specialty: str = "土木工程"
) -> Any:
    applicant = make_user(session, employer=world.enterprise.org)
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "土木工程", "中级", "认定"),
        now,
    )
    # The start form refuses an exam title (以考代评); a draft of one is a draft started before its
    # bureau's profile listed it, which the check still blocks at every submission.
    application.series, application.specialty = series, specialty
    session.flush()
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), now)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, now)
    return application, applicant


def test_the_form_is_prechecked_live_and_an_exam_title_cannot_be_submitted(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now, "会计", "会计")
    browser = login_as(applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    assert 'id="eligibility"' in page and "以考代评" in page and "001 三(六)" in page
    assert "存在不符合申报条件的事项" in page
    fragment = browser.post(
        f"/me/applications/{application.id}/precheck", data={"education": "硕士"}, headers=HX
    )
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section id="eligibility"')
    assert "<html" not in fragment.text and "以考代评" in fragment.text
    refused = browser.post(
        f"/me/applications/{application.id}/act", data={"action": "submit", "version": application.version}
    )
    assert refused.status_code == 422 and "不符合申报条件，不能提交" in refused.text


def test_the_precheck_follows_what_is_typed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now)
    browser = login_as(applicant)
    posted = forms.posted_form(session, application)
    section = {k: v for k, v in posted.items() if k.startswith("education-")}
    later = browser.post(
        f"/me/applications/{application.id}/precheck",
        data={**section, "education-0-major_match": "不同", "_sections": "education"},
        headers=HX,
    ).text
    assert "专业技术工作年限延长1年" in later  # MAJ-02 (001 三(二)) from the typed row
    future = browser.post(
        f"/me/applications/{application.id}/precheck",
        data={**section, "education-0-graduated_on": "2027-01-10", "_sections": "education"},
        headers=HX,
    ).text
    assert "专业技术工作年限延长1年" not in future  # a value refused at its field reads as not given
    # Only the section that changed travels; the saved form fills in the rest, and nothing is saved.
    session.refresh(application)
    assert application.graduated_on == date(2015, 6, 30)


def test_warnings_are_acknowledged_and_reviewers_see_them(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now)
    browser = login_as(applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    assert "对提示事项的确认说明" in page
    url = f"/me/applications/{application.id}/act"
    missing = browser.post(url, data={"action": "submit", "version": application.version})
    assert missing.status_code == 422 and "请阅读提示事项" in missing.text
    done = browser.post(
        url,
        data={"action": "submit", "version": application.version, "acknowledgement": "已知悉，离职将告知"},
    )
    assert done.status_code == 303
    reviewer = login_as(world.enterprise.handler)
    review = reviewer.get(f"/review/applications/{application.id}").text
    assert "申报条件检查" in review and "在职经历按持续至终算时间" in review
    assert "已知悉，离职将告知" in review and "受理批次：2026年第四批" in review  # by name, not its id


def test_outside_the_window_the_page_names_the_next_one(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application, applicant = draft(session, world, clock.now)  # 2026-09-28
    browser = login_as(applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    assert "下一受理期：2026年10月20日至11月20日（2026年第四批）" in page
    home = browser.get("/me/applications").text
    assert "2026年第四批" in home and "22天后开始受理" in home
    refused = browser.post(
        f"/me/applications/{application.id}/act",
        data={"action": "submit", "version": application.version, "acknowledgement": "x"},
    )
    assert refused.status_code == 422 and "当前不在受理期内" in refused.text


def test_hr_sees_the_countdown_and_chooses_pathway_and_authority(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    browser = login_as(world.enterprise.handler)
    home = browser.get("/enterprise/applicants").text
    assert "距截止还有30天" in home and "受理中" in home
    assert '<span class="countdown">距截止还有30天' in home  # a month ahead: a date, not a warning
    clock.now = IN_Q4 + timedelta(days=27)
    closing = login_as(world.enterprise.handler).get("/enterprise/applicants").text
    assert '<span class="countdown closing">距截止还有3天' in closing
    clock.now = IN_Q4
    browser = login_as(world.enterprise.handler)
    applicant = make_user(session, employer=world.enterprise.org)
    form = browser.get(f"/enterprise/applicants/{applicant.id}/applications/new").text
    assert '<option value="认定" selected>' in form and "赣州市职称工作办公室" in form
    wrong = browser.post(
        "/enterprise/applications",
        data={
            "applicant_id": applicant.id,
            "series": "工程",
            "specialty": "给排水",
            "level": "中级",
            "pathway": "认定",
            "authority_code": "gz-ganxian",
        },
    )
    assert wrong.status_code == 422 and "不认定本单位的中级" in wrong.text and 'value="给排水"' in wrong.text


def test_a_window_for_every_authority_says_so_in_english(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """ "各认定机构" is the portal's own word for a shared window, not the notice's name of an authority: the
    English home page translates it (it was shown in Chinese, marked as Chinese data)."""
    clock.now = IN_Q4
    browser = in_english(login_as(world.enterprise.handler))
    home = browser.get("/enterprise/applicants").text
    assert "(every certifying authority)" in home and "各认定机构" not in home
    admin = in_english(login_as(world.admin)).get("/admin/policy").text
    assert "every certifying authority" in admin and "各认定机构</" not in admin


def test_the_policy_page_names_the_levels_in_english(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 3, item 5: the windows' table and the new window's checkboxes read 员级/助理级/中级… in English,
    where every other page reads "Intermediate level"."""
    clock.now = IN_Q4
    page = in_english(login_as(world.admin)).get("/admin/policy").text
    boxes = re.findall(r'name="levels" value="([^"]+)"[^>]*>\s*([^<]+)</label>', page)
    assert boxes and dict(boxes)["中级"] == "Intermediate level", boxes
    assert "Technician level" in dict(boxes).values() and "Senior level" in dict(boxes).values()
    cells = re.findall(r'<tr id="window-[^"]+">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>', page, re.S)
    assert cells and all(re.search("[\u4e00-\u9fff]", cell) is None for cell in cells), cells
    assert any("Intermediate level" in cell for cell in cells), cells
    chinese = login_as(world.admin).get("/admin/policy").text
    assert "> 中级</label>" in chinese


def test_the_dry_run_page(world: World, session: Session, clock: Clock, login_as: Any) -> None:
    clock.now = datetime(2026, 4, 1, 2, tzinfo=UTC)
    browser = login_as(world.enterprise.handler)
    assert browser.get("/enterprise/eligibility-check").status_code == 200
    query = {
        "pathway": "认定",
        "series": "工程",
        "level": "助理级",
        "education": "本科",
        "graduated_on": "2026-07-01",
        "work_started_on": "2026-07-10",
    }
    result = browser.get("/enterprise/eligibility-check", query_string=query, headers=HX)
    assert result.status_code == 200 and "最早可于2026年第三批申报" in result.text
    assert result.text.lstrip().startswith('<section class="card" id="dry-run-result"')
    bad = browser.get("/enterprise/eligibility-check", query_string={**query, "level": ""})
    assert bad.status_code == 422 and "请选择申报级别" in bad.text and 'value="2026-07-01"' in bad.text
    assert login_as(world.bureau.handler).get("/enterprise/eligibility-check").status_code == 403


def test_the_admin_enters_next_years_batch(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    browser = login_as(world.admin)
    page = browser.get("/admin/policy").text
    assert "赣州市2026年专业技术资格考核认定" in page and "2026年第四批" in page
    form = {
        "batch_id": "2027-1",
        "batch_name": "2027年第一批",
        "authority": "all",
        "levels": ["员级", "助理级", "中级"],
        "opens": "2027-01-20",
        "closes": "2027-02-20",
        "cutoff": "2027-03-31",
        "citation": "赣市人社字〔2027〕1号 附件",
    }
    assert browser.post("/admin/policy/windows", data=form).status_code == 303
    listed = browser.get("/admin/policy").text
    assert "2027年第一批" in listed and "管理员录入" in listed
    clash = browser.post(
        "/admin/policy/windows", data={**form, "batch_id": "2027-x", "opens": "2027-02-01"}, headers=HX
    )
    assert clash.status_code == 422 and "不能重叠" in clash.text and 'value="2027-x"' in clash.text
    row = session.scalars(select(PolicyWindow)).one()
    assert browser.post(f"/admin/policy/windows/{row.id}/delete").status_code == 303
    assert session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "policy_window")
        .order_by(AuditEvent.id)  # no order without it: PostgreSQL once gave the delete first
    ).all() == [
        "policy_window_add",
        "policy_window_delete",
    ]
    contact = browser.post(
        "/admin/policy/contacts",
        data={"authority_code": "gz-city", "name": "赣州市职称工作办公室", "phone": "0797-1"},
    )
    assert contact.status_code == 303 and "0797-1" in browser.get("/admin/policy").text
    assert login_as(world.bureau.handler).get("/admin/policy").status_code == 403


def test_a_refused_window_names_each_field_to_change_linked_to_its_input(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The summary said only "有2处需要修改" above a nine-field form: which two was for the reader to find.
    browser = login_as(world.admin)
    bad = {"batch_id": "2027 1", "batch_name": "2027年第一批", "authority": "all", "levels": [],
           "opens": "2027-01-20", "closes": "2027-02-20", "citation": "赣市人社字〔2027〕1号"}  # fmt: skip
    refused = browser.post("/admin/policy/windows", data=bad, headers=HX)
    assert refused.status_code == 422
    summary = refused.text.split('id="window-problems"', 1)[1].split("</div>", 1)[0]
    assert "有2处需要修改" in summary
    assert re.findall(r'<li><a href="#(f-[a-z-]+)">([^<]+)</a></li>', summary) == [
        ("f-batch-id", "批次编号"),
        ("f-levels", "级别"),
    ]
    assert 'id="f-batch-id"' in refused.text and 'id="f-levels"' in refused.text
    english = in_english(browser).post("/admin/policy/windows", data=bad, headers=HX).text
    summary = english.split('id="window-problems"', 1)[1].split("</div>", 1)[0]
    assert "2 fields need changing" in summary
    assert re.findall(r'<a href="#f-[a-z-]+">([^<]+)</a>', summary) == ["Intake number", "Level"]


def test_a_refused_contact_names_its_fields_and_a_long_name_is_refused_not_cut(
    world: World, session: Session, login_as: Any
) -> None:
    # The contact form said nothing above it, and a name past its column's 200 characters was saved cut
    # short without a word: now each field to change is listed and linked, and the typed words stay.
    browser = login_as(world.admin)
    long_name = "赣州市职称工作办公室" * 21  # 210 characters
    bad = {"authority_code": "gz-city", "name": long_name, "phone": "0797-1", "source": "依" * 201}
    refused = browser.post("/admin/policy/contacts", data=bad, headers=HX)
    assert refused.status_code == 422
    summary = refused.text.split('id="contact-problems"', 1)[1].split("</div>", 1)[0]
    assert "有2处需要修改" in summary
    assert re.findall(r'<li><a href="#(f-[a-z-]+)">([^<]+)</a></li>', summary) == [
        ("f-name", "机构名称"),
        ("f-source", "依据"),
    ]
    assert "不能超过200字（现有210字）" in refused.text and f'value="{long_name}"' in refused.text
    assert session.scalars(select(AuthorityContact)).all() == []
    english = in_english(browser).post("/admin/policy/contacts", data=bad, headers=HX).text
    summary = english.split('id="contact-problems"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'<a href="#f-[a-z-]+">([^<]+)</a>', summary) == ["Authority name", "Basis"]


def test_a_missing_batch_is_a_404_that_names_it_in_the_readers_language(
    world: World, session: Session, login_as: Any
) -> None:
    """The 404 page says what the service did not find (it said only its generic words), translated."""
    browser = login_as(world.admin)
    missing = browser.post("/admin/policy/windows/999999/delete")
    assert missing.status_code == 404 and "找不到该受理批次" in missing.text
    english = in_english(browser).post("/admin/policy/windows/999999/delete")
    assert english.status_code == 404 and "This application window was not found" in english.text
    assert_english(english.text)


def test_the_admin_sees_a_window_closing_on_a_rest_day(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    page = login_as(world.admin).get("/admin/policy").text
    assert "截止日为休息日，受理期内最后一个工作日为2026年2月14日" in page


def test_without_a_profile_nothing_is_enforced(session: Session, clock: Clock, login_as: Any) -> None:
    plain = make_world(session)
    applicant = make_user(session, employer=plain.enterprise.org)
    application = applications.start_application(
        session,
        plain.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "会计", "会计", "中级"),
        clock.now,
    )
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), clock.now)
    materials.attach_placeholders(session, actor_for(applicant, None), STORAGE, application, clock.now)
    page = login_as(applicant).get(f"/me/applications/{application.id}").text
    assert "尚未设置政策配置" in page
    submitted = applications.act(
        session, actor_for(applicant, None), application.id, Action.SUBMIT, clock.now
    )
    assert submitted.status == "submitted"


def test_the_live_precheck_posts_only_the_fields_it_reads_and_never_puts_the_form_in_a_url(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 17.11: the pre-check sent the whole 申报表 and the CSRF token in the query string."""
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now)
    browser = login_as(applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    # Issue 21.3: each section of the form posts itself (its own inputs only) when it changes.
    triggers = re.findall(r'<fieldset class="form-section" id="section-(\w+)"([^>]*)>', page, re.S)
    checked = {key: attrs for key, attrs in triggers if "hx-post=" in attrs}
    assert {"basic", "education", "work", "title", "ce"} <= set(checked)
    for key, attrs in checked.items():
        assert 'hx-include="this"' in attrs and "hx-get=" not in attrs and "/precheck" in attrs
        assert f'"_sections": "{key if key != "basic" else ""}"' in attrs
    assert browser.get(f"/me/applications/{application.id}/precheck?education-0-level=本科").status_code in (
        303,
        405,
    )


def test_the_login_redirect_carries_a_path_only_and_never_a_long_one(app: Any, client: Any) -> None:
    """Issue 17.11: next= carried the full query string (a multi-KB form after a session timeout)."""
    response = client.get("/review/queue?q=" + "长" * 3000)
    location = response.headers["Location"]
    assert "q=" not in location and "%E9%95%BF" not in location and len(location) < 600
    assert "next=%2Freview%2Fqueue" in location or "next=/review/queue" in location


def test_the_english_countdown_says_one_day_not_one_days(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The day before the window closes the English home page read "Closes in 1 days".
    clock.now = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    browser = in_english(login_as(world.enterprise.handler))
    home = browser.get("/enterprise/applicants").text
    assert "Closes in 1 day<" in home and "1 days" not in home
