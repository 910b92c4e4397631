"""Two reviewers acting on one application at the same moment, in real parallel transactions on the real
engine (SQLite with BEGIN IMMEDIATE, PostgreSQL row locks): exactly one transition and one audit event,
the other gets "此项已被办理". A plain read-then-write double-approved in most trials when measured
(security-plan decision 3); compare-and-set never may."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.domain.errors import StaleObject
from portal.domain.workflow import Action, Status
from portal.extensions import db
from portal.models import Application, AuditEvent, Membership, StaffRole, User
from portal.services import applications
from portal.services.actors import actor_for
from tests.dbsetup import database_url
from tests.factories import filled_form, make_application, make_staff, make_user, make_world

TRIALS = 200 if os.environ.get("PORTAL_TEST_PROFILE") == "full" else 8
NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path, worker_id: str) -> Iterator[Engine]:
    """A database of its own: these transactions really commit."""
    app: Flask = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(f"portal_concurrency_{worker_id}", tmp_path),
        }
    )
    with app.app_context():
        upgrade()
        yield db.engine
        db.engine.dispose()


def _attempt(
    engine: Engine,
    user_id: int,
    membership_id: int,
    application_id: int,
    version: int,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user, membership = session.get(User, user_id), session.get(Membership, membership_id)
        assert user is not None and membership is not None
        actor = actor_for(user, membership)
        session.commit()  # end the read before the race: on SQLite it would hold the write lock
        barrier.wait(timeout=30)
        try:
            applications.act(
                session, actor, application_id, Action.HANDLER_APPROVE, NOW, expected_version=version
            )
            session.commit()
            outcomes.append("ok")
        except StaleObject:
            session.commit()  # the refusal's audit event
            outcomes.append("stale")


def test_two_handlers_approving_at_once_make_exactly_one_transition(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        second, second_membership = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "第二经办人")
        cases = [make_application(session, world, NOW, steps=1) for _ in range(TRIALS)]
        session.commit()
        racers = [
            (world.enterprise.handler.id, world.enterprise.handler_membership.id),
            (second.id, second_membership.id),
        ]
        cases_ids = [(case.id, case.version) for case in cases]

    for application_id, version in cases_ids:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [
            threading.Thread(
                target=_attempt, args=(engine, uid, mid, application_id, version, barrier, outcomes)
            )
            for uid, mid in racers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["ok", "stale"], outcomes

    with Session(engine) as session:
        ids = [i for i, _ in cases_ids]
        statuses = set(session.scalars(select(Application.status).where(Application.id.in_(ids))))
        assert statuses == {Status.UNIT_REVIEW.value}
        approvals = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "handler_approve",
                AuditEvent.outcome == "ok",
                AuditEvent.object_id.in_(ids),
            )
        )
        assert approvals == TRIALS
        versions = set(session.scalars(select(Application.version).where(Application.id.in_(ids))))
        assert versions == {cases_ids[0][1] + 1}


# The committee's vote (issue 22.5): the same expert's ballot sent twice at once, the leader's close sent
# twice at once. Exactly one effect each: one receipt and one set of ballots, one tally.


def _voting_meetings(engine: Engine, trials: int) -> tuple[list[int], int, int, list[tuple[int, int]]]:
    """``trials`` meetings in their vote, each with one applicant; every expert but the first has voted.
    Returns the meeting ids, the office leader's (user, membership), and the racing expert's user id."""
    from portal.services import votes
    from portal.services.actors import actor_for as act_as
    from tests.factories import (
        filed_meeting,
        make_committee,
        make_committee_world,
        make_experts,
        make_review_application,
        to_meeting,
    )

    with Session(engine, expire_on_commit=False) as session:
        world = make_committee_world(session, NOW)
        co = make_committee(session, world, NOW)
        make_experts(session, co, NOW, 5)
        ids, entries = [], []
        on_the_day = NOW + timedelta(days=30)
        for _ in range(trials):
            application = make_review_application(session, world, NOW)
            to_meeting(session, world, co, application, NOW)
            meeting = filed_meeting(session, world, co, [application], NOW)
            members = votes.panel(session, meeting)
            leader = co.office.actor(StaffRole.LEADER)
            votes.open_voting(session, leader, meeting.id, [m.id for m in members], on_the_day)
            (entry,) = meeting.entries
            for member in members[1:]:
                votes.cast_ballot(
                    session, act_as(member.expert.user, None), meeting.id, {entry.id: "yes"}, on_the_day
                )
            ids.append(meeting.id)
            entries.append((entry.id, members[0].expert.user_id))
        session.commit()
        return ids, co.office.leader.id, co.office.leader_membership.id, entries


def _race(*targets: tuple[object, ...]) -> list[str]:
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []
    threads = [threading.Thread(target=fn, args=(*args, barrier, outcomes)) for fn, *args in targets]  # type: ignore[misc]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _ballot(
    engine: Engine,
    expert_user_id: int,
    meeting_id: int,
    entry_id: int,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    from portal.domain.errors import DomainError
    from portal.services import votes

    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, expert_user_id)
        assert user is not None
        actor = actor_for(user, None)
        session.commit()
        barrier.wait(timeout=30)
        try:
            votes.cast_ballot(session, actor, meeting_id, {entry_id: "no"}, NOW + timedelta(days=30))
            session.commit()
            outcomes.append("ok")
        except DomainError as refused:
            session.commit()  # the refusal's audit event
            outcomes.append(refused.code)


def _close(
    engine: Engine,
    user_id: int,
    membership_id: int,
    meeting_id: int,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    from portal.domain.errors import DomainError
    from portal.services import votes

    with Session(engine, expire_on_commit=False) as session:
        user, membership = session.get(User, user_id), session.get(Membership, membership_id)
        assert user is not None and membership is not None
        actor = actor_for(user, membership)
        session.commit()
        barrier.wait(timeout=30)
        try:
            votes.close_voting(session, actor, meeting_id, NOW + timedelta(days=30))
            session.commit()
            outcomes.append("ok")
        except (DomainError, StaleObject):
            session.commit()  # the refusal's audit event
            outcomes.append("refused")


def test_one_expert_voting_twice_at_once_and_two_closes_at_once_count_once(engine: Engine) -> None:
    from portal.models import Ballot, BallotReceipt, MeetingEntry

    trials = max(2, TRIALS // 4)
    meeting_ids, leader_id, leader_membership_id, entries = _voting_meetings(engine, trials)
    for meeting_id, (entry_id, expert_user_id) in zip(meeting_ids, entries, strict=True):
        ballots = _race(
            (_ballot, engine, expert_user_id, meeting_id, entry_id),
            (_ballot, engine, expert_user_id, meeting_id, entry_id),
        )
        assert ballots == ["already_voted", "ok"], ballots
        closes = _race(
            (_close, engine, leader_id, leader_membership_id, meeting_id),
            (_close, engine, leader_id, leader_membership_id, meeting_id),
        )
        assert closes == ["ok", "refused"], closes

    with Session(engine) as session:
        receipts = session.scalar(
            select(func.count()).select_from(BallotReceipt).where(BallotReceipt.meeting_id.in_(meeting_ids))
        )
        assert receipts == 5 * trials
        entry_ids = [e for e, _ in entries]
        assert session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.entry_id.in_(entry_ids))
        ) == (5 * trials)
        tallies = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "tally", AuditEvent.outcome == "ok")
        )
        assert tallies == trials
        results = set(session.scalars(select(MeetingEntry.yes).where(MeetingEntry.id.in_(entry_ids))))
        assert results == {4}
        statuses = set(
            session.scalars(
                select(Application.status).where(
                    Application.id.in_(
                        select(MeetingEntry.application_id).where(MeetingEntry.id.in_(entry_ids))
                    )
                )
            )
        )
        assert statuses == {Status.VOTED.value}


# 职称确认 (issue 22.7): the HR bureau's handler confirming and its leader refusing the same line at once:
# exactly one decision and one audited success; the other is told the line was handled.


def _sent_lines(engine: Engine, trials: int) -> tuple[list[int], tuple[int, int], tuple[int, int]]:
    """``trials`` Dongchuan lines sent to the bureau; the bureau's handler and leader (user, membership)."""
    from portal.services import confirmations
    from tests.factories import (
        STEPS_TO,
        city_system_passed,
        make_committee,
        make_committee_world,
        reviewers,
        walk,
        with_title_elsewhere,
    )

    with Session(engine, expire_on_commit=False) as session:
        world = make_committee_world(session, NOW, profile="kunming-2022")
        co = make_committee(session, world, NOW, place="东川区")
        hr, office = world.enterprise.actor(StaffRole.HANDLER), co.office.actor(StaffRole.HANDLER)
        for _ in range(trials):
            application = make_application(
                session, world, NOW, pathway="评审", what=("工程", "建设工程", "中级")
            )
            row_id = with_title_elsewhere(session, application, NOW)
            confirmations.request_from_row(session, hr, application.id, row_id, "other_province", NOW)
            walk(session, reviewers(world), application, STEPS_TO[Status.BUREAU_REVIEW] + 1, NOW)
            city_system_passed(session, world, application, NOW)  # Kunming's gate (004 一(二))
            applications.act(
                session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, NOW
            )
        lines = [line.id for line in confirmations.send_list(session, office, NOW)]
        session.commit()
        bureau = world.bureau
        return (
            lines,
            (bureau.handler.id, bureau.handler_membership.id),
            (bureau.leader.id, bureau.leader_membership.id),
        )


def _decide(
    engine: Engine,
    user_id: int,
    membership_id: int,
    line_id: int,
    confirm: bool,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    from portal.domain.errors import DomainError, NotFound
    from portal.services import confirmations

    with Session(engine, expire_on_commit=False) as session:
        user, membership = session.get(User, user_id), session.get(Membership, membership_id)
        assert user is not None and membership is not None
        actor = actor_for(user, membership)
        session.commit()  # end the read before the race: on SQLite it would hold the write lock
        barrier.wait(timeout=30)
        try:
            confirmations.decide(session, actor, line_id, confirm, "" if confirm else "查无此证书", NOW)
            session.commit()
            outcomes.append("ok")
        except (DomainError, NotFound):
            session.rollback()
            outcomes.append("refused")


def test_two_bureau_staff_deciding_one_line_at_once_make_exactly_one_decision(engine: Engine) -> None:
    from portal.models import ConfirmationStatus, TitleConfirmation

    trials = max(2, TRIALS // 4)
    lines, handler, leader = _sent_lines(engine, trials)
    for line_id in lines:
        outcomes = _race(
            (_decide, engine, *handler, line_id, True),
            (_decide, engine, *leader, line_id, False),
        )
        assert outcomes == ["ok", "refused"], outcomes  # the other: 已办理 (compare-and-set on the status)
    with Session(engine) as session:
        decided = session.scalars(select(TitleConfirmation.status).where(TitleConfirmation.id.in_(lines)))
        assert set(decided) <= {ConfirmationStatus.CONFIRMED.value, ConfirmationStatus.REFUSED.value}
        successes = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "decide_title_confirmation", AuditEvent.outcome == "ok")
        )
        assert successes == trials


# HR's correction of a name against the unit leader's approval of the person's case (issue: the name is
# read-only while a case the unit recommended is in progress). The approval's transaction is held open
# after its write; the correction starts meanwhile. It must wait for the approval and then refuse the
# name: checked under a lock of the person's applications (PostgreSQL: FOR UPDATE; SQLite: writers take
# turns). A plain read of the status saw the case as still with the unit and wrote the new name.


def test_a_name_corrected_while_the_unit_recommends_the_case_waits_and_is_refused(engine: Engine) -> None:
    from portal.domain.accounts import AccountChange
    from portal.domain.errors import ValidationFailed
    from portal.services import accounts

    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        application = make_application(session, world, NOW, steps=2)  # 单位审核: the leader signs next
        assert application.state is Status.UNIT_REVIEW
        session.commit()
        applicant_id, application_id, version = application.applicant_id, application.id, application.version
        old_name = application.applicant.name
        leader = (world.enterprise.leader.id, world.enterprise.leader_membership.id)
        hr = (world.enterprise.handler.id, world.enterprise.handler_membership.id)

    approved, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def approve() -> None:
        with Session(engine, expire_on_commit=False) as session:
            user, membership = session.get(User, leader[0]), session.get(Membership, leader[1])
            assert user is not None and membership is not None
            actor = actor_for(user, membership)
            session.commit()
            applications.act(
                session, actor, application_id, Action.LEADER_APPROVE, NOW, expected_version=version
            )
            session.flush()
            approved.set()
            release.wait(timeout=30)  # the approval's transaction stays open while HR correct the name
            session.commit()
            outcomes["approve"] = "ok"

    def correct() -> None:
        with Session(engine, expire_on_commit=False) as session:
            user, membership = session.get(User, hr[0]), session.get(Membership, hr[1])
            assert user is not None and membership is not None
            actor = actor_for(user, membership)
            session.commit()  # end the read: on SQLite it would wait for the write turn
            approved.wait(timeout=30)
            try:
                accounts.update_applicant_account(
                    session, actor, applicant_id, AccountChange(name="更正后姓名"), NOW
                )
                session.commit()
                outcomes["correct"] = "ok"
            except ValidationFailed as refused:
                session.rollback()
                outcomes["correct"] = "refused: " + ",".join(refused.fields)

    approver, corrector = threading.Thread(target=approve), threading.Thread(target=correct)
    approver.start()
    assert approved.wait(timeout=60)
    corrector.start()
    # Long enough for an unlocked correction to read the old status and commit the name meanwhile.
    corrector.join(timeout=3)
    waited = corrector.is_alive()
    release.set()
    approver.join(timeout=60)
    corrector.join(timeout=60)
    assert waited, "the correction went ahead while the approval's transaction was open"
    assert outcomes == {"approve": "ok", "correct": "refused: name"}
    with Session(engine) as session:
        assert session.get(Application, application_id).state is Status.UNIT_APPROVED  # type: ignore[union-attr]
        assert session.get(User, applicant_id).name == old_name  # type: ignore[union-attr]


# A batch or hand-off ZIP the worker stores while HR correct a name in it (`jobs.names_gone_stale`): the
# worker checks the names under the lock the correction takes, in the transaction that stores the ZIP.


def _named_case(engine: Engine) -> tuple[int, int, str, tuple[int, int]]:
    """An application still with its unit (its name may be corrected) and a running package batch of it.
    Returns the application's and the job's ids, the applicant's name and HR's (user, membership)."""
    from portal.models import Job, JobKind, JobStatus

    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        application = make_application(session, world, NOW, steps=1)
        job = Job(
            kind=JobKind.PACKAGE_BATCH.value, status=JobStatus.RUNNING.value,
            owner_id=world.enterprise.handler.id, org_id=world.enterprise.org.id,
            params={"ids": [application.id]}, attempts=1, message="",
            created_at=NOW, started_at=NOW, heartbeat_at=NOW,
        )  # fmt: skip
        session.add(job)
        session.commit()
        hr = (world.enterprise.handler.id, world.enterprise.handler_membership.id)
        return application.id, job.id, application.applicant.name, hr


def _correct_name(
    engine: Engine,
    hr: tuple[int, int],
    application_id: int,
    name: str,
    locked: threading.Event | None = None,
    release: threading.Event | None = None,
) -> None:
    """HR correct the applicant's name; with `locked` and `release`, the transaction stays open between."""
    from portal.domain.accounts import AccountChange
    from portal.services import accounts

    with Session(engine, expire_on_commit=False) as session:
        user, membership = session.get(User, hr[0]), session.get(Membership, hr[1])
        application = session.get(Application, application_id)
        assert user is not None and membership is not None and application is not None
        actor, applicant_id = actor_for(user, membership), application.applicant_id
        session.commit()  # end the read: on SQLite it would hold the write turn
        accounts.update_applicant_account(session, actor, applicant_id, AccountChange(name=name), NOW)
        session.flush()
        if locked is not None and release is not None:
            locked.set()
            release.wait(timeout=30)  # the correction's transaction stays open while the worker stores
        session.commit()


def _second_waits(hold: Callable[[threading.Event, threading.Event], None], then: Callable[[], None]) -> bool:
    """Run `hold` until it sets its first event (its transaction then open, waiting for the second),
    start `then`, and say whether `then` was still waiting 3 s later; then let both finish."""
    held, release = threading.Event(), threading.Event()
    first = threading.Thread(target=hold, args=(held, release))
    first.start()
    assert held.wait(timeout=60)
    second = threading.Thread(target=then)
    second.start()
    second.join(timeout=3)  # long enough for an unlocked `then` to read what `hold` has not committed
    waited = second.is_alive()
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    return waited


def test_a_worker_storing_a_zip_while_a_name_is_corrected_waits_and_sees_the_new_name(engine: Engine) -> None:
    from portal.services import jobs

    application_id, _job_id, old_name, hr = _named_case(engine)
    seen: dict[str, set[int]] = {}

    def correct(locked: threading.Event, release: threading.Event) -> None:
        _correct_name(engine, hr, application_id, "更正后姓名", locked, release)

    def store() -> None:
        with Session(engine, expire_on_commit=False) as session:
            seen["stale"] = jobs.names_gone_stale(session, {application_id: old_name})
            session.rollback()

    assert _second_waits(correct, store), "the worker checked the names while the correction was open"
    assert seen == {"stale": {application_id}}  # the ZIP holds the old name: not stored, built again


def test_a_name_corrected_while_a_worker_stores_its_zip_waits_and_withdraws_it(engine: Engine) -> None:
    from portal.models import Job, StoredFile
    from portal.services import jobs

    application_id, job_id, old_name, hr = _named_case(engine)
    seen: dict[str, set[int]] = {}

    def store(stored: threading.Event, release: threading.Event) -> None:
        with Session(engine, expire_on_commit=False) as session:
            job = session.get(Job, job_id)
            assert job is not None
            seen["stale"] = jobs.names_gone_stale(session, {application_id: old_name})
            result = StoredFile(sha256="0" * 64, size=1, media_type="application/zip", display_name="批.zip",
                                uploaded_by_id=job.owner_id, created_at=NOW)  # fmt: skip
            session.add(result)
            session.flush()
            jobs.finish(
                session, job, NOW, message="已打包 1 件", result_file_id=result.id, result_name="批.zip"
            )
            stored.set()
            release.wait(timeout=30)  # the storing transaction stays open while HR correct the name
            session.commit()

    def correct() -> None:
        _correct_name(engine, hr, application_id, "更正后姓名")

    assert _second_waits(store, correct), "the correction went ahead while the worker was storing"
    assert seen == {"stale": set()}
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.result_file_id is None and "姓名已更正" in job.message


# An expert taken out of the pool (停用) while the office's leader opens the meeting's vote with that expert
# present (issue: the deactivation's check of open votes raced the opening). One transaction is held open
# after its write; the other starts meanwhile and must wait for it, then refuse: the deactivation as
# voting_open (the count waits for the expert's ballot), the opening as expert_inactive. Unlocked, each
# read the other's row as it was and both went through: a vote waiting for a ballot its expert could no
# longer cast (the vote never closed), or an expert out of the pool registered present. Both sides lock the
# meeting, then the experts (PostgreSQL: FOR UPDATE; SQLite: writers take turns).


def _accepted_meeting(engine: Engine) -> tuple[int, int, list[int], tuple[int, int], tuple[int, int]]:
    """A meeting whose filing was accepted, its vote not open: (meeting, expert of the first seat, the
    panel's seats, the office's leader and handler as (user, membership))."""
    from portal.services import votes
    from tests import factories as made

    with Session(engine, expire_on_commit=False) as session:
        world = made.make_committee_world(session, NOW)
        co = made.make_committee(session, world, NOW)
        application = made.make_review_application(session, world, NOW)
        made.to_meeting(session, world, co, application, NOW)
        seats = votes.panel(session, made.filed_meeting(session, world, co, [application], NOW, pool=5))
        session.commit()
        office = co.office
        return (
            seats[0].meeting_id,
            seats[0].expert_id,
            [m.id for m in seats],
            (office.leader.id, office.leader_membership.id),
            (office.handler.id, office.handler_membership.id),
        )


def _held_then_waited(engine: Engine, first: Any, second: Any) -> tuple[bool, dict[str, str]]:
    """Run ``first`` in a transaction held open after its write, start ``second`` meanwhile; whether the
    second waited for the first's commit, and each one's outcome ("ok" or its refusal's code)."""
    from portal.domain.errors import DomainError

    written, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    steps = (("first", first), ("second", second))

    def run(name: str, step: Any, hold: bool) -> None:
        with Session(engine, expire_on_commit=False) as session:
            session.commit()
            if not hold:
                written.wait(timeout=30)
            try:
                step(session)
                session.flush()
                if hold:
                    written.set()
                    release.wait(timeout=30)
                session.commit()
                outcomes[name] = "ok"
            except DomainError as refused:
                session.commit()  # the refusal's audit row
                outcomes[name] = refused.code or "refused"
            finally:
                written.set()

    threads = [threading.Thread(target=run, args=(name, step, name == "first")) for name, step in steps]
    threads[0].start()
    assert written.wait(timeout=60)
    threads[1].start()
    threads[1].join(timeout=3)  # long enough for an unlocked step to read the old rows and commit meanwhile
    waited = threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    return waited, outcomes


def _take_turns(engine: Engine, step: Any, opening: Any, step_first: bool) -> dict[str, str]:
    """``step`` and the vote's ``opening``, one held open after its write (``step`` when ``step_first``)
    while the other starts: the other must wait for it. Each one's outcome ("first", "second")."""
    first, second = (step, opening) if step_first else (opening, step)
    waited, outcomes = _held_then_waited(engine, first, second)
    assert waited, f"{second.__name__} went ahead while {first.__name__} was open"
    return outcomes


def _opening(meeting_id: int, seats: list[int], leader: tuple[int, int]) -> Any:
    """The leader opening the vote on the meeting's day with every seat present, as a step of its own."""
    from portal.services import votes

    def opening(session: Session) -> None:
        votes.open_voting(session, _as(session, leader), meeting_id, seats, NOW + timedelta(days=30))

    return opening


def _as(session: Session, who: tuple[int, int]) -> Any:
    user, membership = session.get(User, who[0]), session.get(Membership, who[1])
    assert user is not None and membership is not None
    return actor_for(user, membership)


@pytest.mark.parametrize("deactivation_first", [False, True], ids=["opening-first", "deactivation-first"])
def test_a_deactivation_and_the_vote_opening_with_the_expert_present_take_turns(
    engine: Engine, deactivation_first: bool
) -> None:
    from portal.models import Expert, Meeting, MeetingStatus
    from portal.services import votes

    meeting_id, expert_id, seats, leader, handler = _accepted_meeting(engine)
    day = NOW + timedelta(days=30)
    opening = _opening(meeting_id, seats, leader)

    def deactivation(session: Session) -> None:
        votes.deactivate_expert(session, _as(session, handler), expert_id, "调离", day)

    outcomes = _take_turns(engine, deactivation, opening, deactivation_first)
    # The second is refused: an expert out of the pool is not registered present (expert_inactive); one
    # present whose ballot the count waits for stays in it (voting_open).
    assert outcomes == {"first": "ok", "second": "expert_inactive" if deactivation_first else "voting_open"}
    with Session(engine) as session:
        state = session.get(Meeting, meeting_id).state  # type: ignore[union-attr]
        assert state is (MeetingStatus.ACCEPTED if deactivation_first else MeetingStatus.VOTING)
        assert session.get(Expert, expert_id).active is not deactivation_first  # type: ignore[union-attr]


# An accepted meeting called off (meetings.cancel_meeting) while its leader opens the vote: without the
# lock both read ACCEPTED, and the cancel's compare-and-set lost with a bare "refresh and try again" (or,
# worse, an opened vote lost its panel). Both lock the meeting first: the second waits and is refused in
# words — a vote on a cancelled meeting is not one on an accepted filing, a vote opened is not cancelled.


@pytest.mark.parametrize("cancel_first", [False, True], ids=["opening-first", "cancel-first"])
def test_a_cancel_and_the_vote_opening_of_an_accepted_meeting_take_turns(
    engine: Engine, cancel_first: bool
) -> None:
    from portal.models import Meeting, MeetingStatus, PanelMember
    from portal.services import meetings

    meeting_id, _expert_id, seats, leader, _handler = _accepted_meeting(engine)

    def cancel(session: Session) -> None:
        meetings.cancel_meeting(
            session, _as(session, leader), meeting_id, "专家无法到会", NOW + timedelta(days=30)
        )

    opening = _opening(meeting_id, seats, leader)

    outcomes = _take_turns(engine, cancel, opening, cancel_first)
    assert outcomes == {"first": "ok", "second": "not_filed" if cancel_first else "vote_opened"}
    with Session(engine) as session:
        state = session.get(Meeting, meeting_id).state  # type: ignore[union-attr]
        assert state is (MeetingStatus.CANCELLED if cancel_first else MeetingStatus.VOTING)
        held = session.scalars(select(PanelMember).where(PanelMember.meeting_id == meeting_id)).all()
        assert len(held) == (0 if cancel_first else len(seats))
        denied = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_id == meeting_id, AuditEvent.outcome == "denied"
            )
        ).all()
        assert denied == ["open_voting" if cancel_first else "cancel_meeting"]


# Finding F8: the same file sent twice into a slot while the first upload ran was stored twice. The second
# upload waits for the first on the slot's lock (SQLite: BEGIN IMMEDIATE), then finds its file and keeps it.


def _draft(engine: Engine) -> tuple[int, int]:
    from portal.services import forms

    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        applicant = make_user(session, employer=world.enterprise.org)
        application = applications.start_application(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            applications.StartInput(applicant.id, "工程", "土木工程", "中级"),
            NOW,
        )
        forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), NOW)
        session.commit()
        return application.id, applicant.id


def test_the_same_file_uploaded_twice_at_once_is_stored_once(engine: Engine) -> None:
    from portal.documents.scans import Part
    from portal.models import Material
    from portal.services import materials
    from tests import imaging
    from tests.factories import STORAGE

    application_id, applicant_id = _draft(engine)
    photos = [
        Part(f"IMG_{i}.jpg", imaging.photo(1200, 1600, colour=c)) for i, c in enumerate(("#eee", "#ccc"))
    ]
    answers: dict[str, object] = {}

    def upload(session: Session) -> Material:
        user = session.get(User, applicant_id)
        assert user is not None
        data = materials.UploadInput(slot="labour_contract", kind="copy")
        return materials.upload_material(
            session, actor_for(user, None), STORAGE, application_id, data, photos, NOW
        )

    def first(uploaded: threading.Event, release: threading.Event) -> None:
        with Session(engine, expire_on_commit=False) as session:
            answers["first"] = upload(session).id
            uploaded.set()
            release.wait(timeout=60)
            session.commit()

    def second() -> None:
        with Session(engine, expire_on_commit=False) as session:
            try:
                answers["second"] = ("stored", upload(session).id)
                session.commit()
            except materials.AlreadyUploaded as kept:
                session.rollback()
                answers["second"] = ("kept", kept.material.id)

    assert _second_waits(first, second), "the second upload looked for the file before the first committed"
    assert answers == {"first": answers["first"], "second": ("kept", answers["first"])}
    with Session(engine) as session:
        kept = session.scalars(select(Material.id).where(Material.application_id == application_id)).all()
        assert kept == [answers["first"]]
