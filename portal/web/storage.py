"""The file store for this app, from its settings."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from portal.storage.local import LocalStorage


def storage() -> LocalStorage:
    return LocalStorage(Path(current_app.config["PORTAL_STORAGE_DIR"]))
