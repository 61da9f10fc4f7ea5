"""A death on record (báo giảm do chết): the day a person died, recorded once, and what it ends.

Recorded by the approval of a death claim (the funeral grant or the survivors' allowance, with the death certificate
filed) or by an approving officer (:func:`record_by_officer`: the relatives report the death of someone paid a
benefit, e.g. a widow drawing a survivors' allowance, without a claim of their own). Either way the same
:func:`on_death`: the day goes on the person (``persons.died_on``, the first recorded stays), and their pension and
every monthly benefit paid to them end with the month of death (:func:`esibook.benefits.stops.stop_on_death`).
From the next day the HI card is refused at check-in, no reminder is sent to them, and an authorisation they gave
has ended.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from esibook.access.guards import require_officer
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.stops import DEATH_CLAIM_ACTOR, PaidAfter, approving_officer, stop_on_death
from esibook.dates import vietnam_today
from esibook.db import scoped_to, transaction
from esibook.errors import Conflict, DomainError
from esibook.people.models import Person
from esibook.people.service import record_death


def on_death(session: Session, person: Person, died_on: date, *, actor: str = DEATH_CLAIM_ACTOR) -> PaidAfter:
    """Record the death (in the caller's transaction) and end what was paid to the deceased, by the day on record."""
    record_death(session, person, died_on)
    return stop_on_death(session, person.id, person.died_on, actor=actor)


def _day(text: str, person: Person) -> date:
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise DomainError("death.died_on", "give the day of death as YYYY-MM-DD",
                          "hãy ghi ngày chết theo dạng YYYY-MM-DD", field="died_on") from None
    if day > vietnam_today() or day < person.date_of_birth:
        raise DomainError("death.died_on", "the day of death must be past, and after the person's birth",
                          "ngày chết phải là ngày đã qua và sau ngày sinh", field="died_on")
    return day


def record_by_officer(session: Session, caller: Principal, person_id: int, *, died_on: str) -> PaidAfter:
    """An approving officer of the person's authority (never on their own case) records the person's death, once
    (409 ``death.already_recorded`` after that). One audit record besides the stops'."""
    with scoped_to(require_officer(caller)), transaction(session):
        person = approving_officer(session, caller, person_id, code="death.permission",
                                   what_en="Recording a death", what_vi="Ghi nhận người đã chết")
        day = _day(died_on, person)
        if person.died_on is not None:
            raise Conflict("death.already_recorded", "This person's death is already on record.",
                           "Người này đã được ghi nhận là đã chết.")
        after = on_death(session, person, day, actor=caller.actor)
        audit.append(session, actor=caller.actor, action="person.death_recorded", target=f"person:{person.id}",
                     authority=person.authority, details={"paid_after_months": after.months})
    return after
