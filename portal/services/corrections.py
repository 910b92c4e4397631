"""Returns for correction, listed once (一次性告知): the reviewer ticks every affected part with its reason
and sets a deadline; the applicant sees one complete list and may change only those parts; resubmission
goes back to the reviewer who returned it; a missed deadline abandons the application (视为放弃申报).

Rules: 003 五(二), 004 一(四), REV-03 (what the portal says cites the clause of the bureau's own profile,
`correction_clause`: none where its notice does not state the rule). Transitions caused: review statuses
→ returned (RETURN), returned → abandoned (ABANDON, by the scheduled job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.domain import corrections as rules
from portal.domain import form as rules_form
from portal.domain import materials as rules_materials
from portal.domain.dates import read_day
from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_, NT_, T_, Clause, Text, joined
from portal.domain.materials import slot_title
from portal.domain.policy import PolicyProfile, Threshold
from portal.domain.workdays import UnknownYear
from portal.domain.workflow import Action, Level, Status, holder
from portal.models import Application, Correction, CorrectionItem, CorrectionStatus, Material
from portal.services import audit, transitions
from portal.services.actors import SYSTEM, Actor
from portal.services.calendar import SHANGHAI, today, work_calendar
from portal.services.notifications import notify
from portal.services.policies import effective_profile
from portal.services.scope import get_application

DEFAULT_WORKDAYS = 10  # the deadline offered by default; the reviewer may choose another
WARN_WORKDAYS = 3


def clause_under(profile: PolicyProfile | None) -> str:
    """The clause of REV-03 (一次性告知; not corrected in time = given up) in ``profile``: Zhenjiang's
    003 五(二), Dongchuan's 004 一(四); "" where the profile's notice does not state it (Ganzhou, Nantong)
    or the bureau follows no profile. Never another city's clause."""
    rule = profile.workflow.corrections if profile is not None else None
    return rule.citation if rule is not None else ""


def correction_clause(session: Session, application: Application) -> str:
    """`clause_under` the profile of the application's bureau."""
    return clause_under(effective_profile(session, application.bureau))


def snapshot(session: Session, application: Application) -> dict[str, Any]:
    """The 申报表 as shown to reviewers, field by field and row by row: kept with a return to show what
    changed after it."""
    from portal.services import forms

    return rules_form.snapshot_of(forms.flat_of(application), list(forms.rows_of(session, application.id)))


def default_deadline(session: Session, now: datetime) -> date:
    """The default correction deadline: 10 working days from today (two weeks when the calendar lacks the
    year)."""
    try:
        return work_calendar(session).add_workdays(today(now), DEFAULT_WORKDAYS)
    except UnknownYear:
        return today(now) + timedelta(days=14)  # the reviewer sees and may change it


@dataclass(frozen=True)
class ReturnInput:
    items: dict[str, str]  # section key -> reason
    deadline: str
    # REV-03: the reviewer ticked 确认补充告知, adding items an earlier return could have listed.
    confirm_belated: bool = False
    # Items whose reason box holds text but which were not ticked: the reviewer wrote why and forgot the
    # tick. Refused rather than dropped, or the return would go without the item they meant to name.
    unticked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Belated:
    """REV-03: the items of a return the organisation's earlier return could have listed (unchanged since),
    with that return; the reviewer is warned and confirms before such a return goes."""

    earlier: Correction
    keys: list[str]
    titles: list[str]
    clause: str = ""  # REV-03's clause in the bureau's profile ("" where its notice does not state it)

    def warning(self) -> str:
        """The warning the reviewer reads on the return's form (its confirm field), citing the bureau's
        own clause of the rule, if any."""
        day, listed = today(self.earlier.requested_at), joined(self.titles)
        if not self.clause:
            return T_(
                "以下事项自%(day)s的上次退回以来未作修改，当时即可一并告知：%(listed)s。退回补正应一次性告知，"
                "再次退回原则上不应增加上次可以列明的事项；确需补充告知的，请勾选“确认补充告知”后再退回",
                day=day,
                listed=listed,
            )
        return T_(
            "以下事项自%(day)s的上次退回以来未作修改，当时即可一并告知：%(listed)s。退回补正应一次性告知"
            "（%(clause)s），再次退回原则上不应增加上次可以列明的事项；确需补充告知的，"
            "请勾选“确认补充告知”后再退回",
            day=day,
            listed=listed,
            clause=Clause(self.clause),
        )


def _changed_since(session: Session, application: Application, correction: Correction) -> list[str]:
    """The keys changed since a return: each field and row of the 申报表, and each material slot whose
    files were uploaded or removed after it (material:<slot>)."""
    fields = [c.field for c in rules.changes(correction.snapshot, snapshot(session, application))]
    since = correction.requested_at
    slots = session.scalars(
        select(Material.slot).where(
            Material.application_id == application.id,
            or_(Material.uploaded_at > since, Material.removed_at > since),
        )
    )
    return fields + [f"material:{slot}" for slot in dict.fromkeys(slots)]


def belated_items(
    session: Session, actor: Actor, application: Application, keys: list[str]
) -> Belated | None:
    """REV-03 (一次性告知): which of the items a return would name the actor's organisation could already
    have listed in its previous return of this application: on offer then (Correction.offered), not named
    then and unchanged since (portal.domain.corrections.belated). None when there is no earlier return by
    this organisation or every item is a fair new finding. Another organisation's return does not count:
    it was not theirs."""
    if actor.org_id is None:
        return None
    earlier = session.scalars(
        select(Correction)
        .where(Correction.application_id == application.id, Correction.org_id == actor.org_id)
        .order_by(Correction.id.desc())
    ).first()
    if earlier is None:
        return None
    found = rules.belated(
        keys,
        [item.section for item in earlier.items],
        _changed_since(session, application, earlier),
        earlier.offered,
    )
    if not found:
        return None
    titles = item_titles(session, application)
    return Belated(
        earlier,
        found,
        [titles.get(key) or rules.key_title(key) for key in found],
        correction_clause(session, application),
    )


def return_for_correction(
    session: Session,
    actor: Actor,
    application_id: int,
    data: ReturnInput,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Correction:
    """Return with every item listed at once and a deadline; the applicant is told the whole list."""
    application = get_application(session, actor, application_id)
    errors: dict[str, str] = {}
    items = {key: reason.strip() for key, reason in data.items.items() if rules.valid_key(key)}
    titles = item_titles(session, application)
    if not items:
        errors["items"] = N_("请勾选需要补正的部分，并逐项写明原因（一次性告知）")
    for key, reason in items.items():
        if not reason:
            errors[f"reason_{key}"] = T_(
                "请写明“%(title)s”需要补正的原因", title=titles.get(key) or rules.key_title(key)
            )
        elif len(reason) > 500:
            errors[f"reason_{key}"] = N_("原因不能超过500字")
    for key in data.unticked:
        if rules.valid_key(key) and key not in items:
            errors[f"reason_{key}"] = T_(
                "“%(title)s”写了原因但没有勾选：请勾选它一并退回，或清空原因",
                title=titles.get(key) or rules.key_title(key),
            )
    deadline, problem = read_day(data.deadline, N_("请填写补正截止日期，例如 2026-10-20"))
    if deadline is None:
        errors["deadline"] = problem
    elif deadline <= today(now):
        errors["deadline"] = N_("补正截止日期须晚于今天")
    elif deadline > today(now) + timedelta(days=90):
        errors["deadline"] = N_("补正截止日期不能晚于90天之后")
    # REV-03: a later return adding what the earlier one could have listed is discouraged, not forbidden:
    # the reviewer is shown those items and goes on only by ticking 确认补充告知.
    belated = belated_items(session, actor, application, list(items)) if items else None
    if belated is not None and not data.confirm_belated:
        errors["confirm_belated"] = belated.warning()
    if errors:
        raise ValidationFailed(errors)
    assert deadline is not None
    # The history's note is a message kept with its msgid and parameters (audit's reason_record), so each
    # reader reads it in their language; the reasons stay as the reviewer typed them. Its Chinese text is
    # the note as it always read: notes stored before stay as written (the audit trail is append-only).
    listed = [
        T_("%(title)s：%(reason)s", title=titles.get(key) or rules.key_title(key), reason=reason)
        for key, reason in items.items()
    ]
    note = T_("%(items)s（请于%(day)s前补正）", items=joined(listed, "；"), day=deadline)
    before = snapshot(session, application)
    # REV-03: what this return could name now, so a later one is warned only about what it could have listed.
    offered = [choice.key for choice in return_choices(session, application)]
    counted = holder(application.state) is not Level.ENTERPRISE  # 004 一(四): counted after unit approval
    returned = transitions.apply(
        session,
        actor,
        application,
        Action.RETURN,
        now,
        expected_version=expected_version,
        reason=note,
    )
    correction = Correction(
        application_id=returned.id,
        requested_by_id=actor.user_id,
        org_id=actor.org_id,
        requested_at=now,
        deadline=deadline,
        status=CorrectionStatus.OPEN.value,
        snapshot=before,
        offered=offered,
        counted=counted,
    )
    session.add(correction)
    session.flush()
    for key, reason in items.items():
        session.add(CorrectionItem(correction_id=correction.id, section=key, reason=reason))
    audit.record(
        session,
        actor,
        "correction_listed",
        now,
        object_type="application",
        object_id=returned.id,
        detail={
            "correction_id": correction.id,
            "sections": list(items),
            "deadline": deadline.isoformat(),
            # REV-03: items the earlier return could have listed, sent on the reviewer's confirmation.
            **({"belated": belated.keys, "earlier_correction_id": belated.earlier.id} if belated else {}),
        },
    )
    session.flush()
    limit = return_limit(session, returned)
    if counted and limit is not None and returned.counted_returns >= limit.value:
        transitions.apply(
            session,
            SYSTEM,
            returned,
            Action.REJECT,
            now,
            # A message, not its Chinese text: the history and the applicant's inbox read it in the
            # reader's language, the clause included.
            reason=T_(
                "单位推荐后已退回%(count)s次，达到上限（%(clause)s），本年度不再受理该申报人的申报",
                count=returned.counted_returns,
                clause=Clause(limit.citation),
            ),
        )
        correction.status, correction.closed_at = CorrectionStatus.CLOSED.value, now
        session.flush()
    return correction


def open_correction(session: Session, application_id: int) -> Correction | None:
    """The application's correction request still waiting for the applicant, if any."""
    return session.scalars(
        select(Correction)
        .where(Correction.application_id == application_id, Correction.status == CorrectionStatus.OPEN.value)
        .order_by(Correction.id.desc())
    ).first()


def latest_correction(session: Session, application_id: int) -> Correction | None:
    """The application's most recent correction request of any status, if any."""
    return session.scalars(
        select(Correction).where(Correction.application_id == application_id).order_by(Correction.id.desc())
    ).first()


def return_choices(session: Session, application: Application) -> list[rules.Choice]:
    """What a return may name on this application, in form order: each section and, under it, each of
    its rows; the flat parts; then each material slot of its checklist (issue 21.4)."""
    from portal.services import forms, materials

    found: list[rules.Choice] = []
    rows = forms.rows_of(session, application.id)
    for choice in rules.section_choices():
        found.append(choice)
        for row in rows:
            if row.section.value == choice.key:
                found.append(
                    rules.Choice(
                        rules.row_key(row.section, row.id),
                        T_("%(section)s：%(row)s", section=row.spec.title, row=row.label),
                        choice.key,
                        1,
                    )
                )
    for slot in rules_materials.slots_for(materials.facts_of(session, application)):
        if slot.source is rules_materials.Source.UPLOAD:
            found.append(rules.Choice(slot.section_key, T_("材料：%(slot)s", slot=slot.title), "materials"))
    return found


def item_titles(session: Session, application: Application) -> dict[str, str]:
    """Titles of every key a return of this application names or may name: its rows and slots now, and
    the rows named by earlier returns (from their snapshots) that have been deleted since."""
    titles = {c.key: c.title for c in return_choices(session, application)}
    for correction in history(session, application.id):
        for row in (correction.snapshot or {}).get("rows", []) or []:
            key = rules.row_key(row["section"], row["id"])
            if key not in titles and row["section"] in rules_form.SECTION_BY_KEY:
                titles[key] = T_(
                    "%(section)s：%(row)s",
                    section=rules_form.SECTION_BY_KEY[row["section"]].title,
                    row=row["label"],
                )
    return titles


RESPONSE_MAX = 500


def untouched_items(
    session: Session, application: Application, correction: Correction
) -> list[CorrectionItem]:
    """The items of a return the applicant has not changed since it: no listed field differs from the
    snapshot taken at the return, and no file was uploaded to the listed material slot after it."""
    changed = [c.field for c in rules.changes(correction.snapshot, snapshot(session, application))]
    uploaded = {
        f"material:{slot}"
        for slot in session.scalars(
            select(Material.slot).where(
                Material.application_id == application.id, Material.uploaded_at > correction.requested_at
            )
        )
    }
    return [item for item in correction.items if not rules.touched(item.section, [*changed, *uploaded])]


def check_resubmission(session: Session, application: Application, responses: dict[str, str]) -> None:
    """Issue 17.1: a resubmission answers every item of the return: each is changed, or carries the
    applicant's written reason why it stays as it is (``responses``: section key -> reason, kept on the
    item). Otherwise ValidationFailed naming the untouched items, one message per item's reason field."""
    correction = open_correction(session, application.id)
    if correction is None:
        return
    errors: dict[str, str] = {}
    untouched = untouched_items(session, application, correction)
    titles = item_titles(session, application)
    for item in untouched:
        answer = " ".join(responses.get(item.section, "").split())
        title = titles.get(item.section) or rules.key_title(item.section)
        if not answer:
            errors[f"response_{item.section}"] = T_(
                "“%(title)s”未作修改：请修改，或写明不修改的理由", title=title
            )
        elif len(answer) > RESPONSE_MAX:
            errors[f"response_{item.section}"] = T_(
                "“%(title)s”的说明不能超过%(limit)s字", title=title, limit=RESPONSE_MAX
            )
        else:
            item.response = answer
    if errors:
        listed = joined(
            titles.get(i.section) or rules.key_title(i.section)
            for i in untouched
            if f"response_{i.section}" in errors
        )
        errors["__all__"] = T_(
            "以下退回事项尚未修改，也未说明理由：%(listed)s。请逐项修改，或在该项下写明不修改的理由",
            listed=listed,
        )
        raise ValidationFailed(errors, N_("补正内容不完整"))
    session.flush()


def close_on_resubmit(session: Session, application: Application, now: datetime) -> None:
    """Mark the open correction request answered by a resubmission (nothing if none is open)."""
    correction = open_correction(session, application.id)
    if correction is not None:
        correction.status, correction.closed_at = CorrectionStatus.RESUBMITTED.value, now
        session.flush()


def changes_since_return(session: Session, application: Application) -> list[rules.Change]:
    """What the applicant changed in answer to the last return (the reviewer sees it highlighted): every
    changed field, then every material slot whose files were replaced, added or removed since (issue 17.10:
    a replaced contract was not listed)."""
    correction = latest_correction(session, application.id)
    if correction is None or correction.state is not CorrectionStatus.RESUBMITTED:
        return []
    fields = rules.changes(correction.snapshot, snapshot(session, application))
    since = correction.requested_at
    touched = session.scalars(
        select(Material)
        .where(
            Material.application_id == application.id,
            or_(Material.uploaded_at > since, Material.removed_at > since),
        )
        .order_by(Material.id)
    ).all()
    files: list[rules.Change] = []
    for slot in dict.fromkeys(m.slot for m in touched):
        in_slot = session.scalars(
            select(Material).where(Material.application_id == application.id, Material.slot == slot)
        ).all()
        before = [
            m for m in in_slot if m.uploaded_at <= since and (m.removed_at is None or m.removed_at > since)
        ]
        after = [m for m in in_slot if m.removed_at is None]
        title = slot_title(slot)
        files.append(
            rules.Change(
                f"material:{slot}",
                T_("材料：%(slot)s", slot=title),
                "、".join(m.file.display_name for m in before),
                "、".join(m.file.display_name for m in after),
            )
        )
    return fields + files


def materials_since_return(session: Session, application: Application) -> frozenset[int]:
    """The files uploaded in answer to the last return: the reviewer sees them highlighted with the fields."""
    correction = latest_correction(session, application.id)
    if correction is None or correction.state is not CorrectionStatus.RESUBMITTED:
        return frozenset()
    return frozenset(
        session.scalars(
            select(Material.id).where(
                Material.application_id == application.id, Material.uploaded_at > correction.requested_at
            )
        )
    )


@dataclass(frozen=True)
class DeadlineView:
    deadline: date
    workdays_left: int | None
    urgent: bool
    overdue: bool = False


def deadline_view(session: Session, correction: Correction, now: datetime) -> DeadlineView:
    """How a correction deadline stands today: working days left, whether to warn, whether it has passed."""
    try:
        left = work_calendar(session).workdays_between(today(now), correction.deadline)
    except UnknownYear:
        left = None
    overdue = correction.deadline < today(now)
    return DeadlineView(
        correction.deadline, left, overdue or (left is not None and left <= WARN_WORKDAYS), overdue
    )


def abandon_overdue(session: Session, now: datetime) -> list[Correction]:
    """The scheduled job: corrections whose deadline has passed abandon their application (REV-03). The
    note it writes is a message (read in each reader's language in the history) citing the clause of the
    application's bureau's profile, none where its notice does not state the rule."""
    overdue = list(
        session.scalars(
            select(Correction).where(
                Correction.status == CorrectionStatus.OPEN.value, Correction.deadline < today(now)
            )
        )
    )
    done = []
    for correction in overdue:
        application = session.get(Application, correction.application_id)
        assert application is not None
        if application.state is Status.RETURNED:
            transitions.apply(
                session,
                SYSTEM,
                application,
                Action.ABANDON,
                now,
                reason=abandonment_note(correction.deadline, correction_clause(session, application)),
            )
        correction.status, correction.closed_at = CorrectionStatus.ABANDONED.value, now
        done.append(correction)
    session.flush()
    return done


def abandonment_note(deadline: date, clause: str) -> Text:
    """The history's note on an application abandoned for a missed correction deadline: the day, and the
    bureau's clause of the rule (REV-03) where its profile gives one."""
    if not clause:
        return T_("未在%(day)s前补正，视为放弃申报", day=deadline)
    return T_("未在%(day)s前补正，视为放弃申报（%(clause)s）", day=deadline, clause=Clause(clause))


def warn_deadlines(session: Session, now: datetime) -> list[Correction]:
    """Three working days before a deadline, the applicant gets one reminder."""
    due = list(
        session.scalars(
            select(Correction).where(
                Correction.status == CorrectionStatus.OPEN.value,
                Correction.warned_at.is_(None),
                Correction.deadline >= today(now),
            )
        )
    )
    warned = []
    for correction in due:
        view = deadline_view(session, correction, now)
        if not view.urgent:
            continue
        application = session.get(Application, correction.application_id)
        assert application is not None
        notify(
            session,
            [application.applicant_id],
            "deadline",
            NT_(
                "补正截止日期 %(day)s 临近（还剩%(num)d个工作日），逾期未补正将视为放弃申报。",
                "补正截止日期 %(day)s 临近（还剩%(num)d个工作日），逾期未补正将视为放弃申报。",
                view.workdays_left,
                day=correction.deadline,
            ),
            f"/me/applications/{application.id}",
            now,
        )
        correction.warned_at = now
        warned.append(correction)
    session.flush()
    return warned


def history(session: Session, application_id: int) -> list[Correction]:
    """Every return of the application, newest first, with its items."""
    return list(
        session.scalars(
            select(Correction)
            .where(Correction.application_id == application_id)
            .order_by(Correction.id.desc())
        )
    )


def return_limit(session: Session, application: Application) -> Threshold | None:
    """The policy's limit on returns after the unit's approval (Kunming: 3, 004 一(四)), if any."""
    profile = effective_profile(session, application.bureau)
    return profile.workflow.return_limit if profile is not None else None


def barred_this_year(session: Session, applicant_id: int, now: datetime) -> str | None:
    """Why the person may not apply again this calendar year, when a return limit ended an application."""
    year_start = datetime(today(now).year, 1, 1, tzinfo=SHANGHAI)
    rejected = session.scalars(
        select(Application).where(
            Application.applicant_id == applicant_id,
            Application.status == Status.REJECTED.value,
            Application.counted_returns > 0,
            Application.status_changed_at >= year_start,
        )
    )
    for application in rejected:
        limit = return_limit(session, application)
        if limit is not None and application.counted_returns >= limit.value:
            return T_(
                "该申报人今年的申报在单位推荐后已被退回%(counted_returns)s次，本年度不再受理（%(citation)s）",
                counted_returns=application.counted_returns,
                citation=Clause(limit.citation),
            )
    return None
