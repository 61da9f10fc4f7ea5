"""Lookups (tra cứu) anyone may use without signing in: clinics, SI offices and collection agents, and one's own SI
code (sent to the contact on the record, shown only masked)."""
