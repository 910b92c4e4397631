"""Local-disk storage: files named by the SHA-256 of their content, written atomically
(temporary file, fsync, rename), verified on every read."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import IO

from portal.storage import CHUNK, FileCorrupted, FileMissing

_KEY = re.compile(r"[0-9a-f]{64}")


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise FileMissing(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        return self.put_file(io.BytesIO(data))

    def _link_staged(self, file: IO[bytes]) -> str | None:
        """An upload staged in this store's directory with its SHA-256 known (portal.web.spooling): fsynced
        and hard-linked under its key, no copy. None if `file` is not such an upload."""
        path, key = getattr(file, "staged_path", None), getattr(file, "staged_sha256", None)
        if path is None or key is None or Path(path).parent != self.root:
            return None
        file.flush()
        os.fsync(file.fileno())
        target = self._path(key)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(
                FileExistsError
            ):  # the same content, stored a moment ago by another request
                os.link(path, target)
        file.seek(0)
        return key

    def put_file(self, file: IO[bytes]) -> str:
        """Copied in chunks into a temporary file of the store (hashed on the way), fsynced, then renamed
        to its key; the sweeper removes a temporary file a crash leaves behind. An upload staged in the
        store's directory while the request arrived is linked into place instead (no second pass)."""
        linked = self._link_staged(file)
        if linked is not None:
            return linked
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                file.seek(0)
                while chunk := file.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            key = digest.hexdigest()
            path = self._path(key)
            if path.exists():
                Path(tmp).unlink()
                return key
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            file.seek(0)
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
