"""E-mail notices (issue 21 point 6): which notice kinds exist, the topics a person chooses among, and
what a usable address looks like.

Every notification the portal writes (portal/services/notifications.py `notify`) has a kind; each kind
belongs to one topic, and a person with a verified address gets an e-mail for every topic they did not
switch off. The topics follow what the notification service actually sends: work arriving for staff,
staff changes, returns for correction (with their deadline warnings), decisions and certificates, the
application's progress (sent to a committee), and the account's security (a login mobile or name changed
by someone else), the one topic nobody can switch off.

Pure Python: the services store the choices, the web layer shows them.
"""

from __future__ import annotations

import re
from enum import StrEnum

from portal.domain.i18n import N_


class EmailTopic(StrEnum):
    """A group of notices a person can choose to get by e-mail (all on until switched off)."""

    CORRECTIONS = "corrections"
    DECISIONS = "decisions"
    PROGRESS = "progress"
    WORK = "work"
    STAFF = "staff"
    # Someone else changed how the person logs in or is named (HR's correction of the account): the
    # person must hear of it wherever they read, so it cannot be switched off (`optional`).
    SECURITY = "security"

    @property
    def title(self) -> str:
        return {
            "corrections": N_("退回补正及补正截止提醒"),
            "decisions": N_("评审结果、认定发证与证书撤销"),
            "progress": N_("申报进展（如已送评委会评审、退回人社局）"),
            "work": N_("新的待办（工作人员）"),
            "staff": N_("人员变动与待确认事项（管理员、负责人）"),
            "security": N_("账号安全（登录手机号、姓名被他人修改；不能关闭）"),
        }[self.value]

    @property
    def optional(self) -> bool:
        """Whether a person may switch the topic off; security notices always go to a verified address."""
        return self is not EmailTopic.SECURITY


# The topics a person chooses among (and the only ones email_opt_outs may hold: its CHECK is built from
# these, so the database itself refuses switching security notices off).
OPTIONAL_TOPICS: tuple[EmailTopic, ...] = tuple(topic for topic in EmailTopic if topic.optional)


class NoticeKind(StrEnum):
    """The kind of a notification row; each belongs to one topic (`topic`)."""

    NEW_WORK = "new_work"
    # Work announced by NEW_WORK was taken back: a filing withdrawn, or an accepted meeting cancelled.
    WORK_WITHDRAWN = "work_withdrawn"
    # A committee office's filing (a meeting's preparation, a call) accepted or refused by the bureau: a
    # refusal is work again (correct and file anew), an acceptance the next step (publish, hold the vote).
    FILING_DECIDED = "filing_decided"
    STAFF_CHANGE = "staff_change"
    RETURNED = "returned"
    DEADLINE = "deadline"
    RETURNED_TO_SENDER = "returned_to_sender"
    SENT_TO_COMMITTEE = "sent_to_committee"
    RESULT_PUBLISHED = "result_published"  # the committee road: passed, published by the title office
    CERTIFIED = "certified"
    REJECTED = "rejected"
    ABANDONED = "abandoned"
    NOT_PASSED = "not_passed"
    REVOKED = "revoked"
    PANEL = "panel"  # an expert: on a filed meeting's panel
    VOTING = "voting"  # an expert present: the vote has opened
    # An expert taken out of a committee's pool (停用) or put back (恢复): their panels go or come back.
    POOL_STANDING = "pool_standing"
    JOB_DONE = "job_done"  # a long job the person started finished (or gave up): its page has the result
    ACCOUNT_CHANGED = "account_changed"  # HR changed the person's login mobile or name

    @property
    def topic(self) -> EmailTopic:
        return TOPIC_OF[self]


TOPIC_OF: dict[NoticeKind, EmailTopic] = {
    NoticeKind.NEW_WORK: EmailTopic.WORK,
    NoticeKind.WORK_WITHDRAWN: EmailTopic.WORK,
    NoticeKind.FILING_DECIDED: EmailTopic.WORK,
    NoticeKind.STAFF_CHANGE: EmailTopic.STAFF,
    NoticeKind.RETURNED: EmailTopic.CORRECTIONS,
    NoticeKind.DEADLINE: EmailTopic.CORRECTIONS,
    NoticeKind.RETURNED_TO_SENDER: EmailTopic.PROGRESS,
    NoticeKind.SENT_TO_COMMITTEE: EmailTopic.PROGRESS,
    NoticeKind.RESULT_PUBLISHED: EmailTopic.DECISIONS,
    NoticeKind.CERTIFIED: EmailTopic.DECISIONS,
    NoticeKind.REJECTED: EmailTopic.DECISIONS,
    NoticeKind.ABANDONED: EmailTopic.DECISIONS,
    NoticeKind.NOT_PASSED: EmailTopic.DECISIONS,
    NoticeKind.REVOKED: EmailTopic.DECISIONS,
    NoticeKind.PANEL: EmailTopic.WORK,
    NoticeKind.VOTING: EmailTopic.WORK,
    NoticeKind.POOL_STANDING: EmailTopic.WORK,
    NoticeKind.JOB_DONE: EmailTopic.WORK,
    NoticeKind.ACCOUNT_CHANGED: EmailTopic.SECURITY,
}


def kinds_of(topic: EmailTopic) -> list[str]:
    """The notification kinds a topic covers (what an opt-out of it silences)."""
    return [kind.value for kind, owner in TOPIC_OF.items() if owner is topic]


MAX_ADDRESS_LENGTH = 200  # users.email

# One @, a local part without spaces, a domain of dot-separated labels ending in a letter label: what a
# mail server will take. Deliverability is proved by the verification link, not by a cleverer pattern.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def normalise_address(value: str) -> str:
    """The address as stored: trimmed, its domain in lower case (the local part is the owner's)."""
    value = value.strip()
    local, at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}" if at else value


def address_problem(value: str) -> str | None:
    """Why `value` (normalised) cannot be an e-mail address, or None when it can."""
    if not value:
        return N_("请填写电子邮箱地址")
    if len(value) > MAX_ADDRESS_LENGTH:
        return N_("电子邮箱地址过长（最多200个字符）")
    if not _ADDRESS.match(value) or ".." in value:
        return N_("电子邮箱地址格式不正确，例如 zhang.san@example.cn")
    return None
