"""The printed 申报表 (issue 21.7): the form's parts in the order the province's form prints them (the
bureau's policy profile, `[form] order`: MAT-12 002 四(一), MAT-14 003 四(一)), each repeating section as a
table, the unit's opinion (基层单位意见, EXP-04 004 二(九)) with the notice outcome from the notice record
(PUB-05), and the pledge. One structure for every reader: the applicant's and the reviewers' pages (A4 in
print, one block per row at 375 px), the package PDF, and the hand-offs to the provincial systems.

Guarantees: ID numbers are shown in full only to those services.scope allows; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.domain import form as schema
from portal.domain.glossary import cn_date
from portal.domain.identity import mask_id_number
from portal.domain.policy import FORM_PARTS
from portal.models import Application
from portal.services import forms, unit_opinions
from portal.services.actors import Actor
from portal.services.calendar import SHANGHAI, today
from portal.services.policies import effective_profile
from portal.services.scope import sees_full_identity


@dataclass(frozen=True)
class Part:
    """One part of the printed form: facts (label, value) or a table (headers, rows), or a note."""

    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: str = ""

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


@dataclass(frozen=True)
class PrintedForm:
    title: str
    parts: list[Part]
    order_citation: str


DEFAULT_CITATION = "002 四(一)"


def _basic(actor: Actor | None, application: Application) -> Part:
    person = application.applicant
    full = actor is not None and sees_full_identity(actor, application)
    number = person.id_number if full else mask_id_number(person.id_number)
    facts = [
        ("姓名", person.name),
        # The row is named by the applicant's own document (身份证号码, 护照号码…), as the certificate and
        # every page about one person name it: a passport or permit number is no ID card number, and a
        # generic 证件号码 with the document after the number read as a form nobody filled for this person.
        (person.number_label, number),
        ("工作单位", application.enterprise.name),
        ("申报系列 / 专业", f"{application.series} / {application.specialty}"),
        ("申报级别", application.level),
        ("申报途径", application.pathway or "—"),
        (
            "参加工作时间",
            schema.shown(schema.FieldSpec("d", "", schema.FieldKind.DATE), application.work_started_on),
        ),
    ]
    for spec in schema.FLAT_FIELDS:
        if spec.name == "work_summary":
            continue
        value = getattr(application, spec.name)
        if value in (None, "", False):
            continue  # only the categories and facts that hold are printed
        facts.append((spec.title, schema.shown(spec, value)))
    return Part("basic", "基本情况", facts=facts)


def _section(rows: tuple[schema.Row, ...], key: str) -> Part:
    spec = schema.SECTION_BY_KEY[key]
    mine = [r for r in rows if r.section.value == key]
    shown_fields = [
        f for f in spec.fields if any(r.values.get(f.name) not in (None, "", False) for r in mine)
    ]
    return Part(
        key,
        spec.title,
        headers=[f.title for f in shown_fields] if mine else [],
        rows=[[r.shown(f.name) for f in shown_fields] for r in mine],
        empty="无",
    )


def _opinion(session: Session, application: Application) -> Part:
    opinion = unit_opinions.opinion_of(session, application.id)
    outcome = unit_opinions.notice_outcome(session, application.id)
    if opinion is None:
        return Part("opinion", "基层单位意见", empty="尚未填写（单位审核时填写）")
    votes = f"，同意{opinion.votes_for}票" if opinion.votes_for is not None else ""
    return Part(
        "opinion",
        "基层单位意见",
        facts=[
            ("对专业技术工作的评价", opinion.evaluation),
            ("推荐方式", opinion.method_title),
            ("参加人员及人数", f"{opinion.participants}（{opinion.participants_count}人{votes}）"),
            ("推荐意见", opinion.recommendation_title),
            ("意见形成过程", opinion.formation),
            ("年度考核", f"{opinion.assessment}（{'合格' if opinion.assessment_passed else '不合格'}）"),
            ("公示情况", outcome or "尚未公示"),
            ("填写人", f"{opinion.author.name} {cn_date(today(opinion.updated_at))}"),
        ],
    )


def _pledge(application: Application) -> Part:
    signed = application.pledge_signed_at
    text = "未签署"
    if signed:
        at = f"{cn_date(today(signed))} {signed.astimezone(SHANGHAI):%H:%M}"
        text = f"已于 {at} 在线签署（IP {application.pledge_ip}）"
    return Part("pledge", "诚信承诺书", facts=[("签署情况", text)])


def printed_form(session: Session, actor: Actor | None, application: Application) -> PrintedForm:
    """The 申报表 as printed, in the profile's order (a profile without one: the order of 002 四(一))."""
    profile = effective_profile(session, application.bureau)
    layout = profile.form if profile is not None else None
    order = layout.order if layout is not None else FORM_PARTS
    rows = forms.rows_of(session, application.id)
    parts: list[Part] = []
    for key in order:
        if key == "basic":
            parts.append(_basic(actor, application))
        elif key == "summary":
            parts.append(
                Part("summary", "工作总结", facts=[("工作总结", application.work_summary or "未填写")])
            )
        elif key == "opinion":
            parts.append(_opinion(session, application))
        elif key == "pledge":
            parts.append(_pledge(application))
        else:
            parts.append(_section(rows, key))
    title = "专业技术资格评审申报表" if application.pathway == "评审" else "专业技术资格申报表"
    return PrintedForm(title, parts, layout.citation if layout is not None else DEFAULT_CITATION)
