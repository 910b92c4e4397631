"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.accounts import AccountTransfer, ImportBatch, Roster, RosterEntry, TransferStatus
from portal.models.applications import Application, CertificateSequence
from portal.models.audit import AuditEvent
from portal.models.base import Base
from portal.models.calendar import CalendarDay, CalendarYear, Setting
from portal.models.certificates import CertificateLookup, IntegrityRecord
from portal.models.files import StoredFile
from portal.models.jobs import Job, JobKind, JobStatus
from portal.models.materials import Endorsement, Material, UnitSeal
from portal.models.notices import Notice, NoticeEntry, NoticeStatus, Objection
from portal.models.organisations import Organisation, OrgKind, Ownership
from portal.models.paper import PaperFollowup, PaperItem
from portal.models.policies import AuthorityContact, PolicyWindow
from portal.models.reviews import Correction, CorrectionItem, Notification, StandIn
from portal.models.users import AuthSession, Membership, PasswordHistory, StaffRole, User

__all__ = [
    "AccountTransfer",
    "Application",
    "AuditEvent",
    "AuthSession",
    "AuthorityContact",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "CertificateLookup",
    "CertificateSequence",
    "Correction",
    "CorrectionItem",
    "Endorsement",
    "ImportBatch",
    "IntegrityRecord",
    "Job",
    "JobKind",
    "JobStatus",
    "Material",
    "Membership",
    "Notice",
    "NoticeEntry",
    "NoticeStatus",
    "Notification",
    "Objection",
    "OrgKind",
    "Organisation",
    "Ownership",
    "PaperFollowup",
    "PaperItem",
    "PasswordHistory",
    "PolicyWindow",
    "Roster",
    "RosterEntry",
    "Setting",
    "StaffRole",
    "StandIn",
    "StoredFile",
    "TransferStatus",
    "UnitSeal",
    "User",
]
