"""Where an uploaded file lands while its request is parsed: in memory up to 512 KB, then in a temporary
file inside the file store's own directory, hashed (SHA-256) as werkzeug writes it. An upload the
acceptance path keeps as it is (a clean scanned PDF) then needs no second pass and no copy: the store
links the staged file under its key (portal.storage.local.LocalStorage.put_file), so a 20 MB upload
costs one write and one fsync, like a bare save. A staged file is removed when the request closes it;
the sweeper removes one a crash leaves behind (`.incoming-*`, after an hour)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from flask import Request, current_app

IN_MEMORY = 512 * 1024


class StagedUpload(io.RawIOBase):
    """A writable, readable, seekable file whose `staged_sha256` is the SHA-256 of its content as long as
    it was written front to back (any other write forgets it), and whose `staged_path` names it on disk
    once it outgrew memory."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self._directory = directory
        self._file: IO[bytes] = io.BytesIO()
        self._digest: Any = hashlib.sha256()
        self._hashed = 0
        self.staged_path: Path | None = None

    @property
    def staged_sha256(self) -> str | None:
        return self._digest.hexdigest() if self._digest is not None else None

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if self._digest is not None:
            if self._file.tell() == self._hashed:
                self._digest.update(chunk)
                self._hashed += len(chunk)
            else:
                self._digest = None  # not written front to back: the store hashes it itself
        if self.staged_path is None and self._file.tell() + len(chunk) > IN_MEMORY:
            self._roll_over()
        return self._file.write(chunk)

    def _roll_over(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self._directory, prefix=".incoming-")
        disk = os.fdopen(fd, "w+b")
        position = self._file.tell()
        disk.write(self._file.getvalue())  # type: ignore[attr-defined]
        disk.seek(position)
        self._file, self.staged_path = disk, Path(name)

    def readinto(self, buffer: Any) -> int:
        return self._file.readinto(buffer)  # type: ignore[attr-defined]

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._file.readline(size if size is not None else -1)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        self._file.flush()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        if self.closed:
            return
        super().close()  # flushes first
        self._file.close()
        if self.staged_path is not None:
            self.staged_path.unlink(missing_ok=True)


class StagingRequest(Request):
    """Flask's request, with uploaded files staged in the file store's directory (see the module)."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return StagedUpload(Path(current_app.config["PORTAL_STORAGE_DIR"]))  # type: ignore[return-value]
