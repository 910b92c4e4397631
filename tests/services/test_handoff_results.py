"""Importing what a provincial system sends back (issue 23.6): each row of its results Excel matched by ID
number with a verdict (matched, not found, wrong check character, number already used), applied once
after the preview and only as previewed, audited; nothing half-applied."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.workflow import Status
from portal.models import AuditEvent, HandoffResult, StaffRole
from portal.services import handoff_results
from tests.conftest import Clock
from tests.factories import STEPS_TO, STORAGE, make_application, make_world, resident_id


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号码", "证书编号", "认定结果", "认定日期"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rows_get_verdicts_and_only_the_matched_are_applied_once(session: Session, clock: Clock) -> None:
    world = make_world(session)
    first, second = (
        make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED]) for _ in range(2)
    )
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    bad = first.applicant.id_number[:-1] + ("0" if first.applicant.id_number[-1] != "0" else "1")
    data = _xlsx([
        [1, first.applicant.name, first.applicant.id_number, "JX2026-0001", "通过", "2026-12-01"],
        [2, "某某", bad, "JX2026-0002", "通过", "2026-12-01"],
        [3, "无此人", resident_id(), "JX2026-0003", "通过", "2026-12-01"],
        [4, second.applicant.name, second.applicant.id_number, "JX2026-0001", "通过", "2026-12-01"],
        [5, second.applicant.name, second.applicant.id_number, "", "好极了", ""],
    ])  # fmt: skip
    actor = world.enterprise.actor(StaffRole.HANDLER)  # the unit that handed them off
    record, rows = handoff_results.check_results(session, STORAGE, actor, "jx", data, "结果.xlsx", clock.now)
    assert [r.verdict for r in rows] == ["matched", "bad_id", "not_found", "conflict", "bad_result"]
    assert "第2行" in rows[3].reason and all(r.reason for r in rows[1:])
    assert session.scalars(select(HandoffResult)).all() == []  # the preview records nothing
    assert handoff_results.apply_results(session, STORAGE, actor, record.id, clock.now) == 1
    saved = session.scalars(select(HandoffResult)).all()
    assert [(r.application_id, r.certificate_no, r.outcome) for r in saved] == [
        (first.id, "JX2026-0001", "passed")
    ]
    with pytest.raises(DomainError, match="重复导入"):
        handoff_results.apply_results(session, STORAGE, actor, record.id, clock.now)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import_handoff_results")).one()
    assert event.detail["applied"] == [first.id] and len(event.detail["skipped"]) == 4
    # The same file again: the first row is now recorded, the number used.
    _again, rows = handoff_results.check_results(session, STORAGE, actor, "jx", data, "结果.xlsx", clock.now)
    assert rows[0].verdict == "recorded" and rows[3].verdict == "conflict"


def test_a_stale_preview_applies_nothing_and_a_file_without_the_column_is_refused(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED])
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    actor = world.enterprise.actor(StaffRole.HANDLER)  # the unit that handed them off
    row = [1, application.applicant.name, application.applicant.id_number, "JX-9", "通过", "2026-12-01"]
    early, _ = handoff_results.check_results(session, STORAGE, actor, "jx", _xlsx([row]), "a.xlsx", clock.now)
    later, _ = handoff_results.check_results(session, STORAGE, actor, "jx", _xlsx([row]), "b.xlsx", clock.now)
    handoff_results.apply_results(session, STORAGE, actor, later.id, clock.now)
    with pytest.raises(DomainError, match="预览结果已过时"):
        handoff_results.apply_results(session, STORAGE, actor, early.id, clock.now)
    assert len(session.scalars(select(HandoffResult)).all()) == 1
    with pytest.raises(ValidationFailed):
        book = Workbook()
        book.active.append(["姓名", "编号"])
        out = io.BytesIO()
        book.save(out)
        handoff_results.check_results(session, STORAGE, actor, "jx", out.getvalue(), "c.xlsx", clock.now)


def test_a_committee_road_result_waits_for_the_committee_s_published_result(
    session: Session, clock: Clock
) -> None:
    # A "passed" row reached the applicant's page (with its certificate number) while the committee had
    # yet to meet.
    from tests.factories import make_committee, make_committee_world, make_review_application, to_meeting

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    assert application.state is Status.AWAITING_MEETING
    row = [1, application.applicant.name, application.applicant.id_number, "JS2026-0001", "评审通过", ""]
    actor = world.bureau.actor(StaffRole.HANDLER)
    _record, rows = handoff_results.check_results(
        session, STORAGE, actor, "js", _xlsx([row]), "结果.xlsx", clock.now
    )
    assert [r.verdict for r in rows] == ["undecided"] and "待评审会" in rows[0].reason
    application.status = Status.RESULT_PUBLISHED.value
    session.flush()
    _record, rows = handoff_results.check_results(
        session, STORAGE, actor, "js", _xlsx([row]), "结果.xlsx", clock.now
    )
    assert [r.verdict for r in rows] == ["matched"]


def test_a_row_whose_name_is_not_the_applicant_s_is_not_registered(session: Session, clock: Clock) -> None:
    """Walk 5, item 4: a row "孙嘉仪" under 孙嘉怡's ID number was 匹配 and 确认登记 put its certificate
    number on her case (the 姓名 column was read, never compared). Names are compared as the roster
    compares them: width, spaces and the middle dot are no difference; another character is 姓名不一致,
    shown with both names and not registered. A file without names is still matched by the number alone."""
    world = make_world(session)
    sun, ali, chan, other = (
        make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED]) for _ in range(4)
    )
    sun.applicant.name, ali.applicant.name = "孙嘉怡", "买买提·艾力"
    chan.applicant.name, other.applicant.name = "陈大文 CHAN Tai Man", "陈大文"
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    data = _xlsx([
        [1, "孙嘉仪", sun.applicant.id_number, "赣2026-000124", "通过", "2026-12-01"],
        [2, "买买提艾力", ali.applicant.id_number, "赣2026-000125", "通过", "2026-12-01"],
        [3, "ＣＨＡＮ  TAI MAN", chan.applicant.id_number, "赣2026-000126", "通过", "2026-12-01"],
        [4, "陳大文", other.applicant.id_number, "赣2026-000127", "通过", "2026-12-01"],
    ])  # fmt: skip
    actor = world.enterprise.actor(StaffRole.HANDLER)
    record, rows = handoff_results.check_results(session, STORAGE, actor, "jx", data, "结果.xlsx", clock.now)
    assert [r.verdict for r in rows] == ["name_differs", "matched", "matched", "name_differs"]
    assert rows[0].verdict_title == "姓名不一致" and rows[0].application_id == sun.id
    assert "孙嘉仪" in rows[0].reason and "孙嘉怡" in rows[0].reason
    assert "繁体、简体" in rows[3].reason and "陈大文" in rows[3].reason
    assert record.matched_rows == 2
    assert handoff_results.apply_results(session, STORAGE, actor, record.id, clock.now) == 2
    saved = {r.application_id: r.certificate_no for r in session.scalars(select(HandoffResult))}
    assert saved == {ali.id: "赣2026-000125", chan.id: "赣2026-000126"}
    # Without a 姓名 column the ID number (with its check character) is the key, as before.
    book = Workbook()
    book.active.append(["身份证号码", "证书编号", "认定结果"])
    book.active.append([sun.applicant.id_number, "赣2026-000124", "通过"])
    out = io.BytesIO()
    book.save(out)
    _record, rows = handoff_results.check_results(
        session, STORAGE, actor, "jx", out.getvalue(), "结果.xlsx", clock.now
    )
    assert [r.verdict for r in rows] == ["matched"]
