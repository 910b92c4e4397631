"""Enterprise HR (applicant accounts, starting applications) and the applicant's own pages over HTTP."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id, mask_id_number
from portal.domain.workflow import Action, Status
from portal.models import Application, StaffRole, User
from portal.services import applications, forms
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_user, make_world
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _id_ending_in_x() -> str:
    return next(
        number
        for serial in range(1000)
        if (number := complete_resident_id(f"36070219880808{serial:03d}")).endswith("X")
    )


def test_hr_opens_an_account_with_a_lowercase_x_and_sees_the_password_once(
    world: World, session: Session, login_as: Any
) -> None:
    number = _id_ending_in_x()
    browser = login_as(world.enterprise.handler)
    response = browser.post(
        "/enterprise/applicants",
        data={
            "name": " 周 文博 ",
            "id_number": number[:-1] + "x",
            "phone": "139 7070 9901",
            "employment_type": "labour_contract",
        },
        headers=HX,
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "账号已开设" in response.text and "初始密码只显示这一次" in response.text
    assert "applicants-changed" in response.headers["HX-Trigger"]
    user = session.scalars(select(User).where(User.id_number == number)).one()
    assert (user.name, user.phone, user.employer_id, user.must_change_password) == (
        "周文博",
        "13970709901",
        world.enterprise.org.id,
        True,
    )
    listing = browser.get("/enterprise/applicants").text
    assert mask_id_number(number) in listing and number not in listing
    assert "初始密码" not in listing  # shown once only


def test_a_wrong_check_character_is_422_beside_the_field_and_keeps_the_other_fields(
    world: World, login_as: Any
) -> None:
    number = complete_resident_id("36070219900101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = login_as(world.enterprise.handler).post(
        "/enterprise/applicants",
        data={"name": "周文博", "id_number": wrong, "phone": "13970709901"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "校验" in response.text and 'aria-invalid="true"' in response.text
    assert 'value="周文博"' in response.text and 'value="13970709901"' in response.text


def test_one_account_per_person_says_which_enterprise_holds_it(
    world: World, session: Session, login_as: Any
) -> None:
    existing = make_user(session, "王某", employer=world.other_enterprise.org)
    response = login_as(world.enterprise.handler).post(
        "/enterprise/applicants",
        data={
            "name": "王某",
            "id_number": existing.id_number,
            "phone": "13970709902",
            "employment_type": "labour_contract",
        },
    )
    assert response.status_code == 422
    assert (
        world.other_enterprise.org.name in response.text
        and mask_id_number(existing.id_number) in response.text
    )


def test_hr_starts_an_application_for_its_own_applicant_only(
    world: World, session: Session, login_as: Any
) -> None:
    mine = make_user(session, employer=world.enterprise.org)
    theirs = make_user(session, employer=world.other_enterprise.org)
    browser = login_as(world.enterprise.handler)
    assert browser.get(f"/enterprise/applicants/{mine.id}/applications/new").status_code == 200
    ok = browser.post(
        "/enterprise/applications",
        data={
            "applicant_id": mine.id,
            "series": "工程",
            "specialty": "给排水",
            "level": "中级",
            "pathway": "认定",
        },
    )
    assert ok.status_code == 303
    created = session.scalars(select(Application).where(Application.applicant_id == mine.id)).one()
    assert (created.status, created.department_id, created.bureau_id) == (
        "draft",
        world.department.org.id,
        world.bureau.org.id,
    )
    refused = browser.post(
        "/enterprise/applications",
        data={"applicant_id": theirs.id, "series": "工程", "specialty": "x", "level": "中级"},
    )
    assert refused.status_code == 422 and "请选择本单位的申报人" in refused.text
    bad_level = browser.post(
        "/enterprise/applications",
        data={"applicant_id": mine.id, "series": "", "specialty": "x", "level": "特级"},
    )
    assert (
        bad_level.status_code == 422
        and "请选择申报级别" in bad_level.text
        and "请填写职称系列" in bad_level.text
    )


def test_after_starting_an_application_hr_lands_on_the_new_draft_told_what_comes_next(
    world: World, session: Session, login_as: Any
) -> None:
    mine = make_user(session, employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    typed = {"applicant_id": mine.id, "series": "工程", "specialty": "给排水", "level": "中级"}
    typed["pathway"] = "认定"
    started = browser.post("/enterprise/applications", data=typed)
    created = session.scalars(select(Application).where(Application.applicant_id == mine.id)).one()
    assert started.status_code == 303
    assert started.headers["Location"] == f"/review/applications/{created.id}"  # the draft itself
    page = browser.get(started.headers["Location"])
    assert page.status_code == 200 and "给排水" in page.text
    assert "申报已创建，申报人登录后即可填写申报表并提交" in page.text  # said once, as a flash


def test_an_english_reader_picks_or_types_a_series_in_english_and_the_chinese_name_is_stored(
    world: World, session: Session, login_as: Any
) -> None:
    """A QA report: the English hint named "engineering", the list offered only 工程, and "engineering"
    typed was taken as a series the rules did not know ("engineering is not on the list")."""
    mine = make_user(session, employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    in_english(browser)
    form = browser.get(f"/enterprise/applicants/{mine.id}/applications/new").text
    assert '<option value="工程" label="Engineering">' in form  # the value stays the stored Chinese name
    check = browser.get("/enterprise/eligibility-check").text
    assert '<option value="会计" label="Accounting">' in check
    typed = {"applicant_id": mine.id, "series": " engineering ", "specialty": "给排水", "level": "中级"}
    assert browser.post("/enterprise/applications", data={**typed, "pathway": "认定"}).status_code == 303
    created = session.scalars(select(Application).where(Application.applicant_id == mine.id)).one()
    assert created.series == "工程"
    dry_run = browser.get("/enterprise/eligibility-check", query_string={"series": "Accounting"}).text
    assert 'value="会计"' in dry_run  # the form comes back with the name the rules compared


def _start_refused(browser: Any, typed: dict[str, Any], field: str) -> tuple[str, str]:
    """发起申报 posted with ``typed``, refused (422) with an error at ``field``: (the error, the page)."""
    refused = browser.post("/enterprise/applications", data=typed)
    assert refused.status_code == 422, refused.text
    error = re.search(rf'<p class="error" id="e-{field}" role="alert">(.*?)</p>', refused.text, re.S)
    assert error, refused.text
    return error[1], refused.text


def test_an_exam_title_is_refused_at_the_start_with_its_clause_and_the_form_keeps_what_was_typed(
    session: Session, login_as: Any
) -> None:
    """Walk 3, item 3: 经济/金融 中级 认定 was started, then blocked at every submission ("obtained by
    national examination"). The start form refuses it, in both languages, with the profile's clause."""
    world = make_world(session, policy_profile="ganzhou-2026")
    mine = make_user(session, employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    typed = {"applicant_id": mine.id, "series": "经济", "specialty": "金融", "level": "中级"}
    typed["pathway"] = "认定"
    error, page = _start_refused(browser, typed, "level")
    assert "金融属以考代评专业，中级职称通过全国统一考试取得，不进行认定" in error
    assert error.endswith("（001 三(六)）")
    assert 'value="金融"' in page and '<option value="中级" selected' in page
    error, page = _start_refused(in_english(browser), typed, "level")
    assert "national examination" in error
    assert error.endswith("(001 3(6))") and "三(六)" not in page
    assert session.scalars(select(Application).where(Application.applicant_id == mine.id)).first() is None
    typed["level"] = "副高级"  # not an exam title: started as before
    assert browser.post("/enterprise/applications", data={**typed, "pathway": "评审"}).status_code == 303


def test_a_non_state_enterprise_s_engineering_recognition_is_refused_at_the_start_with_its_clause(
    session: Session, login_as: Any
) -> None:
    """Walk, HR's side: a non-state enterprise started 工程 中级 认定, then the check blocked it at every
    submission (SCOPE-07, 001 三(六)). The start form refuses it at 申报途径, in both languages, naming 评审;
    what was typed comes back. A state-owned employer and 评审 are started."""
    world = make_world(session, policy_profile="ganzhou-2026")
    assert world.other_enterprise.org.ownership == "non_state"
    mine = make_user(session, employer=world.other_enterprise.org)
    browser = login_as(world.other_enterprise.handler)
    typed = {
        "applicant_id": mine.id,
        "series": "工程",
        "specialty": "电气工程",
        "level": "中级",
        "pathway": "认定",
    }
    error, page = _start_refused(browser, typed, "pathway")
    assert error == (
        "非国有企业工程专业技术资格不组织考核认定：申报系列为工程，申报单位所有制为非国有；"
        "可通过职称评审途径申报（001 三(六)）"
    )
    assert 'value="电气工程"' in page and '<option value="中级" selected' in page
    error, page = _start_refused(in_english(browser), typed, "pathway")
    # The profile's own wording stays Chinese inside lang="zh-CN", as in the check's findings.
    assert "the employer&#39;s ownership is Non-state" in error
    assert '<span lang="zh-CN">可通过职称评审途径申报</span>' in error and error.endswith("(001 3(6))")
    assert "三(六)" not in page
    assert session.scalars(select(Application).where(Application.applicant_id == mine.id)).first() is None
    assert browser.post("/enterprise/applications", data={**typed, "pathway": "评审"}).status_code == 303

    # A state-owned employer starts it (an unrecorded ownership, manual in the check, cannot be stored for
    # an enterprise: the domain test covers it).
    theirs = make_user(session, employer=world.enterprise.org)
    started = login_as(world.enterprise.handler).post(
        "/enterprise/applications", data={**typed, "applicant_id": theirs.id}
    )
    assert started.status_code == 303, started.text


def test_enterprise_pages_are_403_for_other_roles(world: World, session: Session, login_as: Any) -> None:
    applicant = make_user(session, employer=world.enterprise.org)
    for user in (applicant, world.department.handler, world.bureau.leader, world.admin):
        browser = login_as(user)
        assert browser.get("/enterprise/applicants").status_code == 403
        assert browser.post("/enterprise/applicants", data={}).status_code == 403


def test_the_applicant_saves_a_draft_and_a_bad_date_loses_nothing(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/form"
    form = {
        **forms.posted_form(session, application),
        "education-0-school": "江西理工大学",
        "education-0-major": "采矿工程",
        "education-0-graduated_on": "2031-01-01",
        "work_summary": "矿山安全管理",
    }
    bad = browser.post(url, data=form, headers=HX)
    assert (
        bad.status_code == 422 and "毕业时间不能晚于今天" in bad.text and 'value="江西理工大学"' in bad.text
    )
    assert "矿山安全管理" in bad.text and "<html" not in bad.text and 'value="2031-01-01"' in bad.text
    session.expire_all()
    fresh = forms.posted_form(session, application)
    good = browser.post(url, data={**fresh, "education-0-graduated_on": "2016-06-30"}, headers=HX)
    assert good.status_code == 200 and "申报表已保存" in good.text
    session.expire_all()
    plain = browser.post(
        url, data={**forms.posted_form(session, application), "work_summary": "矿山安全管理。"}
    )
    assert plain.status_code == 303
    session.refresh(application)
    assert (application.school, application.major) == ("江西理工大学", "采矿工程")
    assert application.graduated_on == date(2016, 6, 30)


def test_two_tabs_saving_the_later_save_is_refused_with_what_changed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 21: a form saved by two tabs at once: the later save is refused with what changed (optimistic
    version), never silently overwritten; nothing of it is stored and the page keeps what was typed."""
    application = make_application(session, world, clock.now)
    url = f"/me/applications/{application.id}/form"
    shown = forms.posted_form(session, application)  # both tabs opened the same version
    first = login_as(application.applicant).post(url, data={**shown, "education-0-school": "江西理工大学"})
    assert first.status_code == 303
    hr = login_as(world.enterprise.handler)  # HR in the second tab, on the applicant's behalf
    later = hr.post(
        f"/enterprise/applications/{application.id}/form",
        data={**shown, "work_summary": "第二个窗口的总结"},
        headers=HX,
    )
    assert later.status_code == 409 and "本次保存未生效" in later.text
    assert "毕业院校" in later.text and "南昌大学" in later.text and "江西理工大学" in later.text
    assert "第二个窗口的总结" in later.text  # what the second tab typed is still on its page
    session.refresh(application)
    assert application.school == "江西理工大学" and application.work_summary != "第二个窗口的总结"
    again = re.search(r'name="form_version" value="(\d+)"', later.text)
    assert again is not None and int(again.group(1)) == application.form_version
    resend = hr.post(
        f"/enterprise/applications/{application.id}/form",
        data={**forms.posted_form(session, application), "work_summary": "第二个窗口的总结"},
    )
    assert resend.status_code == 303


def test_submitting_an_incomplete_form_lists_what_is_missing(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    applicant = make_user(session, employer=world.enterprise.org)
    browser_hr = login_as(world.enterprise.handler)
    browser_hr.post(
        "/enterprise/applications",
        data={
            "applicant_id": applicant.id,
            "series": "工程",
            "specialty": "给排水",
            "level": "中级",
            "pathway": "认定",
        },
    )
    application = session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
    browser = login_as(applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    assert "提交前还需填写" in page
    refused = browser.post(f"/me/applications/{application.id}/act", data={"action": "submit"})
    assert refused.status_code == 422 and "学历" in refused.text and "工作总结" in refused.text


def test_the_applicant_submits_withdraws_and_follows_the_timeline(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now)
    browser = login_as(application.applicant)
    submitted = browser.post(
        f"/me/applications/{application.id}/act", data={"action": "submit", "version": application.version}
    )
    assert submitted.status_code == 303
    page = browser.get(f"/me/applications/{application.id}").text
    assert "已提交，待经办人初审" in page and "提交申报" in page and "撤回申报" in page
    browser.post(f"/me/applications/{application.id}/act", data={"action": "withdraw"})
    session.refresh(application)
    assert application.state is Status.WITHDRAWN


def test_copy_from_my_previous_application_posts_to_its_own_address(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The button's form read `material_urls.copy`, which Jinja resolves to the dict's copy method: it posted
    # to /me/applications/<built-in method copy …> and the applicant got 页面不存在.
    first = make_application(session, world, clock.now)
    applications.act(session, actor_for(first.applicant, None), first.id, Action.WITHDRAW, clock.now)
    second = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(first.applicant_id, "工程", "土木工程", "副高级"),
        clock.now,
    )
    browser = login_as(first.applicant)
    page = browser.get(f"/me/applications/{second.id}").text
    action = f"/me/applications/{second.id}/copy-previous"
    assert f'action="{action}"' in page and "从上次申报复制" in page
    assert browser.post(action).status_code == 303
    session.refresh(second)
    assert second.school == first.school


def test_an_applicant_sees_only_their_own_applications(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    mine = make_application(session, world, clock.now)
    other = make_application(session, world, clock.now)
    browser = login_as(mine.applicant)
    assert browser.get(f"/me/applications/{other.id}").status_code == 404
    assert browser.post(f"/me/applications/{other.id}/act", data={"action": "submit"}).status_code == 404
    assert browser.post(f"/me/applications/{other.id}/form", data={"school": "x"}).status_code == 404
    session.refresh(other)
    assert other.school == "南昌大学"


def test_a_submitted_application_cannot_be_edited(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    response = login_as(application.applicant).post(
        f"/me/applications/{application.id}/form", data={"school": "篡改"}
    )
    assert response.status_code == 403
    session.refresh(application)
    assert application.school == "南昌大学"


def test_applicant_pages_are_403_for_staff_without_an_applicant_account(world: World, login_as: Any) -> None:
    assert login_as(world.enterprise.handler).get("/me/applications").status_code == 403


def test_the_certificate_number_reaches_the_applicant(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    assert application.certificate_no and application.certificate_no in page
    assert page.count("<li>") >= 11


def test_the_dry_runs_subtitle_reads_as_english_sentences(world: World, login_as: Any) -> None:
    # It read "Nothing is saved.Employer: 赣州…（State-owned, …）": no gap after the sentence, and the
    # employer's ownership in Chinese brackets.
    page = in_english(login_as(world.enterprise.handler)).get("/enterprise/eligibility-check").text
    subtitle = page.split('<p class="muted">')[1].split("</p>")[0]
    assert "Nothing is saved. · Employer: " in subtitle, subtitle
    assert "（" not in subtitle and "）" not in subtitle and " (State-owned" in subtitle, subtitle


def test_the_dry_runs_result_names_its_basis_with_english_brackets(
    world: World, session: Session, login_as: Any
) -> None:
    # The English result read "Basis: 赣州市2026年…认定（赣市人社字〔2026〕5号）": the template's brackets.
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    browser = in_english(login_as(world.enterprise.handler))
    typed = {"pathway": "认定", "series": "Engineering", "specialty": "给排水", "level": "中级"}
    result = browser.get("/enterprise/eligibility-check", query_string=typed).text.split("dry-run-result")[-1]
    basis = result.split('<p class="muted">')[1].split("</p>")[0]
    assert basis.startswith("Basis: ") and "</span> (<span" in basis and "（" not in basis, basis
    assert "</span>（" not in result


def test_the_dry_run_preselects_the_bureaus_pathway_as_the_start_form_does(
    world: World, session: Session, login_as: Any
) -> None:
    # Found walking the portal: 发起申报 offers the bureau's pathway (认定) chosen, the dry run offered
    # 请选择 and its first forecast came back with "请选择申报途径".
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    browser = login_as(world.enterprise.handler)
    mine = make_user(session, employer=world.enterprise.org)
    start = browser.get(f"/enterprise/applicants/{mine.id}/applications/new").text
    check = browser.get("/enterprise/eligibility-check")
    assert check.status_code == 200 and "请选择申报途径" not in check.text
    for page in (start, check.text):
        assert re.search(r'<option value="认定"[^>]*selected', page), page
