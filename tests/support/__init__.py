"""Helpers for tests that must not share code with what they test."""
