"""`flask seed-demo` prints the demo logins as a table a terminal lines up (Chinese takes two columns)."""

from __future__ import annotations

from portal.cli import _terminal_width, login_table


def test_the_names_and_phones_line_up_under_descriptions_of_any_length() -> None:
    table = login_table(
        [
            ("人社局经办人", "13870700002", "刘雅琴"),
            ("东川区工程系列采矿工程专业中级评审委员会办事机构经办人", "13970900021", "李春梅"),
            ("Admin（HK）", "13870700001", "陈 Ka-ming"),
        ]
    )
    lines = table.splitlines()
    assert len(lines) == 3
    assert [line.split()[0] for line in lines] == ["13870700002", "13970900021", "13870700001"]
    starts = {
        _terminal_width(line[: line.index(who)])
        for line, who in zip(lines, ("人社局经办人", "东川区", "Admin"), strict=True)
    }
    assert len(starts) == 1  # every description starts in the same column, after names of any width
    assert login_table([]) == ""
