"""Benefits."""
