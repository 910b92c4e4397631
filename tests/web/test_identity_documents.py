"""Issue 17.3 and 17.4 over HTTP: a 港澳台居民居住证 number typed as a 居民身份证 is refused with the
right document named and accepted under its own type; a resident ID whose address code GB/T 2260 never
listed is refused, and HR who hold the card open the account only by confirming it with a reason, which
the audit log keeps. A login with either number finds the account."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import FOREIGN_APPLICANT
from portal.domain.identity import complete_resident_id
from portal.models import AuditEvent, StaffRole, User
from portal.services import applications
from portal.services.auth import hash_password
from tests.conftest import Clock
from tests.factories import PASSWORD, World, make_passport_holder, make_user, make_world, with_document
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}
VALIDATE = "/enterprise/applicants/validate"
HMT = complete_resident_id("81000019850612002")
UNKNOWN = complete_resident_id("21334419900101001")  # 辽宁省, a county code no list has held


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _person(**changes: str) -> dict[str, str]:
    return {
        "name": "周文博",
        "document_type": "resident_id",
        "id_number": HMT,
        "phone": "13970709931",
        "employment_type": "labour_contract",
    } | changes


def test_a_residence_permit_number_is_not_a_resident_id_and_opens_under_its_own_type(
    world: World, session: Session, login_as: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    live = browser.post(f"{VALIDATE}?field=id_number", data=_person(), headers=HX)
    assert "港澳台居民居住证" in live.text and "不是居民身份证号码" in live.text
    refused = browser.post("/enterprise/applicants", data=_person())
    assert refused.status_code == 422 and "港澳台居民居住证" in refused.text
    assert session.scalars(select(User).where(User.id_number == HMT)).first() is None
    opened = browser.post("/enterprise/applicants", data=_person(document_type="hmt_residence_permit"))
    assert opened.status_code == 200 and "账号已开设" in opened.text
    user = session.scalars(select(User).where(User.id_number == HMT)).one()
    assert user.document_type == "hmt_residence_permit"


def test_an_unknown_address_code_needs_hr_to_confirm_it_from_the_card_with_a_reason(
    world: World, session: Session, login_as: Any, app: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    person = _person(id_number=UNKNOWN, phone="13970709932")
    live = browser.post(f"{VALIDATE}?field=id_number", data=person, headers=HX)
    assert "GB/T 2260" in live.text and "213344" in live.text
    assert 'name="region_confirmed"' in live.text  # the confirmation is offered where the error is
    assert browser.post("/enterprise/applicants", data=person).status_code == 422
    no_reason = browser.post("/enterprise/applicants", data=person | {"region_confirmed": "1"})
    assert no_reason.status_code == 422 and "请写明核验实体证件的情况" in no_reason.text
    assert session.scalars(select(User).where(User.id_number == UNKNOWN)).first() is None
    reason = "已核验本人居民身份证原件，签发机关为某县公安局"
    opened = browser.post(
        "/enterprise/applicants", data=person | {"region_confirmed": "1", "region_reason": reason}
    )
    assert opened.status_code == 200 and "账号已开设" in opened.text
    user = session.scalars(select(User).where(User.id_number == UNKNOWN)).one()
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "confirm_unknown_region", AuditEvent.object_id == user.id
        )
    ).one()
    assert event.reason == reason and event.actor_id == world.enterprise.handler.id
    assert event.detail["region_code"] == "213344"


def test_a_confirmation_without_an_unknown_code_changes_nothing(
    world: World, session: Session, login_as: Any
) -> None:
    number = complete_resident_id("36070219900101301")
    opened = login_as(world.enterprise.handler).post(
        "/enterprise/applicants",
        data=_person(id_number=number, phone="13970709933", region_confirmed="1", region_reason="x"),
    )
    assert opened.status_code == 200
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.action == "confirm_unknown_region")).first()
        is None
    )


def test_holders_of_either_number_log_in_with_it(
    world: World, session: Session, login_as: Any, app: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    browser.post("/enterprise/applicants", data=_person(document_type="hmt_residence_permit"))
    browser.post(
        "/enterprise/applicants",
        data=_person(
            id_number=UNKNOWN, phone="13970709934", region_confirmed="1", region_reason="已核验原件"
        ),
    )
    for number in (HMT, UNKNOWN.lower()):
        user = session.scalars(select(User).where(User.id_number == number.upper())).one()
        user.must_change_password = False
        user.password_hash = hash_password(PASSWORD)
        session.flush()
        response = app.test_client().post("/login", data={"login": number, "password": PASSWORD})
        assert response.status_code == 303, number


def test_a_passport_holders_checklist_asks_for_the_permit_beside_the_passport(
    world: World, session: Session, login_as: Any, clock: Clock
) -> None:
    """SCOPE-03 (MATERIAL: the permit). Seen in English: John O'Brien, opened with a passport and a work
    permit, was asked only for an identity document (“both sides of the resident identity card”), so the
    permit that lets him apply reached no reviewer. A resident-ID holder is not asked for it."""
    foreigner = make_passport_holder(session, "John Michael O'Brien", employer=world.enterprise.org)
    local = make_user(session, employer=world.enterprise.org)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    pages, chinese = {}, {}
    for person in (foreigner, local):
        started = applications.start_application(
            session, handler, applications.StartInput(person.id, "工程", "土木工程", "中级"), clock.now
        )
        chinese[person.id] = login_as(person).get(f"/me/applications/{started.id}").text
        pages[person.id] = in_english(login_as(person)).get(f"/me/applications/{started.id}").text
    assert 'id="slot-foreign_permit"' in pages[foreigner.id]
    assert "Foreigner&#39;s work or residence permit" in pages[foreigner.id]
    # The permit HR recorded, by name (seen: the list of all three, his among them).
    recorded = "A scan or phone photo of the Foreigner&#39;s Work Permit recorded when the account was opened"
    assert recorded in pages[foreigner.id]
    assert "开设账号时登记的外国人来华工作许可证的原件扫描件或手机照片" in chinese[foreigner.id]
    assert 'id="slot-foreign_permit"' not in pages[local.id]


def test_the_identity_document_slot_asks_for_the_document_the_account_was_opened_with(
    world: World, session: Session, login_as: Any, clock: Clock
) -> None:
    """Seen in English: a passport holder and a Hong Kong resident were asked for “both sides of the
    resident identity card”; the slot now names the document HR registered, in both languages."""
    people = {
        "passport": ("E12345678", "the passport&#39;s personal data page", "护照个人资料页"),
        "hk_macau_permit": (
            "H12345678",
            "both sides of the Mainland travel permit for Hong Kong",
            "港澳居民来往内地通行证正反面",
        ),
        "resident_id": (None, "both sides of the resident identity card", "居民身份证正反面"),
    }
    handler = world.enterprise.actor(StaffRole.HANDLER)
    for document, (number, english, chinese) in people.items():
        person = make_user(session, employer=world.enterprise.org)
        if number is not None:
            with_document(person, document, number)
        started = applications.start_application(
            session, handler, applications.StartInput(person.id, "工程", "土木工程", "中级"), clock.now
        )
        browser = login_as(person)
        assert chinese in browser.get(f"/me/applications/{started.id}").text
        page = in_english(browser).get(f"/me/applications/{started.id}").text
        assert english in page, document
        if document != "resident_id":
            assert "resident identity card" not in page, document


def test_reviewers_see_which_document_an_applicants_number_belongs_to(
    world: World, session: Session, login_as: Any, clock: Clock
) -> None:
    """Seen in English on the review page: John Smith's “ID number E9*****32” did not say it was a passport
    number, nor did the printed form's 证件号码; a resident ID holder's stays as it was. The label names the
    document now (“Passport number”), as the certificate's 护照号码 does."""
    foreigner = make_passport_holder(session, "John Smith", employer=world.enterprise.org, number="E98765432")
    local = make_user(session, employer=world.enterprise.org)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    started = {
        person.id: applications.start_application(
            session, handler, applications.StartInput(person.id, "工程", "土木工程", "中级"), clock.now
        )
        for person in (foreigner, local)
    }
    browser = login_as(world.enterprise.handler)
    page = in_english(browser).get(f"/review/applications/{started[foreigner.id].id}").text
    assert '<dt id="applicant-number-label">Passport number</dt><dd id="applicant-id">E9*****32' in page
    # The printed form, in Chinese as the authorities receive it, names the passport number as such.
    assert '<dt>护照号码</dt><dd class="prewrap">E9*****32</dd>' in page
    plain = browser.get(f"/review/applications/{started[local.id].id}").text
    assert "（居民身份证）" not in plain
    assert '<dt>身份证号码</dt><dd class="prewrap">' in plain
    assert '<dt id="applicant-number-label">ID card number</dt>' in plain


def test_a_foreign_applicants_number_is_called_a_passport_number_on_every_page_about_him(
    world: World, session: Session, login_as: Any, clock: Clock
) -> None:
    """Seen in English: the demo's German engineer (a passport with a work permit) read “ID number” beside his
    passport number on his own page, and so did his HR and his reviewers: a passport is no ID card. Each
    page that knows the document names it (“Passport number”, 护照号码 as his certificate says), his own
    case page included."""
    draft = FOREIGN_APPLICANT
    person = make_passport_holder(
        session,
        draft.name,
        employer=world.enterprise.org,
        number=draft.id_number,
        nationality=draft.nationality or "",
        permit_no=draft.permit_no or "",
    )
    handler = world.enterprise.actor(StaffRole.HANDLER)
    started = applications.start_application(
        session, handler, applications.StartInput(person.id, "工程", "电子信息工程", "中级"), clock.now
    )
    pages = {
        "his own case page": (person, f"/me/applications/{started.id}"),
        "HR's applicant page": (world.enterprise.handler, f"/enterprise/applicants/{person.id}"),
        "the review page": (world.enterprise.handler, f"/review/applications/{started.id}"),
    }
    for where, (reader, url) in pages.items():
        browser = login_as(reader)
        assert "护照号码" in browser.get(url).text, where
        page = in_english(browser).get(url).text
        assert "Passport number" in page, where
        assert "ID number" not in page, where
