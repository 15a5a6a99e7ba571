"""Evidence items, their verification status and the sources they come from."""
