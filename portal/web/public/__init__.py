"""The public blueprint (no login): a notice as posted on the wall, objections, certificate checks.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from portal.web.public import calls, views  # noqa: E402, F401  (each adds its routes to bp)
