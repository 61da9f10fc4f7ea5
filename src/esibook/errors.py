"""Domain errors: a machine-readable code plus a message in Vietnamese and English.

Every rejection of bad input raises a subclass of :class:`DomainError`. The API turns it into a 4xx JSON body
(``{"error": {"code": ..., "message": ..., "message_vi": ..., "message_en": ...}}``); the CLI prints one line and
exits non-zero.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken by the caller's input. ``status`` is the HTTP status the API answers with."""

    status: int = 400

    def __init__(self, code: str, message_en: str, message_vi: str | None = None, *, field: str | None = None):
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_vi = message_vi or message_en
        self.field = field

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def as_dict(self, lang: str = "vi") -> dict:
        body = {
            "code": self.code,
            "message": self.message(lang),
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
        if self.field:
            body["field"] = self.field
        return body


class InvalidIdentifier(DomainError):
    """An identifier (personal ID number, HI card code, unit code, tax code, month) is malformed."""

    status = 422


class InvalidText(DomainError):
    """Text that no column can hold (a NUL character)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request no longer matches what it was made from (a preview overtaken, a file changed)."""

    status = 409


class TooLarge(DomainError):
    status = 413
