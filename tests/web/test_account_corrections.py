"""HR correct an applicant's account from its page (修改账号信息): the form prefilled with the name (the
mobile masked beside an empty field), the opening form's messages beside bad fields (422), a confirmation
of what changed, the roster badge read again against the corrected name; refusals said on the page; in
English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import AuditEvent, StaffRole
from tests.factories import World, make_application, make_staff, make_user, make_world
from tests.i18n.reading import assert_english, in_english
from tests.web.test_accounts import _upload, _xlsx


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _form(page: str, user_id: int) -> str:
    found = re.search(
        rf'<form[^>]*action="/enterprise/applicants/{user_id}/account#account"[^>]*>.*?</form>', page, re.S
    )
    assert found, "the page offers the correction form"
    return found.group(0)


def _page_after_roster(browser: Any, world: World, person: Any, roster_name: str) -> str:
    """Upload a roster listing the person under ``roster_name``; the applicant's page after it."""
    roster = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        [roster_name, person.id_number, world.enterprise.org.name, "60"],
    ]
    assert _upload(browser, _xlsx(roster), "roster.xlsx", url="/enterprise/roster").status_code == 303
    return str(browser.get(f"/enterprise/applicants/{person.id}").text)


def test_a_typo_the_roster_shows_is_corrected_and_the_badge_reads_linked(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    page = _page_after_roster(browser, world, person, "周文博")
    assert "badge-roster-name_mismatch" in page
    form = _form(page, person.id)
    # Prefilled with the name; the mobile's field empty, the number masked beside it (the full number is
    # shown only when asked for, audited); the form counts as unsaved once typed in (app.js).
    assert 'name="name" type="text" value="周文搏"' in form and 'name="phone" type="tel" value=""' in form
    assert f"现为{person.phone[:3]}****{person.phone[-4:]}" in form and person.phone not in page
    assert "data-unsaved" in form
    assert 'data-unsaved-confirm="“修改账号信息”中有尚未保存的修改' in page  # the reset asks first

    done = browser.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""})
    assert done.status_code == 303 and done.headers["Location"].endswith(
        f"/enterprise/applicants/{person.id}#account"
    )
    after = browser.get(f"/enterprise/applicants/{person.id}").text
    assert "已修改账号信息：姓名由“周文搏”改为“周文博”" in after
    assert "badge-roster-linked" in after and "badge-roster-name_mismatch" not in after
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update_account")).one()
    assert event.detail == {"changed": {"name": {"before": "周文搏", "after": "周文博"}}}

    # Sent again (a double click, Back and resend): nothing differs any more, and the page says so.
    again = browser.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""})
    assert again.status_code == 303
    assert "没有修改" in browser.get(f"/enterprise/applicants/{person.id}").text


def test_a_name_the_roster_writes_in_traditional_characters_is_said_to_differ_only_in_script(
    world: World, session: Session, login_as: Any
) -> None:
    """The roster lists 陳大文 (traditional, as a Hong Kong resident's permit prints it), the account 陈大文:
    still 姓名不一致 (the provincial link compares characters), but the page says that only the script
    differs and which record to correct, in Chinese and in English."""
    person = make_user(session, "陈大文", employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    page = _page_after_roster(browser, world, person, "陳大文")
    assert "badge-roster-name_mismatch" in page
    assert "与账号姓名“陈大文”只是繁体、简体写法不同" in page and "社保经办机构" in page
    english = in_english(browser).get(f"/enterprise/applicants/{person.id}").text
    assert "differ only in traditional and simplified characters" in english
    assert_english(english)


def test_bad_fields_come_back_beside_the_fields_as_typed(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    taken = make_user(session, "他人", employer=world.other_enterprise.org)
    browser = login_as(world.enterprise.handler)
    bad = browser.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文博!", "phone": "1397"}
    )
    assert bad.status_code == 422
    form = _form(bad.text, person.id)
    assert 'value="周文博!"' in form and 'value="1397"' in form and 'aria-invalid="true"' in form
    assert "姓名中不能有“!”" in form and 'id="e-phone"' in form
    used = browser.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文搏", "phone": taken.phone}
    )
    assert used.status_code == 422 and "该手机号已被其他账号使用" in used.text
    session.refresh(person)
    assert person.name == "周文搏" and person.phone != taken.phone


def test_a_mobile_changed_becomes_the_login_and_the_confirmation_masks_it(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, "周文博", employer=world.enterprise.org)
    old = person.phone
    browser = login_as(world.enterprise.handler)
    done = browser.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": "139 7070 9966"}
    )
    assert done.status_code == 303
    page = browser.get(f"/enterprise/applicants/{person.id}").text
    assert f"手机号由{old[:3]}****{old[-4:]}改为139****9966" in page and "13970709966" not in page
    session.refresh(person)
    assert person.phone == "13970709966"


def test_the_name_is_read_only_while_the_unit_has_recommended_a_case(
    world: World, session: Session, login_as: Any, clock: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    application = make_application(session, world, clock.now, applicant=person)
    application.status = Status.IN_NOTICE.value
    session.flush()
    browser = login_as(world.enterprise.handler)
    form = _form(browser.get(f"/enterprise/applicants/{person.id}").text, person.id)
    assert re.search(r'name="name" type="text" value="周文搏"[^>]*readonly', form)
    assert "已经本单位签批推荐（公示中）" in form
    refused = browser.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""}
    )
    assert refused.status_code == 422 and "该申报办结前姓名不能修改" in refused.text
    session.refresh(person)
    assert person.name == "周文搏"


def test_an_account_that_is_also_staff_gets_no_form_and_a_forged_post_is_refused(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    make_staff(session, world.department.org, StaffRole.HANDLER, user=person)
    browser = login_as(world.enterprise.handler)
    page = browser.get(f"/enterprise/applicants/{person.id}").text
    assert f"/enterprise/applicants/{person.id}/account" not in page
    assert "不能由用人单位修改账号信息" in page
    refused = browser.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""}
    )
    assert refused.status_code == 303
    assert "不能由用人单位修改账号信息" in browser.get(f"/enterprise/applicants/{person.id}").text
    denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert denied, "a PermissionDenied shown on the page is audited as the 403 would have been"
    session.refresh(person)
    assert person.name == "周文搏"


def test_another_enterprises_hr_get_not_found(world: World, session: Session, login_as: Any) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    other = login_as(world.other_enterprise.handler)
    response = other.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""})
    assert response.status_code == 404
    session.refresh(person)
    assert person.name == "周文搏"


def test_the_form_and_its_confirmation_in_english(world: World, session: Session, login_as: Any) -> None:
    person = make_user(session, "周文搏", employer=world.enterprise.org)
    browser = in_english(login_as(world.enterprise.handler))
    page = browser.get(f"/enterprise/applicants/{person.id}")
    assert_english(page.text)
    bad = browser.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博!", "phone": "1"})
    assert bad.status_code == 422
    assert_english(bad.text)
    browser.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": ""})
    after = browser.get(f"/enterprise/applicants/{person.id}")
    assert_english(after.text)
    assert "Account details corrected" in after.text


def test_the_applicant_reads_in_the_inbox_that_hr_changed_the_login_mobile_in_chinese_and_english(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, "周文博", employer=world.enterprise.org)
    old = person.phone
    hr = login_as(world.enterprise.handler)
    hr.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": "139 7070 9966"})
    inbox = login_as(person).get("/inbox").text
    unit, who = world.enterprise.org.name, world.enterprise.handler.name
    assert f"账号安全提醒：{unit}的{who}于" in inbox
    assert f"将您的登录手机号由{old[:3]}****{old[-4:]}改为139****9966，今后请用新手机号登录" in inbox
    assert "如果这不是您本人要求的修改" in inbox and "13970709966" not in inbox
    english = in_english(login_as(person)).get("/inbox").text
    assert "Account security:" in english and "changed your login mobile from" in english
    assert "139****9966" in english and "If you did not ask for this change" in english
    assert_english(english)

    # A name alone: the lighter notice.
    hr.post(f"/enterprise/applicants/{person.id}/account", data={"name": "周闻博", "phone": ""})
    inbox = login_as(person).get("/inbox").text
    assert "将您账号的姓名由“周文博”更正为“周闻博”" in inbox
    english = in_english(login_as(person)).get("/inbox").text
    assert "corrected the name on your account from" in english
    assert_english(english)
