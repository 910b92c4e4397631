"""The history's note on an application abandoned for a missed correction deadline reads in the reader's
language and cites the clause of the bureau's own notice: Zhenjiang's 003 五(二) (in English 003 5(2)),
nothing under Ganzhou's profile, whose notices do not state the rule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.services import corrections
from tests.conftest import Clock
from tests.factories import make_world, returned_summary
from tests.i18n.reading import in_english


def _pages(session: Session, clock: Clock, login_as: Any, profile: str) -> tuple[str, str]:
    """The applicant's page on their abandoned application, in Chinese and in English."""
    applicant, application_id = _abandoned(session, clock, profile)
    browser = login_as(applicant)
    chinese = browser.get(f"/me/applications/{application_id}").text
    return chinese, in_english(browser).get(f"/me/applications/{application_id}").text


def _abandoned(session: Session, clock: Clock, profile: str) -> tuple[Any, int]:
    world = make_world(session)
    application = returned_summary(session, world, clock.now)
    world.bureau.org.policy_profile = profile
    corrections.abandon_overdue(session, datetime(2026, 10, 21, 2, tzinfo=UTC))
    session.flush()
    return application.applicant, application.id


def test_zhenjiang_s_applicant_reads_the_note_with_003_in_either_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    chinese, english = _pages(session, clock, login_as, "zhenjiang-2024")
    assert "未在2026年10月20日前补正，视为放弃申报（003 五(二)）" in chinese
    assert "视为放弃申报" not in english
    assert "Not corrected by 20 Oct 2026: the application counts as given up (003 5(2))" in english


def test_ganzhou_s_applicant_reads_the_note_with_no_clause(
    session: Session, clock: Clock, login_as: Any
) -> None:
    chinese, english = _pages(session, clock, login_as, "ganzhou-2026")
    assert "未在2026年10月20日前补正，视为放弃申报<" in chinese and "003 五(二)" not in chinese
    assert "Not corrected by 20 Oct 2026: the application counts as given up<" in english
    assert "003 5(2)" not in english


def test_the_return_s_note_reads_in_the_reader_s_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The return's own note (…（请于…前补正）) was a Chinese f-string: the English history read it in
    Chinese. It is a message now; the reason the reviewer typed stays as written, marked Chinese."""
    world = make_world(session)
    application = returned_summary(session, world, clock.now)
    browser = login_as(application.applicant)
    chinese = browser.get(f"/me/applications/{application.id}").text
    assert "请补充近三年业绩（请于2026年10月20日前补正）" in chinese
    english = in_english(browser).get(f"/me/applications/{application.id}").text
    assert "前补正" not in english
    note = 'Work summary: <span lang="zh-CN">请补充近三年业绩</span> (to be corrected by 20 Oct 2026)</p>'
    assert note in english
