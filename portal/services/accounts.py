"""Applicant accounts held by an enterprise: open one (checked field by field as HR types, and again
on submit), show one (full identity numbers only to the holding enterprise's staff, audited), and
move one between enterprises (the new employer asks, the old one releases or refuses; history kept).

Rules: SCOPE-03 (documents and permits), SCOPE-04 (no civil servants, 参公 staff or retirees), SI-04
(identity exactly as the social-insurance record), one account per person (ACC-03: applicant accounts
are created by the applying unit; ACC-04, where the profile lets applicants register themselves: HR
opening an account for a registered, unattached number attach that account, the name exactly as it was
registered), PII masked except on the holding enterprise's detail view.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.accounts import (
    PASSPORT_FIELDS,
    AccountChange,
    AccountClauses,
    ApplicantDraft,
    CheckedApplicant,
    EmploymentType,
    PermitKind,
    account_clauses,
    check_account_change,
    check_applicant,
    normalize_name,
)
from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.i18n import N_, T_, Text
from portal.domain.identity import (
    DocumentType,
    IdentityError,
    document_login,
    mask_id_number,
    mask_mobile,
    normalize_document,
    normalize_mobile,
    resident_id_facts,
)
from portal.domain.mail import NoticeKind
from portal.domain.roster import RosterMatch
from portal.domain.text import LIMITS
from portal.domain.workflow import FINAL_STATUSES, Status, recommended_by_unit
from portal.models import (
    AccountTransfer,
    Application,
    AuthSession,
    Expert,
    IntegrityRecord,
    Organisation,
    OrgKind,
    TransferStatus,
    User,
)
from portal.services import audit, certificates, jobs, rosters
from portal.services.actors import Actor
from portal.services.auth import hash_initial_password, initial_password
from portal.services.compare_and_set import compare_and_set
from portal.services.notifications import notify
from portal.services.organisations import NewAccount, open_account, refuse_reset, reset_password
from portal.services.policies import bureau_of, effective_profile, profiles
from portal.services.scope import WITHOUT_LONG_TEXTS, visible_applications

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(now: datetime) -> date:
    """The calendar day in Shanghai at `now` (the day rules about accounts speak of)."""
    return now.astimezone(SHANGHAI).date()


def require_enterprise_staff(actor: Actor) -> None:
    """Refuse (PermissionDenied) anyone but an enterprise's handler or leader."""
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied(N_("只有用人单位的经办人或领导可以办理"))


@dataclass(frozen=True)
class Holder:
    """The account that already carries an identity number, as another enterprise may see it."""

    user_id: int
    enterprise_name: str
    masked_id: str
    open_transfer: AccountTransfer | None


@dataclass
class ApplicantCheck:
    checked: CheckedApplicant
    holder: Holder | None = None  # set when another enterprise holds the account (transfer possible)
    reuse: User | None = None  # set when the number is a self-registered account HR may attach (ACC-04)

    @property
    def problems(self) -> dict[str, str]:
        return self.checked.problems


class ApplicantInvalid(ValidationFailed):
    def __init__(self, check: ApplicantCheck) -> None:
        super().__init__(check.problems)
        self.check = check


PHONE_TAKEN = N_("该手机号已被其他账号使用，请填写本人的其他手机号")


def check_applicant_input(
    session: Session, actor: Actor, draft: ApplicantDraft, now: datetime
) -> ApplicantCheck:
    """Every field checked, plus one account per identity number and per phone across the system. The
    refusals cite the clauses of the enterprise's bureau's profile (`clauses_for`), none of another city's."""
    require_enterprise_staff(actor)
    result = ApplicantCheck(
        check_applicant(draft, today=local_date(now), clauses=clauses_for(session, actor))
    )
    problems = result.checked.problems
    id_number = result.checked.values.get("id_number")
    existing = session.scalars(select(User).where(User.id_number == id_number)).first() if id_number else None
    if existing is not None:
        masked = mask_id_number(existing.id_number)
        if existing.employer_id == actor.org_id:
            problems["id_number"] = T_(
                "证件号码%(number)s已是本单位的申报人（%(name)s），无需重复开设",
                number=masked,
                name=existing.name,
            )
        elif existing.employer is not None:
            problems["id_number"] = T_(
                "证件号码%(number)s已在“%(org)s”开设账号，一人只能有一个账号。"
                "如本人已调入本单位，请申请转入：原单位放行后，账号转到本单位，原有记录保留",
                number=masked,
                org=existing.employer.name,
            )
            result.holder = Holder(
                existing.id, existing.employer.name, masked, open_transfer_of(session, existing.id)
            )
        elif (registered := unattached_registration(session, existing)) and reuses_registered_accounts(
            session, actor
        ):
            # ACC-04: the person registered this account; HR attach it rather than open a second one,
            # only when the name is the one registered (an ID number alone does not hand an account over).
            result.reuse = existing
            name = result.checked.values.get("name")
            if name is not None and normalize_name(name) != normalize_name(existing.name):
                problems["name"] = T_(
                    "证件号码%(number)s的持有人已自行注册账号，但填写的姓名与其注册的姓名不一致，"
                    "不能关联该账号。请按本人证件上的姓名填写，或请本人核对注册信息",
                    number=masked,
                )
        elif registered:
            problems["id_number"] = T_(
                "证件号码%(number)s的持有人已自行注册账号；本地区的申报账号由用人单位开设，"
                "不能关联自行注册的账号，请联系人社局系统管理员办理",
                number=masked,
            )
        else:
            problems["id_number"] = T_(
                "证件号码%(number)s已有工作人员账号，一人只能有一个账号，请联系人社局系统管理员办理",
                number=masked,
            )
        if record := certificates.listed_holders(session, [existing.id], local_date(now)).get(existing.id):
            problems["id_number"] = T_(
                "%(listed)s%(problem)s",
                listed=listed_message(record, masked),
                problem=problems.get("id_number", ""),
            )
    phone = result.checked.values.get("phone")
    if phone:
        phone_owner = session.scalar(select(User.id).where(User.phone == phone))
        if phone_owner is not None and (existing is None or phone_owner != existing.id):
            problems["phone"] = PHONE_TAKEN
    return result


def unattached_registration(session: Session, user: User) -> bool:
    """A self-registered account no unit holds yet (ACC-04) and that nobody made staff or an expert since:
    an expert is not an applicant (the pool refuses applicants: 回避), and a staff account is not turned
    into one by HR; such an account is refused like any staff account."""
    return user.awaits_employer and not staff_or_expert(session, user)


def staff_or_expert(session: Session, user: User) -> bool:
    """Whether the account also holds an active staff role or is in a committee's expert pool: then it is
    not only an applicant's, and an enterprise's HR neither attach it (ACC-04) nor reset its password
    (an admin over every role it holds does: `staff.reset_staff_password`, `staff.reset_expert_password`)."""
    if user.active_memberships:
        return True
    return session.scalar(select(Expert.id).where(Expert.user_id == user.id).limit(1)) is not None


def clauses_for(session: Session, actor: Actor) -> AccountClauses:
    """What the profile of the actor's organisation's bureau cites for SCOPE-04 and SCOPE-03."""
    org = session.get(Organisation, actor.org_id) if actor.org_id else None
    return account_clauses(effective_profile(session, org))


def reuses_registered_accounts(session: Session, actor: Actor) -> bool:
    """Whether the actor's enterprise follows a profile where applicants register themselves (ACC-04), so
    its HR attach such an account instead of opening one."""
    bureau = bureau_of(session.get(Organisation, actor.org_id) if actor.org_id else None)
    profile = profiles().get(bureau.policy_profile or "") if bureau is not None else None
    return profile is not None and profile.allows_self_registration


def listed_message(record: IntegrityRecord, masked: str) -> Text:
    """Put first when the number belongs to someone on the integrity record (INT-01, INT-03)."""
    holder = T_("证件号码%(number)s的持有人", number=masked)
    return T_(
        "%(notice)s，在此之前不能为其开设账号或申报。", notice=certificates.integrity_notice(record, holder)
    )


def _identity_columns(checked: CheckedApplicant) -> dict[str, str]:
    values = checked.values
    columns = {"document_type": values["document_type"], "employment_type": values["employment_type"]}
    if checked.document_type is DocumentType.PASSPORT:
        columns.update({key: values[key] for key in PASSPORT_FIELDS})
    return columns


def create_applicant(session: Session, actor: Actor, draft: ApplicantDraft, now: datetime) -> NewAccount:
    """An applicant account held by the actor's enterprise, with a first password that must be changed.
    Refused (ApplicantInvalid, a message per field) on any bad field or an identity already registered,
    except an account its holder registered and no employer holds yet, under a profile that allows it
    (ACC-04): that account is attached to the actor's enterprise instead, with a new first password and
    the phone HR typed (see :func:`attach_registered`). A resident ID whose address code
    no GB/T 2260 list holds is opened only when HR confirm it from the physical card with a reason
    (audited as ``confirm_unknown_region``)."""
    result = check_applicant_input(session, actor, draft, now)
    if result.problems:
        raise ApplicantInvalid(result)
    if result.reuse is not None:
        return attach_registered(session, actor, result.reuse, result.checked, now)
    values = result.checked.values
    account = open_account(
        session,
        actor,
        values["name"],
        values["id_number"],
        values["phone"],
        now,
        employer_id=actor.org_id,
        identity=_identity_columns(result.checked),
    )
    audit.record(
        session,
        actor,
        "create_applicant",
        now,
        object_type="user",
        object_id=account.user.id,
        detail={"document_type": values["document_type"]},
    )
    if result.checked.region_reason:
        # GB 11643: the address code is a GB/T 2260 code; this one is in no list the portal holds, and
        # the HR clerk vouches for it from the card. Who, when and what they saw stay on the record.
        audit.record(
            session,
            actor,
            "confirm_unknown_region",
            now,
            object_type="user",
            object_id=account.user.id,
            reason=result.checked.region_reason,
            detail={"region_code": values["id_number"][:6]},
        )
    return account


def attach_registered(
    session: Session, actor: Actor, user: User, checked: CheckedApplicant, now: datetime
) -> NewAccount:
    """Attach a self-registered account to the actor's enterprise (ACC-04: existing accounts are reused),
    with the employment type HR state (SCOPE-04 checked with the rest of the form). The account is reused
    — its identity and history —, its credentials are not: a name, an ID number and a mobile are often
    known to others, and nothing verified who registered. So the login phone becomes the one the person
    gives HR in front of them, a new first password is made for HR to hand over in person (to be changed at
    first login), and every session of the account ends: whoever registered in someone else's name loses
    it here. A compare-and-set on "no employer yet": of two enterprises attaching at once, the second is
    told to refresh (StaleObject) and then sees whose it is."""
    password = initial_password()
    phone_changed = checked.values["phone"] != user.phone
    attached = session.execute(
        update(User)
        # Not voided meanwhile either: a voided account (the bureau admin's) is no one's to attach.
        .where(User.id == user.id, User.employer_id.is_(None), User.is_active.is_(True))
        .values(
            employer_id=actor.org_id,
            employment_type=checked.values["employment_type"],
            phone=checked.values["phone"],
            password_hash=hash_initial_password(password),
            must_change_password=True,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if attached != 1:
        session.refresh(user)
        if not user.is_active:  # the bureau's admin voided it meanwhile: its number is free again
            raise StaleObject(N_("该自行注册的账号刚被人社局作废，请刷新后为其开设账号"))
        raise StaleObject(N_("该账号刚被其他单位关联，请刷新后查看"))
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    session.refresh(user)
    audit.record(
        session,
        actor,
        "attach_registered_applicant",
        now,
        object_type="user",
        object_id=user.id,
        detail={
            "document_type": user.document_type,
            "registered_with_id": user.registered_with_id,
            "phone_changed": phone_changed,
            "password_reset": True,
        },
    )
    return NewAccount(user, password)


def not_hrs_to_change(
    session: Session, actor: Actor, user: User, *, own: str, shared: str, inactive: str
) -> DomainError | None:
    """Why an applicant's account is not the enterprise's HR's to correct, with the caller's words for each
    reason; None when it is. One's own account (``own``: the person's own pages are for that), an account
    that also holds an active staff role or sits in a committee's expert pool (``shared``: not only an
    applicant's, PermissionDenied), a voided one (``inactive``). The password reset refuses the same
    three, each audited with its code (`reset_applicant_password`)."""
    if user.id == actor.user_id:
        return PermissionDenied(own)
    if staff_or_expert(session, user):
        return PermissionDenied(shared)
    if not user.is_active:
        return DomainError(inactive, code="inactive_account")
    return None


def reset_applicant_password(session: Session, actor: Actor, user_id: int, now: datetime) -> NewAccount:
    """A forgotten password: the holding enterprise's HR (who may open accounts) give the applicant a new
    first password, to hand over in person as at opening (`organisations.reset_password`: generated,
    stored only as a hash, shown once, changed at the next login, every session ended, audited without
    the password).

    Refused (DomainError, audited as a denied ``reset_password`` before it is raised) for one's own
    account (the change-password page is for that), for an account that also holds an active staff role
    or sits in a committee's expert pool (such an account is not only an applicant's, so it is not HR's
    to take over: its admin resets it, `staff.reset_staff_password`), and for a voided one. An account
    this enterprise does not hold reads as not found."""
    user = get_applicant(session, actor, user_id)
    if user.id == actor.user_id:
        refuse_reset(
            session, actor, user.id, now, "own_account", N_("不能重置本人的密码，请在“修改密码”页修改")
        )
    if staff_or_expert(session, user):
        refuse_reset(
            session,
            actor,
            user.id,
            now,
            "staff_or_expert",
            N_("该账号同时是工作人员或评审专家的账号，不只用于申报，不能由用人单位重置密码"),
        )
    if not user.is_active:
        refuse_reset(session, actor, user.id, now, "inactive_account", N_("该账号已停用，不能重置密码"))
    return reset_password(session, actor, user, now)


# ---------------------------------------------------------------------------------------------------
# Correcting an account's details
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountEditing:
    """What the applicant's page offers for correcting the account (the page shows it, decides nothing)."""

    refusal: str = ""  # why HR may not correct this account at all; "" when they may
    name_refusal: str = ""  # why the name stays as it is (a case the unit put its name to, a certificate)
    in_unit: int = 0  # cases still with the unit or the applicant: their pages show the corrected name


@dataclass(frozen=True)
class AccountUpdate:
    """What a correction changed: field → (before, after), the mobile masked."""

    user: User
    changes: dict[str, tuple[str, str]]


def _editing_refusal(session: Session, actor: Actor, user: User) -> DomainError | None:
    """Why HR may not correct this account at all, as the reset refuses it; None when they may."""
    return not_hrs_to_change(
        session,
        actor,
        user,
        own=N_("不能在此修改本人的账号信息"),
        shared=N_("该账号同时是工作人员或评审专家的账号，不只用于申报，不能由用人单位修改账号信息"),
        inactive=N_("该账号已停用，不能修改账号信息"),
    )


def account_editing(session: Session, actor: Actor, user: User, *, lock: bool = False) -> AccountEditing:
    """Whether and what HR may correct on `user`'s account. The name is not stored with an application:
    every case, notice, package and certificate shows the account's name as it is now. So the name is
    fixed while a case the unit has approved, noticed or sent up is in progress (the unit's notice, the
    department and the bureau have this name on record; once the case ends it may be corrected) and once
    a certificate was issued under it (a certificate's holder is the bureau's to correct, not HR's).

    With ``lock`` (the correction itself, about to write) the person's applications are read FOR UPDATE
    and stay locked until the transaction ends: a move of one of them (every move is an UPDATE of its
    row, `transitions`) made meanwhile is waited for and then seen, and one made after waits for the
    correction's commit, so the name is never changed under a case the unit has just recommended. A
    worker storing a batch or hand-off ZIP takes the same lock to check the names it wrote
    (`jobs.names_gone_stale`). SQLite ignores it: every transaction there is BEGIN IMMEDIATE, so writers
    already take turns."""
    refused = _editing_refusal(session, actor, user)
    if refused is not None:
        return AccountEditing(refusal=refused.message)
    query = (
        select(Application.status, Application.reached_level)
        .where(Application.applicant_id == user.id)
        .order_by(Application.id)  # the order a job storing a result locks them in (`jobs.names_gone_stale`)
    )
    cases = session.execute(query.with_for_update() if lock else query).all()
    states = [(Status(status), reached) for status, reached in cases]
    name_refusal = ""
    if any(state is Status.CERTIFIED for state, _ in states):
        name_refusal = N_("已按此姓名颁发职称证书，姓名不能在此修改；证书上的姓名如有误，请联系发证的人社局")
    elif held := next(
        (s for s, reached in states if not s.is_final and recommended_by_unit(s, reached)), None
    ):
        name_refusal = T_(
            "本人有申报已经本单位签批推荐（%(state)s），公示和报送材料均以此姓名为准，该申报办结前姓名不能修改",
            state=held.title,
        )
    in_unit = sum(1 for s, reached in states if not s.is_final and not recommended_by_unit(s, reached))
    return AccountEditing(name_refusal=name_refusal, in_unit=in_unit)


def update_applicant_account(
    session: Session, actor: Actor, user_id: int, change: AccountChange, now: datetime
) -> AccountUpdate:
    """Correct the name or login mobile HR typed when they opened the account (a typo the roster's
    姓名不一致 shows, a changed number), checked by the opening form's own rules. The holding enterprise's
    handler or leader only (another enterprise's applicant reads as not found); refused as
    :func:`account_editing` says (PermissionDenied for one's own account and for staff or experts, a
    DomainError for a voided one; the name, as a field error, while a case the unit recommended is in
    progress or a certificate names it). Nothing typed differs: refused (``unchanged``). Audited as
    ``update_account`` with each changed field's before and after (the mobile masked, as it is shown)."""
    user = get_applicant(session, actor, user_id)
    refused = _editing_refusal(session, actor, user)
    if refused is not None:
        raise refused
    checked = check_account_change(change)
    problems = dict(checked.problems)
    name, phone = checked.values.get("name"), checked.values.get("phone")
    changes: dict[str, tuple[str, str]] = {}
    if name is not None and name != user.name:
        # Checked under the lock of the person's applications, held until this correction commits: a
        # case recommended at the same instant is either seen here or waits until the name is written.
        if name_refusal := account_editing(session, actor, user, lock=True).name_refusal:
            problems["name"] = name_refusal
        changes["name"] = (user.name, name)
    if phone is not None and phone != user.phone:
        if session.scalar(select(User.id).where(User.phone == phone)) is not None:
            problems["phone"] = PHONE_TAKEN
        changes["phone"] = (mask_mobile(user.phone), mask_mobile(phone))
    if problems:
        raise ValidationFailed(problems)
    if not changes:
        raise DomainError(N_("没有修改：填写的姓名和手机号与账号现有的相同"), code="unchanged")
    try:
        with session.begin_nested():  # another account taking the mobile meanwhile meets the unique index
            if name is not None:
                user.name = name
            if phone is not None:
                user.phone = phone
            session.flush()
    except IntegrityError:
        session.refresh(user)
        raise ValidationFailed({"phone": PHONE_TAKEN}) from None
    detail: dict[str, object] = {
        "changed": {key: {"before": was, "after": to} for key, (was, to) in changes.items()}
    }
    if "name" in changes:
        # Every document is made from the account's name when it is downloaded, except a ZIP a worker
        # already made and keeps for a day: withdrawn, so nobody downloads the old name from it.
        cases = set(session.scalars(select(Application.id).where(Application.applicant_id == user.id)))
        if withdrawn := jobs.withdraw_results_naming(session, cases, now):
            detail["withdrawn_batches"] = withdrawn
    audit.record(session, actor, "update_account", now, object_type="user", object_id=user.id, detail=detail)
    _tell_the_holder(session, actor, user, changes, now)
    return AccountUpdate(user, changes)


# What the holder of an account HR corrected is told (`_tell_the_holder`).
MOBILE_CHANGED = N_(
    "账号安全提醒：%(unit)s的%(actor)s于%(at)s将您的登录手机号由%(old_phone)s改为%(new_phone)s，"
    "今后请用新手机号登录。如果这不是您本人要求的修改，请立即与%(unit)s人事部门联系，或向当地人社局反映。"
)
MOBILE_AND_NAME_CHANGED = N_(
    "账号安全提醒：%(unit)s的%(actor)s于%(at)s将您的登录手机号由%(old_phone)s改为%(new_phone)s，"
    "姓名由“%(old_name)s”更正为“%(new_name)s”，今后请用新手机号登录。"
    "如果这不是您本人要求的修改，请立即与%(unit)s人事部门联系，或向当地人社局反映。"
)
NAME_CHANGED = N_(
    "%(unit)s的%(actor)s于%(at)s将您账号的姓名由“%(old_name)s”更正为“%(new_name)s”。"
    "如有疑问，请与%(unit)s人事部门联系。"
)


def _tell_the_holder(
    session: Session, actor: Actor, user: User, changes: dict[str, tuple[str, str]], now: datetime
) -> None:
    """The account's holder hears that their unit's HR changed it: who, which unit, when, what (the mobile
    masked, as the audit keeps it), and what to do if they did not ask for it. A security notice
    (NoticeKind.ACCOUNT_CHANGED), so it is mailed to their verified address whatever topics they switched
    off; the address itself is not something HR change, so it still reaches the person."""
    who = {"unit": user.employer.name if user.employer else "", "actor": actor.name, "at": now}
    names = dict(zip(("old_name", "new_name"), changes["name"], strict=True)) if "name" in changes else {}
    if "phone" in changes:
        # A new login: told in full, with what to do if they did not ask for it.
        old_phone, new_phone = changes["phone"]
        template = MOBILE_AND_NAME_CHANGED if names else MOBILE_CHANGED
        message = T_(template, old_phone=old_phone, new_phone=new_phone, **names, **who)
    else:
        # The name alone: the login is unchanged, so a lighter word; still the person's own name.
        message = T_(NAME_CHANGED, **names, **who)
    notify(session, [user.id], NoticeKind.ACCOUNT_CHANGED, message, "/inbox", now)


# ---------------------------------------------------------------------------------------------------
# Lists and the detail view
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantRow:
    user: User
    document_title: str
    roster: RosterMatch


def _rows_of(session: Session, actor: Actor, users: list[User]) -> list[ApplicantRow]:
    """Each account with its social-insurance badge: one read of the roster for all of them."""
    matches = rosters.matches_for(session, actor.org_id or 0, users)
    return [ApplicantRow(u, DocumentType(u.document_type).title, matches[u.id]) for u in users]


# Accounts on a page of the enterprise's list: a large employer holds hundreds (a 300-person enterprise's
# list was 140 KB at province scale, bench/README.md), and the badge of each is a roster lookup.
APPLICANTS_PAGE_SIZE = 100


@dataclass(frozen=True)
class ApplicantPage:
    """One page of the enterprise's accounts, the latest opened first (whom HR is about to start an
    application for: on the first page, not the last), and how many it holds."""

    rows: list[ApplicantRow]
    total: int
    after: int | None = None  # the last account of the page before (None on the first)
    next_after: int | None = None  # where the next page starts (None on the last)


def _found_by(search: str) -> ColumnElement[bool]:
    """The accounts a search finds: a name containing what was typed (part of it is enough), or an
    identity number or mobile typed whole, in any of the ways the account form accepts them (lowercase x,
    full-width digits, spaces, +86)."""
    words = " ".join(search.split())
    found = [User.name.icontains(words, autoescape=True), User.id_number == document_login(search)]
    with contextlib.suppress(IdentityError):  # not a mobile number: the name or the identity number only
        found.append(User.phone == normalize_mobile(search))
    return or_(*found)


def applicant_page(
    session: Session, actor: Actor, after: int | None = None, search: str = ""
) -> ApplicantPage:
    """The page of the enterprise's applicants after the account ``after``, newest first (keyset on the
    id: an index range of the employer's accounts), with the count of all of them; with ``search``, of
    those it finds (:func:`_found_by`)."""
    require_enterprise_staff(actor)
    mine = select(User).where(User.employer_id == actor.org_id)
    if search.strip():
        mine = mine.where(_found_by(search.strip()))
    total = session.scalar(mine.with_only_columns(func.count()).order_by(None)) or 0
    page = mine if after is None else mine.where(User.id < after)
    found = list(session.scalars(page.order_by(User.id.desc()).limit(APPLICANTS_PAGE_SIZE + 1)))
    users = found[:APPLICANTS_PAGE_SIZE]
    following = users[-1].id if len(found) > APPLICANTS_PAGE_SIZE else None
    return ApplicantPage(_rows_of(session, actor, users), total, after, following)


@dataclass(frozen=True)
class ApplicantDetail:
    user: User
    document_title: str
    number_label: str  # 护照号码 / "Passport number": the page knows which document the number is of
    employment_title: str
    permit_title: str
    birth_date: date | None
    sex: str
    roster: RosterMatch
    transfers: list[AccountTransfer]
    editing: AccountEditing
    # The person's applications this enterprise holds, newest first: a draft HR started is reached from
    # here (the queues list only submitted cases), and the page links each to its case.
    applications: list[Application]


def get_applicant(session: Session, actor: Actor, user_id: int) -> User:
    """An applicant of the actor's enterprise; any other id reads as not found."""
    require_enterprise_staff(actor)
    user = session.get(User, user_id)
    if user is None or user.employer_id != actor.org_id:
        raise NotFound(N_("找不到该申报人，或其账号不在本单位"))
    return user


def show_applicant(
    session: Session, actor: Actor, user_id: int, now: datetime, *, reveal: bool = False
) -> ApplicantDetail:
    """The record, for the holding enterprise's staff only. The page masks the identity numbers; with
    `reveal` (a POST: the staff member asks for them) the full numbers are shown and the view is
    audited in the same transaction, so no full number is shown unrecorded."""
    user = get_applicant(session, actor, user_id)
    kind = DocumentType(user.document_type)
    birth, sex = None, ""
    if kind in (DocumentType.RESIDENT_ID, DocumentType.HMT_RESIDENCE_PERMIT):
        facts = resident_id_facts(user.id_number)
        birth, sex = facts.birth_date, facts.sex
    if reveal:
        audit.record(
            session,
            actor,
            "view_identity",
            now,
            object_type="user",
            object_id=user.id,
            detail={"fields": ["id_number", "phone"]},
        )
    transfers = list(
        session.scalars(
            select(AccountTransfer)
            .where(AccountTransfer.user_id == user.id)
            .order_by(AccountTransfer.id.desc())
        )
    )
    return ApplicantDetail(
        user=user,
        document_title=kind.title,
        number_label=kind.number_label,
        employment_title=EmploymentType(user.employment_type).title if user.employment_type else N_("未登记"),
        permit_title=PermitKind(user.permit_kind).title if user.permit_kind else "",
        birth_date=birth,
        sex=sex,
        roster=rosters.matches_for(session, actor.org_id or 0, [user])[user.id],
        transfers=transfers,
        editing=account_editing(session, actor, user),
        applications=list(
            session.scalars(
                visible_applications(actor)
                .where(Application.applicant_id == user.id)
                .order_by(Application.id.desc())
                .options(*WITHOUT_LONG_TEXTS)
            )
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Transfers between enterprises
# ---------------------------------------------------------------------------------------------------


def open_transfer_of(session: Session, user_id: int) -> AccountTransfer | None:
    """The account's transfer request still awaiting the releasing enterprise, if any (at most one)."""
    return session.scalars(
        select(AccountTransfer).where(
            AccountTransfer.user_id == user_id, AccountTransfer.status == TransferStatus.REQUESTED.value
        )
    ).first()


def request_transfer(session: Session, actor: Actor, draft: ApplicantDraft, now: datetime) -> AccountTransfer:
    """The new employer asks to take over an account another enterprise holds. Whoever asks must know
    the full identity number and the name on it (so accounts cannot be fished for by number)."""
    require_enterprise_staff(actor)
    try:
        number = normalize_document(
            draft.document_type or DocumentType.RESIDENT_ID.value,
            draft.id_number,
            nationality=draft.nationality or "XXX",
            today=local_date(now),
            region_confirmed=True,  # finds an existing account: its number was checked when it was opened
        )
    except IdentityError as problem:
        raise ValidationFailed({"id_number": problem.message}) from None
    except ValueError:  # a document type the form does not offer (Python's own words are no message)
        raise ValidationFailed({"document_type": N_("请选择证件类型")}) from None
    user = session.scalars(select(User).where(User.id_number == number)).first()
    if user is None or user.employer_id is None or user.employer_id == actor.org_id:
        raise ValidationFailed({"id_number": N_("没有其他单位持有该证件号码的申报人账号，可直接开设账号")})
    if normalize_name(draft.name) != normalize_name(user.name):
        raise ValidationFailed({"name": N_("姓名与该证件号码账号登记的姓名不一致，请核对后再申请转入")})
    if open_transfer_of(session, user.id) is not None:
        raise ValidationFailed({"id_number": N_("该账号已有转入申请在办理中，请等待原单位处理")})
    transfer = AccountTransfer(
        user_id=user.id,
        from_org_id=user.employer_id,
        to_org_id=actor.org_id,
        status=TransferStatus.REQUESTED.value,
        requested_by_id=actor.user_id,
        requested_at=now,
    )
    try:
        with session.begin_nested():  # two enterprises asking at once meet the one-open-request index
            session.add(transfer)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"id_number": N_("该账号已有转入申请在办理中，请等待原单位处理")}) from None
    audit.record(
        session,
        actor,
        "request_transfer",
        now,
        object_type="user",
        object_id=user.id,
        detail={"transfer_id": transfer.id, "from_org_id": user.employer_id, "to_org_id": actor.org_id},
    )
    return transfer


def transfers_of(session: Session, actor: Actor) -> tuple[list[AccountTransfer], list[AccountTransfer]]:
    """(requests this enterprise made, requests for this enterprise's applicants), newest first."""
    require_enterprise_staff(actor)
    stmt = select(AccountTransfer).order_by(AccountTransfer.id.desc())
    incoming = list(session.scalars(stmt.where(AccountTransfer.to_org_id == actor.org_id)))
    outgoing = list(session.scalars(stmt.where(AccountTransfer.from_org_id == actor.org_id)))
    return incoming, outgoing


def open_outgoing_count(session: Session, actor: Actor) -> int:
    """How many transfer requests wait for the actor's enterprise to release an account."""
    return len(
        list(
            session.scalars(
                select(AccountTransfer.id).where(
                    AccountTransfer.from_org_id == actor.org_id,
                    AccountTransfer.status == TransferStatus.REQUESTED.value,
                )
            )
        )
    )


def _decide(
    session: Session,
    actor: Actor,
    transfer_id: int,
    to: TransferStatus,
    now: datetime,
    note: str,
    *,
    side: str,
) -> AccountTransfer:
    require_enterprise_staff(actor)
    transfer = session.get(AccountTransfer, transfer_id)
    org_id = (transfer.from_org_id if side == "from" else transfer.to_org_id) if transfer else None
    if transfer is None or org_id != actor.org_id:
        raise NotFound(N_("找不到该转入申请"))
    if transfer.state is not TransferStatus.REQUESTED:
        raise StaleObject(T_("该申请已%(state)s，请刷新", state=transfer.state.title))
    compare_and_set(
        session,
        transfer,
        [TransferStatus.REQUESTED],
        versioned=False,
        status=to.value,
        decided_by_id=actor.user_id,
        decided_at=now,
        decision_note=note.strip(),
    )
    return transfer


def release_transfer(session: Session, actor: Actor, transfer_id: int, now: datetime) -> AccountTransfer:
    """The old employer lets the account go: it moves to the requesting enterprise. Refused while the
    applicant has an application in progress here (finish or withdraw it first)."""
    transfer = session.get(AccountTransfer, transfer_id)
    if transfer is not None and transfer.from_org_id == actor.org_id:
        active = session.scalars(
            select(Application).where(
                Application.applicant_id == transfer.user_id,
                Application.enterprise_id == actor.org_id,
                Application.status.not_in([s.value for s in FINAL_STATUSES]),
            )
        ).first()
        if active is not None:
            raise DomainError(
                T_(
                    "该申报人在本单位有进行中的申报（%(state)s），请先办结或由申报人撤回后再放行",
                    state=active.state.title,
                ),
                code="active_application",
            )
    transfer = _decide(session, actor, transfer_id, TransferStatus.COMPLETED, now, "", side="from")
    user = transfer.user
    user.employer_id = transfer.to_org_id
    session.flush()
    audit.record(
        session,
        actor,
        "release_transfer",
        now,
        object_type="user",
        object_id=user.id,
        detail={
            "transfer_id": transfer.id,
            "from_org_id": transfer.from_org_id,
            "to_org_id": transfer.to_org_id,
        },
    )
    return transfer


def refuse_transfer(
    session: Session, actor: Actor, transfer_id: int, note: str, now: datetime
) -> AccountTransfer:
    """The old employer says no, with a reason the requesting enterprise sees."""
    require_enterprise_staff(actor)
    held = session.get(AccountTransfer, transfer_id)
    if held is None or held.from_org_id != actor.org_id:
        raise NotFound(N_("找不到该转入申请"))  # before any form check: another tenant's id reads as missing
    if not note.strip():
        raise ValidationFailed({"note": N_("请填写不同意转出的原因")})
    if len(note.strip()) > LIMITS["transfer_note"]:
        raise ValidationFailed(
            {
                "note": T_(
                    "原因不能超过%(limit)s字（现有%(count)s字）",
                    limit=LIMITS["transfer_note"],
                    count=len(note.strip()),
                )
            }
        )
    transfer = _decide(session, actor, transfer_id, TransferStatus.REFUSED, now, note, side="from")
    audit.record(
        session,
        actor,
        "refuse_transfer",
        now,
        object_type="user",
        object_id=transfer.user_id,
        reason=note.strip(),
    )
    return transfer


def cancel_transfer(session: Session, actor: Actor, transfer_id: int, now: datetime) -> AccountTransfer:
    """The requesting enterprise withdraws its request."""
    transfer = _decide(session, actor, transfer_id, TransferStatus.CANCELLED, now, "", side="to")
    audit.record(session, actor, "cancel_transfer", now, object_type="user", object_id=transfer.user_id)
    return transfer
