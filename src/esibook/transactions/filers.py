"""Who files a dossier and what they may file: an employer through its representative, a person for
themself, an officer about a person of their authority; the form checked against the procedure, scans only
where no database holds the facts."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.transactions.models import (
    Dossier,
)
from esibook.transactions.procedures import Procedure, person_for_personal_id


@dataclass(frozen=True)
class Filer:
    """Who files: an employer, or a person for themself. ``record`` is the Employer or the Person."""

    kind: str
    ref: str
    name: str
    authority: str
    record: Employer | Person

    @property
    def owner(self) -> tuple[str, int]:
        """Whose repository receives the results: the employer's, or the person's (also when an officer filed)."""
        return ("employer" if self.kind == "employer" else "person"), self.record.id


def employer_filer(session: Session, caller: Principal, employer_id: int | None) -> Filer:
    policy.represents_employer(caller, employer_id)
    employer = session.get(Employer, employer_id)
    return Filer("employer", f"employer:{employer.id}", employer.name, employer.authority, employer)


def _citizen_filer(session: Session, caller: Principal) -> Filer:
    policy.require_level2(caller)
    person = person_for_personal_id(session, caller.personal_id)
    return Filer("person", f"person:{caller.personal_id}", person.full_name, person.authority, person)


def _officer_filer(session: Session, caller: Principal, form: dict) -> Filer:
    """An officer files about a person of their own authority; the dossier goes to the authority receiving them."""
    if not policy.reviews(caller, caller.officer_authority or ""):
        raise forbidden(
            "access.officer_only",
            "Only a social insurance officer may file this.",
            "Chỉ cán bộ bảo hiểm xã hội mới nộp được thủ tục này.",
        )
    person_id = session.scalar(select(Person.id).where(Person.personal_id == str(form.get("personal_id", ""))))
    person = policy.officer_acts_on(session, caller, person_id or 0)
    target = str(form.get("to_authority", person.authority))
    return Filer("officer", f"officer:{caller.personal_id}", caller.name, target, person)


def authorised_filer(
    session: Session, caller: Principal, authorisation_id: int, proc: Procedure, channel: str
) -> Filer:
    """A person files a citizen's procedure for someone who authorised them: the access policy decides (given to
    the caller, not revoked, not expired, the procedure within scope), and the use goes into the grantor's access
    log. The dossier is the grantor's (their repository and inbox get the results); its name says who filed it."""
    if proc.filer != "citizen":
        raise DomainError(
            "authorisation.not_citizen_procedure",
            "only a procedure a person files for themself can be filed under an authorisation",
            "chỉ thủ tục cá nhân tự nộp mới được nộp theo ủy quyền",
            field="procedure",
        )
    _, grantor = policy.authorised_representative(session, caller, authorisation_id, policy.filing_scope(proc.code))
    record_access(
        session,
        person_id=grantor.id,
        principal=caller,
        groups=[1],
        purpose="TTHC",
        outcome="allowed",
        channel=channel,
        accessor=authorised_accessor(caller),
    )
    name = f"{caller.name} (theo ủy quyền của {grantor.full_name})"[:200]
    return Filer("person", f"person:{grantor.personal_id}", name, grantor.authority, grantor)


def authorised_accessor(caller: Principal) -> tuple[str, str]:
    """How the grantor's access log names the person acting for them."""
    return "authorised", f"Người được ủy quyền: {caller.name}"


def filer_for(
    session: Session,
    caller: Principal,
    kind: str,
    employer_id: int | None,
    form: dict,
    on_behalf: tuple[int, Procedure, str] | None = None,
) -> Filer:
    """Who files: ``on_behalf`` is (authorisation id, procedure, channel) when a person files for a grantor."""
    if on_behalf:
        return authorised_filer(session, caller, *on_behalf)
    if kind == "employer":
        return employer_filer(session, caller, employer_id)
    if kind == "officer":
        return _officer_filer(session, caller, form)
    return _citizen_filer(session, caller)


def filer_of(session: Session, dossier: Dossier) -> Filer:
    if dossier.filer_kind == "employer":
        employer = session.get(Employer, dossier.employer_id)
        return Filer("employer", dossier.filer_ref, employer.name, employer.authority, employer)
    person = session.get(Person, dossier.person_id)
    return Filer(dossier.filer_kind, dossier.filer_ref, dossier.filer_name, dossier.authority, person)


def is_filer(dossier: Dossier, caller: Principal) -> bool:
    return dossier.filer_ref in policy.filer_refs(caller)


def check_attachments(proc: Procedure, count: int) -> None:
    """A scan only for what no database holds: required where the procedure says so, refused where it does not."""
    if proc.attachments is None and count:
        raise DomainError(
            "dossier.attachment_not_needed",
            "no scan is needed: the databases hold everything this procedure uses",
            "không cần đính kèm: cơ sở dữ liệu đã có mọi thông tin của thủ tục này",
            field="attachments",
        )
    if proc.attachments and proc.attachments.required and not count:
        raise DomainError(
            "dossier.attachment_required",
            f"attach {proc.attachments.en[0].lower()}{proc.attachments.en[1:]}",
            f"hãy đính kèm {proc.attachments.vi[0].lower()}{proc.attachments.vi[1:]}",
            field="attachments",
        )


def parse_form(proc, form: dict):
    try:
        return proc.form.model_validate(form)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError(
            "dossier.form",
            f"the form is not valid at {where}: {first['msg']}",
            f"biểu mẫu không hợp lệ tại {where}",
            field=where,
        ) from error
