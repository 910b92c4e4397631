"""The S3-compatible storage backend against a real S3 server on a loopback port: moto's standalone
server (`moto_server`, started here; not a mock inside this process), spoken to by boto3 exactly as
MinIO or a cloud bucket would be.

Content-addressed keys with the store's own SHA-256 check on upload, every read re-hashed (a changed or
truncated object is reported, never served), large files streamed both ways, the sweep and
`flask storage verify` on a bucket, a material uploaded through the portal and downloaded again behind
its access check, and an unreachable store: /readyz says which setting, a download gets the friendly 503.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import StoredFile
from portal.services import files
from portal.services.submissions import new_token
from portal.storage import FileCorrupted, FileMissing, from_config
from portal.storage.s3 import S3Storage
from tests.jobs.processes import BIN, answers, free_port, wait_until

BUCKET = "portal-files"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(endpoint), seconds=60, what=f"moto_server on {endpoint}")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def s3_settings(app: Flask, endpoint: str) -> Iterator[None]:
    """The app configured for the bucket, as PORTAL_STORAGE=s3 and its settings would."""
    settings = {
        "PORTAL_STORAGE": "s3",
        "PORTAL_S3_BUCKET": BUCKET,
        "PORTAL_S3_ENDPOINT_URL": endpoint,
        "PORTAL_S3_REGION": "us-east-1",
    }
    previous = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        app.config.update(previous)


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Storage]:
    # moto accepts any credentials; boto3 needs some to sign with.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portal-test-secret")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield S3Storage(bucket=BUCKET, endpoint_url=s3_endpoint, region="us-east-1")
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_keys_are_sha256_reads_are_verified_and_a_changed_object_is_never_served(s3: S3Storage) -> None:
    key = s3.put(b"%PDF-1.4 hello")
    assert key == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()
    assert s3.put(b"%PDF-1.4 hello") == key and s3.exists(key)
    assert s3.get(key) == b"%PDF-1.4 hello"
    assert [k for k, _ in s3.listing()] == [key]
    # Someone with the bucket's credentials replaces the object: the portal reports it, never serves it.
    s3.client.put_object(Bucket=BUCKET, Key=s3._name(key), Body=b"%PDF-1.4 forged")
    with pytest.raises(FileCorrupted):
        s3.get(key)
    with pytest.raises(FileCorrupted):
        s3.get_file(key, io.BytesIO())
    s3.delete(key)
    with pytest.raises(FileMissing):
        s3.get(key)
    with pytest.raises(FileMissing):
        s3.get("../../etc/passwd")


def test_a_large_file_streams_up_and_down(s3: S3Storage, tmp_path: Path) -> None:
    """20 MB: above boto3's multipart threshold, so it goes up in parts, read from the file in chunks."""
    source = tmp_path / "scan.pdf"
    chunk = hashlib.sha256(b"seed").digest() * 4096  # 128 KB of varied bytes
    with source.open("wb") as out:
        for n in range(160):
            out.write(n.to_bytes(4, "big") + chunk)
    with source.open("rb") as handle:
        key = s3.put_file(handle)
    assert key == hashlib.sha256(source.read_bytes()).hexdigest()
    target = tmp_path / "back.pdf"
    with target.open("wb") as out:
        s3.get_file(key, out)
    assert target.read_bytes() == source.read_bytes()


def test_the_sweep_and_storage_verify_work_on_a_bucket(
    app: Flask, session: Session, s3: S3Storage, s3_endpoint: str
) -> None:
    now = datetime.now(UTC)
    kept, orphan = s3.put(b"referenced"), s3.put(b"nobody refers to me")
    session.add(StoredFile(sha256=kept, size=10, media_type="application/pdf", created_at=now))
    session.flush()
    young = files.sweep(session, s3, now)
    assert (young.orphans, young.kept_young) == (0, 1)  # written a moment ago: maybe a row is coming
    report = files.sweep(session, s3, now + timedelta(hours=2))
    assert report.orphans == 1 and s3.exists(kept) and not s3.exists(orphan)
    with s3_settings(app, s3_endpoint):
        assert isinstance(from_config(app.config), S3Storage)
        assert app.test_cli_runner().invoke(args=["storage", "verify"]).exit_code == 0
        s3.client.put_object(Bucket=BUCKET, Key=s3._name(kept), Body=b"changed")
        failed = app.test_cli_runner().invoke(args=["storage", "verify"])
        assert failed.exit_code == 1 and "内容被改动" in failed.output


def test_a_material_goes_up_through_the_portal_and_comes_back_verified(
    app: Flask, session: Session, s3: S3Storage, s3_endpoint: str, login_as: Any, clock: Any
) -> None:
    from tests.factories import make_application, make_world
    from tests.imaging import pdf

    world = make_world(session)
    application = make_application(session, world, clock.now)
    with s3_settings(app, s3_endpoint):
        applicant = login_as(application.applicant)
        scan = pdf(2)
        uploaded = applicant.post(
            f"/me/applications/{application.id}/materials",
            data={
                "slot": "other",
                "kind": "original",
                "form_token": new_token(),
                "files": (io.BytesIO(scan), "scan.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert uploaded.status_code in (200, 303), uploaded.text[-500:]
        stored = session.query(StoredFile).order_by(StoredFile.id.desc()).first()
        assert stored is not None and s3.exists(stored.sha256)  # in the bucket, under its SHA-256
        from portal.models import Material

        material = session.query(Material).filter_by(file_id=stored.id).one()
        url = f"/files/applications/{application.id}/materials/{material.id}?download=1"
        back = applicant.get(url)
        assert back.status_code == 200 and hashlib.sha256(back.data).hexdigest() == stored.sha256
        assert login_as(world.other_enterprise.handler).get(url).status_code == 404  # behind the check
        # The store goes away: /readyz names the setting, a download is the friendly 503 with its id.
        app.config["PORTAL_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503 and ready.json is not None
        assert ready.json["checks"]["storage"]["ok"] is False
        assert "PORTAL_S3" in ready.json["checks"]["storage"]["setting"]
        down = applicant.get(url, headers={"X-Request-Id": "s3-down-1"})
        assert down.status_code == 503 and "服务暂时不可用" in down.text and "s3-down-1" in down.text
