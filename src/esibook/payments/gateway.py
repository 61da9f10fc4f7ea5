"""The payment gateway adapter (cổng thanh toán): esibook's side of the National Public Service Portal's payment
platform and of bank and wallet gateways such as VNPay, which use one scheme (docs/payments.md):

1. **Pay** — esibook redirects the payer's browser to the gateway with a signed order (``vnp_TxnRef``,
   ``vnp_Amount`` ×100, ``vnp_ReturnUrl``, ``vnp_ExpireDate``, …, ``vnp_SecureHash``).
2. **Notification (IPN)** — the gateway calls esibook server to server with the result, signed the same way;
   esibook answers ``{"RspCode": "00", "Message": "Confirm Success"}`` or a refusal code. Only this marks an
   order paid.
3. **Return** — the gateway sends the browser back to ``vnp_ReturnUrl`` with the same signed result, to show it.

:class:`PaymentGateway` is the interface; :class:`SignedRedirectGateway` implements it for any gateway of the
scheme (the real one's URL and secret, or the development gateway of ``payments.devgateway``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode

from esibook.config import Settings
from esibook.dates import in_vietnam
from esibook.payments import signing

VERSION = "2.1.0"
#: ``vnp_ResponseCode`` / ``vnp_TransactionStatus`` of a successful payment, and of one the payer cancelled.
SUCCESS, CANCELLED = "00", "24"

#: The answers to a notification, as VNPay's IPN expects them (``RspCode``, ``Message``).
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "invalid amount")
INVALID_SIGNATURE = ("97", "Invalid Checksum")
UNKNOWN_ERROR = ("99", "Unknown error")


def vnp_time(moment: datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time (GMT+7), as the gateway writes its dates."""
    return in_vietnam(moment).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class PayRequest:
    """What esibook asks the gateway to collect."""

    order_code: str
    amount: int
    """Whole VND."""
    description: str
    """Free of personal data (the order code and what is paid for)."""
    created_at: datetime
    expires_at: datetime
    return_url: str
    locale: str = "vn"
    client_ip: str = "127.0.0.1"


@dataclass(frozen=True)
class Notification:
    """A verified notification (or return), read from the gateway's parameters."""

    order_code: str
    amount: int
    """Whole VND (the gateway sends ×100)."""
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    pay_date: str

    @property
    def succeeded(self) -> bool:
        return self.response_code == SUCCESS and self.transaction_status == SUCCESS


class PaymentGateway(Protocol):
    """A payment gateway of the signed-redirect scheme."""

    def pay_url(self, request: PayRequest) -> str:
        """The gateway's page to send the payer to: the order's parameters, sorted and signed (``vnp_SecureHash``,
        HMAC-SHA512 with the shared secret)."""
        ...

    def read(self, params: Mapping[str, str]) -> Notification | None:
        """The notification or return in ``params`` if its signature holds, else None (forged or altered)."""
        ...


class SignedRedirectGateway:
    """VNPay's scheme with a merchant code, a secret and the gateway's payment page."""

    def __init__(self, url: str, merchant_code: str, secret: str):
        self.url, self.merchant_code, self.secret = url, merchant_code, secret

    def order_params(self, request: PayRequest) -> dict[str, str]:
        return signing.sign(
            {
                "vnp_Version": VERSION,
                "vnp_Command": "pay",
                "vnp_TmnCode": self.merchant_code,
                "vnp_Amount": str(request.amount * 100),
                "vnp_CurrCode": "VND",
                "vnp_TxnRef": request.order_code,
                "vnp_OrderInfo": request.description,
                "vnp_OrderType": "billpayment",
                "vnp_Locale": request.locale,
                "vnp_ReturnUrl": request.return_url,
                "vnp_IpAddr": request.client_ip,
                "vnp_CreateDate": vnp_time(request.created_at),
                "vnp_ExpireDate": vnp_time(request.expires_at),
            },
            self.secret,
        )

    def pay_url(self, request: PayRequest) -> str:
        return f"{self.url}?{urlencode(self.order_params(request))}"

    def read(self, params: Mapping[str, str]) -> Notification | None:
        if not self.secret or not signing.verify(params, self.secret):
            return None
        amount = str(params.get("vnp_Amount", ""))
        if not (amount.isascii() and amount.isdigit()) or len(amount) > 18:
            return None
        return Notification(
            order_code=str(params.get("vnp_TxnRef", ""))[:32],
            amount=int(amount) // 100 if int(amount) % 100 == 0 else -1,
            response_code=str(params.get("vnp_ResponseCode", "")),
            transaction_status=str(params.get("vnp_TransactionStatus", "")),
            transaction_no=str(params.get("vnp_TransactionNo", ""))[:40],
            bank_code=str(params.get("vnp_BankCode", ""))[:20],
            pay_date=str(params.get("vnp_PayDate", ""))[:14],
        )

    def sign(self, params: Mapping[str, str]) -> dict[str, str]:
        """Sign parameters as the gateway does (the development gateway signs its notifications with this)."""
        return signing.sign(params, self.secret)


def gateway_for(settings: Settings) -> SignedRedirectGateway:
    """The configured gateway (in development, the local one at ``/dev-gateway/pay``)."""
    return SignedRedirectGateway(
        settings.resolved_payment_gateway_url(), settings.payment_merchant_code, settings.resolved_payment_secret()
    )
