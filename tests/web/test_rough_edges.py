"""Issue 17.12's rough edges: the favicon exists (a 404 on every page before), and the development
server's log lines carry no ANSI escapes (shown as raw ``\\x1b[`` text in `make run`'s log)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask


def test_the_favicon_is_served_and_named_by_every_page(app: Flask, client: Any) -> None:
    with client.get("/favicon.ico", follow_redirects=True) as icon:  # a file response: close it
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    login = client.get("/login").text
    assert 'rel="icon"' in login and "/static/favicon.ico" in login
    with client.get("/static/favicon.ico") as static:
        assert static.status_code == 200


def test_the_request_log_has_no_ansi_escapes(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def __init__(self) -> None:  # no socket: only the log line is made
            self.requestline = "GET /login HTTP/1.1"
            self.client_address = ("127.0.0.1", 1)

        def address_string(self) -> str:
            return "127.0.0.1"

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        Handler().log_request(404)
    line = caplog.records[-1].getMessage()
    assert "GET /login" in line and "\x1b" not in line and "\\x1b" not in line
