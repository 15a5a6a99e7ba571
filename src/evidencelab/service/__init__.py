"""The service layer: what the command line and the web app both call."""
