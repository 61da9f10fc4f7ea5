"""Benefits as pure functions over a person's contribution months and dated data, each returning a worksheet.

Every function takes the months it needs (:class:`ContributedMonth`), reads rates, the reference level and the
regional minimum wages from :func:`esibook.contributions.parameters.current_parameters` (or the ``parameters``
given) and the salary adjustment coefficients from ``adjustment_coefficients.json``, and returns a
:class:`Worksheet`: inputs, the rules applied with their legal source, each arithmetic step in Vietnamese and
English, and the ``result`` in VND (0 when the person is not eligible; the notes say why).

The one rounding rule: money is integer VND; each money step is rounded once, half up, to the whole đồng, and
later steps use the rounded figure (see :mod:`esibook.benefits.worksheet`).

- :func:`pension`, :func:`retirement_age`, :func:`one_time_withdrawal` (long-term, :mod:`.long_term`);
- :func:`sickness`, :func:`maternity`, :func:`paternity_leave`, :func:`unemployment` (short-term,
  :mod:`.short_term`);
- :func:`funeral_grant`, :func:`survivors_monthly`, :func:`survivors_lump_sum` (survivorship, :mod:`.survivorship`);
- :func:`sick_child` (caring for a sick child, :mod:`.sick_child`);
- :func:`occupational` (occupational accident and disease, :mod:`.occupational`);
- :func:`arithmetic_errors` checks that a worksheet adds up.
"""

from __future__ import annotations

from esibook.benefits.coefficients import AdjustmentTable, AdjustmentTables, current_coefficients
from esibook.benefits.long_term import RetirementAge, one_time_withdrawal, pension, retirement_age
from esibook.benefits.months import COMPULSORY, VOLUNTARY, ContributedMonth
from esibook.benefits.occupational import occupational
from esibook.benefits.short_term import PATERNITY_CASES, maternity, paternity_leave, sickness, unemployment
from esibook.benefits.sick_child import sick_child
from esibook.benefits.survivors_lump_sum import survivors_lump_sum
from esibook.benefits.survivorship import Deceased, Relative, funeral_grant, survivors_monthly
from esibook.benefits.worksheet import Step, Text, Worksheet, arithmetic_errors, counted_years, evaluate, round_vnd

__all__ = [
    "COMPULSORY",
    "PATERNITY_CASES",
    "VOLUNTARY",
    "AdjustmentTable",
    "AdjustmentTables",
    "ContributedMonth",
    "Deceased",
    "Relative",
    "RetirementAge",
    "Step",
    "Text",
    "Worksheet",
    "arithmetic_errors",
    "counted_years",
    "current_coefficients",
    "evaluate",
    "funeral_grant",
    "occupational",
    "sick_child",
    "survivors_lump_sum",
    "survivors_monthly",
    "maternity",
    "one_time_withdrawal",
    "paternity_leave",
    "pension",
    "retirement_age",
    "round_vnd",
    "sickness",
    "unemployment",
]
