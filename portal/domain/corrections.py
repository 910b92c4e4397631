"""Corrections listed once (一次性告知, 003 五(二), 004 一(四), REV-03): the parts of an application a
return can name, which fields each part covers, and what changed between a return and the resubmission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.i18n import N_, T_
from portal.domain.materials import UPLOAD_SLOTS


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...]


# The form's sections, then one per material slot (a return can name a slot: only it may be replaced).
FORM_SECTIONS: tuple[Section, ...] = (
    Section(
        "education",
        N_("学历信息"),
        ("education", "school", "major", "graduated_on", "degree", "overseas_education", "xuexin_code"),
    ),
    Section(
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
    Section(
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
    Section("summary", N_("工作总结"), ("work_summary", "achievements")),
)
MATERIAL_SECTIONS: tuple[Section, ...] = tuple(
    Section(slot.section_key, T_("材料：%(slot)s", slot=slot.title), ()) for slot in UPLOAD_SLOTS
)
SECTIONS: tuple[Section, ...] = FORM_SECTIONS + MATERIAL_SECTIONS
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
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


def fields_of(section_keys: list[str] | set[str] | tuple[str, ...]) -> set[str]:
    """The form fields the named sections cover (what the applicant may change after a return)."""
    return {field for key in section_keys if key in SECTION_BY_KEY for field in SECTION_BY_KEY[key].fields}


@dataclass(frozen=True)
class Change:
    field: str
    title: str
    before: str
    after: str


_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def shown(value: str) -> str:
    """A stored value as the UI writes it: dates 2026年9月29日, never 2026-09-29 (issue 17.10)."""
    day = _ISO_DAY.match(value)
    return f"{int(day[1])}年{int(day[2])}月{int(day[3])}日" if day else value


def changes(snapshot: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Fields whose value differs between the snapshot taken at the return and now, in form order,
    with dates in the UI's format."""
    found = []
    for field, title in FIELD_TITLES.items():
        before, after = str(snapshot.get(field) or ""), str(current.get(field) or "")
        if before != after:
            found.append(Change(field, title, shown(before), shown(after)))
    return found
