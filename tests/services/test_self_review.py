"""SCOPE-13 and WIN-02 in services: a self-review unit (自主评审单位) of the bureau's profile certifies its
own enterprise's staff instead of the regional authority, sets its own dates (the shared windows are not its),
and a window of its own opens only once the bureau admin has recorded its written filing (书面报备) with the
title office of its level, dated before the window opens (001 一)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.policy import Authority, PolicyProfile, Window
from portal.domain.workflow import Status
from portal.models import AuditEvent, Ownership, PolicyWindow, StaffRole
from portal.services import applications, eligibility, policies
from portal.services.actors import Actor, actor_for
from tests.factories import World, make_user, make_world
from tests.services.test_eligibility_service import IN_Q4, draft, submit

GZ = policies.profiles()["ganzhou-2026"]
UNFILED = "自主评审单位须在考核认定开展前向同级职称部门书面报备（001 一）；本批次尚未录入报备，暂不受理"


def with_unit(profile: PolicyProfile, uscc: str) -> PolicyProfile:
    """The profile with a self-review unit certifying 中级 for the enterprise with ``uscc``."""
    unit = Authority(
        code="gz-own",
        name="某链主企业职称自主评审委员会",
        area="本单位职工中级（自主认定）",
        levels=("中级",),
        self_review=True,
        enterprises=(uscc,),
        citation="001 四(一)",
    )
    return replace(profile, authorities=(*profile.authorities, unit))


def with_unit_batch(
    profile: PolicyProfile, uscc: str, opens: date = date(2026, 11, 2), closes: date = date(2026, 11, 30)
) -> PolicyProfile:
    """The profile with the unit of :func:`with_unit` and a window of its own written in the file itself
    (batch "own-file"), unfiled."""
    unit = with_unit(profile, uscc)
    own = Window(
        batch_id="own-file",
        name="自主认定第四批",
        authority="gz-own",
        levels=("中级",),
        opens=opens,
        closes=closes,
        citation="001 一",
        note="单位自定受理时间",
    )
    return replace(unit, batches=(*unit.batches, own))


@pytest.fixture
def world(session: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(session, policy_profile="ganzhou-2026")
    # The other enterprise is the unit's neighbour, state-owned too: a non-state one could not start the
    # engineering 认定 these tests route (SCOPE-07, refused at the start form).
    world.other_enterprise.org.ownership = Ownership.STATE.value
    session.flush()
    known = policies.profiles()
    assert world.enterprise.org.uscc is not None
    patched = {**known, "ganzhou-2026": with_unit(GZ, world.enterprise.org.uscc)}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    return world


def admin(world: World) -> Actor:
    return actor_for(world.admin, world.admin_membership)


def own_window(session: Session, world: World, opens: str = "2026-10-15", closes: str = "2026-11-30") -> int:
    """The unit's own batch, entered by the admin (it overlaps the shared fourth batch: no clash)."""
    row = policies.save_window(
        session,
        admin(world),
        policies.WindowInput(
            "own-4", "自主认定第四批", "gz-own", "中级", opens, closes, "", "某企〔2026〕1号"
        ),
        datetime(2026, 10, 1, tzinfo=UTC),
    )
    return row.id


FILING = policies.FilingInput("2026-10-08", "赣州市职称工作办公室", "某企〔2026〕2号")


def test_the_units_staff_get_the_unit_and_everyone_else_the_regional_authority(
    session: Session, world: World
) -> None:
    own, _ = draft(session, world, IN_Q4)
    assert own.authority_code == "gz-own"
    other, _ = draft(session, world, IN_Q4, office=world.other_enterprise)
    assert other.authority_code == "gz-city"
    junior, _ = draft(session, world, IN_Q4, level="助理级")  # a level the unit does not certify
    assert junior.authority_code != "gz-own"
    stranger = make_user(session, employer=world.other_enterprise.org)
    with pytest.raises(ValidationFailed) as refused:
        applications.start_application(
            session,
            world.other_enterprise.actor(StaffRole.HANDLER),
            applications.StartInput(stranger.id, "工程", "土木工程", "中级", "认定", authority_code="gz-own"),
            IN_Q4,
        )
    assert "自主评审单位" in refused.value.fields["authority_code"]


def test_the_units_staff_cannot_be_put_under_another_authority(session: Session, world: World) -> None:
    """Choosing the regional authority for the unit's own staff would take them round the unit and its
    filed windows (the shared windows need no filing): refused at the level and series the unit certifies;
    at a level it does not certify the regional authority stays theirs."""
    person = make_user(session, employer=world.enterprise.org)
    hr = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed) as refused:
        applications.start_application(
            session,
            hr,
            applications.StartInput(person.id, "工程", "土木工程", "中级", "认定", authority_code="gz-city"),
            IN_Q4,
        )
    assert "某链主企业职称自主评审委员会" in refused.value.fields["authority_code"]
    junior = applications.start_application(
        session,
        hr,
        applications.StartInput(person.id, "工程", "土木工程", "助理级", "认定", authority_code="gz-city"),
        IN_Q4,
    )
    assert junior.authority_code == "gz-city"


def test_the_shared_window_is_not_open_for_the_unit(session: Session, world: World) -> None:
    own, applicant = draft(session, world, IN_Q4)
    other, _ = draft(session, world, IN_Q4, office=world.other_enterprise)
    assert eligibility.evaluate(session, other, IN_Q4).window.batch_id == "2026-4"  # type: ignore[union-attr]
    assert eligibility.evaluate(session, own, IN_Q4).window is None
    with pytest.raises(DomainError) as refused:
        submit(session, own, applicant, IN_Q4)
    assert refused.value.code == "outside_window" and "下一受理期尚未公布" in refused.value.message


def test_the_units_window_is_refused_until_its_filing_is_recorded_then_open(
    session: Session, world: World
) -> None:
    own, applicant = draft(session, world, IN_Q4)
    window_id = own_window(session, world)
    profile = policies.effective_profile(session, world.bureau.org)
    assert profile is not None
    assert policies.windows_on(profile, date(2026, 10, 1), level="中级", authority="gz-own").next is None
    with pytest.raises(DomainError) as refused:
        submit(session, own, applicant, IN_Q4)
    assert (refused.value.code, refused.value.message) == ("outside_window", UNFILED)
    home = policies.current_windows(session, world.enterprise.org, IN_Q4)
    assert [w.window.batch_id for w in home] == ["2026-4"]  # the shared batch, for the levels not the unit's
    policies.record_filing(session, admin(world), window_id, FILING, IN_Q4)
    listed = policies.current_windows(session, world.enterprise.org, IN_Q4)
    assert [(w.window.batch_id, w.authority_name, w.is_open) for w in listed] == [
        ("2026-4", "各认定机构", True),  # opened 10-20, after the unit's 10-15: the current one first
        ("own-4", "某链主企业职称自主评审委员会", True),
    ]
    others = policies.current_windows(session, world.other_enterprise.org, IN_Q4)
    assert "own-4" not in [w.window.batch_id for w in others]  # another unit's own dates
    assert submit(session, own, applicant, IN_Q4).status == Status.SUBMITTED.value
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "policy_window_filing")).one()
    assert (event.object_id, event.detail["after"]["filing_ref"]) == (window_id, "某企〔2026〕2号")
    assert event.detail["before"]["filed_on"] is None


@pytest.mark.parametrize(
    ("filing", "field", "message"),
    [
        (replace(FILING, filed_on="2026-10-15"), "filed_on", "应早于受理开始日期"),
        (replace(FILING, filed_on="2026-10-22"), "filed_on", "应早于受理开始日期"),
        (replace(FILING, filed_on="2026-10-12"), "filed_on", "不能晚于今天"),  # filed tomorrow: not yet
        (replace(FILING, filed_with=" "), "filed_with", "职称部门"),
        (replace(FILING, filing_ref=""), "filing_ref", "文号"),
        (replace(FILING, filed_on="10/08"), "filed_on", "日期格式"),
        # Longer than the column: refused with the count (it was cut to 200 characters without a word).
        (replace(FILING, filing_ref="文" * 201), "filing_ref", "不能超过200字（现有201字）"),
    ],
)
def test_a_filing_must_be_dated_before_the_window_opens_and_complete(
    session: Session, world: World, filing: policies.FilingInput, field: str, message: str
) -> None:
    window_id = own_window(session, world)
    with pytest.raises(ValidationFailed) as refused:
        policies.record_filing(session, admin(world), window_id, filing, datetime(2026, 10, 11, tzinfo=UTC))
    assert message in refused.value.fields[field]
    assert session.get(PolicyWindow, window_id).filed_on is None  # type: ignore[union-attr]


def test_only_a_self_review_units_window_takes_a_filing_and_only_the_admin_records_it(
    session: Session, world: World
) -> None:
    shared = policies.save_window(
        session,
        admin(world),
        policies.WindowInput(
            "2027-1", "第一批", "all", "中级", "2027-01-20", "2027-02-20", "", "赣市人社字〔2027〕1号"
        ),
        IN_Q4,
    )
    with pytest.raises(DomainError) as refused:
        policies.record_filing(session, admin(world), shared.id, FILING, IN_Q4)
    assert refused.value.code == "not_self_review"
    window_id = own_window(session, world)
    with pytest.raises(PermissionDenied):
        policies.record_filing(session, world.enterprise.actor(StaffRole.LEADER), window_id, FILING, IN_Q4)


def test_new_dates_drop_the_filing(session: Session, world: World) -> None:
    window_id = own_window(session, world)
    policies.record_filing(session, admin(world), window_id, FILING, IN_Q4)
    moved = policies.WindowInput(
        "own-4", "自主认定第四批", "gz-own", "中级", "2026-10-15", "2026-12-10", "", "某企〔2026〕1号"
    )
    row = policies.save_window(session, admin(world), moved, IN_Q4, window_id=window_id)
    assert (row.filed_on, row.filed_with, row.filing_ref) == (None, None, None)
    renamed = replace(moved, batch_name="自主认定第四批（延长）")
    policies.record_filing(session, admin(world), window_id, FILING, IN_Q4)
    assert policies.save_window(session, admin(world), renamed, IN_Q4, window_id=window_id).filed_on == date(
        2026, 10, 8
    )


def test_hrs_dry_run_counts_only_the_units_filed_windows(session: Session, world: World) -> None:
    hr = world.enterprise.actor(StaffRole.HANDLER)
    data = eligibility.DryRunInput(pathway="认定", series="工程", specialty="土木工程", level="中级")
    assert eligibility.dry_run(session, hr, data, IN_Q4).attempts == []  # the shared 2026-4 is not the unit's
    window_id = own_window(session, world, opens="2026-11-02", closes="2026-11-30")
    assert eligibility.dry_run(session, hr, data, IN_Q4).attempts == []  # not filed: not a coming batch
    policies.record_filing(session, admin(world), window_id, FILING, IN_Q4)
    assert [a.window.batch_id for a in eligibility.dry_run(session, hr, data, IN_Q4).attempts] == ["own-4"]
    other = world.other_enterprise.actor(StaffRole.HANDLER)
    assert "own-4" not in [
        a.window.batch_id for a in eligibility.dry_run(session, other, data, IN_Q4).attempts
    ]


def test_the_units_window_must_close_by_the_year_end(session: Session, world: World) -> None:
    """REP-01 (001 四(七)): the unit finishes the year's recognition by 12-31, so a window of its own that
    runs into the next year is refused on its closing day; the shared windows are not bound by it here."""
    late = policies.WindowInput(
        "own-5", "自主认定第五批", "gz-own", "中级", "2026-12-01", "2027-01-15", "", "某企〔2026〕5号"
    )
    with pytest.raises(ValidationFailed) as refused:
        policies.save_window(session, admin(world), late, IN_Q4)
    assert "须于2026年12月31日前完成当年度考核认定（001 四(七)）" in refused.value.fields["closes"]
    assert policies.save_window(session, admin(world), replace(late, closes="2026-12-31"), IN_Q4).id
    shared = policies.WindowInput(
        "2027-0", "跨年批", "all", "中级", "2026-12-21", "2027-01-15", "", "赣市人社字〔2026〕9号"
    )
    assert policies.save_window(session, admin(world), shared, IN_Q4).id


def test_a_units_window_written_in_the_file_is_filed_on_a_row_of_the_bureau(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit's window written in the TOML profile had no row to record the filing on, so it could never
    open: the admin's filing keeps a row of the bureau copying it, with the filing (the file is shared by
    every bureau following it and is not edited here), audited with the file's window as "before"."""
    assert world.enterprise.org.uscc is not None
    patched = {**policies.profiles(), "ganzhou-2026": with_unit_batch(GZ, world.enterprise.org.uscc)}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    listed = policies.overview(session, admin(world), IN_Q4).windows
    own = next(w for w in listed if w.window.batch_id == "own-file")
    assert own.in_file and own.awaits_filing and own.admin_row_id is None
    assert not next(w for w in listed if w.window.batch_id == "2026-4").in_file
    with pytest.raises(ValidationFailed) as refused:
        policies.record_profile_filing(
            session, admin(world), "own-file", "gz-own", replace(FILING, filed_on="2026-11-02"), IN_Q4
        )
    assert "应早于受理开始日期" in refused.value.fields["filed_on"]
    assert session.scalars(select(PolicyWindow)).all() == []
    for batch, authority in (("2026-4", "all"), ("own-file", "gz-city"), ("nope", "gz-own")):
        with pytest.raises(NotFound):
            policies.record_profile_filing(session, admin(world), batch, authority, FILING, IN_Q4)
    with pytest.raises(PermissionDenied):
        policies.record_profile_filing(
            session, world.bureau.actor(StaffRole.LEADER), "own-file", "gz-own", FILING, IN_Q4
        )
    row = policies.record_profile_filing(session, admin(world), "own-file", "gz-own", FILING, IN_Q4)
    assert (row.bureau_id, row.batch_id, row.authority, row.levels) == (
        world.bureau.org.id,
        "own-file",
        "gz-own",
        "中级",
    )
    assert (row.opens, row.closes, row.filed_on, row.note) == (
        date(2026, 11, 2),
        date(2026, 11, 30),
        date(2026, 10, 8),
        "单位自定受理时间",
    )
    profile = policies.effective_profile(session, world.bureau.org)
    assert profile is not None
    upcoming = policies.windows_on(profile, IN_Q4.date(), level="中级", authority="gz-own").next
    assert upcoming is not None and upcoming.batch_id == "own-file"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "policy_window_filing")).one()
    assert event.detail["before"]["source"] == "profile" and event.detail["before"]["filed_on"] is None
    assert event.detail["after"]["filing_ref"] == "某企〔2026〕2号"
    again = policies.record_profile_filing(session, admin(world), "own-file", "gz-own", FILING, IN_Q4)
    assert again.id == row.id and len(session.scalars(select(PolicyWindow)).all()) == 1


def test_a_draft_started_before_the_unit_was_configured_goes_to_the_unit_at_submission(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCOPE-13 (001 四(一)): the unit certifies its own staff instead of the regional authority. A draft
    started under the regional authority before the unit was configured fixed nothing yet, so its first
    submission goes to the unit, in the unit's filed window (it was accepted in the shared batch, round the
    unit and its filing); an application already submitted keeps the authority and batch it went in with."""
    with_the_unit = policies.profiles()
    monkeypatch.setattr(policies, "profiles", lambda: {**with_the_unit, "ganzhou-2026": GZ})
    own, applicant = draft(session, world, IN_Q4)
    early, early_applicant = draft(session, world, IN_Q4)
    assert (own.authority_code, early.authority_code) == ("gz-city", "gz-city")
    submit(session, early, early_applicant, IN_Q4)
    monkeypatch.setattr(policies, "profiles", lambda: with_the_unit)
    evaluation = eligibility.evaluate(session, own, IN_Q4)
    assert evaluation.authority == "gz-own" and evaluation.window is None
    assert [f.message for f in evaluation.findings if f.rule == "SCOPE-13"] == [
        "本单位人员的中级由自主评审单位某链主企业职称自主评审委员会认定：本申报发起时为赣州市职称工作办公室，"
        "提交时改由某链主企业职称自主评审委员会受理，按其报备的受理期申报"
    ]
    with pytest.raises(DomainError) as refused:
        submit(session, own, applicant, IN_Q4)
    assert refused.value.code == "outside_window"
    assert session.get(type(own), own.id).authority_code == "gz-city"  # type: ignore[union-attr]
    window_id = own_window(session, world)
    policies.record_filing(session, admin(world), window_id, FILING, IN_Q4)
    done = submit(session, own, applicant, IN_Q4)
    assert (done.status, done.authority_code, done.batch_id) == (Status.SUBMITTED.value, "gz-own", "own-4")
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "submit",
            AuditEvent.object_id == own.id,
            AuditEvent.to_status == Status.SUBMITTED.value,
        )
    ).one()
    assert event.detail == {"authority_code": "gz-own"}
    kept = eligibility.evaluate(session, early, IN_Q4)
    assert (kept.authority, early.authority_code, early.batch_id) == ("gz-city", "gz-city", "2026-4")


def test_a_unit_limited_to_a_series_still_lists_the_shared_batch_for_its_other_series(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit certifying every level of the shared batch, but of 工程 only: its 会计 staff still apply in the
    shared batch, so the batch is listed to its enterprise (it was left out), saying whom it is not for."""
    assert world.enterprise.org.uscc is not None
    unit = with_unit(GZ, world.enterprise.org.uscc)
    limited = replace(
        unit,
        authorities=tuple(
            replace(a, series=("工程",), levels=("员级", "助理级", "中级"), scopes=())
            if a.code == "gz-own"
            else a
            for a in unit.authorities
        ),
    )
    patched = {**policies.profiles(), "ganzhou-2026": limited}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    shown = policies.current_windows(session, world.enterprise.org, IN_Q4)
    assert [w.window.batch_id for w in shown][:1] == ["2026-4"]
    assert shown[0].applies_note == (
        "本单位工程系列的员级、助理级、中级由某链主企业职称自主评审委员会自主认定，不按本批次申报；本单位其他人员按本批次申报"
    )
