"""A notice's clause in English reads as one language: numbered ("003 6(1)") when it is only numbers, else
as written in Chinese, whole, inside lang="zh-CN". It rendered half-converted: "Basis: 001 3 引言" and
"001 4(3)：上传原件…" (digits beside Chinese words and a full-width colon)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.domain.i18n import T_, Clause, Language
from portal.web import i18n


@pytest.mark.parametrize(
    ("citation", "english"),
    [
        ("003 六(一)", "003 6(1)"),
        ("004 二(十)、001 四(三)", "004 2(10), 001 4(3)"),
        ("001 三 引言", '<span lang="zh-CN">001 三 引言</span>'),
        ("001 四(三)：上传原件扫描件", '<span lang="zh-CN">001 四(三)：上传原件扫描件</span>'),
    ],
)
def test_a_clause_is_numbered_or_kept_whole(app: Flask, citation: str, english: str) -> None:
    with app.test_request_context(), force_locale(Language.EN.value):
        assert str(i18n.clause(citation)) == english
        shown = str(i18n.translate(T_("（依据：%(clause)s）", clause=Clause(citation))))
        assert shown == f" (Basis: {english})"
        plain = str(i18n.translate_plain(T_("（依据：%(clause)s）", clause=Clause(citation))))
        assert plain == f" (Basis: {citation if '<span' in english else english})"
    with app.test_request_context(), force_locale(Language.ZH.value):
        assert str(i18n.clause(citation)) == citation
