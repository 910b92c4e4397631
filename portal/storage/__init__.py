"""File storage behind one interface: bytes in, a SHA-256 key out; local disk now, S3-compatible later."""

from __future__ import annotations

from typing import Protocol


class FileMissing(Exception):
    """No stored file has that key."""


class FileCorrupted(Exception):
    """The stored bytes no longer match their key: report it, never serve them."""


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data`; return its SHA-256 hex key. Storing the same bytes twice is one file."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes for `key`, verified against it (FileMissing / FileCorrupted otherwise)."""
        ...

    def exists(self, key: str) -> bool: ...
