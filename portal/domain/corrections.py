"""Corrections listed once (一次性告知, 003 五(二), 004 一(四), REV-03): the parts of an application a
return can name, which fields each part covers, and what changed between a return and the resubmission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...]


# The short form's sections; the full 申报表 and the material slots add theirs here.
SECTIONS: tuple[Section, ...] = (
    Section("education", "学历信息", ("education", "school", "major", "graduated_on")),
    Section("work", "工作经历与现有职称", ("work_started_on", "current_title")),
    Section("summary", "工作总结", ("work_summary",)),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
FIELD_TITLES = {
    "education": "最高学历",
    "school": "毕业院校",
    "major": "所学专业",
    "graduated_on": "毕业时间",
    "work_started_on": "参加工作时间",
    "current_title": "现有职称",
    "work_summary": "工作总结",
}


def fields_of(section_keys: list[str] | set[str] | tuple[str, ...]) -> set[str]:
    """The form fields the named sections cover (what the applicant may change after a return)."""
    return {field for key in section_keys if key in SECTION_BY_KEY for field in SECTION_BY_KEY[key].fields}


@dataclass(frozen=True)
class Change:
    field: str
    title: str
    before: str
    after: str


def changes(snapshot: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Fields whose value differs between the snapshot taken at the return and now, in form order."""
    found = []
    for field, title in FIELD_TITLES.items():
        before, after = str(snapshot.get(field) or ""), str(current.get(field) or "")
        if before != after:
            found.append(Change(field, title, before, after))
    return found
