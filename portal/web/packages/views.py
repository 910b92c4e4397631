"""Package downloads for reviewers and the enterprise's staff: an application's package PDF and its ZIP
of originals, and batch ZIPs of the rows chosen in the queue (or everything the queue's filters match).

A batch is a background job (portal/jobs): the POST starts it and sends the browser to the job's page,
which polls its progress; the worker builds the ZIP whether the tab stays open or not.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, request, url_for

from portal.domain.errors import ValidationFailed
from portal.extensions import db
from portal.services import packages, queues
from portal.web import steps
from portal.web.context import current_actor, current_membership, now
from portal.web.downloads import send_bytes, send_temporary_file
from portal.web.guards import staff_required
from portal.web.htmx import see_other
from portal.web.once import once_per_form
from portal.web.packages import bp
from portal.web.storage import storage


@bp.post("/applications/<int:application_id>/package.pdf")
@staff_required()
def download_package_pdf(application_id: int) -> Response:
    name, data = packages.package_pdf(db.session, storage(), current_actor(), application_id, now())
    return send_bytes(data, name, "application/pdf")


@bp.post("/applications/<int:application_id>/package.zip")
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
    """The rows ticked in the queue, or (scope=filtered) every application its tab and filters match:
    a background job builds the ZIP; its page shows the progress."""
    actor = current_actor()
    try:
        tab = queues.Tab(request.form.get("tab", queues.Tab.HANDLER.value))
    except ValueError:
        tab = queues.Tab.HANDLER
    ids = [int(v) for v in request.form.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10]
    membership = current_membership()
    try:
        if request.form.get("scope") == "filtered":
            ids = packages.filtered_ids(db.session, actor, tab, queues.Filters.from_args(request.form), now())
        job = packages.start_batch(
            db.session, actor, ids, now(), membership_id=membership.id if membership else None
        )
    except ValidationFailed as invalid:
        return steps.refused(url_for("review.show_queue", tab=tab.value), invalid)
    return see_other(url_for("jobs.show_job", job_id=job.id))  # the worker takes it once committed
