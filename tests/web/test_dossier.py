"""The dossier over HTTP: the draft survives a bad field and a logout, uploads (disguised files refused,
photos combined), the access-checked file route, watermarked staff downloads, endorsement, the seal."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.domain.workflow import Status
from portal.models import Application, StaffRole
from portal.services import applications, endorsements, forms, materials
from portal.services.actors import actor_for
from portal.services.submissions import new_token
from tests import imaging
from tests.conftest import Clock
from tests.factories import PASSWORD, STORAGE, World, filled_form, make_application, make_user, make_world
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def bare_draft(session: Session, world: World, clock: Clock) -> Application:
    applicant = make_user(session, employer=world.enterprise.org)
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "土木工程", "中级"),
        clock.now,
    )
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), clock.now)
    return application


def files(*items: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for data, name in items]


def test_a_draft_survives_a_bad_field_and_a_logout(
    app: Flask, world: World, session: Session, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    browser = app.test_client()
    browser.post("/login", data={"login": application.applicant.phone, "password": PASSWORD})
    form = {
        **forms.posted_form(session, application),
        "education-0-school": "赣南师范大学",
        "achievement-0-title": "主持完成开发区综合管廊项目",
        "achievement-0-finished_on": "2025-12-30",
        "education-0-graduated_on": "2031-01-01",
    }
    bad = browser.post(f"/me/applications/{application.id}/form", data=form, headers=HX)
    assert bad.status_code == 422 and "不能晚于今天" in bad.text and "其余内容已保存" in bad.text
    assert 'value="赣南师范大学"' in bad.text and "2031-01-01" in bad.text
    browser.post("/logout")
    assert browser.get(f"/me/applications/{application.id}").status_code == 302  # logged out
    browser.post("/login", data={"login": application.applicant.phone, "password": PASSWORD})
    page = browser.get(f"/me/applications/{application.id}").text
    assert 'value="赣南师范大学"' in page and "主持完成开发区综合管廊项目" in page


def test_a_refused_save_names_each_field_to_change_with_a_link_to_it_in_the_right_number(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Read in English: "1 fields need changing; everything else is saved…", naming none of them on a long
    # form. The summary now counts in the language's plural and links to each field by its name.
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/form"
    form = {**forms.posted_form(session, application), "education-0-graduated_on": "2031-01-01"}
    chinese = browser.post(url, data=form, headers=HX).text
    assert '<a href="#f-education-0-graduated-on">学历学位 第1条：毕业时间</a>' in chinese
    assert "有1处需要修改；其余内容已保存" in chinese
    browser = in_english(browser)
    one = browser.post(url, data=form, headers=HX).text
    summary = one[one.index('id="form-problems"') : one.index("</div>", one.index('id="form-problems"'))]
    assert "1 field needs changing; everything else is saved" in summary and "1 fields" not in one
    link = (
        '<li><a href="#f-education-0-graduated-on">Education and degrees, entry 1: Graduation date</a></li>'
    )
    assert link in summary and 'id="f-education-0-graduated-on"' in one
    two = browser.post(
        url,
        data={**form, "achievement-0-title": "综合管廊", "achievement-0-finished_on": "2031-01-01"},
        headers=HX,
    ).text
    summary = two[two.index('id="form-problems"') : two.index("</div>", two.index('id="form-problems"'))]
    assert "2 fields need changing" in summary and summary.count("<li><a href=") == 2
    assert link in summary and 'href="#f-achievement-0-finished-on"' in summary


def test_the_unit_opinion_form_names_each_field_to_change_in_the_right_number(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The same on the reviewer's 基层单位意见: "1 items need changes." beside unnamed fields.
    application = make_application(session, world, clock.now, steps=1, unit_opinion=False)
    browser = in_english(login_as(world.enterprise.handler))
    url = f"/review/applications/{application.id}/opinion"
    typed = {
        "evaluation": "业务能力强",
        "method": "vote",
        "participants": "领导班子",
        "participants_count": "5",
    }
    page = browser.post(url, data={**typed, "votes_for": "9"}).text
    summary = page[
        page.index('id="opinion-problems"') : page.index("</div>", page.index('id="opinion-problems"'))
    ]
    assert "fields need changing:" in summary or "field needs changing:" in summary
    assert '<a href="#f-votes-for">' in summary and 'id="f-votes-for"' in page
    count = summary.count("<li><a href=")
    assert (f"{count} field needs" if count == 1 else f"{count} fields need") in summary


def test_a_ticked_box_is_saved_as_the_browser_posts_it_after_its_hidden_empty_twin(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The form posts "" for every checkbox (a hidden input first) and "1" after it when ticked: the
    ticked value wins, and unticking posts "" alone."""
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/form"
    form = forms.posted_form(session, application)
    ticked = [*((k, v) for k, v in form.items() if k != "no_title"), ("no_title", ""), ("no_title", "1")]
    response = browser.post(url, data=MultiDict(ticked), headers=HX)
    assert response.status_code == 200
    session.refresh(application)
    assert application.no_title is True
    unticked = [*((k, v) for k, v in forms.posted_form(session, application).items() if k != "no_title")]
    browser.post(url, data=MultiDict([*unticked, ("no_title", "")]), headers=HX)
    session.refresh(application)
    assert application.no_title is False


def test_a_pdf_named_file_that_is_html_or_an_executable_is_refused(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/materials"
    for payload in (imaging.HTML_AS_PDF, imaging.EXE_AS_PDF):
        refused = browser.post(
            url,
            data={
                "slot": "id_card",
                "kind": "original",
                "files": files((payload, "身份证.pdf")),
                "form_token": new_token(),
            },
            headers=HX,
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422 and "不是 PDF、JPG 或 PNG 文件" in refused.text
        assert 'id="materials"' in refused.text and "<html" not in refused.text
    assert materials.active_materials(session, application.id) == []


def test_an_empty_file_is_named_as_empty_and_the_unused_camera_field_is_ignored(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen: choosing a 0-byte file answered "请选择要上传的文件" although a file was chosen.
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/materials"
    form = {"slot": "labour_contract", "kind": "copy", "form_token": new_token()}
    refused = browser.post(
        url, data={**form, "files": files((b"", "合同.pdf"))}, headers=HX, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "“合同.pdf”：文件是空的（0字节）" in refused.text
    assert "请选择要上传的文件" not in refused.text
    # In English it reads as two sentences, not "“empty.jpg”: The file is empty…" (a capital after a colon).
    english = in_english(login_as(application.applicant)).post(
        url,
        data={**form, "form_token": new_token(), "files": files((b"", "empty.jpg"))},
        headers=HX,
        content_type="multipart/form-data",
    )
    assert "“empty.jpg” was not accepted. The file is empty (0 bytes)" in english.text
    assert "”: The" not in english.text
    # The camera input left unused sends a nameless empty part beside the chosen file: that part is no file.
    chosen = files((imaging.photo(800, 600), "IMG_0001.jpg"), (b"", ""))
    done = browser.post(
        url, data={**form, "form_token": new_token(), "files": chosen}, content_type="multipart/form-data"
    )
    assert done.status_code == 303
    (material,) = materials.active_materials(session, application.id)
    assert material.pages == 1


def test_three_phone_photos_become_one_pdf_and_the_checklist_shows_them(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    photos = files(*((imaging.photo(1500, 2000), f"IMG_000{i}.jpg") for i in range(3)))
    done = browser.post(
        f"/me/applications/{application.id}/materials",
        data={"slot": "labour_contract", "kind": "copy", "files": photos, "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    (material,) = materials.active_materials(session, application.id)
    assert (material.pages, material.combined, material.kind) == (3, 3, "copy")
    page = browser.get(f"/me/applications/{application.id}").text
    assert "复印件待单位核对" in page and "劳动（聘用）合同（3张合成）.pdf" in page
    assert "3个文件已合成为一份3页的 PDF" in page  # counted as files: a PDF beside photos is one of them
    assert "提交前还需" in page and "身份证件（未上传）" in page
    refused = browser.post(f"/me/applications/{application.id}/act", data={"action": "submit"})
    assert refused.status_code == 422 and "身份证件" in refused.text and "诚信承诺书" in refused.text
    own = browser.get(f"/files/applications/{application.id}/materials/{material.id}")
    assert own.status_code == 200 and own.data == STORAGE.get(material.file.sha256)
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    thumb = browser.get(f"/files/applications/{application.id}/materials/{material.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.data[:3] == b"\xff\xd8\xff"


def _between(page: str, start: str, end: str) -> str:
    begins = page.index(start)
    return page[begins : page.index(end, begins)]


def test_a_file_sent_again_is_kept_once_and_each_file_of_a_slot_shows_when_it_came(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Finding F8: a double submit left two 劳动（聘用）合同（2张合成）.pdf told apart only by a hash prefix.
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/materials"
    photos = (imaging.photo(1200, 1600), imaging.photo(1200, 1600, colour="#c8c8c8"))

    def send(*photos: bytes, by: Any = browser) -> Any:
        chosen = files(*((data, f"IMG_{i}.jpg") for i, data in enumerate(photos)))
        form = {"slot": "labour_contract", "kind": "copy", "form_token": new_token(), "files": chosen}
        return by.post(url, data=form, content_type="multipart/form-data")

    assert send(*photos).status_code == 303
    clock.advance(minutes=7)
    again = send(*photos)  # a new form token: the one-per-form guard does not catch it, the slot does
    assert again.status_code == 303
    page = browser.get(f"/me/applications/{application.id}").text
    assert "该文件已上传（2026年9月28日 10:00）" in page
    assert len(materials.active_materials(session, application.id)) == 1
    english = in_english(login_as(application.applicant))
    assert send(*photos, by=english).status_code == 303
    shown = english.get(f"/me/applications/{application.id}").text
    assert "This file was already uploaded (28 Sep 2026, 10:00)" in shown
    # Each refusal is in the bureau's audit log, kept although the request wrote nothing else; the viewer
    # names it in the reader's language.
    refusals = {"action": "upload_material", "outcome": "denied", "object_type": "application"}
    log = login_as(world.admin).get("/admin/audit", query_string=refusals).text.split('id="audit-rows"')[1]
    assert log.count("<code>upload_material</code>") == 2 and log.count("<td>拒绝</td>") == 2
    assert "上传材料" in log and f"#{application.id}" in log
    log = in_english(login_as(world.admin)).get("/admin/audit", query_string=refusals).text
    assert "Upload materials" in log and "<td>Refused</td>" in log
    # Another file of the same name: the checklist and the review page tell them apart by their time.
    assert send(imaging.photo(800, 1000), imaging.photo(800, 1000, colour="#c8c8c8")).status_code == 303
    first, second = materials.active_materials(session, application.id)
    assert first.file.display_name == second.file.display_name == "劳动（聘用）合同（2张合成）.pdf"
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    row = _between(page, 'id="slot-labour_contract"', "</tr>")
    assert "上传于2026年9月28日 10:00" in row and "上传于2026年9月28日 10:07" in row
    review = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    row = _between(review, 'id="review-slot-labour_contract"', "</tr>")
    assert "上传于2026年9月28日 10:00" in row and "上传于2026年9月28日 10:07" in row
    # The upload form names what the slot holds before another is sent (shown by app.js when chosen), and
    # its button cannot be pressed again while an upload runs.
    form = _between(page, 'id="upload-material"', "</form>")
    assert 'hx-disabled-elt="find button[type=submit]"' in page
    note = _between(form, 'data-slot-files="labour_contract"', "</div>")
    assert " hidden" in note.split(">")[0]
    assert "本栏目已有2个文件：" in note
    assert "劳动（聘用）合同（2张合成）.pdf（上传于2026年9月28日 10:00）" in note
    assert "劳动（聘用）合同（2张合成）.pdf（上传于2026年9月28日 10:07）" in note
    assert 'data-slot-files="id_card"' not in form  # an empty slot says nothing
    refused = browser.post(
        url, data={"slot": "labour_contract", "kind": "copy", "form_token": new_token()}, headers=HX,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 422
    note = _between(refused.text, 'data-slot-files="labour_contract"', "</div>")
    assert " hidden" not in note.split(">")[0] and "本栏目已有2个文件：" in note


def test_the_upload_says_when_a_file_was_compressed_to_fit_and_to_what_size(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # A 12-megapixel photo was stored at a fraction of its size and the page said only 已上传.
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/materials"
    form = {"slot": "labour_contract", "kind": "copy"}
    big = imaging.photo(4000, 3000, noisy=True)
    assert len(big) > 2 * 1024 * 1024
    done = browser.post(
        url, data={**form, "form_token": new_token(), "files": files((big, "IMG_0001.jpg"))},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 303
    (material,) = materials.active_materials(session, application.id)
    page = browser.get(f"/me/applications/{application.id}").text
    shown = f"{material.file.size / 1024 / 1024:.1f} MB"
    assert f"已上传“劳动（聘用）合同”，已压缩为{shown}" in page and material.file.size <= 2 * 1024 * 1024
    small = browser.post(
        url, data={"slot": "id_card", "kind": "original", "form_token": new_token(),
                   "files": files((imaging.photo(800, 600), "id.jpg"))},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert small.status_code == 303
    assert "已上传“身份证件”" in (page := browser.get(f"/me/applications/{application.id}").text)
    assert "已上传“身份证件”，已压缩" not in page


def test_a_user_of_another_enterprise_gets_404_for_a_file_url(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now)
    material = materials.active_materials(session, application.id)[0]
    url = f"/files/applications/{application.id}/materials/{material.id}"
    assert login_as(world.other_enterprise.handler).get(url).status_code == 404
    stranger = make_user(session, employer=world.other_enterprise.org)
    assert login_as(stranger).get(url).status_code == 404
    assert login_as(world.department.handler).get(url).status_code == 404  # not forwarded yet
    assert login_as(application.applicant).get(url + "/thumbnail").status_code == 404  # none for this one


def test_staff_downloads_are_watermarked_and_the_stored_file_is_not(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now)
    material = materials.active_materials(session, application.id)[0]
    before = STORAGE.get(material.file.sha256)
    response = login_as(world.enterprise.handler).get(
        f"/files/applications/{application.id}/materials/{material.id}?download=1"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "仅供职称申报使用" in text and world.enterprise.handler.name in text and "2026-09-28" in text
    assert STORAGE.get(material.file.sha256) == before


def test_the_leader_uploads_the_seal_and_the_handler_endorses_a_copy(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now)
    copy = materials.upload_material(
        session,
        actor_for(application.applicant, None),
        STORAGE,
        application.id,
        materials.UploadInput(slot="other", kind="copy"),
        [materials.scans.Part("a.jpg", imaging.photo(1000, 1400))],
        clock.now,
    )
    handler = login_as(world.enterprise.handler)
    assert (
        handler.post(
            "/enterprise/seal", data={"seal": files((imaging.seal(), "s.png"))[0], "form_token": new_token()}
        ).status_code
        == 403
    )
    leader = login_as(world.enterprise.leader)
    wrong = leader.post(
        "/enterprise/seal",
        data={"seal": files((imaging.photo(300, 300), "s.png"))[0], "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "PNG" in wrong.text
    # An empty file is said to be empty, not told to be a PNG (a QA report: an empty x.pdf read "须为 PNG").
    empty = leader.post(
        "/enterprise/seal",
        data={"seal": files((b"", "x.pdf"))[0], "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422 and "文件是空的（0字节）" in empty.text and "须为 PNG" not in empty.text
    ok = leader.post(
        "/enterprise/seal",
        data={"seal": files((imaging.seal(), "公章.png"))[0], "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303 and endorsements.current_seal(session, world.enterprise.org.id) is not None
    assert handler.get("/files/seal").status_code == 200
    assert login_as(world.other_enterprise.handler).get("/files/seal").status_code == 404
    review = handler.get(f"/review/applications/{application.id}").text
    assert "核对签章" in review and "已核对原件" in review
    url = f"/review/applications/{application.id}/materials/{copy.id}/endorse"
    assert handler.post(url, data={}).status_code == 303  # refused: the box was not ticked
    assert copy.endorsement is None
    assert handler.post(url, data={"checked": "1"}).status_code == 303
    session.refresh(copy)
    endorsement = copy.endorsement
    assert endorsement is not None
    stamped = login_as(application.applicant).get(
        f"/files/applications/{application.id}/materials/{copy.id}/stamped/{endorsement.id}"
    )
    assert (
        stamped.status_code == 200
        and "与原件相符" in PdfReader(io.BytesIO(stamped.data)).pages[0].extract_text()
    )
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    assert "已核对签章" in page and "查看签章件" in page
    revoke = handler.post(
        f"/review/applications/{application.id}/endorsements/{endorsement.id}/revoke", data={"reason": "盖错"}
    )
    assert revoke.status_code == 303
    session.refresh(endorsement)
    assert endorsement.revoked_at is not None


def test_hr_fills_in_the_form_on_the_applicants_behalf(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, world, clock)
    hr = login_as(world.enterprise.handler)
    assert "代申报人填写申报表" in hr.get(f"/review/applications/{application.id}").text
    page = hr.get(f"/enterprise/applications/{application.id}/form")
    assert page.status_code == 200 and "代为填写申报表" in page.text
    form = {
        **forms.posted_form(session, application),
        "title-1-kind": "职业资格",
        "title-1-name": "二级建造师",
        "title-1-obtained_on": "2019-05-01",
        "title-1-certificate_no": "赣236000123",
    }
    assert hr.post(f"/enterprise/applications/{application.id}/form", data=form).status_code == 303
    session.refresh(application)
    assert application.qualification_name == "二级建造师"
    assert (
        login_as(world.other_enterprise.handler)
        .get(f"/enterprise/applications/{application.id}/form")
        .status_code
        == 404
    )


def test_the_applicant_signs_the_pledge_and_submits(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, world, clock)
    materials.attach_placeholders(
        session, actor_for(application.applicant, None), STORAGE, application, clock.now, sign=False
    )
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}"
    assert "在线签署" in browser.get(url).text
    assert browser.post(url + "/pledge", data={}).status_code == 422
    assert browser.post(url + "/pledge", data={"agree": "1"}).status_code == 303
    assert browser.post(url + "/act", data={"action": "submit"}).status_code == 303
    session.refresh(application)
    assert application.state is Status.SUBMITTED and application.pledge_ip == "127.0.0.1"


def test_the_checklist_changes_with_the_save_only_when_the_form_changes_which_slots_are_needed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, world, clock)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/form"
    form = {**forms.posted_form(session, application), "on_establishment": "1"}
    first = browser.post(url, data=form, headers=HX)
    # The new slot comes with the save's own answer (out of band), not by a refresh of its own later.
    assert first.status_code == 200 and "HX-Trigger" not in first.headers
    swapped = re.search(r'<section[^>]*id="materials"[^>]*>', first.text)
    assert swapped is not None and 'hx-swap-oob="true"' in swapped.group(0)
    assert "编制册" in first.text[swapped.start() :] and 'id="application-detail"' in first.text
    session.expire_all()  # the form as the browser now has it, with the version the first save made
    form = {**forms.posted_form(session, application), "work_summary": "新增业绩"}
    again = browser.post(url, data=form, headers=HX)
    assert again.status_code == 200 and 'id="materials"' not in again.text  # an upload form is left alone
    fragment = browser.get(f"/me/applications/{application.id}", headers={**HX, "HX-Target": "materials"})
    assert "编制册" in fragment.text and "<html" not in fragment.text
