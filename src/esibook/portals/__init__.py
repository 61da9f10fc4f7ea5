"""Pushing documents to the national portals and the VNeID wallet (docs/portals.md)."""
