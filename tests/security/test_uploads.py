"""Uploads: the malformed corpus of T-UP-01 (generated here) is 100% refused with a Chinese message and
leaves nothing on disk or in the database; active PDFs are accepted only neutralised (re-written without
the active entries) and hostile names only cleaned; the valid corpus of T-UP-02 is 100% accepted (PDFs
byte for byte, images re-encoded upright without metadata); downloads carry the sniffed type, nosniff,
an RFC 6266 name, no-store and a sandbox CSP (T-UP-03); the per-applicant quota (T-UP-04); a stored file
whose bytes changed is reported, never served (T-UP-06).

The corpora run against the acceptance function every upload goes through and against the public
objection form; tests/security/test_upload_policy.py sends a hostile corpus to every upload route.
EICAR is left out: no clamd here."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.uploads import UploadLimits, UploadRefused, Usage
from portal.models import AuditEvent, Objection, StoredFile
from portal.services import uploads
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.conftest import Clock
from tests.factories import make_user, tiny_pdf
from tests.imaging import pixel_bomb, raw_pdf
from tests.security.conftest import Tenant

LIMITS = uploads.OBJECTION_LIMITS
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def jpeg(
    *, progressive: bool = False, orientation: int | None = None, size: tuple[int, int] = (64, 48)
) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    buffer = io.BytesIO()
    options: dict[str, Any] = {"progressive": progressive}
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def png(mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (32, 32), (0, 120, 200, 128) if mode == "RGBA" else (0, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def malformed() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes): everything T-UP-01 lists that applies without clamd, and more."""
    good_jpeg, good_pdf = jpeg(), tiny_pdf()
    return [
        ("php renamed jpg", "shell.jpg", b"<?php system($_GET['c']); ?>"),
        ("html renamed pdf", "report.pdf", b"<html><script>alert(1)</script></html>"),
        ("html renamed jpg", "photo.jpg", b"<!doctype html><html><body onload=alert(1)>"),
        (
            "jpeg+html polyglot",
            "photo.jpg",
            good_jpeg + b"<html><script>alert(document.cookie)</script></html>",
        ),
        ("png+php polyglot", "photo.png", png() + b"<?php echo 1; ?>"),
        ("svg", "drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        (
            "svg renamed png",
            "drawing.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("zero bytes", "empty.pdf", b""),
        ("truncated pdf", "cut.pdf", good_pdf[: len(good_pdf) // 2]),
        ("pdf without eof", "noeof.pdf", good_pdf.replace(b"%%EOF", b"")),
        ("encrypted pdf", "locked.pdf", encrypted_pdf()),
        ("pdf over the page limit", "long.pdf", tiny_pdf(pages=LIMITS.max_pages + 1)),
        ("wrong magic", "fake.pdf", b"PDF-1.4\n" + good_pdf[9:]),
        (
            "gif renamed jpg",
            "anim.jpg",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01;",
        ),
        ("exe renamed png", "setup.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120),
        ("zip renamed pdf", "archive.pdf", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 60),
        ("truncated jpeg", "half.jpg", good_jpeg[: len(good_jpeg) // 2]),
        ("truncated png", "half.png", png()[:40]),
        ("pixel bomb", "bomb.png", pixel_bomb()),
        ("jpeg named png", "photo.png", good_jpeg),
        ("pdf named jpg", "scan.jpg", good_pdf),
        ("size limit + 1 byte", "big.jpg", good_jpeg + b"\x00" * (LIMITS.max_bytes + 1 - len(good_jpeg))),
        ("double suffix", "x.jpg.php", good_jpeg),
        ("encoded NUL", "x.php%00.jpg", good_jpeg),
        ("NUL in name", "x.php\x00.jpg", good_jpeg),
        ("path traversal", "../../a.pdf", good_pdf),
        ("windows traversal", "..\\..\\a.pdf", good_pdf),
        ("device name", "CON.jpg", good_jpeg),
        ("hidden file", ".htaccess", b"Options +ExecCGI"),
        ("leading hyphen", "-rf.pdf", good_pdf),
        ("no suffix", "scan", good_pdf),
        ("office file", "form.docx", b"PK\x03\x04" + b"\x00" * 30),
    ]


def active() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes): PDFs a viewer would run something in; accepted only neutralised."""
    return [
        (
            "pdf javascript",
            "js.pdf",
            raw_pdf(b"/Names << /JavaScript 4 0 R >>", b"", b"<< /Names [(a) 5 0 R] >>", JS_ACTION),
        ),
        ("pdf openaction", "open.pdf", raw_pdf(b"/OpenAction [3 0 R /Fit]")),
        ("pdf launch", "launch.pdf", raw_pdf(b"/OpenAction 4 0 R", b"", b"<< /S /Launch /F (cmd.exe) >>")),
        (
            "pdf embedded file",
            "embed.pdf",
            raw_pdf(b"/Names << /EmbeddedFiles 4 0 R >>", b"", b"<< /Names [] >>"),
        ),
        ("pdf page action", "aa.pdf", raw_pdf(b"", b"/AA << /O 4 0 R >>", JS_ACTION)),
        ("pdf hex-escaped openaction", "hex.pdf", raw_pdf(b"/Open#41ction [3 0 R /Fit]")),
        (
            "pdf rich media",
            "media.pdf",
            raw_pdf(b"", b"/Annots [4 0 R]", b"<< /Type /Annot /Subtype /RichMedia >>"),
        ),
    ]


ACTIVE_WORDS = (
    b"/JavaScript", b"/JS", b"/OpenAction", b"/Open#41ction", b"/AA", b"/Launch", b"/EmbeddedFiles",
    b"/RichMedia",
)  # fmt: skip


def valid() -> list[tuple[str, str, bytes, str]]:
    """(label, file name, bytes, sniffed type): T-UP-02."""
    return [
        ("pdf 1.4", "学历证书.pdf", tiny_pdf("1.4"), "application/pdf"),
        ("pdf 1.7", "职称证书.pdf", tiny_pdf("1.7"), "application/pdf"),
        ("pdf 2.0", "业绩证明.pdf", tiny_pdf("2.0"), "application/pdf"),
        ("pdf upper-case suffix", "学历证书 (1).PDF", tiny_pdf(pages=3), "application/pdf"),
        ("jpeg baseline", "身份证正面.jpg", jpeg(), "image/jpeg"),
        ("jpeg progressive", "身份证反面.jpeg", jpeg(progressive=True), "image/jpeg"),
        ("jpeg with exif rotation", "手机拍照.JPG", jpeg(orientation=6), "image/jpeg"),
        ("png", "截图.png", png(), "image/png"),
        ("png with alpha", "印章.png", png("RGBA"), "image/png"),
        ("ascii name", "diploma-2015.pdf", tiny_pdf(), "application/pdf"),
    ]


@pytest.mark.parametrize(("label", "name", "data"), malformed(), ids=[m[0] for m in malformed()])
def test_the_malformed_corpus_is_refused_by_the_acceptance_function(
    label: str, name: str, data: bytes
) -> None:
    with pytest.raises(UploadRefused) as refused:
        uploads.accept_upload(data, name, "image/jpeg", LIMITS)
    assert CHINESE.search(refused.value.message), label


@pytest.mark.parametrize(("label", "name", "data"), active(), ids=[m[0] for m in active()])
def test_active_pdfs_are_accepted_only_neutralised(label: str, name: str, data: bytes) -> None:
    accepted = uploads.accept_upload(data, name, "application/pdf", LIMITS)
    stored = accepted.data
    assert accepted.removed and stored != data and stored.startswith(b"%PDF-"), label
    assert not [word for word in ACTIVE_WORDS if word in stored], label
    assert accepted.pages == 1


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [("invoice\u202egpj.pdf", "invoicegpj.pdf"), ("长" * 296 + ".pdf", "长" * 96 + ".pdf")],
    ids=["right-to-left override", "300-character name"],
)
def test_hostile_names_are_cleaned_not_kept(raw: str, cleaned: str) -> None:
    assert uploads.accept_upload(tiny_pdf(), raw, None, LIMITS).display_name == cleaned


def test_the_corpora_are_as_large_as_the_plan_asks() -> None:
    assert len(malformed()) + len(active()) >= 30 and len(valid()) >= 8


@pytest.mark.parametrize(("label", "name", "data", "media_type"), valid(), ids=[v[0] for v in valid()])
def test_the_valid_corpus_is_accepted_and_typed_by_content(
    label: str, name: str, data: bytes, media_type: str
) -> None:
    accepted = uploads.accept_upload(data, name, "application/octet-stream", LIMITS)
    assert accepted.media_type == media_type and accepted.display_name == name
    if media_type == "application/pdf":  # a clean PDF is kept byte for byte
        assert accepted.data == data and accepted.size == len(data)
    else:  # an image is re-encoded: upright, the same picture, no EXIF
        image = Image.open(io.BytesIO(accepted.data))
        assert accepted.size == len(accepted.data) and not image.getexif()
        assert image.size in (Image.open(io.BytesIO(data)).size, Image.open(io.BytesIO(data)).size[::-1])


def _file(client: Any, notice: Any, name: str, data: bytes, n: int, **headers: str) -> Any:
    form = {
        "name": "张三",
        "contact": "13900000000",
        "text": "材料存疑",
        "attachment": (io.BytesIO(data), name),
        "form_token": new_token(),
    }
    return client.post(
        f"/public/notices/{notice.public_token}/objections",
        data=form,
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250 + 1}"},
        headers=headers,
    )


def _store_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Werkzeug's test client spools a request body over 500 kB (the "limit + 1 byte" case) into a temporary
# file it never closes; the app closes its own request files.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_malformed_corpus_is_refused_by_the_objection_form_leaving_nothing_behind(
    app: Flask, session: Session, running_notice: Any, storage: LocalStorage
) -> None:
    client = app.test_client()
    files_before = _store_files(storage.root)
    rows_before = session.scalar(select(func.count(StoredFile.id)))
    objections_before = session.scalar(select(func.count(Objection.id)))
    failures = []
    for n, (label, name, data) in enumerate(malformed()):
        for htmx in (False, True):
            response = _file(
                client, running_notice, name, data, n, **({"HX-Request": "true"} if htmx else {})
            )
            if response.status_code not in (400, 413, 422) or not re.search(
                r'class="error"[^>]*>[^<]*[\u4e00-\u9fff]', response.text
            ):
                failures.append(f"{label}: {response.status_code}")
            if "Traceback" in response.text:
                failures.append(f"{label}: traceback")
    assert failures == []
    session.expire_all()
    assert _store_files(storage.root) == files_before
    assert session.scalar(select(func.count(StoredFile.id))) == rows_before
    assert session.scalar(select(func.count(Objection.id))) == objections_before


def test_the_valid_corpus_is_accepted_and_downloads_safely(
    app: Flask, session: Session, running_notice: Any, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    client = app.test_client()
    for n, (label, name, data, _) in enumerate(valid()):
        response = _file(client, running_notice, name, data, n)
        assert response.status_code == 303, (label, response.text[-500:])
    world = tenants[0].world
    staff = login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id)
    session.expire_all()
    filed = list(
        session.scalars(
            select(Objection).where(Objection.notice_id == running_notice.id).order_by(Objection.id)
        )
    )
    assert len(filed) == len(valid())
    for objection, (label, name, data, media_type) in zip(filed, valid(), strict=True):
        assert objection.attachment.sha256 != name and objection.attachment.display_name == name
        download = staff.post(f"/notices/objections/{objection.id}/attachment")
        assert download.status_code == 200, label
        if media_type == "application/pdf":
            assert download.data == data, label
        else:
            assert not Image.open(io.BytesIO(download.data)).getexif(), label
        headers = download.headers
        assert headers["Content-Type"] == media_type and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store" and "sandbox" in headers["Content-Security-Policy"]
        assert (
            headers["Content-Disposition"].startswith("attachment;")
            and "filename*=UTF-8''" in headers["Content-Disposition"]
        )
    page = staff.get(f"/notices/{running_notice.id}")
    assert "学历证书 (1).PDF" in page.text


def test_a_stored_file_whose_bytes_changed_is_reported_not_served(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], login_as: Any, storage: LocalStorage
) -> None:
    ours = tenants[0]
    key = ours.objection.attachment.sha256
    path = storage._path(key)
    tampered = bytearray(path.read_bytes())
    tampered[-1] ^= 0xFF
    path.write_bytes(bytes(tampered))
    staff = login_as(ours.world.enterprise.handler, membership_id=ours.world.enterprise.handler_membership.id)
    response = staff.post(f"/notices/objections/{ours.objection.id}/attachment")
    assert (
        response.status_code == 500 and "校验失败" in response.text and bytes(tampered) not in response.data
    )
    session.expire_all()
    failed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_file", AuditEvent.outcome == "failed")
    ).all()
    assert [e.detail["problem"] for e in failed] == ["hash_mismatch"]
    result = app.test_cli_runner().invoke(args=["verify-files"])
    assert result.exit_code == 1 and "内容被改动" in result.output


def test_the_applicant_quota_refuses_the_next_file_with_a_clear_message(
    session: Session, clock: Clock
) -> None:
    limits = UploadLimits(quota_files=3, quota_bytes=1024 * 1024)
    user = make_user(session)
    for _ in range(3):
        accepted = uploads.accept_upload(png(), "截图.png", None, limits, uploads.usage_of(session, user.id))
        session.add(StoredFile(sha256=accepted.sha256, size=accepted.size, media_type=accepted.media_type,
                               uploaded_by_id=user.id, created_at=clock.now))  # fmt: skip
        session.flush()
    with pytest.raises(UploadRefused, match="上传数量上限"):
        uploads.accept_upload(png(), "截图.png", None, limits, uploads.usage_of(session, user.id))
    other = make_user(session)
    assert uploads.accept_upload(png(), "截图.png", None, limits, uploads.usage_of(session, other.id))
    with pytest.raises(UploadRefused, match="容量上限"):
        uploads.accept_upload(png(), "截图.png", None, limits, Usage(0, 1024 * 1024 - 10))
    assert uploads.APPLICANT_LIMITS.quota_files == 40 and timedelta(0) == timedelta(0)
