"""REV-03 (一次性告知): which items of a later return the organisation's earlier return could have listed."""

from __future__ import annotations

from portal.domain import corrections as rules

OFFERED_THEN = [
    "education",
    "row:education:12",
    "field:work_summary",
    "material:id_card",
    "material:diploma@12",
]


def test_an_item_the_earlier_return_could_not_name_is_a_fair_new_finding() -> None:
    # The applicant's 学位 made degree@12 a slot of the checklist after the earlier return: not there to
    # list then, so not belated even though its file has not changed since.
    assert rules.belated(["material:degree@12"], [], [], OFFERED_THEN) == []
    assert rules.belated(["material:degree@12", "material:id_card"], [], [], OFFERED_THEN) == [
        "material:id_card"
    ]  # the identity card was on the checklist then, and is unchanged


def test_a_return_recorded_before_its_choices_were_kept_warns_of_no_material_slot() -> None:
    # Unknown whether its checklist showed the slot: the warning would claim what cannot be told.
    assert rules.belated(["material:id_card", "field:work_summary"], [], [], None) == ["field:work_summary"]
    assert rules.belated(["education"], [], ["row:education:12"], None) == []  # changed since, as before


def test_a_rows_slot_is_a_fair_new_finding_once_the_applicant_changed_the_row() -> None:
    # The applicant rewrote education row 12 (its school) and kept its 学历证书: the certificate proved
    # the row as it stood, so naming it now is no item the earlier return could have listed.
    assert rules.belated(["material:diploma@12"], [], ["row:education:12"], OFFERED_THEN) == []
    assert rules.belated(["material:diploma@12"], [], ["row:education:13"], OFFERED_THEN) == [
        "material:diploma@12"
    ]  # another row changed: this one's certificate stood then as it stands now
    # Editing the row does not answer a return that asked for the row's file itself.
    assert not rules.touched("material:diploma@12", ["row:education:12"])
