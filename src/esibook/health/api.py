"""JSON routes of the health context: clinics send visits (JSON or XML 130) and check cards at check-in; a citizen
reads their medical history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.health import visit_service
from esibook.health.visits import VisitRecord, first_card_code
from esibook.health.xml130 import MAX_BYTES, read_xml1, refuse
from esibook.views.checkin import check_in
from esibook.web.deps import db_session
from esibook.web.i18n import request_language

router = Router(prefix="/api/v1", tags=["health"])
VIETNAM = timezone(timedelta(hours=7))
MAX_JSON_VISITS = 1000


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


def _local(moment: datetime) -> datetime:
    """Vietnam's local time without a zone, as XML 130 and the table keep it. A moment whose Vietnam time falls
    outside the calendar (9999-12-31T23:00-05:00 is year 10000 in Vietnam) is refused as invalid input."""
    if moment.tzinfo is None:
        return moment.replace(second=0, microsecond=0)
    try:
        return moment.astimezone(VIETNAM).replace(tzinfo=None, second=0, microsecond=0)
    except OverflowError as error:
        raise ValueError("the date and time, in Vietnam's time zone, is outside the calendar") from error


#: A date and time as a clinic sends it, read as Vietnam's local time (checked when the request is read).
LocalTime = Annotated[datetime, AfterValidator(_local)]


class VisitIn(BaseModel):
    """One visit summary: the XML1 fields of Decision 130/QĐ-BYT under plain names. Amounts in đồng."""

    visit_ref: str = Field(min_length=1, max_length=100, description="MA_LK, the clinic's reference of the visit")
    card_code: str = Field(min_length=1, max_length=200, description="MA_THE_BHYT")
    clinic_code: str | None = Field(None, max_length=10, description="MA_CSKCB; defaults to the sending clinic")
    personal_id: str | None = Field(None, max_length=12, description="SO_CCCD, checked against the card holder")
    admitted_at: LocalTime = Field(description="NGAY_VAO; without a time zone it is Vietnam's local time")
    discharged_at: LocalTime = Field(description="NGAY_RA")
    main_diagnosis: str = Field(min_length=1, max_length=20, description="MA_BENH_CHINH, an ICD-10 code")
    total_cost: Decimal = Field(description="T_TONGCHI_BV")
    hi_paid: Decimal = Field(Decimal(0), description="T_BHTT")
    patient_paid: Decimal = Field(Decimal(0), description="T_BNCCT + T_BNTT")
    other_paid: Decimal = Field(Decimal(0), description="T_NGUONKHAC")

    def record(self, index: int) -> VisitRecord:
        return VisitRecord(
            index=index,
            visit_ref=self.visit_ref.strip(),
            card_code=first_card_code(self.card_code),
            clinic_code=(self.clinic_code or "").strip() or None,
            admitted_at=self.admitted_at,
            discharged_at=self.discharged_at,
            main_diagnosis=self.main_diagnosis.strip().upper(),
            total_cost=self.total_cost,
            hi_paid=self.hi_paid,
            patient_paid=self.patient_paid,
            other_paid=self.other_paid,
            personal_id=(self.personal_id or "").strip() or None,
        )


class VisitBatch(BaseModel):
    clinic_code: str | None = Field(None, max_length=10, description="The sending clinic (MA_CSKCB)")
    visits: list[VisitIn] = Field(min_length=1, max_length=MAX_JSON_VISITS)


@router.post(
    "/clinic/visits",
    dependencies=[Depends(csrf_protected)],
    summary="Send visit records (JSON): the good ones are stored, each bad one is reported with its reasons",
)
def send_visits(
    body: VisitBatch,
    request: Request,
    caller: Principal = Depends(policy.CLINIC_OR_SYSTEM),
    session: Session = Depends(db_session),
) -> dict:
    sender = visit_service.sender_for(session, caller, body.clinic_code)
    records = [visit.record(index) for index, visit in enumerate(body.visits, start=1)]
    return visit_service.receive_visits(session, sender, records, source="json").as_dict(_lang(request))


async def read_limited(request: Request) -> bytes:
    """The request's body, up to 20 MB, streamed on the event loop before the route runs in the threadpool."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise refuse("too_large", "the file is larger than 20 MB", "tệp lớn hơn 20 MB")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/clinic/visits/xml",
    dependencies=[Depends(csrf_protected)],
    summary="Send an XML file of Decision 130/QĐ-BYT (GIAMDINHHS envelope or TONG_HOP) as the request body",
)
def send_visits_xml(
    request: Request,
    clinic_code: str | None = Query(None, max_length=10),
    caller: Principal = Depends(policy.CLINIC_OR_SYSTEM),
    session: Session = Depends(db_session),
    data: bytes = Depends(read_limited),
) -> dict:
    report = visit_service.import_xml(session, caller, read_xml1(data), clinic_code)
    return report.as_dict(_lang(request))


class CheckInRequest(BaseModel):
    qr: str | None = Field(None, max_length=2000, description="The text of the card's QR (VNHI1:…)")
    code: str | None = Field(None, max_length=20, description="A personal ID number or an HI card code")
    clinic_code: str | None = Field(None, max_length=10, description="Where the person checks in")


@router.post(
    "/clinic/check-in",
    dependencies=[Depends(csrf_protected)],
    summary="Check-in: is the card valid today, at which benefit level, is this the initial clinic? (logged)",
)
def clinic_check_in(
    body: CheckInRequest,
    request: Request,
    caller: Principal = Depends(policy.CLINIC_OR_SYSTEM),
    session: Session = Depends(db_session),
) -> dict:
    return check_in(session, caller, qr=body.qr, code=body.code, clinic_code=body.clinic_code, lang=_lang(request))


@router.get("/me/visits", summary="My medical history: visits reported by clinics, newest first")
def my_visits(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return visit_service.my_visits(session, caller)
