"""Checking any identifier the system accepts, for the API and the "Check an identifier" page."""

from __future__ import annotations

from datetime import date

from esibook.employers.identifiers import parse_tax_code, parse_unit_code
from esibook.errors import DomainError
from esibook.health.identifiers import parse_hi_card_code
from esibook.people.identifiers import Sex, parse_legacy_si_code, parse_personal_id
from esibook.text import N_

KINDS = (
    ("personal_id", N_("Personal ID number (12 digits)")),
    ("hi_card", N_("HI card code (15 characters)")),
    ("si_code", N_("Legacy SI code (10 digits)")),
    ("unit_code", N_("Employer unit code")),
    ("tax_code", N_("Tax code")),
)


def check_identifier(
    kind: str, value: str, *, date_of_birth: date | None = None, sex: str | None = None
) -> list[tuple[str, str]]:
    """The parts of a valid identifier as (label, value) pairs; raises :class:`InvalidIdentifier` otherwise."""
    if kind == "personal_id":
        pid = parse_personal_id(value, date_of_birth=date_of_birth, sex=Sex.parse(sex) if sex else None)
        return [
            (N_("Number"), pid.number),
            (N_("Province of birth registration"), f"{pid.province_code} {pid.province_name}"),
            (N_("Sex"), pid.sex.value),
            (N_("Year of birth"), str(pid.birth_year)),
        ]
    if kind == "hi_card":
        card = parse_hi_card_code(value)
        return [
            (N_("Card code"), card.code),
            (N_("Beneficiary group"), f"{card.group} {card.group_name_vi}"),
            (N_("Benefit level"), str(card.benefit_level)),
            (N_("Province"), f"{card.province_code} {card.province_name}"),
            (N_("SI code"), card.si_code),
        ]
    if kind == "si_code":
        return [(N_("SI code"), parse_legacy_si_code(value))]
    if kind == "unit_code":
        return [(N_("Unit code"), parse_unit_code(value))]
    if kind == "tax_code":
        tax = parse_tax_code(value)
        return [(N_("Tax code"), tax.normalized), (N_("Branch"), tax.branch or "—")]
    raise DomainError(
        "identifier.kind",
        f"unknown identifier kind '{kind}'; use one of {', '.join(k for k, _ in KINDS)}",
        f"loại mã '{kind}' không có; dùng một trong {', '.join(k for k, _ in KINDS)}",
        field="kind",
    )
