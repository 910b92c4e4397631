"""The 批复 says its people "符合专业技术资格考核认定条件，同意认定": it names only certificates of the 认定
road. A certificate reached by 评审 is listed apart, by its committee and the 文号 its result was
published under (003 六(二)); the year-end report and the day's download carry both documents, the
hand-off's 批复 the 批复 alone."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, StaffRole
from portal.services import certificates, results
from tests.conftest import Clock
from tests.factories import STEPS_TO, committee_road, make_application, staff_login


def _text(data: bytes | None) -> str:
    from pypdf import PdfReader

    assert data is not None
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _both(session: Session, clock: Clock) -> tuple[Any, Any, Application, Application]:
    """One bureau, two certificates of the same day: one 认定'd, one passed by its committee."""
    world, made, reviewed = committee_road(session, clock, published=True)
    recognised = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    handler = world.bureau.actor(StaffRole.HANDLER)
    assert recognised.certified_at is not None
    results.record_certificate(session, handler, reviewed.id, "JS2026-0000001", recognised.certified_at)
    session.refresh(reviewed)
    assert reviewed.road_taken == "committee" and recognised.road_taken == "bureau"
    assert reviewed.applicant.name != recognised.applicant.name
    return world, made, reviewed, recognised


def test_the_approval_names_only_the_recognised_and_the_reviewed_have_their_own_list(
    session: Session, clock: Clock
) -> None:
    _world, made, reviewed, recognised = _both(session, clock)
    both = [reviewed, recognised]

    approval = _text(certificates.approval_of(session, both))
    assert recognised.applicant.name in approval and "下列1名同志符合专业技术资格考核认定条件" in approval
    assert reviewed.applicant.name not in approval and "JS2026-0000001" not in approval
    assert certificates.approval_of(session, [reviewed]) is None  # the hand-off sends no 批复 for it

    listed = _text(certificates.review_lists_of(session, both))
    committee = made.committee.name
    assert reviewed.applicant.name in listed and "JS2026-0000001" in listed
    assert committee in listed and "评审通过人员名单" in listed and "取得资格时间" in listed
    assert "文号〔2026〕1号" in listed  # the result's publication (tests.factories.to_published)
    assert recognised.applicant.name not in listed and "考核认定" not in listed
    assert certificates.review_lists_of(session, [recognised]) is None

    together = _text(certificates.certified_documents(session, both))
    assert together.index("考核认定条件") < together.index("评审通过人员名单")
    assert recognised.applicant.name in together and reviewed.applicant.name in together


def test_the_day_s_download_gives_the_approval_and_the_review_list(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, reviewed, recognised = _both(session, clock)
    day = reviewed.certified_at.astimezone(certificates.SHANGHAI).date()  # type: ignore[union-attr]
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    pdf = browser.post("/certificates/approval.pdf", data={"day": day.isoformat()})
    assert pdf.status_code == 200
    text = _text(pdf.data)
    approval, _, listed = text.partition("评审通过人员名单")
    assert recognised.applicant.name in approval and reviewed.applicant.name not in approval
    assert reviewed.applicant.name in listed and made.committee.name in listed


def test_the_jiangxi_certificate_sheet_lists_the_recognised_and_leaves_the_reviewed_out(
    session: Session, clock: Clock
) -> None:
    """考核认定通过人员证书信息.xlsx goes beside the 批复 to the city title office (000 四(六), 001 四(七)):
    it names whom the 批复 names — a certificate reached by 评审 was passed by a committee, not 认定'd."""
    import zipfile

    from openpyxl import load_workbook

    from portal.services import handoffs

    _world, _made, reviewed, recognised = _both(session, clock)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        handoffs.finish_export(
            session, handoffs.profile_of("jx"), [reviewed, recognised], handoffs.Export("jx"),
            handoffs.ZipSink(zf, clock.now),
        )  # fmt: skip
    with zipfile.ZipFile(out) as zf:
        sheet = load_workbook(io.BytesIO(zf.read("考核认定通过人员证书信息.xlsx")))["证书信息"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [recognised.applicant.name]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [1]  # numbered as listed

    alone = io.BytesIO()  # the reviewed alone: no sheet, as no 批复
    with zipfile.ZipFile(alone, "w") as zf:
        handoffs.finish_export(
            session,
            handoffs.profile_of("jx"),
            [reviewed],
            handoffs.Export("jx"),
            handoffs.ZipSink(zf, clock.now),
        )
    with zipfile.ZipFile(alone) as zf:
        assert "考核认定通过人员证书信息.xlsx" not in zf.namelist() and "批复.pdf" not in zf.namelist()
