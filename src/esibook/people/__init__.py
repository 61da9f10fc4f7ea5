"""People: data groups 1–3 (persons, contacts, households)."""
