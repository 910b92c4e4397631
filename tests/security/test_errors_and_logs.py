"""T-ERR-01 (error disclosure) and T-LOG-03 (log injection).

Errors: 404, 405, 413 and an unexpected exception each answer a generic Chinese page carrying the
request's correlation id (the X-Request-Id header, also in the logs and the audit rows), and never a
traceback, SQL, a file path or the exception's text. Logs: a path, a login name and a request id with line
breaks, ANSI escapes and a fake JSON line make one log line each, the characters escaped.
"""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask

from portal.logsafety import escape_controls
from portal.services import notices

LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|sqlite3|psycopg|SELECT |/work/|portal/|\.py\b|RuntimeError", re.I
)
FORGED = 'abc\r\n2026-12-02 INFO forged login ok\x1b[31m\n{"event": "login", "outcome": "ok"}'


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("SELECT secret FROM users WHERE id_number = '360702198804120018'")


def _assert_generic(response_text: str, request_id: str, title: str) -> None:
    assert title in response_text
    assert f'<span class="mono" id="error-id">{request_id}</span>' in response_text
    assert not LEAKS.search(response_text), LEAKS.search(response_text)


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/no/such/page", 404, "找不到"),
        ("DELETE", "/logout", 405, "操作方式不正确"),  # a GET goes to the form's page (17.12)
    ],
)
def test_not_found_and_wrong_method_answer_a_generic_chinese_page_with_the_error_id(
    app: Flask, method: str, path: str, status: int, title: str
) -> None:
    response = app.test_client().open(path, method=method)
    assert response.status_code == status
    _assert_generic(response.text, response.headers["X-Request-Id"], title)


def test_a_body_over_the_limit_answers_413_in_chinese(app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = app.test_client().post(
        "/login", data=b"x" * (limit + 1), headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 413
    _assert_generic(response.text, response.headers["X-Request-Id"], "文件太大")


def test_an_unexpected_exception_shows_nothing_of_itself_and_logs_one_escaped_line(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(notices, "public_notice", _boom)
    caplog.set_level(logging.INFO)
    path = "/public/notices/abc%0D%0A2026-12-02%20INFO%20forged%1B%5B31m"
    response = app.test_client().get(path, headers={"X-Request-Id": "proxy-id-12345678"})
    assert response.status_code == 500
    _assert_generic(response.text, "proxy-id-12345678", "系统出错了")
    assert "360702198804120018" not in response.text
    logged = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "\\r\\n2026-12-02 INFO forged\\x1b[31m" in message  # visible, inside the one line
    for record in caplog.records:
        assert not re.search("[\r\n\x1b]", record.getMessage()), record.getMessage()


def test_a_forged_request_id_is_replaced_not_echoed(app: Flask) -> None:
    response = app.test_client().get("/no/such/page", headers={"X-Request-Id": "<script>x</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    assert "<script>x</script>" not in response.text


def test_control_characters_in_any_logged_value_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    logging.getLogger("portal.test").warning("login refused for %s", FORGED)
    (record,) = [r for r in caplog.records if r.name == "portal.test"]
    assert record.getMessage() == "login refused for " + escape_controls(FORGED)
    assert "\n" not in record.getMessage() and "\x1b" not in record.getMessage()
    assert escape_controls("a\tb\u2028c") == "a\tb\\u2028c"  # tabs stay; Unicode line separators do not
