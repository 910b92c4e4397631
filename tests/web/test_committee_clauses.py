"""The committee road's pages cite the bureau's own notice: a provincial committee's intake dates (WIN-05)
and the committees' calls (WIN-07) are Dongchuan's rules, 004 二(二) and 004 一(三); under Zhenjiang's
profile, which has neither, the admin's hint and refusal and the calls page cite nothing of Dongchuan's."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import World, make_committee_world
from tests.i18n.reading import in_english

PROVINCIAL = {
    "name": "云南省工程系列高级职称评审委员会",
    "forming_unit": "云南省人社厅",
    "kind": "provincial",
}


def _admin(session: Session, clock: Clock, login_as: Any, profile: str) -> tuple[World, Any]:
    world = make_committee_world(session, clock.now, profile=profile)
    return world, login_as(world.admin, membership_id=world.admin_membership.id)


def test_dongchuan_s_admin_is_told_its_provincial_channel_and_clause(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, admin = _admin(session, clock, login_as, "kunming-2022")
    assert "省级评委会必填：网上申报在收审前7天开通（004 二(二)）" in admin.get("/committees").text
    refused = admin.post("/committees", data=PROVINCIAL)
    assert refused.status_code == 422
    assert "省级评委会请填写收审材料的起止日期（004 二(二)：据此开通和关闭网上申报）" in refused.text
    english = in_english(admin).get("/committees").text
    assert "online applications open 7 days before the intake (004 2(2))" in english


def test_zhenjiang_s_admin_is_told_no_clause_of_dongchuan_s(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, admin = _admin(session, clock, login_as, "zhenjiang-2024")
    page = admin.get("/committees").text
    assert "省级评委会必填<" in page and "004 二(二)" not in page and "收审前7天" not in page
    refused = admin.post("/committees", data=PROVINCIAL)
    assert refused.status_code == 422
    assert "省级评委会请填写收审材料的起止日期<" in refused.text and "004 二(二)" not in refused.text


def _calls_page(session: Session, clock: Clock, login_as: Any, profile: str) -> Any:
    """The bureau handler's calls page (评审通知) under ``profile``, and the client that read it."""
    world = make_committee_world(session, clock.now, profile=profile)
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    return bureau.get("/committees/calls").text, bureau


def test_the_calls_page_cites_dongchuan_s_call_rule_under_its_profile(
    session: Session, clock: Clock, login_as: Any
) -> None:
    page, bureau = _calls_page(session, clock, login_as, "kunming-2022")
    assert "发布前须报人社局备案（004 一(三)）。" in page
    assert "before publishing it (004 1(3))." in in_english(bureau).get("/committees/calls").text


def test_the_calls_page_states_no_call_rule_under_zhenjiang_s_profile(
    session: Session, clock: Clock, login_as: Any
) -> None:
    page, _bureau = _calls_page(session, clock, login_as, "zhenjiang-2024")
    assert "发布前须报人社局备案" not in page and "004 一(三)" not in page


def test_the_committees_page_s_rule_cites_the_bureau_s_own_clauses(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The committees page's rule said "（003 四、七(一)）", Zhenjiang's clauses, to every bureau."""
    _world, zhenjiang = _admin(session, clock, login_as, "zhenjiang-2024")
    rule = zhenjiang.get("/committees").text.split('id="committees-rule">')[1].split("</p>")[0]
    assert rule.endswith("的评委会评审（003 四、七(一)）。")
    english = in_english(zhenjiang).get("/committees").text.split('id="committees-rule">')[1]
    assert "(003 4, 7(1))" in english.split("</p>")[0]
    _world, kunming = _admin(session, clock, login_as, "kunming-2022")
    rule = kunming.get("/committees").text.split('id="committees-rule">')[1].split("</p>")[0]
    assert rule.endswith("的评委会评审。") and "003" not in rule
