"""The staff rulebook's password reset (portal.domain.staffing.resets_password): an admin takes over an
account only where they manage everything it holds."""

from __future__ import annotations

import pytest

from portal.domain.staffing import (
    HELD_ELSEWHERE,
    Holding,
    HoldingKind,
    Manager,
    Place,
    StaffRole,
    resets_password,
)

ENTERPRISE = Place(30, (20, 10))  # an enterprise under a department under a bureau
OFFICE = Place(40, (10,))  # a committee's office under the same bureau, outside the department
ADMIN = Manager(user_id=1, role=StaffRole.ADMIN, org_id=30)
BUREAU_ADMIN = Manager(user_id=2, role=StaffRole.ADMIN, org_id=10)
HANDLER_HERE = Holding(HoldingKind.ROLE, ENTERPRISE, StaffRole.HANDLER)


@pytest.mark.parametrize("kind", [HoldingKind.EXPERT, HoldingKind.FORMER_EXPERT])
def test_a_seat_outside_the_admins_organisations_blocks_the_reset_active_or_not(kind: HoldingKind) -> None:
    """A deactivated seat is still the office's: the account reaches the panels it was drawn for (their
    agenda, a vote still open), so an admin who does not manage the office never takes it over."""
    refusal = resets_password(ADMIN, 5, [HANDLER_HERE, Holding(kind, OFFICE)])
    assert refusal is not None and refusal.code == "held_elsewhere"
    assert refusal.message == HELD_ELSEWHERE[kind]
    # An admin over the office and the enterprise resets it; a seat in one's own tree is no obstacle.
    assert resets_password(BUREAU_ADMIN, 5, [HANDLER_HERE, Holding(kind, OFFICE)]) is None
    assert resets_password(ADMIN, 5, [HANDLER_HERE, Holding(kind, ENTERPRISE)]) is None


def test_a_former_seat_is_named_as_one() -> None:
    refusal = resets_password(ADMIN, 5, [HANDLER_HERE, Holding(HoldingKind.FORMER_EXPERT, OFFICE)])
    assert refusal is not None and "曾是" in refusal.message


def test_an_unattached_self_registration_never_blocks_the_reset() -> None:
    """A registration no unit attached gives nothing to take over (it cannot apply, proves no identity, and
    its attachment replaces the password): wherever its bureau is, the admin of the person's role resets."""
    elsewhere = Place(99)  # another bureau's tree
    registration = Holding(HoldingKind.REGISTRATION, elsewhere)
    assert resets_password(ADMIN, 5, [HANDLER_HERE, registration]) is None
    # The other rules still hold with it: one's own account, a role at or above one's own.
    assert (
        refusal := resets_password(ADMIN, 1, [registration])
    ) is not None and refusal.code == "own_account"
    peer = Holding(HoldingKind.ROLE, ENTERPRISE, StaffRole.ADMIN)
    refusal = resets_password(ADMIN, 5, [peer, registration])
    assert refusal is not None and refusal.code == "reset_at_or_above_own"
    # An applicant's account elsewhere (an attached one) still blocks, as before.
    attached = Holding(HoldingKind.APPLICANT, elsewhere)
    refusal = resets_password(ADMIN, 5, [HANDLER_HERE, registration, attached])
    assert refusal is not None and refusal.code == "held_elsewhere"


def test_every_kind_that_may_block_has_its_message() -> None:
    from portal.domain.staffing import TAKEN_OVER_ANYWHERE

    assert set(HELD_ELSEWHERE) | TAKEN_OVER_ANYWHERE == set(HoldingKind)
