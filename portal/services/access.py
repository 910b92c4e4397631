"""Records of what GET requests read or were refused, written later by the worker (issue 19: no GET
writes to the database).

A GET describes the record (`denied_record`, `lookup_fields`) as plain JSON and hands it to the queue;
the worker calls `write`, which adds the same audit row (or certificate lookup) the request used to add,
with the request's own time, actor, IP and request id. The record is sealed into the audit hash chain by
the worker's commit like any other row. Reads a person chooses (a full ID number, an export) are POSTs
and are audited in their own transaction instead: only what cannot be a POST comes through here — a
refused page, and the public certificate check behind a QR code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services.actors import Actor
from portal.services.certificates import lookup_record


def denied_record(actor: Actor, now: datetime, *, endpoint: str, method: str, status: int) -> dict[str, Any]:
    """The audit row of a refusal (access_denied), as the queue carries it."""
    return {
        "kind": "audit",
        "at": now.isoformat(),
        "actor_id": actor.user_id or None,
        "org_id": actor.org_id,
        "role": actor.staff_role.value if actor.staff_role else None,
        "action": "access_denied",
        "object_type": "route",
        "object_id": None,
        "outcome": "denied",
        "detail": {
            "endpoint": endpoint,
            "method": method,
            "status": status,
            **({"stand_in_for": actor.stand_in_for} if actor.stand_in_for else {}),
        },
        "ip": actor.ip,
        "request_id": actor.request_id,
    }


def lookup_fields(
    application_id: int | None, number: str, via: str, ip: str, now: datetime
) -> dict[str, Any]:
    """A public certificate check, as the queue carries it."""
    return {
        "kind": "certificate_lookup",
        "application_id": application_id,
        "number": number,
        "via": via,
        "ip": ip,
        "at": now.isoformat(),
    }


def write(session: Session, fields: dict[str, Any]) -> None:
    """Add the row a GET described (the caller commits, which seals audit rows into the chain)."""
    at = datetime.fromisoformat(fields["at"])
    if fields["kind"] == "certificate_lookup":
        session.add(
            lookup_record(fields["application_id"], fields["number"], fields["via"], fields["ip"], at)
        )
    elif fields["kind"] == "audit":
        from portal.services.audit import mark_unsealed

        session.add(
            AuditEvent(
                at=at,
                actor_id=fields["actor_id"],
                org_id=fields["org_id"],
                role=fields["role"],
                action=fields["action"],
                object_type=fields["object_type"],
                object_id=fields["object_id"],
                outcome=fields["outcome"],
                reason="",
                detail=fields["detail"],
                ip=fields["ip"],
                request_id=fields["request_id"],
            )
        )
        mark_unsealed(session)
    else:
        raise ValueError(f"unknown access record {fields['kind']!r}")
    session.flush()
