"""The audit hash chain: each sealed audit row carries SHA-256(previous hash + its canonical form).

Editing any field of a row, deleting a row or slipping one in breaks every hash from that row on, so
`flask audit verify` names the first broken link. The canonical form is plain sorted JSON of the row's
fields, so the chain can be re-checked with nothing but Python's standard library.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

FIELDS = (
    "id",
    "at",
    "actor_id",
    "org_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "from_status",
    "to_status",
    "reason",
    "detail",
    "ip",
    "request_id",
)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value


def canonical(seq: int, row: Mapping[str, Any]) -> bytes:
    body = {name: _value(row.get(name)) for name in FIELDS}
    body["seq"] = seq
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link(previous: str, seq: int, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + canonical(seq, row)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    seq: int | None
    row_id: int | None
    problem: str  # a Chinese sentence for the operator


def verify(rows: Iterable[tuple[int | None, str | None, Mapping[str, Any]]]) -> tuple[int, Break | None]:
    """Walk (chain_seq, chain_hash, fields) in chain order; (rows checked, first break or None)."""
    previous = GENESIS
    expected_seq = 1
    checked = 0
    for seq, stored, row in rows:
        if seq is None:
            return checked, Break(None, row.get("id"), "存在未封存（未入链）的审计记录")
        if seq != expected_seq:
            return checked, Break(seq, row.get("id"), f"第{expected_seq}条审计记录缺失（链序号不连续）")
        if stored != link(previous, seq, row):
            return checked, Break(seq, row.get("id"), f"第{seq}条审计记录（编号{row.get('id')}）已被篡改")
        previous = stored
        expected_seq += 1
        checked += 1
    return checked, None
