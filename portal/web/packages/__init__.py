"""Packages sent onward: one application's PDF and ZIP, and batch ZIPs with their progress page.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("packages", __name__, url_prefix="/packages")

from portal.web.packages import views  # noqa: E402, F401  (each adds its routes to bp)
