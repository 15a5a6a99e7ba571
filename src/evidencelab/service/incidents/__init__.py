"""Incidents: listing and the case summary, changes by hand, and the review of their facts."""
