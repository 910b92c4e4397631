"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.applications import Application, CertificateSequence
from portal.models.audit import AuditEvent
from portal.models.base import Base
from portal.models.organisations import Organisation, OrgKind, Ownership
from portal.models.users import AuthSession, Membership, StaffRole, User

__all__ = [
    "Application",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CertificateSequence",
    "Membership",
    "OrgKind",
    "Organisation",
    "Ownership",
    "StaffRole",
    "User",
]
