"""The one check of every redirect target: a path on this site, or nothing.

A target that came from a request (`/login?next=`, the review form's `back=`, a Referer, a stored link)
is normalised before it is checked, because browsers normalise before they navigate: they drop TAB, CR
and LF anywhere in a URL, strip leading and trailing control characters and spaces, and read `\\` as `/`.
`/\\t/evil.example` passed a "starts with one slash" check and reached the browser as `//evil.example`
(issue 16.7). So a target is refused outright when it, any percent-decoded form of it, or its NFKC form
(full-width `／`) holds a control or format character, a backslash, a scheme or host, an empty path
segment (`//`) or a dot segment; what is left is a path (with its query) that is then quoted to ASCII.

`local_target` is the pure check. `safe_target` adds the length cap for targets carried in a URL and asks
the app's own routes whether a GET to the path exists. `htmx.see_other`/`hx_redirect`/`redirect_to` pass
every redirect through `local_target` as well, so a view that forgets cannot send anyone off-site.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# A target carried in a URL (next=, back=): a real page's path and query fit well inside this.
MAX_TARGET_LENGTH = 512
# Decoding a percent-encoded target more than this many times to reach a fixed point is an attack.
_MAX_DECODINGS = 3
# Characters a URL path or query keeps as they are when quoted (RFC 3986 reserved and unreserved, and %).
_KEEP = "/?&=;:@!$'()*+,-._~%"
# Cc control (TAB, CR, LF, NUL, DEL, C1), Cf format (bidi overrides, zero-width), Zl/Zp line separators.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _refused(form: str) -> bool:
    if not form.startswith("/") or form.startswith("//") or "\\" in form:
        return True
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in form):
        return True
    try:
        parts = urlsplit(form)
    except ValueError:
        return True
    if parts.scheme or parts.netloc:
        return True
    segments = parts.path.split("/")[1:]
    # "//" anywhere in the path, or "." / "..": no page of ours has them, and browsers and proxies
    # resolve them in ways a check on the raw string cannot follow.
    return any(segment in ("", ".", "..") for segment in segments[:-1]) or segments[-1] in (".", "..")


def local_target(value: str | None, *, max_length: int | None = None) -> str | None:
    """`value` as a same-site path (query and fragment kept), quoted to ASCII; None when it is not one
    beyond doubt, or longer than `max_length`."""
    if not value or not isinstance(value, str):
        return None
    if max_length is not None and len(value) > max_length:
        return None
    layer = value
    for _ in range(_MAX_DECODINGS + 1):
        if _refused(layer) or _refused(unicodedata.normalize("NFKC", layer)):
            return None
        try:
            decoded = unquote(layer, errors="strict")
        except UnicodeDecodeError:
            return None  # percent-encoded bytes that are not UTF-8: no page of ours has them
        if decoded == layer:
            break
        layer = decoded
    else:
        return None
    rest, _, fragment = value.partition("#")
    path, _, query = rest.partition("?")
    target = quote(path, safe=_KEEP) + (f"?{quote(query, safe=_KEEP)}" if query else "")
    target += f"#{quote(fragment, safe=_KEEP)}" if fragment else ""
    return target if max_length is None or len(target) <= max_length else None


def _routes_to_a_page(target: str) -> bool:
    """A GET to this path reaches one of the app's own routes (not a 404/405, nor another host)."""
    path = unquote(urlsplit(target).path)
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root) :]  # url_for's paths carry the mount point; the url_map's rules do not
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True  # e.g. a missing trailing slash: werkzeug redirects within the site
    except HTTPException:
        return False
    return True


def safe_target(value: str | None, fallback: str) -> str:
    """The target a request asked for when it is a capped same-site path to one of our pages, else
    `fallback` (a url_for of the caller's choice)."""
    target = local_target(value, max_length=MAX_TARGET_LENGTH)
    return target if target is not None and _routes_to_a_page(target) else fallback


def referrer_target(fallback: str) -> str:
    """The page the browser came from, when it was a page of this site (its path and query only)."""
    try:
        parts = urlsplit(request.referrer or "")
    except ValueError:  # e.g. a host that NFKC turns into something else
        return fallback
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return fallback
    return safe_target(parts.path + (f"?{parts.query}" if parts.query else ""), fallback)


def login_next() -> str | None:
    """What the login page's `next=` carries for this request: its path alone (never the query string: a
    form's values and tokens must not travel in a URL, issue 17.11) when it is a safe target within the
    length cap, else nothing."""
    return local_target(request.path, max_length=MAX_TARGET_LENGTH)
