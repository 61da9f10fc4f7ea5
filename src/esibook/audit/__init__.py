"""Audit: the append-only, hash-chained record of every change and sign-in (nhật ký kiểm toán)."""
