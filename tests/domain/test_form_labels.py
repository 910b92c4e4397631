"""A form row's label as parts (demo walk, finding F4): what the person typed and the form's own choice
words kept apart, so the English interface can translate the choice (本科, 助理级) and leave the school or
title name as written, while the Chinese text every other caller reads stays as it was."""

from __future__ import annotations

import json
import pickle

from portal.domain import materials as m
from portal.domain.form import SECTION_BY_KEY, row_of
from portal.domain.i18n import T_, Label, Text, from_record, to_record


def label(section: str, **values: object) -> Label:
    return SECTION_BY_KEY[section].label(values)


def test_a_row_label_keeps_the_typed_and_the_chosen_parts_apart() -> None:
    school = label("education", school="江西理工大学", level="本科", degree="学士")
    assert school == "江西理工大学 本科"  # the Chinese text, as audit rows, hand-offs and PDFs read it
    assert school.parts == (("江西理工大学", False), ("本科", True))
    title = label("title", name="助理工程师", level="助理级")
    assert (title, title.parts) == ("助理工程师 助理级", (("助理工程师", False), ("助理级", True)))
    job = label("work", employer="赣州虔芯新材料科技有限公司", post="技术员")
    assert job.parts == (("赣州虔芯新材料科技有限公司", False), ("技术员", False))
    patent = label("patent", number="ZL2020", title="一种方法")
    assert patent.parts == (("ZL2020", False), ("一种方法", False))
    assert label("achievement", title="桥梁").parts == (("桥梁", False),)


def test_a_year_is_a_message_and_empty_parts_are_left_out() -> None:
    exam = label("exam", name="一级建造师", year=2020)
    assert exam == "一级建造师 2020年"
    text, chosen = exam.parts[1]
    assert chosen and isinstance(text, Text) and text.template == "%(year)s年"
    assert label("ce", year=2021) == "2021年" and label("ce").parts == ()
    assert label("education", school="南昌大学") == "南昌大学"
    assert not label("title", level=None, name="")  # no label: the row is named by its number instead
    assert row_of(7, "title", {}).label == "第7条"


def test_a_label_survives_pickling_json_and_a_stored_message() -> None:
    school = label("education", school="南昌大学", level="本科")
    again = pickle.loads(pickle.dumps(school))
    assert isinstance(again, Label) and again.parts == school.parts
    assert json.loads(json.dumps({"label": school})) == {"label": "南昌大学 本科"}  # snapshots store the text
    message = T_("%(slot)s（%(row)s）", slot="学历证书", row=label("exam", name="考试", year=2020))
    read = from_record(json.loads(json.dumps(to_record(message))))
    assert read == "学历证书（考试 2020年）"
    row = read.params["row"]
    assert isinstance(row, Label) and row.parts[0] == ("考试", False)
    assert isinstance(row.parts[1][0], Text) and row.parts[1][1]


def test_a_slot_of_a_row_is_titled_with_the_rows_label() -> None:
    values = {"school": "南昌大学", "level": "本科", "degree": "学士", "graduated_on": "2015-06-30"}
    row = row_of(3, "education", values)
    facts = m.DossierFacts(rows=(row,), enterprise_name="本单位")
    diploma = next(s for s in m.slots_for(facts) if s.key == "diploma@3")
    assert diploma.title == "学历证书（南昌大学 本科）"
    assert isinstance(diploma.title, Text) and isinstance(diploma.title.params["row"], Label)
