"""The certificates blueprint: the bureau's certificate list, revocation, Excel and 批复 PDF.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

from portal.web.certificates import views  # noqa: E402, F401  (each adds its routes to bp)
