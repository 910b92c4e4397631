"""ACC-04 (Kunming 004 一(二)): applicants register their own account where the bureau's profile allows it,
and the unit's HR attach that account instead of opening a second one. The registration page is linked
from the login page and exists only under such a profile (elsewhere: no link, 404); fields are checked as
HR's form checks them; a taken number or phone gets one message naming neither; the page is limited per
address as the login is. The registered applicant sees that no unit holds the account yet and what to
do; HR attach it only under the name it was registered with."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import xlsxwriter
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.accounts import ApplicantDraft
from portal.domain.errors import ValidationFailed
from portal.domain.identity import complete_resident_id
from portal.extensions import limiter
from portal.models import AuditEvent, User
from portal.services.submissions import new_token
from tests.factories import World, make_user, make_world
from tests.i18n.reading import in_english

PASSWORD = "Kunming#Reg2026x"
HX = {"HX-Request": "true"}


@pytest.fixture
def kunming(session: Session) -> World:
    return make_world(session, policy_profile="kunming-2022")


def _id_ending_in_x(prefix: str = "53011319880607") -> str:
    return next(
        number
        for serial in range(1000)
        if (number := complete_resident_id(f"{prefix}{serial:03d}")).endswith("X")
    )


def _typed(**changes: str) -> dict[str, str]:
    return {
        "name": "李 春燕",
        "document_type": "resident_id",
        "id_number": _id_ending_in_x().lower(),  # typed with a lowercase x
        "phone": "139 7090 8801",
        "password": PASSWORD,
        "confirm": PASSWORD,
    } | changes


def _register(client: Any, world: World, **changes: str) -> Any:
    return client.post(f"/register/{world.bureau.org.id}", data=_typed(**changes))


def _user(session: Session, id_number: str) -> User | None:
    return session.scalars(select(User).where(User.id_number == id_number)).first()


def test_kunming_login_links_registration_and_an_account_is_made_that_logs_in(
    kunming: World, session: Session, client: Any
) -> None:
    login = client.get("/login")
    assert f'href="/register/{kunming.bureau.org.id}"' in login.text and "申报人注册" in login.text
    page = client.get(f"/register/{kunming.bureau.org.id}")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text and "无需选择单位" in page.text
    assert "至少12位" in page.text and "不与最近" not in page.text  # no earlier password to repeat

    done = _register(client, kunming)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    user = _user(session, _id_ending_in_x())
    assert user is not None  # stored canonical: the same normaliser as HR's form (uppercase X)
    assert (user.name, user.phone, user.employer_id) == ("李春燕", "13970908801", None)
    assert user.registered_with_id == kunming.bureau.org.id and not user.must_change_password
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_applicant")).one()
    assert event.object_id == user.id and event.outcome == "ok"
    assert user.id_number not in str(event.detail) and user.phone not in str(event.detail)

    logged_in = client.post("/login", data={"login": "13970908801", "password": PASSWORD})
    assert logged_in.status_code == 303


def test_bad_fields_are_refused_as_on_hrs_form_and_nothing_is_made(
    kunming: World, session: Session, client: Any
) -> None:
    bad_id = _id_ending_in_x()[:-1] + "0"
    refused = _register(client, kunming, id_number=bad_id, phone="12345", password="short", confirm="other")
    assert refused.status_code == 422
    assert "校验" in refused.text  # the check character, in the normaliser's own words
    assert 'id="e-phone"' in refused.text and 'id="e-password"' in refused.text
    assert "两次输入的密码不一致" in refused.text
    assert _user(session, bad_id) is None
    passport = _register(client, kunming, document_type="passport", id_number="E12345678")
    assert passport.status_code == 422 and "请由所在单位经办人核验后为您开设账号" in passport.text


def test_a_taken_number_or_phone_gets_one_message_naming_neither(
    kunming: World, session: Session, client: Any
) -> None:
    holder = make_user(session, "王某", employer=kunming.enterprise.org)
    by_number = _register(client, kunming, id_number=holder.id_number, name="王某")
    by_phone = _register(client, kunming, phone=holder.phone)
    for refused in (by_number, by_phone):
        assert refused.status_code == 422 and "不能重复注册" in refused.text
        assert kunming.enterprise.org.name not in refused.text and "王某" not in refused.text.replace(
            'value="王某"', ""
        )
        assert 'id="e-id-number"' not in refused.text and 'id="e-phone"' not in refused.text
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "register_applicant", AuditEvent.outcome == "denied")
    ).all()
    assert len(denied) == 2 and all(holder.id_number not in str(e.detail) for e in denied)


def test_elsewhere_there_is_no_link_and_the_page_is_not_found(session: Session, client: Any) -> None:
    ganzhou = make_world(session, policy_profile="ganzhou-2026")
    assert "申报人注册" not in client.get("/login").text
    assert client.get(f"/register/{ganzhou.bureau.org.id}").status_code == 404
    assert _register(client, ganzhou).status_code == 404
    assert _user(session, _id_ending_in_x()) is None
    # Beside a Kunming bureau, the login page links only Kunming's page, and only a bureau's page exists.
    kunming = make_world(session, policy_profile="kunming-2022")
    login = client.get("/login").text
    assert f"/register/{kunming.bureau.org.id}" in login and f"/register/{ganzhou.bureau.org.id}" not in login
    assert client.get(f"/register/{kunming.bureau.org.id}").status_code == 200
    assert client.get(f"/register/{ganzhou.bureau.org.id}").status_code == 404
    assert client.get(f"/register/{kunming.enterprise.org.id}").status_code == 404


@pytest.fixture
def tight_limit(app: Flask) -> Iterator[None]:
    """The per-address limit at 3 an hour, counts reset (as tests/security/conftest.py does for login)."""
    previous = app.config["PORTAL_LOGIN_RATE_LIMIT"]
    app.config["PORTAL_LOGIN_RATE_LIMIT"] = "3 per hour"
    limiter.reset()
    yield
    app.config["PORTAL_LOGIN_RATE_LIMIT"] = previous
    limiter.reset()


def test_registration_is_limited_per_address_like_the_login(
    kunming: World, app: Flask, session: Session, tight_limit: None
) -> None:
    client = app.test_client()
    statuses = [_register(client, kunming, phone="12345").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    other_ip = client.post(
        f"/register/{kunming.bureau.org.id}",
        data=_typed(phone="12345"),
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other_ip.status_code == 422
    assert client.get(f"/register/{kunming.bureau.org.id}").status_code == 200  # reading is not limited


def _registered(session: Session, world: World, client: Any) -> User:
    assert _register(client, world).status_code == 303
    user = _user(session, _id_ending_in_x())
    assert user is not None
    return user


def test_a_registered_applicant_sees_that_no_unit_holds_the_account_and_cannot_apply(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    browser = login_as(user)
    home = browser.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/account/employer")
    page = browser.get("/account/employer")
    assert page.status_code == 200 and "尚未关联用人单位" in page.text and "证件号码" in page.text
    assert "账号关联到单位之前不能申报" in page.text and user.id_number not in page.text
    # In English the two sentences of what to do keep a space between them (it read “employer.When”).
    english = in_english(browser).get("/account/employer").text
    assert "attaches the account you registered to your employer. When they attach it" in english
    mine = browser.get("/me/applications")  # the applicant's pages send them to the explanation, not a 403
    assert mine.status_code == 302 and mine.headers["Location"].endswith("/account/employer")
    # Nobody can start an application for them either: no unit holds the account.
    hr = login_as(kunming.enterprise.handler)
    started = hr.post(
        "/enterprise/applications",
        data={
            "applicant_id": str(user.id),
            "series": "工程",
            "specialty": "采矿工程",
            "level": "中级",
            "pathway": "评审",
        },
    )
    assert started.status_code == 422 and "请选择本单位的申报人" in started.text


def _hr_form(user: User, **changes: str) -> dict[str, str]:
    return {
        "name": user.name,
        "document_type": "resident_id",
        "id_number": user.id_number,
        "phone": user.phone,
        "employment_type": "labour_contract",
    } | changes


def test_kunming_hr_attach_the_registered_account_and_the_applicant_sees_the_unit(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    hr = login_as(kunming.enterprise.handler)
    live = hr.post("/enterprise/applicants/validate?field=id_number", data=_hr_form(user), headers=HX)
    assert "已有工作人员账号" not in live.text and 'id="id-number-registered"' in live.text
    attached = hr.post("/enterprise/applicants", data=_hr_form(user), headers=HX)
    assert attached.status_code == 200 and "现已关联到本单位" in attached.text
    # A new first password for HR to hand over in person: the registration proved nobody's identity.
    assert "已关联本人注册的账号" in attached.text and 'class="password"' in attached.text
    session.refresh(user)
    assert (user.employer_id, user.employment_type) == (kunming.enterprise.org.id, "labour_contract")
    assert user.must_change_password
    assert session.scalars(select(User).where(User.name == user.name)).all() == [user]
    assert session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "attach_registered_applicant", AuditEvent.object_id == user.id
        )
    ).one()

    first = login_as(user).get("/me/applications")
    assert first.status_code == 302 and "password" in first.headers["Location"]  # change it first
    user.must_change_password = False  # as after the holder changed it at first login
    session.flush()
    mine = login_as(user).get("/me/applications")
    assert mine.status_code == 200 and kunming.enterprise.org.name in mine.text
    assert login_as(user).get("/account/employer").status_code == 302

    # Now held by a unit, it is not taken over by another one: the transfer flow stays.
    other = login_as(kunming.other_enterprise.handler).post(
        "/enterprise/applicants", data=_hr_form(user), headers=HX
    )
    assert other.status_code == 422 and "申请转入本单位" in other.text
    session.refresh(user)
    assert user.employer_id == kunming.enterprise.org.id


def test_a_name_other_than_the_registered_one_is_refused(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    hr = login_as(kunming.enterprise.handler)
    refused = hr.post("/enterprise/applicants", data=_hr_form(user, name="李春艳"), headers=HX)
    assert refused.status_code == 422 and "与其注册的姓名不一致，不能关联该账号" in refused.text
    session.refresh(user)
    assert user.employer_id is None


def test_hr_attach_a_hong_kong_residents_registration_whatever_the_case_and_spacing_of_the_name(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    """Seen in English: LEUNG Ka-ming registered with a Macao permit; HR typed “Leung Ka-Ming” from the
    permit and were told the name differs from the registered one. The same name in another case (or
    spaced otherwise next to its Chinese characters) is the same name."""
    for name, typed, number, phone in (
        ("LEUNG Ka-ming", "Leung Ka-Ming", "M1234567801", "13970908811"),
        ("陈大文 CHAN Tai Man", "陈大文CHAN TAI MAN", "H12345678", "13970908812"),
    ):
        permit = {"document_type": "hk_macau_permit", "id_number": number, "phone": phone}
        assert _register(client, kunming, name=name, **permit).status_code == 303
        user = _user(session, number)
        assert user is not None and user.name == name
        hr = login_as(kunming.enterprise.handler)
        attached = hr.post("/enterprise/applicants", data=_hr_form(user, name=typed, **permit), headers=HX)
        assert attached.status_code == 200 and "现已关联到本单位" in attached.text, typed
        session.refresh(user)
        assert user.employer_id == kunming.enterprise.org.id


def test_whoever_registered_in_someone_elses_name_loses_the_account_when_hr_attach_it(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    """Someone who knew a person's name and ID number registered in their name: HR, given the person's own
    mobile in front of them, attached the account, and the registrant kept its password (and session)."""
    from portal.models import AuthSession

    user = _registered(session, kunming, client)
    squatter = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert squatter.status_code == 303
    hr = login_as(kunming.enterprise.handler)
    attached = hr.post("/enterprise/applicants", data=_hr_form(user, phone="13912345678"), headers=HX)
    assert attached.status_code == 200 and "现已关联到本单位" in attached.text
    session.refresh(user)
    assert (user.phone, user.employer_id) == ("13912345678", kunming.enterprise.org.id)
    assert not session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all()
    assert client.get("/me/applications").status_code in (302, 303)  # the registrant's session ended
    again = client.post("/login", data={"login": "13912345678", "password": PASSWORD})
    assert again.status_code == 422 and "账号或密码不正确" in again.text  # the old password is void
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attach_registered_applicant")
    ).one()
    assert event.detail["phone_changed"] is True and event.detail["password_reset"] is True


def test_a_bulk_file_names_a_registered_person_and_sends_hr_to_the_single_form(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    user = _registered(session, kunming, client)
    rows = [
        ["*姓名（与证件及社保登记一致）", "证件类型", "*证件号码", "*手机号码", "*用工类型"],
        [user.name, "居民身份证", user.id_number, user.phone, "签订劳动合同的职工"],
    ]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    hr = login_as(kunming.enterprise.handler)
    checked = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(buffer.getvalue()), "名单.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 303
    report = hr.get(checked.headers["Location"]).text
    assert "已自行注册账号，请在“申报人账号”页为其单独开设账号" in report and "已有工作人员账号" not in report


def test_a_registered_account_is_not_an_expert_and_an_experts_account_is_not_attached(
    session: Session, client: Any, clock: Any
) -> None:
    """A self-registered account could join an expert pool (only HR-held applicants were refused), and an
    expert's self-registered account could then be attached as an applicant: one person both judging and
    applying. Each side now refuses the other."""
    from portal.models import Expert, StaffRole
    from portal.services import accounts, votes
    from tests.factories import make_committee, make_committee_world

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now)
    user = _registered(session, world, client)
    office = co.office.actor(StaffRole.HANDLER)
    expert = votes.ExpertInput(
        name=user.name, id_number=user.id_number, phone=user.phone, series="工程", specialty="建设工程",
        title="高级工程师", employer_name="东川区某设计院",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        votes.add_expert(session, office, expert, clock.now)
    assert "申报人账号" in refused.value.fields["id_number"]
    # One made an expert before it registered as an applicant (an older pool row): HR do not attach it.
    session.add(
        Expert(
            committee_id=co.committee.id, user_id=user.id, series="工程", specialty="建设工程",
            title="高级工程师", title_level="副高级", employer_name="东川区某设计院",
            appointed_on=clock.now.date(), term_ends=clock.now.date(), created_by_id=co.office.handler.id,
        )
    )  # fmt: skip
    session.flush()
    check = accounts.check_applicant_input(
        session, world.enterprise.actor(StaffRole.HANDLER), ApplicantDraft(**_hr_form(user)), clock.now
    )
    assert check.reuse is None and "已有工作人员账号" in check.problems["id_number"]


def test_the_bureau_admin_reads_a_registration_in_the_audit_log(
    kunming: World, session: Session, client: Any, login_as: Any
) -> None:
    """The registration is the registering person's act, before any unit holds the account: the admin of
    the bureau it registered with reads it (it was left out: no organisation, no employer), another
    bureau's admin does not."""
    assert _register(client, kunming).status_code == 303
    admin = login_as(kunming.admin, membership_id=kunming.admin_membership.id)
    log = admin.get("/admin/audit?action=register_applicant")
    assert log.status_code == 200 and "李春燕" in log.text
    other = make_world(session, policy_profile="kunming-2022")
    theirs = login_as(other.admin, membership_id=other.admin_membership.id)
    assert "李春燕" not in theirs.get("/admin/audit?action=register_applicant").text
    # A unit under the other bureau attaches the account: from then on that bureau reads the person's
    # acts (its employer's tree), and the bureau it registered with no longer does.
    user = _user(session, _id_ending_in_x())
    assert user is not None
    hr = login_as(other.enterprise.handler)
    assert hr.post("/enterprise/applicants", data=_hr_form(user), headers=HX).status_code == 200
    session.refresh(user)
    assert user.employer_id == other.enterprise.org.id
    assert "李春燕" not in admin.get("/admin/audit?action=register_applicant").text
    assert "李春燕" in theirs.get("/admin/audit?action=register_applicant").text
