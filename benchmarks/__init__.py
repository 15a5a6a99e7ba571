"""Benchmarks: each measures evidencelab against a named baseline in the same run."""
