"""Shared fixtures: throwaway sites, and the validators every produced feed must pass."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import fastfeedparser
import feedparser
import jsonschema
import pytest
from lxml import etree, html

from feeds.cli import main
from feeds.config import SiteConfig, load_config
from feeds.incremental.session import Session
from feeds.model import Post
from feeds.source.reading import Scan, read_posts

HERE = Path(__file__).parent
REPO = HERE.parent
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(HERE / "atom.rng")))
JSON_FEED_SCHEMA = json.loads((HERE / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
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


class Run(NamedTuple):
    """What `feeds build` did when run in-process: its exit code and what it printed."""

    code: int
    output: str
    """What the command printed, stdout and stderr."""

    def lines(self, word: str) -> list[str]:
        return [line for line in self.output.splitlines() if word in line]


Cli = Callable[..., Run]


@pytest.fixture
def feeds(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`feeds build ARGS` in the site's folder, as a user types it."""

    def run(site: Site, *args: str) -> Run:
        monkeypatch.chdir(site.root)
        code = main(["build", *args])
        printed = capsys.readouterr()
        assert "Traceback" not in printed.err
        return Run(code, printed.out + printed.err)

    return run


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


def check_json(data: bytes) -> feedparser.FeedParserDict:
    """JSON Feed 1.1: the schema, the rules it cannot express, and feedparser."""
    document = json.loads(data)
    jsonschema.validate(document, JSON_FEED_SCHEMA)
    ids = [item["id"] for item in document["items"]]
    assert len(ids) == len(set(ids)), "item ids must be unique"
    # Read back as a feed reader would. No released feedparser (6.0.14 is the newest)
    # reads JSON Feed yet, so fastfeedparser, which returns feedparser's shape, does.
    parsed = fastfeedparser.parse(data)
    assert [entry.id for entry in parsed.entries] == ids
    return parsed


def check_opml(data: bytes) -> etree._Element:
    """OPML 2.0: a head with a title, and outlines each naming a feed and its text."""
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title") is not None and root.find("head/title").text
    outlines = root.findall("body/outline")
    assert outlines
    for outline in outlines:
        assert outline.get("text") and outline.get("xmlUrl", "").startswith("http")
        assert outline.get("type") in ("rss", "json")
    return root


def check_page(data: bytes) -> html.HtmlElement:
    page = html.fromstring(data)
    assert page.find(".//title") is not None
    return page


CHECKS = {
    "atom.xml": check_atom,
    "rss.xml": check_rss,
    "feed.json": check_json,
    "feeds.opml": check_opml,
    "index.html": check_page,
}


def check_feed(name: str, data: bytes) -> object:
    check = CHECKS.get(name.rsplit("/", 1)[-1])
    return check(data) if check else None


def check_all(files: dict[str, bytes]) -> dict[str, feedparser.FeedParserDict]:
    """Validate every file written; returns the parsed feeds and pages by path."""
    assert files, "no feeds were produced"
    return {name: check_feed(name, data) for name, data in files.items()}


FEED_NAMES = ("atom.xml", "rss.xml", "feed.json")
PAGES = ["feed.css", "feeds.opml", "index.html"]


def feed_paths(*directories: str) -> list[str]:
    """Every feed file of these stream folders, plus the pages: what a build writes."""
    return sorted([d + name for d in directories for name in FEED_NAMES] + PAGES)


def posts_by_title(config_path: Path) -> dict[str, Post]:
    """The site's posts as feeds reads them, by title; no errors allowed."""
    config, problems = load_config(config_path)
    assert config is not None, [p.format() for p in problems]
    result = read_posts(config)
    assert not [p for p in result.problems if p.is_error], [p.format() for p in result.problems]
    return {post.title: post for post in result.posts}


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per cached run that scanned and planned the whole site (a build without
    the cache scans too, uncounted)."""
    calls: list[int] = []
    scan_posts = Session.scan_posts

    def counted(self: Session, config: SiteConfig) -> Scan:
        calls.append(1)
        return scan_posts(self, config)

    monkeypatch.setattr(Session, "scan_posts", counted)
    return calls
