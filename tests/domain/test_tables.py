"""The digest of a checked sheet's verdicts (domain.tables.verdicts_digest), shared by the certificate-number
import and the hand-off results import: what their apply compares with what the preview showed."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.tables import verdicts_digest
from portal.services import certificate_numbers, handoff_results


@dataclass(frozen=True)
class _Row:
    line: int
    name: str
    verdict: str
    reason: str = ""
    application_id: int | None = None


ROWS = [_Row(2, "陈思远", "matched", application_id=7), _Row(3, "林卫东", "not_found", "不在本次会议")]


def test_the_digest_is_the_one_stored_digests_were_written_with() -> None:
    # A hand-off import checked before the helper was shared keeps its digest in handoff_imports.digest:
    # the same rows must still give the same hex string, or its apply would read as stale.
    assert verdicts_digest(ROWS) == "77ec8a6f1460e9aeaaa28a0d2b8c01d32575e6026026aaced1de38ada219d98d"


def test_any_change_of_a_row_changes_the_digest() -> None:
    changed = [ROWS[0], _Row(3, "林卫东", "matched", application_id=8)]
    assert verdicts_digest(changed) != verdicts_digest(ROWS)
    assert verdicts_digest(list(reversed(ROWS))) != verdicts_digest(ROWS)  # the order is what was shown


def test_both_imports_use_the_one_helper() -> None:
    assert not hasattr(certificate_numbers, "_digest") and not hasattr(handoff_results, "_digest")
    assert certificate_numbers.verdicts_digest is verdicts_digest is handoff_results.verdicts_digest
