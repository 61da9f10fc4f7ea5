"""Every procedure of the dossier engine, in the order pages list them; each is declared in the module of its
domain (:mod:`~esibook.transactions.registry` says what a procedure is)."""

from __future__ import annotations

from esibook.errors import DomainError
from esibook.transactions import citizen_procedures, claims, employment, household, merging, other_claims, pension
from esibook.transactions.population import person_for_personal_id  # noqa: F401 (dossiers look persons up here)
from esibook.transactions.registry import AttachmentRule, Procedure  # noqa: F401 (the registry's shape)

PROCEDURES: dict[str, Procedure] = {
    p.code: p
    for p in (
        *employment.PROCEDURES,
        *citizen_procedures.PROCEDURES,
        household.PROCEDURE,
        *merging.PROCEDURES,
        citizen_procedures.PRINTOUT,
        *claims.PROCEDURES,
        *other_claims.PROCEDURES,
        pension.PROCEDURE,
    )
}


def procedure(code: str) -> Procedure:
    if code not in PROCEDURES:
        raise DomainError(
            "dossier.procedure", f"unknown procedure '{code}'", f"thủ tục '{code}' không có", field="procedure"
        )
    return PROCEDURES[code]
