"""The applicant blueprint: my applications, the 申报表, the materials and the pledge.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("applicant", __name__, url_prefix="/me")

from portal.web.applicant import materials, summary, views  # noqa: E402, F401  (each adds its routes to bp)
