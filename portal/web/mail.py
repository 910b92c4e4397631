"""E-mails in their reader's language (issue 21 point 6): a notice, and the verification of an address.

Each is written with Flask-Babel's force_locale set to the reader's saved language (users.language,
else Chinese), in plain text, and carries the absolute link back to the portal (PORTAL_BASE_URL, or
the link the request built). The queue's tasks (portal/jobs/tasks.py) call these inside the app's
context; nothing here sends or stores anything.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.domain.i18n import DEFAULT_LANGUAGE, Language
from portal.domain.mail import NoticeKind
from portal.models import Notification, User
from portal.web.i18n import translate_plain


def language_of(user: User) -> Language:
    """The language the user reads the portal in (their saved choice, else the default)."""
    try:
        return Language(user.language or DEFAULT_LANGUAGE.value)
    except ValueError:
        return DEFAULT_LANGUAGE


def absolute(link: str) -> str:
    """`link` (a path of the portal) as an absolute URL, with the configured base."""
    base = str(current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    return f"{base}{link}" if link.startswith("/") else link


def compose_notice(notification: Notification, user: User) -> tuple[str, str]:
    """The subject and body of the e-mail for one notice, in `user`'s language."""
    with force_locale(language_of(user).value):
        text = notification.shown_text
        message = str(translate_plain(text)) if text is not None else notification.text
        subject = _("职称申报服务平台通知")
        body = "\n\n".join(
            [
                _("%(name)s，您好：", name=user.name),
                message,
                _("查看详情：%(link)s", link=absolute(notification.link)),
                _("如不希望收到此类邮件，可登录平台在“电子邮箱”页面修改通知设置。")
                if _may_switch_off(notification)
                else _("这是账号安全通知，会发送到您已验证的邮箱，不能关闭。"),
            ]
        )
    return subject, body


def _may_switch_off(notification: Notification) -> bool:
    """Whether the notice's topic is one its reader may switch off (so the e-mail says where)."""
    try:
        return NoticeKind(notification.kind).topic.optional
    except ValueError:  # a kind no longer known: the usual words
        return True


def compose_verification(user: User, link: str) -> tuple[str, str]:
    """The subject and body of the e-mail that asks `user` to verify their address by opening `link`."""
    with force_locale(language_of(user).value):
        subject = _("请验证您的电子邮箱地址")
        body = "\n\n".join(
            [
                _("%(name)s，您好：", name=user.name),
                _("您在职称申报服务平台填写了此电子邮箱地址。请在3天内打开以下链接完成验证："),
                link,
                _("验证前，此地址不会收到任何通知邮件。如果不是您本人操作，请忽略本邮件。"),
            ]
        )
    return subject, body
