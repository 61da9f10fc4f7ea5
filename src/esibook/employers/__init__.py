"""Employers: data group 7 (units, tax codes, regions, legal representatives, contacts)."""
