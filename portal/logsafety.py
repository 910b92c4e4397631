"""One log line per event (T-LOG-03): control characters in logged values are escaped.

A user can put a line break, an ANSI escape or a fake JSON line into anything that reaches a log line —
a URL path (percent-decoded), a login name, a reason. Escaped when the record is made (a log-record
factory, so every handler sees the same safe text, the test's capture included), a forged line stays
visibly part of the one it was smuggled into. Tracebacks (exc_info) are formatted separately and keep
their lines.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# C0 controls except tab, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


def escape_controls(text: str) -> str:
    r"""'a\r\nb' -> 'a\\r\\nb': the characters become their escape sequences."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def install() -> None:
    """Wrap the process's log-record factory once (create_app may run many times in tests), and turn
    off the development server's colours: werkzeug wraps each request line in ANSI escapes whether or
    not it writes to a terminal, and once escaped here they showed as raw ``\x1b[`` text in `make run`'s
    log (issue 17.12)."""
    from werkzeug import serving

    serving._log_add_style = False  # type: ignore[attr-defined]
    current = logging.getLogRecordFactory()
    if getattr(current, "escapes_controls", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the handler to report as logging does
            return record
        safe = escape_controls(message)
        if safe != message:
            record.msg, record.args = safe, None
        return record

    factory.escapes_controls = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
