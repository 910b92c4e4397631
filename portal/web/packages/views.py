"""Package downloads for reviewers and the enterprise's staff: an application's package PDF and its ZIP
of originals, and batch ZIPs of the rows chosen in the queue (or everything the queue's filters match).

A batch is built one application per POST to its step URL: the progress page asks for the next step as
soon as the last one is swapped in (htmx `load`), or the user presses 继续 without JS. Each request stays
short (one application's PDF), the ZIP grows on disk, and any worker can take the next step, so nothing
depends on a long request surviving a proxy timeout or on which gunicorn worker answers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, current_app, flash, request, url_for

from portal.domain.errors import ValidationFailed
from portal.extensions import db
from portal.services import packages, queues
from portal.web.context import current_actor, now
from portal.web.downloads import send_bytes, send_temporary_file
from portal.web.guards import staff_required
from portal.web.htmx import is_htmx, render_page, see_other
from portal.web.once import once_per_form
from portal.web.packages import bp
from portal.web.storage import storage
from portal.web.unit_of_work import discard


def _workdir() -> Path:
    return Path(current_app.config["PORTAL_PACKAGE_DIR"])


@bp.get("/applications/<int:application_id>/package.pdf")
@staff_required()
def download_package_pdf(application_id: int) -> Response:
    name, data = packages.package_pdf(db.session, storage(), current_actor(), application_id, now())
    return send_bytes(data, name, "application/pdf")


@bp.get("/applications/<int:application_id>/package.zip")
@staff_required()
def download_package_zip(application_id: int) -> Response:
    with tempfile.NamedTemporaryFile(prefix="package-", suffix=".zip", delete=False) as handle:
        path = Path(handle.name)  # written by name below, streamed, then deleted by the response
    try:
        name = packages.package_zip(db.session, storage(), current_actor(), application_id, path, now())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return send_temporary_file(path, name, "application/zip")


@bp.post("/batches")
@staff_required()
@once_per_form(lambda: url_for("review.show_queue"))
def create_batch() -> Response:
    """The rows ticked in the queue, or (scope=filtered) every application its tab and filters match."""
    actor = current_actor()
    try:
        tab = queues.Tab(request.form.get("tab", queues.Tab.HANDLER.value))
    except ValueError:
        tab = queues.Tab.HANDLER
    ids = [int(v) for v in request.form.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10]
    try:
        if request.form.get("scope") == "filtered":
            ids = packages.filtered_ids(db.session, actor, tab, queues.Filters.from_args(request.form), now())
        job = packages.start_batch(db.session, actor, ids, _workdir(), now())
    except ValidationFailed as invalid:
        flash("；".join(invalid.fields.values()), "error")
        return discard(see_other(url_for("review.show_queue", tab=tab.value)))
    return see_other(url_for("packages.show_batch", job=job.token))


def _batch_page(job: packages.BatchJob) -> Response:
    return render_page("pages/packages/show_batch.html", fragment="progress", job=job)


@bp.get("/batches/<job>")
@staff_required()
def show_batch(job: str) -> Response:
    return _batch_page(packages.load_batch(_workdir(), current_actor(), job))


@bp.post("/batches/<job>/step")
@staff_required()
def step_batch(job: str) -> Response:
    built = packages.step_batch(db.session, storage(), current_actor(), _workdir(), job, now())
    if is_htmx():
        return _batch_page(built)
    return see_other(url_for("packages.show_batch", job=job))


@bp.get("/batches/<job>/download")
@staff_required()
def download_batch(job: str) -> Response:
    built, path = packages.finished_batch(db.session, current_actor(), _workdir(), job, now())
    return send_temporary_file(path, f"申报材料包-{len(built.ids)}件.zip", "application/zip", delete=False)
