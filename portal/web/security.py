"""Security headers on every response, request ids, no-store for authenticated pages, and the refusal
of NUL characters in any submitted value."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from portal.web.errors import error_response


def content_security_policy(htmx_url: str | None) -> str:
    script_src = "'self'"
    if htmx_url:
        origin = "/".join(htmx_url.split("/")[:3])
        script_src += f" {origin}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def standing_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries whatever it is (the poll shortcut's 304 too)."""
    headers = [
        ("Content-Security-Policy", content_security_policy(app.config.get("PORTAL_HTMX_URL"))),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)"),
    ]
    if app.config.get("PORTAL_INSTANCE"):
        headers.append(("X-Portal-Instance", str(app.config["PORTAL_INSTANCE"])))
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,36}")  # audit_events.request_id is 36 characters


def register_security(app: Flask) -> None:

    @app.before_request
    def _request_id() -> None:
        # A proxy's id is kept when it is a plain token; anything else (markup, control characters) is
        # replaced, since the id is shown on error pages and written to every log line and audit row.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.before_request
    def _refuse_nul() -> Response | None:
        # PostgreSQL cannot store U+0000 in text, so a NUL typed into any field failed the flush with
        # a 500 (T-VAL-03's fuzzing on PostgreSQL); no real input contains one, so refuse it up front.
        values = [*request.args.listvalues()]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            values += [*request.form.listvalues()]
        if any("\x00" in value for group in values for value in group):
            return error_response(400, "提交的内容含有不可见的空字符（NUL），请删除后重新提交。")
        return None

    standing = standing_headers(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        for name, value in standing:
            if name == "X-Portal-Instance":
                headers[name] = value
            else:
                headers.setdefault(name, value)
        headers["X-Request-Id"] = g.get("request_id", "")
        if not request.path.startswith("/static/"):
            # One URL answers a page, a fragment or an HX-Redirect depending on HX-Request.
            response.vary.add("HX-Request")
            if current_user and current_user.is_authenticated:
                headers["Cache-Control"] = "no-store"
        return response
