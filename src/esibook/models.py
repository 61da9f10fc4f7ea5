"""Imports every bounded context's tables so that ``Base.metadata`` is complete (for Alembic and the seeder)."""

from esibook.access.models import (
    AccessLogEntry,
    ApiClient,
    Authorisation,
    Consent,
    DevIdpCode,
    LoginAttempt,
    RoleGrant,
    ShareLink,
    WebSession,
)
from esibook.audit.models import AuditCheckpoint, AuditHead, AuditRecord
from esibook.benefits.models import BenefitSettlement, Pension, PensionPayment, PensionPaymentMethod
from esibook.book.models import (
    BookVersion,
    LogCheckpoint,
    LogCosignature,
    LogHead,
    LogPoolEntry,
    LogTile,
    LogTileNodes,
    Suspension,
)
from esibook.contributions.models import (
    ContributionLine,
    EmployerArrears,
    ParameterVersion,
    ParticipationPeriod,
    Payment,
    PostingBatch,
    PostingReject,
    UnemploymentReserve,
)
from esibook.db import Base
from esibook.employers.models import Employer
from esibook.health.models import Clinic, ClinicRegisterImport, ClinicRegisterUpload, HICoverage, MedicalVisit
from esibook.notify.models import DeliveredMessage, OutboxMessage
from esibook.payments.models import PaymentOrder, PaymentRefusal
from esibook.people.models import Contact, Household, HouseholdMember, Person
from esibook.portals.models import PortalHolding, PortalPush
from esibook.reminders.models import ReminderPreference, SentReminder
from esibook.transactions.models import (
    Dossier,
    DossierAttachment,
    DossierEvent,
    PopulationRecord,
    RepositoryDocument,
)
from esibook.trust.models import TrustCertificate

__all__ = [
    "AccessLogEntry", "ApiClient", "AuditCheckpoint", "AuditHead", "AuditRecord", "Base", "BenefitSettlement",
    "Authorisation",
    "BookVersion", "Clinic", "Consent", "Contact", "ContributionLine", "EmployerArrears", "ParameterVersion", "Payment",
    "PostingBatch",
    "PostingReject", "DeliveredMessage", "DevIdpCode", "Dossier", "DossierAttachment",
    "DossierEvent", "Employer",
    "HICoverage", "Household", "HouseholdMember", "LogCheckpoint", "LogCosignature", "LogHead", "LogPoolEntry",
    "LogTile", "LogTileNodes", "LoginAttempt",
    "ClinicRegisterImport",
    "ClinicRegisterUpload",
    "MedicalVisit",
    "OutboxMessage", "ParticipationPeriod", "Person", "PopulationRecord", "RepositoryDocument", "RoleGrant",
    "ShareLink", "Suspension", "TrustCertificate", "UnemploymentReserve", "WebSession",
    "PaymentOrder",
    "PaymentRefusal",
    "ReminderPreference", "SentReminder",
    "Pension", "PensionPayment", "PensionPaymentMethod",
    "PortalHolding", "PortalPush",
]
