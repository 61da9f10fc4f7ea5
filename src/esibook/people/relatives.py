"""How two persons are related, as the population records show it (quan hệ thân nhân): the parents' and the
spouse's personal ID numbers on each record, and the household. A claim filed about someone else (a survivors'
allowance, a funeral grant, a sick child's leave) asks here rather than taking the filer's word alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.people.models import HouseholdMember, Person

KINSHIPS = ("spouse", "child", "father", "mother", "spouse_father", "spouse_mother", "household")
"""What :func:`kinship` answers, seen from the person: ``child`` means the relative is the person's child."""


def kinship(session: Session, person: Person, relative: Person) -> str | None:
    """How ``relative`` is related to ``person`` on the records: their ``spouse``, ``child``, ``father``,
    ``mother``, the spouse's father or mother, a member of the same ``household``, or None when the records show
    nothing (a record may simply be incomplete)."""
    them, me = relative.personal_id, person.personal_id
    if not them or not me or them == me:
        return None
    if person.spouse_id == them or relative.spouse_id == me:
        return "spouse"
    if me in (relative.father_id, relative.mother_id):
        return "child"
    if person.father_id == them:
        return "father"
    if person.mother_id == them:
        return "mother"
    if person.spouse_id:
        spouse = session.scalar(select(Person).where(Person.personal_id == person.spouse_id))
        if spouse is not None and them in (spouse.father_id, spouse.mother_id):
            return "spouse_father" if spouse.father_id == them else "spouse_mother"
    households = select(HouseholdMember.household_id).where(HouseholdMember.person_id == person.id)
    shared = session.scalar(
        select(HouseholdMember.person_id).where(
            HouseholdMember.person_id == relative.id, HouseholdMember.household_id.in_(households)
        )
    )
    return "household" if shared is not None else None


def recorded_elsewhere(person: Person, relative: Person, declared: str) -> bool:
    """Whether the records name someone else in the place ``declared`` for ``relative`` (the deceased's spouse,
    father or mother is on record and is another person; the relative's own parents are on record and neither is
    the person): the declaration contradicts the records."""
    them = relative.personal_id
    if declared == "spouse":
        return bool(person.spouse_id and person.spouse_id != them)
    if declared == "father":
        return bool(person.father_id and person.father_id != them)
    if declared == "mother":
        return bool(person.mother_id and person.mother_id != them)
    if declared == "child":
        return bool(relative.father_id and relative.mother_id) and person.personal_id not in (
            relative.father_id,
            relative.mother_id,
        )
    return False
