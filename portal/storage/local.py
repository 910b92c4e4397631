"""Local-disk storage: files named by the SHA-256 of their content, written atomically
(temporary file, fsync, rename), verified on every read."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

from portal.storage import CHUNK, FileCorrupted, FileMissing

_KEY = re.compile(r"[0-9a-f]{64}")
TEMPORARY_PREFIX = ".incoming-"


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
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
            # The same content, stored a moment ago by another request, is already there: nothing to do.
            with contextlib.suppress(FileExistsError):
                os.link(path, target)
        file.seek(0)
        return key

    def put_file(self, file: IO[bytes]) -> str:
        """Copied from its start in chunks into a temporary file of the store (hashed on the way), fsynced,
        then renamed to its key (never the whole file in memory); the sweeper removes a temporary file a
        crash leaves behind. An upload staged in the store's directory while the request arrived is
        linked into place instead (no second pass)."""
        linked = self._link_staged(file)
        if linked is not None:
            return linked
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=TEMPORARY_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                file.seek(0)
                while block := file.read(CHUNK):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
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

    def get_file(self, key: str, target: BinaryIO) -> None:
        path = self._path(key)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(block)
                    target.write(block)
        except FileNotFoundError:
            raise FileMissing(key) from None
        if digest.hexdigest() != key:
            raise FileCorrupted(key)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and _KEY.fullmatch(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def check(self) -> None:
        """The folder exists (or can be made) and takes a write."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=self.root, prefix=TEMPORARY_PREFIX)
        os.close(fd)
        Path(probe).unlink()
