"""The 公示 page's words are the service's (services.notices.page_words): each kind of organisation is told
its own rule and what it may put on a notice, a committee office with its bureau's profile's days and
clauses; the template shows them and compares no organisation kind itself."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.models import StaffRole
from portal.services import notices
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world, make_world

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "pages" / "notices" / "list_notices.html"


def test_each_kind_of_organisation_is_told_its_own_rule(session: Session, clock: Clock) -> None:
    world = make_world(session)
    enterprise = notices.page_words(session, world.enterprise.actor(StaffRole.HANDLER))
    assert enterprise.rule.startswith("经单位审核通过的申报人，须在本单位公示不少于5个工作日")
    assert enterprise.none_ready == "申报经单位领导签批通过后才能列入公示。"
    for office in (world.department, world.bureau):
        words = notices.page_words(session, office.actor(StaffRole.LEADER))
        assert words.rule.startswith("需要时，可将本环节审核中的申报公示不少于5个工作日")
        assert words.none_ready == "本环节审核中的申报可列入公示。"


def test_a_committee_office_reads_its_bureau_s_days_and_clauses(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    words = notices.page_words(session, made.office.actor(StaffRole.HANDLER))
    assert "公示期不少于5个工作日（004 一(五)）；" in words.rule
    assert "由职称办公布（004 一(一)）。" in words.rule
    assert words.none_ready == "评委会受理的申报可列入评前公示，已表决的申报可列入评审结果公示。"


def test_the_notice_page_template_compares_no_organisation_kind() -> None:
    assert "org.kind" not in TEMPLATE.read_text(encoding="utf-8")
