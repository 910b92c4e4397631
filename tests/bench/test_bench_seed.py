"""bench-seed at test scale and the queue's statement count (issue #10): not a timing, a real test.

The benchmark data must be valid (every status, consistent holders, valid ID numbers, certificates for
the certified), and the queue fragment must send the same number of SQL statements whatever the number
of rows and however deep the keyset page: a per-row query in the service or the template (N+1) would
make the count grow with the rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from bench.seed import seed, staff_of, top_up_certificates
from portal.domain.identity import normalize_resident_id
from portal.domain.workflow import Status
from portal.models import Application, CertificateSequence, Endorsement, Material, Membership, User
from portal.services import actors, queues
from tests.conftest import Clock, db_engine

HX = {"HX-Request": "true", "HX-Target": "queue"}


@pytest.fixture
def seeded(session: Session, clock: Clock) -> Any:
    return seed(session, 200, clock.now)


def test_bench_seed_spreads_valid_applications_over_every_status(session: Session, seeded: Any) -> None:
    assert seeded.applications == 200 and seeded.organisations == 21 + 42 + 300
    statuses = set(session.scalars(select(Application.status).distinct()))
    assert {Status.DRAFT.value, Status.CERTIFIED.value, Status.BUREAU_REVIEW.value} <= statuses
    certified = session.scalars(select(Application).where(Application.status == Status.CERTIFIED.value)).all()
    assert certified and all(a.certificate_no and a.certified_at for a in certified)
    for number in session.scalars(select(User.id_number).order_by(User.id.desc()).limit(50)):
        assert normalize_resident_id(number) == number  # GB 11643 check character and birth date
    for application in session.scalars(select(Application).order_by(Application.id.desc()).limit(100)):
        if application.status == Status.DEPT_REVIEW.value:
            assert application.current_org_id == application.department_id and application.reached_level == 1
        if application.status == Status.BUREAU_REVIEW.value:
            assert application.current_org_id == application.bureau_id and application.reached_level == 2


def test_bench_seed_fills_the_checklist_slots_with_metadata_and_endorses_the_copies(
    session: Session, seeded: Any
) -> None:
    applications = session.scalars(select(Application)).all()
    slots: dict[int, set[str]] = {}
    for material in session.scalars(select(Material)):
        slots.setdefault(material.application_id, set()).add(material.slot)
        assert material.file.size > 0 and len(material.file.sha256) == 64
    assert seeded.materials == sum(len(s) for s in slots.values())
    assert all({"id_card", "diploma", "xuexin", "labour_contract"} <= slots[a.id] for a in applications)
    endorsed = session.scalars(select(Endorsement)).all()
    assert endorsed and all(e.material.is_copy and e.seal.org_id == e.org_id for e in endorsed)
    submitted_copies = session.scalar(
        select(func.count())
        .select_from(Material)
        .join(Application, Application.id == Material.application_id)
        .where(Material.kind == "copy", Application.status != Status.DRAFT.value)
    )
    assert len(endorsed) == submitted_copies


def test_top_up_certificates_continues_the_bureaus_numbers_without_a_gap(
    session: Session, seeded: Any, clock: Clock
) -> None:
    bureau = seeded.largest_bureau_id
    numbers = select(Application.certificate_no).where(
        Application.bureau_id == bureau, Application.certificate_no.is_not(None)
    )
    before = len(session.scalars(numbers).all())
    assert top_up_certificates(session, bureau, before + 40, clock.now) == 40
    assert top_up_certificates(session, bureau, before + 40, clock.now) == 0  # already there
    issued = session.scalars(numbers).all()
    assert len(issued) == len(set(issued)) == before + 40
    for sequence in session.scalars(
        select(CertificateSequence).where(CertificateSequence.authority_id == bureau)
    ):
        serials = sorted(int(n[-6:]) for n in issued if n.startswith(str(sequence.year)))
        assert serials == list(range(1, sequence.last_value + 1))  # no gap, no reuse, sequence continues


class Recorder:
    """The SQL statements each request sends (transaction control left out: the tests run in savepoints)."""

    def __init__(self, app: Flask, browser: Any) -> None:
        self.browser = browser
        self.statements: list[str] = []
        self.engine = db_engine(app)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(" ".join(statement.split()))

    def __enter__(self) -> Recorder:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self)

    def get(self, path: str, status: int = 200, **headers: str) -> tuple[list[str], Any]:
        self.statements = []
        response = self.browser.get(path, headers=headers)
        assert response.status_code == status, (path, response.status_code)
        return self.statements, response


def _main_table(statement: str) -> str:
    """The first table of the statement's own FROM (not a subquery's)."""
    depth = 0
    for i, char in enumerate(statement):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and statement.startswith(" FROM ", i):
            return statement[i + 6 :].split(" ", 1)[0]
    return statement[:30]


def _tables(statements: list[str]) -> list[str]:
    """What each statement reads (its FROM's first table): comparable, and readable when it fails."""
    return [_main_table(s) for s in statements]


@pytest.fixture
def handler_browser(session: Session, seeded: Any, login_as: Any) -> Any:
    bureau = seeded.largest_bureau_id
    handler, _ = staff_of(session, bureau)
    membership = session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
    visible = session.scalar(
        select(func.count()).where(Application.bureau_id == bureau, Application.reached_level >= 2)
    )
    assert visible and visible > 12, "the largest bureau needs a few pages"
    return login_as(handler, membership_id=membership.id)


# What a queue request reads, and nothing else (issue 20): the login (one statement: the session row
# with its user and memberships), the organisation's change counter (the ETag), then only what the part
# shows. A read per row (an N+1) would grow with the page; a part computing another's data would add its
# statements.
FRAGMENT = ["auth_sessions", "versions", "applications", "calendar_days", "users"]
COUNTS = ["auth_sessions", "versions", "applications"]
POLL = ["auth_sessions", "versions"]
# The same poll again, answered before Flask (portal/web/poll_shortcut.py): the login's row, its user
# and the counters in one statement.
SHORTCUT = ["auth_sessions"]
# The page adds the counts, the filter options (one DISTINCT, the enterprises' names) and the layout's
# unread count and stand-ins.
PAGE = [*FRAGMENT, "applications", "applications", "organisations", "notifications", "stand_ins"]
# The same page again with nothing changed: the counts and the filter options are remembered by the tag
# they were computed under (services.queues._remembered), so only the list and the layout are read.
PAGE_AGAIN = [*FRAGMENT, "notifications", "stand_ins"]


def test_the_queue_fragment_and_page_send_a_fixed_set_of_statements_for_5_and_50_rows_and_a_later_page(
    app: Flask, handler_browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Recorder(app, handler_browser) as recorder:
        recorder.get("/review/queue?tab=all", **HX)  # warm: the cookie's idle clock is re-signed once
        monkeypatch.setattr(queues, "PAGE_SIZE", 5)
        five, response = recorder.get("/review/queue?tab=all", **HX)
        page = response.text
        assert page.count('name="ids"') >= 5
        after = page.split("after=", 1)[1].split("&", 1)[0].split('"', 1)[0]
        later, _ = recorder.get(f"/review/queue?tab=all&after={after}", **HX)
        whole_five, _ = recorder.get("/review/queue?tab=all")
        whole_later, _ = recorder.get(f"/review/queue?tab=all&after={after}")
        monkeypatch.setattr(queues, "PAGE_SIZE", 50)
        fifty, response = recorder.get("/review/queue?tab=all", **HX)
        assert response.text.count("<tr id=") > 5
        whole_fifty, _ = recorder.get("/review/queue?tab=all")
    for fragment in (five, fifty):
        assert _tables(fragment) == FRAGMENT, fragment
    # The later page may hold no row with a step the cooling rule guards (who opened the reader's account:
    # the one read of users, once a page, only when a row asks it): the same statements less that one.
    assert [t for t in _tables(later) if t != "users"] == [t for t in FRAGMENT if t != "users"], later
    assert _tables(whole_five) == PAGE, whole_five
    assert _tables(whole_fifty) == PAGE_AGAIN, whole_fifty  # 50 rows: the counts remembered
    # Another page of the same tab: as its fragment, the cooling rule's read only if a row asks it.
    assert [t for t in _tables(whole_later) if t != "users"] == [t for t in PAGE_AGAIN if t != "users"]


def test_the_queue_and_its_streamed_lists_leave_the_long_texts_of_the_form_unread(
    app: Flask, session: Session, handler_browser: Any, seeded: Any, clock: Clock
) -> None:
    """The 申报表's two 4,000-character texts are shown by no list: a queue page of 50 rows read them for
    nothing (issue 20; the bench's applications carry texts of the lengths people write)."""
    with Recorder(app, handler_browser) as recorder:
        fragment, response = recorder.get("/review/queue?tab=all", **HX)
        assert response.text.count("<tr id=") > 5
        rows = [s for s in fragment if _main_table(s) == "applications"]
        assert rows and all("work_summary" not in s and "achievements" not in s for s in rows), rows
        bureau = seeded.largest_bureau_id
        handler, _ = staff_of(session, bureau)
        membership = session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
        actor = actors.actor_for(handler, membership)
        recorder.statements = []
        listed = list(queues.listed_applications(session, actor, queues.Tab.ALL, queues.Filters(), clock.now))
        assert len(listed) > 12
        streamed = [s for s in recorder.statements if _main_table(s) == "applications"]
        assert streamed and all("work_summary" not in s for s in streamed), streamed
        # A caller that does need a text still gets it (loaded then, once).
        assert listed[0].work_summary


def test_the_page_remembers_counts_and_options_until_a_write_changes_the_counter(
    app: Flask, session: Session, seeded: Any, handler_browser: Any
) -> None:
    bureau = seeded.largest_bureau_id
    with Recorder(app, handler_browser) as recorder:
        first, response = recorder.get("/review/queue?tab=all")
        assert _tables(first) == PAGE, first
        waiting = _tab_count(response.text, "handler")
        again, response = recorder.get("/review/queue?tab=all")
        assert _tables(again) == PAGE_AGAIN, again
        assert _tab_count(response.text, "handler") == waiting
        # A filter is part of the counts' key (the options' key is the organisation's and actor's alone).
        level = session.scalars(
            select(Application.level).where(Application.bureau_id == bureau).limit(1)
        ).one()
        filtered, _ = recorder.get(f"/review/queue?tab=all&level={level}")
        assert _tables(filtered) == [*FRAGMENT, "applications", "notifications", "stand_ins"], filtered
        # An application of this bureau comes to its handler (a write bumps the bureau's counter): the
        # counts and the options are read again, and the handler's tab counts it.
        handler, _ = staff_of(session, bureau)
        handler_org = session.scalars(select(Membership.org_id).where(Membership.user_id == handler.id)).one()
        elsewhere = session.scalars(
            select(Application)
            .where(
                Application.bureau_id == bureau,
                Application.reached_level >= 2,
                or_(Application.current_org_id != handler_org, Application.awaiting.is_(None)),
            )
            .limit(1)
        ).one()
        elsewhere.current_org_id, elsewhere.awaiting = handler_org, "handler"
        session.commit()
        after, response = recorder.get("/review/queue?tab=all")
        assert _tables(after) == PAGE, after
        assert _tab_count(response.text, "handler") == waiting + 1


def _tab_count(page: str, tab: str) -> int:
    return int(page.split(f'id="count-{tab}">', 1)[1].split("<", 1)[0])


def test_an_unchanged_poll_is_a_304_from_the_change_counter_alone_and_a_write_changes_it(
    app: Flask, session: Session, seeded: Any, handler_browser: Any
) -> None:
    bureau = seeded.largest_bureau_id
    with Recorder(app, handler_browser) as recorder:
        _, first = recorder.get("/review/queue?tab=all", **HX)
        counts_only, tabs = recorder.get("/review/queue?tab=all", **{**HX, "HX-Target": "queue-counts"})
        assert _tables(counts_only) == COUNTS, counts_only
        # Asked again without its tag (a page reload's tabs), the counts are remembered by that tag.
        remembered, _ = recorder.get("/review/queue?tab=all", **{**HX, "HX-Target": "queue-counts"})
        assert _tables(remembered) == POLL, remembered
        tag, counts_tag = first.headers["ETag"], tabs.headers["ETag"]
        assert tag != counts_tag
        poll, _ = recorder.get("/review/queue?tab=all", 304, **HX, **{"If-None-Match": tag})
        assert _tables(poll) == POLL, poll  # the first with the cookie the page left: through Flask
        quick, _ = recorder.get("/review/queue?tab=all", 304, **HX, **{"If-None-Match": tag})
        assert _tables(quick) == SHORTCUT, quick  # remembered: answered before Flask
        # A write to an application of another bureau leaves this queue's tag alone.
        elsewhere = session.scalars(select(Application).where(Application.bureau_id != bureau).limit(1)).one()
        elsewhere.counted_returns += 1
        session.commit()  # the counters move as the transaction commits (the test's savepoint here)
        recorder.get("/review/queue?tab=all", 304, **HX, **{"If-None-Match": tag})
        # A write to one of ours (a transition bumps the version; here a counter the row shows) changes
        # the list's tag and the counts' tag: the poll renders again.
        shown = (Application.bureau_id == bureau, Application.reached_level >= 2)
        ours = session.scalars(select(Application).where(*shown).limit(1)).one()
        ours.counted_returns += 1
        session.commit()
        _, again = recorder.get("/review/queue?tab=all", 200, **HX, **{"If-None-Match": tag})
        assert again.headers["ETag"] != tag
        tabs_poll = {**HX, "HX-Target": "queue-counts", "If-None-Match": counts_tag}
        recorder.get("/review/queue?tab=all", 200, **tabs_poll)
        # Another page of the same list has its own tag.
        after = first.text.split("after=", 1)[1].split("&", 1)[0].split('"', 1)[0]
        _, later = recorder.get(f"/review/queue?tab=all&after={after}", **HX)
        assert later.headers["ETag"] not in (tag, again.headers["ETag"])


def test_the_export_probe_drives_the_product_s_export_as_make_bench_does(
    app: Flask, session: Session, seeded: Any, handler_browser: Any, queue: None
) -> None:
    # make bench's export group runs this function in its own process; it posts the export form (with the
    # form's one-time token, issue 17.2), runs the job with huey's dequeue/execute and downloads the file.
    # Once the form changed and the probe did not, and make bench stopped there: kept running here.
    import os
    from io import BytesIO

    from openpyxl import load_workbook

    from bench.export_probe import floor_workbook, ours

    handler_browser.application = app
    chunks: list[bytes] = []
    original = handler_browser.get

    def keep(*args: Any, **kwargs: Any) -> Any:
        response = original(*args, **kwargs)
        if str(args[0]).endswith("/download"):
            chunks.append(response.get_data())
        return response

    handler_browser.get = keep
    _, size = ours(handler_browser, "")
    assert size > 0 and len(chunks[0]) == size
    # A read-only workbook keeps its file open until closed: left to the garbage collector, its
    # ResourceWarning failed whichever test was running then.
    book = load_workbook(BytesIO(chunks[0]), read_only=True)
    try:
        sheet = book.active
        assert sheet is not None and sheet.max_row > 1  # the bureau's certified applications, one a row
        # The floor copied the export's columns and kept 身份证号码 after the product's became 证件类型 +
        # 证件号码: make bench compared the product with another file. It imports them now.
        product = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    rows, name = floor_workbook(session.connection(), seeded.largest_bureau_id, "")
    floor_book = load_workbook(name, read_only=True)
    try:
        floor = list(floor_book.active.iter_rows(max_row=2, values_only=True))
    finally:
        floor_book.close()
        os.unlink(name)
    assert rows == len(product) - 1
    assert floor[0] == product[0] and "证件类型" in floor[0] and "身份证号码" not in floor[0]
    # The first row as the product writes it, but the floor names the bureau, not the certifying authority.
    assert floor[1][:9] == product[1][:9] and floor[1][10] == product[1][10]
