"""The harness's layout wait itself (e2e/helpers.laid_out, which assert_fits and every other layout
measurement call first): on a loaded machine the page's words arrived before its stylesheet, and checks that
measured at once read the unstyled page (a phone page 377 px wide, table cells one character wide, a
::before without content). Here the stylesheet is held back on purpose and let go while the wait is on: the
wait returns only once it applies. Reads pages only, so it may run in any order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.helpers import laid_out, log_in

STYLED_FONT = '"Noto Sans CJK SC"'  # the first font site.css names for the page


@pytest.fixture
def late_stylesheet(portal_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """While in use, site.css is answered only once the returned event is set (the server runs in this
    process, one thread a request: nothing else waits). Let go at teardown whatever happened."""
    arrived = threading.Event()
    serve = portal_app.send_static_file

    def held(filename: str) -> Any:
        if filename == "site.css":
            arrived.wait(timeout=60)
        return serve(filename)

    monkeypatch.setattr(portal_app, "send_static_file", held)
    yield arrived
    arrived.set()


def test_a_layout_measurement_waits_for_a_stylesheet_that_arrives_late(
    new_page: Any, late_stylesheet: threading.Event
) -> None:
    page: Page = new_page("late-stylesheet")
    late_stylesheet.set()  # the login itself is not what is checked
    log_in(page, "13870700004")  # 谢晓燕, the department's handler
    late_stylesheet.clear()
    page.goto("/review/queue", wait_until="commit")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_be_visible()
    font = "() => getComputedStyle(document.querySelector('main')).fontFamily"
    # What a measurement taken now reads: the page without its stylesheet.
    unstyled = page.evaluate(font)
    assert not unstyled.startswith(STYLED_FONT), unstyled
    # The stylesheet arrives a second into the wait (a busy machine's delay); the wait ends after it.
    letting_go = threading.Timer(1.0, late_stylesheet.set)
    letting_go.start()
    try:
        laid_out(page, main)
    finally:
        letting_go.cancel()
    styled = page.evaluate(font)
    assert styled.startswith(STYLED_FONT), f"measured before the stylesheet applied: {styled}"
