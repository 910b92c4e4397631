"""Bulk import at scale: 1,000 rows are checked and imported in one transaction, with a number of SQL
statements that does not grow with the rows (no per-row queries; timings belong to `make bench`)."""

from __future__ import annotations

import collections
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id
from portal.models import AuditEvent, StaffRole, User
from portal.services import imports
from portal.storage.local import LocalStorage
from tests.conftest import Clock
from tests.factories import make_world
from tests.statements import recorded


def _thousand_rows() -> bytes:
    lines = ["姓名,证件类型,证件号码,手机号码,用工类型"]
    for n in range(1000):
        body = f"360702{1970 + n % 30}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
        name = "职工" + "".join("零一二三四五六七八九"[int(d)] for d in str(n))
        lines.append(f"{name},居民身份证,{complete_resident_id(body)},1380000{n:04d},劳动合同")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def test_a_thousand_rows_import_without_a_query_per_row(
    session: Session, clock: Clock, tmp_path: Path
) -> None:
    world = make_world(session)
    actor = world.enterprise.actor(StaffRole.HANDLER)
    storage = LocalStorage(tmp_path)
    with recorded(session.get_bind()) as statements:
        batch = imports.check_upload(session, storage, actor, _thousand_rows(), "全体职工.csv", clock.now)
        assert (batch.total_rows, batch.bad_rows) == (1000, 0)
        result = imports.confirm_import(session, storage, actor, batch.id, clock.now)
        session.flush()
    assert len(result.accounts) == 1000 and len({a.password for a in result.accounts}) == 1000
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.employer_id == world.enterprise.org.id)
        )
        == 1000
    )
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "import_applicants")).all()
    assert len(events) == 1 and len(events[0].detail["user_ids"]) == 1000
    # The checks are set-based: a read per row (an N+1) would mean 1,000+ SELECTs; a few are expected.
    # (The ORM writes the users with one INSERT each on SQLite, within the one transaction.)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) < 50, collections.Counter(s[:90] for s in reads).most_common(5)
