"""Plain typed records and pure name helpers. No I/O lives here."""
