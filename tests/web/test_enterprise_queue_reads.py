"""The enterprise's queue reads its rows' copies together (issue 20: no read per row): the copies guard
(004 二(十)、001 四(三)) asks every row its handler may give a first review, and each asked the database for
that application's materials. Now the page's first asking row reads the copies of all its rows at once;
the rows still say which is blocked and which is not."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, Material
from tests.conftest import Clock, db_engine
from tests.factories import STEPS_TO, make_application, make_world
from tests.statements import recorded

HX = {"HX-Request": "true", "HX-Target": "queue"}


def _with_a_copy(session: Session, application: Application) -> None:
    material = session.scalars(select(Material).where(Material.application_id == application.id)).first()
    assert material is not None  # the factory attaches stand-in scans to every required slot
    material.kind = "copy"  # a copy nobody has checked against its original yet
    session.flush()


def test_the_rows_copies_are_read_once_for_the_page_and_each_row_still_says_its_own(
    app: Flask, session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    copied = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    _with_a_copy(session, copied)
    hr = login_as(world.enterprise.handler)

    def fragment() -> tuple[list[str], str]:
        hr.get("/review/queue?tab=handler", headers=HX)  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            page = hr.get("/review/queue?tab=handler", headers=HX).text
        return sent, page

    one, page = fragment()
    assert page.count("尚未核对原件") == 1
    plain = [make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED]) for _ in range(2)]
    _with_a_copy(session, make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED]))
    four, page = fragment()
    assert len(four) == len(one), four
    assert page.count("尚未核对原件") == 2  # the two rows with a copy, not the two without
    for application in plain:
        row = page.split(f'id="application-{application.id}"', 1)[1].split("</tr>", 1)[0]
        assert ">经办人初审通过</button>" in row
