"""The binding order (装订目录) of the package an office sends onward, the file names inside its ZIP, and
who may take the originals' ZIP.

Rule: MAT-14 (003 四(一)): the paper dossier follows a binding order; the package PDF keeps the same
order so a reviewer reading it on screen and a clerk printing it see one sequence: the cover, the 申报表,
each level's opinions, the notice result sheet (MAT-11, PUB-02), then the materials in checklist order
(MAT-18 slot names). Pure Python: no Flask, no SQLAlchemy.

Issue 16 item 16: whatever a reviewer downloads to read (the package PDF, alone or in a batch ZIP) carries
the watermark on every page; the untouched originals leave only in the originals' ZIP, and only for the
hand-off to the provincial system (DESIGN §1: the provincial systems stay the official record): to the
handler (经办人) of the organisation holding the application, the one who would upload it there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from portal.domain.i18n import N_, T_
from portal.domain.materials import SLOTS, Source


class Part(StrEnum):
    COVER = "cover"
    FORM = "form"
    OPINIONS = "opinions"
    NOTICE_RESULT = "notice_result"
    MATERIALS = "materials"

    @property
    def title(self) -> str:
        return {
            "cover": "封面",
            "form": "申报表",
            "opinions": "各级审核意见",
            "notice_result": "公示结果",
            "materials": "申报材料",
        }[self.value]


# The sections in binding order; the materials come last, slot by slot in BINDING_SLOTS order.
BINDING_ORDER: tuple[Part, ...] = (
    Part.COVER,
    Part.FORM,
    Part.OPINIONS,
    Part.NOTICE_RESULT,
    Part.MATERIALS,
)
# Uploaded slots in checklist order (the pledge is part of the 申报表; the notice result is its own section).
BINDING_SLOTS: tuple[str, ...] = tuple(slot.key for slot in SLOTS if slot.source is Source.UPLOAD)


_SLOT_RANK = {key: index for index, key in enumerate(BINDING_SLOTS)}


def material_rank(slot: str, material_id: int, slots: Sequence[str] | None = None) -> tuple[int, int]:
    """Where a material is bound: by its slot's place in ``slots`` (a committee's 装订目录, MAT-14; the
    checklist order by default), then in upload order. A row's slot (``degree_certificate@row``) ranks
    with its kind."""
    kind = slot.partition("@")[0]
    if slots is None:
        return (_SLOT_RANK.get(kind, len(_SLOT_RANK)), material_id)
    return (slots.index(kind) if kind in slots else len(slots), material_id)


@dataclass(frozen=True)
class Entry:
    """One bound item: a section of ours or one material file, with its bookmark title."""

    part: Part
    title: str
    slot: str = ""
    material_id: int = 0


def binding_order(
    materials: Iterable[tuple[str, int, str]],
    *,
    has_notice_result: bool,
    parts: Sequence[Part] = (),
    slots: Sequence[str] | None = None,
) -> list[Entry]:
    """The package's table of contents: (slot, material id, title) triples of the materials, sorted into
    binding order (slot order, then upload order); the notice result only when a result sheet exists.
    ``parts`` and ``slots``: a committee's binding order from its hand-off profile (default ours)."""
    entries: list[Entry] = []
    for part in parts or BINDING_ORDER:
        if part is Part.NOTICE_RESULT and not has_notice_result:
            continue
        if part is Part.MATERIALS:
            ordered = sorted(materials, key=lambda m: material_rank(m[0], m[1], slots))
            entries.extend(Entry(part, title, slot, material_id) for slot, material_id, title in ordered)
            continue
        entries.append(Entry(part, part.title))
    return entries


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(name: str, fallback: str = "file") -> str:
    """A name inside a ZIP: NFC, no path separators or characters Windows refuses, no leading dots."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip().lstrip(".")
    return cleaned[:120] or fallback


ORIGINALS_PURPOSE = N_("原件ZIP（无水印）仅供向省级职称申报系统报送")


def originals_refusal(
    *, actor_org_id: int | None, actor_is_handler: bool, holder_org_id: int, holder_name: str
) -> str | None:
    """Why this staff member may not take the originals' ZIP, or None: only the handler of the organisation
    holding the application (who hands it off to the provincial system) may."""
    if actor_is_handler and actor_org_id == holder_org_id:
        return None
    return T_(
        "%(purpose)s，只有当前办理该申报的单位（%(holder)s）的经办人可以下载；审核和传阅请下载带水印的申报材料PDF",
        purpose=ORIGINALS_PURPOSE,
        holder=holder_name,
    )
