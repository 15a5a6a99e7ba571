"""One long-lived ExifTool process (``-stay_open``) driven through pyexiftool.

Options, chosen so that the stored dict is complete and machine-readable:

* ``-j`` JSON, ``-G1`` family-1 group names (``IFD0:Make``, ``GPS:GPSLatitude``,
  ``Keys:GPSCoordinates``), ``-a`` keep duplicate tags, ``-n`` numeric values without print
  conversion (``GPS:GPSLatitude`` is unsigned decimal degrees, its sign is in
  ``GPSLatitudeRef``).
* ``:4`` added to ``-G1``: with plain ``-G1 -a`` ExifTool's JSON silently keeps only one of
  two same-named tags in one group (the audio and video stream headers of an AVI, two JPEG
  comments). ``-G1:4`` makes them distinct with a family-4 ``Copy1``, ``Copy2`` … group,
  numbered across all groups (``GPS:Copy1:GPSLatitude`` when a Composite tag of that name
  exists). :func:`keep_duplicate_keys` turns these back into plain ``"Group1:Tag"`` keys, the
  second tag of a name within one group becoming ``"Group1:Tag [2]"`` and so on.
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
import json
import re
from pathlib import Path
from typing import Any

import exiftool

EXIFTOOL_ARGS = ("-G1:4", "-a", "-n", "-api", "largefilesupport=1")

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


_COPY_GROUP = re.compile(r"^([^:]+):Copy\d+:(.+)$")


def keep_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` object hook for ``-G1:4`` output.

    ``"IFD1:Copy1:Make"`` becomes ``"IFD1:Make"``; a name already taken in that group gets a
    ``" [2]"``, ``" [3]"`` … suffix, in ExifTool's (file) order.
    """
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        match = _COPY_GROUP.match(raw_key)
        key = f"{match[1]}:{match[2]}" if match else raw_key
        name, copy = key, 1
        while name in result:
            copy += 1
            name = f"{key} [{copy}]"
        result[name] = value
    return result


def parse_exiftool_json(text: str | bytes) -> Any:
    """Parse ExifTool ``-j`` output without losing duplicate tags."""
    return json.loads(text, object_pairs_hook=keep_duplicate_keys)


class ExifToolRunner:
    """Owns one ExifTool batch process; started lazily, restarted if it dies."""

    def __init__(self, executable: str = "exiftool") -> None:
        self._tool = exiftool.ExifTool(executable=executable, common_args=list(EXIFTOOL_ARGS))
        self._tool.set_json_loads(json.loads, object_pairs_hook=keep_duplicate_keys)

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
    def pid(self) -> int | None:
        """Process id of the running ExifTool, or ``None`` when not started."""
        process = getattr(self._tool, "_process", None)
        return int(process.pid) if self._tool.running and process is not None else None

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
