"""Profile the review queue (issue 20: profile first, remove the cost where the profile puts it).

    DATABASE_URL=... python -m bench.queue_profile [--requests 60] [--out bench/profiles/queue-<commit>]
        [--tab handler]   # 待初审: every row actionable, the rulebook's offers on each

Against a database seeded by `python -m bench.seed`: logs in as the handler of the largest bureau (as
bench.run does) and makes `--requests` requests of each kind through the Flask test client — the list
fragment (what the 15-second poll asks for), the full page, and the 304 poll — after a few warm-ups,
under cProfile. Writes OUT-fragment.txt, OUT-page.txt and OUT-poll.txt (cumulative time, top lines, and
the statement count per request); `--timing` prints each kind's median instead. For a flame graph
run it under py-spy: `py-spy record -o out.svg -- python -m bench.queue_profile`.

`--split` answers "what is left, and what is its floor" in wall time rather than under cProfile (which
inflates code made of many small calls): the list fragment's and the full page's mean time divided among
their parts — the login, the tag's counter read, the row statement with its hydration, the rulebook's
offers, the calendar, the counts and filter options, the rendering — each part timed by a wrapper around
the function that does it, and the rest (Flask, the request's hooks) as the difference. It also times the
list's request answered 304 through Flask (the poll shortcut off): a request of the portal that loads no
row, which no queue work can go below.

`--first` times a new worker's first requests instead: the list fragment and the full page of an app just
created (as a worker forked from a master that only imported it), each first request then its next ones;
with `--warm`, after portal/web/warm.py's `warm_up` (what gunicorn's master now does before forking).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import event, func, select

from bench.seed import staff_of
from portal import create_app, web
from portal.extensions import db
from portal.models import Application, Membership
from portal.services import auth, queues, rulebook
from portal.web import warm as warming
from portal.web.review import views as review_views

HX = {"HX-Request": "true", "HX-Target": "queue"}
SECRET = "bench-secret-key-that-is-long-enough-for-the-benchmarks"


@click.command()
@click.option("--requests", "count", default=60, show_default=True)
@click.option("--out", default="", help="file prefix for the .txt reports (default: print only)")
@click.option("--lines", default=45, show_default=True)
@click.option("--timing", is_flag=True, help="median wall time per kind, without the profiler")
@click.option("--tab", default="all", show_default=True, help="queue tab (handler: 待初审)")
@click.option("--split", is_flag=True, help="the list fragment's wall time by part (see the docstring)")
@click.option("--first", is_flag=True, help="a new worker's first requests (see the docstring)")
@click.option("--warm", is_flag=True, help="with --first: warm the app as gunicorn's master does")
def main(
    count: int, out: str, lines: int, timing: bool, tab: str, split: bool, first: bool, warm: bool
) -> None:
    if split:
        os.environ["PORTAL_POLL_SHORTCUT"] = "0"  # the 304 timed below is Flask's own
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
    if first:
        _first_requests(app, client, tab, warm)
        return
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

    if split:
        _split(app, {"list fragment": fragment, "full page": page}, poll, count)
        return
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


def _first_requests(app: Flask, client: Any, tab: str, warm: bool) -> None:
    """Print the first and the next two list fragments and full pages of this (fresh) app."""
    if warm:
        started = time.perf_counter()
        compiled = warming.warm_up(app)
        print(f"# warm_up: {compiled} templates, {(time.perf_counter() - started) * 1000:.0f} ms")
    for name, headers in (("list fragment", HX), ("full page", {})):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert client.get(f"/review/queue?tab={tab}", headers=headers).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        print(f"# {name}: first {times[0]:.1f} ms, then {times[1]:.1f} and {times[2]:.1f} ms")


def _split(app: Flask, kinds: dict[str, Callable[[], None]], poll: Callable[[], None], count: int) -> None:
    """Print each kind's mean wall time by part, and Flask's 304 for the list's request."""
    spent: dict[str, float] = defaultdict(float)
    parts: list[str] = []

    def timed(owner: Any, name: str, part: str, *, mapping: bool = False) -> Callable[[], None]:
        original = owner[name] if mapping else getattr(owner, name)
        parts.append(part)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[part] += time.perf_counter() - started

        if mapping:
            owner[name] = wrapper
        else:
            setattr(owner, name, wrapper)
        return lambda: owner.__setitem__(name, original) if mapping else setattr(owner, name, original)

    for _ in range(5):
        for call in kinds.values():
            call()
        poll()
    flask_304 = _median_ms(poll, count)
    undo = [
        timed(web, "load_session", "login (the session row, its user and memberships)"),
        timed(queues, "tags", "tag (the organisation's change counter)"),
        timed(queues, "_rows", "rows: statement, hydration, offers, calendar"),
        timed(queues, "work_calendar", "  of which the working-day calendar"),
        timed(queues, "_row", "  of which each row's offers and age (QueueRow)"),
        timed(rulebook, "offers", "    of which the rulebook's offers"),
        timed(queues, "_remembered", "counts and filter options (remembered by tag)"),
        timed(review_views, "render_page", "render: the template and its blocks"),
        timed(app.jinja_env.globals, "queue_rows", "  of which the rows' markup", mapping=True),
    ]
    for kind, call in kinds.items():
        spent.clear()
        times = []
        for _ in range(count):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        total = sum(times) * 1000 / count
        median = statistics.median(times) * 1000
        print(f"# {kind}: mean {total:.2f} ms (median {median:.2f}) of {count}")
        top = 0.0
        for part in parts:
            share = spent[part] * 1000 / count
            if not part.startswith(" "):
                top += share
            print(f"{part:55s} {share:6.2f} ms")
        print(f"{'the rest: Flask, CSRF, hooks, headers, layout':55s} {total - top:6.2f} ms")
    for restore in undo:
        restore()
    no_rows = "# the list's request answered 304 through Flask (login, tag, hooks; no row): median"
    print(f"{no_rows} {flask_304:.2f} ms")


def _median_ms(call: Callable[[], None], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
