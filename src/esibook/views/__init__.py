"""Views: what combines several contexts, on the floor above the contexts: the 7-group view of a person
(person.py), what each caller may read of a person, logged (access.py), share links (sharing.py), the clinic's
check-in (checkin.py: the card with the book's status), online verification (verification.py) and the verifier's
verdict as a page shows it (verdict.py)."""
