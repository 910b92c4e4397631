"""/styleguide: every component of the design system, rendered by the real macros (bureau admins only).

The samples are built from the real domain values (every workflow status, the route's step logic, the
queue's age bands, a notice clock), so a change to a macro, the glossary or the stylesheet shows here
first. It changes nothing: its one POST is the confirmation demo, which only says it was confirmed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, flash, request, url_for

from portal.domain import glossary
from portal.domain.progress import AGEING_DAYS, OVERDUE_DAYS, progress, queue_age
from portal.domain.workflow import Status
from portal.services.applications import TimelineEntry
from portal.services.notices import NoticeClock
from portal.services.progress import RouteView
from portal.web.guards import admin_required
from portal.web.htmx import render_page, see_other

bp = Blueprint("styleguide", __name__)

SAMPLE_ORGS = {"enterprise": "赣州城投集团", "department": "开发区党群工作部", "bureau": "赣州市人社局"}


def _routes() -> list[tuple[str, RouteView]]:
    samples = [
        ("单位领导签批中", progress(Status.UNIT_REVIEW, handler_signed=True)),
        ("公示中", progress(Status.IN_NOTICE)),
        ("主管部门退回补正", progress(Status.RETURNED, returned_from=Status.DEPT_REVIEW)),
        ("人社局不予通过", progress(Status.REJECTED, stopped_at=Status.BUREAU_REVIEW, handler_signed=True)),
        ("已认定发证", progress(Status.CERTIFIED)),
    ]
    return [(title, RouteView(p, SAMPLE_ORGS)) for title, p in samples]


def _timeline() -> list[TimelineEntry]:
    at = datetime(2026, 9, 29, 1, 30, tzinfo=UTC)
    return [
        TimelineEntry(at, "陈思远", "申报人", "提交申报", Status.SUBMITTED.title, "", "draft", "submitted"),
        TimelineEntry(
            at.replace(hour=3),
            "黄丽华",
            "经办人",
            "退回补正",
            Status.RETURNED.title,
            "学历证书扫描件不清晰，请重新上传。",
            "submitted",
            "returned",
        ),
    ]


@bp.route("/styleguide", methods=["GET", "POST"])
@admin_required
def show_styleguide() -> Response:
    if request.method == "POST":
        flash("示例：您已确认。样式指南不做任何修改。", "success")
        return see_other(url_for("styleguide.show_styleguide"))
    rows = [(f"申报人{n:02d}", "工程", "中级", (n * 7) % 9) for n in range(1, 21)]
    return render_page(
        "pages/admin/show_styleguide.html",
        fragment="loading_demo" if request.args.get("demo") == "loading" else None,
        statuses=list(Status),
        tones=list(glossary.Tone),
        terms=glossary.TERMS,
        variants=glossary.VARIANTS,
        routes=_routes(),
        timeline=_timeline(),
        clocks=[
            NoticeClock("upcoming", "公示期：2026年9月30日至10月13日；尚未开始", 5, 5),
            NoticeClock("running", "公示期：2026年9月24日至9月30日；还剩2个工作日", 2, 5),
            NoticeClock("ended", "公示期：2026年9月16日至9月22日；已期满", 0, 5),
        ],
        ages=[(days, queue_age(days)) for days in (1, AGEING_DAYS, OVERDUE_DAYS + 2)],
        table_rows=[(name, series, level, days, queue_age(days)) for name, series, level, days in rows],
        chart_rows=[(s.title, n) for s, n in zip(list(Status)[1:6], (12, 7, 5, 3, 2), strict=True)],
        status_tones={words.title: words.tone.value for words in glossary.STATUSES.values()},
        errors={"sample_error": "证件号码有误：第18位校验码应为X，请核对后重新填写。"},
        form={"sample_hint": "", "sample_error": "36070219900101001"},
    )
