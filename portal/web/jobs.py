"""Background jobs on the web: the page a person watches while their job runs (htmx polls its progress
fragment; without JS the page has a refresh link), its result's download, and the admin's list of every
job with the errors of those that failed.

Only reads: starting a job is the POST of the page it belongs to (the queue's batch, the certificate
export, the import's confirmation); the worker writes the rest. A job is its owner's alone (others get
404, as for any object they may not see).
"""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, session, url_for
from flask_login import login_required
from nacl.exceptions import CryptoError

from portal.documents.spreadsheets import XLSX, passwords_xlsx
from portal.domain.i18n import N_
from portal.domain.identity import DocumentType
from portal.extensions import db
from portal.jobs.runners import SEALED
from portal.models import Job, JobKind
from portal.services import certificates, jobs, sealing
from portal.services.actors import Actor
from portal.storage import FileCorrupted, FileMissing
from portal.web.context import current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.guards import admin_required
from portal.web.htmx import render_page
from portal.web.storage import storage

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

# The private keys that open the first passwords of this browser's imports, by job id (newest few).
IMPORT_KEYS = "import_keys"
KEPT_KEYS = 5


def remember_import_key(job_id: int, private_key: str) -> None:
    keys = dict(session.get(IMPORT_KEYS, {}))
    keys[str(job_id)] = private_key
    session[IMPORT_KEYS] = dict(list(keys.items())[-KEPT_KEYS:])


class Slip:
    """One imported account for the slips (the account_slip macro reads .user.name, .user.phone and the
    document the person logs in with; an import sealed before it was kept leaves it unsaid)."""

    def __init__(
        self, name: str, phone: str, masked_id: str, password: str, document_type: str | None = None
    ) -> None:
        kind = DocumentType(document_type) if document_type else None
        self.user = type(
            "SlipUser",
            (),
            {
                "name": name,
                "phone": phone,
                "document_type": document_type,
                "number_label": kind.number_label if kind else "",
            },
        )()
        self.masked_id = masked_id
        self.password = password
        # The first-password sheet's 证件类型: the document's Chinese name, as on every Excel export.
        self.document_title = kind.title if kind else ""


def _slips(job: Job) -> list[Slip] | None:
    """The first passwords of a finished import, opened with this browser's key; None without it."""
    key = session.get(IMPORT_KEYS, {}).get(str(job.id))
    if job.kind != JobKind.ACCOUNT_IMPORT.value or job.result_file is None or not key:
        return None
    try:
        rows = json.loads(sealing.unseal(key, storage().get(job.result_file.sha256)))
    except (CryptoError, FileMissing, FileCorrupted, ValueError):
        return None
    return [Slip(*row) for row in rows]


def _started_from(job: Job) -> tuple[str, str] | None:
    """The way back from a job's page: the page its kind is started from (href, words); None for a kind
    nobody starts by hand (the scheduler's runs, which have no page of their own for their owner)."""
    kind = job.job_kind
    if kind is JobKind.PACKAGE_BATCH:
        return url_for("review.show_queue"), N_("← 返回队列")
    if kind is JobKind.CERTIFICATE_EXPORT:
        # Back to the list as the export was made from it: its filters are the job's (a bureau checking the
        # file against the screen finds the same certificates).
        args = certificates.export_filters(job).to_args()
        return url_for("certificates.list_certificates", **args), N_("← 返回证书")
    if kind is JobKind.ACCOUNT_IMPORT:
        return url_for("enterprise.list_applicants"), N_("← 申报人账号")
    if kind is JobKind.HANDOFF_EXPORT:
        target = str(job.params.get("target") or "")
        return url_for("handoffs.show_handoffs") + (f"#target-{target}" if target else ""), N_(
            "← 返回报送省级系统"
        )
    return None


def _owned(job_id: int) -> tuple[Actor, Job]:
    actor = current_actor()
    job = jobs.job_for(db.session, actor, job_id)
    return actor, job


@bp.get("/<int:job_id>")
@login_required
def show_job(job_id: int) -> Response:
    _actor, job = _owned(job_id)
    slips = _slips(job)
    passwords_href = ""
    if slips:
        sheet = passwords_xlsx(
            (s.user.name, s.user.phone, s.document_title, s.masked_id, s.password) for s in slips
        )
        passwords_href = f"data:{XLSX};base64,{base64.b64encode(sheet).decode()}"
    response = render_page(
        "pages/jobs/show_job.html",
        fragment="progress",
        job=job,
        failed=job.params.get("failed", []),
        handoff_problems=job.params.get("problems", []),
        slips=slips,
        passwords_href=passwords_href,
        back=_started_from(job),
    )
    return response


@bp.get("/<int:job_id>/download")
@login_required
def download_result(job_id: int) -> Response:
    """The finished job's file, read back from the file store and verified against its SHA-256 (the
    export was audited when the worker made it; this read writes nothing)."""
    actor = current_actor()
    job = jobs.result_of(db.session, actor, job_id, now())
    if job.result_file is None or job.result_file.media_type == SEALED:
        abort(404)  # sealed passwords are shown on the job's page, to the browser holding the key
    stored = job.result_file
    with tempfile.NamedTemporaryFile(prefix="download-", delete=False) as handle:
        path = Path(handle.name)
        try:
            storage().get_file(stored.sha256, handle)
        except (FileMissing, FileCorrupted):
            path.unlink(missing_ok=True)
            current_app.logger.error("job %s result %s unreadable", job.id, stored.sha256)
            abort(404)
        except BaseException:  # the store unreachable (S3): the half-read copy is not left behind
            path.unlink(missing_ok=True)
            raise
    return send_temporary_file(path, job.result_name or stored.display_name, stored.media_type)


@bp.get("")
@admin_required
def list_jobs() -> Response:
    """For the admin: failed jobs first, with their errors, then the newest of every kind."""
    response = render_page("pages/jobs/list_jobs.html", jobs=jobs.recent(db.session))
    return response
