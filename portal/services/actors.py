"""Who is acting: the user, the staff role and organisation they act for, and where the request came from."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import Membership, OrgKind, StaffRole, User


@dataclass(frozen=True)
class Actor:
    user_id: int
    name: str
    org_id: int | None = None
    org_kind: OrgKind | None = None
    staff_role: StaffRole | None = None
    employer_id: int | None = None  # set when the user holds an applicant account
    ip: str = ""
    request_id: str = ""
    stand_in_for: int | None = None  # the principal's user id when acting as their stand-in

    @property
    def is_staff(self) -> bool:
        return self.staff_role in (StaffRole.HANDLER, StaffRole.LEADER)

    @property
    def is_admin(self) -> bool:
        """The bureau's system admin: the organisation tree, calendar, windows, audit trail."""
        return self.staff_role is StaffRole.ADMIN and self.org_kind is OrgKind.BUREAU

    @property
    def is_org_admin(self) -> bool:
        """An admin of any organisation: manages staff there and below (portal.services.staff)."""
        return self.staff_role is StaffRole.ADMIN

    @property
    def is_applicant(self) -> bool:
        return self.employer_id is not None


def actor_for(
    user: User,
    membership: Membership | None,
    *,
    ip: str = "",
    request_id: str = "",
    stand_in_for: int | None = None,
) -> Actor:
    """The actor for a user acting in one membership (or as an applicant when membership is None);
    a stand-in acts in the principal's membership under their own user id."""
    if membership is None:
        return Actor(user.id, user.name, employer_id=user.employer_id, ip=ip, request_id=request_id)
    return Actor(
        user.id,
        user.name,
        org_id=membership.org_id,
        org_kind=OrgKind(membership.org.kind),
        staff_role=StaffRole(membership.role),
        employer_id=user.employer_id,
        ip=ip,
        request_id=request_id,
        stand_in_for=stand_in_for,
    )


SYSTEM = Actor(user_id=0, name="系统")
