"""Idempotent public forms (issue 17.2): a one-time token per rendered form, claimed in the database.

The page embeds :func:`new_token` in a hidden field (rendering writes nothing: GET routes never write).
The POST's service calls :func:`claim` first, in the same transaction as the record it creates, and
:func:`settle` once the record exists. ``form_submissions.token`` is unique, so of two requests carrying
the same token (a double click, a browser retry, a replay) only one inserts; the other gets
:class:`AlreadySubmitted` naming the first one's record, and the page answers as the first did. On
PostgreSQL the second insert waits for the first transaction and fails when it commits (or goes ahead when
it rolls back: a refused form keeps its token for the corrected resubmission); on SQLite writers are
serialised and the second sees the row.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.models import FormSubmission

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
EXPIRED = "页面已过期或不完整，请刷新页面后重新提交（已填写的内容请先复制保存）"


class AlreadySubmitted(DomainError):
    """The token was used: ``.submission`` is the first use (what it created)."""

    def __init__(self, submission: FormSubmission) -> None:
        super().__init__("该表单已提交过，未重复提交", code="already_submitted")
        self.submission = submission


def new_token() -> str:
    """A fresh token for one rendering of a form (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def claim(session: Session, token: str, purpose: str, now: datetime) -> FormSubmission:
    """Take the token for this submission, or raise AlreadySubmitted (used before) or DomainError
    ``form_token`` (missing or malformed: the page was not ours or is too old to carry one)."""
    token = (token or "").strip()
    if not _TOKEN.fullmatch(token):
        raise DomainError(EXPIRED, code="form_token")
    row = FormSubmission(token=token, purpose=purpose, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        first = session.scalars(select(FormSubmission).where(FormSubmission.token == token)).one()
        if first.purpose != purpose:
            raise DomainError(EXPIRED, code="form_token") from None
        raise AlreadySubmitted(first) from None
    return row


def settle(row: FormSubmission, object_type: str, object_id: int) -> None:
    """Record what the submission created, so a replay can answer with it."""
    row.object_type, row.object_id = object_type, object_id
