"""The access rules as a person reads them: who may read and do what, and how a refusal answers (the table of
docs/access.md, checked word for word by a test). The rules themselves are :mod:`esibook.access.policy`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One line of the access table in docs/access.md."""

    caller: str
    may: str
    refused_as: str


RULES: tuple[Rule, ...] = (
    Rule(
        "anyone (public)",
        "verify a document or card, the trust list, status list and log (hashes only); no "
        "personal data, no holder's name",
        "—",
    ),
    Rule(
        "holder of a share link",
        "the one extract the person chose, with the passcode; 5 wrong passcodes lock the link, even in parallel",
        "wrong passcode: 400; locked, expired or revoked: 404",
    ),
    Rule(
        "person, VNeID level 1",
        "who they are and their status (HI card valid until, participating now)",
        "any personal data, role or filing: 403 `access.level2_required`",
    ),
    Rule(
        "citizen, VNeID level 2",
        "all 7 groups of their own record, book, card, repository, inbox, dossiers, "
        "visits, estimates; persons they legally represent",
        "someone else: 404",
    ),
    Rule(
        "person authorised by another (ủy quyền), level 2",
        "file the procedures the authorisation names for the person who gave it (the dossier is theirs), "
        "or receive a benefit for them, until its end date, unless revoked; every use in the grantor's access log",
        "revoked, expired or out of scope: 403 (logged); someone else's authorisation: 404",
    ),
    Rule(
        "officer (civil / defence / security), level 2",
        "persons and dossiers **of their own authority**, with a "
        "purpose code; never acts on their own record, someone they represent, or a dossier they filed or "
        "that names them",
        "another authority's person: 404; own case: 403 `access.own_case`",
    ),
    Rule(
        "officer of Vietnam Social Security (civil) with the reference_data permission, level 2",
        "load the national register of HI clinics (reference data, no personal data): a preview, then the import",
        "no permission: 403 `access.reference_data_permission`; another authority: 403 "
        "`access.reference_data_authority`",
    ),
    Rule(
        "employer representative, level 2",
        "the employer they represent; groups 1 and 4 of its **current** employees (group 4 only for that employer)",
        "not their employer: 403; former or other employee: 404",
    ),
    Rule(
        "clinic staff, level 2",
        "HI card check-in (the same rule as check-in) and visits at their facility",
        "not clinic staff: 403",
    ),
    Rule(
        "connected system",
        "the data groups granted, for a granted purpose, of persons of its authority; a "
        "purpose that needs consent only with the person's approval",
        "group, purpose or consent missing: 403 (logged); other authority: 404",
    ),
)


def rules_table() -> str:
    """The rules as the Markdown table docs/access.md carries."""
    lines = ["| caller | may | refused as |", "|---|---|---|"]
    lines += [f"| {r.caller} | {r.may} | {r.refused_as} |" for r in RULES]
    return "\n".join(lines)
