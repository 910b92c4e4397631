"""Files written for one download or one export are removed whatever happens to the response: read to
the end, never read (a HEAD request, a client gone before the first chunk), or the writing failing half
way through the rows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.documents.certificates import certificates_xlsx, table_xlsx
from portal.web.downloads import send_temporary_file


@pytest.fixture
def temporary_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _written(directory: Path) -> Path:
    path = directory / "export-test.xlsx"
    path.write_bytes(b"x" * 200_000)
    return path


def test_a_response_never_read_still_deletes_its_file(temporary_dir: Path) -> None:
    path = _written(temporary_dir)
    with Flask(__name__).test_request_context(method="HEAD"):
        response = send_temporary_file(path, "表.xlsx", "application/octet-stream")
    assert response.content_length == 200_000
    response.close()  # what the server does after a HEAD, or when the client leaves before the body
    assert not path.exists()


def test_a_response_read_to_the_end_deletes_its_file_and_a_kept_one_stays(temporary_dir: Path) -> None:
    path = _written(temporary_dir)
    with Flask(__name__).test_request_context():
        response = send_temporary_file(path, "表.xlsx", "application/octet-stream")
        kept = send_temporary_file(_written(temporary_dir / ".."), "包.zip", "application/zip", delete=False)
    assert b"".join(response.response) == b"x" * 200_000
    response.close()
    kept.close()
    assert not path.exists()
    assert (temporary_dir / ".." / "export-test.xlsx").exists()


def _failing_rows() -> Iterator[tuple[object, ...]]:
    yield ("张三", "某单位")
    raise RuntimeError("the page's query failed")


@pytest.mark.parametrize(
    "write",
    [
        lambda rows: table_xlsx("表", ("姓名", "单位"), rows),
        lambda rows: certificates_xlsx(rows),
    ],
    ids=["table", "certificates"],
)
def test_an_export_failing_half_way_leaves_no_file(temporary_dir: Path, write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        write(_failing_rows())
    assert list(temporary_dir.iterdir()) == []
    written = write(iter([("张三", "某单位")]))
    assert written.parent == temporary_dir and written.stat().st_size > 0
