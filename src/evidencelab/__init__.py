"""evidencelab: a verifiable pipeline for documenting attacks on civilians."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The version is looked up on first use: importlib.metadata costs a command-line
    # start-up about 30 ms that most commands never need.
    if name != "__version__":
        raise AttributeError(f"module 'evidencelab' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("evidencelab")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"
