"""One upload policy for every upload route (issue 16 items 4, 5 and 10).

The upload routes are not listed by hand: every GET route of the url_map is opened as every role of a
tenant (and without a login), and every form with a file field found in the pages is an upload route,
named by the endpoint its action matches. Each is sent the same hostile corpus, built here: active PDFs
(JavaScript, OpenAction, page actions, Launch, an embedded executable, rich media, XFA, an obfuscated
/J#61vaScript, a script hidden in a compressed object stream), polyglots (PDF+HTML, JPEG+ZIP,
PNG+script), a truncated JPEG, a 400-page PDF, a pixel bomb, a JPEG and a PNG carrying EXIF GPS and
device data, spreadsheets that unpack to 100 MB or carry macros, and hostile names (traversal, CON,
NUL, U+202E, markup, 300 characters).

For every route and every file: no 500 and no traceback; either a refusal with a Chinese message (a 4xx
page, or a 303 back to the page with the reason flashed, as a refused step answers: the
certificate-number import of a published meeting) that stores and imports nothing, or an accepted file
whose stored bytes carry no active PDF entry and no EXIF, whose display name carries no control or bidi
character; what staff download (watermarked) and the package ZIP's 原件 carry none either; and after every
request no file is in the store that no row refers to (no orphan, no temporary file). Files that must
never be accepted anywhere (polyglots, truncated, over the caps, hostile paths) are refused by every
route. A NUL or bidi character in an existing row's name downloads without error.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import TestResponse

from portal.models import (
    CertificateImport,
    ImportBatch,
    Material,
    Meeting,
    Notice,
    Objection,
    ResultImport,
    StoredFile,
)
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.factories import tiny_pdf
from tests.imaging import pixel_bomb, raw_pdf
from tests.security.conftest import Tenant
from tests.security.test_routes import SHARED_PARAMS, TENANT_PARAMS

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Active PDF entries, looked for in a fully decompressed copy (qpdf's QDF form), #xx escapes included.
ACTIVE = re.compile(
    rb"/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData)(?![A-Za-z0-9])"
    rb"|/J#61vaScript|/Open#41ction"
)
MARKUP = re.compile(rb"<(script|html|body|iframe|svg)\b|<\?php", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------------
# The hostile corpus
# ---------------------------------------------------------------------------------------------------


JS = b"<< /S /JavaScript /JS (app.alert(document.cookie)) >>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 8


def hidden_script_pdf() -> bytes:
    """An OpenAction script inside a compressed object stream: its bytes never show "/JavaScript"."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = out.getvalue()
    assert b"/JavaScript" not in data  # the control: only a parser that reads object streams sees it
    return data


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate to view
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model 12 Pro"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (25.0, 51.0, 12.0), 3: "E", 4: (114.0, 56.0, 3.0)})
    return exif


def jpeg(size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, "JPEG", **({"exif": exif.tobytes()} if exif else {}))
    return out.getvalue()


def png(exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 120, 200, 160)).save(
        out, "PNG", **({"exif": exif.tobytes()} if exif else {})
    )
    return out.getvalue()


def zip_of(members: dict[str, bytes | int]) -> bytes:
    """A ZIP; an int member is that many zero bytes, written in chunks (a bomb never sits in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, int):
                with archive.open(name, "w", force_zip64=True) as member:
                    for _ in range(content // (1 << 20)):
                        member.write(bytes(1 << 20))
            else:
                archive.writestr(name, content)
    return out.getvalue()


XLSX_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@dataclass(frozen=True)
class Sample:
    label: str
    name: str
    data: bytes
    always_refused: bool = False  # no route may accept it


def corpus() -> list[Sample]:
    good = tiny_pdf()
    photo = jpeg()
    return [
        # Active PDFs: refused or accepted only neutralised.
        Sample(
            "pdf javascript",
            "js.pdf",
            raw_pdf(b"/Names << /JavaScript 4 0 R >>", b"", b"<< /Names [(a) 5 0 R] >>", JS),
        ),
        Sample("pdf openaction script", "open.pdf", raw_pdf(b"/OpenAction 4 0 R", b"", JS)),
        Sample("pdf page action", "aa.pdf", raw_pdf(b"", b"/AA << /O 4 0 R >>", JS)),
        Sample(
            "pdf launch", "launch.pdf", raw_pdf(b"/OpenAction 4 0 R", b"", b"<< /S /Launch /F (cmd.exe) >>")
        ),
        Sample(
            "pdf embedded executable",
            "embed.pdf",
            raw_pdf(
                b"/Names << /EmbeddedFiles << /Names [(setup.exe) 4 0 R] >> >>",
                b"",
                b"<< /Type /Filespec /F (setup.exe) /EF << /F 5 0 R >> >>",
                b"<< /Type /EmbeddedFile /Length 16 >>\nstream\n" + EXE + b"\nendstream",
            ),
        ),
        Sample(
            "pdf rich media",
            "media.pdf",
            raw_pdf(b"", b"/Annots [4 0 R]", b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"),
        ),
        Sample(
            "pdf xfa form",
            "xfa.pdf",
            raw_pdf(b"/AcroForm << /Fields [] /XFA [(template) 4 0 R] >>", b"", b"<< >>"),
        ),
        Sample(
            "pdf obfuscated name",
            "j61.pdf",
            raw_pdf(b"/OpenAction 4 0 R", b"", b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        ),
        Sample("pdf script in an object stream", "objstm.pdf", hidden_script_pdf()),
        Sample(
            "pdf+html polyglot (comment)",
            "poly.pdf",
            raw_pdf(preamble=b"%<html><body><script>alert(document.cookie)</script></body></html>\n"),
        ),
        # Polyglots, broken files and caps: never accepted.
        Sample(
            "pdf+html polyglot (appended)", "tail.pdf", good + b"<html><script>alert(1)</script></html>", True
        ),
        Sample("jpeg+zip polyglot", "photo.jpg", photo + zip_of({"payload.js": b"alert(1)"}), True),
        Sample("png+script polyglot", "seal.png", png() + b"<script>alert(1)</script>", True),
        Sample("truncated jpeg", "half.jpg", jpeg((640, 480))[:1500], True),
        Sample("400-page pdf", "long.pdf", tiny_pdf(pages=400), True),
        Sample("pixel bomb", "bomb.png", pixel_bomb(), True),
        Sample(
            "xlsx zip bomb", "bomb.xlsx", zip_of({**XLSX_PARTS, "xl/worksheets/sheet1.xml": 101 << 20}), True
        ),
        Sample("xlsx with macros", "macro.xlsx", zip_of({**XLSX_PARTS, "xl/vbaProject.bin": EXE}), True),
        # Metadata: accepted only without it.
        Sample("jpeg with exif gps", "IMG_0001.jpg", jpeg((64, 48), gps_exif())),
        Sample("png with exif gps", "公章.png", png(gps_exif())),
        # Hostile names on good files.
        Sample("path traversal", "../../etc/passwd.pdf", good, True),
        Sample("windows traversal", "..\\..\\boot.pdf", good, True),
        Sample("device name", "CON.pdf", good, True),
        Sample("executable inside the name, NUL", "x.php\x00.pdf", good, True),
        Sample("NUL in a name", "学历\x00证书.pdf", good),
        Sample("right-to-left override", "合同\u202efdp.pdf", good),
        Sample("markup in a name", '<img src=x onerror="alert(1)">.pdf', good),
        Sample("300-character name", "长" * 300 + ".pdf", good),
        Sample("NUL in an image name", "照片\x00.jpg", photo),
    ]


def test_the_corpus_is_what_it_claims() -> None:
    """Controls: the metadata samples do carry GPS and device data, the bomb does unpack to 100 MB."""
    for sample in corpus():
        if sample.label.endswith("exif gps"):
            exif = Image.open(io.BytesIO(sample.data)).getexif()
            assert exif.get_ifd(0x8825)[2] == (25.0, 51.0, 12.0) and exif[0x010F] == "PhoneMaker"
        if sample.label == "xlsx zip bomb":
            with zipfile.ZipFile(io.BytesIO(sample.data)) as archive:
                assert sum(m.file_size for m in archive.infolist()) > 100 << 20 and len(sample.data) < 1 << 20
    assert len(corpus()) >= 25


# ---------------------------------------------------------------------------------------------------
# Finding the upload routes
# ---------------------------------------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION = re.compile(r'\baction="([^"]*)"')
FILE_INPUT = re.compile(r'<input\b[^>]*\btype="file"[^>]*>')
NAME = re.compile(r'\bname="([^"]*)"')


@dataclass(frozen=True)
class UploadForm:
    endpoint: str
    url: str
    field: str
    role: str


def upload_forms(
    app: Flask, pages: dict[str, FlaskClient], tenant: Tenant, token: str
) -> dict[str, UploadForm]:
    """Every form with a file field on every GET page any of `pages`' roles can open, by endpoint."""
    table = {**TENANT_PARAMS, **SHARED_PARAMS, "token": lambda t: [token]}
    adapter = app.url_map.bind("localhost")
    found: dict[str, UploadForm] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        url = adapter.build(rule.endpoint, {name: table[name](tenant)[0] for name in rule.arguments})
        for role, client in pages.items():
            response = client.get(url)
            if response.status_code != 200 or not response.content_type.startswith("text/html"):
                continue
            for attributes, body in FORM.findall(response.text):
                file_input = FILE_INPUT.search(body)
                action = ACTION.search(attributes)
                if file_input is None or action is None:
                    continue
                target = urlsplit(html.unescape(action.group(1)))
                try:
                    endpoint, _ = adapter.match(target.path, method="POST")
                except (NotFound, MethodNotAllowed):
                    pytest.fail(f"{url}: an upload form posts to {target.path}, which no POST route matches")
                field_name = NAME.search(file_input.group(0))
                assert field_name, f"{url}: a file input without a name"
                found.setdefault(
                    endpoint, UploadForm(endpoint, html.unescape(action.group(1)), field_name.group(1), role)
                )
    return found


# What each upload form needs besides its file, to get past its own checks to the file (a new upload
# route fails test_every_upload_route_is_driven until it is added here).
EXTRA_FIELDS: dict[str, dict[str, str]] = {
    "applicant.upload_material": {"slot": "other", "kind": "original"},
    "public.file_objection": {"name": "张三", "contact": "13900000000", "text": "材料存疑"},
    "enterprise.upload_seal": {},
    "enterprise.create_import": {},
    "enterprise.upload_roster": {},
    "admin.import_calendar": {},
    "handoffs.upload_results": {},
    # 证书编号导入: the bureau's staff, on a meeting whose results are published (the published_meeting
    # fixture); a refusal there is a 303 back to the meeting page with the reason flashed.
    "committees.check_certificate_numbers": {},
}


# ---------------------------------------------------------------------------------------------------
# Checking what was stored and what is served
# ---------------------------------------------------------------------------------------------------


def expanded_pdf(data: bytes) -> bytes:
    """The PDF with every object stream unpacked and every stream decompressed (qpdf's QDF form)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return out.getvalue()


def problems_in(data: bytes, media_type: str, where: str) -> list[str]:
    found = []
    if media_type == "application/pdf" or data.startswith(b"%PDF-"):
        active = sorted({m.group(0).decode() for m in ACTIVE.finditer(expanded_pdf(data))})
        if active:
            found.append(f"{where}: active PDF content {active}")
        if MARKUP.search(data):
            found.append(f"{where}: markup")
    elif media_type.startswith("image/"):
        image = Image.open(io.BytesIO(data))
        if image.getexif() or b"Exif\x00\x00" in data or b"eXIf" in data or b"PhoneMaker" in data:
            found.append(f"{where}: EXIF kept")
        if MARKUP.search(data) or b"PK\x05\x06" in data:
            found.append(f"{where}: polyglot bytes kept")
    return found


def store_problems(session: Session, storage: LocalStorage) -> list[str]:
    """Files in the store that no row refers to (orphans), and temporary files left behind."""
    session.expire_all()
    keys = set(session.scalars(select(StoredFile.sha256)))
    on_disk = [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []
    return [f"orphan or temporary file {p.name}" for p in on_disk if p.name not in keys]


def invisible(name: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)


FLASH_ERROR = re.compile(r'<p class="flash flash-error"[^>]*>(.*?)</p>', re.S)


def flashed_refusal(client: FlaskClient, response: TestResponse) -> str | None:
    """The reason a step refused with a 303 back to its page flashed there (web/steps.refused), read on
    the page the redirect leads to; None when that page flashes no error (an accepted upload)."""
    location = urlsplit(response.headers["Location"])
    page = client.get(location.path, query_string=location.query)
    reasons = [html.unescape(r).strip() for r in FLASH_ERROR.findall(page.get_data(as_text=True))]
    return " ".join(reasons) or None


def kept_rows(session: Session, since: int) -> list[str]:
    """What an upload left in the database: stored files after `since`, and the imports that name a
    kept file (a certificate sheet, a results sheet, an account import)."""
    session.expire_all()
    found = [f"stored file {row.display_name!r}" for row in session.scalars(
        select(StoredFile).where(StoredFile.id > since))]  # fmt: skip
    for model in (CertificateImport, ResultImport, ImportBatch):
        found += [f"{model.__tablename__} row" for _ in session.scalars(
            select(model.id).where(model.file_id > since))]  # fmt: skip
    return found


def refused_in_chinese(response: TestResponse) -> bool:
    if response.status_code not in (400, 413, 422):
        return False
    text = response.get_data(as_text=True)
    errors = re.findall(r'class="[^"]*\berror\b[^"]*"[^>]*>(.*?)</', text, re.S)
    return any(CHINESE.search(error) for error in errors)


@pytest.fixture
def discovered(
    app: Flask,
    tenants: tuple[Tenant, Tenant],
    clients: Any,
    running_notice: Notice,
    published_meeting: Meeting,
) -> tuple[dict[str, UploadForm], dict[str, FlaskClient]]:
    browsers = {"anonymous": app.test_client(), **clients(tenants[0])}
    return upload_forms(app, browsers, tenants[0], running_notice.public_token), browsers


def test_every_upload_route_is_driven(
    discovered: tuple[dict[str, UploadForm], dict[str, FlaskClient]],
) -> None:
    forms, _ = discovered
    assert set(forms) == set(EXTRA_FIELDS), (
        "the upload forms found in the pages and the ones this test drives differ: add the new route's "
        f"fields to EXTRA_FIELDS. Found {sorted(forms)}"
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_upload_route_refuses_or_neutralises_the_hostile_corpus(
    app: Flask,
    session: Session,
    storage: LocalStorage,
    tenants: tuple[Tenant, Tenant],
    discovered: tuple[dict[str, UploadForm], dict[str, FlaskClient]],
    login_as: Any,
) -> None:
    forms, browsers = discovered
    ours = tenants[0]
    failures: list[str] = []
    accepted: dict[str, list[str]] = {endpoint: [] for endpoint in forms}
    refusals: dict[str, dict[str, str]] = {endpoint: {} for endpoint in forms}  # flashed after a 303
    samples = corpus()
    first = session.scalar(select(func.max(StoredFile.id))) or 0  # the fixtures' files are not ours to check
    for endpoint, form in sorted(forms.items()):
        client = browsers[form.role]
        for n, sample in enumerate(samples):
            before = session.scalar(select(func.max(StoredFile.id))) or 0
            # A fresh one-time form token per post (portal/web/once.py), as each rendered form carries.
            data = {
                **EXTRA_FIELDS[endpoint],
                "form_token": new_token(),
                form.field: (io.BytesIO(sample.data), sample.name),
            }
            response = client.post(
                form.url,
                data=data,
                content_type="multipart/form-data",
                environ_base={
                    "REMOTE_ADDR": f"10.77.{n // 200}.{n % 200 + 1}"
                },  # the objection cap is per IP
            )
            where = f"{endpoint} ← {sample.label}"
            text = response.get_data(as_text=True)
            if response.status_code >= 500 or "Traceback" in text:
                failures.append(f"{where}: {response.status_code}")
            failures += [f"{where}: {p}" for p in store_problems(session, storage)]
            redirected = response.status_code in (302, 303)
            reason = flashed_refusal(client, response) if redirected else None
            if reason is not None:  # refused as a step: back to its page, the reason flashed there
                refusals[endpoint][sample.label] = reason
                if not CHINESE.search(reason):
                    failures.append(f"{where}: refused without a Chinese reason: {reason!r}")
                failures += [f"{where}: refused, yet kept {kept}" for kept in kept_rows(session, before)]
            elif redirected:
                accepted[endpoint].append(sample.label)
                if sample.always_refused:
                    failures.append(f"{where}: accepted")
                for row in session.scalars(select(StoredFile).where(StoredFile.id > before)):
                    if invisible(row.display_name) or "/" in row.display_name or "\\" in row.display_name:
                        failures.append(f"{where}: stored name {row.display_name!r}")
                    failures += problems_in(storage.get(row.sha256), row.media_type, f"{where} (stored)")
            elif not refused_in_chinese(response):
                failures.append(f"{where}: neither accepted nor refused in Chinese ({response.status_code})")
            else:
                failures += [f"{where}: refused, yet kept {kept}" for kept in kept_rows(session, before)]
    assert failures == [], "\n".join(failures)
    # The certificate-number import reads a sheet of numbers: no file of the corpus is one. Each is
    # refused on the meeting's page with what is wrong with it, nothing kept (checked above).
    numbers = refusals["committees.check_certificate_numbers"]
    assert accepted["committees.check_certificate_numbers"] == [] and len(numbers) == len(samples)
    assert "请上传 Excel 文件（.xlsx）或 CSV 文件" in numbers["pdf javascript"]
    assert "解压后过大" in numbers["xlsx zip bomb"] and "含有宏" in numbers["xlsx with macros"]
    assert "文件名不能包含路径" in numbers["path traversal"] and "保留名称" in numbers["device name"]
    # Control: a sheet it can read is accepted there (on to its preview, no error flashed), so the
    # refusals above are the files', not the route's.
    form = forms["committees.check_certificate_numbers"]
    sheet = "姓名,身份证号,证书编号\n张三,110101199003074518,JS2026-0000101\n".encode()
    data = {"form_token": new_token(), form.field: (io.BytesIO(sheet), "证书编号.csv")}
    response = browsers[form.role].post(form.url, data=data, content_type="multipart/form-data")
    assert response.status_code == 303 and "/certificates/" in response.headers["Location"]
    assert flashed_refusal(browsers[form.role], response) is None
    # Controls: the document routes did accept the files they should (else the checks above saw nothing).
    for endpoint in ("applicant.upload_material", "public.file_objection"):
        assert {"jpeg with exif gps", "pdf openaction script", "NUL in a name"} <= set(accepted[endpoint]), (
            endpoint
        )
    assert "png with exif gps" in accepted["enterprise.upload_seal"]

    # What staff download and what the package ZIP carries.
    handler = login_as(
        ours.world.enterprise.handler, membership_id=ours.world.enterprise.handler_membership.id
    )
    served: list[str] = []
    uploaded = select(Material).where(Material.application_id == ours.draft.id, Material.file_id > first)
    for material in session.scalars(uploaded):
        url = f"/files/applications/{ours.draft.id}/materials/{material.id}?download=1"
        download = handler.get(url)
        assert download.status_code == 200, url
        failures += problems_in(
            download.data, download.content_type, f"staff download of {material.file.display_name!r}"
        )
        assert not invisible(download.headers["Content-Disposition"])
        served.append(url)
    objections = session.scalars(select(Objection).where(Objection.attachment_id > first)).all()
    for objection in objections:
        download = handler.post(f"/notices/objections/{objection.id}/attachment")  # a recorded read
        assert download.status_code == 200
        failures += problems_in(download.data, download.content_type, f"objection attachment {objection.id}")
        assert not invisible(download.headers["Content-Disposition"])
    # The package holds the corpus's uploads: the factory's placeholder files live in another store.
    for material in session.scalars(select(Material).where(Material.application_id == ours.draft.id)):
        if not storage.exists(material.file.sha256):
            material.removed_at, material.removed_by_id = material.uploaded_at, material.uploaded_by_id
    session.flush()
    package = handler.post(f"/packages/applications/{ours.draft.id}/package.zip")  # a recorded read
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        originals = [name for name in archive.namelist() if name.startswith("原件/")]
        for name in originals:
            kind = "application/pdf" if name.endswith(".pdf") else "image/"
            failures += problems_in(archive.read(name), kind, f"package ZIP {name}")
    assert failures == [], "\n".join(failures)
    assert len(served) > 8 and len(objections) > 8 and len(originals) > 8


def test_odd_names_of_existing_rows_download_without_error(
    app: Flask, session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    """Rows stored before names were cleaned: a NUL (SQLite keeps one; PostgreSQL never stored it), a
    right-to-left override, markup and a quote in the name still download, with a clean header."""
    ours = tenants[0]
    names = ["合同\u202efdp.pdf", '"><script>alert(1)</script>.pdf', "a\r\nSet-Cookie: x=1.pdf"]
    if session.get_bind().dialect.name == "sqlite":
        names.append("x.php\x00.pdf")
    handler = login_as(
        ours.world.enterprise.handler, membership_id=ours.world.enterprise.handler_membership.id
    )
    applicant = login_as(ours.draft.applicant)
    material = ours.material
    for name in names:
        material.file.display_name = name
        ours.objection.attachment.display_name = name
        session.flush()
        for client, method, url in (
            (handler, "GET", f"/files/applications/{ours.draft.id}/materials/{material.id}"),
            (applicant, "GET", f"/files/applications/{ours.draft.id}/materials/{material.id}?download=1"),
            (handler, "POST", f"/notices/objections/{ours.objection.id}/attachment"),  # a recorded read
        ):
            response = client.open(url, method=method)
            header = response.headers.get("Content-Disposition", "")
            assert response.status_code == 200, (name, url)
            # No header injected by the name (the session cookie may be re-signed: the idle clock).
            cookies = " ".join(response.headers.getlist("Set-Cookie"))
            assert header and not invisible(header) and "x=1" not in cookies, (name, header)
            assert 'filename="' in header and "filename*=UTF-8''" in header


def test_a_nul_in_an_upload_name_is_removed_and_leaves_no_orphan(
    app: Flask, session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    """Item 10: on PostgreSQL a NUL in the name used to fail the row's flush after the file was stored."""
    ours = tenants[0]
    applicant = login_as(ours.draft.applicant)
    response = applicant.post(
        f"/me/applications/{ours.draft.id}/materials",
        data={
            "slot": "other",
            "kind": "original",
            "form_token": new_token(),
            "files": (io.BytesIO(jpeg()), "身份证\x00正面.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    session.expire_all()
    names = set(session.scalars(select(StoredFile.display_name)))
    assert "身份证正面.jpg" in names and not any("\x00" in name for name in names)
    assert store_problems(session, storage) == []


def test_the_page_cap_and_the_pixel_cap_are_settings(
    app: Flask, session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    ours = tenants[0]
    applicant = login_as(ours.draft.applicant)
    url = f"/me/applications/{ours.draft.id}/materials"

    def post(data: bytes, name: str) -> TestResponse:
        form = {"slot": "other", "kind": "original", "form_token": new_token()}
        form["files"] = (io.BytesIO(data), name)
        return applicant.post(url, data=form, content_type="multipart/form-data")

    saved = app.config["PORTAL_MAX_PDF_PAGES"], app.config["PORTAL_MAX_IMAGE_PIXELS"]
    try:
        app.config["PORTAL_MAX_PDF_PAGES"], app.config["PORTAL_MAX_IMAGE_PIXELS"] = 3, 1000
        assert "页数过多（4页，不超过3页）" in post(tiny_pdf(pages=4), "a.pdf").get_data(as_text=True)
        assert "图片像素过大（64×48）" in post(jpeg(), "b.jpg").get_data(as_text=True)
        assert post(tiny_pdf(pages=3), "c.pdf").status_code == 303
    finally:
        app.config["PORTAL_MAX_PDF_PAGES"], app.config["PORTAL_MAX_IMAGE_PIXELS"] = saved
    assert post(tiny_pdf(pages=300), "d.pdf").status_code == 303 and saved == (300, 40_000_000)


def test_the_upload_says_what_was_removed(
    app: Flask, session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    ours = tenants[0]
    applicant = login_as(ours.draft.applicant)
    sample = next(s for s in corpus() if s.label == "pdf openaction script")
    response = applicant.post(
        f"/me/applications/{ours.draft.id}/materials",
        data={
            "slot": "other",
            "kind": "original",
            "form_token": new_token(),
            "files": (io.BytesIO(sample.data), sample.name),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200 and "已清除其中的自动或启动动作、脚本" in response.text
