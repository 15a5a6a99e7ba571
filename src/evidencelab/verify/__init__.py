"""Verification: chronolocation by the sun and shadows, and other checks on evidence."""
