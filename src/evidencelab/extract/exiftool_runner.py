"""One long-lived ExifTool process (``-stay_open``), with a deadline per file.

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

The batch protocol is driven here rather than through pyexiftool: pyexiftool 0.5.6 has no
per-call deadline and, when ExifTool dies mid-file, spins for ever reading an empty pipe;
and it ties the process's life to the thread that started it. Here a file that stalls
ExifTool past the deadline, or makes it exit, costs that file an error and a fresh process.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import subprocess
import time
from pathlib import Path
from typing import Any

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


class ExifToolError(RuntimeError):
    """ExifTool stalled or exited while reading a file."""


class ExifToolRunner:
    """Owns one ExifTool batch process; started lazily, replaced if it stalls or dies."""

    def __init__(self, executable: str = "exiftool", *, timeout_s: float = 60.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._requests = 0

    def read(self, path: Path) -> dict[str, Any]:
        """All tags of one file as ``{"Group1:Tag": value}`` (see module docstring).

        ExifTool's own complaints about the file come back as ``ExifTool:Error`` /
        ``ExifTool:Warning`` entries in the dict, not as exceptions. Raises
        ExifToolError when ExifTool stalls past the deadline or exits.
        """
        stdout = self._execute(["-j", str(path)])
        result = parse_exiftool_json(stdout) if stdout.strip() else []
        if len(result) != 1:
            raise RuntimeError(f"ExifTool returned {len(result)} records for one file")
        return {key: value for key, value in result[0].items() if key not in LOCKER_TAGS}

    @property
    def pid(self) -> int | None:
        """Process id of the running ExifTool, or ``None`` when not started."""
        return self._process.pid if self._process is not None else None

    @property
    def version(self) -> str:
        """ExifTool version string, starting the process if needed."""
        return self._execute(["-ver"]).decode().strip()

    def close(self, *, kill: bool = False) -> None:
        """Stop the ExifTool process, if running: asked to finish, or killed."""
        process, self._process = self._process, None
        if process is None:
            return
        if kill or not _ask_to_finish(process):
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):  # unflushed input to a dead process
                    pipe.close()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self.close()
            self._process = subprocess.Popen(
                [self.executable, "-stay_open", "True", "-@", "-", "-common_args", *EXIFTOOL_ARGS],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        return self._process

    def _execute(self, args: list[str]) -> bytes:
        """Run one command in the batch process; its standard output, without the marker."""
        process = self._start()
        self._requests += 1
        marker = f"{{ready{self._requests}}}".encode()
        # -echo4 writes the marker to stderr after the command, so both streams have an end.
        request = [*args, "-echo4", marker.decode(), f"-execute{self._requests}"]
        assert process.stdin is not None and process.stdout is not None
        assert process.stderr is not None
        try:
            process.stdin.write(("\n".join(request) + "\n").encode())
            process.stdin.flush()
            out, _err = self._read_until(marker, process.stdout.fileno(), process.stderr.fileno())
        except (OSError, ExifToolError):
            self.close(kill=True)  # the next file gets a fresh process
            raise
        return out

    def _read_until(self, marker: bytes, out_fd: int, err_fd: int) -> tuple[bytes, bytes]:
        deadline = time.monotonic() + self.timeout_s
        buffers = {out_fd: bytearray(), err_fd: bytearray()}
        pending = {out_fd, err_fd}
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExifToolError(f"ExifTool took longer than {self.timeout_s:g} s")
            ready, _, _ = select.select(list(pending), [], [], remaining)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise ExifToolError("ExifTool exited while reading the file")
                buffers[fd] += chunk
                if buffers[fd].rstrip().endswith(marker):
                    pending.discard(fd)
        out = bytes(buffers[out_fd]).rstrip()
        return out[: -len(marker)], bytes(buffers[err_fd])


def _ask_to_finish(process: subprocess.Popen[bytes]) -> bool:
    """End ``-stay_open`` politely; False if ExifTool does not finish within 5 s."""
    try:
        assert process.stdin is not None
        process.stdin.write(b"-stay_open\nFalse\n")
        process.stdin.flush()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return True
