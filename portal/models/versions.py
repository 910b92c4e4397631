"""Change counters ("versions") that let a reader tell cheaply whether anything it shows has changed.

One row per name: `org:<id>` for the applications an organisation's queues show (bumped by every write
to one of its applications or to what their rows show), `queues` for every queue at once. A reader
compares the number it saw with the current one; it never sums or orders them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class Version(Base):
    """A named counter that only goes up (services.versions bumps it in the writing transaction)."""

    __tablename__ = "versions"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
