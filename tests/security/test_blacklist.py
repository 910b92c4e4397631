"""T-AC-09 blacklist: a person put on the integrity record (诚信档案, 000 四(三) / 001 四(四) 黑名单;
002 五(三), 003 七(三) 3 years) through the real revocation path cannot be given an account again under
any spelling of the ID number (lowercase x, full-width, spaces; one by one or in a bulk file), nor start
or submit an application; the refusal names the reason, the end date and the clause. With the clock
at the end of the 3 years + 1 day, starting and submitting work again and the account checks no longer
mention the record (the only refusal left is the one-account-per-person rule: the person keeps the
account they had)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.accounts import ApplicantDraft
from portal.domain.errors import DomainError
from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Action, Status
from portal.models import Application, StaffRole, User
from portal.services import accounts, applications, certificates, imports, materials
from portal.services.actors import Actor, actor_for
from portal.storage.local import LocalStorage
from tests.conftest import Clock
from tests.factories import STEPS_TO, STORAGE, World, make_application, make_user, make_world

REASON = "学历证书系伪造"
CLAUSE = "002 五(三)"


def _x_number() -> str:
    """A real resident ID whose check character is X, so lowercase x is a variant worth trying."""
    for serial in range(1000):
        number = complete_resident_id(f"36070219850304{serial:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character in 1000 serials")


def _variants(number: str) -> list[str]:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # ０-９ and Ｘ
    return [
        number,
        number.lower(),
        full_width,
        full_width.lower(),  # ｘ
        f" {number[:6]} {number[6:14]} {number[14:].lower()} ",
        number[:6] + "\u3000" + number[6:] + "\u200b",  # ideographic space, zero-width space
    ]


def _listed(session: Session, world: World, clock: Clock) -> tuple[User, Application]:
    """A person with a certificate revoked for fraud, and a draft they started before that."""
    person = make_user(session, "失信人", employer=world.enterprise.org)
    person.id_number = _x_number()
    session.flush()
    certified = make_application(
        session, world, clock.now, applicant=person, steps=STEPS_TO[Status.CERTIFIED]
    )
    assert certified.state is Status.CERTIFIED
    draft = make_application(session, world, clock.now, applicant=person)
    record = certificates.revoke_certificate(
        session, world.bureau.actor(StaffRole.LEADER), certified.id, REASON, CLAUSE, clock.now
    )
    assert (record.starts_on, record.ends_on) == (date(2026, 9, 28), date(2029, 9, 27))
    return person, draft


def _create(session: Session, actor: Actor, number: str, clock: Clock) -> str:
    draft = ApplicantDraft(
        name="失信人", id_number=number, phone="13700000001", employment_type="labour_contract"
    )
    with pytest.raises(accounts.ApplicantInvalid) as refused:
        accounts.create_applicant(session, actor, draft, clock.now)
    return refused.value.fields["id_number"]


def _bulk(session: Session, actor: Actor, number: str, clock: Clock, tmp_path: Path) -> str:
    """One file per spelling: within one file the later rows would be refused as repeats of the first."""
    lines = ["姓名,证件类型,证件号码,手机号码,用工类型", f"失信人,居民身份证,{number},13700000002,劳动合同"]
    storage = LocalStorage(tmp_path)
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    batch = imports.check_upload(session, storage, actor, data, "名单.csv", clock.now)
    report = imports.import_report(session, storage, actor, batch.id, clock.now)
    assert report.check is not None and not report.can_import
    (row,) = report.check.rows
    return row.checked.problems["id_number"]


def _start(session: Session, world: World, person: User, series: str, clock: Clock) -> Application:
    return applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(person.id, series, "土木工程", "中级"),
        clock.now,
    )


def test_a_listed_id_is_refused_in_every_spelling_until_the_record_ends(
    session: Session, clock: Clock, tmp_path: Path
) -> None:
    world = make_world(session)
    person, draft = _listed(session, world, clock)
    variants = _variants(person.id_number)
    own = world.enterprise.actor(StaffRole.HANDLER)
    other = world.other_enterprise.actor(StaffRole.LEADER)  # the person moved on and a new employer tries

    # Listed: each spelling, by each enterprise, one by one and in bulk, meets the record by name.
    for actor in (own, other):
        messages = [_create(session, actor, n, clock) for n in variants]
        messages += [_bulk(session, actor, n, clock, tmp_path) for n in variants]
        for message in messages:
            assert f"因“{REASON}”列入诚信档案" in message, message
            assert "2029年9月27日前不得申报" in message and CLAUSE in message, message
            assert "不能为其开设账号" in message, message
    assert session.scalar(select(func.count()).select_from(User).where(User.name == "失信人")) == 1
    with pytest.raises(DomainError) as start_refused:
        _start(session, world, person, "经济", clock)
    with pytest.raises(DomainError) as submit_refused:
        applications.act(session, actor_for(person, None), draft.id, Action.SUBMIT, clock.now)
    for refused in (start_refused, submit_refused):
        assert refused.value.code == "integrity_record"
        assert REASON in refused.value.message and "2029年9月27日" in refused.value.message
        assert CLAUSE in refused.value.message
    assert draft.state is Status.DRAFT

    # The last day of the record still counts.
    clock.now = clock.now.replace(year=2029, month=9, day=27)
    with pytest.raises(DomainError):
        _start(session, world, person, "经济", clock)

    # 3 years + 1 day after the revocation: the record is over.
    clock.now = clock.now.replace(year=2029, month=9, day=28) + timedelta(days=1)
    for actor in (own, other):
        messages = [_create(session, actor, n, clock) for n in variants]
        messages += [_bulk(session, actor, n, clock, tmp_path) for n in variants]
        for message in messages:  # only the one-account rule is left: the person keeps their account
            assert "诚信档案" not in message and "证件号码" in message, message
    # Three years on, the 学信网 report in the old draft is past its 6 months: the applicant uploads afresh.
    materials.attach_placeholders(session, actor_for(person, None), STORAGE, draft, clock.now)
    applications.act(session, actor_for(person, None), draft.id, Action.SUBMIT, clock.now)
    assert draft.state is Status.SUBMITTED
    again = _start(session, world, person, "经济", clock)
    assert again.state is Status.DRAFT and again.applicant_id == person.id


def test_a_revocation_on_29_february_ends_the_day_before_the_third_anniversary(
    session: Session, clock: Clock
) -> None:
    """002 五(三), 003 七(三): 3 years from a revocation on a leap day. 2031 has no 29 February: the
    anniversary is the 28th (as the years of CUT-06 count), so the record's last day is the 27th; before
    the fix the date arithmetic raised ValueError and the bureau leader saw a server error."""
    world = make_world(session)
    person = make_user(session, "闰日失信人", employer=world.enterprise.org)
    certified = make_application(
        session, world, clock.now, applicant=person, steps=STEPS_TO[Status.CERTIFIED]
    )
    clock.now = datetime(2028, 2, 29, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    record = certificates.revoke_certificate(
        session, world.bureau.actor(StaffRole.LEADER), certified.id, REASON, CLAUSE, clock.now
    )
    assert (record.starts_on, record.ends_on) == (date(2028, 2, 29), date(2031, 2, 27))
