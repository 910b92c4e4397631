"""Data a journey owns: applicants and applications made straight through the services (as the demo seeder
does), so a journey that runs last changes nothing the other journeys read, whatever order they run in.

Every person a journey opens itself is listed once in PEOPLE, by journey: the journeys share one database,
so two that took the same phone (or ID number) collided — the second could not open its account. The
registry refuses, when imported, a phone, serial, ID number or name given twice, a phone of the demo's own,
or a typed ID number that is not a valid one or is of the demo's family (36070219900101…)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from flask import Flask
from sqlalchemy import select

from portal import demo_committee
from portal.demo import (
    BUREAU,
    DEMO_ACKNOWLEDGEMENT,
    DEMO_ROAD_START,
    PRIVATE_ENTERPRISE,
    ROAD,
    STATE_ENTERPRISE,
    _start,
    contact_for,
    demo_phones,
    open_applicant,
    walk,
)
from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Action, Status
from portal.extensions import db
from portal.models import Application, Committee, Membership, Organisation, User
from portal.services import applications, corrections, forms
from portal.services.actors import actor_for
from portal.web.storage import storage


class Person(NamedTuple):
    """A person a journey opens: the name it finds them by, their phone (the login), and the serial of
    their ID number (portal.demo's 36070219900101<serial>) when the journey opens them through the
    services; when the journey types the account into the browser instead, the GB 11643 number it types
    (``id_number``)."""

    name: str
    phone: str
    serial: int | None = None
    id_number: str | None = None

    @property
    def typed_number(self) -> str:
        """The ID number the journey types for this person (opened in the browser)."""
        assert self.id_number is not None, f"{self.name} is opened by a factory, with a serial"
        return self.id_number


# The demo's own ID serials stay below 300 (portal.demo, demo_committee, demo_kunming): journeys take 900+.
JOURNEY_SERIALS = range(900, 1000)
DEMO_ID_PREFIX = "36070219900101"  # portal.demo's numbers (and the serials' above): never typed


def ending_in_x(prefix: str) -> str:
    """The first valid resident ID number of a 14-digit prefix (region and birth date) whose check
    character is X: the journeys type it with a lowercase x."""
    for serial in range(1, 1000):
        number = complete_resident_id(f"{prefix}{serial:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError(f"no number of {prefix} with check character X")


PEOPLE: dict[str, Person] = {
    # Opened through the services (application_for, held_back_by_one_committee_a_year, a journey's _draft).
    "belated_return": Person("韩思远", "13970709952", 952),
    "committee_exception": Person("柏思远", "13970709961", 961),
    "form_journey": Person("罗嘉明", "13970709971", 971),
    "form_journey.ce": Person("钱雨桐", "13970709972", 972),
    "form_journey.mail": Person("汪思琪", "13970709953", 953),
    "zz_english.draft": Person("籍雨桐", "13970709941", 941),
    "zz_english.returned": Person("郁文博", "13970709942", 942),
    "zz_keyboard": Person("葛文韬", "13970709931", 931),
    "zz_packages.first": Person("龚书瑶", "13970709981", 981),
    "zz_packages.second": Person("龚书涵", "13970709982", 982),
    "zz_phone.draft": Person("骆思琪", "13970709932", 932),
    "zz_phone.returned": Person("韦晓彤", "13970709933", 933),
    # Opened in the browser, each with the ID number the journey types.
    "journey": Person("周文博", "13970709901", id_number=ending_in_x("36070219920315")),
    "english_journey": Person("柯文静", "13970709951", id_number=complete_resident_id("36070219930512951")),
    "registration": Person("段雪梅", "13970909951", id_number=ending_in_x("53011319900118")),
    # Registers again as 段雪莉, with the same number, once voided.
    "registration.voided": Person("段雪丽", "13970909973", id_number=ending_in_x("53011319910305")),
    "accounts.id_check": Person("刘晓东", "13970708801", id_number=ending_in_x("36070219880412")),
    # Opened with a typo in the name (贺文搏), which the roster shows and HR correct.
    "accounts.correction": Person(
        "贺文博", "13970708803", id_number=complete_resident_id("36070219860707123")
    ),
    "accounts.live_check": Person(
        "周敏捷", "13970708802", id_number=complete_resident_id("36070219870305123")
    ),
    "accounts.import.1": Person("钱一", "13970708811", id_number=complete_resident_id("36070219910501123")),
    # Its row is refused (typed with a wrong check character); 钱三's row, refused for its malformed phone,
    # carries the same number.
    "accounts.import.2": Person("钱二", "13970708812", id_number=complete_resident_id("36070219910502123")),
    "accounts.import.4": Person("钱四", "13970708814", id_number=complete_resident_id("36070219910601123")),
    "accounts.import.5": Person("钱五", "13970708815", id_number=complete_resident_id("36070219910503123")),
    # A handler the enterprise's admin adds.
    "staff": Person("柯小满", "13970708851", id_number=complete_resident_id("36070219920315041")),
    # A handler the enterprise's admin adds, who forgets the password the admin then resets.
    "staff.reset": Person("柯小雨", "13970708852", id_number=complete_resident_id("36070219930416042")),
}
# Numbers a journey types that open no account, and must find none: a roster row of nobody.
NOBODY: dict[str, str] = {
    "accounts.roster": complete_resident_id("36070219700101123"),
}


def _checked(people: Mapping[str, Person], taken: set[str], nobody: Mapping[str, str] | None = None) -> None:
    """Refuse a registry that gives a phone, a serial, an ID number or a name to two journeys (or to a
    person and ``nobody``'s numbers), a phone the demo data already has (``taken``), a serial outside the
    journeys' range, a person with both a serial and a typed number or with neither, or a typed number
    that is not a valid resident ID number or is of the demo's family (where the serials' numbers are)."""
    problems: list[str] = []
    typed = [(key, p.id_number) for key, p in people.items() if p.id_number is not None]
    typed += list((nobody or {}).items())
    for what, values in (
        ("phone", [p.phone for p in people.values()]),
        ("serial", [p.serial for p in people.values() if p.serial is not None]),
        ("ID number", [number for _, number in typed]),
        ("name", [p.name for p in people.values()]),
    ):
        problems += [f"{what} {value} is given twice" for value, n in Counter(values).items() if n > 1]
    problems += [f"{key}: {p.phone} is a demo login" for key, p in people.items() if p.phone in taken]
    problems += [
        f"{key}: serial {p.serial} is outside {JOURNEY_SERIALS}"
        for key, p in people.items()
        if p.serial is not None and p.serial not in JOURNEY_SERIALS
    ]
    problems += [
        f"{key}: give a serial or a typed ID number, one of them"
        for key, p in people.items()
        if (p.serial is None) == (p.id_number is None)
    ]
    problems += [
        f"{key}: {number} is not a valid resident ID number"
        for key, number in typed
        if len(number) != 18 or complete_resident_id(number[:17]) != number
    ]
    problems += [
        f"{key}: {number} is of the demo's numbers ({DEMO_ID_PREFIX}…)"
        for key, number in typed
        if number.startswith(DEMO_ID_PREFIX)
    ]
    if problems:
        raise ValueError("e2e.factories.PEOPLE: " + "; ".join(problems))


_checked(PEOPLE, set(demo_phones()), NOBODY)

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
    person: Person,
    now: datetime,
    *,
    enterprise_name: str = STATE_ENTERPRISE,
    what: tuple[str, str, str] = ("工程", "市政工程", "中级"),
    submitted: bool = False,
    returned_for: dict[str, str] | None = None,
    complete: bool = True,
) -> int:
    """A new applicant (``person``, from PEOPLE; password Demo@2026) with one application at the
    enterprise: a draft, or submitted (awaiting the enterprise handler), or submitted and returned on `now`
    for the given sections. It is made and submitted when the demo's applications were (inside an
    application window, which `now` may not be). A second call for the same person returns the application
    made the first time (a rerun starts afresh: its first attempt's accounts are retired). Returns its id."""
    name, phone, serial = person.name, person.phone, person.serial
    assert serial is not None, f"{name} is opened in the browser, not by a factory"
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


# The steps of the demo's road up to the enterprise's 报送主管部门, inclusive.
TO_THE_DEPARTMENT = next(step for step, (_who, action) in enumerate(ROAD, 1) if action is Action.FORWARD)


def at_the_department(app: Flask, person: Person) -> int:
    """A new applicant (``person``, from PEOPLE; password Demo@2026) of the state enterprise whose 工程
    中级 application (its materials attached) walked the demo's road as the demo's own did, from its start
    through the unit's notice to 报送主管部门: it waits for the department handler's 初审, whatever the
    journeys before have done to the demo's applications there. A second call for the same person returns
    the application made the first time. Returns its id."""
    name, phone, serial = person.name, person.phone, person.serial
    assert serial is not None, f"{name} is opened in the browser, not by a factory"
    with app.app_context():
        session = db.session
        enterprise = session.scalars(select(Organisation).where(Organisation.name == STATE_ENTERPRISE)).one()
        bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
        road = demo_committee.reviewers_of(session, enterprise, bureau)
        existing = session.scalar(select(User.id).where(User.phone == phone))
        applicant = open_applicant(session, road.enterprise_handler, name, phone, serial, DEMO_ROAD_START)
        if existing is not None:
            return session.scalars(
                select(Application.id).where(Application.applicant_id == applicant.id)
            ).first()  # type: ignore[return-value]
        what = ("工程", "市政工程", "中级")
        application = _start(session, storage(), road.enterprise_handler, applicant, what, DEMO_ROAD_START)
        walk(session, road, application, TO_THE_DEPARTMENT, DEMO_ROAD_START)
        session.commit()
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


def held_back_by_one_committee_a_year(app: Flask, person: Person) -> int:
    """CHAN-01 (003 四): a new applicant (``person``, from PEOPLE; password Demo@2026) at the Zhenjiang
    committee demo's enterprise, whose 中级 建设工程 application the bureau sent to the city evaluation
    centre's committee this year, and a second 中级 application (机械工程) the bureau's handler approved:
    送评委会评审 waits for the bureau's leader, and the rule holds it back. Walked on the demo's road like
    the committee demo's applicant. The same call on a rerun returns the application made the first time.
    Returns the second's id."""
    name, phone, serial = person.name, person.phone, person.serial
    assert serial is not None, f"{name} is opened in the browser, not by a factory"
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
