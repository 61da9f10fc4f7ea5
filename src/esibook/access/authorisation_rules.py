"""The rule of an authorisation (ủy quyền), as a pure function of the grant, the agent, the scope and the day: the
access policy (:func:`esibook.access.policy.authorised_representative`) decides every use with it."""

from __future__ import annotations

from datetime import date

from esibook.access.errors import Forbidden, forbidden
from esibook.access.models import Authorisation

RECEIVE_PAYMENT = "receive_payment"
"""The scope of receiving a benefit paid to the grantor; filing a procedure is the scope ``file:<code>``."""


def filing_scope(procedure_code: str) -> str:
    return f"file:{procedure_code}"


def covers(grant: Authorisation, scope: str) -> bool:
    """Whether the authorisation's scope includes ``scope`` (``file:<procedure>`` or ``receive_payment``)."""
    if scope == RECEIVE_PAYMENT:
        return bool(grant.receive_payment)
    kind, _, code = scope.partition(":")
    codes = {c for c in (grant.procedures or "").split(",") if c}
    return kind == "file" and bool(code) and ("*" in codes or code in codes)


def authorisation_refusal(grant: Authorisation, *, agent_id: int | None, scope: str, today: date,
                          grantor_died_on: date | None = None) -> Forbidden | None:
    """Why this use of an authorisation is refused, or None: the one rule, a pure function of the grant, the agent,
    the scope, the day (Vietnam time) and the grantor's death on record (an authorisation ends when its grantor
    dies: Civil Code 2015 Art 140). Self-authorisation never counts."""
    if agent_id is None or grant.agent_id != agent_id or grant.grantor_id == agent_id:
        return forbidden(
            "authorisation.not_yours",
            "This authorisation was not given to you.",
            "Giấy ủy quyền này không phải cấp cho bạn.",
        )
    if grant.revoked_at is not None:
        return forbidden(
            "authorisation.revoked",
            "The person has revoked this authorisation; you can no longer act for them.",
            "Người ủy quyền đã thu hồi giấy ủy quyền này; bạn không còn được thực hiện thay họ.",
        )
    if grantor_died_on is not None:
        return forbidden(
            "authorisation.grantor_deceased",
            f"The person who gave this authorisation died on {grantor_died_on:%d/%m/%Y}: it has ended.",
            f"Người ủy quyền đã chết ngày {grantor_died_on:%d/%m/%Y}: giấy ủy quyền đã chấm dứt.",
        )
    if grant.valid_until < today:
        return forbidden(
            "authorisation.expired",
            f"This authorisation expired on {grant.valid_until:%d/%m/%Y}.",
            f"Giấy ủy quyền này đã hết hạn ngày {grant.valid_until:%d/%m/%Y}.",
        )
    if not covers(grant, scope):
        return forbidden(
            "authorisation.out_of_scope",
            "This authorisation does not cover that procedure.",
            "Giấy ủy quyền này không bao gồm việc đó.",
        )
    return None
