"""Case files in and out: import of a case file or archive, and the case exported as a case file."""
