"""Geographic context in the case: map extracts, objects added by hand, queries."""
