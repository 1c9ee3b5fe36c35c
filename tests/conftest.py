"""Shared fixtures: throwaway sites, and the validators every produced feed must pass."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree

HERE = Path(__file__).parent
REPO = HERE.parent
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(HERE / "atom.rng")))
NOW = datetime(2026, 1, 1, tzinfo=UTC)

BASIC_CONFIG = """\
title: Test Site
url: https://example.org/blog/
description: A site for tests.
"""


class Site:
    """A site folder in tmp_path: write site.yaml and posts, then build it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "site.yaml"
        self.posts = root / "posts"
        self.output = root / "public"
        self.posts.mkdir(parents=True)
        self.write_config(BASIC_CONFIG)

    def write_config(self, text: str) -> Path:
        self.config.write_text(textwrap.dedent(text), encoding="utf-8")
        return self.config

    def post(self, name: str, front: str = "", body: str = "Some text.\n", **keys: str) -> Path:
        """Write posts/<name>.md; `keys` are added as front matter lines (title/date default)."""
        values = {"title": name.replace("-", " ").title(), "date": "2024-05-01T09:00:00+02:00"}
        values.update(keys)
        lines = [f"{key}: {value}" for key, value in values.items()]
        text = "---\n" + "\n".join(lines) + "\n" + textwrap.dedent(front) + "---\n" + body
        path = self.posts / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def raw_post(self, name: str, data: bytes | str) -> Path:
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path

    def files(self) -> dict[str, bytes]:
        return feed_files(self.output)


def feed_files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but hidden ones (the lock, temporaries), by relative path."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")


def check_atom(data: bytes) -> feedparser.FeedParserDict:
    """Atom must pass RFC 4287's RELAX NG schema and parse in feedparser without bozo."""
    document = etree.fromstring(data)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def check_rss(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def check_feed(name: str, data: bytes) -> feedparser.FeedParserDict:
    return check_atom(data) if name.endswith("atom.xml") else check_rss(data)


def check_all(files: dict[str, bytes]) -> dict[str, feedparser.FeedParserDict]:
    """Validate every feed file; returns the parsed feeds by path."""
    assert files, "no feeds were produced"
    return {name: check_feed(name, data) for name, data in files.items()}
