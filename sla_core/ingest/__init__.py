"""Reading CRM exports: bytes to a UTF-8 CSV, the typed scan with rejects, mapping, the quality report."""
