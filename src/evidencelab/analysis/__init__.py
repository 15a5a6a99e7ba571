"""Analyses over case data: pure functions over plain values."""
