"""Integrity of a case: verify, records compared with their custody events, figures
re-derived, and the custody log as records."""
