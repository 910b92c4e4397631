"""Local storage: content-addressed keys, atomic writes, and tampering detected on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from portal.storage import FileCorrupted, FileMissing
from portal.storage.local import LocalStorage


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
