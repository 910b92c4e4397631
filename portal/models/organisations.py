"""Organisations: the tree bureau → department → enterprise (DESIGN.md §2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base
from portal.models.clock import utcnow


class OrgKind(StrEnum):
    BUREAU = "bureau"
    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    COMMITTEE = "committee"  # a review committee's office (评委会办事机构), under the bureau it files with

    @property
    def title(self) -> str:
        return {
            "bureau": "人社局（认定机构）",
            "department": "主管部门",
            "enterprise": "用人单位",
            "committee": "评委会办事机构",
        }[self.value]


class Ownership(StrEnum):
    STATE = "state"
    NON_STATE = "non_state"

    @property
    def title(self) -> str:
        return {"state": "国有", "non_state": "非国有"}[self.value]


PARENT_KIND: dict[OrgKind, OrgKind | None] = {
    OrgKind.BUREAU: None,
    OrgKind.DEPARTMENT: OrgKind.BUREAU,
    OrgKind.ENTERPRISE: OrgKind.DEPARTMENT,
    OrgKind.COMMITTEE: OrgKind.BUREAU,
}


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('bureau', 'department', 'enterprise', 'committee')", name="kind"),
        CheckConstraint(
            "kind <> 'enterprise' OR (uscc IS NOT NULL AND ownership IS NOT NULL)", name="enterprise_ids"
        ),
        CheckConstraint("ownership IS NULL OR ownership IN ('state', 'non_state')", name="ownership"),
        CheckConstraint("kind = 'bureau' OR parent_id IS NOT NULL", name="has_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    ownership: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(100), default="")
    # Short code of a certifying authority, used in certificate numbers (e.g. "GZ").
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # How a certifying authority numbers its certificates: {year}, {code}, {seq} (zero-padded by width).
    certificate_pattern: Mapped[str] = mapped_column(
        String(60), default="{year}{code}{seq:05d}", server_default="{year}{code}{seq:05d}"
    )
    # A bureau's policy profile (portal/policies/<id>.toml, e.g. "ganzhou-2026"): its windows and rules.
    policy_profile: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="joined")

    @property
    def org_kind(self) -> OrgKind:
        return OrgKind(self.kind)

    @property
    def ownership_title(self) -> str:
        return Ownership(self.ownership).title if self.ownership else ""
