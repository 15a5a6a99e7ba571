"""Consistency checks and corroboration counts."""
