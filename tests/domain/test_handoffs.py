"""Hand-off profiles as data (issue 23.1): the three real profiles load and place every slot of ours; the
loader is strict and names every problem with its TOML path in one run; the mapping, the form layout,
the binding order and the selection read the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.domain import handoffs
from portal.domain.corrections import FIELD_TITLES
from portal.domain.handoffs import HandoffError, load_profile, load_profiles, map_slots
from portal.domain.materials import SLOTS
from portal.domain.packages import BINDING_ORDER, BINDING_SLOTS, Part
from portal.domain.policy import load_profiles as load_policies
from portal.domain.workflow import Status

POLICIES = set(load_policies())
REAL = load_profiles(known_policies=POLICIES)


def test_the_three_targets_load_and_serve_their_policy_profiles() -> None:
    assert set(REAL) == {"jx", "js", "km"}
    assert REAL["jx"].policy_profiles == ("ganzhou-2022", "ganzhou-2026")
    assert set(REAL["js"].policy_profiles) == {"nantong-2023", "zhenjiang-2024"}
    assert REAL["km"].policy_profiles == ("kunming-2022",)
    assert all(p.files.max_bytes == 2_097_152 for p in REAL.values())
    assert all(p.files.types == ("jpg", "pdf") for p in REAL.values())


@pytest.mark.parametrize("target", ["jx", "js", "km"])
def test_every_slot_of_ours_is_placed_or_said_not_sent(target: str) -> None:
    profile = REAL[target]
    placed = {o for slot in profile.slots for o in slot.ours} | {n.ours for n in profile.not_sent}
    assert placed == {s.key for s in SLOTS}
    assert map_slots(profile, [s.key for s in SLOTS]).unmapped == []


def test_unconfirmed_values_are_listed_with_their_path() -> None:
    found = dict(REAL["jx"].unconfirmed())
    assert "files" in found and "files.ladder" in found and "sheets[0]" in found
    assert found["files"].source.startswith("江西省职称申报评审系统上传说明")
    assert "slots[6]" not in found  # 编制册 is named by 000 三(四): confirmed
    assert all(not value.confirmed for value in found.values())


@pytest.mark.parametrize("target", ["jx", "js", "km"])
def test_unconfirmed_values_are_named_for_their_reader_every_one_of_them(target: str) -> None:
    """The 报送配置 page listed "files.ladder: issue 23：…", "slots[0]:", "documents[0].titled[1]:": each
    inferred value is now named as the admin knows it, and none is left unnamed."""
    profile = REAL[target]
    named = profile.unconfirmed_named()
    assert [id(item) for _, item in named] == [id(item) for _, item in profile.unconfirmed()]
    names = [str(name) for name, _ in named]
    assert not any(re.search(r"[a-z_]+\[\d+\]|files\.|issue", name) for name in names), names
    if target == "jx":
        assert "文件压缩（质量与分辨率）" in names and "上传栏目“身份证”" in names


def test_map_slots_reports_unmapped_not_sent_skipped_and_missing() -> None:
    km = REAL["km"]
    plan = map_slots(km, ["xuexin", "diploma", "labour_contract", "pledge"])
    titles = [slot.title for _, slot, _ in plan.sent]
    assert "学历学位证书" not in titles  # 004 二(八): with the 备案表, no diploma
    assert titles == ["教育部学历证书电子注册备案表", "劳动合同"]
    assert [s.key for s in plan.missing] == ["id-card", "credit-pledge"]
    assert plan.not_sent == [("pledge", km.not_sent[0].reason)]
    orders = [order for order, _, _ in plan.sent]
    assert orders == [2, 6]  # numbered by their place in the target's list
    bare = handoffs.HandoffProfile(
        **{**km.__dict__, "slots": km.slots[:1], "not_sent": ()}  # a profile placing only 身份证
    )
    assert map_slots(bare, ["id_card", "other", "xuexin"]).unmapped == ["other", "xuexin"]


def test_the_js_form_places_every_field_of_ours_and_new_sections_show_as_unplaced() -> None:
    form = REAL["js"].document("form")
    assert form is not None and form.copy_page
    assert handoffs.unplaced_fields(form) == []
    trimmed = handoffs.Document(**{**form.__dict__, "sections": form.sections[:3]})
    missing = handoffs.unplaced_fields(trimmed)
    assert missing[0] == "form.work_started_on" and "form.work_summary" in missing
    assert set(missing) <= {f"form.{n}" for n in FIELD_TITLES}


def test_the_js_form_places_every_repeating_section_and_one_left_out_shows_as_unplaced() -> None:
    """工作经历, 学历学位 … rows are the core of the 申报表: a layout that does not place a repeating
    section lists it with the unplaced fields (the copy page's 尚未对应系统栏目的字段), never drops it."""
    form = REAL["js"].document("form")
    assert form is not None and handoffs.unplaced_rows(form) == []
    trimmed = handoffs.Document(**{**form.__dict__, "sections": form.sections[:3]})
    assert handoffs.unplaced_rows(trimmed) == [
        "work", "title", "exam", "ce", "achievement", "paper", "award", "patent"
    ]  # fmt: skip


def test_selection_takes_from_the_profile_stage_on() -> None:
    jx = REAL["jx"]
    assert not jx.takes(Status.IN_NOTICE)
    assert jx.takes(Status.NOTICE_PASSED) and jx.takes(Status.BUREAU_REVIEW) and jx.takes(Status.CERTIFIED)
    assert not jx.takes(Status.REJECTED) and not jx.takes(Status.DRAFT)
    # The 评审 road between the bureau's review and the certificate is past the notice too.
    assert jx.takes(Status.COMMITTEE_REVIEW) and jx.takes(Status.VOTED) and jx.takes(Status.RESULT_PUBLISHED)


def test_the_road_is_the_workflows_from_submission_to_the_certificate() -> None:
    """Every status an application passes on either road, in the workflow's order (a profile's stage
    compares by it)."""
    statuses = list(Status)
    road = statuses[statuses.index(Status.SUBMITTED) : statuses.index(Status.CERTIFIED) + 1]
    assert list(handoffs.ROAD) == road


def test_binding_order_per_committee_with_a_default() -> None:
    js = REAL["js"]
    center = js.binding_for("zj-center")
    assert center is not None and center.committees == ("zj-center",)
    default = js.binding_for("dy-hrss")
    assert default is not None and default.committees == ()
    parts, slots = handoffs.binding_parts(center)
    assert parts[0] is Part.FORM and slots[:2] == ("id_card", "practice_qualification")
    assert set(slots) == set(BINDING_SLOTS)  # the slots it does not list follow in checklist order
    assert handoffs.binding_parts(None) == (BINDING_ORDER, BINDING_SLOTS)
    assert REAL["jx"].binding_for("anything") is None


def test_file_names_follow_the_pattern_and_parts_are_numbered() -> None:
    files = REAL["jx"].files
    assert files.name(order=8, title="其他", key="other", ext="pdf") == "08-其他.pdf"
    assert files.name(order=8, title="其他", key="other", ext="pdf", part=2, parts=3) == "08-其他-2.pdf"
    assert files.accepts("image/jpeg") and files.accepts("application/pdf") and not files.accepts("image/png")


BROKEN = """
id = "broken"
title = "坏的配置"
system = "某系统"
url = "https://example.invalid"
source = "test"
policy_profiles = ["nowhere-2030"]
colour = "red"

[selection]
from_status = "draft"
source = "x"

[files]
types = ["jpg", "png"]
max_bytes = "2MB"
naming = "{order}-{slot}.{ext}"
part = "-{n}"
source = "x"

[files.ladder]
qualities = [45, 85]
dpi = [300, 150]
source = "x"

[[slots]]
key = "a"
title = "甲"
ours = ["id_card", "no_such_slot", "pledge"]
source = "x"

[[slots]]
key = "a"
title = "乙"
ours = ["other"]
source = "x"
required = "yes"

[[documents]]
kind = "form"
title = "表"
file = "../表.pdf"
source = "x"

[[documents.titled]]
pathways = ["考核定职"]
policy_profiles = ["kunming-2022"]
title = "另一表"
file = "另一表.doc"
source = "x"

[[documents.sections]]
title = "基本"
fields = [
  { label = "姓名", value = "applicant.nickname" }, { section = "hobbies" }, { label = "x" },
  { rows = "jobs" }, { section = "work", rows = "work" },
]

[[sheets]]
key = "s"
title = "表"
file = "证书.csv"
sheet = "证书信息"
source = "x"
columns = [{ header = "日", value = "certificate.date", format = "when" }]

[results]
passed = ["通过"]
source = "x"
columns = [{ key = "name", headers = ["姓名"] }]
"""


def test_the_loader_names_every_problem_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(HandoffError) as caught:
        load_profile(path, known_policies=POLICIES)
    keys = {p.key for p in caught.value.problems}
    # The types first (one pass), then the cross checks are not reached for a profile that did not build.
    assert {"colour", "files.max_bytes", "slots[1].required"} <= keys
    assert all("broken.toml" in line for line in str(caught.value).splitlines())


def test_cross_checks_name_every_problem_with_its_path(tmp_path: Path) -> None:
    text = BROKEN.replace('colour = "red"\n', "").replace('"2MB"', "2097152").replace('"yes"', "true")
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HandoffError) as caught:
        load_profile(path, known_policies=POLICIES)
    keys = {p.key for p in caught.value.problems}
    assert {
        "policy_profiles[0]",
        "selection.from_status",
        "files.types[1]",
        "files.naming",
        "files.ladder.qualities",
        "slots[0].ours[1]",
        "slots[0].ours[2]",
        "slots[1].key",
        "documents[0].file",
        "documents[0].titled[0].file",
        "documents[0].titled[0].pathways[0]",
        "documents[0].titled[0].policy_profiles[0]",
        "documents[0].sections[0].fields[0].value",
        "documents[0].sections[0].fields[1].section",
        "documents[0].sections[0].fields[2]",
        "documents[0].sections[0].fields[3].rows",
        "documents[0].sections[0].fields[4]",
        "sheets[0].file",
        "sheets[0].columns[0].format",
        "results.columns",
    } <= keys
    messages = str(caught.value)
    assert "未知的材料类别「no_such_slot」" in messages and "「pledge」不是上传材料" in messages
    assert "未知的申报表多行部分「jobs」" in messages and "unknown repeating form section 'jobs'" in messages


def test_syntax_errors_and_a_policy_profile_served_twice(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('id = "bad"\nsource = \n', encoding="utf-8")
    with pytest.raises(HandoffError, match="TOML 语法错误"):
        load_profile(tmp_path / "bad.toml")
    (tmp_path / "bad.toml").unlink()
    for name in ("jx", "js"):
        text = (handoffs.DEFAULT_DIRECTORY / "jx.toml").read_text(encoding="utf-8")
        (tmp_path / f"{name}.toml").write_text(text.replace('id = "jx"', f'id = "{name}"'), encoding="utf-8")
    with pytest.raises(HandoffError, match="已由 js 报送"):
        load_profiles(tmp_path, known_policies=POLICIES)
