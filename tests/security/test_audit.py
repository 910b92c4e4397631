"""The audit trail: T-LOG-01 completeness (every event once, with actor, org, role, action, object,
outcome, IP and request id), T-LOG-02 no secrets or full ID numbers, T-LOG-04 tamper evidence (hash
chain, `flask audit verify`, append-only triggers), and the bureau admin's viewer and Excel export."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import AuditEvent, StaffRole, User
from portal.services import audit, audit_trail
from portal.services.actors import Actor, actor_for
from tests.conftest import Clock, run_queued
from tests.dbsetup import on_postgres
from tests.factories import PASSWORD, STEPS_TO, make_application, make_world, resident_id
from tests.i18n.reading import in_english
from tests.security.conftest import Tenant

HX = {"HX-Request": "true"}


def _rows(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _login(app: Flask, user: User, membership_id: int | None = None) -> Any:
    browser = app.test_client()
    response = browser.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert response.status_code == 303
    if membership_id is not None:
        browser.post("/switch-role", data={"membership_id": str(membership_id)})
    return browser


def test_every_event_of_the_journey_is_audited_once_with_who_what_where(
    app: Flask, session: Session, clock: Clock, tenants: tuple[Tenant, Tenant], caplog: Any, queue: None
) -> None:
    """T-LOG-01 and T-LOG-02 over a scripted journey through the web layer."""
    caplog.set_level(logging.DEBUG)
    ours, _ = tenants
    w = ours.world
    start = len(_rows(session))
    anonymous = app.test_client()
    assert (
        anonymous.post("/login", data={"login": "13000000000", "password": "Wrong-pass1"}).status_code == 422
    )
    hr = _login(app, w.enterprise.handler)
    new_id = resident_id()
    assert (
        hr.post(
            "/enterprise/applicants",
            data={
                "name": "新申报人",
                "id_number": new_id,
                "phone": "13912340000",
                "employment_type": "labour_contract",
            },
        )
    ).status_code == 200
    submitted = make_application(session, w, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    to_return = make_application(session, w, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    approved = make_application(session, w, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    audit.seal(session)
    mark = max(e.id for e in _rows(session))
    assert (
        hr.post(f"/review/applications/{submitted.id}/act", data={"action": "handler_approve"}).status_code
        == 303
    )
    form = {"sections": "education", "reason_education": "学历信息不全", "deadline": "2026-10-30"}
    assert hr.post(f"/review/applications/{to_return.id}/return", data=form).status_code == 303
    assert hr.get(f"/review/applications/{submitted.id}").status_code == 200  # masked: nothing audited
    assert hr.post(f"/review/applications/{submitted.id}/identity").status_code == 200  # asked: audited
    # A corrected account: the before and after of what changed, the mobile masked (below: not in the trail).
    corrected = {"name": "周文博", "phone": "13912349999"}
    assert (
        hr.post(f"/enterprise/applicants/{submitted.applicant_id}/account", data=corrected).status_code == 303
    )
    notice_form = {
        "title": "公示",
        "location": "一楼",
        "contact": "人事部 0797-1234567",
        "start_date": "2026-09-29",
    }
    assert hr.post("/notices", data={**notice_form, "application_ids": str(approved.id)}).status_code == 303
    assert hr.post(f"/notices/{ours.closed_notice.id}/sheet.xlsx").status_code == 200
    assert hr.post(f"/notices/objections/{ours.objection.id}/attachment").status_code == 200
    assert hr.get("/admin/orgs").status_code == 403
    admin = _login(app, w.admin)
    assert admin.post("/admin/audit.xlsx").status_code == 200
    assert hr.post("/logout").status_code == 303
    assert run_queued(app) >= 1  # the refused GET's audit row, written by the worker (no GET writes)

    events = [e for e in _rows(session)[start:] if e.id > mark or e.action in ("login", "create_applicant")]
    expected = {
        ("login", "denied"): None,
        ("login", "ok"): w.enterprise.handler.id,
        ("create_applicant", "ok"): w.enterprise.handler.id,
        ("handler_approve", "ok"): w.enterprise.handler.id,
        ("return", "ok"): w.enterprise.handler.id,
        ("view_identity", "ok"): w.enterprise.handler.id,
        ("update_account", "ok"): w.enterprise.handler.id,
        ("draft_notice", "ok"): w.enterprise.handler.id,
        ("export_notice", "ok"): w.enterprise.handler.id,
        ("view_file", "ok"): w.enterprise.handler.id,
        ("access_denied", "denied"): w.enterprise.handler.id,
        ("export_audit", "ok"): w.admin.id,
        ("logout", "ok"): w.enterprise.handler.id,
    }
    problems = []
    for (action, outcome), actor_id in expected.items():
        found = [
            e for e in events if e.action == action and e.outcome == outcome and (action != "login" or
            e.actor_id == actor_id)
        ]  # fmt: skip
        if len(found) != 1:
            problems.append(f"{action}/{outcome}: {len(found)} events")
            continue
        event = found[0]
        if event.actor_id != actor_id or not event.object_type or not event.ip or len(event.request_id) < 8:
            problems.append(f"{action}: actor {event.actor_id}, object {event.object_type}, ip {event.ip!r}")
        staff_action = actor_id is not None and action not in ("login", "logout")
        if staff_action and (event.org_id is None or event.role not in ("handler", "leader", "admin")):
            problems.append(f"{action}: org {event.org_id}, role {event.role}")
    assert problems == []

    # T-LOG-02: no password, session token or full ID number in the audit rows or the application log.
    session_cookie = hr.get_cookie("portal_session")
    secrets = [PASSWORD, "Wrong-pass1", new_id, corrected["phone"], *(u.id_number for u in ours.applicants)]
    if session_cookie is not None:
        secrets.append(session_cookie.value)
    trail = " ".join(repr([getattr(e, c.key) for c in AuditEvent.__table__.columns]) for e in _rows(session))
    logged = caplog.text
    assert [s for s in secrets if s in trail or s in logged] == []


def _tamper(session: Session, sql: str, **params: Any) -> None:
    """Edit the table behind the triggers' back, as someone with the database file would."""
    if on_postgres():
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        session.execute(text(sql), params)
        session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
        session.execute(text(sql), params)


def _events(session: Session, count: int, now: Any) -> list[AuditEvent]:
    actor = Actor(0, "系统", ip="127.0.0.1", request_id="r" * 32)
    made = [
        audit.record(session, actor, "test_event", now, object_type="test", object_id=i) for i in range(count)
    ]
    audit.seal(session)
    return made


def test_the_chain_verifies_and_names_an_edited_row(session: Session, clock: Clock) -> None:
    make_world(session)
    events = _events(session, 5, clock.now)
    checked, broken = audit.verify_chain(session)
    assert broken is None and checked >= 5
    _tamper(session, "UPDATE audit_events SET reason = 'x' WHERE id = :id", id=events[2].id)
    session.expire_all()
    _, broken = audit.verify_chain(session)
    assert broken is not None and broken.row_id == events[2].id and "篡改" in broken.problem


def test_the_chain_detects_a_deleted_row(session: Session, clock: Clock) -> None:
    events = _events(session, 4, clock.now)
    _tamper(session, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    session.expire_all()
    _, broken = audit.verify_chain(session)
    assert broken is not None and "缺失" in broken.problem


def test_audit_rows_cannot_be_updated_or_deleted_once_sealed(session: Session, clock: Clock) -> None:
    event = _events(session, 1, clock.now)[0]
    for sql in ("UPDATE audit_events SET outcome = 'ok', reason = 'edited' WHERE id = :id",
                "DELETE FROM audit_events WHERE id = :id"):  # fmt: skip
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql), {"id": event.id})
        nested.rollback()


def test_flask_audit_verify_reports_ok_then_the_broken_link(
    app: Flask, session: Session, clock: Clock
) -> None:
    events = _events(session, 3, clock.now)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "校验通过" in result.output
    _tamper(session, "UPDATE audit_events SET ip = '10.0.0.1' WHERE id = :id", id=events[0].id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "篡改" in result.output


def test_the_admin_viewer_filters_and_exports_only_its_own_tree(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], login_as: Any, clock: Clock
) -> None:
    ours, theirs = tenants
    audit.record(
        session, theirs.world.enterprise.actor(StaffRole.HANDLER), "their_secret", clock.now, object_type="x"
    )
    audit.record(
        session, ours.world.enterprise.actor(StaffRole.HANDLER), '=HYPERLINK("x")', clock.now, object_type="x"
    )
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)
    page = admin.get("/admin/audit")
    assert page.status_code == 200 and "审计日志" in page.text and "their_secret" not in page.text
    query = {"action": "handler_approve", "outcome": "ok"}
    filtered = admin.get("/admin/audit", query_string=query, headers=HX)
    assert filtered.status_code == 200 and "handler_approve" in filtered.text
    assert "start_application" not in filtered.text
    fragment = admin.get(
        "/admin/audit", query_string={"actor": ours.world.enterprise.handler.name}, headers=HX
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="audit-rows"' in fragment.text
    export = admin.post("/admin/audit.xlsx")
    assert export.status_code == 200 and export.headers["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(export.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "their_secret" not in [str(c.value) for c in cells]
    # Text as typed, in a string cell with the quote prefix: shown as text, never a formula (T-PRIV-03).
    typed = [c for c in cells if c.value == '=HYPERLINK("x")']
    assert typed and all(c.data_type == "s" and c.quotePrefix for c in typed)
    assert not any(c.data_type == "f" for c in cells)
    for role in ("enterprise_handler", "bureau_leader"):
        user, membership_id = ours.roles()[role]
        assert login_as(user, membership_id=membership_id).get("/admin/audit").status_code == 403


def test_a_filter_that_cannot_be_applied_is_named_not_dropped(
    session: Session, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    """A QA report: /admin/audit?start=2026-13-45 showed the whole log, the bad date silently ignored."""
    ours, _ = tenants
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)
    bad = admin.get("/admin/audit", query_string={"start": "2026/3/15", "object_id": "12a"})
    assert bad.status_code == 422
    assert 'id="e-start"' in bad.text and "日期格式应为 年-月-日" in bad.text
    assert 'id="e-object_id"' in bad.text and "对象编号应为数字" in bad.text
    assert "筛选条件有误" in bad.text and "<tbody>" not in bad.text  # no rows, rather than every row
    huge = admin.get("/admin/audit", query_string={"object_id": "9" * 25})
    assert huge.status_code == 422 and "对象编号应为数字" in huge.text
    backwards = admin.get("/admin/audit", query_string={"start": "2026-10-02", "end": "2026-10-01"})
    assert backwards.status_code == 422 and "截止日期不能早于起始日期" in backwards.text
    export = admin.post("/admin/audit.xlsx", query_string={"end": "2026-02-30"})
    assert export.status_code == 303 and "end=2026-02-30" in export.headers["Location"]  # back to the filter
    assert "日期“2026-02-30”不存在，请核对月份和日" in admin.get(export.headers["Location"]).text


def test_a_well_written_date_that_does_not_exist_is_said_not_to_exist(
    session: Session, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    """QA: 2026-02-30 was answered "日期格式应为 年-月-日，例如 2026-03-15", the format it is written in.
    As the calendar's import says it: no such day, check the month and the day (in English too)."""
    ours, _ = tenants
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)
    for query in ({"start": "2026-02-30"}, {"end": "2026-13-01"}):
        ((field, value),) = query.items()
        page = admin.get("/admin/audit", query_string=query)
        assert page.status_code == 422 and f'id="e-{field}"' in page.text
        assert f"日期“{value}”不存在，请核对月份和日" in page.text and "日期格式应为" not in page.text
    english = in_english(admin).get("/admin/audit", query_string={"start": "2026-02-30"})
    assert english.status_code == 422
    assert "The date “2026-02-30” does not exist; check the month and the day" in english.text
    assert "Write the date as year-month-day" not in english.text


def test_another_bureaus_event_as_the_cursor_reveals_nothing(
    session: Session, tenants: tuple[Tenant, Tenant], login_as: Any, clock: Clock
) -> None:
    """The viewer pages by `before=<event id>`, continuing after that event's (time, id). Its time was read
    by id alone: given another bureau's event, the admin's own rows older than it followed, so paging by
    their ids told its time. An event outside the admin's tree is a cursor exactly as a missing one."""
    ours, theirs = tenants
    mine = ours.world.enterprise.actor(StaffRole.HANDLER)
    for number, ago in enumerate((10, 5, 1)):
        at = clock.now - timedelta(days=ago)
        audit.record(session, mine, "login", at, object_type="probe", object_id=number)
    secret = audit.record(
        session, theirs.world.enterprise.actor(StaffRole.HANDLER), "login", clock.now - timedelta(days=3),
        object_type="probe", object_id=99,
    )  # fmt: skip
    session.flush()
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)

    def shown(before: int) -> list[str]:
        page = admin.get("/admin/audit", query_string={"object_type": "probe", "before": before}, headers=HX)
        assert page.status_code == 200
        return re.findall(r"#(\d+)</td>", page.text)

    newest = max(e.id for e in _rows(session) if e.object_type == "probe" and e.object_id == 2)
    assert shown(newest) == ["1", "0"]  # control: one of ours continues after its own time
    assert shown(secret.id) == shown(987_654_321) == []  # theirs: as a missing event, nothing follows


def test_a_system_event_is_read_only_by_the_bureau_it_is_about(
    session: Session, tenants: tuple[Tenant, Tenant], login_as: Any, clock: Clock
) -> None:
    """QA walk 3, item 2: Ganzhou's admin, under "本局及下属单位", read Zhenjiang's vote count and its
    notice closed by the scheduled job — every event with no user behind it (系统, the public) was every
    bureau's. Such an event names no organisation: it is read by the bureau whose object it is about, in
    the list, the object filter, the cursor and the export; a failed login of an account nobody holds
    concerns no bureau and stays everyone's. The actor filter finds them as the list names them (系统,
    "System"; it found none; and apart, 未登录 for the public's and an unknown login's): the bureau's own,
    never another bureau's."""
    ours, theirs = tenants
    later = clock.now + timedelta(minutes=5)

    def system_events(tenant: Tenant, side: str) -> list[AuditEvent]:
        """One event of each kind the system or the public records about the tenant's objects, newest first;
        each has its own request id (8 characters: the viewer shows that many), `side` its first one."""
        t = tenant
        kinds = [
            ("tally", "application", t.application.id, {}),
            ("close_notice", "notice", t.closed_notice.id, {}),
            ("file_objection", "notice", t.closed_notice.id, {}),
            ("close_vote", "meeting", t.meeting.id, {}),
            ("create_organisation", "organisation", t.world.bureau.org.id, {}),
            ("register_applicant", "user", None, {"bureau_id": t.world.bureau.org.id}),
        ]
        events = []
        for n, (action, kind, about, detail) in enumerate(kinds):
            nobody = Actor(0, "系统", ip="127.0.0.1", request_id=f"{side}sys{n}xxx")  # no user, no org
            at = later - timedelta(seconds=n)
            events.append(
                audit.record(session, nobody, action, at, object_type=kind, object_id=about, detail=detail)
            )
        return events

    mine, theirs_events = system_events(ours, "O"), system_events(theirs, "T")
    nobodys = audit.record(
        session, Actor(0, "", ip="127.0.0.1", request_id="Nlogin00"), "login", later + timedelta(seconds=1),
        object_type="user", outcome="denied", detail={"code": "unknown_login"},
    )  # fmt: skip
    session.flush()
    assert all(e.actor_id is None and e.org_id is None for e in [*mine, *theirs_events, nobodys])
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)

    def shown(**query: Any) -> set[str]:
        page = admin.get("/admin/audit", query_string=query, headers=HX)
        assert page.status_code == 200
        return set(re.findall(r"<code>([ONT]\w{7})</code>", page.text))

    own = {e.request_id for e in mine}
    assert shown() == own | {"Nlogin00"}
    for event in theirs_events:  # the object filter (the reviewer's URL) finds none of theirs
        if event.object_id is not None:
            assert shown(object_type=event.object_type, object_id=event.object_id) == set()
    assert shown(object_type="application", object_id=ours.application.id) == {"Osys0xxx"}
    assert shown(object_type="notice", object_id=ours.closed_notice.id) == {"Osys1xxx", "Osys2xxx"}
    # The cursor: after one of theirs nothing (as a missing event); after one of ours, our older ones.
    assert all(shown(before=e.id) == set() for e in theirs_events)
    assert shown(before=mine[3].id) == {"Osys4xxx", "Osys5xxx"}
    export = admin.post("/admin/audit.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    exported = {str(row[14]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert own | {"Nlogin00"} <= exported and not exported & {e.request_id for e in theirs_events}
    # The actor filter: 系统 (the system's own) and 未登录 (the public's objection and registration, the
    # unknown login) as the list names them find ours, never theirs (list, export), in English too.
    public = {"Osys2xxx", "Osys5xxx", "Nlogin00"}
    system = own - public
    assert shown(actor="系统") == shown(actor="（系统）") == system
    assert shown(actor="未登录") == shown(actor="（未登录）") == public
    assert shown(actor="系统管理员") == shown(actor="未登录/系统") == set()  # the label, not a text with it
    export = admin.post("/admin/audit.xlsx", query_string={"actor": "系统"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(min_row=2, values_only=True))
    exported = {str(row[14]) for row in rows}
    assert system <= exported and not exported & (public | {e.request_id for e in theirs_events})
    assert {row[2] for row in rows} == {"（系统）"}  # the fixtures' own system rows besides: no user
    export = admin.post("/admin/audit.xlsx", query_string={"actor": "未登录"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(min_row=2, values_only=True))
    assert {str(row[14]) for row in rows} == public and {row[2] for row in rows} == {"（未登录）"}
    in_english(admin)
    assert shown(actor="System") == shown(actor="system") == system
    assert shown(actor="Not logged in") == shown(actor="(not logged in)") == public


def test_the_filter_lists_offer_what_occurs_in_the_tree_and_nothing_of_another(
    session: Session, tenants: tuple[Tenant, Tenant], login_as: Any, clock: Clock
) -> None:
    """The action and object lists are read as a UNION of the scope's branches (an index each, not a DISTINCT
    over the whole trail's OR): the same set the viewer's own query holds, every branch's rows included —
    staff acting for an organisation of the tree, an applicant employed there, a person registered with the
    bureau whom no unit holds, an actor-less event about the tree's object — and another bureau's not."""
    ours, theirs = tenants
    registered = session.scalars(
        select(User).where(User.registered_with_id == ours.world.bureau.org.id, User.employer_id.is_(None))
    ).first()
    assert registered is not None
    applicant = ours.applicants[0]

    def record(tenant: Tenant, side: str, person: User) -> None:
        staff = tenant.world.enterprise.actor(StaffRole.HANDLER)
        acts = [
            (staff, "staff"),
            (Actor(person.id, person.name, employer_id=person.employer_id), "applicant"),
            (Actor(0, "系统"), "system"),
        ]
        for actor, kind in acts:
            # An actor-less event is the tree's by the object it is about: a kind `_about_the_tree` knows.
            about = tenant.application.id if kind == "system" else None
            audit.record(
                session,
                actor,
                f"{side}_{kind}_act",
                clock.now,
                object_type="application" if about else f"{side}_{kind}_kind",
                object_id=about,
            )

    record(ours, "ours", applicant)
    record(theirs, "theirs", theirs.applicants[0])
    audit.record(
        session, Actor(registered.id, registered.name), "ours_registered_act", clock.now, object_type="u"
    )
    session.flush()
    actor = actor_for(ours.world.admin, ours.world.admin_membership)
    options = audit_trail.filter_options(session, actor)
    everything = audit_trail.query(session, actor, audit_trail.AuditQuery())
    expected_actions = set(session.scalars(everything.with_only_columns(AuditEvent.action).distinct()))
    expected_kinds = set(session.scalars(everything.with_only_columns(AuditEvent.object_type).distinct()))
    assert set(options.actions) == expected_actions and set(options.object_types) == expected_kinds
    assert options.actions == sorted(options.actions)
    ours_acts = {"ours_staff_act", "ours_applicant_act", "ours_system_act", "ours_registered_act"}
    assert ours_acts <= set(options.actions)
    assert {"ours_staff_kind", "ours_applicant_kind", "application"} <= set(options.object_types)
    assert not any(code.startswith("theirs") for code in [*options.actions, *options.object_types])
    admin = login_as(ours.world.admin, membership_id=ours.world.admin_membership.id)
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert all(f'value="{code}"' in page.text for code in ours_acts) and "theirs_" not in page.text
