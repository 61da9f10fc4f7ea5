"""The first questions of every read and write: is the caller a person signed in at level 2, an officer, the
representative of this employer; and which data groups (1 to 7) were asked for."""

from __future__ import annotations

from esibook.access import policy
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.errors import DomainError
from esibook.people.labels import GROUPS

ALL_GROUPS = tuple(GROUPS)
EMPLOYER_GROUPS = (1, 4)


def require_person(principal: Principal) -> None:
    """A person signed in at VNeID level 2 (every read of personal data needs it)."""
    policy.require_level2(principal)


def require_officer(principal: Principal) -> str:
    if not policy.reviews(principal, principal.officer_authority or ""):
        raise forbidden(
            "access.officer_only",
            "Only a social insurance officer may do this.",
            "Chỉ cán bộ bảo hiểm xã hội mới thực hiện được việc này.",
        )
    return principal.officer_authority


def check_groups(groups: list[int] | None) -> tuple[int, ...]:
    chosen = tuple(groups) if groups else ALL_GROUPS
    bad = [g for g in chosen if g not in GROUPS]
    if bad:
        raise DomainError(
            "access.group_unknown",
            f"Data groups are numbered 1 to 7; {bad[0]} is not one.",
            f"Nhóm dữ liệu đánh số từ 1 đến 7; {bad[0]} không phải là một nhóm.",
        )
    return chosen


def require_employer(principal: Principal, employer_id: int) -> None:
    policy.represents_employer(principal, employer_id)
