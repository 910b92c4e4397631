"""/styleguide: every component of the design system, rendered by the real macros (bureau admins only).

The samples are built from the real domain values (every workflow status, the route's step logic, the
queue's age bands, a notice clock), so a change to a macro, the glossary or the stylesheet shows here
first. It changes nothing: its one POST is the confirmation demo, which only says it was confirmed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from flask import Blueprint, Response, request, url_for

from portal.domain import glossary
from portal.domain.i18n import N_, NT_, T_, Text
from portal.domain.progress import AGEING_DAYS, OVERDUE_DAYS, progress, queue_age
from portal.domain.workflow import Status
from portal.models import CallStatus, ConfirmationStatus, EntryResult, MeetingStatus
from portal.services.applications import TimelineEntry
from portal.services.notices import NoticeClock, period_message
from portal.services.progress import RouteView
from portal.web.guards import admin_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify

bp = Blueprint("styleguide", __name__)

SAMPLE_ORGS = {"enterprise": "赣州城投集团", "department": "开发区党群工作部", "bureau": "赣州市人社局"}


def _routes() -> list[tuple[str, RouteView]]:
    samples = [
        (N_("单位领导签批中"), progress(Status.UNIT_REVIEW, handler_signed=True)),
        (N_("公示中"), progress(Status.IN_NOTICE)),
        (N_("主管部门退回补正"), progress(Status.RETURNED, returned_from=Status.DEPT_REVIEW)),
        (
            N_("人社局不予通过"),
            progress(Status.REJECTED, stopped_at=Status.BUREAU_REVIEW, handler_signed=True),
        ),
        (N_("已认定发证"), progress(Status.CERTIFIED)),
    ]
    return [(title, RouteView(p, SAMPLE_ORGS)) for title, p in samples]


def _badges() -> list[tuple[Status, str, str]]:
    """Every workflow status as its badge shows it, with the road it is named for where the roads name it
    differently (a certificate: 已认定发证 on the bureau's road, 评审通过，已发证 on the committee's — the
    queue's chart colours both), so each title the badges can show is listed with its colour."""

    def differs(status: Status) -> bool:
        return glossary.status_words(status, glossary.COMMITTEE_ROAD) != glossary.status_words(status)

    rows: list[tuple[Status, str, str]] = []
    for status in Status:
        if differs(status):
            rows.append((status, glossary.BUREAU_ROAD, N_("考核认定途径")))
            rows.append((status, glossary.COMMITTEE_ROAD, N_("评审途径")))
        else:
            rows.append((status, glossary.BUREAU_ROAD, ""))
    return rows


# The committee road's own states (评审, issue 22), each kind under the object it is the state of: their
# badges on the meetings, calls and 职称确认 pages take their colour from glossary.STATE_TONES.
COMMITTEE_STATES: tuple[tuple[str, str, type[StrEnum]], ...] = (
    ("meeting", N_("评审会议"), MeetingStatus),
    ("meeting_entry", N_("议程中的申报（表决结果）"), EntryResult),
    ("committee_call", N_("评审通知"), CallStatus),
    ("title_confirmation", N_("职称确认"), ConfirmationStatus),
)


def _period(first: int, last: int, month: int = 9) -> Text:
    """A sample notice period in 2026: from 9/`first` to `month`/`last`, five working days."""
    return period_message(date(2026, 9, first), date(2026, month, last), 5)


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
        notify(N_("示例：您已确认。样式指南不做任何修改。"), "success")
        return see_other(url_for("styleguide.show_styleguide"))
    rows = [(f"申报人{n:02d}", "工程", "中级", (n * 7) % 9) for n in range(1, 21)]
    return render_page(
        "pages/admin/show_styleguide.html",
        fragment="loading_demo" if request.args.get("demo") == "loading" else None,
        badges=_badges(),
        committee_states=[(kind, title, list(states)) for kind, title, states in COMMITTEE_STATES],
        tones=list(glossary.Tone),
        terms=glossary.TERMS,
        variants=glossary.VARIANTS,
        routes=_routes(),
        timeline=_timeline(),
        clocks=[
            # The same messages the notice service writes, so the sample reads as the real pages do.
            NoticeClock(
                "upcoming", T_("公示期：%(period)s；尚未开始", period=_period(30, 13, month=10)), 5, 5
            ),
            NoticeClock(
                "running",
                NT_(
                    "公示期：%(period)s；还剩%(num)d个工作日",
                    "公示期：%(period)s；还剩%(num)d个工作日",
                    2,
                    period=_period(24, 30),
                ),
                2,
                5,
            ),
            NoticeClock("ended", T_("公示期：%(period)s；已期满", period=_period(16, 22)), 0, 5),
        ],
        ages=[(days, queue_age(days)) for days in (1, AGEING_DAYS, OVERDUE_DAYS + 2)],
        table_rows=[(name, series, level, days, queue_age(days)) for name, series, level, days in rows],
        chart_rows=[(s.title, n) for s, n in zip(list(Status)[1:6], (12, 7, 5, 3, 2), strict=True)],
        status_tones=glossary.status_tones(),  # a certificate's bar in its road's words, as the queue's chart
        errors={"sample_error": N_("证件号码有误：第18位校验码应为X，请核对后重新填写。")},
        form={"sample_hint": "", "sample_error": "36070219900101001"},
    )
