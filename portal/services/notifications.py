"""In-app notifications (an inbox per user with an unread count) and e-mail when SMTP is configured.

Who hears about what: the staff whose move it is when work arrives at their organisation, and the
applicant when their application is returned, decided, or certified. Rows are written in the same
transaction as the change; e-mails go out afterwards (`flask close-due-notices` sends the pending
ones), so a rolled-back change never mails anyone.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.domain.errors import NotFound
from portal.domain.workflow import Action, Role, Status
from portal.models import Application, Membership, Notification, StandIn, User
from portal.services.actors import Actor
from portal.services.calendar import today


def notify(session: Session, user_ids: Iterable[int], kind: str, text: str, link: str, now: datetime) -> None:
    """Add one inbox row per person (each once), in the caller's transaction; e-mails follow later from the
    job."""
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(user_id=user_id, kind=kind, text=text, link=link, created_at=now))
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


def _describe(application: Application) -> str:
    return f"{application.applicant.name} · {application.series}{application.specialty} · {application.level}"


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
            f"新的待办（{role.title}）：{_describe(application)}",
            review_link,
            now,
        )
    if state is Status.RETURNED:
        notify(
            session,
            [application.applicant_id],
            "returned",
            f"您的申报被退回补正：{reason}。请在截止日期前按清单逐项修改后重新提交。",
            own_link,
            now,
        )
    elif state is Status.CERTIFIED:
        notify(
            session,
            [application.applicant_id],
            "certified",
            f"您的申报已认定发证，证书编号 {application.certificate_no}。",
            own_link,
            now,
        )
    elif state in (Status.REJECTED, Status.ABANDONED, Status.NOT_PASSED):
        notify(
            session,
            [application.applicant_id],
            state.value,
            f"您的申报{state.title}：{reason or '请查看办理进程'}",
            own_link,
            now,
        )
    elif action is Action.RETURN_TO_SENDER:
        # 003 五(三): sent back along the channel it came by, and the applicant is told.
        notify(
            session,
            [application.applicant_id],
            "returned_to_sender",
            f"评委会办事机构已将您的申报退回人社局：{reason}",
            own_link,
            now,
        )
    elif action is Action.SEND_TO_COMMITTEE and application.committee is not None:
        notify(
            session,
            [application.applicant_id],
            "sent_to_committee",
            f"您的申报已送“{application.committee.name}”评审",
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
        raise NotFound("找不到该消息")
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
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = True

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=15) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def send_pending_emails(session: Session, mailer: Mailer, now: datetime, *, base_url: str = "") -> int:
    """E-mail every unsent notification of users who have an address; returns how many went out."""
    rows = session.execute(
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email.is_not(None), User.email != "")
    )
    sent = 0
    for notification, email in rows:
        mailer.send(email, "职称申报服务平台通知", f"{notification.text}\n\n{base_url}{notification.link}")
        notification.emailed_at = now
        sent += 1
    session.flush()
    return sent
