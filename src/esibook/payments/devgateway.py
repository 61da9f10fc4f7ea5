"""The local development gateway (cổng thanh toán thử nghiệm): stands in for VNPay or the National Public Service
Portal's payment platform in the demo and the tests. It behaves as they do, with the same secret:

- its page (``GET /dev-gateway/pay``) checks the merchant's signature and the order's expiry, then shows the
  order (code, amount, what it pays for) with two buttons, *pay* and *cancel*;
- on either, it signs the result (``vnp_ResponseCode`` ``00`` paid, ``24`` cancelled; a transaction number) and
  sends it to esibook's notification handler server to server (an in-process call of
  :func:`esibook.payments.notifications.handle`, the same code ``GET /api/v1/payments/ipn`` runs), then sends
  the browser to the return URL with the same signed parameters.

Absent in production (the route's audience is ``development``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from esibook.config import Settings
from esibook.errors import DomainError
from esibook.payments import gateway as gw
from esibook.payments import notifications, signing

#: The order fields the gateway's page carries from its request to its buttons.
ORDER_FIELDS = (
    "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef", "vnp_OrderInfo",
    "vnp_OrderType", "vnp_Locale", "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate", "vnp_ExpireDate",
    "vnp_SecureHash",
)


def _bad_order() -> DomainError:
    return DomainError(
        "devgateway.bad_order",
        "This payment request is not signed by the merchant, or is incomplete.",
        "Yêu cầu thanh toán không có chữ ký hợp lệ của đơn vị bán hoặc thiếu thông tin.",
    )


def checked_order(settings: Settings, params: dict, *, now: datetime | None = None) -> dict:
    """The order as the gateway's page shows it, after checking the merchant's signature, code and expiry."""
    order = {k: str(params[k]) for k in ORDER_FIELDS if k in params}
    gateway = gw.gateway_for(settings)
    if len(order) != len(ORDER_FIELDS) or not gateway.secret:
        raise _bad_order()
    if not signing.verify(order, gateway.secret) or order["vnp_TmnCode"] != gateway.merchant_code:
        raise _bad_order()
    if not order["vnp_ReturnUrl"].startswith(settings.base_url.rstrip("/") + "/"):
        raise _bad_order()
    if order["vnp_ExpireDate"] < gw.vnp_time(now or datetime.now(UTC)):
        raise DomainError("devgateway.expired", "This payment request has expired.", "Yêu cầu thanh toán đã hết hạn.")
    amount = order["vnp_Amount"]
    return {**order, "amount": int(amount) // 100 if amount.isdigit() else 0, "hidden": order}


def complete(session: Session, settings: Settings, params: dict, *, pay: bool, now: datetime | None = None) -> str:
    """Pay or cancel the order: the signed notification to esibook, then the return URL for the browser."""
    now = now or datetime.now(UTC)
    order = checked_order(settings, params, now=now)
    code = gw.SUCCESS if pay else gw.CANCELLED
    result = gw.gateway_for(settings).sign(
        {
            "vnp_TmnCode": order["vnp_TmnCode"],
            "vnp_Amount": order["vnp_Amount"],
            "vnp_BankCode": "NCB" if pay else "",
            "vnp_BankTranNo": f"DEV{secrets.randbelow(10**8):08d}" if pay else "",
            "vnp_CardType": "ATM" if pay else "",
            "vnp_OrderInfo": order["vnp_OrderInfo"],
            "vnp_PayDate": gw.vnp_time(now),
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}" if pay else "0",
            "vnp_TransactionStatus": code if pay else "02",
            "vnp_TxnRef": order["vnp_TxnRef"],
        }
    )
    notifications.handle(session, settings, result, now=now)
    return f"{order['vnp_ReturnUrl']}?{urlencode(result)}"
