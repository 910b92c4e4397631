"""The HR pages in English (issue 24): what the account services refuse with reads in English, with the
person's data (a name, a masked number) kept as written and marked Chinese; the bulk import's check and
its problems likewise."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.web import i18n
from tests.conftest import Clock
from tests.factories import make_world
from tests.i18n.test_english import leaks
from tests.web.test_accounts import HX, _person


def test_opening_an_account_twice_is_refused_in_english_with_the_name_marked(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    browser = login_as(world.enterprise.handler)
    browser.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    created = browser.post("/enterprise/applicants", data=_person(), headers=HX)
    assert created.status_code == 200 and "Account opened" in created.text
    again = browser.post("/enterprise/applicants", data=_person(phone="13970709902"), headers=HX)
    assert again.status_code == 422
    assert "already belongs to an applicant of this unit (" in again.text
    assert '<span lang="zh-CN">周文博</span>' in again.text
    assert leaks(f'<html lang="en">{again.text}</html>')[1] == []
    taken_phone = browser.post(
        "/enterprise/applicants", data=_person(name="李雷", id_number="110101199003074514"), headers=HX
    )
    assert "This mobile number is used by another account" in taken_phone.text
