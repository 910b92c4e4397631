"""The admin blueprint: organisations and staff, the working-day calendar, batches and policy, the audit log.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import audit, calendar, policy, registrations, views  # noqa: E402, F401  (each adds its routes to bp)
