"""Error pages in the reader's language (403/404/422/500), each also an htmx fragment; DomainError kinds
mapped to codes."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from portal.domain.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    StaleObject,
    Unavailable,
    ValidationFailed,
)
from portal.domain.i18n import N_, joined
from portal.models import StaffRole
from portal.web.htmx import is_htmx, render_page, see_other
from portal.web.unit_of_work import abandon

log = logging.getLogger(__name__)

MESSAGES = {
    400: (N_("请求有误"), N_("页面提交的数据不完整，请返回重试。")),
    403: (N_("无权访问"), N_("您当前的身份无权打开此页面。如需办理，请联系所在单位的管理员。")),
    404: (N_("页面不存在"), N_("找不到您要的页面或申报，可能已被删除，或您无权查看。")),
    405: (N_("操作方式不正确"), N_("请通过页面上的按钮进行操作。")),
    409: (N_("已被办理"), N_("该申报已被办理（可能是他人，或您在另一页面），请刷新后查看最新状态。")),
    413: (N_("文件太大"), N_("上传的内容超过了大小限制，请压缩后重试。")),
    422: (N_("内容有误"), N_("提交的内容有误，请按提示修改。")),
    429: (N_("操作太频繁"), N_("请稍后再试。")),
    500: (N_("系统出错了"), N_("服务器处理时出错，已记录。请稍后重试；如果一直出现，请联系管理员。")),
    503: (
        N_("服务暂时不可用"),
        N_(
            "系统的某个组成部分暂时无法访问，这次操作没有生效，已填写的内容请稍后重新提交。"
            "请稍后重试；如果一直出现，请把下面的错误编号告诉管理员。"
        ),
    ),
}


# The 403 page's words for an admin: its default sends the reader to 所在单位的管理员, which an admin is.
ADMIN_REFUSED = N_(
    "您当前的管理员身份无权打开此页面，此页面由其他岗位的人员使用。如您另有岗位，请在页面顶部切换身份后再打开。"
)


def refused_words() -> str | None:
    """What the 403 page says to who is refused, where its default would be wrong: an admin is not told to
    ask their own unit's admin. None: the default."""
    from flask_login import current_user

    from portal.web.context import current_membership

    if not current_user or not current_user.is_authenticated:
        return None
    membership = current_membership()
    if membership is not None and membership.role == StaffRole.ADMIN.value:
        return ADMIN_REFUSED
    return None


def error_response(status: int, message: str | None = None) -> Response:
    title, default = MESSAGES.get(status, MESSAGES[500])
    response = render_page(
        "errors/error.html",
        fragment="content",
        status=status,
        title=title,
        message=message or default,
        status_code=status,
    )
    if status >= 500 and is_htmx():
        # Never swap a 500 page into a small target: tell htmx to put it in the flash region instead.
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def audit_denied(status: int) -> None:
    """A logged-in user refused a page or an object: one audit event (等保 安全审计, T-AC-02, T-LOG-01).
    Only noted here: the error status rolls the request back, and the unit of work then writes the
    refusal in its own short transaction. Never lets a logging problem replace the error page."""
    from flask_login import current_user

    from portal.extensions import db
    from portal.services import audit
    from portal.web.context import current_actor, now

    if not current_user or not current_user.is_authenticated:
        return
    if request.method in ("GET", "HEAD"):
        _queue_denied(status)  # a GET writes nothing to the database: the worker writes the row
        return
    try:
        audit.note_attempt(
            db.session, current_actor(), "access_denied", now(), object_type="route",
            detail={"endpoint": request.endpoint or "", "method": request.method, "status": status},
        )  # fmt: skip
    except Exception:  # pragma: no cover - the refusal itself must still be answered
        log.exception("could not audit an access refusal")


def page_for(path: str) -> str:
    """The page a POST-only URL belongs to: the nearest leading part of the path that a GET answers
    (/me/applications/5/form → /me/applications/5), else the home page."""
    adapter = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            adapter.match(candidate, method="GET")
        except (HTTPException, RoutingException):  # no such page, POST only, or a slash redirect
            continue
        return candidate
    return "/"


def _queue_denied(status: int) -> None:
    from portal import jobs
    from portal.services import access
    from portal.web.context import current_actor, now

    try:
        record = access.denied_record(
            current_actor(), now(), endpoint=request.endpoint or "", method=request.method, status=status
        )
        jobs.record_access(record)
    except Exception:  # the refusal itself must still be answered; the log keeps the event
        log.exception("could not queue the audit of an access refusal (%s %s)", request.method, request.path)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        if error.code == 403:
            audit_denied(403)
        if error.code == 405 and request.method in ("GET", "HEAD"):
            # A GET on a form's POST address: a reload after a refused submit (the page was rendered at
            # the POST URL), Enter in the address bar, a bookmark. Go to the form's page (issue 17.12).
            return see_other(page_for(request.path))
        return error_response(error.code or 500, refused_words() if error.code == 403 else None)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return error_response(400, N_("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"))

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound) -> Response:
        audit_denied(404)  # an object the actor may not see (or that does not exist): same answer
        # What was not found, as the service says it (the same words for a missing and a hidden object).
        return error_response(404, error.message or None)

    @app.errorhandler(PermissionDenied)
    def _denied(error: PermissionDenied) -> Response:
        audit_denied(403)
        return error_response(403, error.message or refused_words())

    @app.errorhandler(StaleObject)
    def _stale(error: StaleObject) -> Response:
        return error_response(409, error.message)

    @app.errorhandler(ValidationFailed)
    def _invalid(error: ValidationFailed) -> Response:
        # The field messages as one message (translated at render, Chinese data inside lang="zh-CN").
        return error_response(422, joined(error.fields.values(), "；") if error.fields else error.message)

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return error_response(422, error.message)

    @app.errorhandler(Unavailable)
    def _unavailable(error: Unavailable) -> Response:
        # The part and its setting go to the log (with the request id), never to the page.
        log.error("unavailable on %s %s: %s", request.method, request.path, error)
        abandon()  # nothing half-written: the unit of work rolls back now
        return error_response(503)

    @app.errorhandler(RedisError)
    def _redis_unavailable(error: Exception) -> Response:
        # Rate limits (and the queue) in Redis: a request that needs them waits for Redis to come back.
        log.error("redis unavailable (PORTAL_REDIS_URL) on %s %s: %s", request.method, request.path, error)
        abandon()  # nothing half-written: the unit of work rolls back now
        return error_response(503)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> Response:
        log.error(
            "database unavailable on %s %s: %s", request.method, request.path, str(error).splitlines()[0]
        )
        abandon()  # nothing half-written: the unit of work rolls back now
        return error_response(503)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
