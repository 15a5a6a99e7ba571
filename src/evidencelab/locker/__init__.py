"""The evidence locker: preserved originals, the custody log, and integrity verification."""
