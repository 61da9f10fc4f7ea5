"""Each new book version to the national portals and the VNeID wallet (esibook.portals): pushed once logged, one
push per log batch and system, so bulk issuance makes a push per thousand books, not one per book."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.book.models import BookVersion
from esibook.people.models import Person
from esibook.portals import messages
from esibook.portals.service import enqueue


def versions_logged(session: Session, leaves: list[tuple[int, int, int, str]]) -> None:
    """Queue the pushes of the book versions a log batch just integrated, each ``(person id, version, leaf index,
    SHA-256 of the signed document)``, in the batch's transaction."""
    if not leaves:
        return
    first, last = leaves[0][2], leaves[-1][2]
    # the batch has just numbered its versions: one range of the leaf index reads them all
    found = {(p, v): rest for p, v, *rest in session.execute(
        select(BookVersion.person_id, BookVersion.version, BookVersion.book_id, BookVersion.issued_at,
               func.coalesce(Person.personal_id, Person.passport_no))
        .join(Person, Person.id == BookVersion.person_id)
        .where(BookVersion.leaf_index.between(first, last)))}
    items = []
    for person_id, version, leaf_index, sha256 in leaves:
        if (person_id, version) not in found:  # not a book version (nothing else is pooled with a person today)
            continue
        book_id, issued_at, holder = found[(person_id, version)]
        items.append((person_id, {"personal_id": holder, "book_id": book_id, "version": version, "sha256": sha256,
                                  "issued_at": messages.when(issued_at), "leaf_index": leaf_index}))
    enqueue(session, document_type="book_version", key=f"book:leaves:{first}-{last}", items=items)
