"""The portal's words: one glossary of the terms the UI uses, the status titles and their badge tones.

Clerks learn the product by its words. A step called 经办人初审 on one page and 初审 or 审核 on the next
reads as two different steps, so every name of a step, an action, a status or a role the screens show is
written here once; portal.domain.workflow takes its status and action titles from here, the templates read
them through the `status_badge` macro and `term()`, and tests/web/test_glossary.py scans the templates for
the variants listed in VARIANTS.

Pure data: no Flask, no SQLAlchemy. Keys are the plain string values of the workflow's enums, so this
module imports nothing and the workflow can import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.domain.i18n import N_, wordings

# The series HR most often starts an application in: a suggestion list (any series may be typed). A series is
# stored and printed in Chinese; the English interface shows each one's English beside it (portal.web.series),
# names it in English wherever a page shows a series (portal.web.i18n.series_word: the catalogue's word, as
# the statistics chart) and takes a series typed in English back as its Chinese name (series_as_stored).
SERIES_SUGGESTIONS: tuple[str, ...] = (
    N_("工程"),
    N_("经济"),
    N_("会计"),
    N_("统计"),
    N_("卫生"),
    N_("农业"),
    N_("中小学教师"),
    N_("工艺美术"),
    N_("新闻"),
    N_("档案"),
)


def series_as_stored(typed: str) -> str:
    """The Chinese name of a suggested series typed as any language of the interface names it (case and
    spaces aside: "engineering " is 工程), so it meets the applications' and the profile's series; any
    other text unchanged (a series need not be one of the suggestions)."""
    key = " ".join(typed.split()).casefold()
    if key:
        for name in SERIES_SUGGESTIONS:
            if any(key == " ".join(words.split()).casefold() for words in wordings(name)):
                return name
    return typed


# The steps of the route and the words for them (policy-spec §3, DESIGN.md §3).
TERMS: dict[str, str] = {
    "handler_review": N_("经办人初审"),
    "leader_sign": N_("领导签批"),
    "return": N_("退回补正"),
    "notice": N_("公示"),
    "forward": N_("报送"),
    "panel_review": N_("评审"),
    "recognition": N_("认定"),
    "certify": N_("认定发证"),
    "applicant": N_("申报人"),
    "handler": N_("经办人"),
    "leader": N_("领导"),
    "admin": N_("管理员"),  # of any organisation: opens staff accounts, gives and ends roles
    "enterprise": N_("用人单位"),
    "department": N_("主管部门"),
    "bureau": N_("人社局"),
    "committee": "评委会",  # 职称评审委员会
    "committee_office": "评委会办事机构",
    "meeting": "评审会议",
    "expert": "评审专家",
    "filing": "备案",
    "title_confirmation": "职称确认",
    "application": N_("申报"),
    "correction": N_("补正"),
    "objection": N_("异议"),
    "workday": N_("工作日"),
    # The queue tabs' short labels: a tab names the step it collects (待经办人初审 would not fit a tab).
    "tab_handler": N_("待初审"),
    "tab_leader": N_("待签批"),
}


class Tone(StrEnum):
    """A badge's colour family. Every badge also carries its words: colour is never the only signal."""

    DRAFT = "draft"  # grey: nobody has sent it yet
    ACTIVE = "active"  # blue: a reviewer is working on it
    WAITING = "waiting"  # amber: between steps (notice, forwarding)
    ATTENTION = "attention"  # red: the applicant must act
    DONE = "done"  # green: certified
    ENDED = "ended"  # muted grey: stopped without a certificate


@dataclass(frozen=True)
class StatusWords:
    value: str
    title: str  # what the badge says
    tone: Tone
    explanation: str  # one line for the styleguide and the applicant: what happens now


STATUSES: dict[str, StatusWords] = {
    s.value: s
    for s in (
        StatusWords("draft", N_("草稿"), Tone.DRAFT, N_("申报人正在填写，尚未提交")),
        StatusWords("submitted", N_("已提交，待经办人初审"), Tone.ACTIVE, N_("用人单位经办人进行初审")),
        StatusWords(
            "unit_review", N_("单位审核中，待领导签批"), Tone.ACTIVE, N_("经办人已初审，待单位领导签批")
        ),
        StatusWords(
            "unit_approved", N_("单位已通过，待公示"), Tone.WAITING, N_("单位经办人起草公示，领导发布")
        ),
        StatusWords("in_notice", N_("公示中"), Tone.WAITING, N_("在本单位公示不少于5个工作日")),
        StatusWords("notice_passed", N_("公示无异议，待报送"), Tone.WAITING, N_("单位领导报送主管部门")),
        StatusWords("dept_review", N_("主管部门审核中"), Tone.ACTIVE, N_("主管部门经办人初审、领导签批")),
        StatusWords(
            "bureau_review", N_("人社局审核中"), Tone.ACTIVE, N_("人社局经办人初审、领导签批后认定发证")
        ),
        # The committee road (评审, issue 22).
        StatusWords(
            "committee_review",
            N_("评委会办事机构审核中"),
            Tone.ACTIVE,
            N_("评委会办事机构经办人初审、领导签批受理"),
        ),
        StatusWords(
            "committee_accepted",
            N_("评委会已受理，待评前公示"),
            Tone.WAITING,
            N_("办事机构经办人起草评前公示，领导发布"),
        ),
        StatusWords(
            "committee_notice", N_("评前公示中"), Tone.WAITING, N_("在评委会办事机构网站公示不少于5个工作日")
        ),
        StatusWords(
            "awaiting_meeting", N_("待评审会议"), Tone.WAITING, N_("列入评审会议议程，由评审专家表决")
        ),
        StatusWords(
            "voted", N_("已表决，待结果公示"), Tone.WAITING, N_("办事机构经办人起草评审结果公示，领导发布")
        ),
        StatusWords("result_notice", N_("评审结果公示中"), Tone.WAITING, N_("评审结果公示不少于5个工作日")),
        StatusWords(
            "result_noticed", N_("结果公示期满，待确认"), Tone.ACTIVE, N_("办事机构领导确认评审结果")
        ),
        StatusWords("result_confirmed", N_("评审通过，待公布"), Tone.WAITING, N_("职称办发文公布评审结果")),
        StatusWords(
            "result_published",
            N_("已公布，待录入证书编号"),
            Tone.WAITING,
            N_("录入省统一编号的电子职称证书编号"),
        ),
        StatusWords("certified", N_("已认定发证"), Tone.DONE, N_("已认定，可下载电子证书")),
        StatusWords("returned", N_("已退回补正"), Tone.ATTENTION, N_("申报人须在期限内补正后重新提交")),
        StatusWords("abandoned", N_("逾期未补正，已终止"), Tone.ENDED, N_("补正期限已过，视为放弃申报")),
        StatusWords("rejected", N_("未通过"), Tone.ENDED, N_("本次申报未通过")),
        StatusWords("withdrawn", N_("已撤回"), Tone.ENDED, N_("申报人已撤回本次申报")),
        StatusWords("not_passed", N_("评审未通过"), Tone.ENDED, N_("评审委员会表决未通过，原因见办理进程")),
    )
}

# The titles of every other state the screens show, by the state's kind. Each kind is a StrEnum in
# portal.models (CorrectionStatus, ImportStatus, ...) whose `title` reads this table, and each column
# holding one has a CHECK constraint built from the enum (portal.models.base.one_of).
STATE_TITLES: dict[str, dict[str, str]] = {
    "correction": {
        "open": N_("待补正"),
        "resubmitted": N_("已补正"),
        "abandoned": N_("逾期未补正"),
        "closed": N_("已结束"),
    },
    "import": {"checked": N_("已检查，待确认导入"), "imported": N_("已导入")},
    "notice": {"draft": N_("草稿，待领导发布"), "published": N_("公示中"), "closed": N_("已结束")},
    "notice_entry": {
        "pending": N_("公示中"),
        "passed": N_("公示期满，无异议"),
        "removed": N_("异议成立，已撤出公示"),
    },
    "objection": {"open": N_("待处理"), "upheld": N_("异议成立"), "dismissed": N_("异议不成立")},
    "transfer": {
        "requested": N_("待原单位放行"),
        "completed": N_("已转入"),
        "refused": N_("原单位未同意"),
        "cancelled": N_("已撤销"),
    },
    "audit_outcome": {"ok": N_("成功"), "denied": N_("拒绝"), "failed": N_("失败")},
    "awaiting": {"applicant": N_("待申报人补正"), "handler": N_("待经办人办理"), "leader": N_("待领导签批")},
    "notice_purpose": {
        "applicants": N_("申报人员公示"),
        "pre_review": N_("评前公示"),
        "result": N_("评审结果公示"),
    },
    "meeting": {
        "planned": N_("筹备中，待报备"),
        "filed": N_("已报备，待确认"),
        "accepted": N_("备案通过"),
        "refused": N_("备案未通过，待修改后重报"),
        "voting": N_("表决中"),
        "tallied": N_("已计票，待结果公示"),
        "confirmed": N_("结果已确认，待公布"),
        "published": N_("评审结果已公布"),
        "cancelled": N_("已取消"),
    },
    "ballot": {"yes": N_("赞成"), "no": N_("反对"), "abstain": N_("弃权")},
    "meeting_entry": {"pending": N_("待表决"), "passed": N_("表决通过"), "failed": N_("表决未通过")},
    "title_origin": {"other_province": N_("外省取得"), "central_unit": N_("中央单位取得")},
    "title_confirmation": {
        "requested": N_("待报送人社局确认"),
        "recognised": N_("按原职称直接认可"),
        "sent": N_("已报人社局，待确认"),
        "confirmed": N_("人社局已确认"),
        "refused": N_("人社局不予确认"),
    },
    "committee_call": {
        "draft": N_("草稿，待报备"),
        "filed": N_("已报人社局备案，待确认"),
        "accepted": N_("备案通过，待发布"),
        "refused": N_("备案未通过，待修改后重报"),
        "published": N_("已发布"),
    },
    "committee_kind": {"city": N_("市（区）级评委会"), "provincial": N_("省级评委会")},
    "scope_source": {"profile": N_("政策配置载入"), "admin": N_("管理员录入")},
    "handoff_import": {"checked": N_("已核对，待确认导入"), "applied": N_("已导入")},
    "handoff_result": {"passed": N_("通过"), "failed": N_("未通过")},
    "recommendation_method": {
        "vote": N_("民主推荐（投票）"),
        "panel": N_("评议小组评议"),
        "assessment": N_("考核推荐"),
        "leadership": N_("领导班子集体研究"),
    },
    "recommendation": {"recommend": N_("同意推荐"), "not_recommend": N_("不同意推荐")},
}


def state_title(kind: str, value: object) -> str:
    """The title of one state of `kind` (a key of STATE_TITLES); an unknown one is a programming error."""
    return STATE_TITLES[kind][str(value)]


# The badge colours of the committee road's own states (评审, issue 22), by the same families as an
# application's: waiting on someone (a filing with the bureau) amber, at work blue, done green, stopped
# grey, back with its makers to correct red. Every value of each kind has one (tests/web/test_design_system),
# and the styleguide lists them beside the application statuses.
STATE_TONES: dict[str, dict[str, Tone]] = {
    "meeting": {
        "planned": Tone.DRAFT,
        "filed": Tone.WAITING,
        "accepted": Tone.ACTIVE,
        "refused": Tone.ATTENTION,
        "voting": Tone.ACTIVE,
        "tallied": Tone.WAITING,
        "confirmed": Tone.WAITING,
        "published": Tone.DONE,
        "cancelled": Tone.ENDED,
    },
    "meeting_entry": {"pending": Tone.WAITING, "passed": Tone.DONE, "failed": Tone.ENDED},
    "committee_call": {
        "draft": Tone.DRAFT,
        "filed": Tone.WAITING,
        "accepted": Tone.WAITING,
        "refused": Tone.ATTENTION,
        "published": Tone.DONE,
    },
    "title_confirmation": {
        "requested": Tone.DRAFT,
        "recognised": Tone.DONE,
        "sent": Tone.WAITING,
        "confirmed": Tone.DONE,
        "refused": Tone.ENDED,
    },
}


def state_tone(kind: str, value: object) -> str:
    """The badge colour family of one state of ``kind`` (a key of STATE_TONES)."""
    return STATE_TONES[kind][str(value)].value


ACTION_TITLES: dict[str, str] = {
    "submit": N_("提交申报"),
    "handler_approve": N_("经办人初审通过"),
    "leader_approve": N_("领导签批通过"),
    "start_notice": N_("发布公示"),
    "close_notice": N_("公示期满无异议"),
    "forward": N_("报送主管部门"),
    "certify": N_("认定发证"),
    "return": N_("退回补正"),
    "send_back": N_("退回经办人重审"),
    "resubmit": N_("补正后重新提交"),
    "reject": N_("不予通过"),
    "withdraw": N_("撤回申报"),
    "abandon": N_("逾期未补正终止"),
    "send_to_committee": N_("送评委会评审"),
    "return_to_sender": N_("退回报送单位"),
    "tally": N_("评审表决计票"),
    "confirm_pass": N_("确认评审通过"),
    "confirm_fail": N_("确认评审未通过"),
    "publish_result": N_("发文公布评审结果"),
    "record_certificate": N_("录入证书编号"),
}


# The confirmation once a step is done: in Chinese 已 and the step's name, as the pages always wrote it; each
# its own message, so English says what happened ("Signed off and approved"), not "Done:" and the button.
ACTION_DONE: dict[str, str] = {
    "submit": N_("已提交申报"),
    "handler_approve": N_("已经办人初审通过"),
    "leader_approve": N_("已领导签批通过"),
    "start_notice": N_("已发布公示"),
    "close_notice": N_("已公示期满无异议"),
    "forward": N_("已报送主管部门"),
    "certify": N_("已认定发证"),
    "return": N_("已退回补正"),
    "send_back": N_("已退回经办人重审"),
    "resubmit": N_("已补正后重新提交"),
    "reject": N_("已不予通过"),
    "withdraw": N_("已撤回申报"),
    "abandon": N_("已逾期未补正终止"),
    "send_to_committee": N_("已送评委会评审"),
    "return_to_sender": N_("已退回报送单位"),
    "tally": N_("已评审表决计票"),
    "confirm_pass": N_("已确认评审通过"),
    "confirm_fail": N_("已确认评审未通过"),
    "publish_result": N_("已发文公布评审结果"),
    "record_certificate": N_("已录入证书编号"),
}


# What the free text of a step in the history is, named before it: the reason a case was returned or
# refused, the reviewer's optional opinion on an approval, the vote behind a committee's result, the number
# of the document publishing it ("理由：镇职称〔2026〕31号" read as if the publication had a reason).
NOTE_TITLES: dict[str, str] = {
    "handler_approve": N_("审核意见"),
    "leader_approve": N_("审核意见"),
    "forward": N_("审核意见"),
    "certify": N_("审核意见"),
    "send_to_committee": N_("审核意见"),
    "tally": N_("表决情况"),
    "confirm_fail": N_("表决情况"),
    "publish_result": N_("文号"),
}


def note_title(action: str) -> str:
    """The name of a history step's free text: `NOTE_TITLES`, otherwise 理由."""
    return NOTE_TITLES.get(action, N_("理由"))


# The two roads to a certificate (DESIGN §3): the bureau certifies by 认定 ("bureau", 考核认定/初定), or a
# review committee votes, the title office publishes the result and the province's number is recorded
# ("committee", 评审, issue 22). Nothing was 认定'd on the second, so what a certified case says follows
# its road; the road's own steps already say 评审 (评审通过，待公布 before the publication, 003 六(二)).
BUREAU_ROAD = "bureau"
COMMITTEE_ROAD = "committee"

# A certificate reached by 评审: the committee passed it (the notices' word for the outcome, 评审通过率 in
# 003 六(一)); the certificate is issued as on the other road.
CERTIFIED_BY_REVIEW = StatusWords(
    "certified", N_("评审通过，已发证"), Tone.DONE, N_("评审通过，可下载电子证书")
)

# The label of a certificate's date (certified_at: the day the certificate was issued, by 认定发证 or by
# recording the province's number). The notices give no label for a title obtained by 评审; the province's
# own exports head that date 取得时间 (handoffs/jx.toml's accepted headers), so 取得资格时间 — never 认定日期.
CERTIFICATE_DATE_WORDS: dict[str, str] = {BUREAU_ROAD: N_("认定日期"), COMMITTEE_ROAD: N_("取得资格时间")}


# A unit notice whose objections were all found unfounded (异议不成立) ends in the same status as one that
# drew none (notice_passed: the next step is the same), but the case does not say 无异议 of it: its badge
# and its history's step say what happened, as its 公示结果 does (有异议，经核查不成立). The service decides
# whether it was so (services.notices.overruled); these are only the words.
NOTICE_PASSED_OVER_OBJECTIONS = StatusWords(
    "notice_passed", N_("公示期满（异议经核查不成立），待报送"), Tone.WAITING, N_("单位领导报送主管部门")
)
CLOSE_NOTICE_OVER_OBJECTIONS = N_("公示期满（异议经核查不成立）")


def status_words(status: object, road: str = BUREAU_ROAD, overruled: bool = False) -> StatusWords:
    """The words and tone of a workflow status (a Status, or its string value) for a case on ``road``:
    a certificate differs, 评审通过 on the committee road where the bureau's road says 已认定发证; and a
    notice passed over objections found unfounded (``overruled``) is not called 公示无异议."""
    if road == COMMITTEE_ROAD and str(status) == CERTIFIED_BY_REVIEW.value:
        return CERTIFIED_BY_REVIEW
    if overruled and str(status) == NOTICE_PASSED_OVER_OBJECTIONS.value:
        return NOTICE_PASSED_OVER_OBJECTIONS
    return STATUSES[str(status)]


# Where one word must name a status for cases of both roads at once — the queue's status filter, whose one
# value selects every certificate — a certificate is named by what both roads end with: it was issued
# (认定发证 on one, the province's number recorded after a published pass on the other, 003 六(二)).
CERTIFICATE_ISSUED = N_("已发证")


def status_choices() -> tuple[tuple[str, str], ...]:
    """The queue filter's statuses as (value, title), drafts left out: each status's glossary title,
    a certificate's neutral (:data:`CERTIFICATE_ISSUED`) since the choice selects both roads' certificates."""
    return tuple(
        (value, CERTIFICATE_ISSUED if value == CERTIFIED_BY_REVIEW.value else words.title)
        for value, words in STATUSES.items()
        if value != "draft"
    )


def status_tones() -> dict[str, str]:
    """Each status title (a certificate's on either road) with its tone's name: the charts colour a
    status's bar as its badge."""
    tones = {words.title: words.tone.value for words in STATUSES.values()}
    tones[CERTIFIED_BY_REVIEW.title] = CERTIFIED_BY_REVIEW.tone.value
    return tones


def certificate_date_words(road: str) -> str:
    """The label of a certificate's date for a case on ``road`` (认定日期 only where it was 认定'd)."""
    return CERTIFICATE_DATE_WORDS[COMMITTEE_ROAD if road == COMMITTEE_ROAD else BUREAU_ROAD]


def term(key: str) -> str:
    """A glossary term by its key; an unknown key is a programming error, not a blank on the page."""
    return TERMS[key]


@dataclass(frozen=True)
class Variant:
    """Text the UI must not use, the term to use instead, and why."""

    pattern: str  # a regular expression over template text
    use: str
    why: str


# What tests/web/test_glossary.py refuses in templates. Each pattern matches the variant only where it
# names the glossary's thing (a lookbehind keeps 经办人初审 itself, and the 待初审 tab, legal).
VARIANTS: tuple[Variant, ...] = (
    Variant(r"(?<!经办人)(?<!待)初审", "经办人初审", "the handler's first step has one name"),
    Variant(r"领导(审批|审核|批准)", "领导签批", "the leader's step is a signing (签批)"),
    Variant(r"退回(修改|补充|重填)", "退回补正", "a return is always 退回补正 (004 一(四))"),
    Variant(r"公告期|公告中", "公示", "the public notice is 公示"),
    Variant(r"上报主管|提交主管部门|呈报", "报送主管部门", "sending up the route is 报送"),
    Variant(r"申请人", "申报人", "the person applying is 申报人"),
    Variant(r"撤销申报", "撤回申报", "撤销 is for certificates; an applicant 撤回 an application"),
    Variant(r"人社部门|劳动局|人力资源和社会保障局", "人社局", "the certifying body is 人社局"),
    Variant(r"主管单位", "主管部门", "the park office level is 主管部门"),
)


def cn_date(value: date | None) -> str:
    """A date as the UI writes it everywhere: 2026年9月29日 (never 2026-09-29); None as 未填写."""
    if value is None:
        return "未填写"
    return f"{value.year}年{value.month}月{value.day}日"
