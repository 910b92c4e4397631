"""The one reader of HX-* request headers, and the helpers that answer htmx requests.

A fragment is a named {% block %} of a real page template: the same template renders the full page
without HX-Request and just that block with it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, make_response, request

from portal.web.redirects import local_target


def is_htmx() -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def wants_fragment() -> bool:
    """True for an htmx request that did not ask for a whole page (boosted navigation asks for one)."""
    return is_htmx() and request.headers.get("HX-Boosted") != "true"


def hx_target() -> str | None:
    return request.headers.get("HX-Target")


def render_block(template_name: str, block: str, **context: Any) -> str:
    env = current_app.jinja_env
    template = env.get_template(template_name)
    current_app.update_template_context(context)
    ctx = template.new_context(context)
    return "".join(template.blocks[block](ctx))


def render_page(
    template_name: str,
    *,
    fragment: str | None = None,
    also: tuple[str, ...] = (),
    status: int = 200,
    **context: Any,
) -> Response:
    """The whole page, or only `fragment` when htmx asked for it. Always varies on HX-Request.
    `also` names further blocks sent with the fragment as out-of-band swaps (rendered with `oob` true,
    so the block's root carries hx-swap-oob): they change in the same response, not by a second request
    that could land while the user has started on them."""
    if fragment is not None and wants_fragment():
        body = render_block(template_name, fragment, **context)
        body += "".join(render_block(template_name, name, **{**context, "oob": True}) for name in also)
    else:
        env = current_app.jinja_env
        # A refused form (422) on a whole page: the page marks itself so app.js takes the reader to the
        # first marked field; on a long page (the review page's 退回补正, a meeting's plan) it sat far below.
        context.setdefault("refused", status == 422)
        current_app.update_template_context(context)
        body = env.get_template(template_name).render(context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def hx_trigger(response: Response, *events: str) -> Response:
    existing = response.headers.get("HX-Trigger")
    names: dict[str, Any] = json.loads(existing) if existing else {}
    for event in events:
        names[event] = True
    response.headers["HX-Trigger"] = json.dumps(names)
    return response


def _on_site(url: str) -> str:
    """Every redirect's last gate (portal/web/redirects.py): a path on this site, else the home page."""
    target = local_target(url)
    if target is None:
        current_app.logger.warning("redirect to an off-site or malformed target refused: %r", url[:200])
        return "/"
    return target


def hx_redirect(url: str) -> Response:
    """Navigate an htmx call: 200 with HX-Redirect (a 302 would be followed and swapped into the target)."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = _on_site(url)
    return response


def see_other(url: str) -> Response:
    """After a successful POST: 303 for a plain form, 200 + HX-Redirect for htmx (never a followed 302)."""
    if is_htmx():
        return hx_redirect(url)
    response = make_response("", 303)
    response.headers["Location"] = _on_site(url)
    return response


def redirect_to(url: str) -> Response:
    """A plain 302 for a GET (a page that sends the browser elsewhere), through the same gate."""
    response = make_response("", 302)
    response.headers["Location"] = _on_site(url)
    return response


def not_modified(etag: str) -> Response:
    """304 for a poll whose If-None-Match still matches: htmx is configured not to swap it."""
    response = make_response("", 304)
    response.set_etag(etag)
    response.vary.add("HX-Request")
    return response
