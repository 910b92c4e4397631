"""The notices blueprint: draft, publish, objections, sheets and the QR code of a 公示.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from portal.web.notices import views  # noqa: E402, F401  (each adds its routes to bp)
