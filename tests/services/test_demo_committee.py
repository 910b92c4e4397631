"""Issue 22's demo (portal/demo_committee.py): `flask seed-demo` gives Zhenjiang's committee office its
handler and leader, an expert pool, and a 评审 application standing at the office's intake, so the README
tour can walk the committee road; loading the demo twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import seed_demo
from portal.demo_committee import APPLICANT, COMMITTEE_CODE, EXPERTS, OFFICE_STAFF
from portal.domain.workflow import Action, Status
from portal.models import Application, Committee, Expert, User
from portal.services import applications, votes
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STORAGE


def test_the_demo_puts_a_zhenjiang_application_at_the_committee_offices_intake(
    session: Session, clock: Clock
) -> None:
    logins = seed_demo(session, clock.now, STORAGE)
    committee = session.scalars(select(Committee).where(Committee.code == COMMITTEE_CODE)).one()
    applicant = session.scalars(select(User).where(User.phone == APPLICANT[1])).one()
    application = session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
    assert application.state is Status.COMMITTEE_REVIEW and application.committee_id == committee.id
    assert application.current_org_id == committee.office_id
    phones = {phone for _d, phone, _n in logins}
    assert {p for _d, p, _n, _r in OFFICE_STAFF} <= phones and {e[1] for e in EXPERTS} <= phones
    # The office's handler can take it at once (the intake is the review queue's road).
    from portal.models import Membership

    handler_user = session.scalars(select(User).where(User.phone == OFFICE_STAFF[0][1])).one()
    membership = session.scalars(select(Membership).where(Membership.user_id == handler_user.id)).one()
    applications.act(
        session, actor_for(handler_user, membership), application.id, Action.HANDLER_APPROVE, clock.now
    )
    assert application.state is Status.COMMITTEE_REVIEW  # now with the office's leader
    expert = session.scalars(select(Expert).where(Expert.committee_id == committee.id)).first()
    assert expert is not None and votes.is_expert(session, expert.user_id)
    pool = select(func.count()).select_from(Expert).where(Expert.committee_id == committee.id)
    experts = session.scalar(pool)
    seed_demo(session, clock.now, STORAGE)  # again: nothing new
    assert session.scalar(pool) == experts == len(EXPERTS)
    # A 高级 committee (its scope takes 副高级): the demo's experts hold 副高级 and are in term, so a full
    # panel is drawn from them (人社部令第40号).
    assert votes.standard(committee).floor == "副高级"
    for member in session.scalars(select(Expert).where(Expert.committee_id == committee.id)):
        assert member.title_level == "副高级"
        assert (member.appointed_on.isoformat(), member.term_ends.isoformat()) == ("2026-10-20", "2029-10-20")
