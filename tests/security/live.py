"""The real server for tests that need one: `flask --app app run` (werkzeug, threaded; gunicorn is not a
dependency) as a child process on a loopback port, and people using it over HTTP like a browser."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from portal.domain.workflow import Action
from portal.services.submissions import new_token
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """`flask --app app run` as a child process with the test's database and file store."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = _free_port()
        command = [sys.executable, "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
                   "--port", str(self.port), "--no-reload", "--no-debugger", "--with-threads"]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("the server did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL: no request finishes, no handler runs, nothing is flushed."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def resident_kb(self) -> int:
        """The server process's resident size now (VmRSS), in KB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS in /proc")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Person:
    """One browser: a requests session logged in over HTTP, sending htmx requests like the queue page."""

    def __init__(self, server: Server, phone: str, landing: str = "/inbox") -> None:
        self.server = server
        self.http = requests.Session()
        page = self.http.get(f"{server.url}/login", timeout=10)
        answer = self.http.post(
            f"{server.url}/login",
            data={"csrf_token": _csrf(page.text), "login": phone, "password": PASSWORD},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303, answer.text[:500]
        # The session is new after login, and so is the CSRF token bound to it.
        self.csrf = _csrf(self.http.get(f"{server.url}{landing}", timeout=10).text)

    def act(self, application_id: int, action: Action) -> int:
        response = self.http.post(
            f"{self.server.url}/review/applications/{application_id}/act",
            data={"csrf_token": self.csrf, "action": action.value},
            headers={"HX-Request": "true"},
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code

    def upload_roster(self, data: bytes, name: str) -> int:
        response = self.http.post(
            f"{self.server.url}/enterprise/roster",
            data={"csrf_token": self.csrf, "form_token": new_token()},
            files={"file": (name, data, "text/csv")},
            allow_redirects=False,
            timeout=60,
        )
        return response.status_code


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)
