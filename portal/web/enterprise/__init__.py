"""The enterprise blueprint: HR's applicant accounts, bulk imports, rosters, the seal and the form.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")

from portal.web.enterprise import accounts, dossier, uploads, views  # noqa: E402, F401  (each adds its routes to bp)
