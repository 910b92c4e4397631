"""The materials checklist as data: which slots apply, what blocks submission, slot states."""

from __future__ import annotations

from datetime import date

from portal.domain import corrections
from portal.domain import materials as m


def keys(facts: m.DossierFacts) -> list[str]:
    return [slot.key for slot in m.slots_for(facts)]


def test_every_slot_says_what_is_expected_and_cites_a_clause() -> None:
    for slot in m.SLOTS:
        assert slot.title and slot.expectation and slot.clause and slot.provincial_group
        assert any(ch.isdigit() for ch in slot.clause)  # "001 四(三)" style citation


def test_conditional_slots_appear_only_when_the_facts_call_for_them() -> None:
    plain = keys(m.DossierFacts(graduated_on=date(2000, 7, 1)))
    assert plain == ["id_card", "diploma", "labour_contract", "pledge", "notice_result", "other"]
    everything = keys(
        m.DossierFacts(
            graduated_on=date(2016, 6, 30),
            has_degree=True,
            has_prior_employer=True,
            has_internship=True,
            has_practice_qualification=True,
            on_establishment=True,
            insured_unit_differs=True,
        )
    )
    assert {"degree", "xuexin", "prior_work", "internship", "practice_qualification"} <= set(everything)
    assert {"affiliation", "establishment"} <= set(everything) and "overseas_cert" not in everything
    overseas = keys(m.DossierFacts(graduated_on=date(2016, 6, 30), has_degree=True, overseas_education=True))
    assert "overseas_cert" in overseas and "xuexin" not in overseas and "diploma" not in overseas


def test_gaps_name_each_empty_required_slot_and_the_unsigned_pledge() -> None:
    facts = m.DossierFacts(graduated_on=date(2016, 6, 30), has_prior_employer=True)
    found = m.gaps(facts, {"id_card"}, today=date(2026, 9, 28), pledge_signed=False)
    assert [(g.slot.key, g.why) for g in found] == [
        ("diploma", "未上传"),
        ("xuexin", "未上传"),
        ("labour_contract", "未上传"),
        ("prior_work", "未上传"),
        ("pledge", "尚未签署"),
    ]
    full = {"id_card", "diploma", "xuexin", "labour_contract", "prior_work"}
    ok = m.gaps(
        facts, full, today=date(2026, 9, 28), pledge_signed=True, document_dates={"xuexin": date(2026, 9, 1)}
    )
    assert ok == []


def test_the_xuexin_record_is_valid_six_months_from_printing() -> None:
    assert m.xuexin_valid_until(date(2026, 3, 1)) == date(2026, 9, 1)
    assert m.xuexin_valid_until(date(2026, 8, 31)) == date(2027, 2, 28)
    facts = m.DossierFacts(graduated_on=date(2016, 6, 30))
    filled = {"id_card", "diploma", "xuexin", "labour_contract"}
    expired = m.gaps(
        facts,
        filled,
        today=date(2026, 9, 28),
        pledge_signed=True,
        document_dates={"xuexin": date(2026, 3, 1)},
    )
    assert [g.slot.key for g in expired] == ["xuexin"] and "2026年9月1日到期" in expired[0].why
    undated = m.gaps(facts, filled, today=date(2026, 9, 28), pledge_signed=True)
    assert undated[0].why == "未填写打印日期"


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


def test_a_return_can_name_each_upload_slot() -> None:
    for slot in m.UPLOAD_SLOTS:
        assert corrections.SECTION_BY_KEY[f"material:{slot.key}"].title.endswith(slot.title)
    assert corrections.fields_of(["material:diploma"]) == set()
