"""The committee road's pure rules (issue 22): scope fit, filing deadlines ("N working days before D" = the
Nth working day counted back from the day before D), a provincial committee's channel, the reproducible
draw with recusal, and the vote's quorum, threshold and pass rate."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain import committees as c
from portal.domain.policy import load_profiles
from portal.domain.workdays import UnknownYear, WorkCalendar

CAL = WorkCalendar.default()
PROFILES = load_profiles()
ZHENJIANG = PROFILES["zhenjiang-2024"].committee
KUNMING = PROFILES["kunming-2022"].committee
assert ZHENJIANG is not None and KUNMING is not None


def test_a_row_for_the_applicants_own_place_wins_over_the_city_wide_one() -> None:
    city = c.ScopeRow(1, 1, ("建设工程",), "镇江市区", ("中级",))
    danyang = c.ScopeRow(2, 2, ("建设工程",), "丹阳市", ("中级",))
    subject = c.Subject("工程", "建设工程", "中级", "丹阳市开发区")
    assert c.candidates([city, danyang], subject, ZHENJIANG.city_wide_places) == [danyang]
    in_city = c.Subject("工程", "建设工程", "中级", "镇江市京口区")
    assert c.candidates([city, danyang], in_city, ZHENJIANG.city_wide_places) == [city]
    assert c.candidates([city], c.Subject("工程", "建设工程", "副高级", "镇江市"), ("镇江市区",)) == []
    # The series may name the row too (a committee of a whole series).
    assert c.candidates([city], c.Subject("建设工程", "土木", "中级", "镇江市"), ("镇江市区",)) == [city]


def test_zhenjiang_files_fifteen_calendar_days_before_the_meeting() -> None:
    due = c.deadlines(ZHENJIANG.filing, date(2024, 11, 20), CAL)
    assert due.to_json() == {
        "filing_due": "2024-11-05",
        "clause": "003 六(一)",
        # the report includes the 评前公示: it must have ended by the working day before
        "notice_must_end_by": "2024-11-04",
    }


@pytest.mark.parametrize(
    ("meeting", "due"),
    [
        # Monday 2026-11-30: counted back from Sunday 11-29, the 12th working day is Thursday 11-12.
        (date(2026, 11, 30), date(2026, 11, 12)),
        # Thursday 2026-10-15, back over National Day (10-01..07 off, Saturday 10-10 worked) and 中秋
        # (09-25..27 off): 14, 13, 12, 10, 9, 8, 9-30, 29, 28, 24, 23, 22.
        (date(2026, 10, 15), date(2026, 9, 22)),
        # Monday 2026-06-08, back over 劳动节 (05-01..05 off).
        (date(2026, 6, 8), date(2026, 5, 21)),
    ],
)
def test_dongchuan_files_twelve_working_days_before_on_the_calendar(meeting: date, due: date) -> None:
    assert c.deadlines(KUNMING.filing, meeting, CAL).filing_due == due
    assert c.deadlines(KUNMING.filing, meeting, CAL).clause == "004 一(六)"
    assert CAL.workdays_between(due, meeting - date.resolution) == 12


def test_n_working_days_before_counts_back_from_the_day_before() -> None:
    assert c.workdays_before(CAL, date(2026, 9, 28), 1) == date(2026, 9, 24)  # Mon → Thu (中秋 09-25..27)
    assert c.workdays_before(CAL, date(2026, 9, 29), 1) == date(2026, 9, 28)
    assert c.workdays_before(CAL, date(2026, 10, 12), 1) == date(2026, 10, 10)  # the worked Saturday
    with pytest.raises(UnknownYear):
        c.workdays_before(CAL, date(2004, 1, 5), 5)  # reaches 2003, which the calendar does not know


def test_a_provincial_committees_channel_opens_seven_days_early_and_closes_before_intake_ends() -> None:
    rule = KUNMING.provincial_windows
    assert rule is not None
    uniform = c.provincial_channel(rule, date(2022, 8, 1), date(2022, 8, 31), uniform=True)
    assert (uniform.opens, uniform.closes, uniform.clause) == (
        date(2022, 7, 25),
        date(2022, 8, 28),
        "004 二(二)",
    )
    alone = c.provincial_channel(rule, date(2022, 8, 1), date(2022, 8, 31), uniform=False)
    assert alone.closes == date(2022, 8, 30)


def test_the_draw_is_reproducible_from_its_seed_and_recuses_employers_and_applicants() -> None:
    pool = list(range(1, 21))
    first = c.draw(pool, 7, "abc123")
    assert first == c.draw(list(reversed(pool)), 7, "abc123")  # the order it was read in does not matter
    assert len(set(first)) == 7 and set(first) <= set(pool)
    assert c.draw(pool, 7, "other") != first
    with pytest.raises(ValueError):
        c.draw(pool[:3], 5, "abc123")
    agenda = [c.Reviewed(applicant_id=50, enterprise_id=9, enterprise_name="镇江城建集团")]
    assert c.recusal(c.Candidate(1, 60, 9, "别的名字"), agenda) == "与申报人同在镇江城建集团"
    assert c.recusal(c.Candidate(2, 61, None, "镇江城建集团"), agenda) == "与申报人同在镇江城建集团"
    assert c.recusal(c.Candidate(3, 50, None, "设计院"), agenda) == "本人为本次会议的申报人"
    assert c.recusal(c.Candidate(4, 62, 8, "设计院"), agenda) is None


def test_two_thirds_of_those_present_pass_and_the_quorum_is_two_thirds_of_the_panel() -> None:
    rule = ZHENJIANG.vote
    assert c.needed(5, rule.threshold) == 4 and c.needed(7, rule.threshold) == 5
    assert c.tally(["yes"] * 4 + ["no"], 5, rule).passed
    failed = c.tally(["yes"] * 3 + ["abstain"] * 2, 5, rule)
    assert (
        not failed.passed and failed.words == "出席专家5人，赞成3票、反对0票、弃权2票，通过须赞成4票：未通过"
    )
    assert c.at_least(4, 5, rule.quorum) and not c.at_least(3, 5, rule.quorum)
    assert c.pass_rate(2, 3) == 67 and c.pass_rate(0, 0) == 0


# --- the experts' term and title level (人社部令第40号) -----------------------------------------------------


def test_a_term_lasts_at_most_three_years_and_says_the_regulation_when_longer() -> None:
    # Terms of office count both days: appointed 20 Oct 2026, three years end on 19 Oct 2029 (it read
    # 20 Oct 2029, three years and a day).
    assert c.term_limit(date(2026, 10, 20)) == date(2029, 10, 19)
    assert c.term_limit(date(2026, 3, 1)) == date(2029, 2, 28)
    assert c.term_limit(date(2025, 3, 1)) == date(2028, 2, 29)  # a leap year's last day of February
    assert c.term_limit(date(2028, 2, 29)) == date(2031, 2, 28)  # its anniversary is 1 March
    assert c.term_limit(date(2026, 1, 1)) == date(2028, 12, 31)
    assert c.term_refusal(date(2026, 3, 1), date(2029, 2, 28)) is None
    longer = c.term_refusal(date(2026, 3, 1), date(2029, 3, 1))
    assert longer is not None and "人社部令第40号" in longer and "不超过3年" in longer
    assert c.term_refusal(date(2026, 3, 1), date(2026, 2, 28)) == "任期届满日不能早于聘任日期"


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("高级工程师", "副高级"),
        ("正高级工程师", "正高级"),
        ("教授级高级工程师", "正高级"),
        ("副教授", "副高级"),
        ("主任医师", "正高级"),
        ("工程师", "中级"),
        ("助理工程师", "助理级"),
        ("技术员", "员级"),
        ("副高级", "副高级"),
        ("正高级农艺师", "正高级"),
        ("主任编辑", "副高级"),
        ("高级编辑", "正高级"),
        ("专家", None),
        ("", None),
        # Posts, skill grades and look-alikes a substring rule misread: the office chooses their level.
        ("副总工程师", None),
        ("副处长", None),
        ("高级技师", None),
        ("主任科员", None),
        ("实习研究员", None),
    ],
)
def test_a_title_s_level_is_read_from_its_text_where_it_says_it(title: str, level: str | None) -> None:
    assert c.level_from_title(title) == level


def test_a_committee_s_level_is_the_group_of_its_highest_scope_level_and_its_experts_floor() -> None:
    assert c.committee_level(["初级", "中级", "副高级"]) == "高级"
    assert c.required_level("高级") == "副高级"
    assert c.committee_level(["员级", "助理级", "中级"]) == "中级"
    assert c.required_level("中级") == "中级"
    assert c.committee_level(["初级"]) == "初级" and c.required_level("初级") == "员级"
    assert c.committee_level([]) is None and c.required_level(None) is None


def test_an_expert_out_of_term_below_the_level_or_with_no_level_may_not_sit() -> None:
    start, end, day = date(2024, 1, 1), date(2026, 12, 31), date(2026, 12, 20)
    assert c.disqualification("副高级", start, end, "副高级", day) is None
    assert c.disqualification("正高级", start, end, "副高级", day) is None
    assert c.disqualification("中级", start, end, "副高级", day) is c.Unqualified.LEVEL
    assert c.disqualification(None, start, end, "副高级", day) is c.Unqualified.LEVEL_UNKNOWN
    assert c.disqualification("副高级", start, end, "副高级", date(2027, 1, 1)) is c.Unqualified.TERM
    assert c.disqualification("中级", start, end, None, day) is None  # no level to meet


def test_a_short_draw_says_how_many_are_missing_and_why() -> None:
    counts = {c.Unqualified.TERM: 2, c.Unqualified.LEVEL: 1, c.Unqualified.LEVEL_UNKNOWN: 1}
    words = c.shortfall(3, 5, counts, 1, "副高级")
    assert "只有3人，还差2人" in words
    for part in ("2人任期不含会议日期", "1人现有职称层级低于副高级", "1人现有职称层级待补充", "1人须回避"):
        assert part in words
    assert "人社部令第40号" in words


def test_the_pool_is_warned_below_a_senior_committee_s_minimum_or_when_even() -> None:
    specialty, series, unknown = c.Organised.SPECIALTY, c.Organised.SERIES, c.Organised.UNKNOWN
    assert c.pool_warnings(11, "高级", specialty) == []
    assert "不少于11人" in c.pool_warnings(9, "高级", specialty)[0]
    assert "不少于25人" in c.pool_warnings(23, "高级", series)[0]
    assert c.pool_warnings(25, "高级", series) == []
    (below,) = c.pool_warnings(9, "高级", unknown)  # not known: the lower minimum, both said
    assert "不少于11人" in below and "不少于25人" in below
    (even,) = c.pool_warnings(12, "高级", specialty)
    assert "单数" in even and "人社部令第40号" in even
    assert c.pool_warnings(7, "中级", unknown) == []  # the minimum is a senior committee's
    assert c.organised_by("东川区工程系列采矿工程专业中级评审委员会") is specialty
    assert c.organised_by("江苏省工程系列高级评审委员会") is series
    assert c.organised_by("镇江市职称与执业资格评价服务中心评委会") is unknown
