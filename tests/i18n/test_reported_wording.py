"""What a QA tester found in the English interface (and a few in Chinese): each page as it reads now, the
words that were Chinese or wrong in English named. One test per page, the report's wording in comments."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.i18n import T_
from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Status
from portal.models import Notice, StaffRole
from portal.services import applications
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    make_application,
    make_committee,
    make_committee_world,
    make_review_application,
    make_world,
    staff_login,
    to_meeting,
    to_published,
)
from tests.i18n.reading import assert_english, in_english
from tests.i18n.test_validation_errors import english


def test_the_committee_roads_step_diagram_reads_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: three step titles stayed Chinese (领导签批、送评委会评审, 领导签批受理, 评审会议表决): they
    # were joined from the glossary's words with +, so no msgid matched them.
    world = make_committee_world(session, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    page = leader.get(f"/review/applications/{application.id}")
    assert page.status_code == 200
    for title in (
        "Leader&#39;s sign-off, sent to a review committee",
        "Leader&#39;s sign-off to accept",
        "Vote at the review meeting",
        "Pre-review notice",
        "Notice of review results",
        "Confirm results",
    ):
        assert title in page.text
    assert_english(page.text)


def test_every_step_title_is_a_msgid_the_code_marks() -> None:
    # The catalogue alone is no proof (a title joined with + may equal a msgid someone added by hand): each
    # title of both roads and each "next step" wording must be a literal that extraction finds.
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    from portal.domain import glossary, progress

    marked = {
        message
        for module in (progress, glossary)
        for _, message, _, _ in extract_from_file("python", str(module.__file__), keywords=DEFAULT_KEYWORDS)
    }
    titles = {step.title for step in (*progress.ROUTE, *progress.COMMITTEE_ROUTE)}
    titles |= set(progress.NEXT_WORDS.values()) | {state.title for state in progress.StepState}
    assert sorted(titles - marked) == []


def test_starting_an_application_and_its_history_event_each_read_right(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: HR's submit button read "Application started": the button and the history event shared
    # the msgid 创建申报. Now each has its message context ("button", "history event").
    world = make_world(session)
    application = make_application(session, world, clock.now)
    hr = in_english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    form = hr.get(f"/enterprise/applicants/{application.applicant_id}/applications/new")
    assert form.status_code == 200
    assert "Start the application</button>" in form.text and "Application started" not in form.text
    applicant = in_english(login_as(application.applicant))
    history = applicant.get(f"/me/applications/{application.id}")
    assert history.status_code == 200
    assert "<strong>Application started</strong>" in history.text
    assert_english(history.text)


def test_the_bulk_import_asks_for_a_file_and_names_a_word_it_does_not_know(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: "Upload and check" with no file chosen said "The file has no name"; a cell 用工类型=劳动合同制
    # said "Please choose the employment type" without the value or the accepted words.
    world = make_world(session)
    hr = in_english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    nothing = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(b""), ""), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert nothing.status_code == 422
    assert "No file was chosen: please choose a file to upload" in nothing.text
    assert "has no name" not in nothing.text
    assert_english(nothing.text)

    number = complete_resident_id("36070219900301123")
    rows = f"姓名,证件号码,手机号码,用工类型\r\n陈某,{number},13970700201,劳动合同制\r\n"
    checked = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(rows.encode("gbk")), "名单.csv"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 303
    report = hr.get(checked.headers["Location"]).text
    assert 'The employment type “<span lang="zh-CN">劳动合同制</span>” is not one the import knows' in report
    assert '<span lang="zh-CN">“签订劳动合同的职工”</span>, <span lang="zh-CN">“签订聘用合同' in report
    assert_english(report)


def test_the_applicants_materials_read_as_english_sentences(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: "Employment contract、Integrity pledge" (a list joined with 、), "Integrity pledge（not signed
    # yet）" and "signed (IP 127.0.0.1）" (full-width brackets outside the messages), "1 pages" (no plural),
    # and the level left Chinese in the heading.
    world = make_world(session)
    signed = make_application(session, world, clock.now)
    applicant = in_english(login_as(signed.applicant))
    page = applicant.get(f"/me/applications/{signed.id}").text
    assert f"(IP {signed.pledge_ip})" in page and "Signed on " in page
    assert "1 page ·" in page and "1 pages" not in page
    assert "· Intermediate level</h1>" in page
    assert_english(page)

    fresh = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(signed.applicant_id, "工程", "机械工程", "助理级"),
        clock.now,
    )
    draft = applicant.get(f"/me/applications/{fresh.id}").text
    assert "Still needed before submitting: " in draft and "Integrity pledge (" in draft
    english = re.sub(r'<span lang="zh-CN">[^<]*</span>', "", draft.split("<main", 1)[1].split("</main>")[0])
    assert re.findall(r".{0,40}[、（）].{0,20}", english) == []
    assert_english(draft)
    listed = applicant.get("/me/applications").text
    assert '<td data-label="Level">Assistant level</td>' in listed and "Intermediate level" in listed
    assert_english(listed)


def test_the_seal_warning_reads_right_for_the_units_own_hr(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: the unit's own HR read "Your employer has not uploaded its seal image…" (本单位: this unit).
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    hr = in_english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    page = hr.get(f"/review/applications/{application.id}").text
    assert "This unit has not uploaded its seal image yet, so copies cannot be sealed" in page
    assert "Your employer" not in page and ">Unit seal</a> page." in page
    assert_english(page)


def test_the_organisations_page_and_its_refusal_read_right(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: the list of every organisation was headed "Employer" (单位 is the employer elsewhere), and
    # a missing parent read "Choose the parent Supervising department" (a label put mid-sentence).
    world = make_world(session)
    admin = in_english(login_as(world.admin, membership_id=world.admin_membership.id))
    page = admin.get("/admin/orgs").text
    assert "<h2>Organisations</h2>" in page and "<h2>Employer</h2>" not in page
    refused = admin.post(
        "/admin/orgs",
        data={"kind": "enterprise", "name": "某公司", "parent_id": world.bureau.org.id, "ownership": "state"},
    )
    assert refused.status_code == 422
    assert "Choose the supervising department it belongs to" in refused.text
    assert_english(refused.text)


def test_the_queue_says_what_its_button_acts_on_and_names_its_own_tab(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: "Act on all" acts on the ticked rows only; the empty state named an "Awaiting first review"
    # tab the page calls "First review"; the Level filter's options stayed Chinese.
    world = make_world(session)
    handler = in_english(login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id))
    page = handler.get("/review/queue").text
    assert "appear under “First review” by themselves" in page
    assert '<option value="中级" >Intermediate level</option>' in page
    assert_english(page)
    # The bulk bar offers an action only where some row can take it (an empty list has none).
    make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    page = handler.get("/review/queue").text
    assert "Act on ticked rows</button>" in page and "Act on all" not in page
    assert_english(page)


def test_the_committee_offices_package_buttons_name_the_tab_without_quotes(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: 'Download every application of “First review” as a package' read oddly with the tab name
    # quoted; the ticked-rows button read 'Download the selected as a package'.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    handler = in_english(staff_login(login_as, made.office))
    page = handler.get("/review/queue").text
    assert "Download every application on the First review tab as one package</button>" in page
    assert "Download the ticked applications as one package</button>" in page
    filtered = handler.get("/review/queue?level=中级").text
    assert (
        "Download every application on the First review tab that matches the filters as one package"
        in filtered
    )
    assert "“First review” as a package" not in page
    assert_english(page)


def test_the_title_confirmation_page_writes_the_date_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: the date a title was obtained read 2019年12月20日 on the English page (the printed form's
    # Chinese wording, FormRow.shown, instead of the locale's date filter).
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    make_committee(session, world, clock.now, place="东川区")
    application = make_application(
        session, world, clock.now, pathway="评审", what=("工程", "建设工程", "中级")
    )
    applicant = in_english(login_as(application.applicant))
    page = applicant.get(f"/committees/confirmations/applications/{application.id}").text
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page)
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b", page)
    assert "· Intermediate level</small>" in page
    assert_english(page)


def test_the_committee_choice_and_the_certificate_number_forms_read_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: the committee-choice and certificate-number forms of the review page had Chinese written
    # straight into the template (labels, the hint, 请选择) and their buttons showed the action's msgid.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    choice = leader.get(f"/review/applications/{application.id}").text
    assert 'id="committee-choice"' in choice
    assert '<label for="committee-choice">Committee to review it</label>' in choice
    assert "Only committees whose scope covers this application" in choice
    assert "(003 7(1))" in choice and "七(一)" not in choice
    assert f'lang="zh-CN">{made.committee.name}</option>' in choice
    assert "Send to a review committee</button>" in choice
    assert_english(choice)

    to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [application], clock.now)
    handler = in_english(login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id))
    number = handler.get(f"/review/applications/{application.id}").text
    label = number.split('<label for="certificate-no">', 1)[1].split("</label>", 1)[0]
    assert label.startswith("Certificate number (the province"), label
    assert "each number can be recorded once only" in number
    assert_english(number)


def test_the_provincial_certificate_section_reads_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Found beside the reported ones: the applicant's 省级系统的证书 section was Chinese written straight
    # into the template (its heading, the result, the brackets around the lookup's path).
    from portal.models import HandoffResult
    from tests.web.test_handoffs import _an_import, _ready

    world, chosen = _ready(session, clock, "zhenjiang-2024")
    application = chosen[0]
    session.add(
        HandoffResult(
            application_id=application.id,
            target="js",
            outcome="passed",
            certificate_no="苏E-2026-1",
            import_id=_an_import(session, world).id,
            recorded_by_id=world.enterprise.handler.id,
            recorded_at=clock.now,
        )
    )
    session.flush()
    page = in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text
    assert "The certificate from the provincial system</h2>" in page
    assert "Provincial system's result: passed</p>" in page
    assert_english(page)


def test_the_notice_draft_lists_each_applicant_with_the_level_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The applicant's line was one Chinese span with the level inside it: "中级" stayed Chinese in English.
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    name = application.applicant.name
    page = in_english(login_as(world.enterprise.handler)).get("/notices").text
    # The series as every English page names it (test_series_names), the specialty as written.
    assert f'<span lang="zh-CN">{name}</span> (Engineering <span lang="zh-CN">土木工程</span>' in page
    assert "· Intermediate level)" in page
    assert_english(page)
    chinese = login_as(world.enterprise.handler).get("/notices").text
    assert f"{name}（工程 土木工程 · 中级）" in chinese


def test_the_certificate_check_and_the_certificate_list_name_the_level_in_english(
    session: Session, clock: Clock, login_as: Any, client: FlaskClient
) -> None:
    # Seen: the public check read "Qualification level 中级" (and the staff's 证书查询 list "中级") on the
    # English page, where every other page names the level in English.
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    number, code = application.certificate_no, application.certificate_code
    page = in_english(client).get(f"/public/certificates/{number}/{code}").text
    assert "<dd>Intermediate level</dd>" in page and ">中级<" not in page
    assert_english(page)
    by_hand = client.post(
        "/public/certificates",
        data={"number": number, "name": application.applicant.name, "form_token": new_token()},
    ).text
    assert "<dd>Intermediate level</dd>" in by_hand
    bureau = in_english(login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id))
    listed = bureau.get("/certificates").text
    assert "<td>Intermediate level</td>" in listed and ">中级<" not in listed


def test_the_committee_still_to_be_chosen_is_named_in_english_on_the_step_diagram(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen: a 评审 application's diagram read "评委会（人社局审核后确定） · Handler" on the English page (a
    # placeholder, not a committee's name, shown as Chinese data).
    world = make_committee_world(session, clock.now)
    application = make_application(
        session, world, clock.now, pathway="评审", what=("工程", "建设工程", "中级")
    )
    assert application.committee is None
    page = in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text
    assert "Review committee (chosen after the bureau&#39;s review) · Handler" in page
    assert "人社局审核后确定" not in page
    assert_english(page)


def test_the_certificates_recent_checks_read_in_english_brackets(
    session: Session, clock: Clock, login_as: Any, client: FlaskClient
) -> None:
    # Seen: "5 Dec 2026, 16:39（by number）": the full-width brackets were the template's, around a word.
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    client.post(
        "/public/certificates",
        data={
            "number": application.certificate_no,
            "name": application.applicant.name,
            "form_token": new_token(),
        },
    )
    page = in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text
    checks = page.split('<ul class="lookups">', 1)[1].split("</ul>", 1)[0]
    assert " (by number)</li>" in checks and "（" not in checks


def test_the_pathway_under_the_eligibility_check_is_named_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen: "Basis: …; pathway: 认定" on the applicant's and the reviewer's English pages, where the
    # forecast's own list names it "Recognition".
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    world.bureau.org.policy_profile = "ganzhou-2026"  # the checks on the page follow the bureau's profile
    session.flush()
    assert application.pathway == "认定"
    mine = in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text
    assert "; pathway: Recognition" in mine and "pathway: <span" not in mine
    hr = in_english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    review = hr.get(f"/review/applications/{application.id}").text
    assert "; pathway: Recognition" in review and "pathway: <span" not in review


def test_a_passed_entry_on_the_notice_page_reads_as_one_english_sentence(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen: "Passed（Notice period over without objection）": the template put full-width brackets around
    # the translated note.
    world = make_world(session)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED])
    notice = session.scalars(select(Notice).where(Notice.org_id == world.enterprise.org.id)).one()
    hr = in_english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    page = hr.get(f"/notices/{notice.id}").text
    assert "Passed (Notice period over without objection)" in page and "（" not in page.split("<table", 1)[1]
    assert_english(page)


def test_asides_the_templates_bracket_take_english_brackets_in_english(
    session: Session, login_as: Any
) -> None:
    # Seen: "开发区党群工作部（Department）" on the admin's organisation page: the template wrote （…）.
    world = make_world(session)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    chinese = admin.get(f"/admin/orgs/{world.bureau.org.id}").text
    assert f"{world.department.org.name}</a>（主管部门）" in chinese
    english = in_english(admin).get(f"/admin/orgs/{world.bureau.org.id}").text
    assert re.search(r"</a> \([A-Z][a-z ]+\)</li>", english) and "</a>（" not in english


def test_a_candidates_vote_totals_read_as_counts_after_the_outcome(app: Flask) -> None:
    # Reported: the meeting's agenda read "Passed the vote for 4, against 2, abstaining 0".
    shown = english(app, T_("赞成 %(yes)d，反对 %(no)d，弃权 %(abstain)d", yes=4, no=2, abstain=0))
    assert shown == "4 for, 2 against, 0 abstaining"


def test_a_returned_applications_locked_choices_read_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Found walking the English interface: returned for its work summary only, the application showed the
    # rows it keeps locked with their choices as stored — 本科, 全日制, 相同或相近, 学士 — beside the English
    # labels the same choices have in the editable form.
    from portal.services import corrections

    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(world.enterprise.handler_membership.staff_role),
        application.id,
        corrections.ReturnInput({"field:work_summary": "请补充业绩数据"}, "2026-10-20"),
        clock.now,
    )
    applicant = in_english(login_as(application.applicant))
    page = applicant.get(f"/me/applications/{application.id}").text
    assert "not returned, no change needed" in page
    for stored, english_label in (("本科", "Bachelor&#39;s level"), ("全日制", "Full-time")):
        assert f'<span lang="zh-CN">{stored}</span>' not in page
        assert f'<span class="prewrap">{english_label}</span>' in page
