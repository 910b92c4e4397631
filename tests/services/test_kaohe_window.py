"""Issue 22.9 (004 三, WIN-06): Kunming's 考核定职 is open only in January, April, July and October, on its
own road (the bureau's, no committee). The policy service's one answer to "which window is open" says so
for every month of the year, names the next quarter's month when it is shut, and gives the 评审 pathway
none of these months."""

from __future__ import annotations

from datetime import date

import pytest

from portal.services import policies

KM = policies.profiles()["kunming-2022"]


@pytest.mark.parametrize("month", range(1, 13))
def test_kaohe_dingzhi_opens_only_in_the_first_month_of_each_quarter(month: int) -> None:
    day = date(2022, month, 15)
    found = policies.windows_on(KM, day, level="中级", pathway="认定")
    if month in (1, 4, 7, 10):
        assert found.current is not None and found.current.citation == "004 三"
        assert found.current.opens == date(2022, month, 1)
        assert found.current.closes.month == month  # the whole month
    else:
        assert found.current is None
        following = next(m for m in (4, 7, 10) if m > month) if month < 10 else None
        assert (found.next.opens if found.next else None) == (date(2022, following, 1) if following else None)


def test_kaohe_dingzhi_is_the_bureaus_road_and_its_months_are_not_the_committees() -> None:
    assert KM.road("认定") == "bureau" and KM.pathway("认定").label == "考核定职"
    assert KM.road("评审") == "committee"
    april = policies.windows_on(KM, date(2022, 4, 15), level="中级", pathway="评审")
    assert april.current is None or april.current.batch_id != "km-kaohe"
