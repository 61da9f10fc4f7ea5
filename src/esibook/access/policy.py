"""The one access policy (chính sách truy cập): who may read or change what, decided here and nowhere else.

Two layers, both in the application, so they hold on SQLite exactly as on PostgreSQL (row-level security is a
second wall behind them):

1. **Audiences.** Every route declares who may call it at all, as a FastAPI dependency that also yields the
   caller: ``caller: Principal = Depends(policy.CITIZEN)``. A page route uses the ``.page`` variant, which sends
   an anonymous visitor to the login page instead of answering 401. Every audience but ``PUBLIC``, ``SHARE_LINK``
   and ``PERSON`` needs a VNeID level 2 sign-in; role grants (officer, employer representative, clinic staff)
   count only at level 2.
2. **Objects.** Inside the route's service, the function of this module that names the relation decides about
   the one person, employer or dossier concerned: :func:`own_person`, :func:`represented_person`,
   :func:`officer_reach`, :func:`officer_acts_on`, :func:`current_employee`, :func:`represents_employer`,
   :func:`reviews`, :func:`authorised_representative` (acting under another person's
   authorisation), :func:`reference_data_officer` (national reference data). A person out of reach is "not
   found", whether or not they exist.

:data:`RULES` lists the rules in words; docs/access.md carries that table and a test keeps the two the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorisation_rules import (  # noqa: F401 (the rule of authorisations, decided here)
    RECEIVE_PAYMENT,
    authorisation_refusal,
    covers,
    filing_scope,
)
from esibook.access.deps import LoginRedirect, optional_principal
from esibook.access.errors import Forbidden, forbidden, login_required, person_not_found
from esibook.access.models import Authorisation
from esibook.access.principal import Principal
from esibook.access.reference_rules import REFERENCE_DATA, reference_data_refusal  # noqa: F401
from esibook.access.rules import RULES, Rule, rules_table  # noqa: F401 (the table docs/access.md carries)
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.errors import DomainError, NotFound
from esibook.params import MAX_ROW_ID
from esibook.people.models import Person
from esibook.web.deps import db_session

LEVEL_PERSONAL_DATA = 2


def level2_required() -> Forbidden:
    return forbidden(
        "access.level2_required",
        "This needs a VNeID level 2 sign-in; sign out and sign in again with level 2.",
        "Việc này cần đăng nhập VNeID mức 2; hãy đăng xuất và đăng nhập lại bằng tài khoản mức 2.",
    )


def _person_only() -> Forbidden:
    return forbidden(
        "access.person_only",
        "Only a person signed in with VNeID may do this.",
        "Chỉ người đăng nhập bằng VNeID mới thực hiện được việc này.",
    )


@dataclass(frozen=True, eq=False)
class Audience:
    """Who may call a route at all. Called by FastAPI as a dependency; returns the caller (None if public)."""

    key: str
    who_en: str
    who_vi: str
    admits: Callable[[Principal], DomainError | None] | None
    """None: no sign-in needed. Else the refusal for a signed-in caller who is not in the audience, or None."""
    level: int = LEVEL_PERSONAL_DATA
    in_request: Callable[[Request, Principal | None], DomainError | None] | None = None
    """What the request itself must satisfy (the employer in its path, a demo-only route), or None."""
    on_page: bool = False

    def __call__(self, request: Request, session: Session = Depends(db_session)) -> Principal | None:
        return self.decide(request, optional_principal(request, session) if self.admits is not None else None)

    def decide(self, request: Request, caller: Principal | None) -> Principal | None:
        """The caller if admitted (else the refusal, raised), looked up in a session or on the loop (``OnLoop``)."""
        if self.admits is not None:
            self._admit(request, caller)
        refusal = self.in_request(request, caller) if self.in_request else None
        if refusal:
            raise refusal
        return caller

    def _admit(self, request: Request, caller: Principal | None) -> None:
        request.state.viewer = caller
        if caller is None:
            self.refuse_anonymous(request)
        if caller.kind == "person" and caller.level < self.level:
            raise level2_required()
        refusal = self.admits(caller)
        if refusal:
            raise refusal

    def refuse_anonymous(self, request: Request) -> None:
        """A visitor who is not signed in: to the login page (and back) on a page, 401 on the API."""
        if self.on_page:
            # back to the page asked for, with its query (a deep link: /me/book?version=3), after sign-in
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRedirect(target if len(target) <= 300 else request.url.path)
        raise login_required()

    @cached_property
    def page(self) -> Audience:
        """The same audience for an HTML page: an anonymous visitor is sent to the login page."""
        return replace(self, on_page=True)


def _any_person(caller: Principal) -> DomainError | None:
    return None if caller.kind == "person" else _person_only()


def _officer(caller: Principal) -> DomainError | None:
    if caller.kind == "person" and caller.is_officer:
        return None
    return forbidden(
        "access.officer_only",
        "Only a social insurance officer may do this.",
        "Chỉ cán bộ bảo hiểm xã hội mới thực hiện được việc này.",
    )


def _employer_rep(caller: Principal) -> DomainError | None:
    return None if caller.kind == "person" and caller.employer_ids else employer_not_granted()


def _employer_in_path(request: Request, caller: Principal) -> DomainError | None:
    raw = request.path_params.get("employer_id")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdecimal()) or int(raw) > MAX_ROW_ID:
        return None  # not an id at all: the route's own validation answers 422
    return None if int(raw) in caller.employer_ids else employer_not_granted()


def _clinic(caller: Principal) -> DomainError | None:
    if caller.kind == "person" and caller.clinic_codes:
        return None
    return forbidden(
        "access.clinic_only",
        "Only staff of a health facility may do this.",
        "Chỉ nhân viên cơ sở khám chữa bệnh mới thực hiện được việc này.",
    )


def system_only() -> Forbidden:
    return forbidden(
        "access.system_only", "This interface is for connected systems.", "Giao diện này dành cho hệ thống kết nối."
    )


def _system(caller: Principal) -> DomainError | None:
    return None if caller.kind == "system" else system_only()


def _demo_only() -> NotFound:
    return NotFound("demo.only", "This exists only in the demo.", "Chức năng này chỉ có khi chạy thử.")


def employer_not_granted() -> Forbidden:
    return forbidden(
        "access.employer_not_granted",
        "You do not represent this employer.",
        "Bạn không phải người đại diện của đơn vị này.",
    )


PUBLIC = Audience("public", "anyone; carries no personal data", "bất kỳ ai; không có dữ liệu cá nhân", None, 0)
SHARE_LINK = Audience(
    "share_link",
    "anyone holding the link and its passcode (rate-limited, locked after 5 wrong passcodes)",
    "người có liên kết và mã truy cập (giới hạn tần suất, khóa sau 5 lần sai)",
    None,
    0,
)
PERSON = Audience(
    "person",
    "a person signed in at VNeID level 1 or 2: who they are and their status only",
    "người đăng nhập VNeID mức 1 hoặc 2: chỉ thông tin đăng nhập và tình trạng",
    _any_person,
    1,
)
CITIZEN = Audience(
    "citizen",
    "a person at VNeID level 2: their own record, persons they legally represent, and what they filed",
    "người đăng nhập VNeID mức 2: dữ liệu của chính mình, của người mình đại diện hợp pháp và hồ sơ mình nộp",
    _any_person,
)
OFFICER = Audience(
    "officer",
    "an officer at VNeID level 2: persons and dossiers of their own authority, never their own",
    "cán bộ đăng nhập VNeID mức 2: người và hồ sơ thuộc cơ quan mình, không bao giờ hồ sơ của chính mình",
    _officer,
)
EMPLOYER = Audience(
    "employer",
    "an employer representative at VNeID level 2: the employer they represent, and its current employees",
    "người đại diện đơn vị đăng nhập VNeID mức 2: đơn vị mình đại diện và người lao động hiện tại của đơn vị",
    _employer_rep,
    in_request=_employer_in_path,
)
CLINIC = Audience(
    "clinic",
    "clinic staff at VNeID level 2: HI card check-in and visits at their facility",
    "nhân viên cơ sở KCB đăng nhập VNeID mức 2: kiểm tra thẻ BHYT và gửi lượt khám tại cơ sở mình",
    _clinic,
)
SYSTEM = Audience(
    "system",
    "a connected system: granted data groups, for a granted purpose (and the person's consent where required)",
    "hệ thống kết nối: nhóm dữ liệu và mục đích được cấp (và sự đồng ý của người dân khi bắt buộc)",
    _system,
    0,
)
CLINIC_OR_SYSTEM = Audience(
    "clinic_or_system",
    "clinic staff at VNeID level 2, or a connected system granted group 5 for purpose KCB",
    "nhân viên cơ sở KCB đăng nhập VNeID mức 2, hoặc hệ thống kết nối được cấp nhóm 5 cho mục đích KCB",
    lambda caller: None if caller.kind == "system" else _clinic(caller),
)
DEVELOPMENT = Audience(
    "development",
    "the development identity provider and demo mailbox; absent in production",
    "nhà cung cấp định danh thử nghiệm và hộp thư thử nghiệm; không có khi vận hành thật",
    None,
    0,
    in_request=lambda request, _caller: None if request.app.state.settings.dev_idp_enabled else _demo_only(),
)

AUDIENCES: tuple[Audience, ...] = (
    PUBLIC, SHARE_LINK, PERSON, CITIZEN, OFFICER, EMPLOYER, CLINIC, CLINIC_OR_SYSTEM, SYSTEM, DEVELOPMENT,
)


# --- objects: the one person, employer or dossier concerned -----------------------------------------------------


def require_level2(caller: Principal) -> None:
    if caller.kind != "person":
        raise _person_only()
    if caller.level < LEVEL_PERSONAL_DATA:
        raise level2_required()


def own_person(session: Session, caller: Principal, *, status_only: bool = False) -> Person:
    """The caller's own record: at level 2, or at any level when only its status will be shown."""
    if status_only and caller.kind != "person":
        raise _person_only()
    if not status_only:
        require_level2(caller)
    person = session.get(Person, caller.person_id) if caller.person_id else None
    if person is None:
        raise _no_record()
    return person


def own_person_id(caller: Principal) -> int:
    """The id of the caller's own record, at level 2, for a route that reads by it and needs nothing else of the
    record (the caller's lookup found it: no query)."""
    require_level2(caller)
    if caller.person_id is None:
        raise _no_record()
    return caller.person_id


def _no_record() -> DomainError:
    return DomainError(
        "person.no_record",
        "The National Insurance Database holds no record for you yet.",
        "Cơ sở dữ liệu quốc gia về bảo hiểm chưa có thông tin của bạn.",
    )


def represented_person(session: Session, caller: Principal, person_id: int) -> Person:
    """A person the caller legally represents (a child under 18, a represented adult), at level 2."""
    require_level2(caller)
    person = session.get(Person, person_id)
    if person is None or not caller.personal_id or person.representative_id != caller.personal_id:
        raise person_not_found()
    return person


def officer_reach(session: Session, caller: Principal, person_id: int) -> Person:
    """A person of the officer's own authority, to read; anyone else is "not found"."""
    if caller.kind != "person" or not caller.is_officer or caller.level < LEVEL_PERSONAL_DATA:
        raise person_not_found()
    person = session.get(Person, person_id)
    if person is None or person.authority != caller.officer_authority:
        raise person_not_found()
    return person


def officer_acts_on(session: Session, caller: Principal, person_id: int) -> Person:
    """A person the officer may act on: of their authority, and neither themselves nor someone they represent."""
    person = officer_reach(session, caller, person_id)
    refuse_own_case(caller, person_id=person.id, representative_id=person.representative_id)
    return person


def own_case() -> Forbidden:
    return forbidden(
        "access.own_case",
        "You cannot act on your own record or on a case that concerns you; another officer must.",
        "Bạn không được xử lý hồ sơ của chính mình hoặc việc liên quan đến mình; cán bộ khác phải xử lý.",
    )


def concerns(
    caller: Principal,
    *,
    person_id: int | None = None,
    representative_id: str | None = None,
    filed_by: str | None = None,
    text: str | None = None,
) -> bool:
    """A conflict of interest: the case is the officer's own, someone they represent, they filed it, or their
    personal ID number appears anywhere in it."""
    pid = caller.personal_id or ""
    return bool(
        (person_id is not None and caller.person_id == person_id)
        or (pid and representative_id == pid)
        or (filed_by is not None and filed_by in filer_refs(caller))
        or (pid and text and pid in text)
    )


def refuse_own_case(caller: Principal, **case) -> None:
    if concerns(caller, **case):
        raise own_case()


def filer_refs(caller: Principal) -> set[str]:
    """How dossiers name their filer, for each way this caller can file."""
    if caller.kind != "person":
        return set()
    return {f"person:{caller.personal_id}", f"officer:{caller.personal_id}"} | {
        f"employer:{e}" for e in caller.employer_ids
    }


def represents_employer(caller: Principal, employer_id: int | None) -> None:
    if caller.kind != "person" or caller.level < LEVEL_PERSONAL_DATA or employer_id not in caller.employer_ids:
        raise employer_not_granted()


def current_employee(session: Session, caller: Principal, employer_id: int, person_id: int) -> Person:
    """A person with an open participation period at an employer the caller represents. A former employee is
    "not found": the employer no longer reads their data."""
    represents_employer(caller, employer_id)
    open_period = session.scalar(
        select(ParticipationPeriod.seq)
        .where(
            ParticipationPeriod.person_id == person_id,
            ParticipationPeriod.employer_id == employer_id,
            ParticipationPeriod.to_month.is_(None),
        )
        .limit(1)
    )
    person = session.get(Person, person_id) if open_period is not None else None
    if person is None:
        raise person_not_found()
    return person


def require_permission(caller: Principal, permission: str) -> None:
    if permission not in caller.officer_permissions:
        raise forbidden(
            "access.permission", f"This needs the {permission} permission.", f"Việc này cần quyền {permission}."
        )


def reference_data_officer(caller: Principal) -> None:
    """An officer who may load national reference data (the clinic register): ``access/reference_rules.py``."""
    if refusal := reference_data_refusal(caller):
        raise refusal


def reviews(caller: Principal, authority: str) -> bool:
    """The caller is an officer (level 2) of the authority a dossier or document belongs to."""
    return (
        caller.kind == "person"
        and caller.level >= LEVEL_PERSONAL_DATA
        and caller.is_officer
        and caller.officer_authority == authority
    )


def not_found_in_queue() -> NotFound:
    return NotFound("dossier.not_found", "No such dossier in your queue.", "Không có hồ sơ này trong hàng đợi.")


# --- authorised representatives (người được ủy quyền) -------------------------------------------------------

#: The fund's own payout run (chi trả hằng tháng): it pays a benefit to the agent an authorisation names.
PAYOUT_RUN = Principal(kind="system", subject="esibook:benefit-payout", name="Chi trả chế độ BHXH")


def _may_ask(caller: Principal, grant: Authorisation, scope: str, payee: bool) -> bool:
    """Whose use the rule decides (else "not found"): agent or grantor; paying the agent, payout run or grantor."""
    if payee:
        return scope == RECEIVE_PAYMENT and (caller == PAYOUT_RUN or caller.person_id == grant.grantor_id)
    return caller.person_id is not None and caller.person_id in (grant.agent_id, grant.grantor_id)


def authorised_representative(
    session: Session, caller: Principal, authorisation_id: int, scope: str, *, today: date | None = None,
    payee: bool = False,
) -> tuple[Authorisation, Person]:
    """The grantor the caller acts for under an authorisation, at level 2: valid only if given to the caller, not
    revoked, not expired, the grantor alive, and within scope. Someone else's authorisation is "not found". The row is
    read with a share lock (PostgreSQL), so a revocation waits for a use in flight and every use after it is refused.

    ``payee``: the benefit is paid to the agent (scope ``receive_payment``), named so by the grantor or paid by the
    payout run (:data:`PAYOUT_RUN`): the same rule, for the agent the authorisation names."""
    if caller != PAYOUT_RUN:
        require_level2(caller)
    grant = session.get(Authorisation, authorisation_id, with_for_update={"read": True})
    if grant is None or not _may_ask(caller, grant, scope, payee):
        raise authorisation_not_found()
    agent_id, grantor = grant.agent_id if payee else caller.person_id, session.get(Person, grant.grantor_id)
    if refusal := authorisation_refusal(grant, agent_id=agent_id, scope=scope, today=today or vietnam_today(),
                                        grantor_died_on=grantor.died_on if grantor else None):
        raise refusal
    if grantor is None:
        raise authorisation_not_found()
    return grant, grantor


def names_way_for(payee: Person, beneficiary: Person, *, agent: bool = False) -> bool:
    """Whether ``payee``'s choice of where a benefit is paid applies to ``beneficiary``'s: their own, or (not to an
    agent of theirs) a person they legally represent (a child under 18)."""
    return payee.id == beneficiary.id or (not agent and bool(payee.personal_id)
                                          and beneficiary.representative_id == payee.personal_id)


def authorisation_not_found() -> NotFound:
    return NotFound("authorisation.not_found", "No such authorisation.", "Không có giấy ủy quyền này.")
