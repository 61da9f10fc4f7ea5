"""Access: who is calling (login, roles, the three authorities, access log)."""
