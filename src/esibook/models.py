"""Imports every bounded context's tables so that ``Base.metadata`` is complete (for Alembic)."""

from esibook.access.models import AccessLogEntry, ApiClient, DevIdpCode, LoginAttempt, RoleGrant, ShareLink, WebSession
from esibook.audit.models import AuditHead, AuditRecord
from esibook.benefits.models import BenefitSettlement
from esibook.contributions.models import ContributionLine, ParticipationPeriod, UnemploymentReserve
from esibook.db import Base
from esibook.employers.models import Employer
from esibook.health.models import Clinic, HICoverage
from esibook.people.models import Contact, Household, HouseholdMember, Person

__all__ = [
    "AccessLogEntry",
    "ApiClient",
    "AuditHead",
    "AuditRecord",
    "DevIdpCode",
    "LoginAttempt",
    "RoleGrant",
    "ShareLink",
    "WebSession",
    "Base",
    "BenefitSettlement",
    "Clinic",
    "Contact",
    "ContributionLine",
    "Employer",
    "HICoverage",
    "Household",
    "HouseholdMember",
    "ParticipationPeriod",
    "Person",
    "UnemploymentReserve",
]
