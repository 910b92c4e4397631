"""Data a journey owns: applicants and applications made straight through the services (as the demo seeder
does), so a journey that runs last changes nothing the other journeys read, whatever order they run in."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from portal import demo_committee
from portal.demo import (
    DEMO_ACKNOWLEDGEMENT,
    DEMO_ROAD_START,
    PRIVATE_ENTERPRISE,
    STATE_ENTERPRISE,
    _start,
    contact_for,
    open_applicant,
    walk,
)
from portal.domain.workflow import Action, Status
from portal.extensions import db
from portal.models import Application, Committee, Membership, Organisation, User
from portal.services import applications, corrections, forms
from portal.services.actors import actor_for
from portal.web.storage import storage

HANDLERS = {STATE_ENTERPRISE: "13870700006", PRIVATE_ENTERPRISE: "13870700008"}  # 黄丽华, 邱敏
LEADERS = {STATE_ENTERPRISE: "13870700007", PRIVATE_ENTERPRISE: "13870700009"}  # 曾宪明, 罗永红


def _staff(phone: str, enterprise: Organisation):  # type: ignore[no-untyped-def]
    user = db.session.scalars(select(User).where(User.phone == phone)).one()
    membership = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == enterprise.id)
    ).one()
    return actor_for(user, membership)


def application_for(
    app: Flask,
    name: str,
    phone: str,
    serial: int,
    now: datetime,
    *,
    enterprise_name: str = STATE_ENTERPRISE,
    what: tuple[str, str, str] = ("工程", "市政工程", "中级"),
    submitted: bool = False,
    returned_for: dict[str, str] | None = None,
    complete: bool = True,
) -> int:
    """A new applicant (password Demo@2026) with one application at the enterprise: a draft, or submitted
    (awaiting the enterprise handler), or submitted and returned on `now` for the given sections. It is made
    and submitted when the demo's applications were (inside an application window, which `now` may not be).
    The same call on a rerun returns the application made the first time. Returns its id."""
    with app.app_context():
        enterprise = db.session.scalars(
            select(Organisation).where(Organisation.name == enterprise_name)
        ).one()
        existing = db.session.scalar(select(User.id).where(User.phone == phone))
        hr = _staff(HANDLERS[enterprise_name], enterprise)
        applicant = open_applicant(db.session, hr, name, phone, serial, now)
        if existing is not None:
            return db.session.scalars(
                select(Application.id).where(Application.applicant_id == applicant.id)
            ).first()  # type: ignore[return-value]
        application = _start(
            db.session,
            storage(),
            _staff(HANDLERS[enterprise_name], enterprise),
            applicant,
            what,
            DEMO_ROAD_START,
            complete=complete,
        )
        if submitted or returned_for:
            applications.act(
                db.session,
                actor_for(applicant, None),
                application.id,
                Action.SUBMIT,
                DEMO_ROAD_START,
                acknowledgement=DEMO_ACKNOWLEDGEMENT,
            )
        if returned_for:
            corrections.return_for_correction(
                db.session,
                _staff(HANDLERS[enterprise_name], enterprise),
                application.id,
                corrections.ReturnInput(
                    returned_for, corrections.default_deadline(db.session, now).isoformat()
                ),
                now,
            )
        db.session.commit()
        return application.id


def resubmitted(app: Flask, application_id: int, rewritten: dict[str, str], now: datetime) -> None:
    """The applicant answers a return: the named 申报表 fields rewritten (the rest as it was), resubmitted on
    `now`. Nothing happens to an application that is not (or no longer) returned."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        if application.state is not Status.RETURNED:
            return
        me = actor_for(application.applicant, None)
        form = {**forms.posted_form(db.session, application), **rewritten}
        forms.save_form(db.session, me, application.id, form, now)
        applications.act(
            db.session, me, application.id, Action.RESUBMIT, now, acknowledgement=DEMO_ACKNOWLEDGEMENT
        )
        db.session.commit()


def held_back_by_one_committee_a_year(app: Flask, name: str, phone: str, serial: int) -> int:
    """CHAN-01 (003 四): a new applicant (password Demo@2026) at the Zhenjiang committee demo's enterprise,
    whose 中级 建设工程 application the bureau sent to the city evaluation centre's committee this year, and
    a second 中级 application (机械工程) the bureau's handler approved: 送评委会评审 waits for the bureau's
    leader, and the rule holds it back. Walked on the demo's road like the committee demo's applicant.
    The same call on a rerun returns the application made the first time. Returns the second's id."""
    with app.app_context():
        session = db.session
        bureau = session.scalars(select(Organisation).where(Organisation.name == demo_committee.BUREAU)).one()
        enterprise = session.scalars(
            select(Organisation).where(Organisation.name == demo_committee.ENTERPRISE)
        ).one()
        road = demo_committee.reviewers_of(session, enterprise, bureau)
        existing = session.scalar(select(User.id).where(User.phone == phone))
        applicant = open_applicant(session, road.enterprise_handler, name, phone, serial, DEMO_ROAD_START)
        if existing is not None:
            return session.scalars(
                select(Application.id)
                .where(Application.applicant_id == applicant.id)
                .order_by(Application.id.desc())
            ).first()  # type: ignore[return-value]
        committee = session.scalars(
            select(Committee).where(
                Committee.bureau_id == bureau.id, Committee.code == demo_committee.COMMITTEE_CODE
            )
        ).one()
        contact = contact_for("zhenjiang-2024")
        first = _start(
            session, storage(), road.enterprise_handler, applicant, ("工程", "建设工程", "中级"),
            DEMO_ROAD_START, "评审", authority=committee.code,
        )  # fmt: skip
        moment = walk(session, road, first, 9, DEMO_ROAD_START, contact)
        applications.act(
            session, road.bureau_leader, first.id, Action.SEND_TO_COMMITTEE, moment, committee_id=committee.id
        )
        what = ("机械", "机械工程", "中级")  # another series: one open application per series and level
        second = _start(session, storage(), road.enterprise_handler, applicant, what, moment, "评审")
        walk(session, road, second, 9, moment, contact)
        session.commit()
        return second.id
