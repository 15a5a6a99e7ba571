"""The ExifTool batch process: a stalled or dead ExifTool costs one file, never the run."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from evidencelab.extract.exiftool_runner import ExifToolError, ExifToolRunner

CORPUS = Path(__file__).parent / "corpus"
GPS_JPG = CORPUS / "exiftool" / "images" / "GPS.jpg"


def fake_exiftool(tmp_path: Path, body: str) -> str:
    """An executable standing in for ExifTool that misbehaves as ``body`` says."""
    script = tmp_path / "exiftool"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_reads_tags_and_reuses_one_process() -> None:
    runner = ExifToolRunner()
    try:
        first = runner.read(GPS_JPG)
        pid = runner.pid
        second = runner.read(GPS_JPG)
        assert first == second
        assert first["File:MIMEType"] == "image/jpeg"
        assert runner.pid == pid is not None
        assert runner.version.count(".") == 1
    finally:
        runner.close()
    assert runner.pid is None


def test_an_exiftool_that_dies_is_an_error_and_is_replaced(tmp_path: Path) -> None:
    runner = ExifToolRunner(fake_exiftool(tmp_path, "read line; exit 3"), timeout_s=30)
    with pytest.raises(ExifToolError, match="exited while reading"):
        runner.read(GPS_JPG)
    assert runner.pid is None  # the next file starts a fresh process
    with pytest.raises(ExifToolError):
        runner.read(GPS_JPG)
    runner.close()


def test_an_exiftool_that_stalls_hits_the_deadline(tmp_path: Path) -> None:
    runner = ExifToolRunner(fake_exiftool(tmp_path, "exec sleep 30"), timeout_s=0.5)
    with pytest.raises(ExifToolError, match=r"took longer than 0\.5 s"):
        runner.read(GPS_JPG)
    assert runner.pid is None
