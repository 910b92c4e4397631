"""Backups and restores: the database (SQLite's online backup API, or pg_dump from one exported snapshot)
plus the file store, with a manifest of SHA-256s and row counts (等保 数据备份恢复, T-BAK-01/02).

Order matters: the database first, the files after it. Stored files are content-addressed and never
deleted while a row refers to them (the sweeper only removes files no row refers to, after an hour),
so every file the database snapshot refers to is still there when the files are copied.
A restore goes into a fresh instance only (an empty database and file store), checks every hash before
it writes anything, and compares every table's row count with the manifest afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

# subprocess runs only pg_dump/pg_restore, with an argument list, never a shell.
import subprocess  # nosec B404
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from portal import filemodes
from portal.models import Base

FORMAT = 1
MANIFEST = "manifest.json"
_KEY_LENGTH = 64


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Chinese, for the operator."""


@dataclass(frozen=True)
class Report:
    path: Path
    row_counts: dict[str, int]
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables() -> list[str]:
    return [table.name for table in Base.metadata.sorted_tables]


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = engine.url
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return args, env


def _store_files(storage_dir: Path) -> list[Path]:
    if not storage_dir.exists():
        return []
    return sorted(
        p for p in storage_dir.rglob("*") if p.is_file() and len(p.name) == _KEY_LENGTH and "." not in p.name
    )


def backup(engine: Engine, storage_dir: Path, dest: Path, now: datetime) -> Report:
    """A new directory under `dest` with the database, the files and manifest.json: every directory it
    creates 0700 and every file 0600 (they hold ID numbers and password hashes)."""
    target = dest / f"portal-backup-{now:%Y%m%dT%H%M%S%fZ}"
    filemodes.private_dir(dest)
    target.mkdir(mode=filemodes.PRIVATE_DIR)
    target.chmod(filemodes.PRIVATE_DIR)
    if engine.dialect.name == "sqlite":
        db_file, counts = "database.sqlite3", _backup_sqlite(engine, target / "database.sqlite3")
    elif engine.dialect.name == "postgresql":
        db_file, counts = "database.pgdump", _backup_postgres(engine, target / "database.pgdump")
    else:
        raise BackupError(f"不支持的数据库：{engine.dialect.name}")
    files: dict[str, str] = {}
    broken: list[str] = []
    for source in _store_files(storage_dir):
        relative = source.relative_to(storage_dir).as_posix()
        copy = target / "files" / relative
        filemodes.copy_private(source, copy)
        files[relative] = _sha256(copy)
        if files[relative] != source.name:
            broken.append(relative)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "engine": engine.dialect.name,
        "database": {"file": db_file, "sha256": _sha256(target / db_file), "row_counts": counts},
        "files": files,
        "corrupted_in_store": broken,  # copied as found; `flask verify-files` names their owners
    }
    filemodes.write_private(
        target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    )
    return Report(target, counts, len(files))


def _backup_sqlite(engine: Engine, path: Path) -> dict[str, int]:
    filemodes.create_private(path)
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(path)
        raw.driver_connection.backup(copy)  # one step: a consistent snapshot, WAL included
        counts = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables()}  # nosec B608
        copy.close()
    finally:
        raw.close()
    return counts


def _backup_postgres(engine: Engine, path: Path) -> dict[str, int]:
    args, env = _pg_args(engine)
    filemodes.create_private(path)  # pg_dump truncates and writes it, keeping the mode
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            counts = {
                t: int(connection.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0)  # nosec B608
                for t in _tables()
            }
            # pg_dump reads the very snapshot the counts came from, while this transaction holds it.
            result = subprocess.run(  # nosec B603 B607
                [
                    "pg_dump",
                    *args,
                    "-Fc",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(path),
                    engine.url.database or "",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                umask=0o077,  # anything else it creates is owner-only too
            )
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    return counts


def read_manifest(source: Path) -> dict:  # type: ignore[type-arg]
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"备份目录中没有可读的 {MANIFEST}：{error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不符")
    return manifest  # type: ignore[no-any-return]


def check(source: Path) -> dict:  # type: ignore[type-arg]
    """Every hash in the manifest matches the backup's bytes; returns the manifest."""
    manifest = read_manifest(source)
    database = manifest["database"]
    if _sha256(source / database["file"]) != database["sha256"]:
        raise BackupError(f"数据库备份文件 {database['file']} 的校验值不符，备份已损坏")
    for relative, digest in manifest["files"].items():
        path = source / "files" / relative
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"备份中的文件 {relative} 缺失或校验值不符，备份已损坏")
    return manifest


def restore(source: Path, engine: Engine, storage_dir: Path) -> Report:
    """Into a fresh instance: an empty database and file store. Checks every hash first, then the row
    count of every table afterwards."""
    manifest = check(source)
    if manifest["engine"] != engine.dialect.name:
        raise BackupError(f"备份来自 {manifest['engine']}，不能恢复到 {engine.dialect.name}")
    if inspect(engine).get_table_names():
        raise BackupError("目标数据库不是空的：请恢复到新建的空数据库")
    if storage_dir.exists() and any(storage_dir.iterdir()):
        raise BackupError(f"目标文件目录 {storage_dir} 不是空的：请恢复到新的空目录")
    database = source / manifest["database"]["file"]
    if engine.dialect.name == "sqlite":
        engine.dispose()
        backup_db = sqlite3.connect(database)
        restored = filemodes.sqlite_path(str(engine.url))
        if restored is not None:
            filemodes.create_private(restored)
        target = sqlite3.connect(make_url(str(engine.url)).database or "")
        backup_db.backup(target)
        target.close()
        backup_db.close()
    else:
        args, env = _pg_args(engine)
        result = subprocess.run(  # nosec B603 B607
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--no-privileges",
                "-d",
                engine.url.database or "",
                str(database),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
    for relative in manifest["files"]:
        filemodes.copy_private(source / "files" / relative, storage_dir / relative)
    counts = row_counts(engine)
    expected = manifest["database"]["row_counts"]
    wrong = {t: (counts.get(t), n) for t, n in expected.items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后的行数与备份清单不符：{wrong}")
    return Report(storage_dir, counts, len(manifest["files"]))


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t: int(connection.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0)  # nosec B608
            for t in _tables()
        }
