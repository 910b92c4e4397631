"""Data a journey owns: applicants and applications made straight through the services (as the demo seeder
does), so a journey that runs last changes nothing the other journeys read, whatever order they run in."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from portal.demo import (
    DEMO_ACKNOWLEDGEMENT,
    DEMO_ROAD_START,
    PRIVATE_ENTERPRISE,
    STATE_ENTERPRISE,
    _start,
    open_applicant,
)
from portal.domain.workflow import Action
from portal.extensions import db
from portal.models import Application, Membership, Organisation, User
from portal.services import applications, corrections
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
