"""Messages kept in the database are read in each reader's language (issue 24): an inbox notification, a
job's progress, a periodic run's outcome and a failed job's error store their msgid and parameters
(portal.domain.i18n.to_record) beside the Chinese text, so the English interface translates them when it
shows them, with people's words marked Chinese; a row written before (no record) is shown as stored,
inside lang="zh-CN"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.i18n import NT_, T_, Text, from_record, joined, to_record
from portal.domain.workflow import Status
from portal.jobs import tasks
from portal.models import Job, JobStatus, Notification, StaffRole
from portal.services import certificates, corrections, jobs
from portal.web import i18n
from tests.conftest import Clock, run_periodic, run_queued
from tests.factories import STEPS_TO, make_application, make_world
from tests.i18n.reading import leaks


def _in(browser: FlaskClient, language: i18n.Language) -> FlaskClient:
    browser.set_cookie(i18n.COOKIE, language.value)
    return browser


def test_a_stored_message_reworded_since_reads_in_today_s_words_and_translates(app: Flask) -> None:
    old = {
        "template": "新的待办（%(role)s）：%(what)s",
        "params": {
            "role": "经办人",
            "what": {
                "text": {
                    "template": "%(name)s · %(series)s%(specialty)s · %(level)s",
                    "params": {"name": "王五", "series": "工程", "specialty": "机械工程", "level": "中级"},
                }
            },
        },
    }
    assert str(from_record(old)) == "新的待办（经办人）：王五 · 工程 / 机械工程 · 中级"
    with app.test_request_context(), force_locale(i18n.Language.EN.value):
        english = str(i18n.translate(from_record(old)))
    assert "New work (Handler)" in english and " / " in english and "%(" not in english


def test_a_message_comes_back_from_its_record_with_its_template_and_parameters() -> None:
    nested = T_("新的待办（%(role)s）：%(what)s", role="经办人", what=joined(["甲", "乙"], "；"))
    message = T_(
        "%(a)s %(b)s %(c)s %(d)s %(e)s",
        a=date(2026, 9, 29),
        b=datetime(2026, 9, 29, 1, 30, tzinfo=i18n.SHANGHAI),
        c=nested,
        d=3,
        e=["一", "二"],
    )
    back = from_record(to_record(message))
    assert isinstance(back, Text) and str(back) == str(message)
    assert back.template == message.template and back.params["c"].template == nested.template  # type: ignore[attr-defined]
    plural = NT_("还剩%(num)d个工作日", "还剩%(num)d个工作日", 3)
    again = from_record(to_record(plural))
    assert (again.plural, again.count, str(again)) == (plural.plural, 3, "还剩3个工作日")
    assert from_record(to_record("草稿")).template == "草稿"  # a constant msgid is its own template


def test_an_inbox_message_is_read_in_the_readers_language_and_an_old_one_as_stored(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"education": "毕业证书扫描件不清晰"}, "2026-10-20"),
        clock.now,
    )
    applicant = application.applicant
    session.add(Notification(user_id=applicant.id, kind="old", text="旧的消息：按原样显示", link="/"))
    session.flush()
    english = _in(login_as(applicant), i18n.Language.EN).get("/inbox")
    assert english.status_code == 200
    assert "Your application was returned for corrections: " in english.text
    assert '<span lang="zh-CN">旧的消息：按原样显示</span>' in english.text
    lang, runs = leaks(english.text)
    assert lang == "en" and runs == []
    chinese = _in(login_as(applicant), i18n.Language.ZH).get("/inbox").text
    assert "您的申报被退回补正：" in chinese and "Your application" not in chinese


def test_a_jobs_progress_is_read_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_world(session)
    leader = world.bureau.leader_membership
    job = certificates.start_export(
        session, world.bureau.actor(StaffRole.LEADER), certificates.CertificateFilters(), clock.now,
        membership_id=leader.id,
    )  # fmt: skip
    assert job.message == "排队等待后台处理"  # the Chinese text is kept for logs and older readers
    running = jobs.claim(session, job.id, clock.now)
    assert running is not None
    jobs.progress(
        session, running, clock.now + timedelta(seconds=1), done=1, total=4,
        message=T_("已导出 %(done)s/%(total)s 条", done=1, total=4),
    )  # fmt: skip
    browser = _in(login_as(leader.user, membership_id=leader.id), i18n.Language.EN)
    page = browser.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    assert "Exported 1/4" in page.text and "Export the certificate register" in page.text
    assert leaks(page.text)[1] == []


def test_periodic_runs_and_a_failed_job_s_error_are_read_in_english(
    app: Flask, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    world = make_world(session)
    leader = world.bureau.leader_membership
    job = certificates.start_export(
        session, world.bureau.actor(StaffRole.LEADER), certificates.CertificateFilters(), clock.now,
        membership_id=leader.id,
    )  # fmt: skip
    leader.ended_at = clock.now  # the role ends before the worker runs it: the job is cancelled
    session.commit()
    run_queued(app)
    run_periodic(app, "close_notices", "corrections", "sweep", "email")
    session.expire_all()
    assert job.state is JobStatus.FAILED and job.error == "发起任务的岗位已结束，任务已取消"  # Chinese kept
    runs = session.scalars(select(Job).where(Job.slot.is_not(None))).all()
    assert {run.job_kind for run in runs} == set(tasks.PERIODIC_BODIES) and all(r.message for r in runs)
    admin = _in(login_as(world.admin, membership_id=world.admin_membership.id), i18n.Language.EN)
    listed = admin.get("/jobs")
    assert listed.status_code == 200
    for words in (
        "The role that started the job has ended; the job was cancelled",
        "Closed 0 notices whose period ended",
        "0 applications past their correction deadline treated as abandoned",
        "No mail server is configured (PORTAL_SMTP_HOST): nothing sent",
        "expired sessions",
    ):
        assert words in listed.text, words
    assert leaks(listed.text) == ("en", [])
    # The job's owner, no longer in the role, no longer opens it; the admin's list is where it is read.
    chinese = _in(login_as(world.admin, membership_id=world.admin_membership.id), i18n.Language.ZH).get(
        "/jobs"
    )
    assert "发起任务的岗位已结束，任务已取消" in chinese.text and "已结转 0 个到期公示" in chinese.text
    # An error with parameters keeps its record beside the job's message, and reads in English too.
    number = T_("证书编号%(number)s已登记在另一份申报上，请核对", number="2026GZ00001")
    jobs.fail(session, job.id, number, clock.now, final=True)
    assert job.error == "证书编号2026GZ00001已登记在另一份申报上，请核对"
    listed = admin.get("/jobs")
    assert "Certificate number 2026GZ00001 is recorded on another application" in listed.text
    assert leaks(listed.text) == ("en", [])
