"""Satellite imagery: scenes, chips, before/after comparison, catalogue search."""
