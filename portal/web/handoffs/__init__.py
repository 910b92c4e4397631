"""Hand-offs to the provincial systems (issue 23): the export page per target, the export as a background
job (its progress on the job page), and the admin's read-only view of the hand-off profiles.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("handoffs", __name__, url_prefix="/handoffs")

from portal.web.handoffs import views  # noqa: E402, F401  (each adds its routes to bp)
