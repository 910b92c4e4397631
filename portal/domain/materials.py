"""The materials checklist (申报材料清单): which upload slots an application needs, what each expects and
why, and what is still missing before it can be submitted.

Slots are data, each citing its clause (policy-spec O, I, P). A slot is required, conditional (it appears
only when the application's facts call for it, and is then required), or optional. Slot names follow the
provincial system's "相关证明材料" groups (MAT-18) so an export maps one to one.
Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from portal.domain.form import Row, SectionKey
from portal.domain.i18n import N_, T_
from portal.domain.identity import DocumentType
from portal.domain.roster import normalize_unit_name

XUEXIN_VALID_MONTHS = 6  # 004 二(八): the 备案表's online verification is set to 6 months
XUEXIN_FROM_YEAR = 2002  # 004 二(八): graduates from 2002 on are verifiable on 学信网


@dataclass(frozen=True)
class DossierFacts:
    """What the application says about the person, as far as the checklist cares: the 申报表's rows
    (each row that needs proof asks for its own slot, issue 21.2) and the flags that add a slot."""

    rows: tuple[Row, ...] = ()
    enterprise_name: str = ""
    on_establishment: bool = False  # 在编 staff of a public institution
    insured_unit_differs: bool = False  # the roster's insuring unit is not the applying unit (单位不一致)
    continuing_education: bool = False  # the profile asks for continuing-education hours (CE-01)
    freelancer: bool = False  # SCOPE-02
    archive_hosted: bool = False  # SCOPE-05
    high_skill: bool = False  # SCOPE-09
    passport_holder: bool = False  # SCOPE-03: applies with a passport, so with a permit beside it
    identity_document: DocumentType = DocumentType.RESIDENT_ID  # the document the account was opened with
    permit_title: str = ""  # a passport holder's permit as recorded with the account (a msgid), if known
    notice_closed: bool = False
    # The bureau's hand-off target asks for the 职称申报承诺书 of 信用中国（云南昆明） (004 二(六), MAT-10).
    credit_pledge_required: bool = False
    notice: str = ""  # the seed tag of the bureau's profile's notice ("002"): the clauses shown cite it only

    def rows_of(self, section: SectionKey) -> list[Row]:
        return [r for r in self.rows if r.section is section]


class Source(StrEnum):
    UPLOAD = "upload"  # the applicant (or HR) uploads it
    ONLINE = "online"  # signed online in the form (the integrity pledge)
    GENERATED = "generated"  # the portal makes it (the public-notice result sheet)


@dataclass(frozen=True)
class Slot:
    key: str
    title: str
    expectation: str  # what is expected, in the applicant's words
    clause: str  # why: the notice clause and policy-spec rule
    provincial_group: str  # where the provincial system files it (MAT-18)
    required: bool = True
    condition: Callable[[DossierFacts], bool] | None = None
    condition_text: str = ""
    source: Source = Source.UPLOAD
    dated: bool = False  # the upload carries the document's date (备案表: validity counted from it)
    at_submit: bool = True  # False: only needed later (after the notice)
    # A slot of the rows of a section: one per row for which `row_condition` holds, keyed "<key>@<row id>".
    section: SectionKey | None = None
    row_condition: Callable[[Row, DossierFacts], bool] | None = None
    row_id: int | None = None
    row_label: str = ""

    def applies(self, facts: DossierFacts) -> bool:
        return self.section is None and (self.condition is None or self.condition(facts))

    @property
    def base(self) -> str:
        return self.key.partition("@")[0]

    @property
    def kind_title(self) -> str:
        """The slot type's title without the row ("学历证书"): for attributes such as an image's alt text,
        which cannot mark the row's own (Chinese) words as Chinese."""
        kind = SLOT_BY_KEY.get(self.base)
        return kind.title if kind is not None else self.title

    @property
    def conditional(self) -> bool:
        return self.condition is not None

    @property
    def section_key(self) -> str:
        """The key a return for correction names this slot by."""
        return f"material:{self.key}"


def _domestic(row: Row, facts: DossierFacts) -> bool:
    return not row.get("overseas")


def _graduated_from(year: int) -> Callable[[Row, DossierFacts], bool]:
    def holds(row: Row, facts: DossierFacts) -> bool:
        graduated = row.get("graduated_on")
        return not row.get("overseas") and isinstance(graduated, date) and (graduated.year >= year)

    return holds


def _before_xuexin(row: Row, facts: DossierFacts) -> bool:
    graduated = row.get("graduated_on")
    return not row.get("overseas") and isinstance(graduated, date) and graduated.year < XUEXIN_FROM_YEAR


def _prior_employer(row: Row, facts: DossierFacts) -> bool:
    employer = normalize_unit_name(str(row.get("employer") or ""))
    return (
        row.get("professional") == "是"
        and not row.get("internship")
        and bool(employer)
        and employer != normalize_unit_name(facts.enterprise_name)
    )


SLOTS: tuple[Slot, ...] = (
    Slot(
        "id_card",
        N_("身份证件"),
        N_("居民身份证正反面的原件扫描件或手机照片，可多张合成一份。"),
        "001 四(三)：" + N_("上传原件扫描件或照片") + "（MAT-01）",
        "基本信息",
    ),
    Slot(
        "foreign_permit",
        N_("外国人工作或居留许可证件"),
        N_(
            "持护照申报的，提供开设账号时登记的外国人来华工作许可证、外国人永久居留身份证或"
            "海外高层次人才居住证的原件扫描件或手机照片。"
        ),
        "002 一(二)；003 一(二)：" + N_("外国人持上述证件之一方可申报") + "（SCOPE-03）",
        "基本信息",
        condition=lambda f: f.passport_holder,
        condition_text=N_("持护照申报"),
    ),
    Slot(
        "diploma",
        N_("学历证书"),
        N_("该学历毕业证书原件的扫描件或照片。"),
        "001 四(三)（MAT-01）；002 五(二)（MAT-08）",
        "学历信息",
        section=SectionKey.EDUCATION,
        row_condition=_domestic,
        condition_text=N_("国内学历"),
    ),
    Slot(
        "degree",
        N_("学位证书"),
        N_("该学历对应的学位证书原件的扫描件或照片。"),
        "001 四(三)（MAT-01）；002 五(二)（MAT-08）",
        "学历信息",
        section=SectionKey.EDUCATION,
        row_condition=lambda r, f: _domestic(r, f) and r.get("degree") not in (None, "", "无"),
        condition_text=N_("填写了学位"),
    ),
    Slot(
        "xuexin",
        N_("学信网学历证书电子注册备案表"),
        N_(
            "在学信网打印《教育部学历证书电子注册备案表》，在线验证有效期设为6个月；请填写备案表的打印日期，"
            "提交时须仍在有效期内。"
        ),
        "004 二(八)：" + N_("2002年及以后毕业的须提供，验证有效期6个月") + "（MAT-09）",
        "学历信息",
        section=SectionKey.EDUCATION,
        row_condition=_graduated_from(XUEXIN_FROM_YEAR),
        condition_text=N_("2002年及以后国内毕业"),
        dated=True,
    ),
    Slot(
        "archive_proof",
        N_("单位审查档案的学历书面证明"),
        N_(
            "2002年以前毕业、学信网无法核验的，由单位审查人事档案后出具书面证明，人事负责人签字并加盖单位公章。"
        ),
        "004 二(八)：" + N_("2002年以前毕业无法网上核验的，由单位出具书面证明") + "（MAT-09）",
        "学历信息",
        section=SectionKey.EDUCATION,
        row_condition=_before_xuexin,
        condition_text=N_("2002年以前国内毕业"),
    ),
    Slot(
        "overseas_cert",
        N_("国（境）外学历学位认证书"),
        N_("教育部留学服务中心出具的国（境）外学历学位认证书。"),
        "002 五(二)（MAT-08）；004 二(八)（MAT-09）",
        "学历信息",
        section=SectionKey.EDUCATION,
        row_condition=lambda r, f: bool(r.get("overseas")),
        condition_text=N_("国（境）外学历"),
    ),
    Slot(
        "labour_contract",
        N_("劳动（聘用）合同"),
        N_("与本单位签订的劳动合同或聘用合同（含首页、期限页和签章页）。"),
        "001 三(四)：" + N_("申报单位须与参保单位一致") + "（SI-02）；004 二(三)（SI-03）",
        "相关证明材料",
        condition=lambda f: not f.freelancer and not f.archive_hosted,
        condition_text=N_("与用人单位签订劳动（聘用）合同"),
    ),
    Slot(
        "agency_proof",
        N_("人事代理证明"),
        N_("自由职业专业技术人员与人事代理机构签订的人事代理协议或机构出具的证明。"),
        "003 一(一)、四：" + N_("自由职业专业技术人员可通过人事代理机构申报") + "（SCOPE-02）",
        "相关证明材料 → 其他",
        condition=lambda f: f.freelancer,
        condition_text=N_("自由职业，经人事代理机构申报"),
    ),
    Slot(
        "archive_consent",
        N_("档案托管及省职称办同意材料"),
        N_("公共就业服务机构出具的档案托管证明，以及市职称办汇总后省职称办同意申报的意见。"),
        "001 三(四)：" + N_("档案托管人员经市职称办汇总、省职称办同意后申报") + "（SCOPE-05）",
        "相关证明材料 → 其他",
        condition=lambda f: f.archive_hosted,
        condition_text=N_("人事档案由公共就业服务机构托管"),
    ),
    Slot(
        "prior_work",
        N_("此前工作经历证明"),
        N_("在本单位之前从事专业技术工作的证明（原单位出具的工作证明、劳动合同等）。"),
        "001 四(三)：" + N_("入职前的专业工作经历须上传佐证材料") + "（EXP-02, MAT-04）",
        "相关证明材料 → 其它",
        section=SectionKey.WORK,
        row_condition=_prior_employer,
        condition_text=N_("在本单位之前的专业技术工作"),
    ),
    Slot(
        "internship",
        N_("在校实习证明"),
        N_("在校期间在专业技术岗位实习的证明，以及实习单位的考核意见。"),
        "000 三(五)：" + N_("在校实习计入工作年限须有佐证") + "（EXP-01, MAT-07）",
        "相关证明材料 → 其它",
        section=SectionKey.WORK,
        row_condition=lambda r, f: bool(r.get("internship")),
        condition_text=N_("在校实习经历"),
    ),
    Slot(
        "title_certificate",
        N_("职称证书"),
        N_("现有职称证书（或职称评审、认定的批准文件）的原件扫描件；外省取得的职称继续有效，由审核人核验。"),
        "003 二(七)：" + N_("外地职称继续有效") + "（EQUIV-03）；004 一(五)（EQUIV-04）",
        "资格信息",
        section=SectionKey.TITLE,
        row_condition=lambda r, f: r.get("kind") == "职称",
        condition_text=N_("填写了现有职称"),
    ),
    Slot(
        "practice_qualification",
        N_("职业资格证书"),
        N_("所持职业（执业、从业）资格证书的原件扫描件，须在有效期内。"),
        "001 三(五)："
        + N_("有从业准入要求的须先取得从业资格")
        + "（PREQ-01）；003 二(四)（EQUIV-01）；004 一(十)（EQUIV-02）",
        "资格信息",
        section=SectionKey.TITLE,
        row_condition=lambda r, f: r.get("kind") == "职业资格",
        condition_text=N_("填写了职业资格"),
    ),
    Slot(
        "skill_certificate",
        N_("职业技能等级证书"),
        N_("高技能人才的职业资格或职业技能等级证书。"),
        "003 二(二)：" + N_("高技能人才申报贯通领域职称") + "（SCOPE-09）",
        "资格信息",
        condition=lambda f: f.high_skill,
        condition_text=N_("高技能人才"),
    ),
    Slot(
        "exam_result",
        N_("考试成绩证明"),
        N_("全国统一考试的成绩合格证明（成绩单），须在有效期内。"),
        "003 二(五)：" + N_("高级会计、统计、审计、经济须考试合格且在有效期内") + "（EXAM-03, MAT-16）",
        "资格信息",
        section=SectionKey.EXAM,
        row_condition=lambda r, f: True,
        condition_text=N_("填写了考试"),
    ),
    Slot(
        "ce_record",
        N_("继续教育证明"),
        N_("继续教育学时证明（《继续教育培训考核汇总表》或继续教育平台的学时记录）。"),
        "003 二(九)：" + N_("继续教育学时须达到要求") + "（CE-01, MAT-17）",
        "继续教育",
        condition=lambda f: f.continuing_education or bool(f.rows_of(SectionKey.CE)),
        condition_text=N_("须提供继续教育学时"),
    ),
    Slot(
        "affiliation",
        N_("参保单位与申报单位隶属关系证明"),
        N_("参保单位与申报单位名称不一致时，两单位的隶属关系证明，须加盖两个单位的公章。"),
        "001 三(四)：" + N_("单位名称不一致须上传隶属关系证明") + "（SI-02, MAT-06）",
        "相关证明材料 → 其他",
        condition=lambda f: f.insured_unit_differs,
        condition_text=N_("参保名单中参保单位与申报单位不一致"),
    ),
    Slot(
        "establishment",
        N_("编制册"),
        N_("事业单位在编人员的编制册（本人所在页）。"),
        "000 三(四)：" + N_("在编人员上传编制册") + "（SI-01, MAT-05）",
        "相关证明材料 → 编制册",
        condition=lambda f: f.on_establishment,
        condition_text=N_("事业单位在编人员"),
    ),
    Slot(
        "credit_pledge",
        N_("职称申报承诺书（信用中国）"),
        N_(
            "在“信用中国（云南昆明）”网站的“昆明市专业技术人员职称申报信用承诺”栏目注册并填写承诺，"
            "在“我的申报”中打印《职称申报承诺书》，扫描或拍照上传。"
        ),
        "004 二(六)：" + N_("打印“职称申报承诺书”作为附件材料提交") + "（MAT-10）",
        "相关证明材料",
        condition=lambda f: f.credit_pledge_required,
        condition_text=N_("昆明市职称申报"),
    ),
    Slot(
        "achievement_proof",
        N_("业绩成果证明"),
        N_("该项业绩成果的证明材料（验收报告、任务书、用户证明等）。"),
        "002 四(一)：" + N_("申报表附件") + "（MAT-12）",
        "业绩成果",
        section=SectionKey.ACHIEVEMENT,
        row_condition=lambda r, f: True,
        condition_text=N_("填写了业绩成果"),
    ),
    Slot(
        "paper_pages",
        N_("论文著作页面"),
        N_("期刊封面、目录和论文正文页（著作：封面、版权页、目录）的扫描件，合成一份。"),
        "002 四(一)：" + N_("申报表附件") + "（MAT-12）",
        "论文著作",
        section=SectionKey.PAPER,
        row_condition=lambda r, f: True,
        condition_text=N_("填写了论文著作"),
    ),
    Slot(
        "award_certificate",
        N_("获奖证书"),
        N_("奖励证书（或授奖文件）的扫描件。"),
        "002 四(一)：" + N_("申报表附件") + "（MAT-12）",
        "业绩成果",
        section=SectionKey.AWARD,
        row_condition=lambda r, f: True,
        condition_text=N_("填写了奖励"),
    ),
    Slot(
        "patent_certificate",
        N_("专利证书或标准文本"),
        N_("专利证书，或标准的封面和起草人页的扫描件。"),
        "002 四(一)：" + N_("申报表附件") + "（MAT-12）",
        "业绩成果",
        section=SectionKey.PATENT,
        row_condition=lambda r, f: True,
        condition_text=N_("填写了专利或标准"),
    ),
    Slot(
        "pledge",
        N_("诚信承诺书"),
        N_("在申报表中在线签署诚信承诺书（记录签署时间和IP地址），无需上传。"),
        "002 五(三)：" + N_("申报人签署诚信承诺书") + "（INT-01）；003 七(三)（INT-02）",
        "诚信承诺",
        source=Source.ONLINE,
    ),
    Slot(
        "notice_result",
        N_("公示结果"),
        N_("单位公示期满后由系统生成公示结果表，无需上传。"),
        "004 二(七)：" + N_("附单位公示情况及结果") + "（PUB-02, MAT-11）",
        "相关证明材料 → 其他",
        source=Source.GENERATED,
        at_submit=False,
    ),
    Slot(
        "other",
        N_("其他材料"),
        N_("其他能证明业绩和能力的材料（可不传）。"),
        "001 三(四)：" + N_("“其他”栏") + "（MAT-18）",
        "相关证明材料 → 其他",
        required=False,
    ),
)
SLOT_BY_KEY = {slot.key: slot for slot in SLOTS}
# The 身份证件 slot asks for the document the account was opened with (SCOPE-03), not always the ID card.
_IDENTITY_EXPECTATIONS: dict[DocumentType, str] = {
    DocumentType.RESIDENT_ID: SLOT_BY_KEY["id_card"].expectation,
    DocumentType.HMT_RESIDENCE_PERMIT: N_("港澳台居民居住证正反面的原件扫描件或手机照片，可多张合成一份。"),
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: N_(
        "外国人永久居留身份证正反面的原件扫描件或手机照片，可多张合成一份。"
    ),
    DocumentType.HK_MACAU_PERMIT: N_("港澳居民来往内地通行证正反面的原件扫描件或手机照片，可多张合成一份。"),
    DocumentType.TAIWAN_PERMIT: N_(
        "台湾居民来往大陆通行证（卡式证件的正反面，旧版本式证件的个人资料页）的原件扫描件或手机照片，"
        "可多张合成一份。"
    ),
    DocumentType.PASSPORT: N_("护照个人资料页（有照片的一页）的原件扫描件或手机照片，可多张合成一份。"),
}
# What the applicant signs online (INT-01, INT-02); the checklist shows it and hand-offs carry it.
PLEDGE_TEXT = (
    "本人承诺：所填报的信息和提交的材料真实、准确、完整。如有弄虚作假，自愿承担取消申报资格、撤销已取得职称的后果，"
    "并同意记入职称申报评审诚信档案库（3年）。"
)
PLEDGE_CLAUSE = "002 五(三)、003 七(三)"
# A slot's clause is data cited as written; the words after its "：" are marked (N_) so that the English
# interface reads them in English beside the numbered clause ("001 4(3): upload a scan or photo of the
# original", web.i18n.clause).
UPLOAD_SLOTS = tuple(slot for slot in SLOTS if slot.source is Source.UPLOAD)

# A slot's clause lists each notice stating the rule, "；" between notices (also "、" before another
# notice's tag, as the pledge's): "001 四(三)（MAT-01）；002 五(二)（MAT-08）". A part without its own words
# shares the next part's ("002 一(二)；003 一(二)：外国人持上述证件之一方可申报（SCOPE-03）").
_NOTICE_PARTS = re.compile(r"；|、(?=[0-9]{3} )")
_NOTICE_PART = re.compile(r"^([0-9]{3}) ([^：（(]*(?:\([^)]*\)[^：（(]*)*)(.*)$")


def notice_clause(clause: str, notice: str) -> str:
    """The parts of a slot's (or the pledge's) clause that cite ``notice`` (the bureau's profile's own
    notice, its seed tag: "002"), with their words: a user is never told another city's clause as the
    ground of what they upload. "" where the clause cites no part of that notice (or no notice is given)."""
    if not notice:
        return ""
    parts = [p.strip() for p in _NOTICE_PARTS.split(clause)]
    found = [_NOTICE_PART.match(p) for p in parts]
    kept: list[str] = []
    for i, match in enumerate(found):
        if match is None or match.group(1) != notice:
            continue
        tag, number, words = match.groups()
        if not words.strip():  # shares the words of the next part that has some
            words = next((m.group(3) for m in found[i + 1 :] if m is not None and m.group(3).strip()), "")
        kept.append(f"{tag} {number.strip()}{words}")
    return "；".join(kept)


XUEXIN_FIELD = "xuexin_on"  # the 学历学位 row's 备案表 printing date


def slots_for(facts: DossierFacts) -> list[Slot]:
    """The slots this application's checklist shows, in checklist order: the application's own, and one per
    row that needs proof ("diploma@12": the 学历证书 of education row 12), titled with the row."""
    found: list[Slot] = []
    for slot in SLOTS:
        if slot.section is None:
            if slot.key == "id_card":
                slot = replace(slot, expectation=_IDENTITY_EXPECTATIONS[facts.identity_document])
            elif slot.key == "foreign_permit" and facts.permit_title:
                # The one permit HR recorded, not the list of three the person may not recognise theirs in.
                expectation = T_(
                    "开设账号时登记的%(permit)s的原件扫描件或手机照片。", permit=facts.permit_title
                )
                slot = replace(slot, expectation=expectation)
            if slot.applies(facts):
                found.append(slot)
            continue
        for row in facts.rows_of(slot.section):
            if slot.row_condition is not None and slot.row_condition(row, facts):
                found.append(
                    replace(
                        slot,
                        key=f"{slot.key}@{row.id}",
                        title=T_("%(slot)s（%(row)s）", slot=slot.title, row=row.label),
                        row_id=row.id,
                        row_label=row.label,
                    )
                )
    return found


def base_slot(key: str) -> Slot | None:
    """The slot type a stored slot key names ("diploma@12" → 学历证书), or None for an unknown key."""
    return SLOT_BY_KEY.get(key.partition("@")[0])


def slot_title(key: str, shown: Mapping[str, Slot] | None = None) -> str:
    """A slot key's title: the application's own slot (with its row) when given, else the type's."""
    if shown and key in shown:
        return shown[key].title
    slot = base_slot(key)
    return slot.title if slot else key


def moved_slot(key: str, row_ids: Mapping[int, int]) -> str | None:
    """The key of a copied material in the new application: a row's slot follows its row's new id (None
    when the row was not copied)."""
    base, _, row = key.partition("@")
    if not row:
        return key
    return f"{base}@{row_ids[int(row)]}" if row.isdigit() and int(row) in row_ids else None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (08-31 + 6 → 02-28)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def xuexin_valid_until(printed_on: date) -> date:
    """The last day the 备案表's online verification works (6 months from printing, 004 二(八))."""
    return add_months(printed_on, XUEXIN_VALID_MONTHS)


@dataclass(frozen=True)
class Gap:
    slot: Slot
    why: str  # "未上传" or why what is there does not count


def gaps(
    facts: DossierFacts,
    filled: Iterable[str],
    *,
    today: date,
    pledge_signed: bool,
    document_dates: dict[str, date | None] | None = None,
) -> list[Gap]:
    """What blocks submission: each required slot (that applies now) with nothing in it, and a 备案表 whose
    6-month validity has run out."""
    have = set(filled)
    dates = document_dates or {}
    found: list[Gap] = []
    for slot in slots_for(facts):
        if not slot.required or not slot.at_submit:
            continue
        if slot.source is Source.ONLINE:
            if not pledge_signed:
                found.append(Gap(slot, N_("尚未签署")))
            continue
        if slot.source is not Source.UPLOAD:
            continue
        if slot.key not in have:
            found.append(Gap(slot, N_("未上传")))
        elif slot.dated:
            printed = dates.get(slot.key)
            row = next((r for r in facts.rows if r.id == slot.row_id), None)
            on_row = row.get(XUEXIN_FIELD) if row is not None else None
            if isinstance(on_row, date) and (printed is None or on_row > printed):
                printed = on_row
            if printed is None:
                found.append(Gap(slot, N_("未填写打印日期")))
            elif xuexin_valid_until(printed) < today:
                found.append(
                    Gap(slot, T_("已超过6个月验证有效期（%(day)s到期）", day=xuexin_valid_until(printed)))
                )
    return found


class SlotState(StrEnum):
    MISSING = "missing"
    UPLOADED = "uploaded"
    ENDORSED = "endorsed"
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    RETURNED = "returned"
    SIGNED = "signed"
    GENERATED = "generated"
    PENDING = "pending"  # not needed yet (after the notice) or optional and empty
    ORPHANED = "orphaned"  # files whose 申报表 row was deleted: no longer needed, to be removed

    @property
    def title(self) -> str:
        return {
            "missing": N_("缺少"),
            "uploaded": N_("已上传"),
            "endorsed": N_("已核对签章"),
            "awaiting_endorsement": N_("复印件待单位核对"),
            "returned": N_("退回补正"),
            "signed": N_("已签署"),
            "generated": N_("已生成"),
            "pending": N_("暂不需要"),
            "orphaned": N_("对应条目已删除"),
        }[self.value]


def slot_state(
    slot: Slot,
    *,
    uploads: int,
    copies_unendorsed: int,
    copies: int,
    returned: bool,
    pledge_signed: bool,
    notice_closed: bool,
) -> SlotState:
    """The state the applicant sees for one slot."""
    if returned:
        return SlotState.RETURNED
    if slot.source is Source.ONLINE:
        return SlotState.SIGNED if pledge_signed else SlotState.MISSING
    if slot.source is Source.GENERATED:
        return SlotState.GENERATED if notice_closed else SlotState.PENDING
    if uploads == 0:
        return SlotState.MISSING if slot.required else SlotState.PENDING
    if copies_unendorsed:
        return SlotState.AWAITING_ENDORSEMENT
    if copies:
        return SlotState.ENDORSED
    return SlotState.UPLOADED
