"""The in-app inbox: each person's notifications, newest first, with read state."""

from __future__ import annotations

from flask import Response, url_for
from flask_login import login_required

from portal.extensions import db
from portal.services import notifications as service
from portal.web.context import current_actor, now
from portal.web.htmx import render_page, see_other
from portal.web.inbox import bp
from portal.web.redirects import safe_target


@bp.get("")
@login_required
def show_inbox() -> Response:
    return render_page("pages/inbox/show_inbox.html", items=service.inbox(db.session, current_actor()))


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    """Reading is a POST (it changes the read state); then on to what the message is about."""
    notification = service.open_notification(db.session, current_actor(), notification_id, now())
    return see_other(safe_target(notification.link, url_for("inbox.show_inbox")))


@bp.post("/read-all")
@login_required
def mark_all_read() -> Response:
    service.mark_all_read(db.session, current_actor(), now())
    return see_other("/inbox")
