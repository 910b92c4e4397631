"""The inbox blueprint: each person's notifications, newest first, with read state.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

from portal.web.inbox import views  # noqa: E402, F401  (each adds its routes to bp)
