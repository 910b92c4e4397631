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

# The steps of the route and the words for them (policy-spec §3, DESIGN.md §3).
TERMS: dict[str, str] = {
    "handler_review": "经办人初审",
    "leader_sign": "领导签批",
    "return": "退回补正",
    "notice": "公示",
    "forward": "报送",
    "panel_review": "评审",
    "recognition": "认定",
    "certify": "认定发证",
    "applicant": "申报人",
    "handler": "经办人",
    "leader": "领导",
    "admin": "管理员",  # of any organisation: opens staff accounts, gives and ends roles
    "enterprise": "用人单位",
    "department": "主管部门",
    "bureau": "人社局",
    "application": "申报",
    "correction": "补正",
    "objection": "异议",
    "workday": "工作日",
    # The queue tabs' short labels: a tab names the step it collects (待经办人初审 would not fit a tab).
    "tab_handler": "待初审",
    "tab_leader": "待签批",
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
        StatusWords("draft", "草稿", Tone.DRAFT, "申报人正在填写，尚未提交"),
        StatusWords("submitted", "已提交，待经办人初审", Tone.ACTIVE, "用人单位经办人进行初审"),
        StatusWords("unit_review", "单位审核中，待领导签批", Tone.ACTIVE, "经办人已初审，待单位领导签批"),
        StatusWords("unit_approved", "单位已通过，待公示", Tone.WAITING, "单位经办人起草公示，领导发布"),
        StatusWords("in_notice", "公示中", Tone.WAITING, "在本单位公示不少于5个工作日"),
        StatusWords("notice_passed", "公示无异议，待报送", Tone.WAITING, "单位领导报送主管部门"),
        StatusWords("dept_review", "主管部门审核中", Tone.ACTIVE, "主管部门经办人初审、领导签批"),
        StatusWords("bureau_review", "人社局审核中", Tone.ACTIVE, "人社局经办人初审、领导签批后认定发证"),
        StatusWords("certified", "已认定发证", Tone.DONE, "已认定，可下载电子证书"),
        StatusWords("returned", "已退回补正", Tone.ATTENTION, "申报人须在期限内补正后重新提交"),
        StatusWords("abandoned", "逾期未补正，已终止", Tone.ENDED, "补正期限已过，视为放弃申报"),
        StatusWords("rejected", "未通过", Tone.ENDED, "本次申报未通过"),
        StatusWords("withdrawn", "已撤回", Tone.ENDED, "申报人已撤回本次申报"),
    )
}

# The titles of every other state the screens show, by the state's kind. Each kind is a StrEnum in
# portal.models (CorrectionStatus, ImportStatus, ...) whose `title` reads this table, and each column
# holding one has a CHECK constraint built from the enum (portal.models.base.one_of).
STATE_TITLES: dict[str, dict[str, str]] = {
    "correction": {"open": "待补正", "resubmitted": "已补正", "abandoned": "逾期未补正", "closed": "已结束"},
    "import": {"checked": "已检查，待确认导入", "imported": "已导入"},
    "notice": {"draft": "草稿，待领导发布", "published": "公示中", "closed": "已结束"},
    "notice_entry": {"pending": "公示中", "passed": "公示期满，无异议", "removed": "异议成立，已撤出公示"},
    "objection": {"open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立"},
    "transfer": {
        "requested": "待原单位放行",
        "completed": "已转入",
        "refused": "原单位未同意",
        "cancelled": "已撤销",
    },
    "audit_outcome": {"ok": "成功", "denied": "拒绝", "failed": "失败"},
    "awaiting": {"applicant": "待申报人补正", "handler": "待经办人办理", "leader": "待领导签批"},
    "recommendation_method": {
        "vote": "民主推荐（投票）",
        "panel": "评议小组评议",
        "assessment": "考核推荐",
        "leadership": "领导班子集体研究",
    },
    "recommendation": {"recommend": "同意推荐", "not_recommend": "不同意推荐"},
}


def state_title(kind: str, value: object) -> str:
    """The title of one state of `kind` (a key of STATE_TITLES); an unknown one is a programming error."""
    return STATE_TITLES[kind][str(value)]


ACTION_TITLES: dict[str, str] = {
    "submit": "提交申报",
    "handler_approve": "经办人初审通过",
    "leader_approve": "领导签批通过",
    "start_notice": "发布公示",
    "close_notice": "公示期满无异议",
    "forward": "报送主管部门",
    "certify": "认定发证",
    "return": "退回补正",
    "send_back": "退回经办人重审",
    "resubmit": "补正后重新提交",
    "reject": "不予通过",
    "withdraw": "撤回申报",
    "abandon": "逾期未补正终止",
}


def status_words(status: object) -> StatusWords:
    """The words and tone of a workflow status (a Status, or its string value)."""
    return STATUSES[str(status)]


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
