"""Claims filed by a relative of a deceased person (Law 41/2024 Art 85–89): the funeral grant and the survivors'
allowance, monthly or as a lump sum. The form names the deceased's personal ID, the date of death and the filer's
relationship; the relationship is checked against the population records (:func:`esibook.people.relatives.kinship`)
and a declaration they contradict is refused; the death certificate is always attached (no database here holds
deaths). Relatives paid a monthly allowance must be on record as the deceased's child, spouse or parent. Approval
records the settlement in the deceased's book, naming the relative paid.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.benefits.claim_payouts import PayoutChoice
from esibook.benefits.claims import _refuse, _worksheet_form
from esibook.benefits.deaths import on_death
from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.other_claims import OpenClaim, _by_id, _settle
from esibook.benefits.sick_child import age_on
from esibook.benefits.survivors_lump_sum import lump_sum_allowed, survivors_lump_sum
from esibook.benefits.survivorship import (
    RELATIONSHIPS,
    Deceased,
    Relative,
    funeral_grant,
    relative_qualifies,
    survivors_monthly,
)
from esibook.dates import vietnam_today
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.people.relatives import kinship, recorded_elsewhere
from esibook.periods import Month

#: The filer's relationship to the deceased, as declared (checked against the records where they say something).
FILER_RELATIONSHIPS = (*RELATIONSHIPS, "sibling", "grandchild", "other_relative")
_FILER_PATTERN = "^(" + "|".join(FILER_RELATIONSHIPS) + ")$"
MAX_RELATIVES = 8


# --- the deceased and the filer ---------------------------------------------------------------------------------


class DeathFacts(PayoutChoice):
    """Who died, when, and how the filer is related (đề nghị của thân nhân)."""

    deceased_personal_id: str = Field(min_length=12, max_length=12)
    relationship: str = Field(pattern=_FILER_PATTERN)
    died_on: date
    occupational_death: bool = False
    """Died of an occupational accident or disease (the scans show it)."""


def _deceased(session: Session, filer: Person, facts: DeathFacts) -> Person:
    number = parse_personal_id(facts.deceased_personal_id).number
    if number == filer.personal_id:
        raise _refuse(
            "claim.deceased_self",
            "name the deceased, not yourself",
            "hãy ghi số định danh của người đã chết, không phải của bạn",
            "deceased_personal_id",
        )
    deceased = session.scalar(select(Person).where(Person.personal_id == number))
    if deceased is None:
        raise _refuse(
            "claim.deceased_unknown",
            "no social insurance book has this personal ID",
            "không có sổ BHXH nào mang số định danh này",
            "deceased_personal_id",
        )
    today = vietnam_today()
    if facts.died_on > today or facts.died_on < deceased.date_of_birth:
        raise _refuse(
            "claim.died_on",
            "the date of death must be a past date, after the person's birth",
            "ngày chết phải là một ngày đã qua, sau ngày sinh",
            "died_on",
        )
    return deceased


def _relationship_checked(session: Session, filer: Person, deceased: Person, declared: str) -> str:
    """``population_records`` when the records show the declared relationship, ``filer_declaration`` when they say
    nothing (the attached papers show it); refused when they show another one."""
    on_record = kinship(session, deceased, filer)
    if on_record == declared:
        return "population_records"
    if (on_record and on_record != "household") or recorded_elsewhere(deceased, filer, declared):
        raise _refuse(
            "claim.relationship",
            f"the population records do not show you as the deceased's {declared.replace('_', ' ')}",
            "cơ sở dữ liệu dân cư không ghi nhận quan hệ thân nhân như đã khai",
            "relationship",
        )
    return "filer_declaration"


def _facts(session: Session, deceased: Person, facts: DeathFacts) -> tuple[Deceased, tuple]:
    drawing_oad = session.scalar(
        select(func.count())
        .select_from(BenefitSettlement)
        .where(BenefitSettlement.person_id == deceased.id, BenefitSettlement.regime == "oad_monthly")
    )
    pension = session.scalars(
        select(BenefitSettlement)
        .where(
            BenefitSettlement.person_id == deceased.id,
            BenefitSettlement.regime == "pension",
            BenefitSettlement.period_from <= facts.died_on,
        )
        .order_by(BenefitSettlement.period_from.desc(), BenefitSettlement.seq.desc())
    ).first()
    history = contribution_history(session, deceased.id, before=Month.from_date(facts.died_on) + 1)
    return Deceased(
        died_on=facts.died_on,
        pensioner=pension is not None,
        occupational_death=facts.occupational_death,
        monthly_pension=pension.amount if pension else 0,
        pension_from=pension.period_from if pension else None,
        oad_monthly=bool(drawing_oad),
    ), history.months


def _paid_once(session: Session, person: Person, regimes: tuple[str, ...], procedure: str, open_claim) -> None:
    if session.scalar(
        select(func.count())
        .select_from(BenefitSettlement)
        .where(BenefitSettlement.person_id == person.id, BenefitSettlement.regime.in_(regimes))
    ):
        raise _refuse(
            "claim.already_settled",
            "this benefit is already settled for this person",
            "chế độ này đã được giải quyết cho người này",
            "form",
        )
    if open_claim(session, person, procedure):
        raise _refuse(
            "claim.pending",
            "a claim of this kind is already being processed for this person",
            "đã có hồ sơ đề nghị chế độ này đang được giải quyết",
            "form",
        )


def _death_form(filer: Person, deceased: Person, facts: DeathFacts, verified: str) -> dict:
    return {
        "deceased_personal_id": deceased.personal_id,
        "deceased_name": deceased.full_name,
        "died_on": facts.died_on.isoformat(),
        "relationship": facts.relationship,
        "relationship_shown_by": verified,
        "occupational_death": facts.occupational_death,
        "filer_personal_id": filer.personal_id,
    }


# --- funeral grant -------------------------------------------------------------------------------------------------


class FuneralClaim(DeathFacts):
    """Đề nghị hưởng trợ cấp mai táng: filed by the relative who arranges the funeral."""


def prepare_funeral(session: Session, filer: Person, form: FuneralClaim, *, open_claim: OpenClaim) -> dict:
    deceased = _deceased(session, filer, form)
    verified = _relationship_checked(session, filer, deceased, form.relationship)
    _paid_once(session, deceased, ("funeral",), "claim_funeral", open_claim)
    facts, months = _facts(session, deceased, form)
    sheet = funeral_grant(months, facts)
    return _worksheet_form(sheet, **_death_form(filer, deceased, form, verified), regime="funeral", total=sheet.result)


# --- survivors' allowance ------------------------------------------------------------------------------------------


class SurvivorsClaim(DeathFacts):
    """Đề nghị hưởng trợ cấp tuất: monthly for the relatives named (by personal ID, each on record as the deceased's
    child, spouse or parent), or the lump sum (to the filer, for the relatives). The flags list the relatives (by
    personal ID) with no one to care for them, with a loss of working capacity of 81% or more, or with an income of
    at least the reference level."""

    choice: str = Field("monthly", pattern="^(monthly|lump_sum)$")
    relatives: list[str] = Field(default_factory=list, max_length=MAX_RELATIVES)
    no_carer: list[str] = Field(default_factory=list, max_length=MAX_RELATIVES)
    disabled: list[str] = Field(default_factory=list, max_length=MAX_RELATIVES)
    with_income: list[str] = Field(default_factory=list, max_length=MAX_RELATIVES)


def _relatives(session: Session, deceased: Person, form: SurvivorsClaim) -> list[tuple[Person, Relative]]:
    numbers = [parse_personal_id(n).number for n in form.relatives]
    if len(set(numbers)) != len(numbers):
        raise _refuse("claim.relatives", "a relative is named twice", "một thân nhân được ghi hai lần", "relatives")
    flags = {
        name: {parse_personal_id(n).number for n in getattr(form, name)}
        for name in ("no_carer", "disabled", "with_income")
    }
    if any(flags[name] - set(numbers) for name in flags):
        raise _refuse(
            "claim.relatives",
            "a flag names someone who is not among the relatives",
            "có người được đánh dấu nhưng không có trong danh sách thân nhân",
            "relatives",
        )
    found = []
    for position, number in enumerate(numbers, start=1):
        person = session.scalar(select(Person).where(Person.personal_id == number))
        relation = kinship(session, deceased, person) if person else None
        if relation not in RELATIONSHIPS:
            raise _refuse(
                "claim.relative_not_on_record",
                f"the population records do not show relative {position} of the list as the deceased's child, "
                "spouse or parent",
                f"cơ sở dữ liệu dân cư không ghi nhận thân nhân thứ {position} là con, vợ hoặc chồng, "
                "cha hoặc mẹ của người chết",
                "relatives",
            )
        found.append(
            (
                person,
                Relative(
                    relationship=relation,
                    age=age_on(person.date_of_birth, form.died_on),
                    sex=person.sex,
                    disabled_81=number in flags["disabled"],
                    low_income=number not in flags["with_income"],
                    no_carer=number in flags["no_carer"],
                    born_on=person.date_of_birth,
                ),
            )
        )
    return found


def prepare_survivors(session: Session, filer: Person, form: SurvivorsClaim, *, open_claim: OpenClaim) -> dict:
    deceased = _deceased(session, filer, form)
    verified = _relationship_checked(session, filer, deceased, form.relationship)
    _paid_once(session, deceased, ("survivors_monthly", "survivors_lump"), "claim_survivors", open_claim)
    facts, months = _facts(session, deceased, form)
    relatives = _relatives(session, deceased, form)
    filed = _death_form(filer, deceased, form, verified)
    if form.choice == "monthly":
        if not relatives:
            raise _refuse(
                "claim.relatives",
                "name the relatives who would receive the monthly allowance",
                "hãy ghi số định danh của các thân nhân hưởng trợ cấp hằng tháng",
                "relatives",
            )
        sheet = survivors_monthly(months, facts, [r for _, r in relatives])
        paid = [
            {"personal_id": person.personal_id, "amount": int(sheet.value(f"relative_{n}")),
             "last_month": sheet.value(f"relative_{n}_until") if sheet.has(f"relative_{n}_until") else None}
            for n, (person, _) in enumerate(relatives, start=1)
            if sheet.has(f"relative_{n}")
        ]
        return _worksheet_form(
            sheet, **filed, choice="monthly", regime="survivors_monthly", paid_relatives=paid, total=sheet.result
        )
    monthly = survivors_monthly(months, facts, [r for _, r in relatives]) if relatives else None
    if monthly is not None and monthly.eligible:
        barred = lump_sum_allowed([r for _, r in relatives if relative_qualifies(r)])
        if barred is not None:
            raise _refuse(
                "claim.lump_sum_not_allowed",
                f"the lump sum cannot be chosen: {barred.en} receives the monthly allowance",
                f"không được chọn trợ cấp tuất một lần: {barred.vi} hưởng trợ cấp hằng tháng",
                "choice",
            )
    sheet = survivors_lump_sum(months, facts)
    return _worksheet_form(sheet, **filed, choice="lump_sum", regime="survivors_lump", total=sheet.result)


def _way_for(filer: Person, relative: Person, form: dict) -> dict:
    """The way the filer named, for a relative's monthly allowance: the filer's own, and that of a relative the
    filer legally represents (not to the filer's own agent); any other relative's months are held until they
    name a way themself (:func:`esibook.access.policy.names_way_for`)."""
    chosen = form.get("payment")
    if not chosen or not policy.names_way_for(filer, relative, agent=chosen.get("authorisation_id") is not None):
        return {}
    return {"payment": chosen}


def approve_death_claim(session: Session, filer: Person, form: dict) -> list[int]:
    """Settle a funeral grant or a survivors' allowance in the deceased's book; the new book version is theirs. The
    death goes on record and ends what was paid to the deceased (:func:`esibook.benefits.deaths.on_death`)."""
    deceased = _by_id(session, form["deceased_personal_id"])
    died = date.fromisoformat(form["died_on"])
    regime = form["regime"]
    on_death(session, deceased, died)
    if regime == "survivors_monthly":
        first = Month.from_date(died) + 1
        clash = BenefitSettlement.regime.in_(("survivors_monthly", "survivors_lump"))
        for paid in form["paid_relatives"]:
            relative = _by_id(session, paid["personal_id"])
            _settle(
                session,
                deceased,
                regime,
                first.first_day(),
                first.last_day(),
                int(paid["amount"]),
                related=relative.id,
                clash=clash & (BenefitSettlement.related_person_id == relative.id),
                form={**_way_for(filer, relative, form), "last_month": paid.get("last_month")},
                beneficiary=relative.id,
            )
        return [deceased.id]
    clash = (
        BenefitSettlement.regime.in_(("survivors_monthly", "survivors_lump"))
        if regime == "survivors_lump"
        else BenefitSettlement.regime == "funeral"
    )
    _settle(session, deceased, regime, died, died, int(form["total"]), related=filer.id, clash=clash, form=form,
            beneficiary=filer.id)
    return [deceased.id]
