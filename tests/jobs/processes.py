"""The portal's real processes for tests that need them: huey's consumer (`huey_consumer
portal.worker.huey`) and gunicorn with the checked-in gunicorn.conf.py, each a child process on this
machine with the test's database, file store and queue in its environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def portal_env(**settings: str) -> dict[str, str]:
    """This process's environment with the portal's settings replaced (nothing of the tests' own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL"))}
    env.update(settings)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Child:
    """A child process writing its output to `log`; stopped when the test ends."""

    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.started.append(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal(self, number: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, number)

    def kill(self) -> None:
        """SIGKILL: nothing finishes, nothing is flushed (a power cut, the OOM killer)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def consumer(env: dict[str, str], log: Path, *, workers: int = 2) -> Child:
    command = [str(BIN / "huey_consumer"), "portal.worker.huey", "--workers", str(workers),
               "--worker-type", "thread", "--flush-locks"]  # fmt: skip
    return Child(command, env, log)


def gunicorn(env: dict[str, str], log: Path, port: int, *, workers: int = 2) -> Child:
    env = {**env, "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_WEB_WORKERS": str(workers)}
    return Child([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "portal.wsgi:app"], env, log)


def wait_until(check: object, *, seconds: float, what: str, interval: float = 0.2) -> None:
    """Poll `check()` until it is true; fail naming `what` after `seconds` (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False
