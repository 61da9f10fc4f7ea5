"""Access refusals, each with a code and a message in Vietnamese and English."""

from __future__ import annotations

from esibook.errors import DomainError, NotFound


class Unauthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


def login_required() -> Unauthenticated:
    return Unauthenticated(
        "access.login_required",
        "You need to log in with VNeID.",
        "Bạn cần đăng nhập bằng tài khoản định danh điện tử VNeID.",
    )


def person_not_found() -> NotFound:
    """The same answer whether the person does not exist or is outside the caller's reach: nothing leaks."""
    return NotFound(
        "person.not_found",
        "No person with this identifier is within your reach.",
        "Không có người nào với mã này trong phạm vi của bạn.",
    )


def forbidden(code: str, message_en: str, message_vi: str) -> Forbidden:
    return Forbidden(code, message_en, message_vi)
