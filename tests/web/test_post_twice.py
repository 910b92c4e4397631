"""Issue 17.2: every POST route of the url_map, sent twice with the same form, takes effect once.

A double click, a browser retry or a replay sends the same form again. For each POST endpoint this test
builds the state in which its form does something, posts the form, snapshots the database, posts the very
same form again and compares: the second post may be refused or answered as the first was, but it changes
nothing (audit rows of refused attempts and session bookkeeping aside). The public objection form does it
with its one-time token (form_submissions); authenticated routes with what they already had — compare-and-
set on the application's version, one open application, unique numbers, or setting a value that is set.

The list of cases must name every POST endpoint: a new route fails here until it says what its second post
does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Action, Status
from portal.models import (
    AccountTransfer,
    AuthSession,
    Base,
    Material,
    Membership,
    Notice,
    Notification,
    StaffRole,
    StandIn,
)
from portal.services import applications, calendar, endorsements, materials, notices, paper
from portal.services.actors import actor_for
from portal.services.submissions import new_token
from tests import imaging
from tests.conftest import Clock
from tests.factories import (
    PASSWORD,
    STEPS_TO,
    STORAGE,
    Road,
    World,
    committee_road,
    make_application,
    make_staff,
    make_user,
    make_world,
    tiny_pdf,
)

# Bookkeeping a refused or repeated request may write without it being an effect of the form.
IGNORED_TABLES = {"audit_events", "auth_sessions"}


@dataclass
class Case:
    client: FlaskClient
    url: str
    form: Callable[[], dict[str, Any]] = dict  # called per post: file fields need fresh streams
    multipart: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    changes_nothing: bool = False  # a check that never writes (the live validation of a field)
    # An effect that lives outside the tables compared (a session row, the role in the cookie, a package
    # job on disk): its state, compared like the tables.
    probe: Callable[[], Any] | None = None
    # An upload whose first post opens its preview: the second lands on that same preview (not the form).
    lands_as_first: bool = False


@dataclass
class Ctx:
    app: Flask
    session: Session
    world: World
    clock: Clock
    login_as: Any
    monkeypatch: pytest.MonkeyPatch

    def as_(self, user: Any, **kw: Any) -> FlaskClient:
        return self.login_as(user, **kw)  # type: ignore[no-any-return]

    def application(self, status: Status, **kw: Any) -> Any:
        return make_application(self.session, self.world, self.clock.now, steps=STEPS_TO[status], **kw)


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.expire_all()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = [repr(tuple(row)) for row in rows]  # JSON columns hold dicts: compare their text
    return out


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (set(before[name]) - set(after[name]), set(after[name]) - set(before[name]))
        for name in before
        if before[name] != after[name]
    }


# --- the cases, one per POST endpoint ---------------------------------------------------------------------


def _admin(c: Ctx) -> FlaskClient:
    return c.as_(c.world.admin)


def admin_add_calendar_day(c: Ctx) -> Case:
    return Case(
        _admin(c), "/admin/calendar/days", lambda: {"day": "2027-10-08", "kind": "holiday", "name": "国庆"}
    )


def admin_remove_calendar_day(c: Ctx) -> Case:
    calendar.add_day(
        c.session,
        actor_for(c.world.admin, c.world.admin_membership),
        date(2027, 10, 8),
        "holiday",
        "国庆",
        c.clock.now,
    )
    return Case(_admin(c), "/admin/calendar/days/2027-10-08/delete")


def admin_confirm_calendar_year(c: Ctx) -> Case:
    # A year is confirmed once its holidays are entered (an empty one is refused).
    calendar.add_day(
        c.session,
        actor_for(c.world.admin, c.world.admin_membership),
        date(2027, 10, 8),
        "holiday",
        "国庆",
        c.clock.now,
    )
    return Case(
        _admin(c), "/admin/calendar/years/2027/confirm", lambda: {"source_ref": "国办发明电〔2026〕7号"}
    )


def admin_import_calendar(c: Ctx) -> Case:
    csv = "2027-10-01,放假,国庆节\n2027-10-09,调休上班,国庆节\n".encode()
    return Case(
        _admin(c), "/admin/calendar/import", lambda: {"file": (io.BytesIO(csv), "2027.csv")}, multipart=True
    )


def admin_set_calendar_convention(c: Ctx) -> Case:
    return Case(_admin(c), "/admin/calendar/convention", lambda: {"start_counts": "1"})


def admin_end_membership(c: Ctx) -> Case:
    return Case(_admin(c), f"/admin/memberships/{c.world.enterprise.leader_membership.id}/end")


def admin_reset_staff_password(c: Ctx) -> Case:
    # A new first password per click: the form's one-time token makes the replay reset nothing more (and
    # show no password).
    token = new_token()
    url = f"/admin/memberships/{c.world.enterprise.handler_membership.id}/password"
    return Case(_admin(c), url, lambda: {"form_token": token})


def admin_reset_expert_password(c: Ctx) -> Case:
    # As for staff: one reset per rendered form, by the bureau's admin (above the committee's office).
    from tests.factories import make_committee, make_committee_world, make_experts

    world = make_committee_world(c.session, c.clock.now)
    (expert,) = make_experts(c.session, make_committee(c.session, world, c.clock.now), c.clock.now, 1)
    token = new_token()
    client = c.as_(world.admin, membership_id=world.admin_membership.id)
    return Case(client, f"/admin/experts/{expert.id}/password", lambda: {"form_token": token})


def _pending_end_of_leader(c: Ctx) -> Any:
    """A request by the bureau admin to end the enterprise leader's role, waiting for a second admin."""
    from portal.services import staff

    ended = staff.end_membership(
        c.session,
        actor_for(c.world.admin, c.world.admin_membership),
        c.world.enterprise.leader_membership.id,
        c.clock.now,
    )
    assert ended.pending
    return ended.change


def admin_confirm_staff_change(c: Ctx) -> Case:
    # The second admin confirms: the role ends once; a second post finds the request decided.
    change = _pending_end_of_leader(c)
    second, _ = make_staff(c.session, c.world.bureau.org, StaffRole.ADMIN, "第二管理员")
    return Case(c.as_(second), f"/admin/staff-changes/{change.id}/confirm")


def admin_cancel_staff_change(c: Ctx) -> Case:
    change = _pending_end_of_leader(c)
    return Case(_admin(c), f"/admin/staff-changes/{change.id}/cancel")


def admin_create_organisation(c: Ctx) -> Case:
    return Case(
        _admin(c),
        "/admin/orgs",
        lambda: {"kind": "department", "name": "新区管委会", "parent_id": str(c.world.bureau.org.id)},
    )


def admin_add_staff(c: Ctx) -> Case:
    person = {
        "name": "林晓",
        "id_number": complete_resident_id("36070219850505321"),
        "phone": "13870709981",
        "role": "handler",
    }
    return Case(_admin(c), f"/admin/orgs/{c.world.department.org.id}/staff", lambda: person)


def admin_name_stand_in(c: Ctx) -> Case:
    office = c.world.enterprise
    extra, _ = make_staff_member(c, office.org, StaffRole.HANDLER)
    form = {
        "substitute_id": str(extra.id),
        "starts_on": c.clock.now.date().isoformat(),
        "ends_on": (c.clock.now.date() + timedelta(days=5)).isoformat(),
    }
    return Case(c.as_(office.handler), f"/admin/orgs/{office.org.id}/stand-ins", lambda: form)


def make_staff_member(c: Ctx, org: Any, role: StaffRole) -> tuple[Any, Membership]:
    from tests.factories import make_staff

    return make_staff(c.session, org, role)


def admin_revoke_stand_in(c: Ctx) -> Case:
    office = c.world.enterprise
    extra, _ = make_staff_member(c, office.org, StaffRole.HANDLER)
    stand_in = StandIn(
        membership_id=office.handler_membership.id,
        substitute_id=extra.id,
        starts_on=c.clock.now.date(),
        ends_on=c.clock.now.date() + timedelta(days=3),
        created_by_id=office.handler.id,
        created_at=c.clock.now,
    )
    c.session.add(stand_in)
    c.session.flush()
    return Case(c.as_(office.handler), f"/admin/stand-ins/{stand_in.id}/revoke")


def _policy(c: Ctx) -> None:
    c.world.bureau.org.policy_profile = "ganzhou-2026"
    c.session.flush()


WINDOW = {
    "batch_id": "2027-1",
    "batch_name": "2027年第一批",
    "authority": "",
    "levels": ["中级"],
    "opens": "2027-03-01",
    "closes": "2027-03-31",
    "citation": "赣市人社字〔2027〕1号",
}


def admin_create_policy_window(c: Ctx) -> Case:
    _policy(c)
    return Case(_admin(c), "/admin/policy/windows", lambda: WINDOW)


def _window(c: Ctx) -> int:
    from portal.services import policies

    _policy(c)
    row = policies.save_window(
        c.session,
        actor_for(c.world.admin, c.world.admin_membership),
        policies.WindowInput(
            "2027-1", "2027年第一批", "", "中级", "2027-03-01", "2027-03-31", "", "赣市人社字〔2027〕1号"
        ),
        c.clock.now,
    )
    return row.id


def admin_update_policy_window(c: Ctx) -> Case:
    window_id = _window(c)
    return Case(_admin(c), f"/admin/policy/windows/{window_id}", lambda: WINDOW | {"closes": "2027-04-15"})


def admin_delete_policy_window(c: Ctx) -> Case:
    return Case(_admin(c), f"/admin/policy/windows/{_window(c)}/delete")


def admin_record_window_filing(c: Ctx) -> Case:
    """A self-review unit's window (SCOPE-13): the same filing posted again sets what is set."""
    from portal.services import policies
    from tests.services.test_self_review import GZ, with_unit

    _policy(c)
    assert c.world.enterprise.org.uscc is not None
    patched = {**policies.profiles(), "ganzhou-2026": with_unit(GZ, c.world.enterprise.org.uscc)}
    c.monkeypatch.setattr(policies, "profiles", lambda: patched)
    row = policies.save_window(
        c.session,
        actor_for(c.world.admin, c.world.admin_membership),
        policies.WindowInput(
            "own-1", "自主认定第一批", "gz-own", "中级", "2027-03-01", "2027-03-31", "", "某企〔2027〕1号"
        ),
        c.clock.now,
    )
    filed_on = min(calendar.today(c.clock.now), row.opens - timedelta(days=1))
    form = {
        "filed_on": filed_on.isoformat(),
        "filed_with": "赣州市职称工作办公室",
        "filing_ref": "某企〔2027〕2号",
    }
    return Case(_admin(c), f"/admin/policy/windows/{row.id}/filing", lambda: form)


def admin_record_profile_filing(c: Ctx) -> Case:
    """A self-review unit's window written in the profile's file: the first post keeps a row of the bureau
    with the filing, the second finds that row and sets what is set."""
    from portal.services import policies
    from tests.services.test_self_review import GZ, with_unit_batch

    _policy(c)
    assert c.world.enterprise.org.uscc is not None
    day = calendar.today(c.clock.now)
    opens = day + timedelta(days=30)
    profile = with_unit_batch(GZ, c.world.enterprise.org.uscc, opens, opens + timedelta(days=20))
    patched = {**policies.profiles(), "ganzhou-2026": profile}
    c.monkeypatch.setattr(policies, "profiles", lambda: patched)
    form = {
        "batch_id": "own-file",
        "authority": "gz-own",
        "filed_on": day.isoformat(),
        "filed_with": "赣州市职称工作办公室",
        "filing_ref": "某企〔2027〕2号",
    }
    return Case(_admin(c), "/admin/policy/filings", lambda: form)


def admin_set_policy_profile(c: Ctx) -> Case:
    return Case(_admin(c), "/admin/policy/profile", lambda: {"policy_profile": "ganzhou-2026"})


def admin_void_registration(c: Ctx) -> Case:
    # A registration no unit attached (ACC-04), voided once: the second post finds it voided, refused.
    person = make_user(c.session, "自行注册人")
    person.registered_with_id = c.world.bureau.org.id
    admin = c.as_(c.world.admin, membership_id=c.world.admin_membership.id)
    return Case(admin, f"/admin/registrations/{person.id}/void", lambda: {"reason": "冒用他人身份注册"})


def admin_save_authority_contact(c: Ctx) -> Case:
    _policy(c)
    form = {
        "authority_code": "GZ-CITY",
        "name": "赣州市职称工作办公室",
        "phone": "0797-8888888",
        "source": "电话核实",
    }
    from portal.services.policies import profiles

    form["authority_code"] = profiles()["ganzhou-2026"].authorities[0].code
    return Case(_admin(c), "/admin/policy/contacts", lambda: form)


def certificates_revoke_certificate(c: Ctx) -> Case:
    application = c.application(Status.CERTIFIED)
    return Case(
        c.as_(c.world.bureau.leader),
        f"/certificates/{application.id}/revoke",
        lambda: {"reason": "学历证书系伪造", "clause": "赣人社字〔2022〕1号 七(三)"},
    )


def _hr(c: Ctx) -> FlaskClient:
    return c.as_(c.world.enterprise.handler)


APPLICANT = {
    "name": "周文博",
    "document_type": "resident_id",
    "id_number": complete_resident_id("36070219920315401"),
    "phone": "13970709951",
    "employment_type": "labour_contract",
}


def enterprise_create_applicant(c: Ctx) -> Case:
    return Case(_hr(c), "/enterprise/applicants", lambda: APPLICANT)


def enterprise_validate_applicant(c: Ctx) -> Case:
    return Case(
        _hr(c), "/enterprise/applicants/validate?field=id_number", lambda: APPLICANT, changes_nothing=True
    )


def enterprise_start_application(c: Ctx) -> Case:
    person = make_user(c.session, employer=c.world.enterprise.org)
    form = {
        "applicant_id": str(person.id),
        "series": "工程",
        "specialty": "土木工程",
        "level": "中级",
        "pathway": "评审",
    }
    return Case(_hr(c), "/enterprise/applications", lambda: form)


FORM = {
    "education": "本科",
    "school": "南昌大学",
    "major": "土木工程",
    "graduated_on": "2014-06-30",
    "work_started_on": "2014-07-10",
    "work_summary": "负责市政道路工程的施工技术管理。",
}


def enterprise_save_form(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    return Case(_hr(c), f"/enterprise/applications/{application.id}/form", lambda: FORM)


def _roster_csv() -> bytes:
    return "姓名,身份证号码,单位名称,缴费月数\n某人,{},城投集团,60\n".format(
        complete_resident_id("36070219800101123")
    ).encode()


def enterprise_create_import(c: Ctx) -> Case:
    rows = "姓名,证件类型,证件号码,手机号码,用工类型\n赵一,居民身份证,{},13970709961,劳动合同\n".format(
        complete_resident_id("36070219910101123")
    ).encode()
    token = new_token()
    return Case(
        _hr(c),
        "/enterprise/imports",
        lambda: {"file": (io.BytesIO(rows), "导入.csv"), "form_token": token},
        multipart=True,
        lands_as_first=True,
    )


def enterprise_confirm_import(c: Ctx) -> Case:
    rows = "姓名,证件类型,证件号码,手机号码,用工类型\n赵一,居民身份证,{},13970709962,劳动合同\n".format(
        complete_resident_id("36070219910101224")
    ).encode()
    hr = _hr(c)
    created = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(rows), "导入.csv"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    batch = re.search(r"/enterprise/imports/(\d+)", created.headers.get("Location", "") + created.text)
    assert batch, created.text[:500]
    return Case(hr, f"/enterprise/imports/{batch.group(1)}/confirm")


def enterprise_upload_roster(c: Ctx) -> Case:
    token = new_token()
    return Case(
        _hr(c),
        "/enterprise/roster",
        lambda: {"file": (io.BytesIO(_roster_csv()), "参保.csv"), "form_token": token},
        multipart=True,
    )


def enterprise_upload_seal(c: Ctx) -> Case:
    seal, token = imaging.seal(), new_token()
    return Case(
        c.as_(c.world.enterprise.leader),
        "/enterprise/seal",
        lambda: {"seal": (io.BytesIO(seal), "公章.png"), "form_token": token},
        multipart=True,
    )


def _held_elsewhere(c: Ctx) -> Any:
    return make_user(c.session, "转入人", employer=c.world.other_enterprise.org)


def enterprise_request_transfer(c: Ctx) -> Case:
    person = _held_elsewhere(c)
    form = {"name": person.name, "document_type": "resident_id", "id_number": person.id_number}
    return Case(_hr(c), "/enterprise/transfers", lambda: form)


def _transfer(c: Ctx) -> AccountTransfer:
    from portal.domain.accounts import ApplicantDraft
    from portal.services import accounts

    person = _held_elsewhere(c)
    return accounts.request_transfer(
        c.session,
        c.world.enterprise.actor(StaffRole.HANDLER),
        ApplicantDraft(name=person.name, id_number=person.id_number),
        c.clock.now,
    )


def enterprise_cancel_transfer(c: Ctx) -> Case:
    return Case(_hr(c), f"/enterprise/transfers/{_transfer(c).id}/cancel")


def enterprise_refuse_transfer(c: Ctx) -> Case:
    transfer = _transfer(c)
    return Case(
        c.as_(c.world.other_enterprise.handler),
        f"/enterprise/transfers/{transfer.id}/refuse",
        lambda: {"note": "劳动合同尚未解除"},
    )


def enterprise_release_transfer(c: Ctx) -> Case:
    transfer = _transfer(c)
    return Case(c.as_(c.world.other_enterprise.handler), f"/enterprise/transfers/{transfer.id}/release")


def _note(c: Ctx) -> Notification:
    from portal.services.notifications import notify

    notify(
        c.session,
        [c.world.enterprise.handler.id],
        "returned",
        "有一件申报被退回",
        "/review/queue",
        c.clock.now,
    )
    c.session.flush()
    return c.session.scalars(
        select(Notification).where(Notification.user_id == c.world.enterprise.handler.id)
    ).first()  # type: ignore[return-value]


def inbox_open_notification(c: Ctx) -> Case:
    return Case(_hr(c), f"/inbox/{_note(c).id}/open")


def inbox_mark_all_read(c: Ctx) -> Case:
    _note(c)
    return Case(_hr(c), "/inbox/read-all")


def _live_sessions(c: Ctx, user: Any) -> Callable[[], int]:
    return lambda: len(c.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all())


def auth_login(c: Ctx) -> Case:
    user = make_user(c.session)
    return Case(
        c.app.test_client(),
        "/login",
        lambda: {"login": user.phone, "password": PASSWORD},
        probe=_live_sessions(c, user),
    )


def auth_register(c: Ctx) -> Case:
    # ACC-04: the second registration of the same number and phone is refused (one message, audited).
    bureau = c.world.bureau.org
    bureau.policy_profile = "kunming-2022"
    password = "Kunming#Reg2026x"
    form = {
        "name": "段雪梅",
        "document_type": "resident_id",
        "id_number": complete_resident_id("53011319900118019"),
        "phone": "13970909960",
        "password": password,
        "confirm": password,
    }
    return Case(c.app.test_client(), f"/register/{bureau.id}", lambda: form)


def auth_logout(c: Ctx) -> Case:
    return Case(_hr(c), "/logout", probe=_live_sessions(c, c.world.enterprise.handler))


def auth_change_password(c: Ctx) -> Case:
    new = "Newpass#2026x"
    return Case(_hr(c), "/password", lambda: {"current": PASSWORD, "new": new, "confirm": new})


def auth_switch_role(c: Ctx) -> Case:
    hr = _hr(c)

    def role_in_cookie() -> Any:
        with hr.session_transaction() as cookie:
            return cookie.get("membership_id")

    return Case(hr, "/switch-role", lambda: {"membership_id": "0"}, probe=role_in_cookie)


def auth_set_language(c: Ctx) -> Case:
    # Setting a value that is set: the account's language (a table) changes once, the cookie stays "en".
    return Case(_hr(c), "/language", lambda: {"language": "en", "back": "/password"})


def auth_change_email(c: Ctx) -> Case:
    # Setting a value that is set: the second post finds the same address and changes nothing (no second
    # verification e-mail either).
    return Case(_hr(c), "/account/email", lambda: {"email": "hr@example.cn"})


def auth_resend_verification(c: Ctx) -> Case:
    # Writes nothing (the e-mail goes through the queue); a burst of resends is rate-limited per account
    # (tests/web/test_email.py).
    c.world.enterprise.handler.email = "resend@example.cn"
    return Case(_hr(c), "/account/email/resend", changes_nothing=True)


def auth_choose_email_notices(c: Ctx) -> Case:
    # Setting values that are set: the same topics switched off again.
    return Case(_hr(c), "/account/email/notices", lambda: {"topics": ["corrections", "decisions"]})


def auth_remove_email(c: Ctx) -> Case:
    # The second post finds no address: nothing to remove.
    c.world.enterprise.handler.email = "gone@example.cn"
    return Case(_hr(c), "/account/email/remove")


def auth_confirm_email(c: Ctx) -> Case:
    # The link verifies once: the second post is refused ("already used").
    from portal.services import email_addresses

    user = c.world.enterprise.handler
    user.email = "verify@example.cn"
    token = email_addresses.verification_token(str(c.app.config["SECRET_KEY"]), user, c.clock.now)
    return Case(c.app.test_client(), f"/account/email/verify/{token}")


def _applicant(c: Ctx, application: Any) -> FlaskClient:
    return c.as_(application.applicant)


def applicant_act(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    form = {"action": "submit", "version": str(application.version)}
    return Case(_applicant(c, application), f"/me/applications/{application.id}/act", lambda: form)


def applicant_copy_previous(c: Ctx) -> Case:
    earlier = c.application(Status.DRAFT)
    applications.act(c.session, actor_for(earlier.applicant, None), earlier.id, Action.WITHDRAW, c.clock.now)
    later = applications.start_application(
        c.session,
        c.world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(earlier.applicant_id, "工程", "土木工程", "中级"),
        c.clock.now,
    )
    return Case(_applicant(c, later), f"/me/applications/{later.id}/copy-previous")


def applicant_precheck_application(c: Ctx) -> Case:
    # The live pre-check reads the typed values and writes nothing.
    application = c.application(Status.DRAFT)
    return Case(
        _applicant(c, application),
        f"/me/applications/{application.id}/precheck",
        lambda: {"education": "硕士"},
        changes_nothing=True,
    )


def applicant_save_form(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    return Case(
        _applicant(c, application),
        f"/me/applications/{application.id}/form",
        lambda: FORM | {"school": "江西理工大学"},
    )


def applicant_upload_material(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    pdf, token = tiny_pdf(), new_token()
    return Case(
        _applicant(c, application),
        f"/me/applications/{application.id}/materials",
        lambda: {
            "slot": "other",
            "kind": "original",
            "files": (io.BytesIO(pdf), "其他.pdf"),
            "form_token": token,
        },
        multipart=True,
    )


def applicant_remove_material(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    material = c.session.scalars(select(Material).where(Material.application_id == application.id)).first()
    assert material is not None
    return Case(
        _applicant(c, application), f"/me/applications/{application.id}/materials/{material.id}/remove"
    )


def applicant_sign_pledge(c: Ctx) -> Case:
    application = c.application(Status.DRAFT)
    application.pledge_signed_at = None
    c.session.flush()
    return Case(
        _applicant(c, application), f"/me/applications/{application.id}/pledge", lambda: {"agree": "1"}
    )


def _notice_draft(c: Ctx) -> Notice:
    application = c.application(Status.UNIT_APPROVED)
    return notices.draft_notice(
        c.session,
        c.world.enterprise.actor(StaffRole.HANDLER),
        notices.NoticeInput("公示", "一楼公示栏", "人事部 0797-1234567", c.clock.now.date().isoformat()),
        [application.id],
        c.clock.now,
    )


def notices_draft_notice(c: Ctx) -> Case:
    application = c.application(Status.UNIT_APPROVED)
    form = {
        "title": "职称申报公示",
        "location": "一楼公示栏",
        "contact": "人事部 0797-1234567",
        "start_date": c.clock.now.date().isoformat(),
        "application_ids": [str(application.id)],
    }
    return Case(_hr(c), "/notices", lambda: form)


def notices_publish_notice(c: Ctx) -> Case:
    return Case(c.as_(c.world.enterprise.leader), f"/notices/{_notice_draft(c).id}/publish")


def notices_discard_notice(c: Ctx) -> Case:
    return Case(_hr(c), f"/notices/{_notice_draft(c).id}/discard")


def _running_notice(c: Ctx) -> Notice:
    notice = _notice_draft(c)
    notices.publish_notice(c.session, c.world.enterprise.actor(StaffRole.LEADER), notice.id, c.clock.now)
    c.session.flush()
    return notice


def notices_resolve_objection(c: Ctx) -> Case:
    notice = _running_notice(c)
    objection = notices.file_objection(
        c.session,
        STORAGE,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "不实"),
        c.clock.now,
        ip="10.0.0.9",
    )
    return Case(
        _hr(c),
        f"/notices/objections/{objection.id}/resolve",
        lambda: {"decision": "dismissed", "handling": "经核查，业绩属实"},
    )


def public_file_objection(c: Ctx) -> Case:
    notice = _running_notice(c)
    token = new_token()
    form = {"name": "钱多多", "contact": "13912340000", "text": "业绩不实", "form_token": token}
    return Case(c.app.test_client(), f"/public/notices/{notice.public_token}/objections", lambda: form)


def packages_create_batch(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)
    form = {"ids": [str(application.id)], "form_token": new_token()}
    return Case(_hr(c), "/packages/batches", lambda: form)  # a job row once; the replay is refused


def _handed_off(c: Ctx) -> Any:
    """An application past its notice, its bureau handing off to Jiangxi (issue 23)."""
    application = c.application(Status.NOTICE_PASSED)
    c.world.bureau.org.policy_profile = "ganzhou-2026"
    c.session.flush()
    return application


def _results_xlsx(application: Any) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "身份证号码", "证书编号", "认定结果"])
    book.active.append([application.applicant.name, application.applicant.id_number, "赣JX-1", "通过"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def handoffs_start_export(c: Ctx) -> Case:
    _handed_off(c)
    form = {"form_token": new_token()}
    return Case(c.as_(c.world.enterprise.handler), "/handoffs/jx/exports", lambda: form)  # one job row


def handoffs_upload_results(c: Ctx) -> Case:
    data, token = _results_xlsx(_handed_off(c)), new_token()
    return Case(
        c.as_(c.world.enterprise.handler),
        "/handoffs/jx/results",
        lambda: {"file": (io.BytesIO(data), "结果.xlsx"), "form_token": token},
        multipart=True,
        lands_as_first=True,
    )  # one checked import; the replay keeps none and lands on its preview


def handoffs_apply_results(c: Ctx) -> Case:
    from portal.services import handoff_results

    application = _handed_off(c)
    actor = c.world.enterprise.actor(StaffRole.HANDLER)
    record, _ = handoff_results.check_results(
        c.session, STORAGE, actor, "jx", _results_xlsx(application), "结果.xlsx", c.clock.now
    )
    form = {"form_token": new_token()}
    return Case(c.as_(c.world.enterprise.handler), f"/handoffs/results/{record.id}/apply", lambda: form)


def _review(c: Ctx, status: Status) -> tuple[Any, FlaskClient]:
    application = c.application(status)
    return application, _hr(c)


def review_act(c: Ctx) -> Case:
    application, hr = _review(c, Status.SUBMITTED)
    form = {"action": "handler_approve", "version": str(application.version)}
    return Case(hr, f"/review/applications/{application.id}/act", lambda: form)


def review_return_application(c: Ctx) -> Case:
    application, hr = _review(c, Status.SUBMITTED)
    form = {
        "sections": ["summary"],
        "reason_summary": "工作总结过于简略，请补充主要业绩",
        "deadline": (c.clock.now.date() + timedelta(days=14)).isoformat(),
        "version": str(application.version),
    }
    return Case(hr, f"/review/applications/{application.id}/return", lambda: form)


def review_bulk_act(c: Ctx) -> Case:
    application, hr = _review(c, Status.SUBMITTED)
    return Case(hr, "/review/bulk", lambda: {"action": "handler_approve", "ids": [str(application.id)]})


def _copy(c: Ctx) -> tuple[Any, Material]:
    application = c.application(Status.DRAFT)
    copy = materials.upload_material(
        c.session,
        actor_for(application.applicant, None),
        STORAGE,
        application.id,
        materials.UploadInput(slot="other", kind="copy"),
        [materials.scans.Part("a.png", imaging.png(200, 280))],
        c.clock.now,
    )
    endorsements.upload_seal(
        c.session,
        c.world.enterprise.actor(StaffRole.LEADER),
        STORAGE,
        imaging.seal(),
        "公章.png",
        c.clock.now,
    )
    return application, copy


def review_endorse_material(c: Ctx) -> Case:
    application, copy = _copy(c)
    return Case(
        _hr(c), f"/review/applications/{application.id}/materials/{copy.id}/endorse", lambda: {"checked": "1"}
    )


def review_revoke_endorsement(c: Ctx) -> Case:
    application, copy = _copy(c)
    endorsement = endorsements.endorse_material(
        c.session,
        c.world.enterprise.actor(StaffRole.HANDLER),
        STORAGE,
        application.id,
        copy.id,
        c.clock.now,
        checked_original=True,
    )
    return Case(
        _hr(c),
        f"/review/applications/{application.id}/endorsements/{endorsement.id}/revoke",
        lambda: {"reason": "盖错了"},
    )


def review_record_paper_item(c: Ctx) -> Case:
    application = c.application(Status.BUREAU_REVIEW)
    c.world.bureau.org.policy_profile = "zhenjiang-2024"
    c.session.flush()
    applications.act(
        c.session,
        c.world.bureau.actor(StaffRole.HANDLER),
        application.id,
        Action.HANDLER_APPROVE,
        c.clock.now,
    )
    followup = paper.followup_of(c.session, application.id)
    assert followup is not None
    form = {"item": str(followup.items[0].id), "received": "1", "remark": "已收到"}
    return Case(c.as_(c.world.bureau.handler), f"/review/applications/{application.id}/paper", lambda: form)


def review_record_opinion(c: Ctx) -> Case:
    # The unit's opinion sets its values: the same form again sets what is already set.
    application = c.application(Status.UNIT_REVIEW)
    form = {
        "evaluation": "工作扎实，能独立解决施工技术问题。",
        "method": "vote",
        "participants": "单位领导班子成员、部门负责人",
        "participants_count": "9",
        "votes_for": "8",
        "recommendation": "recommend",
        "formation": "经民主推荐，领导班子集体研究同意推荐。",
        "assessment": "2023—2025年度考核均为合格",
        "assessment_passed": "yes",
    }
    return Case(_hr(c), f"/review/applications/{application.id}/opinion", lambda: form)


# Recorded reads: buttons (POST) that hand out a document or a full number and write only their audit
# event (each download is audited; no other table changes, however often it is pressed).


def packages_download_package_pdf(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)
    return Case(_hr(c), f"/packages/applications/{application.id}/package.pdf", changes_nothing=True)


def packages_download_package_zip(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)  # the enterprise holds it: its handler takes the ZIP
    return Case(_hr(c), f"/packages/applications/{application.id}/package.zip", changes_nothing=True)


def notices_download_sheet_pdf(c: Ctx) -> Case:
    return Case(_hr(c), f"/notices/{_running_notice(c).id}/sheet.pdf", changes_nothing=True)


def notices_download_sheet_xlsx(c: Ctx) -> Case:
    return Case(_hr(c), f"/notices/{_running_notice(c).id}/sheet.xlsx", changes_nothing=True)


def notices_download_objection_attachment(c: Ctx) -> Case:
    notice = _running_notice(c)
    objection = notices.file_objection(
        c.session,
        STORAGE,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "不实"),
        c.clock.now,
        ip="10.0.0.9",
        attachment=tiny_pdf(),
        attachment_name="证明.pdf",
    )
    return Case(_hr(c), f"/notices/objections/{objection.id}/attachment", changes_nothing=True)


def admin_export_audit_events(c: Ctx) -> Case:
    return Case(_admin(c), "/admin/audit.xlsx", changes_nothing=True)


def review_export_queue(c: Ctx) -> Case:
    c.application(Status.SUBMITTED)
    return Case(_hr(c), "/review/queue.xlsx?tab=all", changes_nothing=True)


def review_reveal_identity(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)
    return Case(_hr(c), f"/review/applications/{application.id}/identity", changes_nothing=True)


def handoffs_reveal_copy_identity(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)
    url = f"/handoffs/js/applications/{application.id}/copy/identity"
    return Case(_hr(c), url, changes_nothing=True)


def enterprise_reveal_applicant(c: Ctx) -> Case:
    application = c.application(Status.SUBMITTED)
    return Case(_hr(c), f"/enterprise/applicants/{application.applicant_id}/identity", changes_nothing=True)


def enterprise_reset_applicant_password(c: Ctx) -> Case:
    # A new first password per click: the form's one-time token makes the replay reset nothing more (and
    # show no password).
    application = c.application(Status.SUBMITTED)
    token = new_token()
    return Case(
        _hr(c), f"/enterprise/applicants/{application.applicant_id}/password", lambda: {"form_token": token}
    )


def enterprise_update_applicant_account(c: Ctx) -> Case:
    # The name corrected once: the second post finds nothing to change (refused as unchanged, flashed) and
    # writes no second audit row.
    application = c.application(Status.SUBMITTED)
    return Case(
        _hr(c),
        f"/enterprise/applicants/{application.applicant_id}/account",
        lambda: {"name": "周文博", "phone": "13970709955"},
    )


def certificates_approval_document(c: Ctx) -> Case:
    # Nobody certified that day: a message, nothing written (with someone: the PDF and its audit event).
    bureau = c.as_(c.world.bureau.leader)
    return Case(bureau, "/certificates/approval.pdf", lambda: {"day": "2026-01-05"}, changes_nothing=True)


def certificates_export_certificates(c: Ctx) -> Case:
    # A background job per click: the form's one-time token makes the replay start none.
    form = {"level": "中级", "form_token": new_token()}
    return Case(c.as_(c.world.bureau.handler), "/certificates/exports", lambda: form)


def _year_end_bureau(c: Ctx) -> None:
    """The bureau follows the Ganzhou profile, whose counties report the year to the city office (REP-01)."""
    c.world.bureau.org.policy_profile = "ganzhou-2026"
    c.session.flush()


def certificates_year_end_approval(c: Ctx) -> Case:
    # The county certified nobody this year: a message, nothing written (with someone: the PDF, audited).
    _year_end_bureau(c)
    form = {"authority": "gz-zhanggong", "year": "2026"}
    return Case(
        c.as_(c.world.bureau.leader),
        "/certificates/year-end/approval.pdf",
        lambda: form,
        changes_nothing=True,
    )


def certificates_record_year_end_report(c: Ctx) -> Case:
    # One report per authority and year (a unique row): the second post is refused, the first kept.
    _year_end_bureau(c)
    form = {"authority": "gz-zhanggong", "year": "2026"}
    return Case(c.as_(c.world.bureau.handler), "/certificates/year-end/reports", lambda: form)


def public_check_certificate(c: Ctx) -> Case:
    # The check is logged for the holder (a row): once per rendered form.
    form = {"number": "2026GZ00001", "name": "张三", "form_token": new_token()}
    return Case(c.app.test_client(), "/public/certificates", lambda: form)


def styleguide_show_styleguide(c: Ctx) -> Case:
    # The styleguide's demo form answers with its error state and writes nothing.
    return Case(_admin(c), "/styleguide", changes_nothing=True)


def _zhenjiang(c: Ctx) -> None:
    c.world.bureau.org.policy_profile = "zhenjiang-2024"
    c.session.flush()


def committees_create_committee(c: Ctx) -> Case:
    # The second post meets the name the first took: refused, nothing more created.
    _zhenjiang(c)
    return Case(
        _admin(c),
        "/committees",
        lambda: {"name": "建设工程评委会", "forming_unit": "市评价中心", "kind": "city"},
    )


def committees_load_committees(c: Ctx) -> Case:
    _zhenjiang(c)  # loaded once: the second load finds every accepting body loaded
    return Case(_admin(c), "/committees/load")


def _committee(c: Ctx) -> Any:
    from tests.factories import make_committee_rows

    return make_committee_rows(c.session, c.world, c.clock.now).committee


_SCOPE = {
    "row_no": "2",
    "specialties": "机械工程",
    "place": "丹阳市",
    "levels": ["中级"],
    "citation": "003 附件 序号2",
}


def committees_add_scope(c: Ctx) -> Case:
    # The second post adds a row the committee already has: refused (the scope holds it already).
    committee = _committee(c)
    return Case(_admin(c), f"/committees/{committee.id}/scopes", lambda: _SCOPE)


def committees_update_scope(c: Ctx) -> Case:
    # The second post changes nothing: the row already says it.
    committee = _committee(c)
    return Case(_admin(c), f"/committees/scopes/{committee.scopes[0].id}", lambda: _SCOPE)


def committees_delete_scope(c: Ctx) -> Case:
    committee = _committee(c)
    return Case(_admin(c), f"/committees/scopes/{committee.scopes[0].id}/delete")


def committees_record_exception(c: Ctx) -> Case:
    # One exception per application (CHAN-01): the second post finds it recorded, refused, nothing changes.
    from tests.factories import make_committee, make_committee_world, make_review_application

    world = make_committee_world(c.session, c.clock.now)
    make_committee(c.session, world, c.clock.now, specialties="建设工程、机械工程")
    first = make_review_application(c.session, world, c.clock.now)
    applications.act(
        c.session, world.bureau.actor(StaffRole.LEADER), first.id, Action.SEND_TO_COMMITTEE, c.clock.now
    )
    second = make_review_application(
        c.session, world, c.clock.now, applicant=first.applicant, what=("机械", "机械工程", "中级")
    )
    admin = c.as_(world.admin, membership_id=world.admin_membership.id)
    return Case(admin, f"/committees/exceptions/{second.id}", lambda: {"reason": "经市职称办同意改报"})


# The committee road's meetings (issue 22): a bureau with the Zhenjiang profile, a committee with its
# office, an application on its way to the meeting; each case walks the meeting to the step its form takes.


def _road(c: Ctx) -> Road:
    return committee_road(c.session, c.clock)


def _office(c: Ctx, road: Road, role: StaffRole = StaffRole.HANDLER) -> FlaskClient:
    office = road.made.office
    if role is StaffRole.LEADER:
        return c.as_(office.leader, membership_id=office.leader_membership.id)
    return c.as_(office.handler, membership_id=office.handler_membership.id)


def _held_on(c: Ctx) -> str:
    from portal.services.calendar import today

    return (today(c.clock.now) + timedelta(days=30)).isoformat()


def _planned(c: Ctx, *, agenda: bool = True) -> tuple[Road, Any]:
    """A meeting 30 days on, in preparation, the application on its agenda unless ``agenda`` is false."""
    from portal.services import meetings

    road = _road(c)
    handler = road.made.office.actor(StaffRole.HANDLER)
    meeting = meetings.plan_meeting(
        c.session, handler, meetings.MeetingInput(_held_on(c), "市人社局三楼会议室"), c.clock.now
    )
    if agenda:
        meetings.add_to_agenda(c.session, handler, meeting.id, [road.application.id], c.clock.now)
    return road, meeting


def _prepared(c: Ctx) -> tuple[Road, Any]:
    """A planned meeting with its plan and a drawn panel: ready to be filed by the office's leader."""
    from portal.services import meetings, votes
    from tests.factories import make_experts

    road, meeting = _planned(c)
    handler = road.made.office.actor(StaffRole.HANDLER)
    make_experts(c.session, road.made, c.clock.now, 5)
    meetings.save_plan(
        c.session,
        handler,
        meeting.id,
        meetings.PlanInput(plan="按专业分组评审", pass_rate_limit="80"),
        c.clock.now,
    )
    votes.draw_panel(c.session, handler, meeting.id, 5, c.clock.now, seed="seed-for-tests")
    return road, meeting


def _accepted(c: Ctx) -> tuple[Road, Any]:
    """A meeting filed and accepted by the bureau (Zhenjiang's: its experts confirm no study, CHAN-06)."""
    from tests.factories import filed_meeting, make_experts

    road = _road(c)
    make_experts(c.session, road.made, c.clock.now, 5)
    meeting = filed_meeting(c.session, road.world, road.made, [road.application], c.clock.now)
    return road, meeting


def _voting(c: Ctx) -> tuple[Road, Any]:
    """The meeting's day: the vote opened with the whole panel present."""
    from portal.services import votes

    road, meeting = _accepted(c)
    c.clock.now = c.clock.now + timedelta(days=30)
    members = votes.panel(c.session, meeting)
    votes.open_voting(
        c.session, road.made.office.actor(StaffRole.LEADER), meeting.id, [m.id for m in members], c.clock.now
    )
    return road, meeting


def _tallied(c: Ctx) -> tuple[Road, Any]:
    """Every expert voted yes, the vote closed, the result notice run out."""
    from portal.services import votes
    from tests.factories import committee_notice, pass_notice

    road, meeting = _voting(c)
    ballot = {entry.id: "yes" for entry in meeting.entries}
    for member in votes.panel(c.session, meeting):
        votes.cast_ballot(c.session, actor_for(member.expert.user, None), meeting.id, ballot, c.clock.now)
    votes.close_voting(c.session, road.made.office.actor(StaffRole.LEADER), meeting.id, c.clock.now)
    notice = committee_notice(
        c.session, road.made.office, [road.application.id], c.clock.now, title="评审结果公示"
    )
    c.clock.now = pass_notice(c.session, notice)
    return road, meeting


def _expert_client(c: Ctx, meeting: Any) -> FlaskClient:
    from portal.services import votes

    user = votes.panel(c.session, meeting)[0].expert.user
    user.must_change_password = False  # their first password changed (tests/web/test_auth.py)
    c.session.flush()
    return c.as_(user)


def committees_plan_meeting(c: Ctx) -> Case:
    # A meeting is a new row per post: the form's one-time token makes the replay plan none.
    road, token = _road(c), new_token()
    form = {"held_on": _held_on(c), "place": "市人社局会议室", "form_token": token}
    return Case(_office(c, road), "/committees/meetings", lambda: form)


def committees_save_plan(c: Ctx) -> Case:
    # Setting values that are set: the second post finds nothing changed.
    road, meeting = _planned(c)
    form = {
        "held_on": _held_on(c),
        "place": "市人社局会议室",
        "plan": "按专业分组评审",
        "pass_rate_limit": "80",
    }
    return Case(_office(c, road), f"/committees/meetings/{meeting.id}/plan", lambda: form)


def committees_add_to_agenda(c: Ctx) -> Case:
    # The second post finds the application on this meeting's agenda: a per-row refusal, nothing added.
    road, meeting = _planned(c, agenda=False)
    form = {"application_ids": [str(road.application.id)]}
    return Case(_office(c, road), f"/committees/meetings/{meeting.id}/agenda", lambda: form)


def committees_remove_from_agenda(c: Ctx) -> Case:
    # The second post finds the application no longer on the agenda: refused.
    road, meeting = _planned(c)
    return Case(_office(c, road), f"/committees/meetings/{meeting.id}/agenda/{road.application.id}/remove")


def committees_draw_panel(c: Ctx) -> Case:
    # A new draw replaces the panel (a deliberate re-draw is a new rendering of the form): the one-time
    # token makes the replay of the same form draw nothing.
    from tests.factories import make_experts

    road, meeting = _planned(c)
    make_experts(c.session, road.made, c.clock.now, 7)
    token = new_token()
    form = {"size": "5", "form_token": token}
    return Case(_office(c, road), f"/committees/meetings/{meeting.id}/draw", lambda: form)


def committees_file_meeting(c: Ctx) -> Case:
    # Compare-and-set on the meeting's status: the second post finds it filed.
    road, meeting = _prepared(c)
    return Case(_office(c, road, StaffRole.LEADER), f"/committees/meetings/{meeting.id}/file")


def committees_cancel_meeting(c: Ctx) -> Case:
    # Compare-and-set on the meeting's status: the second post finds it cancelled (refused, the agenda and
    # panel already released, nothing changed). The fuller of its two cases: a meeting the bureau accepted,
    # cancelled by the leader, whose cancel also tells the bureau and the experts: told once.
    from portal.services import meetings

    road, meeting = _prepared(c)
    meetings.file_meeting(c.session, road.made.office.actor(StaffRole.LEADER), meeting.id, c.clock.now)
    bureau = road.world.bureau.actor(StaffRole.HANDLER)
    meetings.decide_filing(c.session, bureau, meeting.id, True, "", c.clock.now)
    form = {"cancel_reason": "专家不足法定人数，改期另行安排"}
    return Case(_office(c, road, StaffRole.LEADER), f"/committees/meetings/{meeting.id}/cancel", lambda: form)


def committees_withdraw_filing(c: Ctx) -> Case:
    # Compare-and-set on FILED: the second post finds the meeting back in preparation, nothing filed to
    # withdraw (refused, audited, one withdrawal recorded).
    from portal.services import meetings

    road, meeting = _prepared(c)
    leader = road.made.office.actor(StaffRole.LEADER)
    meetings.file_meeting(c.session, leader, meeting.id, c.clock.now)
    form = {"withdraw_reason": "会议日期填错"}
    return Case(
        _office(c, road, StaffRole.LEADER), f"/committees/meetings/{meeting.id}/withdraw", lambda: form
    )


def committees_decide_filing(c: Ctx) -> Case:
    # The second post finds the filing decided: no filing waits.
    from portal.services import meetings

    road, meeting = _prepared(c)
    meetings.file_meeting(c.session, road.made.office.actor(StaffRole.LEADER), meeting.id, c.clock.now)
    bureau = road.world.bureau
    return Case(
        c.as_(bureau.handler, membership_id=bureau.handler_membership.id),
        f"/committees/meetings/{meeting.id}/filing",
        lambda: {"decision": "accept", "note": ""},
    )


def committees_open_voting(c: Ctx) -> Case:
    # The second post finds the vote open: refused (it opens on an accepted filing only).
    from portal.services import votes

    road, meeting = _accepted(c)
    c.clock.now = c.clock.now + timedelta(days=30)
    present = [str(m.id) for m in votes.panel(c.session, meeting)]
    return Case(
        _office(c, road, StaffRole.LEADER),
        f"/committees/meetings/{meeting.id}/open",
        lambda: {"present": present},
    )


def committees_close_voting(c: Ctx) -> Case:
    # The second post finds the vote counted: refused, the tally stands.
    from portal.services import votes

    road, meeting = _voting(c)
    ballot = {entry.id: "yes" for entry in meeting.entries}
    for member in votes.panel(c.session, meeting):
        votes.cast_ballot(c.session, actor_for(member.expert.user, None), meeting.id, ballot, c.clock.now)
    return Case(_office(c, road, StaffRole.LEADER), f"/committees/meetings/{meeting.id}/close")


def committees_confirm_results(c: Ctx) -> Case:
    # The second post finds the results confirmed: refused, the applications moved once.
    road, meeting = _tallied(c)
    return Case(
        _office(c, road, StaffRole.LEADER),
        f"/committees/meetings/{meeting.id}/confirm",
        lambda: {"note": "全票通过，超过设定通过率经评委会研究确认"},
    )


def committees_publish_results(c: Ctx) -> Case:
    # The second post finds the results published: refused, no second publication.
    from portal.services import results

    road, meeting = _tallied(c)
    results.confirm_results(
        c.session,
        road.made.office.actor(StaffRole.LEADER),
        meeting.id,
        "全票通过，超过设定通过率经评委会研究确认",
        c.clock.now,
    )
    bureau = road.world.bureau
    return Case(
        c.as_(bureau.leader, membership_id=bureau.leader_membership.id),
        f"/committees/meetings/{meeting.id}/publish",
        lambda: {"document_no": "镇人社〔2026〕8号"},
    )


def committees_add_expert(c: Ctx) -> Case:
    # The second post meets the person in the pool already: refused, no second account or expert.
    from tests.factories import make_committee, make_committee_world, phone, resident_id

    world = make_committee_world(c.session, c.clock.now)
    made = make_committee(c.session, world, c.clock.now)
    form = {
        "name": "王五",
        "id_number": resident_id(),
        "phone": phone(),
        "series": "工程",
        "specialty": "建设工程",
        "title": "高级工程师",
        "employer_name": "镇江市建筑设计院",
    }
    office = made.office
    return Case(
        c.as_(office.handler, membership_id=office.handler_membership.id), "/committees/experts", lambda: form
    )


def committees_acknowledge(c: Ctx) -> Case:
    # Once: the second post finds the conditions acknowledged and changes nothing. Kunming's committee:
    # only its profile asks the experts to confirm their study (CHAN-06, 004 一(七)).
    from tests.factories import filed_meeting, make_experts

    road = committee_road(c.session, c.clock, profile="kunming-2022")
    make_experts(c.session, road.made, c.clock.now, 5)
    meeting = filed_meeting(c.session, road.world, road.made, [road.application], c.clock.now)
    # Posted from the meeting's own page (/committees/panels/<id>): it comes back there both times.
    url = f"/committees/panels/{meeting.id}/acknowledge"
    return Case(_expert_client(c, meeting), url, lambda: {"from": "meeting"})


def committees_cast_ballot(c: Ctx) -> Case:
    # One ballot per expert: the second post is refused (posted from the meeting's own page, as there).
    _, meeting = _voting(c)
    entry = meeting.entries[0]
    return Case(
        _expert_client(c, meeting),
        f"/committees/panels/{meeting.id}/ballot",
        lambda: {"from": "meeting", f"choice_{entry.id}": "yes"},
    )


# The committee's call (评审通知, issue 22.8): a Kunming bureau (its profile has the call rule) and an office.


def _call_office(c: Ctx) -> Any:
    from tests.factories import make_committee, make_committee_world

    world = make_committee_world(c.session, c.clock.now, profile="kunming-2022")
    return world, make_committee(c.session, world, c.clock.now, place="东川区").office


def _call(c: Ctx, *steps: str) -> tuple[Any, Any, Any]:
    """A call drafted 45 days before its intake, then taken through ``steps`` (file, accept)."""
    from portal.services import calls
    from portal.services.calendar import today

    world, office = _call_office(c)
    opens = today(c.clock.now) + timedelta(days=45)
    leader = office.actor(StaffRole.LEADER)
    data = calls.CallInput(
        "评审通知", opens.isoformat(), (opens + timedelta(days=20)).isoformat(), "申报材料"
    )
    call = calls.draft_call(c.session, leader, data, c.clock.now)
    if "file" in steps:
        calls.file_call(c.session, leader, call.id, c.clock.now)
    if "accept" in steps:
        calls.decide_call(c.session, world.bureau.actor(StaffRole.LEADER), call.id, True, "", c.clock.now)
    return world, office, call


def committees_draft_call(c: Ctx) -> Case:
    # A call is a new row per post: the form's one-time token makes the replay draft none.
    from portal.services.calendar import today

    _world, office = _call_office(c)
    opens = today(c.clock.now) + timedelta(days=45)
    form = {
        "title": "东川区2026年度评审通知",
        "intake_opens": opens.isoformat(),
        "intake_closes": (opens + timedelta(days=20)).isoformat(),
        "requirements": "申报材料及要求",
        "form_token": new_token(),
    }
    return Case(
        c.as_(office.handler, membership_id=office.handler_membership.id), "/committees/calls", lambda: form
    )


def committees_file_call(c: Ctx) -> Case:
    # Compare-and-set on the call's status: the second post finds it filed, refused.
    _world, office, call = _call(c)
    return Case(
        c.as_(office.leader, membership_id=office.leader_membership.id), f"/committees/calls/{call.id}/file"
    )


def committees_decide_call(c: Ctx) -> Case:
    # The second post finds the filing decided: no filing waits.
    world, _office, call = _call(c, "file")
    return Case(
        c.as_(world.bureau.handler, membership_id=world.bureau.handler_membership.id),
        f"/committees/calls/{call.id}/decide",
        lambda: {"decision": "accept", "note": ""},
    )


def committees_publish_call(c: Ctx) -> Case:
    # The second post finds the call published: refused, published once.
    _world, office, call = _call(c, "file", "accept")
    return Case(
        c.as_(office.leader, membership_id=office.leader_membership.id),
        f"/committees/calls/{call.id}/publish",
    )


def _published_meeting(c: Ctx) -> tuple[Road, Any, bytes]:
    """A meeting whose pass is published, and the province's sheet naming its number."""
    from openpyxl import Workbook

    from portal.models import Meeting
    from tests.factories import to_published

    road = _road(c)
    c.clock.now = to_published(c.session, road.world, road.made, [road.application], c.clock.now)
    book = Workbook()
    book.active.append(["姓名", "身份证号", "证书编号"])
    applicant = road.application.applicant
    book.active.append([applicant.name, applicant.id_number, "JS2026-0000077"])
    out = io.BytesIO()
    book.save(out)
    return road, c.session.query(Meeting).order_by(Meeting.id.desc()).first(), out.getvalue()


def committees_check_certificate_numbers(c: Ctx) -> Case:
    # The preview keeps the file: the one-time token makes the replay keep none, and it lands on the same
    # preview (not the meeting page).
    road, meeting, data = _published_meeting(c)
    bureau, token = road.world.bureau, new_token()
    return Case(
        c.as_(bureau.handler, membership_id=bureau.handler_membership.id),
        f"/committees/meetings/{meeting.id}/certificates",
        lambda: {"file": (io.BytesIO(data), "证书编号.xlsx"), "form_token": token},
        multipart=True,
        lands_as_first=True,
    )


def committees_apply_certificate_numbers(c: Ctx) -> Case:
    # The one-time token refuses the replay (and a new form finds the import applied: refused as such).
    from portal.services import certificate_numbers

    road, meeting, data = _published_meeting(c)
    bureau = road.world.bureau
    preview = certificate_numbers.check_numbers(
        c.session, STORAGE, bureau.actor(StaffRole.HANDLER), meeting.id, data, "证书编号.xlsx", c.clock.now
    )
    form = {"digest": preview.digest, "form_token": new_token()}
    return Case(
        c.as_(bureau.handler, membership_id=bureau.handler_membership.id),
        f"/committees/meetings/{meeting.id}/certificates/{preview.file_id}/apply",
        lambda: form,
    )


# --- 职称确认 (issue 22.7): a Dongchuan application asks for its title from another province to be confirmed.


def _confirmation(c: Ctx, *, at_committee: bool) -> tuple[Road, int]:
    """A Dongchuan 评审 draft with a Sichuan title in its form (its row id returned); at_committee: the line
    asked for and the application sent by the bureau to the committee's office."""
    from portal.services import confirmations
    from tests.factories import (
        city_system_passed,
        make_committee,
        make_committee_world,
        reviewers,
        walk,
        with_title_elsewhere,
    )

    world = make_committee_world(c.session, c.clock.now, profile="kunming-2022")
    made = make_committee(c.session, world, c.clock.now, place="东川区")
    application = make_application(
        c.session, world, c.clock.now, pathway="评审", what=("工程", "建设工程", "中级")
    )
    row_id = with_title_elsewhere(c.session, application, c.clock.now)
    if at_committee:
        hr = world.enterprise.actor(StaffRole.HANDLER)
        confirmations.request_from_row(c.session, hr, application.id, row_id, "other_province", c.clock.now)
        walk(c.session, reviewers(world), application, STEPS_TO[Status.BUREAU_REVIEW] + 1, c.clock.now)
        city_system_passed(c.session, world, application, c.clock.now)  # Kunming's gate (004 一(二))
        applications.act(
            c.session,
            world.bureau.actor(StaffRole.LEADER),
            application.id,
            Action.SEND_TO_COMMITTEE,
            c.clock.now,
        )
    return Road(world, made, application), row_id


def committees_request_confirmation(c: Ctx) -> Case:
    # The second post asks for the same row again: the line already holds those values, nothing changes.
    road, row_id = _confirmation(c, at_committee=False)
    form = {"row_id": str(row_id), f"origin_{row_id}": "other_province"}
    return Case(
        c.as_(road.application.applicant), f"/committees/confirmations/applications/{road.application.id}",
        lambda: form,
    )  # fmt: skip


def committees_send_confirmations(c: Ctx) -> Case:
    # A line is sent once: the second post finds nobody left to send and is refused.
    road, _row = _confirmation(c, at_committee=True)
    return Case(_office(c, road), "/committees/confirmations/send")


def committees_export_confirmations(c: Ctx) -> Case:
    # A download: audited each time (audit rows aside), it changes nothing.
    road, _row = _confirmation(c, at_committee=True)
    return Case(_office(c, road), "/committees/confirmations.xlsx?tab=requested", changes_nothing=True)


def committees_decide_confirmations(c: Ctx) -> Case:
    # Compare-and-set on the line's status: the second decision finds it decided (a per-row refusal).
    from portal.services import confirmations

    road, _row = _confirmation(c, at_committee=True)
    (line,) = confirmations.send_list(c.session, road.made.office.actor(StaffRole.HANDLER), c.clock.now)
    bureau = road.world.bureau
    client = c.as_(bureau.handler, membership_id=bureau.handler_membership.id)
    form = {"line_ids": [str(line.id)], "decision": "confirm"}
    return Case(client, "/committees/confirmations/decide", lambda: form)


def _pool_expert(c: Ctx) -> tuple[FlaskClient, Any]:
    from tests.factories import make_committee, make_committee_world, make_experts

    world = make_committee_world(c.session, c.clock.now)
    made = make_committee(c.session, world, c.clock.now)
    term = {"appointed_on": "2023-01-01", "term_ends": "2025-12-31"}
    (expert,) = make_experts(c.session, made, c.clock.now, 1, **term)
    office = made.office
    return c.as_(office.handler, membership_id=office.handler_membership.id), expert


def committees_renew_expert(c: Ctx) -> Case:
    # The second post records the same term again: the row is as the first left it (a second audit row).
    client, expert = _pool_expert(c)
    form = {"appointed_on": "2026-01-01", "term_ends": "2028-12-31"}
    return Case(client, f"/committees/experts/{expert.id}/renew", lambda: form)


def committees_export_experts(c: Ctx) -> Case:
    # A download: audited each time (audit rows aside), it changes nothing.
    client, _expert = _pool_expert(c)
    return Case(client, "/committees/experts.xlsx", lambda: {"standing": "ended"}, changes_nothing=True)


def committees_set_expert_subject(c: Ctx) -> Case:
    # The second post saves the same series and specialty again: the row is as the first left it.
    client, expert = _pool_expert(c)
    form = {"series": "工程", "specialty": "建筑结构"}
    return Case(client, f"/committees/experts/{expert.id}/subject", lambda: form)


def committees_set_expert_level(c: Ctx) -> Case:
    # The second post records the same level again: the row is as the first left it.
    client, expert = _pool_expert(c)
    return Case(client, f"/committees/experts/{expert.id}/level", lambda: {"title_level": "正高级"})


def committees_deactivate_expert(c: Ctx) -> Case:
    # The second post finds the expert out of the pool already: refused (audited), the row as the first
    # left it (its day and reason are not overwritten).
    client, expert = _pool_expert(c)
    return Case(
        client, f"/committees/experts/{expert.id}/deactivate", lambda: {"deactivation_reason": "调离"}
    )


def committees_restore_expert(c: Ctx) -> Case:
    # The second post finds the expert back in the pool: refused (audited), nothing changes.
    from portal.services import votes

    client, expert = _pool_expert(c)
    handler = c.session.scalars(
        select(Membership).where(
            Membership.org_id == expert.committee.office_id, Membership.role == StaffRole.HANDLER.value
        )
    ).first()
    votes.deactivate_expert(c.session, actor_for(handler.user, handler), expert.id, "调离", c.clock.now)
    return Case(client, f"/committees/experts/{expert.id}/restore")


CASES: dict[str, Callable[[Ctx], Case]] = {
    name.replace("_", ".", 1): function
    for name, function in list(globals().items())
    if callable(function) and name.split("_", 1)[0] in {
        "admin", "applicant", "auth", "certificates", "committees", "enterprise", "handoffs", "inbox",
        "notices", "packages", "public", "review", "styleguide",
    } and name.count("_") >= 1 and not name.startswith("_")
}  # fmt: skip


def test_every_post_route_has_a_case(app: Flask) -> None:
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert posts - set(CASES) == set(), "a POST route without a case: say what its second post does"
    assert set(CASES) - posts == set()


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_the_same_form_twice_takes_effect_once(
    endpoint: str, app: Flask, session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(session)
    case = CASES[endpoint](Ctx(app, session, world, clock, login_as, monkeypatch))
    session.flush()
    kwargs: dict[str, Any] = {"headers": case.headers}
    if case.multipart:
        kwargs["content_type"] = "multipart/form-data"
    probe = case.probe or (lambda: None)
    before, probed = snapshot(session), probe()
    first = case.client.post(case.url, data=case.form(), **kwargs)
    assert first.status_code < 500, first.text[:2000]
    after_first, probed_first = snapshot(session), probe()
    if case.changes_nothing:
        assert differences(before, after_first) == {}
    else:
        changed = differences(before, after_first) != {} or probed != probed_first
        assert changed, f"the first post did nothing: {first.status_code}"
    second = case.client.post(case.url, data=case.form(), **kwargs)
    assert second.status_code < 500, second.text[:2000]
    assert differences(after_first, snapshot(session)) == {}, (
        f"the second post ({second.status_code}) changed it"
    )
    assert probe() == probed_first, f"the second post ({second.status_code}) changed {probed_first!r}"
    if case.lands_as_first:
        assert first.status_code == second.status_code == 303
        assert second.headers["Location"] == first.headers["Location"], "the second post lost the preview"
