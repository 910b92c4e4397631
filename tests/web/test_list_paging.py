"""The two lists the province-scale crawl found sending everything at once (issue 20, bench/README.md): the
bureau's certificates (222 KB for its leader) and the enterprise's applicant accounts (140 KB for a
300-person enterprise). Each now comes 100 to a page with the count of all and a pager of links; the
certificate list's filters stay across pages and its export still takes every page; a page reads as many
statements for three pages' worth of rows as for one."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.services import accounts, certificates
from portal.services.submissions import new_token
from tests.conftest import Clock, db_engine, run_queued
from tests.factories import STEPS_TO, World, in_batch, make_application, make_user, make_world
from tests.i18n.reading import in_english
from tests.statements import read_page


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _certified(session: Session, world: World, clock: Clock, n: int, level: str = "中级") -> list[Any]:
    return [
        make_application(
            session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED], what=("工程", "土木工程", level)
        )
        for _ in range(n)
    ]


def _numbers(page: str) -> list[str]:
    """The certificate numbers the list shows, in its order (the fifth cell of each row)."""
    return re.findall(r"<td>([^<>]+)</td><td>\d{4}年", page)


def _link(page: str, words: str) -> str:
    found = re.search(rf'<a href="([^"]+)"(?: rel="next")?>{re.escape(words)}</a>', page)
    assert found, page
    return found.group(1).replace("&amp;", "&").split("#")[0]


def test_the_certificates_come_in_pages_that_keep_the_filters_and_the_export_takes_every_one(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, monkeypatch: Any, queue: None
) -> None:
    """A bureau's list was every certificate it issued (the first 200 and no word of the rest). Now a page,
    the count of all, 下一页 with the filters kept, the last page saying so; 导出 from any page writes every
    certificate the filters match, not the page's."""
    monkeypatch.setattr(certificates, "PAGE_SIZE", 2)
    chosen = _certified(session, world, clock, 5)
    other = _certified(session, world, clock, 1, level="副高级")[0]
    newest_first = [a.certificate_no for a in reversed(chosen)]
    browser = login_as(world.bureau.leader)

    first = browser.get("/certificates?level=中级").text
    assert _numbers(first) == newest_first[:2] and other.certificate_no not in first
    assert "共 5 张，本页列出 2 张" in first and "回到第一页" not in first
    second_url = _link(first, "下一页 →")
    assert "level=" in second_url and "after=" in second_url
    second = browser.get(second_url).text
    assert _numbers(second) == newest_first[2:4] and "回到第一页" in second
    third = browser.get(_link(second, "下一页 →")).text
    assert _numbers(third) == newest_first[4:] and "下一页" not in third and "已是最后一页" in third
    back = _link(third, "← 回到第一页")
    assert "after=" not in back and "level=" in back

    # The export form of a later page carries the filters, not the page's cursor, and writes all five.
    export_form = re.search(r'action="/certificates/exports".*?</form>', second, re.S)
    assert export_form is not None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', export_form.group(0)))
    assert hidden.get("level") == "中级" and "after" not in hidden
    run_queued(app)
    started = browser.post("/certificates/exports", data={**hidden, "form_token": new_token()})
    assert started.status_code == 303 and run_queued(app) == 1
    with browser.get(started.headers["Location"] + "/download") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sorted(sheet.cell(r, 8).value for r in range(2, sheet.max_row + 1)) == sorted(newest_first)

    english = in_english(browser)
    assert "5 certificates in all, 2 listed on this page (the newest first)" in english.get(second_url).text


def test_a_short_certificate_list_says_how_many_and_a_stale_page_leads_back(
    session: Session, world: World, clock: Clock, login_as: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(certificates, "PAGE_SIZE", 2)
    only = _certified(session, world, clock, 1)[0]
    browser = login_as(world.bureau.leader)
    page = browser.get("/certificates").text
    assert only.certificate_no in page and "共 1 张" in page and 'class="pager"' not in page
    # A cursor past every row (the list changed, or a hand-typed URL): said so, with the way back.
    past = browser.get("/certificates?after=20000101000000000000.1").text
    assert "这一页没有证书了" in past and 'href="/certificates"' in past and "还没有证书" not in past
    english = in_english(browser)
    assert "1 certificate</p>" in english.get("/certificates").text
    assert (
        "No certificates on this page any more"
        in english.get("/certificates?after=20000101000000000000.1").text
    )
    # A malformed cursor is the first page.
    assert only.certificate_no in browser.get("/certificates?after=bogus").text


def test_the_certificate_page_reads_as_much_for_three_pages_of_rows_as_for_one(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(certificates, "PAGE_SIZE", 2)
    _certified(session, world, clock, 2)
    leader = login_as(world.bureau.leader)

    def page() -> tuple[list[str], str]:
        return read_page(leader, db_engine(app), "/certificates")

    one, text = page()
    assert text.count("撤销…") == 2
    _certified(session, world, clock, 4)
    three, text = page()
    assert text.count("撤销…") == 2 and "下一页" in text
    assert len(three) == len(one), (one, three)
    rows = [s for s in three if " FROM applications" in s and "count(" not in s.lower()]
    assert len(rows) == 1 and "LIMIT" in rows[0] and "work_summary" not in rows[0], rows


def _names(page: str) -> list[str]:
    return re.findall(r'<tr id="applicant-(\d+)">', page)


def test_the_applicant_list_comes_in_pages_with_the_count_of_all(
    session: Session, world: World, login_as: Any, monkeypatch: Any
) -> None:
    """A large enterprise's list was every account it holds, one roster lookup each, on every view."""
    monkeypatch.setattr(accounts, "APPLICANTS_PAGE_SIZE", 2)
    people = [make_user(session, employer=world.enterprise.org) for _ in range(5)][::-1]  # newest first
    browser = login_as(world.enterprise.handler)
    first = browser.get("/enterprise/applicants").text
    assert _names(first) == [str(p.id) for p in people[:2]]
    assert "共 5 人，本页列出 2 人（最新开设的在前）" in first
    second = browser.get(_link(first, "下一页 →")).text
    assert _names(second) == [str(p.id) for p in people[2:4]] and "回到第一页" in second
    third = browser.get(_link(second, "下一页 →")).text
    assert _names(third) == [str(people[4].id)] and "已是最后一页" in third and "下一页" not in third
    assert _link(third, "← 回到第一页") == "/enterprise/applicants"
    english = in_english(browser).get(_link(second, "下一页 →")).text
    assert (
        "5 applicants in all, 1 listed on this page (the latest opened first)" in english
        and "This is the last page" in english
    )
    # Past the end (accounts transferred away meanwhile): said so, with the way back (the browser now reads
    # English).
    past = browser.get(f"/enterprise/applicants?after={people[4].id}").text
    assert "No applicants on this page any more" in past and "No applicant accounts yet" not in past


def test_an_enterprise_without_applicants_says_so_and_one_page_gives_the_count(
    session: Session, world: World, login_as: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    assert "还没有申报人账号" in browser.get("/enterprise/applicants").text
    make_user(session, employer=world.enterprise.org)
    page = in_english(browser).get("/enterprise/applicants").text
    assert "1 applicant</p>" in page and 'class="pager"' not in page


def test_the_applicant_page_reads_as_much_for_three_pages_of_rows_as_for_one(
    app: Flask, session: Session, world: World, login_as: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(accounts, "APPLICANTS_PAGE_SIZE", 2)
    for _ in range(2):
        make_user(session, employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)

    def page() -> tuple[list[str], str]:
        return read_page(browser, db_engine(app), "/enterprise/applicants")

    one, text = page()
    assert len(_names(text)) == 2
    for _ in range(4):
        make_user(session, employer=world.enterprise.org)
    three, text = page()
    assert len(_names(text)) == 2 and "共 6 人" in text
    assert len(three) == len(one), (one, three)


def test_hr_finds_an_applicant_by_part_of_the_name_or_the_whole_number_and_the_pager_keeps_the_search(
    session: Session, world: World, login_as: Any, monkeypatch: Any
) -> None:
    """Paged, the list no longer shows everyone at once: HR looking for one person searches by name (part
    of it), or by the identity number or mobile typed whole as the account form takes them."""
    monkeypatch.setattr(accounts, "APPLICANTS_PAGE_SIZE", 2)
    wangs = [make_user(session, f"王小{c}", employer=world.enterprise.org) for c in "一二三"]
    li = make_user(session, "李静怡", employer=world.enterprise.org)
    make_user(session, "王小四", employer=None)  # nobody's: another enterprise's HR never finds it here
    browser = login_as(world.enterprise.handler)
    found = browser.get("/enterprise/applicants?q=王小").text
    assert _names(found) == [str(wangs[2].id), str(wangs[1].id)] and "共 3 人，本页列出 2 人" in found
    assert 'value="王小"' in found
    rest = browser.get(_link(found, "下一页 →")).text
    assert _names(rest) == [str(wangs[0].id)] and "q=" in _link(rest, "← 回到第一页")
    by_number = f"{li.id_number[:6]} {li.id_number[6:].lower()}"  # a space, a lowercase x if it ends in X
    assert _names(browser.get("/enterprise/applicants", query_string={"q": by_number}).text) == [str(li.id)]
    by_phone = browser.get("/enterprise/applicants", query_string={"q": f"+86 {li.phone}"}).text
    assert _names(by_phone) == [str(li.id)] and "共 1 人" in by_phone
    nothing = in_english(browser).get("/enterprise/applicants?q=赵").text
    assert "Nothing found for “赵”" in nothing and "No applicant accounts yet" not in nothing
    assert 'href="/enterprise/applicants#applicant-list">Clear search</a>' in nothing
    typed = browser.get("/enterprise/applicants?q=<b>赵").text
    assert "&lt;b&gt;赵" in typed and "<b>赵" not in typed


def _form_fields(page: str, action: str) -> dict[str, str]:
    """What the GET form posted to ``action`` sends as it stands (its inputs' and chosen options' values)."""
    form = re.search(rf'<form method="get" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form is not None, page
    inputs = r'<input(?: type="\w+")? (?:id="\w+" )?name="(\w+)"[^>]*? value="([^"]*)"'
    fields = dict(re.findall(inputs, form[0]))
    for name, options in re.findall(r'<select id="\w+" name="(\w+)">(.*?)</select>', form[0], re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def _two_batches(session: Session, clock: Clock) -> tuple[World, list[Any], Any]:
    """A Ganzhou bureau's two certificates of 章贡区's 2026年第四批 and one of its 2025年第四批."""
    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # its 2026年第四批 is open
    chosen = [
        in_batch(session, a, "2026-4", authority="gz-zhanggong") for a in _certified(session, world, clock, 2)
    ]
    last_year = _certified(session, world, clock, 1)[0]
    earlier = in_batch(session, last_year, "2025-4", name="2025年第四批", authority="gz-zhanggong")
    return world, chosen, earlier


def test_the_certificate_filter_form_keeps_the_year_end_report_s_authority_batch_and_road(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Reached with the year-end report's authority, batch and road (`?authority=…&batch=…&road=…`), the
    list's filter form had no field for them: typing a series and pressing 筛选 listed every batch again.
    They are now kept by the form, shown as what they are set to (the authority's and the batch's names),
    and each can be dropped alone."""
    world, chosen, earlier = _two_batches(session, clock)
    browser = login_as(world.bureau.leader)
    url = "/certificates?authority=gz-zhanggong&batch=2026-4&road=bureau"
    page = browser.get(url).text
    assert sorted(_numbers(page)) == sorted(a.certificate_no for a in chosen)
    chips = page.split('id="certificate-filters"')[1].split("</ul>")[0]
    assert "章贡区职称改革领导小组办公室" in chips and "2026年第四批" in chips and "考核认定发证" in chips

    # Resubmitted with a series typed: the batch (and the authority and road) still hold.
    fields = _form_fields(page, "/certificates")
    assert {k: fields[k] for k in ("authority", "batch", "road")} == {
        "authority": "gz-zhanggong",
        "batch": "2026-4",
        "road": "bureau",
    }
    again = browser.get("/certificates", query_string={**fields, "series": "工程"}).text
    assert sorted(_numbers(again)) == sorted(a.certificate_no for a in chosen)
    assert earlier.certificate_no not in again and 'value="工程"' in again

    # 去掉 beside the batch drops the batch alone; 清除筛选 drops every filter.
    dropped = browser.get(_chip_link(again, "batch")).text
    assert earlier.certificate_no in dropped and 'id="filter-batch"' not in dropped
    assert 'id="filter-authority"' in dropped and 'value="工程"' in dropped
    assert 'href="/certificates">清除筛选</a>' in dropped
    english = in_english(browser).get(url).text
    chips = english.split('id="certificate-filters"')[1].split("</ul>")[0]
    assert "Certifying authority: " in chips and "Certificates by recognition" in chips
    assert 'aria-label="Remove the filter: Intake"' in chips
    assert '<span lang="zh-CN">2026年第四批</span>' in chips


def _chip_link(page: str, name: str) -> str:
    chip = re.search(rf'<li class="chip" id="filter-{name}">.*?<a href="([^"]+)"', page, re.S)
    assert chip is not None, page
    return chip.group(1).replace("&amp;", "&")


def _one_in_batch_as_leader(session: Session, clock: Clock, login_as: Any) -> tuple[Any, Any]:
    """One certificate of Ganzhou's 2026 fourth batch (章贡区), and the bureau leader's browser."""
    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    chosen = in_batch(session, _certified(session, world, clock, 1)[0], "2026-4", authority="gz-zhanggong")
    return chosen, login_as(world.bureau.leader)


def test_a_certificate_date_filter_that_is_no_date_is_said_so_beside_it_and_lists_nothing(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """A date filter written otherwise than 年-月-日, or naming a day not in the calendar, was dropped: the
    list showed every date's certificates as if none had been typed. It is now refused beside its field (the
    way every typed date is read, dates.read_day), the other filters kept, no certificate listed and none
    exportable; the 批复's day the same."""
    chosen, browser = _one_in_batch_as_leader(session, clock, login_as)

    missing = browser.get("/certificates?series=工程&since=2026-02-30&batch=2026-4")
    assert missing.status_code == 422
    page = missing.text
    assert chosen.certificate_no not in _numbers(page) and 'id="export-certificates"' not in page
    assert 'aria-invalid="true" aria-describedby="e-since"' in page
    assert "日期“2026-02-30”不存在，请核对月份和日" in page and "发证日期有误，未列出证书" in page
    fields = _form_fields(page, "/certificates")
    assert fields["series"] == "工程" and fields["batch"] == "2026-4" and fields["since"] == "2026-02-30"

    scrawled = browser.get("/certificates?until=last+week").text
    assert "日期格式应为 年-月-日，例如 2026-03-15" in scrawled and 'aria-describedby="e-until"' in scrawled
    assert chosen.certificate_no not in _numbers(scrawled)
    # Written well, the same filters list it (the date is the only thing refused).
    fine = browser.get("/certificates?series=工程&since=2026-01-01&batch=2026-4").text
    assert _numbers(fine) == [chosen.certificate_no]

    # An export posted with such a date is refused the same way, no job started.
    refused = browser.post("/certificates/exports", data={"since": "2026-13-01", "form_token": new_token()})
    assert refused.status_code == 422 and "日期“2026-13-01”不存在" in refused.text

    # The 批复's day: not today's 批复 for a day that cannot be read, but the list again saying why.
    day = browser.post("/certificates/approval.pdf?batch=2026-4", data={"day": "2026-02-30"})
    assert day.status_code == 422 and day.mimetype == "text/html"
    assert 'aria-describedby="e-day"' in day.text and 'value="2026-02-30"' in day.text
    assert _numbers(day.text) == [chosen.certificate_no] and 'id="filter-batch"' in day.text

    english = in_english(browser).get("/certificates?since=2026-02-30").text
    assert "2026-02-30" in english and "日期" not in english.split("<main")[1]


def test_a_date_range_that_ends_before_it_starts_is_said_so_and_a_day_with_no_certificate_keeps_the_filters(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """发证日期从 2026-10-01 至 2026-09-01 listed nothing and said "no certificates", as if none had been
    issued: it is now refused beside 至 (422, nothing listed or exportable). A 批复 asked for a day on which
    nobody was certified said so and led to the whole list, the filters dropped: they are kept."""
    chosen, browser = _one_in_batch_as_leader(session, clock, login_as)

    inverted = browser.get("/certificates?since=2026-10-01&until=2026-09-01&batch=2026-4")
    assert inverted.status_code == 422
    assert "“至”的日期早于“发证日期从”的日期，请核对" in inverted.text
    assert 'aria-describedby="e-until"' in inverted.text and "发证日期有误，未列出证书" in inverted.text
    assert _numbers(inverted.text) == [] and 'id="export-certificates"' not in inverted.text
    inverted_form = {"since": "2026-10-01", "until": "2026-09-01", "form_token": new_token()}
    refused = browser.post("/certificates/exports", data=inverted_form)
    assert refused.status_code == 422 and "“至”的日期早于" in refused.text
    same_day = browser.get("/certificates?since=2026-01-01&until=2026-12-31&batch=2026-4").text
    assert _numbers(same_day) == [chosen.certificate_no]

    nobody = browser.post("/certificates/approval.pdf?series=工程&batch=2026-4", data={"day": "2026-01-05"})
    assert nobody.status_code == 303
    assert nobody.headers["Location"] == "/certificates?series=%E5%B7%A5%E7%A8%8B&batch=2026-4"
    listed = browser.get(nobody.headers["Location"]).text
    assert "2026年1月5日没有发证的人员" in listed and 'id="filter-batch"' in listed

    english = in_english(browser).get("/certificates?since=2026-10-01&until=2026-09-01").text
    assert "发证日期从" not in english.split("<main")[1]


def test_an_export_job_s_page_leads_back_to_the_list_as_it_was_filtered(
    app: Flask, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    """← 返回证书 on an export's page led to the whole list, whatever the export was made of: it now leads
    to the list with the filters the job recorded (the year-end report's authority, batch and road
    included), so the same certificates are listed beside the file."""
    world, chosen, other = _two_batches(session, clock)
    browser = login_as(world.bureau.leader)
    url = "/certificates?level=中级&since=2026-01-01&authority=gz-zhanggong&batch=2026-4&road=bureau"
    export_form = re.search(r'action="/certificates/exports".*?</form>', browser.get(url).text, re.S)
    assert export_form is not None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', export_form.group(0)))
    run_queued(app)
    started = browser.post("/certificates/exports", data={**hidden, "form_token": new_token()})
    assert started.status_code == 303 and run_queued(app) == 1
    job_page = browser.get(started.headers["Location"]).text
    back = re.search(r'<a href="([^"]+)" id="job-back">', job_page)
    assert back is not None
    listed = browser.get(back[1].replace("&amp;", "&")).text
    assert sorted(_numbers(listed)) == sorted(a.certificate_no for a in chosen)
    assert other.certificate_no not in listed and 'id="filter-batch"' in listed
    fields = _form_fields(listed, "/certificates")
    assert (fields["level"], fields["since"], fields["road"]) == ("中级", "2026-01-01", "bureau")
