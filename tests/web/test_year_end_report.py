"""REP-01 on screen: the bureau's 年度认定报告 lists each county, district and park of its Ganzhou profile
with the year's decisions and certificates per batch, warns of the 12-31 deadline from December (the
profile's [year_end]), hands out each authority's certificate Excel and 批复, and records who reported."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, AuditEvent, StaffRole, YearEndReport
from portal.services import year_end
from portal.services.submissions import new_token
from tests.conftest import Clock, run_queued
from tests.factories import STEPS_TO, World, in_batch, make_application, make_world
from tests.i18n.reading import assert_english, in_english

IN_DECEMBER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
IN_OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
AFTER_DEADLINE = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def certified_by(session: Session, world: World, clock: Clock, authority: str, batch: str) -> Application:
    """A certificate of the county ``authority`` in ``batch`` (the factory's road certifies at the bureau;
    the authority and batch are what a county's 初级 application carries)."""
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    return in_batch(session, application, batch, authority=authority)


def _unlinked(html: str) -> str:
    """The report's row as it reads, the links of its certificate figures taken out (the figures kept)."""
    return re.sub(r"</?a\b[^>]*>", "", html)


def test_the_bureau_sees_each_county_with_its_years_work_and_the_december_warning(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_OCTOBER
    certified_by(session, world, clock, "gz-zhanggong", "2026-4")
    undecided = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    in_batch(session, undecided, "2026-4", authority="gz-zhanggong")
    browser = login_as(world.bureau.handler)
    page = browser.get("/certificates/year-end?year=2026")
    assert page.status_code == 200
    text = page.text
    assert "章贡区职称改革领导小组办公室" in text and "寻乌县职称改革领导小组" in text
    assert "赣州市职称工作办公室" not in text.split('id="year-end-authorities"')[1]  # the city is reported to
    row = _unlinked(text.split('id="authority-gz-zhanggong"')[1].split("</tr>")[0])
    assert "2026年第四批</span>：1 / 1 / 1" in row and "未上报" in row
    assert "2026年12月31日" in text and 'id="year-end-warning"' not in text  # October: no warning yet
    clock.now = IN_DECEMBER
    browser = login_as(world.bureau.handler)  # a new session: the October one has long expired
    december = browser.get("/certificates/year-end?year=2026").text
    assert 'id="year-end-warning"' in december and "尚有20个认定机构未上报" in december
    assert 'id="year-end-downloads-for-staff"' not in december  # they have the buttons
    assert "年度认定报告" in browser.get("/certificates").text  # in the navigation


def test_the_county_excel_and_approval_hold_its_certificates_only(
    app: Any, session: Session, world: World, clock: Clock, login_as: Any, queue: None
) -> None:
    clock.now = IN_OCTOBER  # certified in the fourth batch's window; reported in December
    ours = certified_by(session, world, clock, "gz-zhanggong", "2026-4")
    other = certified_by(session, world, clock, "gz-ganxian", "2026-4")
    clock.now = IN_DECEMBER
    browser = login_as(world.bureau.leader)
    pdf = browser.post(
        "/certificates/year-end/approval.pdf", data={"authority": "gz-zhanggong", "year": "2026"}
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "章贡区职称改革领导小组办公室" in words and ours.certificate_no in words
    assert other.certificate_no not in words
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export_approval")).one()
    assert event.detail["authority"] == "gz-zhanggong" and event.detail["rows"] == 1
    nobody = browser.post(
        "/certificates/year-end/approval.pdf", data={"authority": "gz-xunwu", "year": "2026"}
    )
    assert nobody.status_code == 303 and "/certificates/year-end?year=2026" in nobody.headers["Location"]
    assert (
        browser.post("/certificates/year-end/approval.pdf", data={"authority": "gz-city"}).status_code == 404
    )
    form = {"authority": "gz-zhanggong", "batch": "2026-4", "since": "2026-01-01", "until": "2026-12-31"}
    job = browser.post("/certificates/exports", data={**form, "form_token": new_token()})
    assert job.status_code == 303
    run_queued(app)
    with browser.get(job.headers["Location"] + "/download") as response:  # a streamed file: close it
        rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert [r[rows[0].index("证书编号")] for r in rows[1:]] == [ours.certificate_no]


def test_recording_the_report_shows_who_and_when_and_a_late_one_is_marked(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    clock.now = AFTER_DEADLINE
    browser = login_as(world.admin)  # the admin records it too; the documents are the handlers'
    page = browser.get("/certificates/year-end?year=2026").text
    assert 'id="year-end-late"' in page and "approval.pdf" not in page and "/certificates/exports" not in page
    # No button that ends in 403: the page says who downloads them (handlers and leaders, as every
    # certificate page: the admin manages the bureau, it does not read people's certificates).
    assert "由本局经办人或领导下载" in page.split('id="year-end-downloads-for-staff"')[1].split("</p>")[0]
    english = in_english(browser).get("/certificates/year-end?year=2026").text
    assert "the bureau's handlers or leaders download them" in english.replace("&#39;", "'")
    assert_english(english)
    browser = login_as(world.admin)  # back to Chinese for the flashes below
    done = browser.post("/certificates/year-end/reports", data={"authority": "gz-ganxian", "year": "2026"})
    assert done.status_code == 303
    report = session.scalars(select(YearEndReport)).one()
    assert report.authority_code == "gz-ganxian" and report.reported_by_id == world.admin.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "year_end_reported")).one()
    assert event.object_id == report.id and event.detail == {
        "authority": "gz-ganxian",
        "year": 2026,
        "late": True,
    }
    row = browser.get("/certificates/year-end?year=2026").text.split('id="authority-gz-ganxian"')[1]
    assert "逾期上报" in row.split("</tr>")[0] and world.admin.name in row.split("</tr>")[0]
    again = browser.post("/certificates/year-end/reports", data={"authority": "gz-ganxian", "year": "2026"})
    assert again.status_code == 303 and session.scalars(select(YearEndReport)).all() == [report]
    assert browser.post("/certificates/year-end/reports", data={"authority": "gz-city"}).status_code == 404


def test_a_bureau_without_the_duty_sees_an_empty_state_and_others_are_refused(
    session: Session, clock: Clock, login_as: Any
) -> None:
    plain = make_world(session)
    page = login_as(plain.bureau.handler).get("/certificates/year-end").text
    assert "本局的政策配置没有年度认定报告" in page and "年度认定报告</a>" not in page
    assert login_as(plain.enterprise.handler).get("/certificates/year-end").status_code == 403
    refused = login_as(plain.bureau.handler).post(
        "/certificates/year-end/reports", data={"authority": "gz-ganxian", "year": "2026"}
    )
    assert refused.status_code == 404


def test_the_page_reads_in_english(session: Session, world: World, clock: Clock, login_as: Any) -> None:
    clock.now = IN_DECEMBER
    browser = in_english(login_as(world.bureau.handler))
    page = browser.get("/certificates/year-end?year=2026").text
    assert "Year-end recognition report" in page and "Record as reported" in page
    assert "Deadline near: 20 certifying authorities have not reported." in page
    assert "to the city title office (001 4(7))." in page and "001 四(七)" not in page  # the clause, numbered
    assert_english(page)


def test_two_staff_recording_at_once_the_second_is_told_who_recorded_it(
    session: Session, world: World, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both pages were read before either pressed 记录已上报: the second request passed the check and met
    the unique row, a 500 (on PostgreSQL its transaction was aborted too). It is told who recorded it."""
    clock.now = IN_DECEMBER
    first = world.bureau.leader
    session.add(
        YearEndReport(
            bureau_id=world.bureau.org.id,
            authority_code="gz-ganxian",
            year=2026,
            reported_by_id=first.id,
            reported_at=IN_DECEMBER,
        )
    )
    session.flush()
    looked = year_end._recorded
    calls: list[int] = []

    def before_the_other_committed(*args: Any) -> YearEndReport | None:
        calls.append(1)
        return None if len(calls) == 1 else looked(*args)  # the check misses it; the row is there

    monkeypatch.setattr(year_end, "_recorded", before_the_other_committed)
    browser = login_as(world.bureau.handler)
    again = browser.post("/certificates/year-end/reports", data={"authority": "gz-ganxian", "year": "2026"})
    assert again.status_code == 303 and "/certificates/year-end?year=2026" in again.headers["Location"]
    assert len(calls) == 2
    page = browser.get(again.headers["Location"]).text
    assert f"赣县区职称工作办公室的2026年度报告已由{first.name}于2026年12月10日 10:00记录为已上报" in page
    assert [r.reported_by_id for r in session.scalars(select(YearEndReport))] == [first.id]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "year_end_reported")).all()
    assert [(e.outcome, e.detail["code"]) for e in events] == [
        ("denied", "already_reported")
    ]  # no second "ok"
    english = in_english(browser)  # the check's own refusal says the same, in English too
    told = english.post("/certificates/year-end/reports", data={"authority": "gz-ganxian", "year": "2026"})
    text = english.get(told.headers["Location"]).text
    assert "report for 2026 was already recorded as sent by" in text and "on 10 Dec 2026, 10:00</p>" in text


def test_an_application_carried_over_from_last_year_is_shown_as_undecided(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_OCTOBER  # made in a 2026 window, dated back to 2025
    carried = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    # As its submission kept it: the 2026 profile no longer holds 2025-4.
    in_batch(session, carried, "2025-4", name="2025年第四批", authority="gz-zhanggong")
    carried.submitted_at = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)
    session.flush()
    clock.now = IN_DECEMBER
    browser = login_as(world.bureau.handler)
    row = browser.get("/certificates/year-end?year=2026").text.split('id="authority-gz-zhanggong"')[1]
    # By the name it was submitted under, not the bare id "2025-4".
    assert "2025年第四批</span>：0 / 1 / 0" in row.split("</tr>")[0] and "含结转1件" in row.split("</tr>")[0]
    english = in_english(browser).get("/certificates/year-end?year=2026").text
    english_row = english.split('id="authority-gz-zhanggong"')[1].split("</tr>")[0]
    assert "incl. 1 carried over" in english_row
    # The batch's counts read "2025年第四批：0 / 1 / 0" in English: a Chinese colon, and the whole line
    # (an unbatched line's "No intake" too) marked as Chinese. Only the name is the Chinese data.
    batch = '<span lang="zh-CN" id="batch-gz-zhanggong-2025-4">2025年第四批</span>'
    assert f"<li>{batch}: 0 / 1 / 0</li>" in english_row
    assert_english(english)


def test_zhenjiangs_bureau_sees_the_year_end_deadline_and_what_is_unfinished_with_nothing_to_report(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """REP-02 (003 三(一)): the year's review, audit and filing are finished within the year. Its profile had
    no [year_end], so its bureau saw the empty state; the notice asks for no report to the city office, so
    the page shows the deadline, the December warning and each accepting body's figures, nothing to record."""
    plain = make_world(session)
    clock.now = IN_OCTOBER
    open_ = make_application(session, plain, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    plain.bureau.org.policy_profile = "zhenjiang-2024"  # made on the plain road, then under Zhenjiang
    open_.authority_code = "zj-center"
    session.flush()
    clock.now = IN_DECEMBER
    browser = login_as(plain.bureau.handler)
    page = browser.get("/certificates/year-end?year=2026").text
    assert "本局的政策配置没有年度认定报告" not in page and "年度认定报告</a>" in page
    assert "须于2026年12月31日前完成本年度评审、审核和备案工作，不得跨年度评审（003 三(一)）" in page
    assert "尚有1个认定机构有未办结的申报" in page.split('id="year-end-warning"')[1].split("</p>")[0]
    row = page.split('id="authority-zj-center"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row and "丹阳市人社局专技科" in page
    assert "记录已上报" not in page and "approval.pdf" not in page and "上报市职称办</th>" not in page
    form = {"authority": "zj-center", "year": "2026"}
    refused = browser.post("/certificates/year-end/reports", data=form)
    # Said as it is (it read 没有这个认定机构 for an authority the page lists).
    assert refused.status_code == 404 and "本局的政策配置不要求向市职称办上报批复和证书信息" in refused.text
    assert browser.post("/certificates/year-end/approval.pdf", data=form).status_code == 404
    english = in_english(browser).get("/certificates/year-end?year=2026").text
    assert "Deadline near: 1 certifying authority still has undecided applications." in english
    assert_english(english)


def test_zhenjiangs_year_end_page_calls_out_intermediate_reviews_undecided_after_november(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """WIN-04 (003 三(二)): 中级 reviews are finished by 11-30 in principle. From 1 December the year-end page
    says how many 中级 applications on the committee road are still undecided, against that day, and the
    accepting body's line counts them; in November it does not."""
    plain = make_world(session)
    clock.now = IN_OCTOBER
    review = make_application(session, plain, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    plain.bureau.org.policy_profile = "zhenjiang-2024"  # made on the plain road, then under Zhenjiang
    review.authority_code, review.pathway = "zj-center", "评审"
    session.flush()
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    browser = login_as(plain.bureau.handler)
    november = browser.get("/certificates/year-end?year=2026").text
    assert 'id="review-deadline-late"' not in november and "review-undecided-" not in november
    clock.now = IN_DECEMBER
    browser = login_as(plain.bureau.handler)
    page = browser.get("/certificates/year-end?year=2026").text
    warning = page.split('id="review-deadline-late">')[1].split("</p>")[0]
    assert warning == (
        "原则上各专业中级评审在2026年11月30日前完成（003 三(二)）：该日已过，尚有1件中级评审申报未办结。"
    )
    row = page.split('id="authority-zj-center"')[1].split("</tr>")[0]
    assert "含中级评审1件" in row
    english = in_english(browser).get("/certificates/year-end?year=2026").text
    assert english.split('id="review-deadline-late">')[1].split("</p>")[0] == (
        "Reviews for Intermediate level titles in all specialties should normally be finished by 30 Nov 2026"
        " (003 3(2)). That date has passed, and 1 application for panel review at Intermediate level is still"
        " undecided."
    )
    assert (
        "incl. 1 Intermediate level review" in english.split('id="authority-zj-center"')[1].split("</tr>")[0]
    )
    assert_english(english)


def test_on_a_phone_the_authorities_table_scrolls_in_its_own_box(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # Seen at 390 px in English: the page's overflow-wrap cut the table's headers and notes mid-word
    # ("Certifyin / g", "De / ci / ded", "incl. 2 Interme / diate level reviews"); the table now sits in a
    # .table-wrap (words kept whole, the box scrolls sideways), as the queue's does.
    clock.now = IN_DECEMBER
    page = login_as(world.bureau.handler).get("/certificates/year-end?year=2026").text
    assert re.search(r'<div class="table-wrap"[^>]*>\s*<table class="table" id="year-end-authorities">', page)
    assert re.search(r"</table>\s*</div>\s*<p class=\"hint\">", page)


def test_the_batch_lines_are_a_plain_list_without_bullets(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # Each authority's batches are a <ul class="plain">, but no style defined .plain: every line had a
    # bullet and an indent in the narrow 批次 column.
    clock.now = IN_DECEMBER
    page = login_as(world.bureau.handler).get("/certificates/year-end?year=2026").text
    css = (Path(__file__).resolve().parents[2] / "portal" / "static" / "site.css").read_text(encoding="utf-8")
    assert '<ul class="plain">' in page or "本年度没有申报" in page
    rule = re.search(r"\.plain\s*\{([^}]*)\}", css)
    assert rule is not None and "list-style: none" in rule.group(1) and "padding: 0" in rule.group(1)


def test_last_years_page_in_english_does_not_call_that_year_this_year(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # Read on 2026-12-10, the 2025 page said "must finish this year's recognition by 31 Dec 2025", each idle
    # authority "No applications this year" and the note "submitted this year": 本年度 is the page's year.
    clock.now = IN_DECEMBER
    page = in_english(login_as(world.bureau.handler)).get("/certificates/year-end?year=2025").text
    assert re.search(r"must finish the year(&#39;|')s recognition by 31 Dec 2025", page)
    assert "No applications in the year" in page and "this year" not in page
    assert_english(page)


def test_the_excel_sent_with_the_report_lists_the_recognised_and_leaves_the_reviewed_out(
    app: Any, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    """001 四(七): the year-end report sends the city office 考核认定通过人员证书信息 — whom the 批复 names. A
    certificate reached by 评审 (passed by a committee, published by the title office) was not 认定'd: the
    page's Excel leaves it out, while the certificate list's own export still holds both."""
    from tests.factories import staff_login
    from tests.services.test_approval_by_road import _both

    world, _made, reviewed, recognised = _both(session, clock)
    world.bureau.org.policy_profile = "ganzhou-2026"  # a bureau that reports to the city office (REP-01)
    for application in (reviewed, recognised):
        in_batch(session, application, "2026-4", authority="gz-zhanggong")
    session.flush()
    year = str(recognised.certified_at.year)  # type: ignore[union-attr]
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    row = browser.get(f"/certificates/year-end?year={year}").text.split('id="authority-gz-zhanggong"')[1]
    form = row.split('action="/certificates/exports"')[1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["road"] == "bureau" and fields["authority"] == "gz-zhanggong"

    def exported(data: dict[str, str]) -> tuple[str, list[Any]]:
        job = browser.post("/certificates/exports", data={**data, "form_token": new_token()})
        assert job.status_code == 303
        run_queued(app)
        with browser.get(job.headers["Location"] + "/download") as response:  # streamed: close it
            rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
            name = response.headers["Content-Disposition"]
        return name, [r[rows[0].index("证书编号")] for r in rows[1:]]

    name, numbers = exported(fields)
    assert numbers == [recognised.certificate_no] and "JS2026-0000001" not in numbers
    assert (
        "%E8%80%83%E6%A0%B8%E8%AE%A4%E5%AE%9A" in name
    )  # 考核认定通过人员证书信息.xlsx, as the notice names it
    _name, everything = exported({k: v for k, v in fields.items() if k != "road"})
    assert sorted(everything) == sorted([recognised.certificate_no, "JS2026-0000001"])


def test_the_page_counts_the_certificates_its_excel_lists_and_the_approval_keeps_the_reviewed_apart(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The page's certificate figure is labelled as what the Excel beside it sends (考核认定发证) and counts
    only those: a certificate reached by 评审 is not in it. The year-end PDF gives the 批复 of the
    recognised, then the 评审通过人员名单 on pages of its own, headed by its committee (REP-01; the 批复
    says its people were 认定'd, which the reviewed were not)."""
    from tests.factories import staff_login
    from tests.services.test_approval_by_road import _both

    world, made, reviewed, recognised = _both(session, clock)
    world.bureau.org.policy_profile = "ganzhou-2026"
    for application in (reviewed, recognised):
        in_batch(session, application, "2026-4", authority="gz-zhanggong")
    session.flush()
    year = str(recognised.certified_at.year)  # type: ignore[union-attr]
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    page = browser.get(f"/certificates/year-end?year={year}").text
    assert '<th scope="col" class="num" id="year-end-certified">考核认定发证</th>' in page
    row = _unlinked(page.split('id="authority-gz-zhanggong"')[1].split("</tr>")[0])
    assert "：2 / 0 / 1</li>" in row  # two decided (both certified), one certificate in the Excel
    assert re.findall(r'<td class="num">(\d+)', row)[-1] == "1"  # not 2: the reviewed is not in the Excel
    assert '<th scope="col" class="num" id="year-end-reviewed">评审通过发证</th>' in page
    assert 'id="reviewed-gz-zhanggong">1<' in row
    assert 'id="year-end-roads"' in page
    # Each road's figure lists its own certificates.
    by_review = browser.get(_figure_link(page, "reviewed-link-gz-zhanggong")).text
    assert _listed(by_review) == [reviewed.certificate_no] and "评审通过发证" in by_review
    by_recognition = browser.get(_figure_link(page, "certified-gz-zhanggong")).text
    assert _listed(by_recognition) == [recognised.certificate_no]
    english = in_english(browser).get(f"/certificates/year-end?year={year}").text
    assert ">Certificates by recognition</th>" in english and ">Certificates after review</th>" in english
    assert_english(english)

    form = {"authority": "gz-zhanggong", "year": year}
    pdf = browser.post("/certificates/year-end/approval.pdf", data=form)
    assert pdf.status_code == 200
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages]
    first_list = next(i for i, text in enumerate(pages) if "评审通过人员名单" in text)
    approval, lists = "".join(pages[:first_list]), "".join(pages[first_list:])
    assert first_list > 0 and "考核认定条件" in approval
    assert recognised.certificate_no in approval and reviewed.certificate_no not in approval
    assert reviewed.applicant.name not in approval
    assert made.committee.name in pages[first_list] and reviewed.certificate_no in lists
    assert recognised.certificate_no not in lists and "考核认定" not in lists


def _listed(page: str) -> list[str]:
    """The certificate numbers the certificate list shows (its fifth cell, before the date of issue)."""
    return sorted(re.findall(r"<td>([^<>]+)</td><td>\d{4}年", page))


def _figure_link(page: str, link_id: str) -> str:
    found = re.search(rf'<a href="([^"]+)" id="{re.escape(link_id)}" aria-labelledby="([^"]+)">', page)
    assert found is not None, page
    for labelled_by in found[2].split():  # the accessible name: the figure, the authority, batch and road
        assert f'id="{labelled_by}"' in page, labelled_by
    return found[1].replace("&amp;", "&")


def test_each_certificate_figure_of_the_report_links_to_the_certificates_it_counts(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    """The report's 考核认定发证 figures (an authority's, each of its batches') were numbers only: a bureau
    could export them or print the 批复, but not look at who is behind a number. Each now links to the
    certificate list filtered to what it counts (the authority, the batch, the road and the year), whose
    chips name them."""
    clock.now = IN_OCTOBER
    fourth = [certified_by(session, world, clock, "gz-zhanggong", "2026-4") for _ in range(2)]
    third = certified_by(session, world, clock, "gz-zhanggong", "2026-3")
    elsewhere = certified_by(session, world, clock, "gz-ganxian", "2026-4")
    browser = login_as(world.bureau.leader)
    report = browser.get("/certificates/year-end?year=2026").text
    assert 'id="year-end-links"' in report

    whole = browser.get(_figure_link(report, "certified-gz-zhanggong")).text
    assert _listed(whole) == sorted(a.certificate_no for a in [*fourth, third])
    chips = whole.split('id="certificate-filters"')[1].split("</ul>")[0]
    assert "章贡区职称改革领导小组办公室" in chips and "考核认定发证" in chips and "filter-batch" not in chips
    assert 'value="2026-01-01"' in whole and 'value="2026-12-31"' in whole  # the report's year

    batch = browser.get(_figure_link(report, "certified-gz-zhanggong-2026-4")).text
    assert _listed(batch) == sorted(a.certificate_no for a in fourth)
    assert third.certificate_no not in batch and elsewhere.certificate_no not in batch
    assert "2026年第四批" in batch.split('id="certificate-filters"')[1].split("</ul>")[0]
    county = browser.get(_figure_link(report, "certified-gz-ganxian")).text
    assert _listed(county) == [elsewhere.certificate_no]
    # A county without certificates this year has no link (nothing to list).
    assert 'id="certified-gz-xunwu"' not in report

    # The admin sees the figures, not the people: the list is the handlers' and leaders'.
    admin_page = login_as(world.admin).get("/certificates/year-end?year=2026").text
    assert "2026年第四批" in admin_page and "/certificates?" not in admin_page
