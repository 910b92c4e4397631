"""Corrections listed once (一次性告知, 003 五(二), 004 一(四), REV-03): what a return can name, and what
changed between a return and the resubmission, per field and per row (issue 21.4).

A return names parts by key: a whole repeating section ("education"), one row of it
("row:education:12"), one flat field ("field:work_summary"), or one material slot ("material:diploma@12").
Only what is named may change (portal.domain.form.Opening); the changes table lists each changed field of
each row, and each row added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.form import (
    FLAT_BY_NAME,
    SECTION_BY_KEY,
    SECTIONS,
    Change,
    FieldKind,
    changes_between,
    field_key,
    row_key,
)
from portal.domain.i18n import N_, T_

__all__ = [
    "FIELD_TITLES",
    "FORM_SECTIONS",
    "LEGACY_TITLES",
    "Change",
    "Choice",
    "belated",
    "changes",
    "covers",
    "key_title",
    "row_key",
    "shown",
    "touched",
    "valid_key",
]

# The parts older returns named (the short form had four): still readable on old records.
LEGACY_TITLES: dict[str, str] = {
    "work": N_("工作经历与现有职称"),
    "qualification": N_("执业资格与继续教育"),
    "summary": N_("工作总结"),
    "categories": N_("申报人类别"),
}
LEGACY_COVERS: dict[str, tuple[str, ...]] = {
    "work": ("work", "title", "field:no_title", "field:on_establishment"),
    "qualification": ("title", "ce"),
    "summary": ("field:work_summary", "achievement", "paper", "award", "patent"),
    "categories": (
        "field:freelancer",
        "field:agency_name",
        "field:archive_hosted",
        "field:archive_holder",
        "field:consent_reference",
        "field:consent_on",
        "field:high_skill",
        "field:skill_level",
        "field:grassroots",
        "field:vocational_teacher",
        "field:teaching_in_k12",
        "field:township",
    ),
}


@dataclass(frozen=True)
class SummarySection:
    """A part of the form's one-line summary (the flat columns of applications, filled from the rows at
    every save): what the hand-off profiles place as ``form.<field>`` (portal.domain.handoffs)."""

    key: str
    title: str
    fields: tuple[str, ...]


FORM_SECTIONS: tuple[SummarySection, ...] = (
    SummarySection(
        "education",
        N_("学历信息"),
        ("education", "school", "major", "graduated_on", "degree", "overseas_education", "xuexin_code"),
    ),
    SummarySection(
        "work",
        N_("工作经历与现有职称"),
        (
            "work_started_on",
            "current_title",
            "has_prior_employer",
            "has_internship",
            "on_establishment",
            "insured_unit_differs",
        ),
    ),
    SummarySection(
        "qualification",
        N_("执业资格与继续教育"),
        (
            "qualification_name",
            "qualification_no",
            "qualification_issued_on",
            "qualification_expires_on",
            "ce_hours",
        ),
    ),
    SummarySection("summary", N_("工作总结"), ("work_summary", "achievements")),
)
FIELD_TITLES = {
    "education": N_("最高学历"),
    "school": N_("毕业院校"),
    "major": N_("所学专业"),
    "graduated_on": N_("毕业时间"),
    "degree": N_("学位"),
    "overseas_education": N_("国（境）外学历"),
    "xuexin_code": N_("学信网在线验证码"),
    "work_started_on": N_("参加工作时间"),
    "current_title": N_("现有职称"),
    "has_prior_employer": N_("有本单位之前的工作经历"),
    "has_internship": N_("在校实习计入年限"),
    "on_establishment": N_("事业单位在编"),
    "insured_unit_differs": N_("参保单位与申报单位不一致"),
    "qualification_name": N_("执业（从业）资格"),
    "qualification_no": N_("资格证书编号"),
    "qualification_issued_on": N_("资格发证日期"),
    "qualification_expires_on": N_("资格有效期至"),
    "ce_hours": N_("继续教育学时"),
    "work_summary": N_("工作总结"),
    "achievements": N_("主要业绩"),
}

_ROW_KEY = re.compile(r"^row:([a-z]+):([0-9]{1,12})$")


@dataclass(frozen=True)
class Choice:
    """One part a reviewer can tick in a return: its key, its title, and the section it belongs to (a row
    is listed under its section)."""

    key: str
    title: str
    group: str = ""
    depth: int = 0


def valid_key(key: str) -> bool:
    """Whether a return may name ``key``."""
    if key in SECTION_BY_KEY or key in LEGACY_TITLES:
        return True
    if key.startswith("field:"):
        return key[6:] in FLAT_BY_NAME
    if key.startswith("material:"):
        return 9 < len(key) <= 50
    found = _ROW_KEY.match(key)
    return bool(found and found[1] in SECTION_BY_KEY)


def key_title(key: str, labels: Mapping[str, str] | None = None) -> str:
    """A return item's title as the applicant and the reviewer read it; ``labels`` names rows and slots
    (by key) the application has or had."""
    labels = labels or {}
    if key in labels:
        return labels[key]
    if key in SECTION_BY_KEY:
        return T_("%(section)s（全部）", section=SECTION_BY_KEY[key].title)
    if key in LEGACY_TITLES:
        return LEGACY_TITLES[key]
    if key.startswith("field:") and key[6:] in FLAT_BY_NAME:
        return FLAT_BY_NAME[key[6:]].title
    found = _ROW_KEY.match(key)
    if found and found[1] in SECTION_BY_KEY:
        return T_("%(section)s的一条（已删除）", section=SECTION_BY_KEY[found[1]].title)
    if key.startswith("material:"):
        return T_("材料：%(slot)s", slot=key[9:])
    return key


def covers(item: str, change: str) -> bool:
    """Whether a change (its key: field:…, row:…:…) answers the return item ``item``."""
    if item == change:
        return True
    if item in SECTION_BY_KEY and change.startswith(f"row:{item}:"):
        return True
    return any(part != item and covers(part, change) for part in LEGACY_COVERS.get(item, ()))


def touched(item: str, changed: Iterable[str]) -> bool:
    """Whether any of the ``changed`` keys (fields and rows: field:…, row:…:…; files: material:<slot>,
    a row's own slots material:<slot>@<row id>) answers the return item ``item``: the item itself, a row
    of its section, or a file of a slot that belongs to the row it names."""
    keys = list(changed)
    if any(covers(item, key) for key in keys):
        return True
    found = _ROW_KEY.match(item)
    return bool(found) and any(k.startswith("material:") and k.endswith(f"@{found[2]}") for k in keys)


_ROW_SLOT = re.compile(r"^material:[^@]+@([0-9]{1,12})$")


def evidence_changed(item: str, changed: Iterable[str]) -> bool:
    """Whether ``item`` is a row's material slot (material:<slot>@<row id>: the 学历证书 of education row 12)
    whose row the applicant changed (a ``changed`` key row:<section>:<row id>). The slot evidences the
    row's content: a file that proved the row as it stood may not prove it as it stands, so naming it now
    is a fair new finding, not one the earlier return could have made (REV-03). Not an answer to a return
    that named the slot: that asks for the file (:func:`touched`)."""
    slot = _ROW_SLOT.match(item)
    if slot is None:
        return False
    return any((row := _ROW_KEY.match(key)) is not None and row[2] == slot[1] for key in changed)


def belated(
    items: Iterable[str],
    earlier: Iterable[str],
    changed: Iterable[str],
    offered: Iterable[str] | None,
) -> list[str]:
    """REV-03 (一次性告知, 003 五(二), 004 一(四)): the items of a later return the earlier return of the same
    organisation could have listed. An item is belated when the earlier return could name it (``offered``:
    the keys its form offered then — sections, fields, rows, and the material slots its checklist showed),
    did not name it (nor a part that covers it), and nothing it names has changed since (``changed``: the
    keys changed after the earlier return, as :func:`touched` reads them): it stood then as it stands now.
    An item named again, about something the applicant changed since, or not there to name then (a slot
    that became required afterwards: a changed education row asking for a new certificate) is a fair new
    finding; a row's slot counts as changed when its row did, its files or not (:func:`evidence_changed`).
    ``offered`` None: a return recorded before its choices were kept; its material slots count as not there
    then (whether its checklist showed them is unknown, and the warning must not say it did), the rest as
    offered. In the order given."""
    named, moved = list(earlier), list(changed)
    there = None if offered is None else set(offered)

    def listable(item: str) -> bool:
        if there is None:
            return not item.startswith("material:")
        return item in there

    return [
        item
        for item in items
        if listable(item)
        and not any(covers(part, item) for part in named)
        and not touched(item, moved)
        and not evidence_changed(item, moved)
    ]


_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def shown(value: str) -> str:
    """A stored value as the UI writes it: dates 2026年9月29日, never 2026-09-29 (issue 17.10)."""
    day = _ISO_DAY.match(value)
    return f"{int(day[1])}年{int(day[2])}月{int(day[3])}日" if day else value


def _upgraded(snapshot: Mapping[str, Any]) -> Mapping[str, Any]:
    """A snapshot taken before the form had rows (its flat fields only): the fields both forms share."""
    if "flat" in snapshot:
        return snapshot
    flat = {}
    for name, spec in FLAT_BY_NAME.items():
        if name in snapshot:
            value = str(snapshot.get(name) or "")
            flat[name] = ("是" if value == "是" else "否") if spec.kind is FieldKind.FLAG else shown(value)
    return {"flat": flat, "rows": None}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What differs between the snapshot taken at the return and now: each flat field, each row added or
    removed, each changed field of a kept row (the form's own order)."""
    old, new = _upgraded(before), _upgraded(after)
    if old.get("rows") is None:
        new = {"flat": new.get("flat", {}), "rows": []}
        old = {"flat": old.get("flat", {}), "rows": []}
    return changes_between(old, new)


def section_choices() -> list[Choice]:
    """The form's parts a return can always name: each repeating section, then each flat field group."""
    found = [Choice(s.key.value, T_("%(section)s（全部）", section=s.title)) for s in SECTIONS]
    found.append(Choice(field_key("work_summary"), N_("工作总结")))
    found.append(Choice("categories", N_("申报人类别")))
    return found
