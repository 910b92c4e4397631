"""In-app notifications (an inbox per user with an unread count) and e-mail when SMTP is configured.

Who hears about what: the staff whose move it is when work arrives at their organisation, and the
applicant when their application is returned, decided, or certified. Rows are written in the same
transaction as the change; e-mails go out afterwards, so a rolled-back change never mails anyone:
`notify` leaves a mark in `session.info`, and once the transaction commits the queue gets a task that
sends the pending ones (portal/jobs); the five-minute sweep sends whatever that missed (a failed
server, a full queue), so it is the retry.

Who gets an e-mail (issue 21 point 6): a person whose address is verified, for a notice written after
the verification, of a topic they did not switch off (portal.domain.mail; security notices cannot be);
nothing else is mailed.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import and_, exists, func, not_, select, update
from sqlalchemy.orm import Session

from portal.domain.errors import NotFound
from portal.domain.i18n import N_, T_, Text
from portal.domain.mail import OPTIONAL_TOPICS, NoticeKind, kinds_of
from portal.domain.workflow import Action, Role, Status
from portal.models import Application, EmailOptOut, Membership, Notification, StandIn, User
from portal.services.actors import Actor
from portal.services.calendar import today

log = logging.getLogger(__name__)

# session.info key: notifications were written in this transaction (portal/jobs sends them after commit).
MAIL_PENDING = "portal_mail_pending"


def notify(session: Session, user_ids: Iterable[int], kind: str, text: str, link: str, now: datetime) -> None:
    """Add one inbox row per person (each once), in the caller's transaction; e-mails follow once it
    commits (portal/jobs). A `Text` message is kept with its msgid and parameters, so each reader sees it
    in their language. `kind` must be a NoticeKind (its topic decides who gets it by e-mail)."""
    kind = NoticeKind(kind).value
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(user_id=user_id, kind=kind, text=text, link=link, created_at=now))
        session.info[MAIL_PENDING] = True
    session.flush()


def staff_with_role(session: Session, org_id: int, role: Role, now: datetime) -> list[int]:
    """Active members of an organisation in a role, and whoever stands in for them today."""
    members = list(
        session.scalars(
            select(Membership).where(
                Membership.org_id == org_id, Membership.role == role.value, Membership.ended_at.is_(None)
            )
        )
    )
    ids = [m.user_id for m in members]
    day = today(now)
    stand_ins = session.scalars(
        select(StandIn.substitute_id).where(
            StandIn.membership_id.in_([m.id for m in members]),
            StandIn.revoked_at.is_(None),
            StandIn.starts_on <= day,
            StandIn.ends_on >= day,
        )
    )
    return ids + list(stand_ins)


def _describe(application: Application) -> Text:
    return T_(
        "%(name)s · %(series)s / %(specialty)s · %(level)s",
        name=application.applicant.name,
        series=application.series,
        specialty=application.specialty,
        level=application.level,
    )


def after_transition(
    session: Session, application: Application, action: Action, now: datetime, reason: str
) -> None:
    """Tell whoever must act next, and tell the applicant about outcomes that concern them."""
    review_link = f"/review/applications/{application.id}"
    own_link = f"/me/applications/{application.id}"
    state = application.state
    if application.awaiting in (Role.HANDLER.value, Role.LEADER.value):
        role = Role(application.awaiting)
        people = [
            u
            for u in staff_with_role(session, application.current_org_id, role, now)
            if u != application.applicant_id
        ]
        notify(
            session,
            people,
            "new_work",
            T_("新的待办（%(role)s）：%(what)s", role=role.title, what=_describe(application)),
            review_link,
            now,
        )
    if state is Status.RETURNED:
        notify(
            session,
            [application.applicant_id],
            "returned",
            T_("您的申报被退回补正：%(reason)s。请在截止日期前按清单逐项修改后重新提交。", reason=reason),
            own_link,
            now,
        )
    elif state is Status.CERTIFIED:
        notify(
            session,
            [application.applicant_id],
            "certified",
            # Recording the province's number ends the 评审 road: the committee passed it, nobody 认定'd it.
            T_("您的申报已评审通过并发证，证书编号 %(number)s。", number=application.certificate_no)
            if action is Action.RECORD_CERTIFICATE
            else T_("您的申报已认定发证，证书编号 %(number)s。", number=application.certificate_no),
            own_link,
            now,
        )
    elif state in (Status.REJECTED, Status.ABANDONED, Status.NOT_PASSED):
        notify(
            session,
            [application.applicant_id],
            state.value,
            T_("您的申报%(state)s：%(reason)s", state=state.title, reason=reason or N_("请查看办理进程")),
            own_link,
            now,
        )
    elif action is Action.RETURN_TO_SENDER:
        # 003 五(三): sent back along the channel it came by, and the applicant is told.
        notify(
            session,
            [application.applicant_id],
            "returned_to_sender",
            T_("评委会办事机构已将您的申报退回人社局：%(reason)s", reason=reason),
            own_link,
            now,
        )
    elif action is Action.PUBLISH_RESULT:
        # 003 六(二): the title office publishes the passes under a document number. 林卫东 heard nothing
        # between "sent to the committee" and, weeks later, the province's certificate number.
        notify(
            session,
            [application.applicant_id],
            "result_published",
            T_(
                "人社局已发文公布评审结果（%(document)s）：您的申报评审通过，待录入省电子职称证书编号。",
                document=reason,
            ),
            own_link,
            now,
        )
    elif action is Action.SEND_TO_COMMITTEE and application.committee is not None:
        notify(
            session,
            [application.applicant_id],
            "sent_to_committee",
            T_("您的申报已送“%(committee)s”评审", committee=application.committee.name),
            own_link,
            now,
        )


def inbox(session: Session, actor: Actor, *, limit: int = 100) -> list[Notification]:
    """The actor's notifications, newest first, at most `limit`."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: int) -> int:
    """How many of the person's notifications are unread."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def open_notification(session: Session, actor: Actor, notification_id: int, now: datetime) -> Notification:
    """Mark one of the actor's notifications read and return it (for its link)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.user_id:
        raise NotFound(N_("找不到该消息"))
    notification.read_at = notification.read_at or now
    session.flush()
    return notification


def mark_all_read(session: Session, actor: Actor, now: datetime) -> None:
    """Mark every unread notification of the actor read now."""
    session.execute(
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """Sends plain-text UTF-8 e-mail through one SMTP server, a connection per message."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = True

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=15) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


# How a notice becomes an e-mail in its reader's language: (subject, body) from the row and its reader.
Compose = Callable[[Notification, User], tuple[str, str]]


def take_mail_pending(session: Session) -> bool:
    """Whether notifications were written in the transaction that just ended (and forget it)."""
    return bool(session.info.pop(MAIL_PENDING, False))


def pending_emails(session: Session, *, limit: int = 500) -> list[tuple[Notification, User]]:
    """Unsent notices that may be mailed: the reader's address is verified, the notice was written after
    the verification, and its topic is not switched off; oldest first, at most `limit`."""
    switched_off = [
        and_(
            Notification.kind.in_(kinds_of(topic)),
            exists().where(EmailOptOut.user_id == Notification.user_id, EmailOptOut.topic == topic.value),
        )
        for topic in OPTIONAL_TOPICS  # security notices cannot be switched off
    ]
    query = (
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            User.email.is_not(None),
            User.email != "",
            User.is_active.is_(True),
            User.email_verified_at.is_not(None),
            Notification.created_at >= User.email_verified_at,
            *[not_(condition) for condition in switched_off],
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    return [(notification, user) for notification, user in session.execute(query)]


def send_pending_emails(session: Session, mailer: Mailer, now: datetime, compose: Compose) -> int:
    """E-mail every notice `pending_emails` selects, each in its reader's language (`compose`), and mark
    it sent; returns how many went out. An address the server refuses is skipped (tried again by the next
    sweep); a server that cannot be reached stops the run after marking what did go out."""
    sent = 0
    for notification, user in pending_emails(session):
        subject, body = compose(notification, user)
        try:
            mailer.send(user.email or "", subject, body)
        except smtplib.SMTPRecipientsRefused:
            log.warning("the mail server refused the address of user %s", user.id)
            continue
        except (OSError, smtplib.SMTPException):
            log.exception("sending notification e-mails stopped after %s", sent)
            break
        notification.emailed_at = now
        sent += 1
    session.flush()
    return sent
