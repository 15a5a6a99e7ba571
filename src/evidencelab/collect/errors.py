"""The one refusal of the collect layer."""


class CaptureRefused(Exception):
    """The URL cannot be captured, and why (one line, without the URL: the caller names
    it)."""
