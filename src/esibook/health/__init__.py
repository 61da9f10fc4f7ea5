"""Health insurance: data group 5 (HI cards, beneficiary groups, benefit levels, clinics, visits)."""
