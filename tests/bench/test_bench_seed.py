"""bench-seed at test scale and the queue's statement count (issue #10): not a timing, a real test.

The benchmark data must be valid (every status, consistent holders, valid ID numbers, certificates for
the certified), and the queue fragment must send the same number of SQL statements whatever the number
of rows and however deep the keyset page: a per-row query in the service or the template (N+1) would
make the count grow with the rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bench.seed import seed, staff_of, top_up_certificates
from portal.domain.identity import normalize_resident_id
from portal.domain.workflow import Status
from portal.models import Application, CertificateSequence, Endorsement, Material, Membership, User
from portal.services import queues
from tests.conftest import Clock, db_engine

HX = {"HX-Request": "true", "HX-Target": "queue"}


@pytest.fixture
def seeded(session: Session, clock: Clock) -> Any:
    return seed(session, 200, clock.now)


def test_bench_seed_spreads_valid_applications_over_every_status(session: Session, seeded: Any) -> None:
    assert seeded.applications == 200 and seeded.organisations == 21 + 42 + 300
    statuses = set(session.scalars(select(Application.status).distinct()))
    assert {Status.DRAFT.value, Status.CERTIFIED.value, Status.BUREAU_REVIEW.value} <= statuses
    certified = session.scalars(select(Application).where(Application.status == Status.CERTIFIED.value)).all()
    assert certified and all(a.certificate_no and a.certified_at for a in certified)
    for number in session.scalars(select(User.id_number).order_by(User.id.desc()).limit(50)):
        assert normalize_resident_id(number) == number  # GB 11643 check character and birth date
    for application in session.scalars(select(Application).order_by(Application.id.desc()).limit(100)):
        if application.status == Status.DEPT_REVIEW.value:
            assert application.current_org_id == application.department_id and application.reached_level == 1
        if application.status == Status.BUREAU_REVIEW.value:
            assert application.current_org_id == application.bureau_id and application.reached_level == 2


def test_bench_seed_fills_the_checklist_slots_with_metadata_and_endorses_the_copies(
    session: Session, seeded: Any
) -> None:
    applications = session.scalars(select(Application)).all()
    slots: dict[int, set[str]] = {}
    for material in session.scalars(select(Material)):
        slots.setdefault(material.application_id, set()).add(material.slot)
        assert material.file.size > 0 and len(material.file.sha256) == 64
    assert seeded.materials == sum(len(s) for s in slots.values())
    assert all({"id_card", "diploma", "xuexin", "labour_contract"} <= slots[a.id] for a in applications)
    endorsed = session.scalars(select(Endorsement)).all()
    assert endorsed and all(e.material.is_copy and e.seal.org_id == e.org_id for e in endorsed)
    submitted_copies = session.scalar(
        select(func.count())
        .select_from(Material)
        .join(Application, Application.id == Material.application_id)
        .where(Material.kind == "copy", Application.status != Status.DRAFT.value)
    )
    assert len(endorsed) == submitted_copies


def test_top_up_certificates_continues_the_bureaus_numbers_without_a_gap(
    session: Session, seeded: Any, clock: Clock
) -> None:
    bureau = seeded.largest_bureau_id
    numbers = select(Application.certificate_no).where(
        Application.bureau_id == bureau, Application.certificate_no.is_not(None)
    )
    before = len(session.scalars(numbers).all())
    assert top_up_certificates(session, bureau, before + 40, clock.now) == 40
    assert top_up_certificates(session, bureau, before + 40, clock.now) == 0  # already there
    issued = session.scalars(numbers).all()
    assert len(issued) == len(set(issued)) == before + 40
    for sequence in session.scalars(
        select(CertificateSequence).where(CertificateSequence.authority_id == bureau)
    ):
        serials = sorted(int(n[-6:]) for n in issued if n.startswith(str(sequence.year)))
        assert serials == list(range(1, sequence.last_value + 1))  # no gap, no reuse, sequence continues


def test_the_queue_fragment_sends_the_same_statements_for_5_and_50_rows_and_a_later_page(
    app: Flask, session: Session, seeded: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bureau = seeded.largest_bureau_id
    handler, _ = staff_of(session, bureau)
    membership = session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
    visible = session.scalar(
        select(func.count()).where(Application.bureau_id == bureau, Application.reached_level >= 2)
    )
    assert visible and visible > 12, "the largest bureau needs a few pages"
    browser = login_as(handler, membership_id=membership.id)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def fragment(path: str) -> tuple[int, str]:
        statements.clear()
        response = browser.get(path, headers=HX)
        assert response.status_code == 200
        return len(statements), response.text

    engine = db_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        fragment("/review/queue?tab=all")  # warm: the session row's last-seen update is once a minute
        monkeypatch.setattr(queues, "PAGE_SIZE", 5)
        five, page = fragment("/review/queue?tab=all")
        assert page.count('name="ids"') + page.count("<tr id=") >= 5
        after = page.split("after=", 1)[1].split("&", 1)[0].split('"', 1)[0]
        later, _ = fragment(f"/review/queue?tab=all&after={after}")
        monkeypatch.setattr(queues, "PAGE_SIZE", 50)
        fifty, page = fragment("/review/queue?tab=all")
        assert page.count("<tr id=") > 5
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert five == later == fifty, (five, later, fifty)
