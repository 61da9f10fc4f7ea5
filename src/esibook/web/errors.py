"""One error shape everywhere: ``{"error": {"code", "message", "message_vi", "message_en"}}`` for the API and
``/healthz``; a page with the same message and code for the HTML routes. Never a stack trace, never personal data."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from esibook.errors import DomainError
from esibook.people.identifiers import mask_personal_id
from esibook.web.i18n import request_language
from esibook.web.pages import render

log = logging.getLogger("esibook.web")
_LONG_NUMBER = re.compile(r"[A-Za-z]{0,2}\d{9,}")

HTTP_MESSAGES = {
    404: ("not_found", "Không tìm thấy trang hoặc tài nguyên này.", "This page or resource does not exist."),
    405: ("method_not_allowed", "Phương thức này không được phép ở đây.", "This method is not allowed here."),
    401: ("unauthenticated", "Bạn cần đăng nhập.", "You need to log in."),
    403: ("forbidden", "Bạn không có quyền truy cập.", "You are not allowed to do this."),
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_vi: str
    message_en: str
    field: str | None = None
    details: list[dict] | None = None


class ErrorBody(BaseModel):
    """What every refusal of the API looks like (``{"error": {"code": ..., ...}}``)."""

    error: ErrorDetail


class OAuthErrorBody(BaseModel):
    """The token endpoint answers as OAuth 2.0 says (RFC 6749 §5.2): the error is a bare code."""

    error: str


def _documented(model: type[BaseModel], *statuses: tuple[int, str]) -> dict:
    return {status: {"model": model, "description": description} for status, description in statuses}


#: The refusals any operation may answer with, documented once in the OpenAPI for every operation.
ERROR_RESPONSES = _documented(
    ErrorBody,
    (400, "Refused: a rule was broken (the code says which)"),
    (401, "Not signed in, or the token is not valid"),
    (403, "Not allowed for this caller"),
    (404, "No such resource (or not one this caller may see)"),
    (405, "Method not allowed"),
    (409, "Conflicts with the current state"),
    (413, "Too large"),
    (422, "The request is not valid (fields that failed)"),
    (503, "Busy: no database connection came free in time; retry (Retry-After)"),
)
#: The refusals of ``POST /oauth/token``.
OAUTH_ERROR_RESPONSES = _documented(
    OAuthErrorBody, (400, "Unsupported grant type"), (401, "Unknown client or wrong secret")
)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/oauth/", "/log/")) or path in ("/healthz", "/openapi.json")


def error_response(
    request: Request, status: int, code: str, message_vi: str, message_en: str, extra: dict | None = None
) -> Response:
    lang = request_language(request, request.app.state.settings.default_language)
    message = message_vi if lang == "vi" else message_en
    if wants_json(request):
        body = {
            "code": code,
            "message": message,
            "message_vi": message_vi,
            "message_en": message_en,
            **(extra or {}),
        }
        return JSONResponse({"error": body}, status_code=status)
    return render(request, "error.html", {"title": str(status), "message": message, "error_code": code},
                  status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError):
        extra = {"field": error.field} if error.field else None
        return error_response(request, error.status, error.code, error.message_vi, error.message_en, extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        details = [{"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]} for e in error.errors()]
        fields = ", ".join(d["field"] for d in details) or "body"
        return error_response(
            request,
            422,
            "request.invalid",
            f"Dữ liệu gửi lên không hợp lệ: {fields}.",
            f"The request is not valid: {fields}.",
            {"details": details},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        code, vi, en = HTTP_MESSAGES.get(
            error.status_code, (f"http_{error.status_code}", str(error.detail), str(error.detail))
        )
        return error_response(request, error.status_code, code, vi, en)

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, _error: PoolTimeout):
        log.warning("no database connection free on %s %s", request.method, _masked(request.url.path))
        response = error_response(
            request,
            503,
            "service.busy",
            "Hệ thống đang quá tải; vui lòng thử lại sau ít giây.",
            "The service is busy; please try again in a few seconds.",
        )
        response.headers["retry-after"] = "1"
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unexpected error on %s %s", request.method, _masked(request.url.path))
        return error_response(
            request,
            500,
            "internal",
            "Đã có lỗi trong hệ thống; vui lòng thử lại sau.",
            "Something went wrong on our side; please try again later.",
        )


def _masked(path: str) -> str:
    """A path for the log: identifiers in it (personal ID numbers, card codes) are masked."""
    return _LONG_NUMBER.sub(lambda m: mask_personal_id(m.group(0)), path)
