"""Owner-only files for what holds people's data or the keys to it (issue 16.14).

The SQLite database and its `-wal`/`-shm` files hold full ID numbers and password hashes; the instance
secret key signs every session; a backup holds all of it at once. Created with the process umask they
were 0644: readable by every local account. Here they are created 0600 in directories made 0700, from the
first byte (`os.open` with the mode, never a chmod after a write), and `startup_problems` checks them when
the app starts.

SQLite creates `-wal`, `-shm` and `-journal` with the database file's own permission bits, so creating the
database file 0600 before SQLite opens it is enough for all of them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """`path` and any missing parents created 0700 (existing directories are left as they are)."""
    missing = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for directory in reversed(missing):
        directory.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        directory.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask; 0700 survives any umask
    return path


def create_private(path: Path) -> None:
    """An empty file 0600 if none exists yet (an existing file is left to the start-up check)."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(descriptor)


def write_private(path: Path, data: bytes | str) -> None:
    """A new file 0600 with `data` (refuses to overwrite: a file that exists keeps whatever mode it has)."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)


def create_once(path: Path, data: str) -> None:
    """`path` 0600 with `data`, unless it exists: written aside and linked into place, so a concurrent
    reader sees either no file or the whole of it, and of two writers the first one wins."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    write_private(aside, data)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
    finally:
        aside.unlink()


def copy_private(source: Path, destination: Path) -> None:
    """A copy 0600 of `source` (its modification time kept, never its permission bits)."""
    private_dir(destination.parent)
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
    info = source.stat()
    os.utime(destination, ns=(info.st_atime_ns, info.st_mtime_ns))


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return Path(url.database).resolve()


@dataclass(frozen=True)
class LooseMode:
    path: Path
    mode: int
    wanted: int

    def describe(self) -> str:
        wanted = f"{self.wanted:04o}"
        return f"{self.path}（权限 {self.mode:04o}，应为 {wanted}：chmod {wanted} {self.path}）"


def sensitive_paths(database_url: str, secret_key_file: Path | None) -> list[tuple[Path, int]]:
    """The existing files that must be owner-only, each with its mode: the SQLite database and its
    `-wal`/`-shm`/`-journal`, and the instance secret key when one is kept in a file."""
    wanted: list[Path] = [] if secret_key_file is None else [secret_key_file]
    database = sqlite_path(database_url)
    if database is not None:
        wanted += [database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)]
    return [(path, PRIVATE_FILE) for path in wanted if path.exists()]


def loose_modes(paths: list[tuple[Path, int]]) -> list[LooseMode]:
    """Those of `paths` that give anything to the group or to others."""
    found = []
    for path, wanted in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            found.append(LooseMode(path, mode, wanted))
    return found


def tighten(loose: list[LooseMode]) -> list[LooseMode]:
    """chmod each to its wanted mode; returns those it could not change (e.g. owned by someone else)."""
    failed = []
    for item in loose:
        try:
            item.path.chmod(item.wanted)
        except OSError:
            failed.append(item)
    return failed
