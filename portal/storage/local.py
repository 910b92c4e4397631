"""Local-disk storage: files named by the SHA-256 of their content, written atomically
(temporary file, fsync, rename), verified on every read."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from portal.storage import FileCorrupted, FileMissing

_KEY = re.compile(r"[0-9a-f]{64}")


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise FileMissing(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileMissing(key) from None
        if hashlib.sha256(data).hexdigest() != key:
            raise FileCorrupted(key)
        return data

    def exists(self, key: str) -> bool:
        return self._path(key).exists()
