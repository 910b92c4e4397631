"""Local storage: content-addressed keys, atomic writes, streamed puts, staged uploads linked without a copy,
and tampering detected on read."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from portal.storage import FileCorrupted, FileMissing
from portal.storage.local import LocalStorage
from portal.web.spooling import StagedUpload


def test_the_key_is_the_sha256_and_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = storage.put(b"%PDF-1.4 hello")
    assert key == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()
    assert storage.put(b"%PDF-1.4 hello") == key
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [key]
    assert storage.get(key) == b"%PDF-1.4 hello" and storage.exists(key)


def test_changed_bytes_are_reported_not_served(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = storage.put(b"original")
    next(p for p in tmp_path.rglob(key)).write_bytes(b"tampered")
    with pytest.raises(FileCorrupted):
        storage.get(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "abc", ""])
def test_only_real_keys_are_looked_up(tmp_path: Path, key: str) -> None:
    with pytest.raises(FileMissing):
        LocalStorage(tmp_path).get(key)


def test_put_file_streams_in_chunks_and_stores_the_same_content_once(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    content = bytes(range(256)) * 20_000  # 5 MB: several chunks
    key = storage.put_file(io.BytesIO(content))
    assert key == hashlib.sha256(content).hexdigest() and storage.get(key) == content
    assert storage.put_file(io.BytesIO(content)) == key
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [key]


def test_a_staged_upload_is_linked_into_place_and_its_staging_file_removed_on_close(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    staged = StagedUpload(tmp_path)
    content = b"%PDF-1.7\n" + bytes(900_000)  # over the in-memory part: staged on disk
    for start in range(0, len(content), 65536):
        staged.write(content[start : start + 65536])
    staged.seek(0)
    assert staged.staged_path is not None and staged.staged_sha256 == hashlib.sha256(content).hexdigest()
    key = storage.put_file(staged)
    stored = storage._path(key)
    assert stored.stat().st_ino == staged.staged_path.stat().st_ino  # a link, not a copy
    staging = staged.staged_path
    staged.close()
    assert not staging.exists() and storage.get(key) == content
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [key]


def test_a_staged_upload_written_out_of_order_is_hashed_by_the_store(tmp_path: Path) -> None:
    staged = StagedUpload(tmp_path)
    staged.write(b"A" * 600_000)
    staged.seek(10)
    staged.write(b"changed")
    assert staged.staged_sha256 is None
    staged.seek(0)
    content = staged.read()
    key = LocalStorage(tmp_path).put_file(staged)
    assert key == hashlib.sha256(content).hexdigest()
    staged.close()
