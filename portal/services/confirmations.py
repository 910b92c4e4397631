"""职称确认 (issue 22.7): an applicant whose current title came from another province or a central unit
asks, with the application, for it to be confirmed. Where the profile says ``confirm`` (Kunming/Dongchuan,
004 一(五), EQUIV-04) the committee office sends the 《专业技术人员职称资格确认人员名单》 (Excel) to the HR
bureau, which confirms or refuses each line; where it says ``recognise`` (Zhenjiang, 003 二(七), EQUIV-03)
the title is recognised as it is. The committee sees each outcome before the meeting, and an application
whose title is not confirmed (or recognised) does not go on a meeting's agenda (services.meetings).

Guarantees: the rule and its clause come from the profile and are kept on the line; one line per
application, changed only while the application is editable and the line not yet sent; the bureau decides a
line once (compare-and-set on its status: two clicks, one decision); a refusal needs a reason; every step
is audited. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.documents.certificates import table_xlsx
from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.identity import mask_id_number
from portal.domain.policy import LEVELS
from portal.domain.workflow import Status
from portal.models import (
    Application,
    Committee,
    ConfirmationStatus,
    OrgKind,
    TitleConfirmation,
    TitleOrigin,
)
from portal.services import applications, audit, committees
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.scope import get_application

# The office sends its list while it reviews, before its 评前公示 (004 一(五)).
SENDABLE = frozenset({Status.COMMITTEE_REVIEW, Status.COMMITTEE_ACCEPTED})
LIST_TITLE = "专业技术人员职称资格确认人员名单"
LIST_HEADERS = (
    "序号",
    "姓名",
    "身份证号",
    "工作单位",
    "现职称名称",
    "现职称级别",
    "取得时间",
    "发证（评审）机关",
    "证书编号",
    "取得途径",
    "申报职称",
    "确认结果",
)


@dataclass(frozen=True)
class ConfirmationInput:
    prior_title: str = ""
    prior_level: str = ""
    obtained_on: str = ""
    issuer: str = ""
    certificate_no: str = ""
    origin: str = ""


def _audit(
    session: Session, actor: Actor, action: str, line: TitleConfirmation, now: datetime, reason: str = ""
) -> None:
    audit.record(
        session, actor, action, now, object_type="application", object_id=line.application_id, reason=reason,
        detail={"title_confirmation": line.id, "status": line.status},
    )  # fmt: skip


def _checked(data: ConfirmationInput, now: datetime) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, label, limit in (
        ("prior_title", "现职称名称", 60),
        ("issuer", "发证（评审）机关", 120),
        ("certificate_no", "证书编号", 60),
    ):
        text = getattr(data, name).strip()
        if not text:
            errors[name] = f"请填写{label}"
        elif len(text) > limit:
            errors[name] = f"{label}不能超过{limit}字（现有{len(text)}字）"
        values[name] = text
    if data.prior_level not in LEVELS:
        errors["prior_level"] = "请选择现职称级别"
    values["prior_level"] = data.prior_level
    if data.origin not in {o.value for o in TitleOrigin}:
        errors["origin"] = "请选择取得途径：外省取得或中央单位取得"
    values["origin"] = data.origin
    try:
        obtained = datetime.strptime(data.obtained_on.strip(), "%Y-%m-%d").date()
        if obtained > today(now):
            errors["obtained_on"] = "取得时间不能晚于今天"
        values["obtained_on"] = obtained
    except ValueError:
        errors["obtained_on"] = "日期格式应为 年-月-日，例如 2020-12-31"
    if errors:
        raise ValidationFailed(errors)
    return values


def line_of(session: Session, application_id: int) -> TitleConfirmation | None:
    """The application's 职称确认 line, if it asked for one."""
    return session.scalar(select(TitleConfirmation).where(TitleConfirmation.application_id == application_id))


def request_confirmation(
    session: Session, actor: Actor, application_id: int, data: ConfirmationInput, now: datetime
) -> TitleConfirmation:
    """The applicant (or the unit's HR for them) asks, with the application, for the current title to be
    confirmed; under a ``recognise`` profile it is recognised at once, with the clause."""
    application = get_application(session, actor, application_id)
    if not applications.may_fill(actor, application):
        raise PermissionDenied("职称确认由申报人或本单位经办人随申报提出")
    _profile, rules = committees.rules_for(session, application.bureau)
    rule = rules.title_confirmation if rules is not None else None
    if rule is None or application.pathway != "评审":
        raise DomainError("本局政策配置未规定评审途径的职称确认，无需提出", code="no_confirmation_rule")
    line = line_of(session, application.id)
    if not applications.is_editable(application) or (
        line is not None and line.state not in (ConfirmationStatus.REQUESTED, ConfirmationStatus.RECOGNISED)
    ):
        raise DomainError("申报已提交或确认名单已报送，不能再修改职称确认", code="not_editable")
    values = _checked(data, now)
    status = ConfirmationStatus.RECOGNISED if rule.mode == "recognise" else ConfirmationStatus.REQUESTED
    if line is None:
        line = TitleConfirmation(application_id=application.id, created_by_id=actor.user_id, created_at=now)
        session.add(line)
    for name, value in values.items():
        setattr(line, name, value)
    line.status, line.citation = status.value, rule.citation
    session.flush()
    _audit(session, actor, "request_title_confirmation", line, now)
    return line


def _office_committee(session: Session, actor: Actor) -> Committee:
    if not (actor.is_staff and actor.org_kind is OrgKind.COMMITTEE):
        raise PermissionDenied("确认名单由评委会办事机构报送")
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        raise NotFound("找不到本办事机构的评委会")
    return committee


def office_lines(session: Session, actor: Actor) -> list[TitleConfirmation]:
    """The lines of the applications sent to the actor's committee, with their outcome (the office sees
    each before the meeting)."""
    committee = _office_committee(session, actor)
    stmt = (
        select(TitleConfirmation)
        .join(Application, Application.id == TitleConfirmation.application_id)
        .where(Application.committee_id == committee.id)
        .order_by(TitleConfirmation.id)
    )
    return list(session.scalars(stmt))


def send_list(session: Session, actor: Actor, now: datetime) -> list[TitleConfirmation]:
    """The office sends every line still to be confirmed of the applications it is reviewing to the bureau
    (the list is the Excel of :func:`list_xlsx`); a line is sent once."""
    lines = [
        line
        for line in office_lines(session, actor)
        if line.state is ConfirmationStatus.REQUESTED and line.application.state in SENDABLE
    ]
    if not lines:
        raise ValidationFailed({"lines": "没有待报送人社局确认的人员"}, "没有待报送人社局确认的人员")
    for line in lines:
        _set(session, line, ConfirmationStatus.REQUESTED, status=ConfirmationStatus.SENT.value, sent_at=now)
        _audit(session, actor, "send_title_confirmation", line, now)
    return lines


def _set(session: Session, line: TitleConfirmation, expected: ConfirmationStatus, **values: object) -> None:
    """Compare-and-set on the line's status: a repeated or concurrent step has no effect."""
    result = session.execute(
        update(TitleConfirmation)
        .where(TitleConfirmation.id == line.id, TitleConfirmation.status == expected.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(line)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleObject()


def decide(
    session: Session, actor: Actor, line_id: int, confirm: bool, note: str, now: datetime
) -> TitleConfirmation:
    """The bureau the committee belongs to confirms a sent line, or refuses it with the reason."""
    line = session.get(TitleConfirmation, line_id)
    if line is None or not (
        actor.is_staff and actor.org_kind is OrgKind.BUREAU and line.application.bureau_id == actor.org_id
    ):
        raise NotFound("找不到该确认人员，或您无权办理")
    note = note.strip()
    if not confirm and not note:
        raise ValidationFailed({"note": "不予确认须写明原因"})
    if len(note) > 500:
        raise ValidationFailed({"note": f"意见不能超过500字（现有{len(note)}字）"})
    if line.state is not ConfirmationStatus.SENT:
        audit.record_attempt(
            session, actor, "decide_title_confirmation", now, object_type="application",
            object_id=line.application_id, detail={"code": "not_sent", "status": line.status},
        )  # fmt: skip
        raise DomainError(f"该人员的职称确认{line.state.title}，不能再次办理", code="not_sent")
    target = ConfirmationStatus.CONFIRMED if confirm else ConfirmationStatus.REFUSED
    _set(
        session, line, ConfirmationStatus.SENT, status=target.value, decided_by_id=actor.user_id,
        decided_at=now, decision_note=note,
    )  # fmt: skip
    _audit(session, actor, "decide_title_confirmation", line, now, reason=note)
    return line


def agenda_refusal(session: Session, application: Application) -> str | None:
    """Why the application cannot go to the meeting for its title (None: no line, or it counts)."""
    line = line_of(session, application.id)
    if line is None or line.state.counts:
        return None
    return f"职称确认{line.state.title}：未经确认的职称不作为申报依据，不能列入评审会议（{line.citation}）"


def list_xlsx(lines: Iterable[TitleConfirmation]) -> Path:
    """The 《专业技术人员职称资格确认人员名单》 of these lines (ID numbers masked: the bureau looks the
    person up in its own system)."""

    def rows() -> Iterable[tuple[object, ...]]:
        for n, line in enumerate(lines, start=1):
            a = line.application
            yield (
                n,
                a.applicant.name,
                mask_id_number(a.applicant.id_number or ""),
                a.enterprise.name,
                line.prior_title,
                line.prior_level,
                line.obtained_on.isoformat(),
                line.issuer,
                line.certificate_no,
                TitleOrigin(line.origin).title,
                f"{a.specialty}{a.level}",
                line.state.title,
            )

    return table_xlsx(LIST_TITLE, LIST_HEADERS, rows())
