"""What the applicant's page needs to know about its notice for the materials checklist."""

from __future__ import annotations


def notice_closed(notice_context: dict[str, object]) -> bool:
    notice = notice_context.get("notice")
    return bool(notice is not None and getattr(notice, "closed_at", None))
