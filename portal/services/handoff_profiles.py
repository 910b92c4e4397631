"""The hand-off profiles in use (portal/handoffs/*.toml, loaded and validated once per process) and which
one an application's bureau hands off to: the profile that serves the bureau's policy profile.

Used by the materials checklist (a slot a target requires, such as Kunming's 职称申报承诺书, 004 二(六)),
the package PDF's binding order (装订目录 per committee, MAT-14), the e-certificate lookup shown with a
certificate (002 四(四)2) and the hand-off exports themselves. Causes no transition, writes nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.handoffs import Binding, Document, HandoffProfile, Lookup, load_profiles
from portal.models import Application, HandoffResult, Organisation
from portal.services import policies


@functools.cache
def profiles() -> dict[str, HandoffProfile]:
    """Every hand-off profile, keyed by target id (jx, js, km); each policy profile it names must exist."""
    return load_profiles(known_policies=set(policies.profiles()))


def target_of(policy_profile: str | None) -> HandoffProfile | None:
    """The hand-off profile serving a policy profile (e.g. ganzhou-2026 → jx), or None."""
    if not policy_profile:
        return None
    return next((p for p in profiles().values() if policy_profile in p.policy_profiles), None)


def target_for(bureau: Organisation | None) -> HandoffProfile | None:
    """The hand-off profile of the bureau at the top of ``bureau``'s branch, or None."""
    found = policies.bureau_of(bureau)
    return target_of(found.policy_profile if found is not None else None)


def required_uploads(application: Application) -> frozenset[str]:
    """Our upload slots the application's target refuses to go without (a required slot of theirs that
    one slot of ours fills alone, or a slot-present check)."""
    profile = target_for(application.bureau)
    if profile is None:
        return frozenset()
    wanted = {s.ours[0] for s in profile.slots if s.required and len(s.ours) == 1}
    wanted |= {c.slot for c in profile.checks if c.kind == "slot_present"}
    return frozenset(wanted)


def document_for(document: Document, application: Application) -> Document:
    """The document under the name it has for the application: its pathway under its bureau's policy
    profile (Nantong's 初定 prints the 初定申报表, not the 评审申报表)."""
    bureau = policies.bureau_of(application.bureau)
    return document.named_for(application.pathway, bureau.policy_profile if bureau is not None else None)


def binding_for(application: Application) -> Binding | None:
    """The binding order of the application's committee (its authority code) in its target's profile."""
    profile = target_for(application.bureau)
    return profile.binding_for(application.authority_code) if profile is not None else None


def lookup_for(application: Application) -> Lookup | None:
    """Where the holder finds the e-certificate, when the target issues them (Jiangsu)."""
    profile = target_for(application.bureau)
    return profile.lookup if profile is not None else None


@dataclass(frozen=True)
class ProvincialCertificate:
    """What the provincial system decided (imported, issue 23.6) and where the holder looks it up.

    ``portal_number``: the number of the portal's own e-certificate when the province's is another one
    (认定发证 here numbers it 2026GZ00003, the province 赣2026-000124): the pages then name each, the
    province's as the official record (DESIGN §1), where both read "证书编号" side by side."""

    lookup: Lookup | None
    outcome: str  # "passed" | "failed" | ""
    number: str
    day: date | None
    portal_number: str = ""


def provincial_certificate(session: Session, application: Application) -> ProvincialCertificate | None:
    """The provincial result recorded for the application, with its target's e-certificate lookup (002
    四(四)2, Jiangsu); None when there is neither."""
    profile = target_for(application.bureau)
    if profile is None:
        return None
    result = session.scalars(
        select(HandoffResult).where(
            HandoffResult.application_id == application.id, HandoffResult.target == profile.id
        )
    ).first()
    if result is None and (profile.lookup is None or not application.certificate_no):
        return None
    number = (result.certificate_no or "") if result else ""
    ours = application.certificate_no or ""
    return ProvincialCertificate(
        profile.lookup,
        result.outcome if result else "",
        number,
        result.certified_on if result else None,
        portal_number=ours if number and ours and ours != number else "",
    )
