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

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents.certificates import table_xlsx
from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.form import Row, SectionKey
from portal.domain.i18n import N_, T_, Clause
from portal.domain.identity import mask_id_number
from portal.domain.policy import LEVELS, TitleConfirmationRule
from portal.domain.workflow import Status
from portal.models import (
    Application,
    Committee,
    ConfirmationStatus,
    OrgKind,
    TitleConfirmation,
    TitleOrigin,
)
from portal.services import applications, audit, committees, forms
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.compare_and_set import compare_and_set
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
        ("prior_title", N_("现职称名称"), 60),
        ("issuer", N_("发证（评审）机关"), 120),
        ("certificate_no", N_("证书编号"), 60),
    ):
        text = getattr(data, name).strip()
        if not text:
            errors[name] = T_("请填写%(label)s", label=T_(label))
        elif len(text) > limit:
            errors[name] = T_(
                "%(label)s不能超过%(limit)s字（现有%(n)s字）",
                label=T_(label),
                limit=str(limit),
                n=str(len(text)),
            )
        values[name] = text
    if data.prior_level not in LEVELS:
        errors["prior_level"] = N_("请选择现职称级别")
    values["prior_level"] = data.prior_level
    if data.origin not in {o.value for o in TitleOrigin}:
        errors["origin"] = N_("请选择取得途径：外省取得或中央单位取得")
    values["origin"] = data.origin
    obtained, problem = read_day(data.obtained_on, N_("日期格式应为 年-月-日，例如 2020-12-31"))
    if obtained is None:
        errors["obtained_on"] = problem
    else:
        if obtained > today(now):
            errors["obtained_on"] = N_("取得时间不能晚于今天")
        values["obtained_on"] = obtained
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
        raise PermissionDenied(N_("职称确认由申报人或本单位经办人随申报提出"))
    _profile, rules = committees.rules_for(session, application.bureau)
    rule = rules.title_confirmation if rules is not None else None
    if rule is None or application.pathway != "评审":
        raise DomainError(N_("本局政策配置未规定评审途径的职称确认，无需提出"), code="no_confirmation_rule")
    line = line_of(session, application.id)
    if not applications.is_editable(application) or (
        line is not None and line.state not in (ConfirmationStatus.REQUESTED, ConfirmationStatus.RECOGNISED)
    ):
        raise DomainError(N_("申报已提交或确认名单已报送，不能再修改职称确认"), code="not_editable")
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
        raise PermissionDenied(N_("确认名单由评委会办事机构报送"))
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        raise NotFound(N_("找不到本办事机构的评委会"))
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
        raise ValidationFailed({"lines": N_("没有待报送人社局确认的人员")}, N_("没有待报送人社局确认的人员"))
    for line in lines:
        _set(session, line, ConfirmationStatus.REQUESTED, status=ConfirmationStatus.SENT.value, sent_at=now)
        _audit(session, actor, "send_title_confirmation", line, now)
    return lines


def _set(session: Session, line: TitleConfirmation, expected: ConfirmationStatus, **values: object) -> None:
    """Compare-and-set on the line's status: a repeated or concurrent step has no effect."""
    compare_and_set(session, line, [expected], versioned=False, **values)


def decide(
    session: Session, actor: Actor, line_id: int, confirm: bool, note: str, now: datetime
) -> TitleConfirmation:
    """The bureau the committee belongs to confirms a sent line, or refuses it with the reason."""
    line = session.get(TitleConfirmation, line_id)
    if line is None or not (
        actor.is_staff and actor.org_kind is OrgKind.BUREAU and line.application.bureau_id == actor.org_id
    ):
        raise NotFound(N_("找不到该确认人员，或您无权办理"))
    note = note.strip()
    if not confirm and not note:
        raise ValidationFailed({"note": N_("不予确认须写明原因")})
    if len(note) > 500:
        raise ValidationFailed({"note": T_("意见不能超过500字（现有%(n)s字）", n=str(len(note)))})
    if line.state is not ConfirmationStatus.SENT:
        audit.record_attempt(
            session, actor, "decide_title_confirmation", now, object_type="application",
            object_id=line.application_id, detail={"code": "not_sent", "status": line.status},
        )  # fmt: skip
        raise DomainError(
            T_("该人员的职称确认%(state)s，不能再次办理", state=T_(line.state.title)), code="not_sent"
        )
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
    return T_(
        "职称确认%(state)s：未经确认的职称不作为申报依据，不能列入评审会议（%(clause)s）",
        state=T_(line.state.title),
        clause=Clause(line.citation),
    )


def agenda_notes(session: Session, candidates: Iterable[Application]) -> dict[int, str]:
    """Why each of these agenda candidates cannot go to the meeting for its title (only those that cannot):
    where the office builds the agenda, it sees each outcome before adding."""
    notes = {a.id: agenda_refusal(session, a) for a in candidates}
    return {application_id: why for application_id, why in notes.items() if why}


def export_list(session: Session, actor: Actor, listed: Listing, now: datetime) -> Path:
    """The list as shown, as the 《专业技术人员职称资格确认人员名单》 (REP-04, 004 一(五)): a bulk download
    of people's data, audited with what it held."""
    audit.record(
        session, actor, "export_title_confirmations", now, object_type="organisation", object_id=actor.org_id,
        detail={"tab": listed.tab, "rows": len(listed.lines)},
    )  # fmt: skip
    return list_xlsx(listed.lines)


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


# --- the screens' views (issue 22.7 on the screens) -------------------------------------------------------


def rule_of(session: Session, application: Application) -> TitleConfirmationRule | None:
    """The profile's 职称确认 rule for this application (None: not the 评审 pathway, or no rule)."""
    _profile, rules = committees.rules_for(session, application.bureau)
    if rules is None or application.pathway != "评审":
        return None
    return rules.title_confirmation


def offered(session: Session, application: Application) -> TitleConfirmationRule | None:
    """The 职称确认 rule when the application's pages offer a request (the profile confirms titles from
    elsewhere, 004 一(五)); None where titles are recognised as they are (003 二(七): the link led to a
    page saying only that, which the eligibility check already says of such a title)."""
    rule = rule_of(session, application)
    return rule if rule is not None and rule.mode == "confirm" else None


def from_elsewhere(province: str, jurisdiction: str) -> bool:
    """Whether a title's 发证地（省） lies outside the profile's jurisdiction (云南 in 云南省昆明市东川区)."""
    place = province.strip().removesuffix("省")
    return bool(place) and place not in jurisdiction


@dataclass(frozen=True)
class TitleRowChoice:
    """A 现有职称 row of the 申报表 the applicant may ask to have confirmed."""

    row: Row
    elsewhere: bool  # its 发证地 is another province (else the applicant says it came from a central unit)

    @property
    def origin(self) -> str:
        return (TitleOrigin.OTHER_PROVINCE if self.elsewhere else TitleOrigin.CENTRAL_UNIT).value


@dataclass(frozen=True)
class ApplicantView:
    """What the 职称确认 page shows the applicant (or the unit's HR): the rule, the line, the rows."""

    application: Application
    rule: TitleConfirmationRule | None
    line: TitleConfirmation | None
    rows: list[TitleRowChoice]
    editable: bool  # the line may still be asked for or changed

    @property
    def asks(self) -> bool:
        """The profile asks for a confirmation step (Zhenjiang recognises titles as they are: none)."""
        return self.rule is not None and self.rule.mode == "confirm"


def applicant_view(session: Session, actor: Actor, application_id: int) -> ApplicantView:
    """The application's 职称确认 as its applicant or the unit's HR sees it: the rule and clause from the
    profile, the line if any, and the form's 现有职称 rows of kind 职称 (another province's first)."""
    application = get_application(session, actor, application_id)
    if not applications.may_fill(actor, application):
        raise PermissionDenied(N_("职称确认由申报人或本单位经办人随申报提出"))
    rule = rule_of(session, application)
    line = line_of(session, application.id)
    profile, _rules = committees.rules_for(session, application.bureau)
    home = profile.jurisdiction if profile is not None else ""
    rows = [
        TitleRowChoice(row, from_elsewhere(str(row.get("province") or ""), home))
        for row in forms.rows_of(session, application.id)
        if row.section is SectionKey.TITLE and row.get("kind") == "职称"
    ]
    rows.sort(key=lambda choice: not choice.elsewhere)
    editable = (
        rule is not None
        and rule.mode == "confirm"
        and applications.is_editable(application)
        and (line is None or line.state is ConfirmationStatus.REQUESTED)
    )
    return ApplicantView(application, rule, line, rows, editable)


ROW_FIELDS = {  # the line's field ← the 现有职称 row's field
    "prior_title": "name",
    "prior_level": "level",
    "obtained_on": "obtained_on",
    "issuer": "authority",
    "certificate_no": "certificate_no",
}


def request_from_row(
    session: Session, actor: Actor, application_id: int, row_id: int, origin: str, now: datetime
) -> TitleConfirmation:
    """Ask for the confirmation of one 现有职称 row of the 申报表, as the form declares it (nothing typed
    twice); a row missing what the list needs is refused naming what to complete in the form."""
    view = applicant_view(session, actor, application_id)
    if not view.asks:  # Zhenjiang recognises titles as they are (003 二(七)): no confirmation step
        raise DomainError(N_("本局政策配置未规定评审途径的职称确认，无需提出"), code="no_confirmation_rule")
    choice = next((c for c in view.rows if c.row.id == row_id), None)
    if choice is None:
        raise ValidationFailed({"row_id": N_("请选择申报表“现有职称”中的一行")})
    values = {name: choice.row.get(field) for name, field in ROW_FIELDS.items()}
    day = values["obtained_on"]
    data = ConfirmationInput(
        **{
            name: day.isoformat() if name == "obtained_on" and day else str(v or "")
            for name, v in values.items()
        },
        origin=origin,
    )
    try:
        return request_confirmation(session, actor, application_id, data, now)
    except ValidationFailed as invalid:
        fields = {name: message for name, message in invalid.fields.items() if name != "origin"}
        if "origin" in invalid.fields:
            fields["origin"] = invalid.fields["origin"]
        if fields.keys() - {"origin"}:
            fields["row_id"] = N_("该职称缺少确认名单所需的内容，请先在申报表“现有职称 / 职业资格”中补全")
        raise ValidationFailed(fields) from invalid


TABS = ("requested", "sent", "confirmed", "refused", "all")
BUREAU_TABS = ("sent", "confirmed", "refused", "all")


@dataclass(frozen=True)
class Listing:
    """A list of lines as the office or the bureau sees it: the tab, its lines, every tab's count."""

    office: bool  # the committee office's list (else the bureau's)
    tab: str
    query: str
    lines: list[TitleConfirmation]
    counts: dict[str, int]
    sendable: int  # lines the office may send now (before its notice)
    citation: str  # the profile's clause the lines follow

    @property
    def tabs(self) -> tuple[str, ...]:
        return TABS if self.office else BUREAU_TABS


def _bureau_lines(session: Session, actor: Actor) -> list[TitleConfirmation]:
    if not (actor.is_staff and actor.org_kind is OrgKind.BUREAU):
        raise PermissionDenied(N_("职称确认由人社局办理"))
    stmt = (
        select(TitleConfirmation)
        .join(Application, Application.id == TitleConfirmation.application_id)
        .where(
            Application.bureau_id == actor.org_id,
            TitleConfirmation.status.in_(
                [
                    s.value
                    for s in (
                        ConfirmationStatus.SENT,
                        ConfirmationStatus.CONFIRMED,
                        ConfirmationStatus.REFUSED,
                    )
                ]
            ),
        )
        .order_by(TitleConfirmation.sent_at, TitleConfirmation.id)
    )
    return list(session.scalars(stmt))


def listing(session: Session, actor: Actor, tab: str = "", query: str = "") -> Listing:
    """The committee office's lines (every line of the applications sent to its committee, with its
    outcome) or the bureau's (the lines sent to it), filtered by tab and by a name or unit."""
    office = actor.is_staff and actor.org_kind is OrgKind.COMMITTEE
    every = office_lines(session, actor) if office else _bureau_lines(session, actor)
    tabs = TABS if office else BUREAU_TABS
    tab = tab if tab in tabs else tabs[0]
    counts = {t: sum(1 for line in every if t == "all" or line.status == t) for t in tabs}
    query = query.strip()[:50]

    def shown(line: TitleConfirmation) -> bool:
        a = line.application
        return (tab == "all" or line.status == tab) and (
            not query or query in a.applicant.name or query in a.enterprise.name
        )

    sendable = sum(
        1
        for line in every
        if line.state is ConfirmationStatus.REQUESTED and line.application.state in SENDABLE
    )
    citation = next((line.citation for line in every), "")
    return Listing(office, tab, query, [line for line in every if shown(line)], counts, sendable, citation)


@dataclass(frozen=True)
class DecisionRow:
    line_id: int
    name: str
    why: str = ""  # "" when it was decided


def decide_many(
    session: Session, actor: Actor, line_ids: list[int], confirm: bool, note: str, now: datetime
) -> list[DecisionRow]:
    """The bureau decides several lines at once, each on its own (a savepoint each): a line decided
    meanwhile, or not the bureau's, is reported and the others are decided (per-row results)."""
    if not line_ids:
        raise ValidationFailed({"line_ids": N_("请先勾选要办理的人员")})
    if not confirm and not note.strip():
        raise ValidationFailed({"note": N_("不予确认须写明原因")})
    rows: list[DecisionRow] = []
    for line_id in dict.fromkeys(line_ids):
        try:
            with session.begin_nested():
                line = decide(session, actor, line_id, confirm, note, now)
            rows.append(DecisionRow(line_id, line.application.applicant.name))
        except (DomainError, NotFound) as refused:
            found = session.get(TitleConfirmation, line_id)
            mine = found is not None and found.application.bureau_id == actor.org_id
            rows.append(
                DecisionRow(line_id, found.application.applicant.name if mine else "", refused.message)
            )
    return rows
