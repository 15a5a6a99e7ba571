"""Whole-or-nothing writes (store.atomic): a reader sees the old file or the new one, and a
writer that fails leaves the old one and no temporary file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencelab.store.atomic import replacing, write_bytes_atomic, write_text_atomic


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_text_atomic(target, "old")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_failed_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"old bundle")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_bytes(b"half a zip")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old bundle"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip"]


def test_two_writers_get_their_own_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "case.yaml"
    with replacing(target) as first, replacing(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        first.write_text("first")
        second.write_text("second")
    # The outer block ends last, so its file is the one left.
    assert target.read_text() == "first"
