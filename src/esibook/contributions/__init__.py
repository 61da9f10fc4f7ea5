"""Contributions."""
