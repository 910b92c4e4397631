"""Every page each staff role reaches at province scale, slowest first (issue 20: the queue is not the only
page a province's data can make slow).

    DATABASE_URL=... python -m bench.page_crawl [--profile ganzhou-2026] [--pages 120] [--top 25]

Against a database seeded by `python -m bench.seed` (a copy: it gives the largest bureau a policy profile —
the seed's bureaus follow none, so the pages a profile turns on would be empty — and adds a bureau admin):
logs in as the handler and leader of the largest bureau, department and enterprise and as the bureau's
admin, and from each home page follows the links of every page (breadth first, at most two URLs of one
shape, ids aside) through the Flask test client. Each page is then timed again three times; prints the
slowest by the median of those, with its size, and any page that answered 5xx.
"""

from __future__ import annotations

import re
import time
from collections import deque
from datetime import UTC, datetime

import click
from sqlalchemy import func, insert, select, update

from bench.seed import _user, staff_of
from portal import create_app
from portal.extensions import db
from portal.models import Application, Membership, Organisation, User
from portal.services import auth

SECRET = "bench-secret-key-that-is-long-enough-for-the-benchmarks"
# Downloads, exports and sign-outs are not pages to crawl.
SKIP = re.compile(r"logout|download|/export|\.xlsx|\.pdf|\.zip|/static/|/files/|mailto:|/jobs/\d+/download")


def _largest(column: object) -> int:
    return db.session.scalars(
        select(column).group_by(column).order_by(func.count().desc()).limit(1)  # type: ignore[call-overload]
    ).one()


@click.command()
@click.option("--profile", default="ganzhou-2026", show_default=True, help="the largest bureau's profile")
@click.option("--pages", default=120, show_default=True, help="at most this many pages per role")
@click.option("--top", default=25, show_default=True)
def main(profile: str, pages: int, top: int) -> None:
    app = create_app({"SECRET_KEY": SECRET, "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute"})
    logins: list[tuple[str, str, int]] = []
    with app.app_context():
        session = db.session
        bureau = _largest(Application.bureau_id)
        session.execute(update(Organisation).where(Organisation.id == bureau).values(policy_profile=profile))
        now = datetime.now(UTC)
        for kind, org in (
            ("bureau", bureau),
            ("department", _largest(Application.department_id)),
            ("enterprise", _largest(Application.enterprise_id)),
        ):
            for role, user in zip(("handler", "leader"), staff_of(session, org), strict=True):
                membership = session.scalars(
                    select(Membership).where(Membership.user_id == user.id, Membership.org_id == org)
                ).one()
                logins.append((f"{kind} {role}", auth.start_session(session, user, now), membership.id))
        handler, _ = staff_of(session, bureau)
        admin_id = (session.scalar(select(func.max(User.id))) or 0) + 1
        admin_row = _user(
            admin_id, "管理员甲", "11010519491231002X", "13900000000", handler.password_hash, None, now
        )
        session.execute(insert(User), [admin_row])
        admin = Membership(user_id=admin_id, org_id=bureau, role="admin", started_at=now)
        session.add(admin)
        session.flush()
        token = auth.start_session(session, session.get(User, admin_id), now)  # type: ignore[arg-type]
        logins.append(("bureau admin", token, admin.id))
        session.commit()
    timed: list[tuple[float, int, str, str]] = []
    failed: list[tuple[int, str, str]] = []
    for label, token, membership_id in logins:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = token
            cookie["_fresh"] = True
            cookie["membership_id"] = membership_id
        seen: set[str] = set()
        shapes: dict[str, int] = {}
        reached: list[str] = []
        todo = deque([("/", 0)])
        while todo and len(reached) < pages:
            url, depth = todo.popleft()
            shape = re.sub(r"\d+", "N", url.split("?")[0])
            if url in seen or shapes.get(shape, 0) >= 2:
                continue
            seen.add(url)
            shapes[shape] = shapes.get(shape, 0) + 1
            response = client.get(url)
            location = response.headers.get("Location", "")
            if response.status_code in (301, 302, 303) and location.startswith("/"):
                todo.appendleft((location, depth))
                continue
            if response.status_code >= 500:
                failed.append((response.status_code, label, url))
            if response.status_code != 200:
                continue
            reached.append(url)
            if "html" in (response.content_type or "") and depth < 3:
                for href in re.findall(r'href="(/[^"#]*)', response.get_data(as_text=True)):
                    href = href.replace("&amp;", "&")
                    if not SKIP.search(href) and href not in seen:
                        todo.append((href, depth + 1))
        for url in reached:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            timed.append((sorted(times)[1], len(response.data), label, url))
        click.echo(f"{label}: {len(reached)} pages", err=True)
    timed.sort(reverse=True)
    click.echo("| median of 3 | size | role | page |\n|---|---|---|---|")
    for seconds, size, label, url in timed[:top]:
        click.echo(f"| {seconds * 1000:.0f} ms | {size / 1024:.0f} KB | {label} | `{url}` |")
    for status, label, url in failed:
        click.echo(f"{status}: {label} {url}")


if __name__ == "__main__":
    main()
