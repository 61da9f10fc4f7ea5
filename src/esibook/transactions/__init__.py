"""Electronic transactions (giao dịch điện tử): dossiers, receipts, the personal e-repository, notifications."""
