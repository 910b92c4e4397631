"""E2E harness: the real app on a loopback port (demo data loaded) and Debian's chromium via Playwright.

A failing test leaves a full-page screenshot in e2e/artifacts/, named for the engine first (make test runs
the journeys on SQLite, then on PostgreSQL). Every page also carries a Content-Security-
Policy violation listener (T-CSP-01): a journey that triggers any violation fails at teardown, so a new
inline style, inline script or `hx-on` attribute cannot slip in unnoticed, and any other error the browser
reports (console.error, an uncaught exception, a failed load such as a missing favicon) fails it too unless
the journey expects it (ConsoleErrors). Every page also runs axe-core
(vendored in e2e/vendor, test-only: the app never serves it) on each load and after each htmx swap; a serious
or critical accessibility violation fails the test at teardown, listed with its rule, element and help text.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)
from werkzeug.serving import make_server

from portal import create_app
from portal.cli import seed_demo
from portal.extensions import db
from portal.web.storage import storage
from tests.dbsetup import database_url, on_postgres

ARTIFACTS = Path(__file__).parent / "artifacts"
# make test runs the e2e suite on both engines at the same time (scripts/test.sh): a file a journey leaves in
# ARTIFACTS carries the engine in its name, so the two runs never write (or read back) the same file.
ENGINE = "postgresql" if on_postgres() else "sqlite"
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"


# Live checks are debounced and polls run every 15 s: give assertions room on a busy 2-core machine.
expect.set_options(timeout=15_000)


def pytest_configure(config: pytest.Config) -> None:
    # The app runs in this process on werkzeug's threaded dev server; when the browser drops a connection
    # mid-transfer (a page navigates away), the server thread leaves a static file to the garbage
    # collector. That is the dev server's habit, not the portal's: don't let it fail a journey.
    config.addinivalue_line("filterwarnings", "ignore::pytest.PytestUnraisableExceptionWarning")
    if not hasattr(config, "workerinput"):  # the compiled catalogues are built, never committed (issue 24)
        from scripts.messages import compile_if_stale

        compile_if_stale()


CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class Clock:
    """The server's clock: journeys that span a notice period move it instead of waiting for days."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now


CLOCK = Clock()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Tests may move the clock forward; it is put back afterwards so every journey starts on 2026-11-23."""
    start = CLOCK.now
    yield CLOCK
    CLOCK.now = start


@pytest.fixture(scope="session")
def portal_app(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Flask]:
    """The app under test, its database migrated and seeded with the demo data; journeys that need data no
    other journey touches make it here (in an app context) rather than through many screens."""
    tmp = tmp_path_factory.mktemp("e2e")
    url = database_url(f"portal_e2e_{worker_id}", tmp)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "e2e-secret-key-" + "x" * 32,
            "PORTAL_CLOCK": CLOCK,
            "PORTAL_STORAGE_DIR": str(tmp / "files"),
            "PORTAL_PACKAGE_DIR": str(tmp / "packages"),
            "PORTAL_QUEUE_PATH": str(tmp / "queue.sqlite3"),
            "RATELIMIT_STORAGE_URI": f"portal+sqlite:///{tmp / 'ratelimits.sqlite3'}",
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
        }
    )
    with app.app_context():
        upgrade()
        seed_demo(db.session, CLOCK.now, storage())
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


# The newest account id when each journey's first attempt began (by node id).
_FIRST_ATTEMPT_MARKS: dict[str, int] = {}


@pytest.fixture(autouse=True)
def rerun_meets_no_account_of_its_first_attempt(request: pytest.FixtureRequest, portal_app: Flask) -> None:
    """A journey run again (--reruns) opens its people again; the accounts its failed first attempt made
    would refuse them ("already belongs to an applicant of this unit"), so a rerun could never pass after
    a late failure. Before a rerun those accounts are retired: their phone, ID number and name given up
    (their applications stay, under the retired name). Reruns follow their first attempt at once, so every
    account made since it began is its own."""
    from sqlalchemy import func, select

    from portal.models import User

    node = request.node.nodeid
    with portal_app.app_context():
        if getattr(request.node, "execution_count", 1) > 1 and node in _FIRST_ATTEMPT_MARKS:
            made = db.session.scalars(select(User).where(User.id > _FIRST_ATTEMPT_MARKS[node])).all()
            for user in made:
                user.name, user.phone = f"前次{user.id}", f"100{user.id:08d}"
                user.id_number, user.permit_no = f"RETIRED{user.id:011d}", None
                if user.document_type == "passport":
                    user.document_type, user.nationality, user.permit_kind = "resident_id", None, None
            db.session.commit()
        else:
            _FIRST_ATTEMPT_MARKS[node] = db.session.scalar(select(func.max(User.id))) or 0
        db.session.remove()


class Worker:
    """huey's own consumer, in this process (worker threads), on the e2e app's queue: the jobs people
    start (batch ZIPs, exports, imports) run as in production while the page polls. The periodic jobs
    are not on a timer here (the e2e clock is moved by hand): `tick()` runs them at once, as the
    consumer's scheduler would within the minute after the clock moved."""

    def __init__(self, app: Flask) -> None:
        from portal import jobs
        from portal.jobs import tasks  # noqa: F401  (registers the tasks)

        self.app = app
        self.ticks = 0
        jobs.configure(app)
        self.consumer = jobs.huey.create_consumer(workers=2, worker_type="thread", periodic=False)

    def start(self) -> None:
        import signal

        kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.consumer.start()
        for number, handler in kept.items():  # pytest keeps its own Ctrl-C
            signal.signal(number, handler)

    def tick(self) -> None:
        from portal import jobs
        from portal.jobs import tasks

        jobs.configure(self.app)
        # A later minute than any tick before: a run is one per kind and minute, and journeys that start
        # from the same moment and move the clock by the same days would otherwise meet the same run.
        self.ticks += 1
        CLOCK.now += timedelta(minutes=self.ticks)
        for kind in tasks.PERIODIC_BODIES:
            tasks.run_periodic(kind)

    def stop(self) -> None:
        self.consumer.stop(graceful=True)


@pytest.fixture(scope="session")
def worker(portal_app: Flask) -> Iterator[Worker]:
    running = Worker(portal_app)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def base_url(portal_app: Flask, worker: Worker) -> Iterator[str]:
    app = portal_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if AXE_CHECKED:
        terminalreporter.write_line(
            f"axe-core checked {len(AXE_CHECKED)} distinct pages: " + " ".join(sorted(AXE_CHECKED))
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# Runs before the page's own scripts in every document (Playwright injects it outside the page's CSP).
# The event carries what was refused and where; the binding hands it to Python, which survives the
# navigations a journey makes (a list kept in `window` would not).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__portalCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


class CspViolations(list[str]):
    """What the browser refused under the CSP, from the event (JS on) and the console (JS on or off)."""

    def watch(self, context: BrowserContext) -> None:
        def from_event(_source: Any, report: dict[str, Any]) -> None:
            self.append(
                f"{report['page']}: {report['directive']} refused {report['blocked'] or 'inline'}"
                f" ({report['source'] or 'page'}:{report['line']}) {report['sample']!r}"
            )

        def from_console(message: ConsoleMessage) -> None:
            # Chromium logs every violation ("Refused to … because it violates the following Content
            # Security Policy directive …" in older builds, "Applying inline style violates the following
            # Content Security Policy directive …" in newer); with JavaScript off this is the only trace.
            if "violates the following Content Security Policy directive" in message.text:
                self.append(f"console: {message.text}")

        context.expose_binding("__portalCspViolation", from_event)
        context.add_init_script(CSP_LISTENER)
        context.on("console", from_console)


class ConsoleErrors(list[str]):
    """Everything the browser reports as an error on this test's pages: console.error calls, uncaught
    exceptions, failed resource loads (a favicon 404 was one) — issue 17.12: a journey fails on any. CSP
    violations are reported by CspViolations (the same console line is not counted twice). A journey that
    provokes an error on purpose (a refused form answers 422) names what it expects with ``expect()``."""

    # By design, not errors on the page: a refused form is answered 422, a stale click 409 (DESIGN §5) and
    # a public notice past its public time 410 Gone (issue 16.15), which Chromium reports as a failed load.
    # No request is aborted by design: a submit or a newer check waits for the one on its way (hx-sync
    # queue), as htmx logs an abort as errors (htmx:sendAbort, htmx:afterRequest) in the user's console.
    BY_DESIGN = (
        re.compile(r"Failed to load resource: the server responded with a status of (409|410|422)\b"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.expected: list[re.Pattern[str]] = list(self.BY_DESIGN)

    def expect(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def _add(self, text: str) -> None:
        if "Content Security Policy" in text:
            return  # CspViolations has it
        self.append(text)

    def watch(self, context: BrowserContext) -> None:
        def from_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url", "") if message.location else ""
                self._add(f"console.error at {where}: {message.text}")

        def from_page(page: Page) -> None:
            page.on("pageerror", lambda error: self._add(f"uncaught exception at {page.url}: {error}"))

        context.on("console", from_console)
        context.on("page", from_page)

    def unexpected(self) -> list[str]:
        return [e for e in self if not any(p.search(e) for p in self.expected)]


# Runs after axe's own source in every document, outside the page's CSP like the listener above (so the
# app's CSP stays as strict as in production and its own violations are still caught). Only the top frame of
# a web page is checked; runs are chained because axe refuses to start while a run is in progress. A load is
# checked at once (the journey may navigate away soon after), an htmx swap once the swaps settle.
AXE_RUNNER = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http") || !window.axe) { return; }
  let chain = Promise.resolve();
  let timer = null;
  const check = () => {
    chain = chain.then(() => window.axe.run(document, { resultTypes: ["violations"] })).then((result) => {
      const found = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                       targets: v.nodes.map((n) => n.target.join(" ")) }));
      window.__portalAxeReport({ page: location.pathname + location.search, found });
    }, (error) => {
      window.__portalAxeReport({ page: location.pathname + location.search, error: String(error) });
    });
    return chain;
  };
  window.addEventListener("load", check);
  document.addEventListener("htmx:afterSettle", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 100);
  });
  window.__portalAxeCheck = () => { clearTimeout(timer); return check(); };
})();
"""


# Every page path axe finished checking in this run, for the summary at the end (a page a journey leaves
# before axe is done is checked on its next load, or not: the summary shows how wide the net was).
AXE_CHECKED: set[str] = set()


class AxeViolations(dict[str, str]):
    """Serious and critical axe-core findings on this test's pages, one entry per (page, rule, element)."""

    def watch(self, context: BrowserContext) -> None:
        def report(_source: Any, found: dict[str, Any]) -> None:
            AXE_CHECKED.add(re.sub(r"/\d+(?=/|$|\?)", "/<id>", found["page"].split("?")[0]))
            if "error" in found:
                self[f"{found['page']} error"] = f"{found['page']}: axe failed: {found['error']}"
                return
            for violation in found["found"]:
                for target in violation["targets"]:
                    key = f"{found['page']} {violation['id']} {target}"
                    self[key] = (
                        f"{found['page']}: {violation['id']} ({violation['impact']}) at {target}"
                        f" — {violation['help']}"
                    )

        context.expose_binding("__portalAxeReport", report)
        context.add_init_script(AXE_SOURCE.read_text(encoding="utf-8") + "\n" + AXE_RUNNER)

    def check(self, page: Page) -> None:
        """Check the page as it is now (the state a journey ends in may never have been loaded or swapped)."""
        if page.is_closed():
            return
        # A page mid-navigation or gone has had its loads checked as they happened.
        with contextlib.suppress(PlaywrightError):
            page.evaluate(
                "() => window.__portalAxeCheck &&"
                " Promise.race([window.__portalAxeCheck(), new Promise((done) => setTimeout(done, 30000))])"
            )


def _new_context(
    browser: Browser,
    base_url: str,
    violations: CspViolations | None = None,
    axe: AxeViolations | None = None,
    console: ConsoleErrors | None = None,
    **options: Any,
) -> BrowserContext:
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(20_000)
    if violations is not None:
        violations.watch(context)
    if console is not None:
        console.watch(context)
    if axe is not None:
        axe.watch(context)
    return context


@pytest.fixture
def csp_violations() -> CspViolations:
    """The CSP violations seen by this test's pages; any left at teardown fail the test."""
    return CspViolations()


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """Browser errors on this test's pages; any not expected fail the test at teardown."""
    return ConsoleErrors()


@pytest.fixture
def axe_violations() -> AxeViolations:
    """The serious/critical accessibility violations axe-core found on this test's pages."""
    return AxeViolations()


@pytest.fixture
def new_page(
    browser: Browser,
    base_url: str,
    request: pytest.FixtureRequest,
    csp_violations: CspViolations,
    axe_violations: AxeViolations,
    console_errors: ConsoleErrors,
) -> Iterator[Any]:
    """new_page(name) -> a page in its own browser context (its own cookies: one person each), watched for
    CSP violations and checked by axe-core."""
    pages: list[tuple[str, Page]] = []
    scripted: list[Page] = []  # axe needs JavaScript: a page without it would never answer
    contexts: list[BrowserContext] = []

    def _make(name: str = "page", **options: Any) -> Page:
        context = _new_context(browser, base_url, csp_violations, axe_violations, console_errors, **options)
        contexts.append(context)
        page = context.new_page()
        pages.append((name, page))
        if options.get("java_script_enabled", True):
            scripted.append(page)
        return page

    yield _make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, page in pages:
            if not page.is_closed():
                page.screenshot(
                    path=str(ARTIFACTS / f"{ENGINE}-{request.node.name}-{name}.png"), full_page=True
                )
    for page in scripted:
        axe_violations.check(page)
    for context in contexts:
        context.close()
    problems = []
    if csp_violations:
        problems.append(
            f"{len(csp_violations)} Content-Security-Policy violation(s):\n" + "\n".join(csp_violations)
        )
    if unexpected := console_errors.unexpected():
        problems.append(
            f"{len(unexpected)} browser error(s) (console, uncaught, failed loads):\n" + "\n".join(unexpected)
        )
    if axe_violations:
        problems.append(
            f"{len(axe_violations)} serious/critical accessibility violation(s) (axe-core):\n"
            + "\n".join(sorted(axe_violations.values()))
        )
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: Any) -> Page:
    return new_page("page")  # type: ignore[no-any-return]
