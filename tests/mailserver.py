"""A real SMTP server for the tests (issue 21 point 6): aiosmtpd's Controller on a free loopback port,
keeping every message it receives, so a test reads what the portal actually sent over SMTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.jobs.processes import free_port


class Inbox:
    """What the server received: parsed messages, in order of arrival."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    # aiosmtpd calls the handler's handle_DATA with each message received.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to `address`."""
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The first http(s) link of the message's body."""
    found = re.search(r"https?://\S+", body_of(message))
    assert found, body_of(message)
    return found.group(0)


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """Start the server on a free loopback port; yields its inbox and port, stops it after."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
