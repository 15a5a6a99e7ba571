"""One long-lived ExifTool process (``-stay_open``) driven through pyexiftool.

Options, chosen so that the stored dict is complete and machine-readable:

* ``-j`` JSON, ``-G1`` family-1 group names (``IFD0:Make``, ``GPS:GPSLatitude``,
  ``Keys:GPSCoordinates``), ``-a`` keep duplicate tags (e.g. ``IFD0:Make`` and
  ``IFD1:Make``), ``-n`` numeric values without print conversion (``GPS:GPSLatitude`` is
  unsigned decimal degrees, its sign is in ``GPSLatitudeRef``).
* ``-api largefilesupport=1`` so that videos over 2 GiB are read.

ExifTool's JSON writer emits any value that looks like a number as a JSON number, so a
``Software`` tag ``"12.3"`` is stored as ``12.3``.

Tags describing the locker copy rather than the evidence (file name, directory, file-system
dates and permissions) are dropped: they differ for every copy of the same bytes.

pyexiftool 0.5.6 has no per-call timeout (its reader waits on ``select`` without a
deadline), so a file that stalls ExifTool stalls the caller; run extraction in a worker
process that can be abandoned if that matters.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import exiftool

EXIFTOOL_ARGS = ("-G1", "-a", "-n", "-api", "largefilesupport=1")

# Properties of the stored copy, not of the evidence.
LOCKER_TAGS = frozenset(
    {
        "SourceFile",
        "System:FileName",
        "System:Directory",
        "System:FileModifyDate",
        "System:FileAccessDate",
        "System:FileInodeChangeDate",
        "System:FilePermissions",
    }
)


class ExifToolRunner:
    """Owns one ExifTool batch process; started lazily, restarted if it dies."""

    def __init__(self, executable: str = "exiftool") -> None:
        self._tool = exiftool.ExifTool(executable=executable, common_args=list(EXIFTOOL_ARGS))

    def read(self, path: Path) -> dict[str, Any]:
        """All tags of one file as ``{"Group1:Tag": value}`` (see module docstring).

        ExifTool's own complaints about the file come back as ``ExifTool:Error`` /
        ``ExifTool:Warning`` entries in the dict, not as exceptions.
        """
        if not self._tool.running:
            self._tool.run()
        try:
            result: list[dict[str, Any]] = self._tool.execute_json(str(path))
        except Exception:
            # A dead or confused process: restart so the next file gets a clean one.
            self.close()
            raise
        if len(result) != 1:
            raise RuntimeError(f"ExifTool returned {len(result)} records for one file")
        return {key: value for key, value in result[0].items() if key not in LOCKER_TAGS}

    @property
    def version(self) -> str:
        """ExifTool version string, starting the process if needed."""
        if not self._tool.running:
            self._tool.run()
        return str(self._tool.version)

    def close(self) -> None:
        """Stop the ExifTool process, if running."""
        if self._tool.running:
            # terminate() can fail on an already dead process; nothing is left to clean up.
            with contextlib.suppress(Exception):
                self._tool.terminate()
