"""A certificate reached by the 评审 road says so: the committee passed it and the province's number was
recorded, nobody 认定'd it — its status, the applicant's message, the number's confirmation, the
certificate, the public check, the step history and the English summary follow the road the case took,
and the 考核认定 road reads exactly as before."""

from __future__ import annotations

import io
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, Notification, StaffRole
from portal.services import applications, certificates, results
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STEPS_TO, committee_road, make_application, make_world, staff_login
from tests.i18n.reading import assert_english, in_english


def _reviewed(session: Session, clock: Clock) -> tuple[Any, Application]:
    """A 评审 application whose published pass has its province's number recorded (the bureau's handler)."""
    world, _made, application = committee_road(session, clock, published=True)
    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, application.id, "JS2026-0000001", clock.now)
    session.refresh(application)
    assert application.state is Status.CERTIFIED
    return world, application


def _told(session: Session, application: Application) -> list[str]:
    return list(
        session.scalars(select(Notification.text).where(Notification.user_id == application.applicant_id))
    )


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_certificate_by_review_reads_as_passed_in_every_place(
    session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    world, application = _reviewed(session, clock)
    assert application.road_taken == "committee"
    told = _told(session, application)
    assert "您的申报已评审通过并发证，证书编号 JS2026-0000001。" in told
    assert not any("认定" in text for text in told)

    applicant = login_as(application.applicant)
    own = applicant.get(f"/me/applications/{application.id}").text
    assert "评审通过，已发证" in own and "已认定发证" not in own and "已认定，可下载电子证书" not in own
    listed = applicant.get("/me/applications").text
    assert "评审通过，已发证" in listed and "已认定发证" not in listed
    pdf = _pdf_text(applicant.get(f"/me/applications/{application.id}/certificate.pdf").data)
    assert "取得资格时间" in pdf and "认定日期" not in pdf

    review = staff_login(login_as, world.bureau).get(f"/review/applications/{application.id}").text
    assert "评审通过，已发证" in review and "已认定发证" not in review
    # HR's 代为填写 page of a case that can no longer change names its status by the road, too.
    hr_form = staff_login(login_as, world.enterprise).get(f"/enterprise/applications/{application.id}/form")
    assert "申报当前为“评审通过，已发证”，不能修改。" in hr_form.text and "已认定发证" not in hr_form.text

    number, code = application.certificate_no, application.certificate_code
    public = client.get(f"/public/certificates/{number}/{code}").text
    assert "取得资格时间" in public and "认定日期" not in public
    checked = certificates.verify(session, number or "", clock.now, code=code or "", record=False)
    assert checked.date_label == "取得资格时间"


def test_the_number_s_confirmation_on_the_review_road_says_passed(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _made, application = committee_road(session, clock, published=True)
    page = staff_login(login_as, world.bureau).get(f"/review/applications/{application.id}").text
    form = re.search(r'<form [^>]*id="record_certificate"[^>]*>', page)
    assert form is not None
    assert 'data-confirm="录入证书编号后本次申报即办结（评审通过，已发证），确定录入吗？"' in form.group(0)


def test_the_english_summary_of_a_certificate_by_review(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, application = _reviewed(session, clock)
    page = login_as(application.applicant).get(f"/me/applications/{application.id}/summary").text
    assert_english(page)
    assert "Passed review, certificate issued" in page and "Qualification obtained on" in page
    assert "Recognised" not in page
    timeline = applications.timeline(session, actor_for(application.applicant, None), application.id)
    assert timeline[-1].to_road == "committee" and timeline[-1].to_status_title == "评审通过，已发证"


def test_the_recognition_road_still_reads_recognised(
    session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    assert application.road_taken == "bureau"
    assert any(text.startswith("您的申报已认定发证，证书编号 ") for text in _told(session, application))

    applicant = login_as(application.applicant)
    own = applicant.get(f"/me/applications/{application.id}").text
    assert "已认定发证" in own and "评审通过，已发证" not in own
    hr_form = staff_login(login_as, world.enterprise).get(f"/enterprise/applications/{application.id}/form")
    assert "申报当前为“已认定发证”，不能修改。" in hr_form.text
    pdf = _pdf_text(applicant.get(f"/me/applications/{application.id}/certificate.pdf").data)
    assert "认定日期" in pdf and "取得资格时间" not in pdf
    public = client.get(f"/public/certificates/{application.certificate_no}/{application.certificate_code}")
    assert "认定日期" in public.text and "取得资格时间" not in public.text
    summary = applicant.get(f"/me/applications/{application.id}/summary").text
    assert "Recognised, certificate issued" in summary and "Recognised on" in summary
    assert "Passed review" not in summary
    english = in_english(applicant).get(f"/me/applications/{application.id}").text
    assert "Recognised, certificate issued" in english
