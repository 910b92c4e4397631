"""Issue 22.7's demo (portal/demo_kunming.py): `flask seed-demo` gives Dongchuan a district committee with
its office and expert pool, an application at the office's intake whose title from Sichuan waits to be
sent for confirmation (asked for from the form's 现有职称 row), and a draft whose Sichuan title the unit's
HR can ask to confirm; loading the demo twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import seed_demo
from portal.demo_kunming import APPLICANT, COMMITTEE, DRAFT_APPLICANT, EXPERTS, OFFICE_STAFF
from portal.domain.workflow import Status
from portal.models import Application, Committee, ConfirmationStatus, Expert, User
from portal.services import confirmations
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STORAGE


def _application(session: Session, phone: str) -> Application:
    applicant = session.scalars(select(User).where(User.phone == phone)).one()
    return session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()


def test_the_demo_puts_a_dongchuan_application_with_a_title_confirmation_at_the_intake(
    session: Session, clock: Clock
) -> None:
    logins = seed_demo(session, clock.now, STORAGE)
    committee = session.scalars(select(Committee).where(Committee.name == COMMITTEE)).one()
    sent = _application(session, APPLICANT[1])
    assert sent.state is Status.COMMITTEE_REVIEW and sent.committee_id == committee.id
    line = confirmations.line_of(session, sent.id)
    assert line is not None and line.state is ConfirmationStatus.REQUESTED
    assert (line.prior_title, line.issuer, line.citation) == (
        "助理工程师",
        "四川省人力资源和社会保障厅",
        "004 一(五)",
    )
    draft = _application(session, DRAFT_APPLICANT[1])
    view = confirmations.applicant_view(session, actor_for(draft.applicant, None), draft.id)
    assert view.editable and view.line is None and [c.elsewhere for c in view.rows] == [True]
    phones = {phone for _d, phone, _n in logins}
    assert {p for _d, p, _n, _r in OFFICE_STAFF} <= phones and {e[1] for e in EXPERTS} <= phones
    pool = select(func.count()).select_from(Expert).where(Expert.committee_id == committee.id)
    experts = session.scalar(pool)
    seed_demo(session, clock.now, STORAGE)  # again: nothing new
    assert session.scalar(pool) == experts == len(EXPERTS)
