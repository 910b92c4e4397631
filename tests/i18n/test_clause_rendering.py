"""A notice's clause in English reads as one language: numbered ("003 6(1)"), its words in English ("001 3,
preamble"; a slot's "001 4(3): upload a scan or photo of the original"), and what the catalogue cannot put in
English inside lang="zh-CN". It rendered half-converted ("Basis: 001 3 引言", "001 4(3)：上传原件…"), then
whole in Chinese beside other rows' "001 4(3)" (walk 3, item 4)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.domain.i18n import T_, Clause, Language
from portal.web import i18n


@pytest.mark.parametrize(
    ("citation", "english", "plain"),
    [
        ("003 六(一)", "003 6(1)", None),
        ("004 二(十)、001 四(三)", "004 2(10), 001 4(3)", None),
        ("001 三 引言", "001 3, preamble", None),
        ("003 附件 序号22", "003 annex, row 22", None),
        ("004 附件2、3", "004 annex 2, 3", None),
        ("001 四(三)：上传原件扫描件或照片", "001 4(3): upload a scan or photo of the original", None),
        (
            "001 三(四)：申报单位须与参保单位一致；004 二(三)",
            "001 3(4): the applying unit must be the unit that pays the social insurance; 004 2(3)",
            None,
        ),
        # A profile's own words the catalogue does not hold: numbered, the words marked Chinese.
        (
            "004 二(十)：须签署审核人姓名",
            '004 2(10): <span lang="zh-CN">须签署审核人姓名</span>',
            "004 2(10): 须签署审核人姓名",
        ),
        # A document's title: whole, as written.
        ("004 附件4 申报指南", '<span lang="zh-CN">004 附件4 申报指南</span>', "004 附件4 申报指南"),
    ],
)
def test_a_clause_is_numbered_with_its_words_in_english(
    app: Flask, citation: str, english: str, plain: str | None
) -> None:
    with app.test_request_context(), force_locale(Language.EN.value):
        assert str(i18n.clause(citation)) == english
        shown = str(i18n.translate(T_("（依据：%(clause)s）", clause=Clause(citation))))
        assert shown == f" (Basis: {english})"
        text = str(i18n.translate_plain(T_("（依据：%(clause)s）", clause=Clause(citation))))
        assert text == f" (Basis: {plain or english})"
    with app.test_request_context(), force_locale(Language.ZH.value):
        assert str(i18n.clause(citation)) == citation
