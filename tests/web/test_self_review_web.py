"""SCOPE-13 / WIN-02 on screen: the admin's 受理批次 page shows a self-review unit's window as 未报备，不开放
until the unit's written filing is recorded there (audited, bureau admin only), and the unit's staff and HR
see that window only once it is filed; until then submission names the filing duty."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, PolicyWindow
from portal.services import policies
from tests.conftest import Clock
from tests.factories import World, make_world
from tests.i18n.reading import assert_english, in_english
from tests.services.test_eligibility_service import draft, submit
from tests.services.test_self_review import FILING as FILED
from tests.services.test_self_review import GZ, own_window, with_unit, with_unit_batch
from tests.services.test_self_review import admin as admin_of

IN_Q4 = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
HX = {"HX-Request": "true"}
FILING = {"filed_on": "2026-10-08", "filed_with": "赣州市职称工作办公室", "filing_ref": "某企〔2026〕2号"}


@pytest.fixture
def world(session: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(session, policy_profile="ganzhou-2026")
    assert world.enterprise.org.uscc is not None
    patched = {**policies.profiles(), "ganzhou-2026": with_unit(GZ, world.enterprise.org.uscc)}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    return world


def test_the_admin_records_the_filing_and_the_window_opens(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    application, applicant = draft(session, world, IN_Q4)
    window_id = own_window(session, world)
    hr = login_as(world.enterprise.handler)
    assert "自主认定第四批" not in hr.get("/enterprise/applicants").text
    person = login_as(applicant)
    page = html.unescape(person.get(f"/me/applications/{application.id}").text)
    assert "本批次尚未录入报备，暂不受理" in page
    browser = login_as(world.admin)
    listed = browser.get("/admin/policy").text
    assert "未报备，不开放" in listed and f"filing={window_id}" in listed
    form_page = browser.get(f"/admin/policy?filing={window_id}").text
    assert 'id="filing-form"' in form_page and "录入书面报备" in form_page
    late = browser.post(
        f"/admin/policy/windows/{window_id}/filing", data={**FILING, "filed_on": "2026-10-15"}, headers=HX
    )
    assert (
        late.status_code == 422
        and "应早于受理开始日期" in late.text
        and 'value="某企〔2026〕2号"' in late.text
    )
    # The summary names the field to change and links to it (it said only "有1处需要修改").
    summary = late.text.split('id="filing-problems"', 1)[1].split("</div>", 1)[0]
    assert "有1处需要修改" in summary and '<a href="#f-filed-on">报备日期</a>' in summary
    assert browser.post(f"/admin/policy/windows/{window_id}/filing", data=FILING).status_code == 303
    listed = browser.get("/admin/policy").text
    assert "未报备，不开放" not in listed and "某企〔2026〕2号" in listed
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "policy_window_filing")).one()
    assert event.object_id == window_id and event.detail["after"]["filed_with"] == "赣州市职称工作办公室"
    assert "自主认定第四批" in hr.get("/enterprise/applicants").text
    assert "本批次尚未录入报备" not in html.unescape(person.get(f"/me/applications/{application.id}").text)


def test_only_the_bureau_admin_records_a_filing(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    window_id = own_window(session, world)
    for user in (world.bureau.handler, world.bureau.leader, world.enterprise.leader):
        refused = login_as(user).post(f"/admin/policy/windows/{window_id}/filing", data=FILING)
        assert refused.status_code == 403
    assert session.get(PolicyWindow, window_id).filed_on is None  # type: ignore[union-attr]


def test_a_window_entered_for_the_unit_says_it_waits_for_the_filing(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    browser = login_as(world.admin)
    form = {
        "batch_id": "own-1",
        "batch_name": "自主认定第一批",
        "authority": "gz-own",
        "levels": ["中级"],
        "opens": "2026-11-02",
        "closes": "2026-11-30",  # inside the shared fourth batch: no clash, the unit keeps its own dates
        "citation": "某企〔2026〕3号",
    }
    assert browser.post("/admin/policy/windows", data=form).status_code == 303
    page = browser.get("/admin/policy").text
    assert "录入其向同级职称部门的书面报备后才开放受理" in page and "未报备，不开放" in page


def test_the_shared_batch_says_which_of_the_units_levels_it_is_for(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A unit certifying only 中级 still sees the shared batch (its other levels' staff apply in it): the
    listing says for which levels, and that 中级 is the unit's own; the admin's page says whom it skips."""
    clock.now = IN_Q4
    hr = html.unescape(login_as(world.enterprise.handler).get("/enterprise/applicants").text)
    assert "本单位仅员级、助理级按本批次申报；中级由某链主企业职称自主评审委员会自主认定" in hr
    other = html.unescape(login_as(world.other_enterprise.handler).get("/enterprise/applicants").text)
    assert "按本批次申报" not in other
    admin_page = html.unescape(login_as(world.admin).get("/admin/policy").text)
    assert "不适用于自主评审单位的本单位人员：某链主企业职称自主评审委员会（中级）" in admin_page
    english = html.unescape(in_english(login_as(world.enterprise.handler)).get("/enterprise/applicants").text)
    assert "For this unit, only" in english and "apply in this batch" in english
    assert_english(in_english(login_as(world.admin)).get("/admin/policy").text)


def test_from_december_the_units_home_shows_the_year_end_and_what_is_unfinished(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """REP-01 (001 四(七)): the unit finishes the year's recognition by 12-31 and reports it to the city;
    from December its enterprise's home says so and lists its submitted applications still undecided."""
    window_id = own_window(session, world, opens="2026-11-25", closes="2026-12-20")
    policies.record_filing(session, admin_of(world), window_id, FILED, IN_Q4)
    application, applicant = draft(session, world, IN_Q4)
    december = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    submit(session, application, applicant, december)
    session.flush()
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    hr = login_as(world.enterprise.handler)
    assert 'id="year-end"' not in hr.get("/enterprise/applicants").text
    clock.now = december
    hr = login_as(world.enterprise.handler)  # a new session: the clock moved past the idle limit
    page = html.unescape(hr.get("/enterprise/applicants").text)
    assert (
        "某链主企业职称自主评审委员会须于2026年12月31日前完成本年度考核认定" in page and "001 四(七)" in page
    )
    assert "尚有1份申报未办结" in page and f"/review/applications/{application.id}" in page
    other = login_as(world.other_enterprise.handler).get("/enterprise/applicants").text
    assert 'id="year-end"' not in other
    assert_english(in_english(hr).get("/enterprise/applicants").text)


def test_the_admin_files_a_units_window_written_in_the_file(
    world: World, session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit's window in the TOML profile offered no 录入报备 (only admin rows did), so it never opened: it
    offers it now, the page says where the filing is kept, and once filed the window opens for the unit."""
    assert world.enterprise.org.uscc is not None
    patched = {**policies.profiles(), "ganzhou-2026": with_unit_batch(GZ, world.enterprise.org.uscc)}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    clock.now = IN_Q4
    browser = login_as(world.admin)
    listed = html.unescape(browser.get("/admin/policy").text)
    link = "/admin/policy?filing_batch=own-file&filing_authority=gz-own"
    assert "未报备，不开放" in listed and link in listed
    form_page = html.unescape(browser.get(link).text)
    assert 'id="filing-form"' in form_page and "本批次写在政策配置文件中" in form_page
    assert 'name="batch_id" value="own-file"' in form_page and 'action="/admin/policy/filings"' in form_page
    assert_english(in_english(login_as(world.admin)).get(link).text)
    posted = {**FILING, "batch_id": "own-file", "authority": "gz-own"}
    late = browser.post("/admin/policy/filings", data={**posted, "filed_on": "2026-11-02"}, headers=HX)
    assert late.status_code == 422 and "应早于受理开始日期" in late.text and 'value="own-file"' in late.text
    assert browser.post("/admin/policy/filings", data=posted).status_code == 303
    listed = html.unescape(browser.get("/admin/policy").text)
    assert "未报备，不开放" not in listed and "某企〔2026〕2号" in listed
    assert "自主认定第四批" in login_as(world.enterprise.handler).get("/enterprise/applicants").text
    assert (
        browser.post(
            "/admin/policy/filings", data={**posted, "batch_id": "2026-4", "authority": "all"}
        ).status_code
        == 404
    )
    assert login_as(world.bureau.leader).post("/admin/policy/filings", data=posted).status_code == 403


def test_a_draft_from_before_the_unit_says_it_goes_to_the_unit(
    world: World, session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCOPE-13: the applicant of a draft started under the regional authority before the unit was
    configured reads that it goes to the unit at submission, and the unit's filing duty refuses it for now."""
    clock.now = IN_Q4
    with_the_unit = policies.profiles()
    monkeypatch.setattr(policies, "profiles", lambda: {**with_the_unit, "ganzhou-2026": GZ})
    application, applicant = draft(session, world, IN_Q4)
    monkeypatch.setattr(policies, "profiles", lambda: with_the_unit)
    own_window(session, world)
    person = login_as(applicant)
    page = html.unescape(person.get(f"/me/applications/{application.id}").text)
    assert "本申报发起时为赣州市职称工作办公室，提交时改由某链主企业职称自主评审委员会受理" in page
    assert "本批次尚未录入报备，暂不受理" in page
    assert_english(in_english(person).get(f"/me/applications/{application.id}").text)


def test_the_units_year_end_refusal_numbers_its_clause_in_english(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The clause was passed as plain text: "…finishes the year's recognition by 31 Dec 2026 (001 四(七))".
    from tests.i18n.reading import HAN

    clock.now = IN_Q4
    browser = in_english(login_as(world.admin))
    late = {
        "batch_id": "own-5", "batch_name": "自主认定第五批", "authority": "gz-own", "levels": ["中级"],
        "opens": "2026-12-01", "closes": "2027-01-15", "citation": "某企〔2026〕5号",
    }  # fmt: skip
    refused = browser.post("/admin/policy/windows", data=late)
    assert refused.status_code == 422
    text = html.unescape(re.sub(r"<[^>]+>", "", refused.text))
    said = text[text.index("A self-review unit finishes") :].split("\n")[0]
    assert "(001 4(7)): the window must close by 31 Dec 2026" in said and not HAN.search(said), said
