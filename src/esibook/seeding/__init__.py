"""Synthetic, realistic demo data at any scale."""
