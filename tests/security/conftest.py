"""The security suite's world: two complete tenants (bureau → department → enterprises, staff of every
role, applicants, applications at several stages, notices, an objection with an attachment, a stand-in,
a notification, a pending staff change), a logged-in client for every role of each, and a snapshot of
the whole database to prove that a request changed nothing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents.scans import Part
from portal.domain.workflow import Status
from portal.extensions import limiter
from portal.models import (
    AccountTransfer,
    Application,
    AuditEvent,
    Base,
    CertificateImport,
    CommitteeCall,
    Endorsement,
    ImportBatch,
    Material,
    Meeting,
    MeetingStatus,
    Notice,
    Notification,
    Objection,
    OrgKind,
    PanelMember,
    PolicyWindow,
    ResultImport,
    StaffChange,
    StaffRole,
    StandIn,
    StoredFile,
    User,
)
from portal.services import audit, endorsements, jobs, materials, notices, packages, results
from portal.services.actors import actor_for
from portal.services.calendar import today
from portal.storage.local import LocalStorage
from tests import imaging
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    CommitteeOffice,
    Office,
    World,
    make_application,
    make_committee_rows,
    make_experts,
    make_org,
    make_user,
    make_world,
)


def _png() -> bytes:
    """A real, complete PNG: uploads are decoded in full, so magic bytes alone are refused."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@dataclass
class Tenant:
    """One bureau's whole tree and one object of every kind a route can name."""

    world: World
    office: Office  # the enterprise whose applications these are
    application: Application  # at the bureau: every level of the tenant can see it
    draft: Application
    certified: Application
    closed_notice: Notice
    draft_notice: Notice
    objection: Objection
    stand_in: StandIn
    notification: Notification
    transfer: AccountTransfer
    import_batch: ImportBatch
    window: PolicyWindow
    material: Material  # the draft's endorsed copy
    endorsement: Endorsement
    package_job: int  # a batch package job of the enterprise's handler
    staff_change: StaffChange  # the bureau admin's pending request to end the enterprise leader's role
    committee: CommitteeOffice  # a committee of the bureau, its office's staff and a scope row
    applicants: list[User] = field(default_factory=list)
    handoff_import: ResultImport | None = None  # a results spreadsheet the enterprise's handler uploaded
    meeting: Any = None  # a review meeting the committee's office planned, filed, the bureau accepted (22.4)
    certificate_import: Any = None  # the province's certificate sheet the bureau kept for that meeting
    call: Any = None  # a committee call (评审通知) drafted by the committee's office (issue 22.8)
    published_call: Any = None  # a call the office published (public: names no tenant's object)
    expert: Any = None  # an expert of the committee's pool, seated on the meeting's panel (their own page)
    registration: Any = None  # an account a person registered with the bureau, no unit attached (ACC-04)

    def roles(self) -> dict[str, tuple[User, int | None]]:
        """Every role of this tenant: (user, membership id to act in; None for an applicant)."""
        w, e = self.world, self.office
        return {
            "enterprise_handler": (e.handler, e.handler_membership.id),
            "enterprise_leader": (e.leader, e.leader_membership.id),
            "department_handler": (w.department.handler, w.department.handler_membership.id),
            "department_leader": (w.department.leader, w.department.leader_membership.id),
            "bureau_handler": (w.bureau.handler, w.bureau.handler_membership.id),
            "bureau_leader": (w.bureau.leader, w.bureau.leader_membership.id),
            "admin": (w.admin, w.admin_membership.id),
            "committee_handler": (self.committee.office.handler, self.committee.office.handler_membership.id),
            "committee_leader": (self.committee.office.leader, self.committee.office.leader_membership.id),
            **{f"applicant_{i}": (user, None) for i, user in enumerate(self.applicants)},
            # An expert holds no staff role: their own pages (我的评审会议, the meeting's) are their seats.
            **({"expert": (self.expert.user, None)} if self.expert is not None else {}),
        }


def make_tenant(
    session: Session, clock: Clock, storage: LocalStorage, world: World | None = None, sibling: bool = False
) -> Tenant:
    """A new tenant tree; or, with `sibling`, the objects of `world`'s other enterprise (same department
    and bureau: another tenant for enterprise staff and applicants only)."""
    world = world or make_world(session)
    office = world.other_enterprise if sibling else world.enterprise
    at_bureau = make_application(
        session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW], office=office
    )
    draft = make_application(session, world, clock.now, office=office)
    certified = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED], office=office)
    approved = make_application(
        session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED], office=office
    )
    closed = notices.entry_for_application(session, at_bureau.id)
    assert closed is not None
    draft_notice = notices.draft_notice(
        session,
        office.actor(StaffRole.HANDLER),
        notices.NoticeInput("公示", "一楼公示栏", "人事部 0797-1234567", "2026-09-29"),
        [approved.id],
        clock.now,
    )
    attachment = StoredFile(
        sha256=storage.put(PNG), size=len(PNG), media_type="image/png", display_name="证明.png"
    )
    session.add(attachment)
    session.flush()
    objection = Objection(
        notice_id=closed.notice_id,
        entry_id=closed.id,
        name="群众",
        contact="0797-0000000",
        text="学历存疑",
        attachment_id=attachment.id,
        created_at=clock.now,
    )
    substitute = make_user(session)
    stand_in = StandIn(
        membership_id=office.handler_membership.id,
        substitute_id=substitute.id,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 31),
        created_by_id=office.handler.id,
        created_at=clock.now,
    )
    notification = Notification(
        user_id=at_bureau.applicant_id, kind="test", text="测试通知", link="/me/applications"
    )
    session.add_all([objection, stand_in, notification])
    session.flush()
    # A third enterprise of the same tree receives the transfer, so no sibling-tenant actor is a party to it.
    receiver = make_org(session, OrgKind.ENTERPRISE, world.department.org)
    transfer = AccountTransfer(
        user_id=draft.applicant_id,
        from_org_id=office.org.id,
        to_org_id=receiver.id,
        requested_by_id=office.handler.id,
        requested_at=clock.now,
    )
    import_batch = ImportBatch(
        enterprise_id=office.org.id,
        file_id=attachment.id,
        created_by_id=office.handler.id,
        created_at=clock.now,
    )
    window = PolicyWindow(
        bureau_id=world.bureau.org.id,
        profile_id="ganzhou-2026",
        batch_id=f"t{office.org.id}",
        name="测试批次",
        levels="中级",
        opens=date(2027, 1, 1),
        closes=date(2027, 1, 31),
        citation="测试",
    )
    session.add_all([transfer, import_batch, window])
    session.flush()
    material = materials.upload_material(
        session,
        actor_for(draft.applicant, None),
        storage,
        draft.id,
        materials.UploadInput(slot="other", kind="copy"),
        [Part("copy.png", PNG)],
        clock.now,
    )
    endorsements.upload_seal(
        session, office.actor(StaffRole.LEADER), storage, imaging.seal(), "公章.png", clock.now
    )
    endorsement = endorsements.endorse_material(
        session,
        office.actor(StaffRole.HANDLER),
        storage,
        draft.id,
        material.id,
        clock.now,
        checked_original=True,
    )
    # A batch package job of the enterprise's handler, finished (as the worker would) with a result.
    started = packages.start_batch(session, office.actor(StaffRole.HANDLER), [at_bureau.id], clock.now)
    jobs.forget_pending(session)
    claimed = jobs.claim(session, started.id, clock.now)
    assert claimed is not None
    jobs.finish(session, claimed, clock.now, message="已打包 1 件", result_file_id=attachment.id,
                result_name="申报材料包-1件.zip")  # fmt: skip
    package_job = started.id
    staff_change = StaffChange(
        org_id=office.org.id,
        membership_id=office.leader_membership.id,
        status="pending",
        requested_by_id=world.admin.id,
        requested_at=clock.now,
    )
    session.add(staff_change)
    handoff_import = ResultImport(
        org_id=office.org.id, target="jx", file_id=attachment.id, digest="0" * 64,
        created_by_id=office.handler.id, created_at=clock.now,
    )  # fmt: skip
    session.add(handoff_import)
    session.flush()
    committee = make_committee_rows(session, world, clock.now)
    meeting = Meeting(
        committee_id=committee.committee.id, held_on=today(clock.now) + timedelta(days=60), place="会议室",
        filing_due=today(clock.now) + timedelta(days=30), filing_clause="003 六(一)",
        created_by_id=committee.office.handler.id, created_at=clock.now,
    )  # fmt: skip
    session.add(meeting)
    sheet = "姓名,身份证号,证书编号\n".encode()
    kept_sheet = StoredFile(
        sha256=storage.put(sheet), size=len(sheet), media_type="text/csv", display_name="证书编号.csv"
    )
    session.add(kept_sheet)
    session.flush()
    certificate_import = CertificateImport(
        meeting_id=meeting.id, file_id=kept_sheet.id, created_by_id=world.bureau.handler.id,
        created_at=clock.now,
    )  # fmt: skip
    session.add(certificate_import)
    call, published_call = (
        CommitteeCall(
            committee_id=committee.committee.id, title="评审通知", requirements="申报材料",
            citation="004 一(三)",
            intake_opens=today(clock.now) + timedelta(days=60),
            intake_closes=today(clock.now) + timedelta(days=90),
            created_by_id=committee.office.handler.id, created_at=clock.now, status=status,
            decided_at=clock.now if status == "published" else None,
            published_at=clock.now if status == "published" else None,
        )
        for status in ("draft", "published")
    )  # fmt: skip
    session.add_all([call, published_call])
    session.flush()
    expert = make_experts(session, committee, clock.now, 1)[0]
    expert.user.must_change_password = False  # their first password changed: the pages open
    session.add(PanelMember(meeting_id=meeting.id, expert_id=expert.id))  # /committees/panels/<meeting_id>
    # Filed by the office and accepted by the bureau: the expert's page of it opens only from then on
    # (votes.SEEN_BY_PANEL; the security suite's test_expert_meeting_page covers the states before).
    meeting.status = MeetingStatus.ACCEPTED.value
    meeting.filed_by_id, meeting.filed_at = committee.office.leader.id, clock.now
    meeting.filing_decided_by_id, meeting.filing_decided_at = world.bureau.handler.id, clock.now
    # A person's own registration with the bureau (ACC-04) that no unit attached: its admin may void it.
    registration = make_user(session, "自行注册人")
    registration.registered_with_id = world.bureau.org.id
    session.flush()
    audit.seal(session)  # as a commit would: the requests' own commits then chain only their own rows
    return Tenant(
        world,
        office,
        at_bureau,
        draft,
        certified,
        closed.notice,
        draft_notice,
        objection,
        stand_in,
        notification,
        transfer,
        import_batch,
        window,
        material,
        endorsement,
        package_job,
        staff_change,
        committee,
        applicants=[at_bureau.applicant, draft.applicant, certified.applicant],
        handoff_import=handoff_import,
        meeting=meeting,
        certificate_import=certificate_import,
        call=call,
        published_call=published_call,
        expert=expert,
        registration=registration,
    )


@pytest.fixture
def tight_limit(app: Flask) -> Iterator[None]:
    """The per-address limit (login, objections, certificate checks) at 3 an hour, counts reset. An hour,
    not a minute: the windows are fixed (portal/ratelimit.py), and a minute's boundary falling between a
    test's third and fourth request reset the count (seen once on a loaded machine: 422 for the fourth)."""
    previous = app.config["PORTAL_LOGIN_RATE_LIMIT"]
    app.config["PORTAL_LOGIN_RATE_LIMIT"] = "3 per hour"
    limiter.reset()
    yield
    app.config["PORTAL_LOGIN_RATE_LIMIT"] = previous
    limiter.reset()


@pytest.fixture
def storage(app: Flask, tmp_path: Any) -> Iterator[LocalStorage]:
    previous = app.config["PORTAL_STORAGE_DIR"]
    app.config["PORTAL_STORAGE_DIR"] = str(tmp_path / "files")
    yield LocalStorage(tmp_path / "files")
    app.config["PORTAL_STORAGE_DIR"] = previous


def store_where_the_app_reads(session: Session, storage: LocalStorage, *applications: Application) -> None:
    """The factories keep placeholder scans in the shared test store; this suite's app reads `storage`."""
    from tests.factories import STORAGE

    for application in applications:
        for material in materials.active_materials(session, application.id):
            for stored in [material.file] + [e.stamped_file for e in material.endorsements]:
                if not storage.exists(stored.sha256):
                    storage.put(STORAGE.get(stored.sha256))


@pytest.fixture
def tenants(session: Session, clock: Clock, storage: LocalStorage) -> tuple[Tenant, Tenant]:
    """(ours, theirs): the roles of the first act on the objects of the second."""
    return make_tenant(session, clock, storage), make_tenant(session, clock, storage)


@pytest.fixture
def running_notice(session: Session, tenants: tuple[Tenant, Tenant], clock: Clock) -> Notice:
    """A notice of the first tenant in its period: the public page takes objections (and attachments)."""
    world = tenants[0].world
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    notice = notices.draft_notice(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        notices.NoticeInput("公示", "一楼公示栏", "人事部 0797-1234567", "2026-09-28"),
        [application.id],
        clock.now,
    )
    notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)
    session.flush()
    return notice


@pytest.fixture
def published_meeting(session: Session, tenants: tuple[Tenant, Tenant], clock: Clock) -> Meeting:
    """The first tenant's meeting with its results published: the bureau's staff may then import the
    province's certificate numbers for it (证书编号导入, its page's upload form). Its vote, count and the
    office's confirmation are set by hand, as make_tenant files and accepts it; the bureau's leader
    publishes through the service (no application on its agenda: nothing else moves)."""
    ours = tenants[0]
    meeting = ours.meeting
    meeting.voting_opened_at = meeting.tallied_at = meeting.confirmed_at = clock.now
    meeting.confirmed_by_id = ours.committee.office.leader.id
    meeting.status = MeetingStatus.CONFIRMED.value
    session.flush()
    leader = ours.world.bureau.actor(StaffRole.LEADER)
    results.publish_results(session, leader, meeting.id, "测试〔2026〕1号", clock.now)
    audit.seal(session)
    assert meeting.state is MeetingStatus.PUBLISHED
    return meeting


@pytest.fixture
def clients(login_as: Callable[..., FlaskClient]) -> Callable[[Tenant], dict[str, FlaskClient]]:
    """clients(tenant) -> {role name: a client logged in in that role}; "anonymous" has no login."""

    def _make(tenant: Tenant) -> dict[str, FlaskClient]:
        made: dict[str, FlaskClient] = {}
        for name, (user, membership_id) in tenant.roles().items():
            made[name] = login_as(user, membership_id=membership_id if membership_id else 0)
        return made

    return _make


# Rows whose change is bookkeeping, not state: the session row's last-seen touch, and the audit trail of
# refused attempts and of reads (logging who viewed a file or a full ID number is what T-LOG wants).
def snapshot(session: Session) -> dict[str, str]:
    """A digest of every table's content (auth sessions and refused-attempt audit rows left out)."""
    session.expire_all()
    digests: dict[str, str] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in ("auth_sessions", "certificate_lookups"):  # lookups are logged by design (issue 8)
            continue
        stmt = select(table).order_by(*table.primary_key.columns)
        if table.name == "audit_events":
            stmt = stmt.where(
                AuditEvent.outcome == "ok",
                AuditEvent.action.not_like("view\\_%", escape="\\"),
                AuditEvent.action.not_like("export\\_%", escape="\\"),
            )
        rows = session.execute(stmt).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


ONE_DAY = timedelta(days=1)
