"""portal/web/charts.py: a bar's label fits the chart's label column by its characters' widths."""

from __future__ import annotations

from portal.web.charts import fit_label


def test_a_label_that_fits_is_whole_in_either_script() -> None:
    assert fit_label("工程系列高级工程师评审") == "工程系列高级工程师评审"  # 11 Chinese characters
    assert fit_label("Submitted, awaiting") == "Submitted, awaiting"  # 19 Latin letters: was cut at 12


def test_a_long_label_ends_with_an_ellipsis_never_a_comma() -> None:
    shown = fit_label("Recognised, certificate issued")
    assert shown.endswith("…") and shown.startswith("Recognised, cert") and len(shown) < 30
    assert fit_label("Recognised, certificate issued", column=80) == "Recognised…"
    shown = fit_label("南昌市城市建设投资发展集团有限公司")
    assert shown == "南昌市城市建设投资发展…" and len(shown) == 12
