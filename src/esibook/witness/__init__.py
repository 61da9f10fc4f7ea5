"""An independent witness of transparency logs (C2SP tlog-witness, tlog-cosignature): it keeps the latest
checkpoint it cosigned for each log it knows, in its own SQLite file, and cosigns a new one only when a consistency
proof joins it to that one. It never rolls back. Run it with ``esibook witness serve``."""
