"""The auth blueprint: login, logout, password change, the home page and role switching.

The package owns its routes: each module below adds its views to `bp`; portal.web only registers it.
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.web.auth import email, registration, views  # noqa: E402, F401  (each adds its routes to bp)
