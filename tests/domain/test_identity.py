"""Tests for portal.domain.identity: canonical forms, every failure code, masks, facts.

Check characters are computed here with independent formulations of the algorithms (the ISO 7064
"pure system" congruence for MOD 11-2 and the GB 32100 congruence for MOD 31), not with the code
under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.identity import (
    PROVINCES,
    DocumentType,
    IdentityError,
    country_name,
    mask_id_number,
    mask_mobile,
    normalize_document,
    normalize_foreign_permanent_residence,
    normalize_hk_macau_permit,
    normalize_hmt_residence_permit,
    normalize_mobile,
    normalize_nationality,
    normalize_passport,
    normalize_resident_id,
    normalize_taiwan_permit,
    normalize_uscc,
    requires_work_permit,
    resident_id_facts,
)
from portal.domain.regions import DATA, region, regions

TODAY = date(2025, 6, 30)

# --------------------------------------------------------------------------------------------------
# Independent reference implementations
# --------------------------------------------------------------------------------------------------


def ref_mod11_2(body17: str) -> str:
    """The check character c such that sum(a_i * 2^(i-1)) ≡ 1 (mod 11), i counted from the right
    starting at 1 for the check character itself (ISO 7064 pure system, X = 10)."""
    assert len(body17) == 17
    for candidate in "0123456789X":
        full = body17 + candidate
        total = sum((10 if ch == "X" else int(ch)) * 2 ** (17 - pos) for pos, ch in enumerate(full))
        if total % 11 == 1:
            return candidate
    raise AssertionError("no check character")


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ref_uscc_check(body17: str) -> str:
    """The check character c with (sum(v_i * 3^(i-1) mod 31) + v(c)) ≡ 0 (mod 31)."""
    assert len(body17) == 17
    weights = [pow(3, i, 31) for i in range(17)]
    for candidate in USCC_ALPHABET:
        total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body17, weights, strict=True))
        if (total + USCC_ALPHABET.index(candidate)) % 31 == 0:
            return candidate
    raise AssertionError("no check character")


def make_id(body17: str) -> str:
    return body17 + ref_mod11_2(body17)


def make_uscc(body17: str) -> str:
    return body17 + ref_uscc_check(body17)


def wrong_check(number: str, alphabet: str) -> str:
    return next(ch for ch in alphabet if ch != number[-1])


def error_of(func, *args, **kwargs) -> IdentityError:  # type: ignore[no-untyped-def]
    with pytest.raises(IdentityError) as info:
        func(*args, **kwargs)
    return info.value


VALID_ID = make_id("36010219900307123")  # 江西南昌, 1990-03-07, odd 17th digit


# --------------------------------------------------------------------------------------------------
# Reference implementations agree with the published weights
# --------------------------------------------------------------------------------------------------


def test_reference_weights_match_the_standards() -> None:
    assert [2 ** (17 - i) % 11 for i in range(17)] == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert [pow(3, i, 31) for i in range(17)] == [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Resident ID: valid numbers and normalisation
# --------------------------------------------------------------------------------------------------


def test_well_known_ids_have_correct_check_characters() -> None:
    assert ref_mod11_2("11010519491231002") == "X"
    assert ref_mod11_2("44052418800101001") == "4"


def test_well_known_valid_id_passes() -> None:
    assert normalize_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"


def test_standard_example_born_1880_is_refused_only_for_its_birth_year() -> None:
    # GB 11643's own example has a correct check character, but the portal refuses births before 1900.
    err = error_of(normalize_resident_id, "440524188001010014", today=TODAY)
    assert err.code == "bad_birth_date"
    assert "1900" in err.message


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u300019491231\u3000002x",
        "\u200b11010519491231002X\ufeff",
        "110105\t19491231\n002X",
        "110105194912310０２Ⅹ",  # NFKC turns the Roman numeral ten into X
    ],
)
def test_normalisation_variants(raw: str) -> None:
    assert normalize_resident_id(raw, today=TODAY) == "11010519491231002X"


def test_computed_valid_ids_pass_and_default_today_works() -> None:
    for body in ("36010219900307123", "32010620000229004", "65010119000101001", "54000020240101999"):
        number = make_id(body)
        assert normalize_resident_id(number, today=TODAY) == number
    assert normalize_resident_id(VALID_ID) == VALID_ID


def test_birth_today_is_accepted() -> None:
    number = make_id("360102" + TODAY.strftime("%Y%m%d") + "001")
    assert normalize_resident_id(number, today=TODAY) == number


@pytest.mark.parametrize(("prefix", "place"), [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")])
def test_hmt_permit_numbers_are_refused_as_resident_ids_and_named(prefix: str, place: str) -> None:
    # Issue 17.3: a 港澳台居民居住证 number is another document; the message names the right type.
    number = make_id(prefix + "19850612" + "002")
    err = error_of(normalize_resident_id, number, today=TODAY)
    assert err.code == "hmt_residence_permit"
    assert "港澳台居民居住证" in err.message and place in err.message
    assert normalize_hmt_residence_permit(number, today=TODAY) == number
    assert normalize_document(DocumentType.HMT_RESIDENCE_PERMIT, number, today=TODAY) == number
    with pytest.raises(IdentityError):
        normalize_document(DocumentType.RESIDENT_ID, number, today=TODAY)


# --------------------------------------------------------------------------------------------------
# Resident ID: the address code is a GB/T 2260 code (issue 17.4)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["21334419900101001", "36999919900101001", "11019919900101001"])
def test_an_address_code_no_list_has_held_is_refused(body: str) -> None:
    # Only the province (21, 36, 11) is real: the check character is right, the county is invented.
    err = error_of(normalize_resident_id, make_id(body), today=TODAY)
    assert err.code == "unknown_region"
    assert body[:6] in err.message and PROVINCES[body[:2]] in err.message


def test_staff_holding_the_card_may_confirm_an_unknown_code() -> None:
    number = make_id("21334419900101001")
    assert normalize_resident_id(number, today=TODAY, region_confirmed=True) == number
    assert normalize_document("resident_id", number, today=TODAY, region_confirmed=True) == number
    assert resident_id_facts(number).province == "辽宁省"  # a confirmed number stays readable


@pytest.mark.parametrize(
    "body",
    [
        "11010320150101001",  # 北京市崇文区, merged into 东城区 in 2010: born after it was retired
        "44052420000101001",  # 广东省潮阳县, a county until 1993
        "36070219900101001",  # 赣州市章贡区, listed from 1998: born before it existed (moved there)
        "46000019800101001",  # 海南省, a province from 1988
    ],
)
def test_a_retired_or_later_code_stays_valid_whatever_the_birth_year(body: str) -> None:
    # python-stdnum's cn.ric refuses a birth year outside the code's years; real people hold such cards.
    number = make_id(body)
    assert normalize_resident_id(number, today=TODAY) == number


def test_a_future_birth_date_is_still_refused_with_a_known_code() -> None:
    number = make_id("360702" + (TODAY + timedelta(days=1)).strftime("%Y%m%d") + "001")
    assert error_of(normalize_resident_id, number, today=TODAY).code == "future_birth_date"


def test_the_code_list_says_where_it_comes_from() -> None:
    header = [line for line in DATA.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("Source:" in line for line in header) and any("2026" in line for line in header)
    assert region("360702") is not None and region("360702").name == "章贡区"  # type: ignore[union-attr]
    assert region("110103") is not None and region("110103").until == 2010  # type: ignore[union-attr]
    assert region("213344") is None
    assert len(regions()) > 6000


# --------------------------------------------------------------------------------------------------
# Resident ID: every failure code
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "\u200b"])
def test_empty(raw: str) -> None:
    err = error_of(normalize_resident_id, raw, today=TODAY)
    assert err.code == "empty"
    assert err.message == "请输入身份证号码"


def test_bad_check_char_message_names_the_expected_character() -> None:
    bad = "110105194912310021"
    err = error_of(normalize_resident_id, bad, today=TODAY)
    assert err.code == "bad_check_char"
    assert "应为X" in err.message
    assert str(err) == err.message
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("length", [1, 10, 14, 16, 17, 19, 20])
def test_bad_length(length: int) -> None:
    err = error_of(normalize_resident_id, "1" * length, today=TODAY)
    assert err.code == "bad_length"
    assert f"{length}位" in err.message


def test_15_digit_legacy() -> None:
    err = error_of(normalize_resident_id, "110105491231002", today=TODAY)
    assert err.code == "legacy_15_digit"
    assert "18位" in err.message


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002Y",
        "1101051949123100-X",
        "1101051949X231002X",
        "X1010519491231002X",
        "11010519491231002×",  # multiplication sign is not X
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits: not [0-9]
        "11010519491231002X号",
    ],
)
def test_bad_chars(raw: str) -> None:
    err = error_of(normalize_resident_id, raw, today=TODAY)
    assert err.code == "bad_chars"


def test_x_in_the_middle_gets_its_own_message() -> None:
    err = error_of(normalize_resident_id, "1101051949X231002X", today=TODAY)
    assert "最后一位" in err.message


@pytest.mark.parametrize("prefix", ["000000", "100000", "160000", "190000", "700000", "840000", "990000"])
def test_bad_region(prefix: str) -> None:
    err = error_of(normalize_resident_id, make_id(prefix + "19900101001"), today=TODAY)
    assert err.code == "bad_region"
    assert prefix[:2] in err.message


def test_hmt_prefix_must_be_the_whole_address_code() -> None:
    err = error_of(normalize_resident_id, make_id("810101" + "19900101001"), today=TODAY)
    assert err.code == "bad_region"
    assert "810000" in err.message


@pytest.mark.parametrize("birth", ["19990230", "19990229", "19991301", "19990001", "19990100", "20230431"])
def test_impossible_birth_dates(birth: str) -> None:
    err = error_of(normalize_resident_id, make_id("360102" + birth + "001"), today=TODAY)
    assert err.code == "bad_birth_date"
    assert birth in err.message


def test_leap_day_in_leap_year_is_fine() -> None:
    number = make_id("36010220000229001")
    assert normalize_resident_id(number, today=TODAY) == number


def test_future_birth_date() -> None:
    tomorrow = TODAY + timedelta(days=1)
    number = make_id("360102" + tomorrow.strftime("%Y%m%d") + "001")
    err = error_of(normalize_resident_id, number, today=TODAY)
    assert err.code == "future_birth_date"


def test_before_1900() -> None:
    err = error_of(normalize_resident_id, make_id("36010218991231001"), today=TODAY)
    assert err.code == "bad_birth_date"


# --------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------


def test_facts_female() -> None:
    facts = resident_id_facts("11010519491231002X")
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "女"
    assert facts.region_code == "110105"
    assert facts.province == "北京市"


def test_facts_male_and_age() -> None:
    facts = resident_id_facts(VALID_ID)
    assert facts.sex == "男"
    assert facts.province == "江西省"
    assert facts.birth_date == date(1990, 3, 7)
    assert facts.age_on(date(2025, 3, 6)) == 34
    assert facts.age_on(date(2025, 3, 7)) == 35


def test_facts_normalise_and_cover_hmt() -> None:
    assert resident_id_facts(VALID_ID.lower()).region_code == "360102"
    assert resident_id_facts(make_id("83000019850612002")).province == "台湾地区"
    assert resident_id_facts(make_id("81000019850612002")).province == "香港特别行政区"


def test_facts_refuse_invalid() -> None:
    with pytest.raises(IdentityError):
        resident_id_facts("110105194912310021")


def test_facts_are_frozen() -> None:
    facts = resident_id_facts(VALID_ID)
    with pytest.raises(AttributeError):
        facts.sex = "女"  # type: ignore[misc]


def test_province_table_has_34_entries() -> None:
    assert len(PROVINCES) == 34
    assert PROVINCES["36"] == "江西省"
    assert PROVINCES["32"] == "江苏省"


# --------------------------------------------------------------------------------------------------
# Hypothesis: GB 11643 round trip and single-substitution detection
# --------------------------------------------------------------------------------------------------

# Real address codes (GB/T 2260, any year); 港澳台 codes are another document's prefixes.
REGIONS = st.sampled_from(sorted(code for code in regions() if code[:2] not in ("81", "82", "83")))
BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
SEQUENCES = st.text(alphabet="0123456789", min_size=3, max_size=3)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    return make_id(draw(REGIONS) + draw(BIRTHS).strftime("%Y%m%d") + draw(SEQUENCES))


@settings(max_examples=300, deadline=None)
@given(valid_ids())
def test_property_valid_ids_pass(number: str) -> None:
    assert normalize_resident_id(number, today=TODAY) == number
    assert normalize_resident_id(number.lower(), today=TODAY) == number
    assert resident_id_facts(number).region_code == number[:6]


@settings(max_examples=300, deadline=None)
@given(valid_ids(), st.integers(min_value=0, max_value=17), st.data())
def test_property_any_single_substitution_fails(number: str, position: int, data: st.DataObject) -> None:
    allowed = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([ch for ch in allowed if ch != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdentityError):
        normalize_resident_id(changed, today=TODAY)


# --------------------------------------------------------------------------------------------------
# 港澳台居民居住证
# --------------------------------------------------------------------------------------------------


def test_hmt_permit_valid() -> None:
    number = make_id("82000019791105003")
    assert normalize_hmt_residence_permit(number.replace("", " ")[1:], today=TODAY) == number


def test_hmt_permit_refuses_mainland_id() -> None:
    err = error_of(normalize_hmt_residence_permit, VALID_ID, today=TODAY)
    assert err.code == "bad_region"
    assert "810000" in err.message


def test_hmt_permit_check_char_and_date() -> None:
    number = make_id("83000019850612002")
    bad = number[:-1] + wrong_check(number, "0123456789X")
    assert error_of(normalize_hmt_residence_permit, bad, today=TODAY).code == "bad_check_char"
    assert error_of(normalize_hmt_residence_permit, make_id("83000019850230002"), today=TODAY).code == (
        "bad_birth_date"
    )
    assert error_of(normalize_hmt_residence_permit, "", today=TODAY).code == "empty"
    assert error_of(normalize_hmt_residence_permit, "8300001985", today=TODAY).code == "bad_length"


# --------------------------------------------------------------------------------------------------
# 统一社会信用代码
# --------------------------------------------------------------------------------------------------


def test_known_uscc_check_character() -> None:
    assert ref_uscc_check("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "body",
    ["91350100M000100Y4", "12100000400000001", "51110000500000001", "92360102MA35A0B1C", "N2360102MA35A0B1C"],
)
def test_uscc_valid(body: str) -> None:
    code = make_uscc(body)
    assert normalize_uscc(code) == code
    assert normalize_uscc(" " + code.lower() + "\u3000") == code


def test_uscc_full_width() -> None:
    assert normalize_uscc("９１３５０１００ｍ０００１００ｙ４３") == "91350100M000100Y43"


def test_uscc_bad_check_char() -> None:
    err = error_of(normalize_uscc, "91350100M000100Y44")
    assert err.code == "bad_check_char"
    assert "应为3" in err.message


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_bad_charset(letter: str) -> None:
    err = error_of(normalize_uscc, "91350100M000100" + letter + "43")
    assert err.code == "bad_chars"
    assert letter in err.message


def test_uscc_punctuation_is_bad_chars() -> None:
    assert error_of(normalize_uscc, "91350100-M000100Y4").code == "bad_chars"


def test_uscc_other_failures() -> None:
    assert error_of(normalize_uscc, "").code == "empty"
    assert error_of(normalize_uscc, "91350100M000100Y4").code == "bad_length"
    assert error_of(normalize_uscc, "91350100M000100Y433").code == "bad_length"
    assert error_of(normalize_uscc, make_uscc("H1350100M000100Y4")).code == "bad_authority"
    assert error_of(normalize_uscc, make_uscc("90350100M000100Y4")).code == "bad_category"
    assert error_of(normalize_uscc, make_uscc("9199A100M000100Y4")).code == "bad_region"
    assert error_of(normalize_uscc, make_uscc("91990100M000100Y4")).code == "bad_region"


USCC_BODIES = st.builds(
    lambda authority, category, province, rest: authority + category + province + rest,
    st.sampled_from("123456789Y"),
    st.sampled_from("123456789"),
    st.sampled_from(sorted(PROVINCES)),
    st.text(alphabet=USCC_ALPHABET, min_size=13, max_size=13).map(
        lambda s: "".join(ch if i >= 4 or ch.isdigit() else "0" for i, ch in enumerate(s))
    ),
)


@settings(max_examples=200, deadline=None)
@given(USCC_BODIES, st.integers(min_value=0, max_value=17), st.data())
def test_property_uscc_round_trip_and_substitution(body: str, position: int, data: st.DataObject) -> None:
    code = make_uscc(body)
    assert normalize_uscc(code) == code
    replacement = data.draw(st.sampled_from([ch for ch in USCC_ALPHABET if ch != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(IdentityError):
        normalize_uscc(changed)


# --------------------------------------------------------------------------------------------------
# Other documents
# --------------------------------------------------------------------------------------------------


def test_foreign_permanent_residence_2023_format() -> None:
    number = make_id("9" + "31" + "840" + "19800101" + "001")  # 上海-issued, nationality 840, 1980-01-01
    assert normalize_foreign_permanent_residence(number.lower(), today=TODAY) == number
    bad = number[:-1] + wrong_check(number, "0123456789X")
    assert error_of(normalize_foreign_permanent_residence, bad, today=TODAY).code == "bad_check_char"
    bad_date = make_id("93184019800230001")
    assert error_of(normalize_foreign_permanent_residence, bad_date, today=TODAY).code == "bad_birth_date"
    bad_region = make_id("99984019800101001")
    assert error_of(normalize_foreign_permanent_residence, bad_region, today=TODAY).code == "bad_region"


def test_foreign_permanent_residence_must_start_with_9() -> None:
    err = error_of(normalize_foreign_permanent_residence, VALID_ID, today=TODAY)
    assert err.code == "bad_prefix"
    assert "居民身份证" in err.message


def test_foreign_permanent_residence_old_format() -> None:
    assert normalize_foreign_permanent_residence("usa 3100 800101 01", today=TODAY) == "USA310080010101"
    err = error_of(normalize_foreign_permanent_residence, "USA310080023001", today=TODAY)
    assert err.code == "bad_birth_date"
    assert error_of(normalize_foreign_permanent_residence, "USA3100800101AB", today=TODAY).code == "bad_chars"


def test_foreign_permanent_residence_length_and_empty() -> None:
    assert error_of(normalize_foreign_permanent_residence, "", today=TODAY).code == "empty"
    err = error_of(normalize_foreign_permanent_residence, "USA31008001010", today=TODAY)
    assert err.code == "bad_length"
    assert "15位" in err.message and "18位" in err.message


def test_hk_macau_permit() -> None:
    assert normalize_hk_macau_permit("h1234 5678") == "H12345678"
    assert normalize_hk_macau_permit("Ｍ1234567801") == "M1234567801"
    assert error_of(normalize_hk_macau_permit, "").code == "empty"
    assert error_of(normalize_hk_macau_permit, "12345678").code == "bad_prefix"
    assert error_of(normalize_hk_macau_permit, "H1234567").code == "bad_length"
    assert error_of(normalize_hk_macau_permit, "H123456789").code == "bad_length"
    assert error_of(normalize_hk_macau_permit, "H1234567A").code == "bad_chars"


def test_taiwan_permit() -> None:
    assert normalize_taiwan_permit("1234 5678") == "12345678"
    assert normalize_taiwan_permit("1234567890") == "1234567890"
    assert normalize_taiwan_permit("12345678ab") == "12345678AB"
    assert error_of(normalize_taiwan_permit, "").code == "empty"
    assert error_of(normalize_taiwan_permit, "1234567").code == "bad_length"
    assert error_of(normalize_taiwan_permit, "1234567890(B)").code == "bad_chars"
    assert error_of(normalize_taiwan_permit, "A234567890").code == "bad_chars"


def test_passport() -> None:
    assert normalize_passport(" e1234 5678 ", "USA") == "E12345678"
    assert normalize_passport("ab12345", "新加坡") == "AB12345"
    assert error_of(normalize_passport, "", "USA").code == "empty"
    assert error_of(normalize_passport, "AB12", "USA").code == "bad_length"
    assert error_of(normalize_passport, "A" * 18, "USA").code == "bad_length"
    assert error_of(normalize_passport, "AB12345/", "USA").code == "bad_chars"
    assert error_of(normalize_passport, "AB12345", None).code == "nationality_required"
    assert error_of(normalize_passport, "AB12345", "  ").code == "nationality_required"
    assert error_of(normalize_passport, "AB12345", "US").code == "bad_nationality"


def test_nationality() -> None:
    assert normalize_nationality("usa") == "USA"
    # A Chinese name CLDR knows is stored as its code (named in the reader's language on every page); one
    # it does not know is kept as typed.
    assert normalize_nationality(" 波斯尼亚和黑塞哥维那 ") == "BIH"
    for typed in ("美国", "美國", "美利坚合众国"):
        assert normalize_nationality(typed) == "USA"
    # Seen: a nationality typed “美利坚” was kept as typed and shown as 美利坚; GB/T 2659 (and the provincial
    # systems) name the country 美国, in full 美利坚合众国: both forms, in either script, are its code.
    for typed in ("美利坚", "美利堅", "美利堅合眾國"):
        assert normalize_nationality(typed) == "USA", typed
    assert country_name("USA", "zh_Hans_CN") == "美国"
    assert normalize_nationality("中国香港") == "HKG"
    assert normalize_nationality("中非") == "中非"
    # Seen in the English interface: “United States” was refused. English names (CLDR's, as Babel ships
    # them) are stored as the code; a name no country has, or a user-assigned code's name, is not.
    assert (
        normalize_nationality("United States") == normalize_nationality("united states of america") == "USA"
    )
    assert normalize_nationality("Bosnia and Herzegovina") == normalize_nationality("Bosnia & Herzegovina")
    assert normalize_nationality("the Netherlands") == "NLD"
    assert normalize_nationality("Cote d'Ivoire") == "CIV"
    assert normalize_nationality("Myanmar (Burma)") == "MMR"  # not the withdrawn BUR
    assert error_of(normalize_nationality, "European Union").code == "bad_nationality"
    assert error_of(normalize_nationality, "Atlantis").code == "bad_nationality"


def test_document_types_and_dispatch() -> None:
    assert {t.value for t in DocumentType} == {
        "resident_id",
        "hmt_residence_permit",
        "foreign_permanent_residence",
        "hk_macau_permit",
        "taiwan_permit",
        "passport",
    }
    assert DocumentType.RESIDENT_ID.title == "居民身份证"
    assert DocumentType.PASSPORT.title == "护照"
    assert all(t.title for t in DocumentType)
    assert normalize_document(DocumentType.RESIDENT_ID, VALID_ID.lower(), today=TODAY) == VALID_ID
    assert normalize_document("resident_id", VALID_ID, today=TODAY) == VALID_ID
    hmt = make_id("81000019850612002")
    assert normalize_document("hmt_residence_permit", hmt, today=TODAY) == hmt
    assert normalize_document("hk_macau_permit", "h12345678") == "H12345678"
    assert normalize_document("taiwan_permit", "12345678") == "12345678"
    old_pr = "USA310080010101"
    assert normalize_document("foreign_permanent_residence", old_pr, today=TODAY) == old_pr
    assert normalize_document("passport", "e1234567", nationality="GBR") == "E1234567"
    assert error_of(normalize_document, "passport", "E1234567").code == "nationality_required"
    with pytest.raises(ValueError):
        normalize_document("driving_licence", "123")


def test_requires_work_permit() -> None:
    assert requires_work_permit(DocumentType.PASSPORT) is True
    assert requires_work_permit("passport") is True
    for kind in DocumentType:
        if kind is not DocumentType.PASSPORT:
            assert requires_work_permit(kind) is False


# --------------------------------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 13800138000",
        "8613800138000",
        "１３８００１３８０００",
        "138－0013－8000",
        "138\u30000013\u30008000",
    ],
)
def test_mobile_valid(raw: str) -> None:
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("1380013800", "bad_length"),
        ("138001380001", "bad_length"),
        ("12800138000", "bad_mobile_prefix"),
        ("02812345678", "bad_mobile_prefix"),
        ("1380013800a", "bad_chars"),
        ("(+86)13800138000", "bad_chars"),
        ("١٣٨٠٠١٣٨٠٠٠", "bad_chars"),
    ],
)
def test_mobile_invalid(raw: str, code: str) -> None:
    assert error_of(normalize_mobile, raw).code == code


# --------------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------------


def test_mask_id_number_18() -> None:
    assert mask_id_number("36010219900101123X") == "3601**********123X"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("USA310080010101", "USA*********101"),
        ("H12345678", "H1*****78"),
        ("12345678", "12****78"),
        ("AB12345", "A*****5"),
        ("1234", "1**4"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_other_lengths(raw: str, expected: str) -> None:
    assert mask_id_number(raw) == expected


@given(st.text(alphabet="0123456789ABCDEFGHX", max_size=40))
def test_property_mask_reveals_at_most_8_and_at_most_half(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    revealed = sum(1 for ch in masked if ch != "*")
    assert revealed <= 8
    assert revealed <= len(value) // 2


def test_mask_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"
    assert mask_mobile("021-12345678") == "021******678"


def test_a_stored_nationality_code_is_named_in_the_readers_language() -> None:
    assert country_name("USA", "zh_Hans_CN") == "美国" and country_name("USA", "en") == "United States"
    assert country_name("GBR", "zh_Hans_CN") == "英国"
    assert country_name("美国", "en") is None  # typed in Chinese: shown as typed
    assert country_name("XXA", "en") is None  # a user-assigned code names no country
