"""The committees blueprint (issue 22): committees and their scope, their meetings, experts and filings,
the call (评审通知), the 职称确认 list, and the expert's own pages.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("committees", __name__, url_prefix="/committees")

from portal.web.committees import calls, confirmations, exceptions, meetings, results, views  # noqa: E402, F401  (each adds its routes to bp)
