"""Publishing: reports and exports built from a case."""
