"""Rate limits (giới hạn tần suất) on the doors a guesser knocks at: the OAuth token endpoint, sign-in, opening
share links, the public SI-code lookup, and refused payment notifications. Counted by the ``limits`` library
(moving window) in the storage ``rate_limit_storage`` names (shared by the processes of one machine when several
serve: :mod:`esibook.web.ratelimit_file`); over the limit the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import cached_property

from fastapi import FastAPI, Request
from limits import RateLimitItem, parse, storage, strategies

from esibook.config import Settings
from esibook.errors import DomainError
from esibook.web import ratelimit_file  # noqa: F401 - registers the sqlite-file:// storage
from esibook.web.errors import error_response

#: Rule name → the Settings field holding its limit.
RULES = {
    "token_client": "rate_limit_token_client",
    "token_ip": "rate_limit_token_ip",
    "login_ip": "rate_limit_login_ip",
    "share_token": "rate_limit_share_token",
    "share_ip": "rate_limit_share_ip",
    "si_code_ip": "rate_limit_si_code_ip",
    "si_code_person": "rate_limit_si_code_person",
    "payment_refused_ip": "rate_limit_payment_refused_ip",
}


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            "rate.limited",
            f"Too many attempts; try again in {retry_after} seconds.",
            f"Quá nhiều lần thử; vui lòng thử lại sau {retry_after} giây.",
        )
        self.retry_after = retry_after


class RateLimits:
    """The limits of one application, from its settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.items: dict[str, RateLimitItem | None] = {
            rule: parse(getattr(settings, field)) if getattr(settings, field) else None
            for rule, field in RULES.items()
        }

    @cached_property
    def limiter(self) -> strategies.MovingWindowRateLimiter:
        where = self.settings.resolved_rate_limit_storage()
        return strategies.MovingWindowRateLimiter(storage.storage_from_string(where))

    def hit(self, rule: str, *key: str) -> None:
        """Count one request of ``key`` under ``rule``; raises :class:`RateLimited` past the limit."""
        item = self.items[rule]
        if item is None:
            return
        if not self.limiter.hit(item, rule, *key):
            reset_at = self.limiter.get_window_stats(item, rule, *key).reset_time
            raise RateLimited(max(1, math.ceil(reset_at - time.time())))


def client_address(request: Request) -> str:
    """The caller's address (behind a reverse proxy, run uvicorn with ``--proxy-headers`` so this is the real
    one)."""
    return request.client.host if request.client else "unknown"


def _limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


def limit_login(request: Request) -> None:
    """Route dependency: sign-in per address, counted apart for the start and the callback."""
    _limits(request).hit("login_ip", request.url.path, client_address(request))


async def limit_token(request: Request) -> None:
    """Route dependency: the token endpoint per address and per client id (the form is parsed once, cached)."""
    limits = _limits(request)
    limits.hit("token_ip", client_address(request))
    form = await request.form()
    client_id = form.get("client_id")
    if isinstance(client_id, str) and client_id:
        limits.hit("token_client", client_id[:64])


def limit_share(request: Request, token: str) -> None:
    """Route dependency: opening a share link per address and per link (only a hash of the token is counted)."""
    limits = _limits(request)
    limits.hit("share_ip", client_address(request))
    limits.hit("share_token", hashlib.sha256(token.encode()).hexdigest())


def limit_si_code(request: Request, lookup_key: str) -> None:
    """The public SI-code lookup per address and per (name, date of birth); only a hash of the pair is counted."""
    limits = _limits(request)
    limits.hit("si_code_ip", client_address(request))
    limits.hit("si_code_person", hashlib.sha256(lookup_key.encode()).hexdigest())


def limit_payment_refusal(request: Request) -> None:
    """Before a payment notification is refused (and its refusal written): the refusals per address. The IPN route
    hands this to the notification handler, which calls it only for refusals, so an accepted notification is
    never held up, whatever forged calls come from elsewhere."""
    _limits(request).hit("payment_refused_ip", client_address(request))


def install(app: FastAPI, settings: Settings) -> None:
    app.state.rate_limits = RateLimits(settings)

    @app.exception_handler(RateLimited)
    async def too_many(request: Request, error: RateLimited):
        response = error_response(request, error.status, error.code, error.message_vi, error.message_en)
        response.headers["retry-after"] = str(error.retry_after)
        return response
