"""The review blueprint: queues, the review page, actions, endorsements and the paper follow-up.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from portal.web.review import materials, paper, views  # noqa: E402, F401  (each adds its routes to bp)
