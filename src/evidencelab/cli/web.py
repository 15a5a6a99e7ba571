"""The web workbench: serve a case, manage users."""
