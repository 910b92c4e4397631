"""The materials checklist as data: which slots apply, what blocks submission, slot states."""

from __future__ import annotations

from datetime import date

from portal.domain import corrections
from portal.domain import materials as m
from portal.domain.form import Row, row_of


def keys(facts: m.DossierFacts) -> list[str]:
    return [slot.key for slot in m.slots_for(facts)]


def test_every_slot_says_what_is_expected_and_cites_a_clause() -> None:
    for slot in m.SLOTS:
        assert slot.title and slot.expectation and slot.clause and slot.provincial_group
        assert any(ch.isdigit() for ch in slot.clause)  # "001 四(三)" style citation


def edu(row_id: int, graduated: date, **values: object) -> Row:
    data = {"level": "本科", "school": "南昌大学", "degree": "学士", "graduated_on": graduated.isoformat()}
    return row_of(row_id, "education", {**data, **values})


def job(row_id: int, employer: str, **values: object) -> Row:
    return row_of(row_id, "work", {"employer": employer, "post": "技术员", "professional": "是", **values})


def test_conditional_slots_appear_only_when_the_facts_call_for_them() -> None:
    plain = keys(m.DossierFacts(rows=(edu(1, date(2000, 7, 1), degree="无"),), enterprise_name="本单位"))
    assert plain == [
        "id_card",
        "diploma@1",
        "archive_proof@1",
        "labour_contract",
        "pledge",
        "notice_result",
        "other",
    ]
    everything = keys(
        m.DossierFacts(
            rows=(
                edu(1, date(2016, 6, 30)),
                job(2, "本单位", started_on="2016-07-01"),
                job(3, "前单位", started_on="2015-01-01"),
                job(4, "实习单位", internship=True),
                row_of(5, "title", {"kind": "职业资格", "name": "二级建造师"}),
            ),
            enterprise_name="本单位",
            on_establishment=True,
            insured_unit_differs=True,
        )
    )
    assert {"degree@1", "xuexin@1", "prior_work@3", "internship@4", "practice_qualification@5"} <= set(
        everything
    )
    assert "prior_work@2" not in everything  # the job at the applying unit needs no proof
    assert {"affiliation", "establishment"} <= set(everything) and "overseas_cert@1" not in everything
    overseas = keys(m.DossierFacts(rows=(edu(7, date(2016, 6, 30), overseas=True, cscse_no="J123"),)))
    assert "overseas_cert@7" in overseas and "xuexin@7" not in overseas and "diploma@7" not in overseas


def test_each_row_that_needs_proof_has_its_own_slot_titled_with_the_row() -> None:
    """Issue 21.2: two degrees → two sets of certificates; a paper → its pages; a removed row → no slot."""
    facts = m.DossierFacts(
        rows=(
            edu(1, date(2016, 6, 30)),
            edu(2, date(2019, 6, 30), level="硕士", school="江西理工大学", degree="硕士"),
            row_of(
                3, "paper", {"kind": "论文", "title": "软土路基处理", "journal": "公路", "issn": "0451-0712"}
            ),
            row_of(4, "exam", {"name": "全国高级会计师资格考试", "year": 2024}),
        )
    )
    slots = {s.key: s for s in m.slots_for(facts)}
    assert slots["diploma@1"].title == "学历证书（南昌大学 本科）"
    assert slots["degree@2"].title == "学位证书（江西理工大学 硕士）"
    assert "paper_pages@3" in slots and "exam_result@4" in slots
    assert "exam_result@4" in slots and "003 二(五)" in slots["exam_result@4"].clause  # MAT-16
    fewer = m.DossierFacts(rows=facts.rows[:1])
    assert not {k for k in keys(fewer) if k.endswith("@2") or k.endswith("@3")}
    assert m.slot_title("diploma@99") == "学历证书" and m.base_slot("paper_pages@3").key == "paper_pages"
    assert m.moved_slot("diploma@1", {1: 11}) == "diploma@11" and m.moved_slot("diploma@2", {1: 11}) is None


def test_continuing_education_and_categories_add_their_slots() -> None:
    """MAT-17 (003 二(九)), SCOPE-02 / 05 / 09."""
    assert "ce_record" in keys(m.DossierFacts(continuing_education=True))
    assert "ce_record" not in keys(m.DossierFacts())
    freelance = keys(m.DossierFacts(freelancer=True))
    assert "agency_proof" in freelance and "labour_contract" not in freelance
    assert "archive_consent" in keys(m.DossierFacts(archive_hosted=True))
    assert "skill_certificate" in keys(m.DossierFacts(high_skill=True))


def test_gaps_name_each_empty_required_slot_and_the_unsigned_pledge() -> None:
    facts = m.DossierFacts(
        rows=(edu(1, date(2016, 6, 30), degree="无"), job(2, "前单位")), enterprise_name="本单位"
    )
    found = m.gaps(facts, {"id_card"}, today=date(2026, 9, 28), pledge_signed=False)
    assert [(g.slot.key, g.why) for g in found] == [
        ("diploma@1", "未上传"),
        ("xuexin@1", "未上传"),
        ("labour_contract", "未上传"),
        ("prior_work@2", "未上传"),
        ("pledge", "尚未签署"),
    ]
    full = {"id_card", "diploma@1", "xuexin@1", "labour_contract", "prior_work@2"}
    ok = m.gaps(
        facts,
        full,
        today=date(2026, 9, 28),
        pledge_signed=True,
        document_dates={"xuexin@1": date(2026, 9, 1)},
    )
    assert ok == []


def test_the_xuexin_record_is_valid_six_months_from_printing() -> None:
    assert m.xuexin_valid_until(date(2026, 3, 1)) == date(2026, 9, 1)
    assert m.xuexin_valid_until(date(2026, 8, 31)) == date(2027, 2, 28)
    facts = m.DossierFacts(rows=(edu(1, date(2016, 6, 30), degree="无"),))
    filled = {"id_card", "diploma@1", "xuexin@1", "labour_contract"}
    expired = m.gaps(
        facts,
        filled,
        today=date(2026, 9, 28),
        pledge_signed=True,
        document_dates={"xuexin@1": date(2026, 3, 1)},
    )
    assert [g.slot.key for g in expired] == ["xuexin@1"] and "2026年9月1日到期" in expired[0].why
    undated = m.gaps(facts, filled, today=date(2026, 9, 28), pledge_signed=True)
    assert undated[0].why == "未填写打印日期"
    # The row's own 备案表 date (004 二(八)) counts too.
    dated = m.DossierFacts(rows=(edu(1, date(2016, 6, 30), degree="无", xuexin_on="2026-09-01"),))
    assert m.gaps(dated, filled, today=date(2026, 9, 28), pledge_signed=True) == []


def test_slot_states() -> None:
    slot = m.SLOT_BY_KEY["labour_contract"]
    common = {"returned": False, "pledge_signed": False, "notice_closed": False}
    assert m.slot_state(slot, uploads=0, copies=0, copies_unendorsed=0, **common) is m.SlotState.MISSING
    assert m.slot_state(slot, uploads=1, copies=0, copies_unendorsed=0, **common) is m.SlotState.UPLOADED
    assert (
        m.slot_state(slot, uploads=1, copies=1, copies_unendorsed=1, **common)
        is m.SlotState.AWAITING_ENDORSEMENT
    )
    assert m.slot_state(slot, uploads=1, copies=1, copies_unendorsed=0, **common) is m.SlotState.ENDORSED
    returned = {**common, "returned": True}
    assert m.slot_state(slot, uploads=1, copies=0, copies_unendorsed=0, **returned) is m.SlotState.RETURNED
    pledge, notice = m.SLOT_BY_KEY["pledge"], m.SLOT_BY_KEY["notice_result"]
    signed = {**common, "pledge_signed": True}
    assert m.slot_state(pledge, uploads=0, copies=0, copies_unendorsed=0, **signed) is m.SlotState.SIGNED
    assert m.slot_state(notice, uploads=0, copies=0, copies_unendorsed=0, **common) is m.SlotState.PENDING
    other = m.SLOT_BY_KEY["other"]
    assert m.slot_state(other, uploads=0, copies=0, copies_unendorsed=0, **common) is m.SlotState.PENDING
    assert all(state.title for state in m.SlotState)


def test_a_return_can_name_slots_rows_fields_and_sections() -> None:
    assert corrections.valid_key("material:diploma@12") and corrections.valid_key("row:work:3")
    assert corrections.valid_key("field:work_summary") and corrections.valid_key("education")
    assert not corrections.valid_key("row:nothing:3") and not corrections.valid_key("field:school")


def test_a_slot_s_clause_is_cut_to_the_parts_of_the_bureau_s_own_notice() -> None:
    """Each bureau reads the 依据 of its own notice only: the part citing it, with its words (shared with
    the next part where it has none), nothing where the clause cites no part of that notice."""
    from portal.domain.materials import PLEDGE_CLAUSE, notice_clause

    both = "001 四(三)（MAT-01）；002 五(二)（MAT-08）"
    assert notice_clause(both, "001") == "001 四(三)（MAT-01）"
    assert notice_clause(both, "002") == "002 五(二)（MAT-08）"
    assert notice_clause(both, "003") == notice_clause(both, "") == ""
    shared = "002 一(二)；003 一(二)：外国人持上述证件之一方可申报（SCOPE-03）"
    assert notice_clause(shared, "002") == "002 一(二)：外国人持上述证件之一方可申报（SCOPE-03）"
    freelance = "003 一(一)、四：自由职业（SCOPE-02）"  # "、" before no tag: one clause
    assert notice_clause(freelance, "003") == freelance
    pledges = [notice_clause(PLEDGE_CLAUSE, n) for n in ("002", "003", "004")]
    assert pledges == ["002 五(三)", "003 七(三)", ""]
