"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.accounts import (
    AccountTransfer,
    ImportBatch,
    ImportStatus,
    Roster,
    RosterEntry,
    TransferStatus,
)
from portal.models.applications import Application, CertificateSequence
from portal.models.audit import AuditEvent, AuditOutcome
from portal.models.base import Base
from portal.models.calendar import CalendarDay, CalendarYear, Setting
from portal.models.certificates import CertificateLookup, IntegrityRecord
from portal.models.files import StoredFile
from portal.models.forms import FormRow
from portal.models.jobs import Job, JobKind, JobStatus
from portal.models.materials import Endorsement, Material, UnitSeal
from portal.models.notices import EntryOutcome, Notice, NoticeEntry, NoticeStatus, Objection, ObjectionStatus
from portal.models.opinions import Recommendation, RecommendationMethod, UnitOpinion
from portal.models.organisations import Organisation, OrgKind, Ownership
from portal.models.paper import PaperFollowup, PaperItem
from portal.models.policies import AuthorityContact, PolicyWindow
from portal.models.reviews import (
    Correction,
    CorrectionItem,
    CorrectionStatus,
    Notification,
    ReviewStep,
    StandIn,
)
from portal.models.submissions import FormSubmission
from portal.models.users import (
    AuthSession,
    LoginThrottle,
    Membership,
    PasswordHistory,
    StaffChange,
    StaffChangeStatus,
    StaffRole,
    User,
)

__all__ = [
    "AccountTransfer",
    "Application",
    "AuditEvent",
    "AuditOutcome",
    "AuthSession",
    "AuthorityContact",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "CertificateLookup",
    "CertificateSequence",
    "Correction",
    "CorrectionItem",
    "CorrectionStatus",
    "Endorsement",
    "EntryOutcome",
    "FormRow",
    "FormSubmission",
    "ImportBatch",
    "ImportStatus",
    "IntegrityRecord",
    "Job",
    "JobKind",
    "JobStatus",
    "LoginThrottle",
    "Material",
    "Membership",
    "Notice",
    "NoticeEntry",
    "NoticeStatus",
    "Notification",
    "Objection",
    "ObjectionStatus",
    "OrgKind",
    "Organisation",
    "Ownership",
    "PaperFollowup",
    "PaperItem",
    "PasswordHistory",
    "PolicyWindow",
    "Recommendation",
    "RecommendationMethod",
    "ReviewStep",
    "Roster",
    "RosterEntry",
    "Setting",
    "StaffChange",
    "StaffChangeStatus",
    "StaffRole",
    "StandIn",
    "StoredFile",
    "TransferStatus",
    "UnitOpinion",
    "UnitSeal",
    "User",
]
