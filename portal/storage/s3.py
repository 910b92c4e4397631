"""S3-compatible storage (boto3): MinIO, Ceph RGW or a cloud bucket, for several instances sharing files.

Objects are named by the SHA-256 of their content (under an optional prefix, fanned out like the local
store), uploaded with an `x-amz-checksum-sha256` the store itself checks, and re-hashed on every read: a
changed, truncated or swapped object is reported as FileCorrupted, never served. The portal never hands
a browser a presigned URL: downloads go through its own routes and access checks, which read the object
here. The client is made per process (after gunicorn forks) and reused.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from portal.domain.errors import Unavailable
from portal.storage import FileCorrupted, FileMissing

_KEY = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20
_clients: dict[tuple[int, str | None, str | None], Any] = {}
_lock = threading.Lock()


def _client(endpoint_url: str | None, region: str | None) -> Any:
    """One client per process and endpoint: boto3 clients are thread-safe but must not cross a fork."""
    cache_key = (os.getpid(), endpoint_url, region)
    with _lock:
        client = _clients.get(cache_key)
        if client is None:
            client = boto3.session.Session().client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region,
                config=Config(
                    connect_timeout=5,
                    read_timeout=60,
                    retries={"max_attempts": 3, "mode": "standard"},
                    # Path-style works with MinIO, Ceph and moto on any host name.
                    s3={"addressing_style": "path"},
                ),
            )
            _clients[cache_key] = client
        return client


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


SETTING = "PORTAL_S3_BUCKET / PORTAL_S3_ENDPOINT_URL"


def _unavailable(error: Exception) -> Unavailable:
    """The store cannot be reached or refuses us: the request gets the friendly 503, nothing half done."""
    return Unavailable("storage", SETTING, f"{type(error).__name__}: {error}")


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (FileMissing, FileCorrupted):
            raise
        except BotoCoreError as error:
            raise _unavailable(error) from error
        except ClientError as error:
            if _missing(error):
                raise
            raise _unavailable(error) from error

    return wrapper


class S3Storage:
    def __init__(
        self, *, bucket: str, endpoint_url: str | None = None, region: str | None = None, prefix: str = ""
    ) -> None:
        if not bucket:
            raise ValueError("PORTAL_S3_BUCKET is not set")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @property
    def client(self) -> Any:
        return _client(self.endpoint_url, self.region)

    def _name(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise FileMissing(key)
        return f"{self.prefix}{key[:2]}/{key[2:4]}/{key}"

    @_guarded
    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data)
        key = digest.hexdigest()
        if not self.exists(key):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=data,
                ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
            )
        return key

    @_guarded
    def put_file(self, handle: BinaryIO) -> str:
        """Hash the file from its start in chunks (or take the hash an upload was staged with), then
        stream it up (multipart for large files: boto3's upload_fileobj); a file that cannot seek back
        is spooled to a temporary file first."""
        if not handle.seekable():
            with tempfile.TemporaryFile() as spooled:
                for block in iter(lambda: handle.read(CHUNK), b""):
                    spooled.write(block)
                spooled.seek(0)
                return self.put_file(spooled)  # type: ignore[arg-type]
        key = getattr(handle, "staged_sha256", None)
        if key is None:
            handle.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
            key = digest.hexdigest()
        if not self.exists(key):
            handle.seek(0)
            self.client.upload_fileobj(
                _KeepOpen(handle), self.bucket, self._name(key), ExtraArgs={"ChecksumAlgorithm": "SHA256"}
            )
        handle.seek(0)
        return key

    def _body(self, key: str) -> Any:
        """The object's streaming body (FileMissing when there is none)."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as error:
            if _missing(error):
                raise FileMissing(key) from None
            raise

    @_guarded
    def get(self, key: str) -> bytes:
        data = self._body(key).read()
        if hashlib.sha256(data).hexdigest() != key:
            raise FileCorrupted(key)
        return bytes(data)

    @_guarded
    def get_file(self, key: str, target: BinaryIO) -> None:
        digest = hashlib.sha256()
        for block in self._body(key).iter_chunks(CHUNK):
            digest.update(block)
            target.write(block)
        if digest.hexdigest() != key:
            raise FileCorrupted(key)

    @_guarded
    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    @_guarded
    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    @_guarded
    def listing(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _KEY.fullmatch(name):
                    yield name, item["LastModified"]

    @_guarded
    def check(self) -> None:
        """The bucket exists and these credentials may use it."""
        self.client.head_bucket(Bucket=self.bucket)


class _KeepOpen:
    """The caller's file as boto3's transfer sees it, minus close(): s3transfer closes the file object it
    uploads from, but the upload's file belongs to the request (which reads it again and removes it)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)
