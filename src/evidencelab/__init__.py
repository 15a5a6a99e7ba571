"""evidencelab: a verifiable pipeline for documenting attacks on civilians."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evidencelab")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
