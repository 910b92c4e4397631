"""The HR pages in English (issue 24): what the account services refuse with reads in English, with the
person's data (a name, a masked number) kept as written and marked Chinese; the bulk import's check and
its problems likewise."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import make_world
from tests.i18n.reading import in_english, leaks
from tests.web.test_accounts import HX, _person


def test_opening_an_account_twice_is_refused_in_english_with_the_name_marked(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    browser = login_as(world.enterprise.handler)
    in_english(browser)
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


def test_the_identity_checks_explain_a_mistyped_number_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    browser = login_as(world.enterprise.handler)
    in_english(browser)
    refused = browser.post(
        "/enterprise/applicants",
        data=_person(id_number="11010119900230451X", phone="1397070990"),
        headers=HX,
    )
    assert refused.status_code == 422
    assert "ID card number: the date of birth (characters 7–14: 19900230) is not a real date" in refused.text
    assert "A mobile number has 11 digits; you entered 10." in refused.text
    assert leaks(f'<html lang="en">{refused.text}</html>')[1] == []
    passport = browser.post(
        "/enterprise/applicants",
        data=_person(document_type="passport", id_number="E1234567", nationality="SG1", phone="13970709903"),
        headers=HX,
    )
    assert (
        '(e.g. “<span lang="zh-CN">新加坡</span>”), its English name (e.g. “Singapore”) or its 3-letter code'
        in (passport.text)
    )
    # The permits a passport holder needs: the words in English, the clauses cited as written.
    assert "Applying with a passport needs one of" in passport.text
    assert leaks(f'<html lang="en">{passport.text}</html>')[1] == []
