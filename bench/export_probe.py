"""One certificate export in a fresh process, so its peak RSS is its own: prints a JSON line.

python -m bench.export_probe ours|floor DATABASE_URL SECRET BUREAU_ID USER_TOKEN MEMBERSHIP [SINCE]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from typing import Any

import xlsxwriter
from sqlalchemy import Connection, create_engine, text

from bench.floors import EXPORT_SQL
from portal.documents.certificates import CERTIFICATE_HEADERS
from portal.domain.identity import DocumentType


def peak_mb() -> float:
    """This process's high-water resident size (VmHWM). Not getrusage's ru_maxrss: Linux keeps that across
    exec, so a probe started by a benchmark process holding 1 GB reported the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status.read().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start the high-water mark afresh (Linux: 5 > /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def current_mb() -> float:
    """Resident now (VmRSS): the baseline; the import peak would otherwise hide the export's growth."""
    with open("/proc/self/status", encoding="ascii") as status:
        lines = status.read().splitlines()
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return peak_mb()


def floor(url: str, bureau: int, since: str) -> tuple[int, int]:
    """Raw xlsxwriter (constant_memory) writing the same rows from one hand-written statement."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count, name = floor_workbook(connection, bureau, since)
    size = 0
    with open(name, "rb") as handle:  # sent in chunks, as the product does
        while chunk := handle.read(64 * 1024):
            size += len(chunk)
    os.unlink(name)
    return count, size


def floor_workbook(connection: Connection, bureau: int, since: str) -> tuple[int, str]:
    """The floor's spreadsheet of the bureau's certificates (since the day, if given): (rows, its path).
    Its columns are the product's (`CERTIFICATE_HEADERS`, imported): a copy kept 身份证号码 after the
    export became 证件类型 + 证件号码, and the floor measured another file."""
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    extra = "AND a.certified_at >= :since" if since else ""
    params: dict[str, object] = {"bureau": bureau}
    if since:
        params["since"] = (
            datetime.fromisoformat(since).replace(tzinfo=shanghai).astimezone(UTC).replace(tzinfo=None)
        )
    fd, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(name, {"constant_memory": True})
    sheet = book.add_worksheet("证书信息")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(CERTIFICATE_HEADERS):
        sheet.write(0, col, title)
    count = 0
    # yield_per on the statement, not the connection: Connection.execution_options changes the
    # connection itself, and on PostgreSQL every later statement on it (the test's ROLLBACK TO
    # SAVEPOINT too) then went through a server-side cursor.
    result = connection.execute(
        text(EXPORT_SQL.format(extra=extra)).execution_options(yield_per=2000), params
    )
    for count, row in enumerate(result, start=1):
        values = list(row)
        values[1] = DocumentType(values[1]).title
        if isinstance(values[8], str):  # SQLite answers a raw statement's timestamps as text
            values[8] = datetime.fromisoformat(values[8])
        values[8] = values[8].replace(tzinfo=UTC).astimezone(shanghai).date()
        values[10] = "已撤销" if values[10] else "有效"
        for col, value in enumerate(values):
            if isinstance(value, date):
                sheet.write_datetime(count, col, value, day)  # type: ignore[arg-type]
            else:
                sheet.write(count, col, value)
    book.close()
    return count, name


def client_for(url: str, secret: str, token: str, membership: int) -> Any:
    import tempfile

    from portal import create_app

    scratch = tempfile.mkdtemp(prefix="export-probe-")
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
            "WTF_CSRF_ENABLED": False,  # the probe posts the export form without a page
            "PORTAL_QUEUE_PATH": f"{scratch}/queue.sqlite3",
            "PORTAL_STORAGE_DIR": f"{scratch}/files",
            "PORTAL_PACKAGE_DIR": f"{scratch}/packages",
        }
    )
    client = app.test_client()
    client.application = app
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
        cookie["membership_id"] = membership
    return client


def ours(client: Any, since: str) -> tuple[int, int]:
    """The product's way (issue 19): the export form starts a background job; the worker's code pages
    through the certificates into the spreadsheet and stores it (run here, in this process, with huey's
    own dequeue/execute, so its memory is measured); then the result is downloaded, streamed."""
    from portal import jobs
    from portal.services.submissions import new_token

    # The export form carries a one-time token like every form without a compare-and-set (issue 17.2).
    form = {"form_token": new_token(), **({"since": since} if since else {})}
    started = client.post("/certificates/exports", data=form)
    assert started.status_code == 303, started.status_code
    jobs.configure(client.application)
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
    response = client.get(started.headers["Location"] + "/download", buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return -1, size


def main() -> None:
    mode, url, secret, bureau, token, membership = sys.argv[1:7]
    since = sys.argv[7] if len(sys.argv) > 7 else ""
    # Load everything the export imports before the baseline, so the growth is the export's own.
    import portal.documents.certificates  # noqa: F401

    client = client_for(url, secret, token, int(membership)) if mode == "ours" else None
    reset_peak()
    before = current_mb()
    started = time.perf_counter()
    if client is None:
        rows, size = floor(url, int(bureau), since)
    else:
        rows, size = ours(client, since)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb(),
                "growth_mb": peak_mb() - before,
                "rows": rows,
                "bytes": size,
            }
        )
    )


if __name__ == "__main__":
    main()
