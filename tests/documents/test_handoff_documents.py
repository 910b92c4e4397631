"""Hand-off documents without a database (issue 23): the sealed foot of Kunming's 综合情况（公示）表 never
stands on a page of its own, away from the table it seals (004 二(七): the result written on the table,
then sealed)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from portal.demo import demo_seal_png
from portal.documents import handoffs as documents


def test_the_seal_stays_on_a_page_with_the_table_whatever_its_length() -> None:
    signature = documents.Signature(unit="某某公司", seal=demo_seal_png(), day=date(2026, 10, 27))
    for count in range(16, 30):  # tables that end anywhere on the first page, and just past it
        rows = [(f"栏目{i}", f"内容{i}") for i in range(count)] + [("公示结果", "公示期满无异议")]
        data = documents.document_pdf("综合情况（公示）表", [("基本情况", rows)], signature=signature)
        last = PdfReader(io.BytesIO(data)).pages[-1].extract_text() or ""
        assert "某某公司" in last and "公示结果" in last, count  # the seal with (at least) the result row
