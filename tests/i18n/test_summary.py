"""The applicant's English summary of their own application (issue 24): a page and a PDF, in English
whatever the interface language, with what people wrote kept as written and marked Chinese; only the
applicant sees it."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import StaffRole
from portal.services import corrections
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    make_application,
    make_staff,
    make_staff_application,
    make_user,
    make_world,
)
from tests.i18n.reading import in_english, leaks


def _returned(session: Session, clock: Clock) -> Any:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"education": "毕业证书扫描件不清晰"}, "2026-10-20"),
        clock.now,
    )
    session.refresh(application)
    return world, application


def test_the_summary_page_is_english_with_chinese_data_marked(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, application = _returned(session, clock)
    browser = login_as(application.applicant)
    page = browser.get(f"/me/applications/{application.id}/summary")  # the UI language is Chinese
    assert page.status_code == 200
    lang, runs = leaks(page.text)
    assert lang == "en" and runs == []
    text = page.text
    assert "Application summary" in text and "Returned for correction" in text
    assert "What to correct (all items at once)" in text
    assert "Please change the items below and resubmit before 20 Oct 2026." in text
    # The return named the 申报表's whole 学历学位 section (issue 21: sections, rows and fields can be named).
    named = '<strong>Education and degrees (all)</strong>: <span lang="zh-CN">毕业证书扫描件不清晰</span>'
    assert named in text
    assert f'<span lang="zh-CN">{application.applicant.name}</span>' in text
    assert "working days left" in text  # 2026-09-28 to 2026-10-20, the National Day week not counted
    # The Chinese page links to it, in English and saying so.
    detail = browser.get(f"/me/applications/{application.id}").text
    assert f'href="/me/applications/{application.id}/summary" lang="en" hreflang="en"' in detail


def test_a_submitted_form_shown_in_chinese_says_so_in_english_and_links_the_summary(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Once submitted, the 申报表 is the printed Chinese form: an English reader saw only Chinese under
    "Application form" (demo walk, finding F3); the Chinese interface needs no such line."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    browser = login_as(application.applicant)
    assert 'id="printed-form-language"' not in browser.get(f"/me/applications/{application.id}").text
    page = in_english(browser).get(f"/me/applications/{application.id}").text
    note = page.split('id="printed-form-language"')[1].split("</p>")[0]
    assert "as the reviewing authorities receive it, in Chinese" in note
    assert f'href="/me/applications/{application.id}/summary"' in note


def test_the_summary_pdf_is_english(session: Session, clock: Clock, login_as: Any) -> None:
    _world, application = _returned(session, clock)
    response = login_as(application.applicant).get(f"/me/applications/{application.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "summary.pdf" in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for words in ("Application summary", "Returned for correction", "Submit application", "History"):
        assert words in text


def _embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts a PDF's pages use, without the subset's prefix (ABCDEF+)."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").partition("+")[2])
    return names


def test_the_summary_pdf_sets_english_in_a_latin_font_and_chinese_in_noto_cjk(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen in the English summary PDF: its Latin text was set in Noto Sans CJK's Latin glyphs (a CJK font's),
    the page number in DejaVu Serif. The shared fonts.css sets English in Liberation Sans, every Han
    character falling back to Noto Sans CJK (no tofu: the names and units read back as written)."""
    _world, application = _returned(session, clock)
    pdf = login_as(application.applicant).get(f"/me/applications/{application.id}/summary.pdf").data
    fonts = _embedded_fonts(pdf)
    assert {"Liberation-Sans", "Liberation-Sans-Bold"} <= fonts, fonts
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in fonts), fonts
    assert not any(name.startswith("DejaVu") for name in fonts), fonts
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert application.applicant.name in text and application.enterprise.name in text
    assert "毕业证书扫描件不清晰" in text


def test_only_the_applicant_sees_their_summary(session: Session, clock: Clock, login_as: Any) -> None:
    world, application = _returned(session, clock)
    stranger = login_as(make_user(session, employer=world.enterprise.org))
    for suffix in ("summary", "summary.pdf"):
        assert stranger.get(f"/me/applications/{application.id}/{suffix}").status_code == 404
    handler = login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id)
    assert handler.get(f"/me/applications/{application.id}/summary").status_code in (403, 404)


def test_a_revoked_certificate_reads_with_an_english_colon(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The summary's 证书已撤销 line read "Certificate revoked 3 Nov 2026：材料造假" (a template's colon).
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    application.certificate_no = "2026GZ00001"
    application.certified_at = clock.now
    application.certificate_revoked_at = clock.now
    application.certificate_revoked_reason = "材料造假"
    session.flush()
    text = login_as(application.applicant).get(f"/me/applications/{application.id}/summary").text
    line = next(part for part in text.split("<dt>") if part.startswith("Certificate revoked")).split("</dd>")[
        0
    ]
    assert "：" not in line and ': <span lang="zh-CN">材料造假</span>' in line, line


def test_the_summary_says_what_her_progress_says_where_her_unit_cannot_review_her_case(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Her unit's only handler applied (services.staffing): the summary and its PDF carry the same line as
    her progress page, in English."""
    world = make_world(session)
    applicant, application = make_staff_application(
        session, world, clock.now, StaffRole.HANDLER, steps=STEPS_TO[Status.SUBMITTED]
    )
    session.commit()
    browser = login_as(applicant, membership_id=0)
    words = "Your application cannot move on: your organisation has no other handler to do its first review"
    page = browser.get(f"/me/applications/{application.id}/summary").text
    assert words in page and 'id="route-blocked"' in page
    assert leaks(page) == ("en", [])  # no untranslated Chinese around it
    pdf = browser.get(f"/me/applications/{application.id}/summary.pdf").data
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert words in text
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "新经办人")
    session.commit()
    assert words not in browser.get(f"/me/applications/{application.id}/summary").text
