"""Profile the review queue (issue 20: profile first, remove the cost where the profile puts it).

    DATABASE_URL=... python -m bench.queue_profile [--requests 60] [--out bench/profiles/queue-<commit>]
        [--tab handler]   # 待初审: every row actionable, the rulebook's offers on each

Against a database seeded by `python -m bench.seed`: logs in as the handler of the largest bureau (as
bench.run does) and makes `--requests` requests of each kind through the Flask test client — the list
fragment (what the 15-second poll asks for), the full page, and the 304 poll — after a few warm-ups,
under cProfile. Writes OUT-fragment.txt, OUT-page.txt and OUT-poll.txt (cumulative time, top lines, and
the statement count per request); `--timing` prints each kind's median instead. For a flame graph
run it under py-spy: `py-spy record -o out.svg -- python -m bench.queue_profile`.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import event, func, select

from bench.seed import staff_of
from portal import create_app
from portal.extensions import db
from portal.models import Application, Membership
from portal.services import auth

HX = {"HX-Request": "true", "HX-Target": "queue"}
SECRET = "bench-secret-key-that-is-long-enough-for-the-benchmarks"


@click.command()
@click.option("--requests", "count", default=60, show_default=True)
@click.option("--out", default="", help="file prefix for the .txt reports (default: print only)")
@click.option("--lines", default=45, show_default=True)
@click.option("--timing", is_flag=True, help="median wall time per kind, without the profiler")
@click.option("--tab", default="all", show_default=True, help="queue tab (handler: 待初审)")
def main(count: int, out: str, lines: int, timing: bool, tab: str) -> None:
    app = create_app({"SECRET_KEY": SECRET, "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute"})
    with app.app_context():
        bureau = db.session.scalars(
            select(Application.bureau_id)
            .group_by(Application.bureau_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        handler, _ = staff_of(db.session, bureau)
        membership = db.session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
        token = auth.start_session(db.session, handler, datetime.now(UTC))
        db.session.commit()
        membership_id = membership.id
        engine = db.engine
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
        cookie["membership_id"] = membership_id
    statements = [0]

    def counted(*_: Any) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", counted)
    etag = client.get(f"/review/queue?tab={tab}", headers=HX).headers["ETag"]

    def fragment() -> None:
        assert client.get(f"/review/queue?tab={tab}", headers=HX).status_code == 200

    def page() -> None:
        assert client.get(f"/review/queue?tab={tab}").status_code == 200

    def poll() -> None:
        answer = client.get(f"/review/queue?tab={tab}", headers={**HX, "If-None-Match": etag})
        assert answer.status_code == 304, answer.status_code

    kinds: dict[str, Callable[[], None]] = {"fragment": fragment, "page": page, "poll": poll}
    for name, call in kinds.items():
        for _ in range(3):
            call()
        statements[0] = 0
        call()
        per_request = statements[0]
        if timing:
            median = _median_ms(call, count)
            print(f"# {name}: median {median:.2f} ms of {count}, {per_request} SQL statements")
            continue
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            call()
        profiler.disable()
        wall = (time.perf_counter() - started) * 1000 / count
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(lines)
        stats.sort_stats("tottime").print_stats(25)
        head = (
            f"# {name}: {count} requests, {wall:.1f} ms each under cProfile, "
            f"{per_request} SQL statements per request\n"
        )
        print(head)
        if out:
            Path(f"{out}-{name}.txt").write_text(head + text.getvalue(), encoding="utf-8")
        else:
            print(text.getvalue())


def _median_ms(call: Callable[[], None], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
