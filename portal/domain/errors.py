"""DomainError: a rule said no. Every kind carries a short English code and a Chinese message."""

from __future__ import annotations

from portal.domain.i18n import N_


class DomainError(Exception):
    """A business rule refused an action; `.message` is shown to the user as it is."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DomainError):
    code = "permission_denied"


class NotFound(Exception):
    """Missing, or not the actor's to see: always a 404, never caught as a refusal to show in a page
    (so another tenant's id reads exactly like a missing one, whatever the handler catches). `message`, a
    msgid (N_) or a `Text` (T_), is what the 404 page says in the reader's language; none: its own words."""

    code = "not_found"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """Bad input; `.fields` maps a form field name to its Chinese message."""

    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str = N_("请修改标注的内容后再提交")) -> None:
        super().__init__(message)
        self.fields = fields


class StaleObject(DomainError):
    """A compare-and-set lost: someone else changed the object first."""

    code = "stale"

    # A msgid (N_): the web layer shows it in the reader's language, as any refusal's message.
    def __init__(self, message: str = N_("此项已被办理，请刷新后查看最新状态")) -> None:
        super().__init__(message)


class Unavailable(RuntimeError):
    """A part the request needs (the database, Redis, the file store) cannot be reached now; `setting` names
    what configures it. Not a refusal: the web layer answers it with a 503 page and an error id."""

    def __init__(self, part: str, setting: str, detail: str = "") -> None:
        super().__init__(f"{part} unreachable ({setting}): {detail}")
        self.part = part
        self.setting = setting
        self.detail = detail
