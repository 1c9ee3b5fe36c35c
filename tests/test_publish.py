"""Publishing: atomic replacement, no rewrite of unchanged files, nothing else touched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from feeds import publish as publish_module
from feeds.publish import PublishError, publish


def test_writes_new_files_and_leaves_unchanged_ones_alone(tmp_path: Path) -> None:
    first = publish(tmp_path, {"a.xml": b"one", "sub/b.xml": b"two"})
    assert first.written == ("a.xml", "sub/b.xml") and first.unchanged == ()
    os.utime(tmp_path / "a.xml", (1_000_000, 1_000_000))
    second = publish(tmp_path, {"a.xml": b"one", "sub/b.xml": b"TWO"})
    assert second.written == ("sub/b.xml",) and second.unchanged == ("a.xml",)
    assert (tmp_path / "a.xml").stat().st_mtime == 1_000_000
    assert (tmp_path / "sub/b.xml").read_bytes() == b"TWO"


def test_feeds_are_world_readable(tmp_path: Path) -> None:
    publish(tmp_path, {"a.xml": b"x"})
    assert stat.S_IMODE((tmp_path / "a.xml").stat().st_mode) == 0o644


def test_nothing_else_in_the_folder_is_touched(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("mine")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "atom.xml").write_text("stale")
    publish(tmp_path, {"atom.xml": b"new"})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "atom.xml",
        "index.html",
        "old",
        "old/atom.xml",
    ]
    assert (tmp_path / "old" / "atom.xml").read_text() == "stale"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "atom.xml").write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish_module.os, "fsync", no_space)
    with pytest.raises(PublishError, match=r"atom.xml: cannot write \(the disk is full\)"):
        publish(tmp_path, {"atom.xml": b"new"})
    assert (tmp_path / "atom.xml").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["atom.xml"]


def test_the_new_file_replaces_the_old_one_by_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers see the old or the new file whole: the target is only ever renamed onto."""
    (tmp_path / "atom.xml").write_bytes(b"old")
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        assert Path(target).read_bytes() == b"old"  # untouched until the rename
        renames.append((Path(source).name, Path(target).name))
        real_replace(source, target)

    monkeypatch.setattr(publish_module.os, "replace", spy)
    publish(tmp_path, {"atom.xml": b"new"})
    assert len(renames) == 1 and renames[0][1] == "atom.xml"
    assert renames[0][0].startswith(".feeds-tmp-atom.xml.") and renames[0][0].endswith(".tmp")


@pytest.mark.parametrize("bad", ["../x.xml", "/etc/x.xml", ""])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="would leave the output folder"):
        publish(tmp_path, {bad: b"x"})
