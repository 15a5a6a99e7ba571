"""Verification runs over a case: consistency checks, near-duplicates, geolocation records,
chronolocation and the findings that store them."""
