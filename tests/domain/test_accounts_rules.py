"""The pure rules behind applicant accounts: one applicant's fields, bulk rows, roster matching."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.accounts import (
    ApplicantDraft,
    check_applicant,
    check_import_rows,
    check_name,
    normalize_name,
    written_name,
)
from portal.domain.identity import complete_resident_id
from portal.domain.roster import (
    NameAgreement,
    RosterBadge,
    RosterRecord,
    match,
    months_since,
    names_agree,
    normalize_unit_name,
    parse_month,
    parse_roster,
)
from portal.domain.tables import TableError

TODAY = date(2026, 9, 28)
ID = complete_resident_id("36070219920315123")


def draft(**changes: str) -> ApplicantDraft:
    base = {
        "name": "周文博",
        "document_type": "resident_id",
        "id_number": ID,
        "phone": "13970709901",
        "employment_type": "labour_contract",
    }
    return ApplicantDraft(**(base | changes))


def test_a_good_resident_applicant_is_canonical_with_birth_date_and_sex() -> None:
    checked = check_applicant(
        draft(name=" 周 文博 ", id_number=ID.lower(), phone="+86 139-7070-9901"), today=TODAY
    )
    assert checked.ok
    assert checked.values["name"] == "周文博" and checked.values["id_number"] == ID
    assert checked.values["phone"] == "13970709901"
    assert checked.facts is not None and checked.facts.birth_date == date(1992, 3, 15)


def test_every_bad_field_is_reported_at_once() -> None:
    checked = check_applicant(
        draft(
            name="周<b>", id_number=ID[:-1] + ("0" if ID[-1] != "0" else "1"), phone="123", employment_type=""
        ),
        today=TODAY,
    )
    assert set(checked.problems) == {"name", "id_number", "phone", "employment_type"}
    assert "校验位" in checked.problems["id_number"]


@pytest.mark.parametrize("kind", ["civil_servant", "civil_servant_managed", "retiree"])
def test_civil_servants_cangong_staff_and_retirees_are_refused_citing_scope_04(kind: str) -> None:
    problem = check_applicant(draft(employment_type=kind), today=TODAY).problems["employment_type"]
    # Without the bureau's clauses nothing is cited (another city's clause was cited to every bureau).
    assert "不能申报职称" in problem and problem.endswith("离退休人员不得申报）")


def test_a_passport_needs_nationality_and_a_permit() -> None:
    bare = check_applicant(
        draft(document_type="passport", id_number="e1234567", name="JOHN  SMITH"), today=TODAY
    )
    assert set(bare.problems) == {"nationality", "permit_kind"}
    assert bare.values["id_number"] == "E1234567" and bare.values["name"] == "JOHN SMITH"
    full = check_applicant(
        draft(
            document_type="passport",
            id_number="E1234567",
            name="John Smith",
            nationality="usa",
            permit_kind="work_permit",
            permit_no="wp 2026 0001 23",
        ),
        today=TODAY,
    )
    assert full.ok and full.values["nationality"] == "USA" and full.values["permit_no"] == "WP2026000123"
    bad_pr = check_applicant(
        draft(
            document_type="passport",
            id_number="E1234567",
            nationality="美国",
            permit_kind="permanent_residence",
            permit_no="123",
        ),
        today=TODAY,
    )
    assert "外国人永久居留身份证" in bad_pr.problems["permit_no"]


def test_other_documents_are_checked_by_their_own_rules() -> None:
    assert check_applicant(draft(document_type="hk_macau_permit", id_number="h12345678"), today=TODAY).ok
    assert (
        "H"
        in check_applicant(draft(document_type="hk_macau_permit", id_number="X1234"), today=TODAY).problems[
            "id_number"
        ]
    )
    assert check_applicant(draft(document_type="taiwan_permit", id_number="12345678"), today=TODAY).ok
    assert (
        "证件类型"
        in check_applicant(draft(document_type="driving_licence"), today=TODAY).problems["document_type"]
    )


def test_names_keep_the_middle_dot_and_latin_spaces() -> None:
    assert written_name("艾力 • 买买提") == normalize_name("艾力 • 买买提") == "艾力·买买提"
    assert written_name("  Mary   Ann ") == "Mary Ann"
    # Compared, a name's Latin letters are in one case: the passport's MARY ANN is the Mary Ann typed.
    assert normalize_name("  MARY   Ann ") == normalize_name("Mary Ann") == "mary ann"


def test_a_full_stop_people_write_is_kept_and_compares_as_the_rosters_name_without_it() -> None:
    """Seen in English: “John Smith Jr.” was refused for its “.”; the roster and the passport's
    machine-readable name print JOHN SMITH JR, so the key reads a full stop as a space."""
    assert check_name("John  Smith Jr.") == "John Smith Jr."
    assert normalize_name("John Smith Jr.") == normalize_name("JOHN SMITH JR") == "john smith jr"
    assert normalize_name("J.R. Smith") == normalize_name("J R SMITH")
    # Between Chinese characters a (full-width) full stop is the middle dot typed with the nearest key.
    assert check_name("阿卜杜拉．艾力") == check_name("阿卜杜拉 . 艾力") == "阿卜杜拉·艾力"
    with pytest.raises(ValueError, match="请填写姓名"):
        check_name(" . ")
    with pytest.raises(ValueError) as refused:
        check_name("周#文博")
    # The message lists exactly what is accepted.
    assert "只能包含汉字、字母、空格、间隔号“·”、连字符“-”、撇号“'”和英文句点“.”" in str(refused.value)


def test_a_passport_holder_of_chinese_nationality_is_sent_to_the_document_they_hold() -> None:
    """Seen in English: a Hong Kong resident opened with Passport and nationality “Hong Kong” was accepted,
    then asked for a foreigner's permit no Hong Kong resident has; a foreign passport still passes."""
    passport = {"document_type": "passport", "id_number": "K12345678", "permit_kind": "work_permit"}
    passport["permit_no"] = "1100002023000123"
    for nationality in ("Hong Kong SAR China", "HKG", "中国香港", "China", "中国", "台湾", "mac"):
        checked = check_applicant(draft(**passport, nationality=nationality), today=TODAY)
        assert "港澳居民来往内地通行证" in checked.problems["nationality"], nationality
    assert check_applicant(draft(**passport, nationality="中非"), today=TODAY).ok
    assert check_applicant(draft(**passport, nationality="United Kingdom"), today=TODAY).ok


def test_bulk_rows_report_every_bad_cell_by_line_and_column_and_duplicates_in_the_file() -> None:
    other = complete_resident_id("36070219900101123")
    rows = [
        ["*姓名（与证件一致）", "证件类型", "*证件号码", "*手机号码", "*用工类型"],
        ["示例：张三", "居民身份证", ID, "13900000000", "劳动合同"],
        ["周文博", "", ID.lower(), "13970709901", "劳动合同"],
        ["李四", "身份证", other, "13970709902", "公务员"],
        ["", "", "", "", ""],
        ["王五", "居民身份证", ID, "13970709903", "聘用合同"],
        ["赵六", "居民身份证", "3.60702199203151e+17", "13970709904", "劳动合同"],
    ]
    check = check_import_rows(rows, today=TODAY)
    assert [r.line for r in check.rows] == [3, 4, 6, 7]
    assert [r.line for r in check.good] == [3]
    problems = {(p.line, p.column): p.message for p in check.problems}
    assert "不能申报职称" in problems[(4, "用工类型")]
    assert "与第3行的证件号码重复" in problems[(6, "证件号码")]
    assert "文本" in problems[(7, "证件号码")]


def test_a_word_no_choice_knows_is_named_with_the_choices_the_file_may_write() -> None:
    # Reported: 用工类型=劳动合同制 said only "请选择用工类型", as if the cell were empty.
    passport = ["Mary Ann", "护照", "E1234567", "13970709905", "劳动合同", "新加坡", "工作证"]
    rows = [
        ["*姓名", "证件类型", "*证件号码", "*手机号码", "*用工类型", "国籍", "许可证件种类"],
        ["周文博", "", ID, "13970709901", "劳动合同制"],
        ["李四", "身份证件", complete_resident_id("36070219900101123"), "13970709902", "劳动合同"],
        passport,
        ["王五", "", complete_resident_id("36070219900201123"), "13970709903", ""],
    ]
    problems = {(p.line, p.column): p.message for p in check_import_rows(rows, today=TODAY).problems}
    assert problems[(2, "用工类型")] == (
        "用工类型“劳动合同制”无法识别，请填写以下之一：“签订劳动合同的职工”、“签订聘用合同的事业单位工作人员”、"
        "“公务员”、“参照公务员法管理单位工作人员（参公）”、“离退休人员（含退休返聘）”"
    )
    assert problems[(3, "证件类型")].startswith("证件类型“身份证件”无法识别，请填写以下之一：“居民身份证”、")
    assert problems[(4, "许可证件种类")].startswith("许可证件种类“工作证”无法识别，请填写以下之一：")
    assert problems[(5, "用工类型")] == "请选择用工类型"  # an empty cell: nothing to name


def test_a_bulk_file_without_the_required_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(TableError, match="证件号码"):
        check_import_rows(
            [["姓名", "手机号码", "用工类型"], ["周文博", "13970709901", "劳动合同"]], today=TODAY
        )


def test_unit_names_match_across_bracket_width_and_spaces() -> None:
    assert normalize_unit_name("赣州（开发区） 城投集团") == normalize_unit_name("赣州(开发区)城投集团")
    assert normalize_unit_name("赣州【开发区】") == normalize_unit_name("赣州[开发区]")


def test_roster_badges() -> None:
    record = RosterRecord(2, "周文博", ID, "赣州（开发区）城投集团", 12)
    common = {"name": "周文博", "id_number": ID, "unit_name": "赣州(开发区)城投集团", "minimum_months": 6}
    assert match(record=record, **common).badge is RosterBadge.LINKED
    assert match(record=None, **common).badge is RosterBadge.NOT_FOUND
    other_unit = RosterRecord(2, "周文博", ID, "城投置业公司", 3)
    mismatch = match(record=other_unit, **common)
    assert mismatch.badge is RosterBadge.UNIT_MISMATCH and len(mismatch.problems) == 2
    assert "隶属关系证明" in mismatch.problems[0]
    short = match(record=RosterRecord(2, "周文博", ID, "赣州(开发区)城投集团", 5), **common)
    assert short.badge is RosterBadge.MONTHS_SHORT and "不足6个月" in short.problems[0]
    renamed = match(record=RosterRecord(2, "周文搏", ID, "x", 60), **common)
    assert renamed.badge is RosterBadge.NAME_MISMATCH


def test_roster_sheets_with_months_or_a_start_month() -> None:
    assert months_since(date(2026, 4, 1), date(2026, 9, 28)) == 6
    assert parse_month("2026年4月") == date(2026, 4, 1) and parse_month("202604") == date(2026, 4, 1)
    rows = [
        ["参保人员名单"],
        ["序号", "姓名", "公民身份号码", "参保单位名称", "参保年月"],
        ["1", "周文博", ID.lower(), "城投集团", "2026-04"],
        ["2", "坏号", "123", "城投集团", "2020-01"],
        ["3", "周文博", ID, "城投集团", "2020-01"],
    ]
    parsed = parse_roster(rows, as_of=TODAY)
    assert [(r.line_no, r.id_number, r.months) for r in parsed.records] == [(3, ID, 6)]
    assert [(p.line, p.column) for p in parsed.skipped] == [(4, "身份证号码")]
    with pytest.raises(TableError, match="缴费月数"):
        parse_roster([["姓名", "身份证号码", "参保单位"]], as_of=TODAY)


def test_a_roster_row_with_a_passport_number_is_skipped_as_another_document() -> None:
    """A QA report: a passport number (E12345678) was told to drop its letters (只能包含数字…)."""
    rows = [
        ["姓名", "身份证号码", "参保单位名称", "缴费月数"],
        ["GARCIA MARIA", "e1234567 8", "城投集团", "12"],
        ["坏号", "3601X", "城投集团", "12"],
    ]
    passport, typo = parse_roster(rows, as_of=TODAY).skipped
    assert "“E12345678”不是居民身份证号码" in passport.message and "人工核对" in passport.message
    assert "不是居民身份证号码" not in typo.message


def test_a_roster_name_is_kept_as_written_and_compared_by_its_key() -> None:
    # Names were stored through the comparison key, which folds Latin case: a mismatch named the roster's
    # "leung ka-ming".
    rows = [["姓名", "身份证号码", "参保单位名称", "缴费月数"], ["LEUNG Ka-ming", ID, "城投集团", "60"]]
    (record,) = parse_roster(rows, as_of=TODAY).records
    assert record.name == "LEUNG Ka-ming"
    common = {"id_number": ID, "unit_name": "城投集团", "minimum_months": 6}
    assert match(record=record, name="Leung Ka-Ming", **common).badge is RosterBadge.LINKED
    other = match(record=record, name="Leung Ka-wai", **common)
    assert other.badge is RosterBadge.NAME_MISMATCH and "“LEUNG Ka-ming”" in str(other.problems[0])


@pytest.mark.parametrize(
    ("roster", "account", "agreement"),
    [
        # Width, case and spaces (as before), and what exports and machine-readable names write otherwise:
        ("ＣＨＡＮ　ＴＡＩ　ＭＡＮ", "Chan Tai Man", NameAgreement.SAME),
        ("LEUNG KA MING", "Leung Ka-ming", NameAgreement.SAME),  # an MRZ's hyphen is a space
        ("OBRIEN JOHN", "O’Brien John", NameAgreement.SAME),  # ... and its apostrophe nothing
        ("买买提艾力", "买买提·艾力", NameAgreement.SAME),  # the export dropped the middle dot
        # A Hong Kong resident's (or a foreigner's permanent-residence card's) two printed names: the roster
        # lists one of them.
        ("陈大文", "陈大文 CHAN Tai Man", NameAgreement.ONE_FORM),
        ("CHAN TAI MAN", "陈大文 CHAN Tai-man", NameAgreement.ONE_FORM),
        ("陈大文 CHAN TAI MAN", "陈大文", NameAgreement.ONE_FORM),
        # Told apart: another character, another person's Chinese name.
        ("周文搏", "周文博", NameAgreement.DIFFERENT),
        ("陈小文", "陈大文 CHAN Tai Man", NameAgreement.DIFFERENT),
        ("CHAN TAI WAI", "陈大文 CHAN Tai Man", NameAgreement.DIFFERENT),
        ("陳小文", "陈大文", NameAgreement.DIFFERENT),
        # Traditional against simplified, whole or in one of two forms: the same person, still not linked.
        ("陳大文", "陈大文", NameAgreement.SCRIPT),
        ("歐陽娜娜", "欧阳娜娜", NameAgreement.SCRIPT),
        ("陈大文", "陳大文 CHAN Tai Man", NameAgreement.SCRIPT),
        ("陳大文 CHAN TAI MAN", "陈大文", NameAgreement.SCRIPT),
    ],
)
def test_roster_names_agree_across_the_forms_the_two_systems_write(
    roster: str, account: str, agreement: NameAgreement
) -> None:
    """Carried over as "HK name vs roster": a Hong Kong resident's account “陈大文 CHAN Tai Man” (the
    permit prints both names) read 姓名不一致 against the roster's 陈大文, and Leung Ka-ming against
    LEUNG KA MING."""
    assert names_agree(roster, account) is agreement


def test_a_name_the_roster_lists_in_one_form_is_linked_with_a_hint() -> None:
    common = {"id_number": ID, "unit_name": "城投集团", "minimum_months": 6}
    one_form = match(
        record=RosterRecord(2, "陈大文", ID, "城投集团", 60), name="陈大文 CHAN Tai Man", **common
    )
    assert one_form.badge is RosterBadge.LINKED
    assert "“陈大文”，是账号姓名“陈大文 CHAN Tai Man”中的一种写法" in str(one_form.problems[0])
    different = match(record=RosterRecord(2, "陳小文", ID, "城投集团", 60), name="陈大文", **common)
    assert different.badge is RosterBadge.NAME_MISMATCH and "修改账号信息" in str(different.problems[0])
    assert "繁体" not in str(different.problems[0])


def test_a_name_differing_only_in_traditional_characters_is_not_linked_but_said_so() -> None:
    """A Hong Kong resident's permit prints 陳大文; the roster (or the account) has 陈大文. The provincial
    link compares characters, so the badge stays 姓名不一致, but HR are told that only the script differs
    and which record to correct, not sent looking for another person."""
    common = {"id_number": ID, "unit_name": "城投集团", "minimum_months": 6}
    script = match(record=RosterRecord(2, "陳大文", ID, "城投集团", 60), name="陈大文", **common)
    assert script.badge is RosterBadge.NAME_MISMATCH
    (problem,) = script.problems
    assert "“陳大文”，与账号姓名“陈大文”只是繁体、简体写法不同" in str(problem)
    assert "修改账号信息" in str(problem) and "社保经办机构" in str(problem)
