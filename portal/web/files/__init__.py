"""The files blueprint: stored files, served only here and only after an access check.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("files", __name__, url_prefix="/files")

from portal.web.files import views  # noqa: E402, F401  (each adds its routes to bp)
