"""What the fields of a filed form are called on a page (an officer's review, a filer's dossier): the data groups'
names first (``people.labels.FIELD_LABELS``), then these, which only dossiers have. Message ids are English; the
Vietnamese is in the catalogue."""

from __future__ import annotations

from esibook.people.labels import FIELD_LABELS
from esibook.text import N_

DOSSIER_LABELS: dict[str, str] = {
    "employees": N_("Employees listed"),
    "leavers": N_("Leavers"),
    "adjustments": N_("Changes"),
    "from_month": N_("From month"),
    "to_month": N_("To month"),
    "last_month": N_("Last month"),
    "leave_month": N_("Month of the leave"),
    "birth_month": N_("Month of the birth"),
    "termination_month": N_("Month the contract ended"),
    "salary": N_("Salary"),
    "income": N_("Chosen monthly income"),
    "reason": N_("Reason"),
    "children": N_("Children born"),
    "copies": N_("Copies"),
    "delivery": N_("Delivery"),
    "book_number": N_("Paper book number"),
    "note": N_("Note"),
    "other_si_code": N_("The other SI code"),
    "payment_months": N_("Months paid at a time"),
    "support_category": N_("State support category"),
    "initial_clinic_code": N_("Initial clinic"),
    "to_authority": N_("To authority"),
    "from_authority": N_("From authority"),
    "field": N_("Field to correct"),
    "value": N_("Correct value"),
    "checked_against": N_("Checked against"),
    "from_clinic": N_("From clinic"),
    "to_clinic": N_("To clinic"),
    "clinic_name": N_("Clinic"),
    "monthly_contribution": N_("Monthly contribution"),
    "monthly_state_support": N_("Monthly state support"),
    "monthly_payable": N_("Payable each month"),
    "payable_per_period": N_("Payable per payment"),
    "supported_months": N_("Months with state support"),
    "support_months_used_before": N_("Months already supported"),
    "support_note": N_("Why state support stops"),
    "support_note_en": N_("Why state support stops (English)"),
    "rate_basis_points": N_("Rate (basis points)"),
    "parameters_version": N_("Parameters version"),
    "months": N_("Months"),
    "reference_level": N_("Reference level"),
    "order": N_("Order in the household"),
    "monthly": N_("Monthly"),
    "worksheet": N_("Worksheet"),
    "periods": N_("Periods"),
    "overlaps": N_("Overlapping periods"),
    "keep": N_("Kept"),
    "converted_documents": N_("Converted documents"),
    "seq": N_("No."),
    "deceased_personal_id": N_("Personal ID number of the deceased"),
    "deceased_name": N_("Name of the deceased"),
    "died_on": N_("Date of death"),
    "relationship_shown_by": N_("Relationship shown by"),
    "occupational_death": N_("Died of an occupational accident or disease"),
    "filer_personal_id": N_("Filer's personal ID number"),
    "choice": N_("Allowance"),
    "relatives": N_("Relatives"),
    "paid_relatives": N_("Relatives paid"),
    "no_carer": N_("No one to care for them"),
    "disabled": N_("Loss of working capacity of 81% or more"),
    "with_income": N_("With an income"),
    "child_personal_id": N_("The child's personal ID number"),
    "kind": N_("Kind"),
    "event_month": N_("Month of the accident or diagnosis"),
    "assessed_month": N_("Month of the assessment"),
    "loss": N_("Loss of working capacity (%)"),
    "regime": N_("Benefit"),
    "first_month": N_("First month of pension"),
    "lump_sum": N_("Lump sum at retirement"),
    "payment": N_("How it is paid"),
    "authorisation_id": N_("Authorisation"),
    "paid_to": N_("Paid to"),
    "method": N_("How"),
    "bank_code": N_("Bank"),
    "account_number": N_("Account number"),
    "post_office": N_("Post office (for cash)"),
}

#: Every label a dossier page may show, the data groups' first.
FORM_LABELS: dict[str, str] = {**DOSSIER_LABELS, **FIELD_LABELS}

#: Fields that hold an amount of money (shown as 7.200.000 ₫).
AMOUNTS = frozenset(
    {"salary", "salary_basis", "income", "amount", "total", "monthly", "monthly_contribution",
     "monthly_state_support", "monthly_payable", "payable_per_period", "reference_level", "paid_amount",
     "lump_sum"}
)
#: Fields that hold a month (shown as 11/2026).
MONTHS = frozenset(
    {"from_month", "to_month", "last_month", "leave_month", "birth_month", "termination_month", "month", "from", "to",
     "event_month", "assessed_month", "first_month"}
)

#: The order a reader expects: who, then the job, then the money and the months; anything else after, as filed.
ORDER = (
    "full_name", "personal_id", "date_of_birth", "sex", "card_code", "household_code", "relationship",
    "job_title", "position", "workplace", "unit_code", "employer", "salary", "income", "from_month", "from",
    "to_month", "to", "last_month", "reason",
)
_RANK = {key: i for i, key in enumerate(ORDER)}


def readable(value):
    """A filed form laid out for reading: keys in :data:`ORDER`, in a list of rows the columns that are empty in
    every row left out, and a bank account number masked (its last 4 digits)."""
    if isinstance(value, dict):
        return {k: _masked(k, readable(value[k])) for k in sorted(value, key=lambda k: _RANK.get(k, len(ORDER)))}
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        rows = [readable(row) for row in value]
        keep = [k for k in rows[0] if any(row.get(k) not in (None, "") for row in rows)]
        return [{k: row.get(k) for k in keep} for row in rows]
    return value


def _masked(key: str, value):
    if key == "account_number" and isinstance(value, str) and value:
        return "••••" + value[-4:]
    return value
