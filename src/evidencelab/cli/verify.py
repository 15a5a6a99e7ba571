"""Verification: geolocation records, evidence status, consistency checks, corroboration."""
