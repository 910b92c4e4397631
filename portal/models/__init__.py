"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.accounts import (
    AccountTransfer,
    ImportBatch,
    ImportStatus,
    RegistrationVoid,
    Roster,
    RosterEntry,
    TransferStatus,
)
from portal.models.applications import Application, CertificateSequence
from portal.models.audit import AuditEvent, AuditOutcome
from portal.models.base import Base
from portal.models.calendar import CalendarDay, CalendarYear, Setting
from portal.models.certificates import CertificateLookup, IntegrityRecord
from portal.models.committees import (
    Ballot,
    BallotChoice,
    BallotReceipt,
    CallStatus,
    Committee,
    CommitteeCall,
    CommitteeException,
    CommitteeKind,
    CommitteeScope,
    ConfirmationStatus,
    EntryResult,
    Expert,
    Meeting,
    MeetingEntry,
    MeetingStatus,
    PanelMember,
    ScopeSource,
    TitleConfirmation,
    TitleOrigin,
)
from portal.models.files import StoredFile
from portal.models.forms import FormRow
from portal.models.handoffs import HandoffPart, HandoffResult, ResultImport, ResultImportStatus, ResultOutcome
from portal.models.jobs import Job, JobKind, JobStatus
from portal.models.materials import Endorsement, Material, UnitSeal
from portal.models.notices import (
    EntryOutcome,
    Notice,
    NoticeEntry,
    NoticePurpose,
    NoticeStatus,
    Objection,
    ObjectionStatus,
)
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
    EmailOptOut,
    LoginThrottle,
    Membership,
    PasswordHistory,
    StaffChange,
    StaffChangeStatus,
    StaffRole,
    User,
)
from portal.models.versions import Version
from portal.models.year_end import YearEndReport

__all__ = [
    "AccountTransfer",
    "Application",
    "AuditEvent",
    "AuditOutcome",
    "AuthSession",
    "AuthorityContact",
    "Ballot",
    "BallotChoice",
    "BallotReceipt",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "CallStatus",
    "CertificateLookup",
    "CertificateSequence",
    "Committee",
    "CommitteeCall",
    "CommitteeException",
    "CommitteeKind",
    "CommitteeScope",
    "ConfirmationStatus",
    "Correction",
    "CorrectionItem",
    "CorrectionStatus",
    "EmailOptOut",
    "Endorsement",
    "EntryOutcome",
    "EntryResult",
    "Expert",
    "FormRow",
    "FormSubmission",
    "HandoffPart",
    "HandoffResult",
    "ImportBatch",
    "ImportStatus",
    "IntegrityRecord",
    "Job",
    "JobKind",
    "JobStatus",
    "LoginThrottle",
    "Material",
    "Meeting",
    "MeetingEntry",
    "MeetingStatus",
    "Membership",
    "Notice",
    "NoticeEntry",
    "NoticePurpose",
    "NoticeStatus",
    "Notification",
    "Objection",
    "ObjectionStatus",
    "OrgKind",
    "Organisation",
    "Ownership",
    "PanelMember",
    "PaperFollowup",
    "PaperItem",
    "PasswordHistory",
    "PolicyWindow",
    "Recommendation",
    "RecommendationMethod",
    "RegistrationVoid",
    "ResultImport",
    "ResultImportStatus",
    "ResultOutcome",
    "ReviewStep",
    "Roster",
    "RosterEntry",
    "ScopeSource",
    "Setting",
    "StaffChange",
    "StaffChangeStatus",
    "StaffRole",
    "StandIn",
    "StoredFile",
    "TitleConfirmation",
    "TitleOrigin",
    "TransferStatus",
    "UnitOpinion",
    "UnitSeal",
    "User",
    "Version",
    "YearEndReport",
]
