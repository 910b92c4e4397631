"""Review committees as organisations (issue 22.2): a committee belongs to a forming unit and has an office
(an organisation of kind committee, with its own admins, handlers and leaders, managed by the staff
rulebook like any other); its scope is a table of specialty × place × level rows, loaded from the bureau's
profile (Zhenjiang's 申报计划安排表, 003 附件) and kept by the bureau's admin (every change audited).

Routing: a 评审 application goes, after the bureau's review, to the one committee whose scope holds it
(EXAM-06, 003 七(一)); an applicant sends to one committee per level and year, and one enterprise sends a
specialty and level to one committee (CHAN-01, 003 四, where the profile has them). The rulebook's guards
(services.rulebook) read `routing()`; services.transitions writes the choice with the status.

Guarantees: only the bureau's admin creates committees and edits scopes; a committee and its scope are
visible to the bureau's staff and the committee office's; every change is audited; services flush, never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from portal.domain import committees as rules
from portal.domain.dates import read_day
from portal.domain.errors import NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_, Clause
from portal.domain.policy import (
    DEFAULT_SCOPE_TABLE,
    Authority,
    CommitteeRules,
    PolicyProfile,
    ProvincialWindows,
    Window,
    expand_levels,
    scope_table_word,
)
from portal.domain.workflow import Status
from portal.models import (
    Application,
    Committee,
    CommitteeKind,
    CommitteeScope,
    Organisation,
    OrgKind,
    ScopeSource,
    StaffRole,
)
from portal.services import audit, notifications, session_memo
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.policies import effective_profile

# --- who sees and who keeps committees ----------------------------------------------------------------


def _bureau_admin(session: Session, actor: Actor) -> Organisation:
    if not actor.is_admin or actor.org_id is None:
        raise PermissionDenied(N_("只有人社局系统管理员可以设立评委会、维护受理范围"))
    bureau = session.get(Organisation, actor.org_id)
    assert bureau is not None
    return bureau


def may_view(actor: Actor, committee: Committee) -> bool:
    """The bureau's staff and admins, and the committee office's own staff."""
    if actor.org_id == committee.office_id:
        return actor.staff_role is not None
    return actor.org_id == committee.bureau_id and actor.staff_role is not None


def get_committee(session: Session, actor: Actor, committee_id: int) -> Committee:
    """A committee the actor may see; NotFound (like a missing one) otherwise."""
    committee = session.get(Committee, committee_id)
    if committee is None or not may_view(actor, committee):
        raise NotFound(N_("找不到该评委会，或您无权查看"))
    return committee


def committees_of(session: Session, actor: Actor) -> list[Committee]:
    """The committees the actor sees: all of the actor's bureau, or the one whose office the actor is in."""
    stmt = select(Committee).order_by(Committee.id)
    if actor.org_kind is OrgKind.COMMITTEE:
        stmt = stmt.where(Committee.office_id == actor.org_id)
    elif actor.org_kind is OrgKind.BUREAU:
        stmt = stmt.where(Committee.bureau_id == actor.org_id)
    else:
        return []
    return list(session.scalars(stmt))


def committee_of_office(session: Session, office_id: int | None) -> Committee | None:
    """The committee an office serves (an office serves one committee)."""
    if office_id is None:
        return None
    return session.scalars(select(Committee).where(Committee.office_id == office_id)).first()


def _deciding_staff(session: Session, org_id: int, now: datetime) -> list[int]:
    """An organisation's handlers and leaders (never its admins) and whoever stands in for them today."""
    return [
        user_id
        for role in (StaffRole.HANDLER, StaffRole.LEADER)
        for user_id in notifications.staff_with_role(session, org_id, role, now)
    ]


def filing_deciders(session: Session, committee: Committee, now: datetime) -> list[int]:
    """Who decides what the committee's office files with its bureau — a meeting's preparation
    (`meetings.decide_filing`) or a call (`calls.decide_call`): the bureau's handlers and leaders, never its
    admins, and whoever stands in for them today. They are told of a filing and of its withdrawal."""
    return _deciding_staff(session, committee.bureau_id, now)


def filers(session: Session, committee: Committee, now: datetime) -> list[int]:
    """Who prepares and files the committee's meetings and calls with the bureau (`meetings._mine`,
    `calls._office`: the office's handlers and leaders, never its admins) and whoever stands in for them
    today. They are told of the bureau's decision on a filing."""
    return _deciding_staff(session, committee.office_id, now)


def rules_for(
    session: Session, org: Organisation | None
) -> tuple[PolicyProfile | None, CommitteeRules | None]:
    """The profile of the bureau above ``org`` and its committee road (None when it has none)."""
    profile = effective_profile(session, org)
    return profile, profile.committee if profile is not None else None


def provincial_windows(session: Session, actor: Actor) -> ProvincialWindows | None:
    """The profile's rule opening a provincial committee's online channel by its intake dates (WIN-05,
    Dongchuan's 004 二(二)), for the actor's bureau or committee office; None where it has none (the
    committees page then states neither its days nor its clause)."""
    _profile, rule = rules_for(session, session.get(Organisation, actor.org_id) if actor.org_id else None)
    return rule.provincial_windows if rule is not None else None


def listing_clause(session: Session, actor: Actor) -> str:
    """What the committees page's rule cites (a 评审 application goes, after the bureau's review, to the
    committee whose scope holds it): the profile's CHAN-01 and EXAM-06 clauses, one notice's tag written
    once (Zhenjiang's "003 四、七(一)"); "" where the profile states neither (Kunming's)."""
    _profile, rule = rules_for(session, session.get(Organisation, actor.org_id) if actor.org_id else None)
    parts = list(dict.fromkeys(p for p in ((rule.one_per_year, rule.scope) if rule else ()) if p))
    tags = {p.split(" ", 1)[0] for p in parts}
    if len(parts) > 1 and len(tags) == 1 and all(" " in p for p in parts):
        return f"{tags.pop()} " + "、".join(p.split(" ", 1)[1] for p in parts)
    return "、".join(parts)


@dataclass(frozen=True)
class ScopeTableName:
    """What the bureau's notice calls its table of committees and their scope: ``word`` a msgid (under its
    context) for the page to translate, ``clause`` the table's (its 附件), "" where the profile names none."""

    word: str
    clause: str


def scope_table(session: Session, actor: Actor) -> ScopeTableName:
    """The name of the table the committees page loads from, as the actor's bureau's notice names it
    (Zhenjiang's 申报计划安排表, 003 附件; Kunming's 职称评审计划表), else neutral words without a clause:
    one city's term is not another's."""
    _profile, rule = rules_for(session, session.get(Organisation, actor.org_id) if actor.org_id else None)
    table = rule.scope_table if rule is not None else None
    if table is None:
        return ScopeTableName(DEFAULT_SCOPE_TABLE, "")
    return ScopeTableName(scope_table_word(table.name), table.citation)


# --- creating committees and keeping their scope -------------------------------------------------------


@dataclass(frozen=True)
class CommitteeInput:
    name: str = ""
    forming_unit: str = ""
    kind: str = CommitteeKind.CITY.value
    phone: str = ""
    intake_opens: str = ""
    intake_closes: str = ""
    uniform_submission: str = ""


def _office(session: Session, bureau: Organisation, name: str, region: str, now: datetime) -> Organisation:
    office = Organisation(
        kind=OrgKind.COMMITTEE.value, name=name, parent_id=bureau.id, region=region[:100], created_at=now
    )
    session.add(office)
    session.flush()
    return office


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    day, problem = read_day(raw, N_("日期格式应为 年-月-日，例如 2026-03-15"))
    if problem:
        errors[field] = problem
    return day


def create_committee(session: Session, actor: Actor, data: CommitteeInput, now: datetime) -> Committee:
    """A committee and its office under the admin's bureau (audited); the office's staff are then given on
    its 人员 page like any organisation's. ValidationFailed names each bad field."""
    bureau = _bureau_admin(session, actor)
    if not bureau.policy_profile:
        raise ValidationFailed({"name": N_("本局尚未选择政策配置，请先在“受理批次”页面选择")})
    errors: dict[str, str] = {}
    name, unit = data.name.strip(), data.forming_unit.strip()
    if not name:
        errors["name"] = N_("请填写评委会名称")
    elif len(name) > 180:
        errors["name"] = N_("评委会名称不能超过180字")
    elif session.scalar(select(Committee.id).where(Committee.name == name)) or session.scalar(
        select(Organisation.id).where(Organisation.name == f"{name}办事机构")
    ):
        errors["name"] = N_("已有同名评委会")
    if not unit:
        errors["forming_unit"] = N_("请填写组建单位")
    elif len(unit) > 200:
        errors["forming_unit"] = N_("组建单位不能超过200字")
    if data.kind not in {k.value for k in CommitteeKind}:
        errors["kind"] = N_("请选择评委会类别")
    if len(data.phone.strip()) > 100:
        errors["phone"] = N_("联系电话不能超过100字")
    opens = _day(data.intake_opens, "intake_opens", errors)
    closes = _day(data.intake_closes, "intake_closes", errors)
    if opens and closes and closes < opens:
        errors["intake_closes"] = N_("收审截止日不能早于开始日")
    if (
        data.kind == CommitteeKind.PROVINCIAL.value
        and not (opens and closes)
        and "intake_opens" not in errors
    ):
        # The dates open and close the online channel where the profile says so (WIN-05, its clause).
        windows = provincial_windows(session, actor)
        errors["intake_opens"] = (
            T_(
                "省级评委会请填写收审材料的起止日期（%(clause)s：据此开通和关闭网上申报）",
                clause=Clause(windows.citation),
            )
            if windows is not None
            else N_("省级评委会请填写收审材料的起止日期")
        )
    if errors:
        raise ValidationFailed(errors)
    office = _office(session, bureau, f"{name}办事机构", bureau.region, now)
    committee = Committee(
        bureau_id=bureau.id,
        office_id=office.id,
        profile_id=bureau.policy_profile,
        name=name,
        forming_unit=unit,
        kind=data.kind,
        phone=data.phone.strip(),
        intake_opens=opens,
        intake_closes=closes,
        uniform_submission=data.uniform_submission.strip() in {"1", "on", "true"},
        created_at=now,
    )
    session.add(committee)
    session.flush()
    audit.record(
        session, actor, "create_committee", now, object_type="committee", object_id=committee.id,
        detail={"name": name, "office_id": office.id},
    )  # fmt: skip
    return committee


@dataclass(frozen=True)
class LoadReport:
    committees: list[Committee]  # created now
    rows: int  # scope rows created now


def _loadable(profile: PolicyProfile) -> list[tuple[Authority, list[Window]]]:
    """Each accepting body of the profile with its 评审 batches: what `load_from_profile` makes committees
    of. Only a profile whose notice tabulates the accepting bodies has any (Zhenjiang's 申报计划安排表);
    Kunming's review plans are annexes the seeds do not carry, so its rows name no body."""
    found: list[tuple[Authority, list[Window]]] = []
    for authority in profile.authorities:
        batches = [w for w in profile.batches if w.authority == authority.code and "评审" in w.pathways]
        if batches:
            found.append((authority, batches))
    return found


def can_load_from_profile(session: Session, actor: Actor) -> bool:
    """Whether the actor's bureau's profile has a table of accepting bodies to load: the committees page
    offers 载入… only then, and says otherwise that committees are set up one by one."""
    profile, rule = rules_for(session, session.get(Organisation, actor.org_id) if actor.org_id else None)
    return profile is not None and rule is not None and bool(_loadable(profile))


def load_from_profile(session: Session, actor: Actor, now: datetime) -> LoadReport:
    """The bureau profile's table of accepting bodies as committees with their scope (Zhenjiang's 申报计划
    安排表: each accepting body of a 评审 row is a committee's office, each row a scope row with its clause).
    Idempotent: a body loaded before is left as the admin keeps it (its rows are not loaded again)."""
    bureau = _bureau_admin(session, actor)
    profile = effective_profile(session, bureau)
    if profile is None or profile.committee is None:
        raise ValidationFailed({"profile": N_("本局的政策配置没有评审委员会途径，无可载入的受理范围")})
    loadable = _loadable(profile)
    if not loadable:
        nothing = N_("本局的政策配置没有列出各受理单位的评委会受理范围，无可载入的内容；请逐个设立评委会")
        raise ValidationFailed({"profile": nothing})
    created: list[Committee] = []
    count = 0
    for authority, batches in loadable:
        existing = session.scalars(
            select(Committee).where(Committee.bureau_id == bureau.id, Committee.code == authority.code)
        ).first()
        if existing is not None:
            continue
        name = f"{authority.name}评委会"
        office = _office(session, bureau, f"{name}办事机构", authority.area, now)
        committee = Committee(
            bureau_id=bureau.id,
            office_id=office.id,
            profile_id=profile.id,
            code=authority.code,
            name=name,
            forming_unit=authority.name,
            kind=CommitteeKind.CITY.value,
            phone=authority.phone,
            citation=authority.citation,
            # The profile's own note only: why the name is what it is is said in the reader's language
            # (`name_basis`), not stored as a Chinese sentence.
            note=authority.note[:500],
            created_at=now,
        )
        session.add(committee)
        session.flush()
        for w in batches:
            session.add(
                CommitteeScope(
                    committee_id=committee.id,
                    row_no=w.citation.rsplit("序号", 1)[-1] if "序号" in w.citation else "",
                    specialties="、".join(w.specialties),
                    place=w.area,
                    levels=",".join(w.levels),
                    opens=w.opens,
                    closes=w.closes,
                    pending=w.pending,
                    citation=w.citation,
                    note=w.note[:500],
                    source=ScopeSource.PROFILE.value,
                    updated_by_id=actor.user_id,
                    updated_at=now,
                )
            )
            count += 1
        created.append(committee)
    session.flush()
    audit.record(
        session, actor, "load_committees", now, object_type="organisation", object_id=bureau.id,
        detail={"profile": profile.id, "committees": [c.id for c in created], "rows": count},
    )  # fmt: skip
    return LoadReport(created, count)


# What a committee loaded before the name's basis was a message carries at the head of its note.
_STORED_BASIS = "名称按《申报计划安排表》的受理单位推定（{citation}）"


def name_basis(committee: Committee) -> str | None:
    """Where the name of a committee loaded from the profile comes from (its accepting body in the notice,
    with the body's clause), in the reader's language; None for a committee the admin set up."""
    if committee.code is None:
        return None
    if not committee.citation:
        return N_("名称按通知所列受理单位推定")
    return T_("名称按通知所列受理单位推定（%(clause)s）", clause=Clause(committee.citation))


def committee_note(committee: Committee) -> str:
    """The committee's note as written (the profile's or the admin's), without the Chinese sentence on the
    name's basis that committees loaded before `name_basis` stored at its head."""
    stored = _STORED_BASIS.format(citation=committee.citation)
    if committee.code is not None and committee.note.startswith(stored):
        return committee.note.removeprefix(stored).removeprefix("；")
    return committee.note


@dataclass(frozen=True)
class ScopeInput:
    row_no: str = ""
    specialties: str = ""
    place: str = ""
    levels: tuple[str, ...] = ()
    opens: str = ""
    closes: str = ""
    citation: str = ""
    note: str = ""


def _snapshot(row: CommitteeScope) -> dict[str, Any]:
    return {
        "specialties": row.specialties,
        "place": row.place,
        "levels": row.levels,
        "opens": row.opens.isoformat() if row.opens else None,
        "closes": row.closes.isoformat() if row.closes else None,
        "citation": row.citation,
    }


def get_scope(session: Session, actor: Actor, scope_id: int) -> CommitteeScope:
    """A scope row of a committee the actor may see; NotFound otherwise."""
    row = session.get(CommitteeScope, scope_id)
    if row is None or not may_view(actor, row.committee):
        raise NotFound(N_("找不到该受理范围"))
    return row


def save_scope(
    session: Session,
    actor: Actor,
    committee_id: int,
    data: ScopeInput,
    now: datetime,
    *,
    scope_id: int | None = None,
) -> CommitteeScope:
    """Add (or, with ``scope_id``, change) a row of the committee's scope: specialties (、-separated),
    place, levels, the online window (blank: 依据文件时间申报) and its clause. The bureau's admin only;
    audited with the row before and after."""
    _bureau_admin(session, actor)
    committee = get_committee(session, actor, committee_id)
    if committee.bureau_id != actor.org_id:
        raise NotFound(N_("找不到该评委会，或您无权查看"))
    errors: dict[str, str] = {}
    specialties = "、".join(
        x.strip() for x in data.specialties.replace(",", "、").replace("，", "、").split("、") if x.strip()
    )
    if not specialties:
        errors["specialties"] = N_("请填写受理专业，多个专业用顿号分隔")
    elif len(specialties) > 500:
        errors["specialties"] = N_("受理专业不能超过500字")
    place = data.place.strip()
    if not place:
        errors["place"] = N_("请填写受理地，如“镇江市区”“丹阳市”")
    elif len(place) > 100:
        errors["place"] = N_("受理地不能超过100字")
    try:
        levels = expand_levels(data.levels)
    except ValueError:
        levels = ()
    if not levels:
        errors["levels"] = N_("请至少选择一个级别")
    opens = _day(data.opens, "opens", errors)
    closes = _day(data.closes, "closes", errors)
    if (opens is None) != (closes is None) and "opens" not in errors and "closes" not in errors:
        errors["closes" if opens else "opens"] = N_(
            "网上申报时间请同时填写起止日期，或都留空（依据文件时间申报）"
        )
    elif opens and closes and closes < opens:
        errors["closes"] = N_("截止日不能早于开始日")
    citation = data.citation.strip()
    if not citation:
        errors["citation"] = N_("请填写依据（文件及条款），例如“003 附件 序号1”")
    elif len(citation) > 200:
        errors["citation"] = N_("依据不能超过200字")
    if len(data.row_no.strip()) > 20:
        errors["row_no"] = N_("序号不能超过20字")
    if len(data.note.strip()) > 500:
        errors["note"] = N_("备注不能超过500字")
    row = None
    if scope_id is not None:
        row = get_scope(session, actor, scope_id)
        if row.committee_id != committee.id:
            raise NotFound(N_("找不到该受理范围"))
    same = next(
        (
            r
            for r in committee.scopes
            if (r.specialties, r.place, r.levels) == (specialties, place, ",".join(levels)) and r is not row
        ),
        None,
    )
    if same is not None and not errors:
        errors["specialties"] = T_(
            "该评委会已有相同的受理范围（序号%(row_no)s），无需重复添加", row_no=same.row_no or N_("未填")
        )
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(row) if row is not None else None
    unchanged = row is not None and (
        row.row_no,
        row.specialties,
        row.place,
        row.levels,
        row.opens,
        row.closes,
        row.citation,
        row.note,
    ) == (
        data.row_no.strip(),
        specialties,
        place,
        ",".join(levels),
        opens,
        closes,
        citation,
        data.note.strip(),
    )
    if unchanged:
        assert row is not None
        return row  # the same form again: nothing to record
    if row is None:
        row = CommitteeScope(committee_id=committee.id, source=ScopeSource.ADMIN.value)
        session.add(row)
    row.row_no = data.row_no.strip()
    row.specialties, row.place, row.levels = specialties, place, ",".join(levels)
    row.opens, row.closes, row.pending = opens, closes, opens is None
    row.citation, row.note = citation, data.note.strip()
    row.updated_by_id, row.updated_at = actor.user_id, now
    session.flush()
    audit.record(
        session, actor, "save_committee_scope", now, object_type="committee", object_id=committee.id,
        detail={"scope_id": row.id, "before": before, "after": _snapshot(row)},
    )  # fmt: skip
    return row


def delete_scope(session: Session, actor: Actor, scope_id: int, now: datetime) -> None:
    """Remove a row of a committee's scope (the bureau's admin; audited with what it held)."""
    _bureau_admin(session, actor)
    row = get_scope(session, actor, scope_id)
    if row.committee.bureau_id != actor.org_id:
        raise NotFound(N_("找不到该受理范围"))
    audit.record(
        session, actor, "delete_committee_scope", now, object_type="committee", object_id=row.committee_id,
        detail={"scope_id": row.id, "before": _snapshot(row)},
    )  # fmt: skip
    session.delete(row)
    session.flush()


def scope_rows(
    committee: Committee, *, specialty: str = "", place: str = "", level: str = ""
) -> list[CommitteeScope]:
    """The committee's scope as filtered on its page (and in its export)."""
    found = []
    for row in committee.scopes:
        if specialty and specialty not in row.specialties:
            continue
        if place and place not in row.place:
            continue
        if level and level not in row.level_list:
            continue
        found.append(row)
    return found


# --- routing: the committee that receives an application ------------------------------------------------


@dataclass(frozen=True)
class Routing:
    """Where an application can go, as the rulebook and the review page read it."""

    road: str  # "committee" or "bureau" (the profile's road for its pathway)
    candidates: list[Committee]  # committees whose scope holds it at the best fit
    colleagues: Committee | None  # where the enterprise sent this specialty and level this year
    elsewhere: Application | None  # the applicant's application this level and year at another committee
    rules: CommitteeRules | None

    @property
    def implied(self) -> Committee | None:
        """The committee it goes to without a choice: its colleagues', else the only candidate."""
        if self.colleagues is not None and self.colleagues in self.candidates:
            return self.colleagues
        return self.candidates[0] if len(self.candidates) == 1 else None


def _subject(application: Application) -> rules.Subject:
    return rules.Subject(
        series=application.series,
        specialty=application.specialty,
        level=application.level,
        region=application.enterprise.region or "",
    )


# The session's committees by bureau (with their scopes), forgotten at its next write: the routing of
# every row of a bureau leader's queue asked for them, a read per row and one per committee's scopes.
_COMMITTEES = session_memo.register("portal.committees.by_bureau")


def _bureau_committees(session: Session, bureau_id: int) -> list[Committee]:
    read: dict[int, list[Committee]] = session_memo.memo(session, _COMMITTEES)
    if bureau_id not in read:
        read[bureau_id] = list(
            session.scalars(
                select(Committee)
                .where(Committee.bureau_id == bureau_id)
                .order_by(Committee.id)
                .options(selectinload(Committee.scopes))
            )
        )
    return list(read[bureau_id])


def road(session: Session, application: Application) -> str:
    """Who decides the application: the profile's road for its pathway ("committee" or "bureau"), read
    without the committees' tables (the queue asks it of every row)."""
    return road_under(effective_profile(session, application.bureau), application)


def road_under(profile: PolicyProfile | None, application: Application) -> str:
    """`road` under the profile of the application's bureau, already read (the rulebook's case reads it
    once for every guard asking)."""
    if profile:
        return profile.road(application.pathway)
    return "committee" if application.pathway == "评审" else "bureau"


def routing(session: Session, application: Application, now: datetime) -> Routing:
    """The committees whose scope holds the application (EXAM-06), the committee the enterprise already
    sends this specialty and level to this year, and the applicant's other application this level and year
    at a committee (CHAN-01), under the profile of the application's bureau."""
    profile = effective_profile(session, application.bureau)
    decided_by = road(session, application)
    committee_rules = profile.committee if profile else None
    found = _bureau_committees(session, application.bureau_id)
    by_id = {c.id: c for c in found}
    rows = [
        rules.ScopeRow(c.id, r.id, r.specialty_list, r.place, r.level_list) for c in found for r in c.scopes
    ]
    city_wide = committee_rules.city_wide_places if committee_rules else ()
    matched = rules.candidates(rows, _subject(application), city_wide)
    candidates = [by_id[i] for i in dict.fromkeys(r.committee_id for r in matched)]
    year = today(now).year
    start, end = date(year, 1, 1), date(year, 12, 31)
    # Read for the whole page already (`read_peers`), else here.
    known = session_memo.memo(session, _PEERS).get((application.id, year))
    colleagues = None
    if committee_rules is not None and committee_rules.same_for_unit:
        colleague_id = known[0] if known is not None else session.scalar(
            select(Application.committee_id)
            .where(
                Application.enterprise_id == application.enterprise_id,
                Application.series == application.series,
                Application.specialty == application.specialty,
                Application.level == application.level,
                Application.committee_id.is_not(None),
                Application.committee_routed_on.between(start, end),
                Application.id != application.id,
            )
            .order_by(Application.committee_routed_on, Application.id)
        )  # fmt: skip
        colleagues = by_id.get(colleague_id) if colleague_id else None
    elsewhere = None
    if committee_rules is not None and committee_rules.one_per_year:
        elsewhere = known[1] if known is not None else session.scalars(
            select(Application).where(*same_person_elsewhere(application, Application, now))
        ).first()  # fmt: skip
    return Routing(decided_by, candidates, colleagues, elsewhere, committee_rules)


# What `routing` reads of other applications, read for a whole page at once (`read_peers`): by (application
# id, year), the committee its enterprise sent the same specialty and level to this year and the applicant's
# other application at a committee this year. Forgotten at the session's next write.
_PEERS = session_memo.register("portal.committees.peers")


def read_peers(session: Session, applications: list[Application], now: datetime) -> None:
    """Read for every one of `applications` what `routing` asks of the others (CHAN-01's same committee for
    the unit and one committee a year), in two statements instead of two per application (a bureau
    leader's 待签批 page under Zhenjiang's profile: 100 reads, issue 20)."""
    applications = [
        a
        for a in applications
        if (profile := effective_profile(session, a.bureau)) is not None
        and profile.committee is not None
        and (profile.committee.same_for_unit or profile.committee.one_per_year)
    ]
    if not applications:
        return
    year = today(now).year
    start, end = date(year, 1, 1), date(year, 12, 31)
    routed = (Application.committee_id.is_not(None), Application.committee_routed_on.between(start, end))
    sent = session.execute(
        select(
            Application.id, Application.enterprise_id, Application.series, Application.specialty,
            Application.level, Application.committee_id,
        )
        .where(Application.enterprise_id.in_({a.enterprise_id for a in applications}), *routed)
        .order_by(Application.committee_routed_on, Application.id)
    ).all()  # fmt: skip
    others = list(
        session.scalars(
            select(Application)
            .where(
                Application.applicant_id.in_({a.applicant_id for a in applications}),
                Application.status != Status.WITHDRAWN.value,
                *routed,
            )
            .order_by(Application.id)
        )
    )
    read = session_memo.memo(session, _PEERS)
    for a in applications:
        colleague = next(
            (
                row.committee_id
                for row in sent
                if row.id != a.id
                and (row.enterprise_id, row.series, row.specialty, row.level)
                == (a.enterprise_id, a.series, a.specialty, a.level)
            ),
            None,
        )
        elsewhere = next(
            (o for o in others if o.id != a.id and o.applicant_id == a.applicant_id and o.level == a.level),
            None,
        )
        read[(a.id, year)] = (colleague, elsewhere)


def reviewing_committee(session: Session, application: Application, now: datetime) -> Committee | None:
    """The committee that reviews an application on the 评审 road: the one it was sent to, before that
    the one its scope implies (none while the bureau still has several to choose from); None on the
    bureau's road (认定, 初定: no committee reviews it)."""
    if road(session, application) != "committee":
        return None
    return application.committee or routing(session, application, now).implied


def same_person_elsewhere(mine: Any, other: Any, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """CHAN-01's one committee a year as a condition: ``other`` is another application of ``mine``'s person at
    its level, routed to a committee this year and not withdrawn. ``mine`` is an application (its values)
    or the Application class itself (then a correlated condition, for a list: ``other`` an alias)."""
    year = today(now).year
    return (
        other.applicant_id == mine.applicant_id,
        other.level == mine.level,
        other.committee_id.is_not(None),
        other.committee_routed_on.between(date(year, 1, 1), date(year, 12, 31)),
        other.id != mine.id,
        other.status != Status.WITHDRAWN.value,
    )


def routing_refusal(routing_: Routing, chosen: int | None) -> str | None:
    """Why the application cannot go to the ``chosen`` committee (or, with none chosen, the implied one)."""
    rule = routing_.rules
    clause = Clause(f"EXAM-06，{rule.citation}" if rule else "EXAM-06")
    if chosen is None:
        if routing_.implied is None and len(routing_.candidates) > 1:
            return N_("有多个评委会可以受理该申报，请在审核页面选择评委会")
        return None
    if chosen not in {c.id for c in routing_.candidates}:
        return T_("所选评委会的受理范围不含该申报的专业、级别和受理地，不得送评（%(clause)s）", clause=clause)
    if routing_.colleagues is not None and routing_.colleagues.id != chosen and rule is not None:
        return T_(
            "本单位今年已将同一专业、同一级别的申报报送“%(name)s”，同一单位相同系列（专业）相同层级应统一报送同一评委会，不得多头报送（CHAN-01，%(same_for_unit)s）",
            name=routing_.colleagues.name,
            same_for_unit=Clause(rule.same_for_unit),
        )
    return None
