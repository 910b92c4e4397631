"""File storage behind one small interface: bytes (or a file) in, their SHA-256 as the key out; bytes
out only after they hash to their key again. Two backends, chosen by configuration (`from_config`):

- `local` (default): a folder on this machine (`PORTAL_STORAGE_DIR`, default instance/files);
- `s3`: any S3-compatible object store (MinIO, Ceph RGW, a cloud bucket) through boto3
  (`PORTAL_S3_BUCKET`, `PORTAL_S3_ENDPOINT_URL`, `PORTAL_S3_REGION`, credentials from boto3's usual
  places: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, a profile or an instance role).

Either way the key is the content's SHA-256 (recorded in stored_files.sha256) and every read re-hashes
what came back, so a changed or truncated object is reported, never served. Files reach people only
through the portal's own routes after its access checks: no backend hands a browser a URL of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO, Protocol


class FileMissing(Exception):
    """No stored file has that key."""


class FileCorrupted(Exception):
    """The stored bytes no longer match their key: report it, never serve them."""


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data`; return its SHA-256 hex key. Storing the same bytes twice is one file."""
        ...

    def put_file(self, handle: BinaryIO) -> str:
        """Store what `handle` holds from its current position, read in chunks (never whole in memory);
        return its SHA-256 hex key."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes for `key`, verified against it (FileMissing / FileCorrupted otherwise)."""
        ...

    def get_file(self, key: str, target: BinaryIO) -> None:
        """Write the bytes for `key` into `target` in chunks, hashing as they pass; FileCorrupted after
        the last chunk when they do not match (the caller discards what was written)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file (the sweep's job, for files no row refers to); no error when it is gone."""
        ...

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key with the time it was written (for the sweep and `flask storage verify`)."""
        ...

    def check(self) -> None:
        """Raise when the store cannot be reached or written (start-up checks and /readyz)."""
        ...


def from_config(config: dict[str, Any] | Any) -> Storage:
    """The backend the settings choose: PORTAL_STORAGE=local (default) or s3."""
    kind = str(config.get("PORTAL_STORAGE") or "local").lower()
    if kind == "s3":
        from portal.storage.s3 import S3Storage

        return S3Storage(
            bucket=str(config.get("PORTAL_S3_BUCKET") or ""),
            endpoint_url=config.get("PORTAL_S3_ENDPOINT_URL") or None,
            region=config.get("PORTAL_S3_REGION") or None,
            prefix=str(config.get("PORTAL_S3_PREFIX") or ""),
        )
    if kind != "local":
        raise ValueError(f"PORTAL_STORAGE must be local or s3, not {kind!r}")
    from pathlib import Path

    from portal.storage.local import LocalStorage

    return LocalStorage(Path(str(config["PORTAL_STORAGE_DIR"])))


def setting_of(config: dict[str, Any] | Any) -> str:
    """The setting an operator fixes when the store cannot be reached."""
    if str(config.get("PORTAL_STORAGE") or "local").lower() == "s3":
        return "PORTAL_S3_BUCKET / PORTAL_S3_ENDPOINT_URL"
    return "PORTAL_STORAGE_DIR"
