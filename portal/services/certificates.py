"""Certificate numbers: per authority and year, never reused, no gaps under concurrent issue.

The number is taken by an atomic increment inside the certifying transaction, so a rolled-back
certification gives its number back and two concurrent ones serialise on the sequence row.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import CertificateSequence, Organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")


def issue_certificate_number(session: Session, authority_id: int, now: datetime) -> str:
    year = now.astimezone(SHANGHAI).year
    exists = session.scalar(
        select(CertificateSequence.last_value).where(
            CertificateSequence.authority_id == authority_id, CertificateSequence.year == year
        )
    )
    if exists is None:
        try:
            with session.begin_nested():
                session.add(CertificateSequence(authority_id=authority_id, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first; the increment below serialises on it
    value = session.execute(
        update(CertificateSequence)
        .where(CertificateSequence.authority_id == authority_id, CertificateSequence.year == year)
        .values(last_value=CertificateSequence.last_value + 1)
        .returning(CertificateSequence.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    authority = session.get(Organisation, authority_id)
    code = (authority.code if authority and authority.code else f"A{authority_id}").upper()
    return f"{year}{code}{value:05d}"
