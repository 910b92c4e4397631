"""T-XSS-01: stored XSS payloads in every free-text field a user can fill, then a crawl of every page and
fragment (the url_map, every role of the tenant and no login): no payload comes back unescaped.

Fields are filled where people fill them: the public objection form (name, contact, text, the attachment's
file name) over HTTP; the rest — names, the 申报表's free text, return reasons per section, notice texts,
remarks, transfer reasons, window names, notification texts, stored file names — straight into the rows
the forms write, so every page that shows them is crawled with the payload in place. Each field carries a
numbered tag, and the crawl must show every tag somewhere (a field no page shows would prove nothing).
The browser half of the row (dialogs, hx-* requests, CSP) is e2e/test_csp.py's watch on every page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import String, select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import (
    Correction,
    CorrectionItem,
    FormRow,
    MeetingStatus,
    NoticeEntry,
    Objection,
    PaperFollowup,
    PaperItem,
    StaffRole,
)
from portal.services import audit, notices
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application
from tests.security.conftest import PNG, Tenant
from tests.security.test_routes import build, call, fillings, our_clients, routes

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    '<div hx-get="/admin/staff" hx-trigger="load">',
    # Evaluated by a template, it reads X~49~X: "~" is in no token the pages carry (URL-safe base64 and
    # the signed CSRF value), which a bare X49X once matched by chance.
    "X~{{7*7}}~X",
    "javascript:alert(4)",
    "\u202egpj.exe",
)
# The upload check refuses paths and direction characters in file names (T-UP-01), so a file name
# carries the payloads without "/" and U+202E; the test client sends a '"' in a file name as '\"'.
FILE_PAYLOADS = (
    "<script>alert(1)",
    "<img src=x onerror=alert(2)>",
    *(p for p in PAYLOADS if not {"/", "\u202e", '"'} & set(p)),
)
# What a payload looks like when it reached the HTML as markup instead of text.
UNESCAPED = (
    "<script>alert(1)",
    "<img src=x onerror",
    "<svg onload",
    '<div hx-get="/admin/staff"',
    "X~49~X",
    'href="javascript:',
    'src="javascript:',
)


@dataclass
class Field:
    tag: str
    where: str


def payload(tag: str, limit: int | None, offset: int, pool: tuple[str, ...] = PAYLOADS) -> str:
    """The tag, then as many payloads as fit the column, starting at a different one for each field."""
    value = tag
    for i in range(len(pool)):
        candidate = pool[(offset + i) % len(pool)]
        if limit is None or len(value) + len(candidate) <= limit:
            value += candidate
    return value


class Filler:
    def __init__(self) -> None:
        self.fields: list[Field] = []

    def set(self, obj: Any, column: str, where: str) -> str:
        n = len(self.fields) + 1
        tag = f"XSS{n:02d}"
        # varchar(n) refuses longer values on PostgreSQL; Text has no length.
        column_type = type(obj).__table__.c[column].type
        length = column_type.length if isinstance(column_type, String) else None
        value = payload(tag, length, n)
        setattr(obj, column, value)
        self.fields.append(Field(tag, where))
        return value

    def tag(self, where: str) -> str:
        n = len(self.fields) + 1
        self.fields.append(Field(f"XSS{n:02d}", where))
        return f"XSS{n:02d}"


def fill_everything(session: Session, tenant: Tenant, clock: Clock, fill: Filler) -> None:
    w, application = tenant.world, tenant.application
    for user, where in (
        (application.applicant, "applicant name"),
        (tenant.office.handler, "enterprise handler name"),
        (w.bureau.leader, "bureau leader name"),
    ):
        fill.set(user, "name", where)
    fill.set(tenant.office.org, "name", "enterprise name")
    fill.set(w.department.org, "name", "department name")
    for column in (
        "school",
        "major",
        "current_title",
        "work_summary",
        "warnings_acknowledgement",
    ):
        fill.set(application, column, f"application.{column}")
    fill.set(tenant.draft, "work_summary", "draft application.work_summary")
    # The 申报表's rows (issue 21): a school in a degree row, a qualification in a title row.
    for owner, section, name, where in (
        (application, "education", "school", "application education row school"),
        (application, "title", "name", "application title row name"),
        (tenant.draft, "education", "school", "draft application education row school"),
    ):
        row = session.scalars(
            select(FormRow).where(FormRow.application_id == owner.id, FormRow.section == section)
        ).first()
        assert row is not None
        row.data = {**row.data, name: payload(fill.tag(where), 100, len(fill.fields))}
    for column in ("title", "location", "contact"):
        fill.set(tenant.closed_notice, column, f"notice.{column}")
        fill.set(tenant.draft_notice, column, f"draft notice.{column}")
    entry = session.get(NoticeEntry, tenant.objection.entry_id)
    assert entry is not None
    fill.set(entry, "outcome_note", "notice entry outcome note")
    for column in ("name", "contact", "text", "handling"):
        fill.set(tenant.objection, column, f"objection.{column}")
    with session.no_autoflush:  # the handling is shown once the objection is decided
        tenant.objection.status = "dismissed"
        tenant.objection.handled_by_id = tenant.office.leader.id
        tenant.objection.handled_at = clock.now
    objection = session.get(Objection, tenant.objection.id)
    assert objection is not None and objection.attachment is not None
    fill.set(objection.attachment, "display_name", "objection attachment file name")
    fill.set(tenant.material.file, "display_name", "material file name")
    fill.set(tenant.notification, "text", "notification text")
    tenant.window.profile_id = "zhenjiang-2024"  # the profile the bureau follows from here on
    fill.set(tenant.window, "name", "policy window name")
    # A return with one reason per section (一次性告知), and a reason in the timeline.
    correction = Correction(
        application_id=application.id,
        requested_by_id=w.bureau.handler.id,
        org_id=w.bureau.org.id,
        requested_at=clock.now,
        deadline=date(2026, 10, 30),
        status="resubmitted",
        snapshot={},
    )
    session.add(correction)
    session.flush()
    for section in ("education", "work"):
        item = CorrectionItem(correction_id=correction.id, section=section, reason="")
        session.add(item)
        fill.set(item, "reason", f"return reason ({section})")
    timeline_reason = payload(fill.tag("timeline reason"), None, 3)
    audit.record(
        session,
        w.bureau.actor(StaffRole.HANDLER),
        "send_back",
        clock.now,
        object_type="application",
        object_id=application.id,
        from_status=Status.BUREAU_REVIEW.value,
        to_status=Status.BUREAU_REVIEW.value,
        reason=timeline_reason,
    )
    # The paper follow-up's remark (MAT-15): the bureau follows a profile that asks for paper.
    w.bureau.org.policy_profile = "zhenjiang-2024"
    followup = PaperFollowup(
        application_id=application.id,
        org_id=w.bureau.org.id,
        approved_on=date(2026, 9, 28),
        workdays=10,
        due_on=date(2026, 10, 16),
        citation="003 附件 备注3",
        created_at=clock.now,
    )
    session.add(followup)
    session.flush()
    paper_item = PaperItem(followup_id=followup.id, position=0, key="application_form", title="申报表")
    session.add(paper_item)
    fill.set(paper_item, "remark", "paper item remark")
    session.flush()
    # The committee office's reasons: a filing withdrawn (撤回备案, kept on its audit row) and a meeting
    # cancelled (取消会议), both shown on the meeting's page.
    withdrawn = payload(fill.tag("meeting withdraw reason"), None, 5)
    audit.record(
        session,
        w.bureau.actor(StaffRole.LEADER),
        "withdraw_filing",
        clock.now,
        object_type="meeting",
        object_id=tenant.meeting.id,
        from_status=MeetingStatus.FILED.value,
        to_status=MeetingStatus.PLANNED.value,
        reason=withdrawn,
    )
    with session.no_autoflush:  # withdrawn, then cancelled: its page shows both reasons
        tenant.meeting.status = MeetingStatus.CANCELLED.value
        tenant.meeting.cancelled_by_id = w.bureau.leader.id
        tenant.meeting.cancelled_at = clock.now
    fill.set(tenant.meeting, "cancel_reason", "meeting cancel reason")
    session.flush()


def post_objection(app: Flask, session: Session, tenant: Tenant, clock: Clock, fill: Filler) -> list[str]:
    """The public objection form, over HTTP: every text field and the attachment's file name."""
    application = make_application(session, tenant.world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    notice = notices.draft_notice(
        session,
        tenant.office.actor(StaffRole.HANDLER),
        notices.NoticeInput("公示", "一楼公示栏", "人事部 0797-1234567", "2026-09-28"),
        [application.id],
        clock.now,
    )
    notices.publish_notice(session, tenant.office.actor(StaffRole.LEADER), notice.id, clock.now)
    session.flush()
    form = {
        "name": payload(fill.tag("objection form: name"), 50, 1),
        "contact": payload(fill.tag("objection form: contact"), 100, 2),
        "text": payload(fill.tag("objection form: text"), None, 4),
        "attachment": (
            io.BytesIO(PNG),
            payload(fill.tag("objection form: file name"), 90, 0, FILE_PAYLOADS) + ".png",
        ),
        "form_token": new_token(),
    }
    response = app.test_client().post(
        f"/public/notices/{notice.public_token}/objections", data=form, content_type="multipart/form-data"
    )
    assert response.status_code in (200, 303), re.findall(r'class="error"[^>]*>([^<]*)', response.text)
    session.expire_all()
    stored = session.scalars(select(Objection).where(Objection.notice_id == notice.id)).one()
    assert stored.text.startswith("XSS")
    # Pages of this running notice: the url_map's notice_id values are the tenant's other two notices.
    return [f"/notices/{notice.id}", f"/public/notices/{notice.public_token}"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_stored_payload_comes_back_unescaped_on_any_page_or_fragment(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any, clock: Clock
) -> None:
    ours, _ = tenants
    fill = Filler()
    running = post_objection(app, session, ours, clock, fill)  # before the bureau's profile changes
    fill_everything(session, ours, clock, fill)
    everyone = our_clients(app, ours, clients)
    failures: list[str] = []
    seen: set[str] = set()
    pages = 0
    urls = [
        build(app, rule, method, values)
        for rule, method in routes(app)
        if method == "GET"
        for values in fillings(rule, ours)
    ]
    for url, (role, client), htmx in product([*urls, *running], everyone.items(), (False, True)):
        response = call(client, "GET", url, htmx=htmx)
        where = f"GET {url} as {role}{' (htmx)' if htmx else ''}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
        if response.mimetype not in ("text/html", "application/json", "text/plain"):
            continue  # PDFs, spreadsheets, images: not rendered as markup
        pages += 1
        body = response.get_data(as_text=True)
        for marker in UNESCAPED:
            if marker in body:
                at = body.index(marker)
                failures.append(f"{where}: unescaped {marker!r} in …{body[max(at - 80, 0) : at + 40]!r}")
        seen.update(f.tag for f in fill.fields if f.tag in body)
    unseen = [f"{f.tag} {f.where}" for f in fill.fields if f.tag not in seen]
    assert failures == [], "\n".join(failures[:40])
    assert unseen == [], "no crawled page showed (so the crawl proves nothing for): " + ", ".join(unseen)
    assert pages >= 1000 and len(fill.fields) >= 35
