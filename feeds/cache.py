"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. The cache remembers,
per post file, its checked front matter (or its problems) under the file's
size, mtime, inode and ctime; and per feed file, a fingerprint of everything
the feed's bytes depend on, with the size and mtime the file had when written.

It is never trusted blindly:
- it lives beside site.yaml (`.feeds-cache/`), never in the output folder, where
  the web server would publish drafts' and scheduled posts' metadata;
- a file that is corrupt, truncated, of another format, written by another
  version of feeds or its renderers, or for another config or posts folder is
  ignored and rebuilt;
- a post modified within two seconds of the cache being written is re-read,
  since its mtime cannot prove it did not change again ("racy" timestamps).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .fields import Person
from .posts import Category, Post
from .problems import Problem, Severity

CACHE_FORMAT = 1
CACHE_DIR = ".feeds-cache"
_RACY_NS = 2_000_000_000
_RENDERERS = ("feeds", "feedgen", "cmarkgfm", "nh3", "lxml", "pyyaml", "python-dateutil")


@dataclass
class BuildCache:
    """Loaded (or empty) cache; `changed` says whether it needs saving."""

    path: Path
    key: str
    written_ns: int = 0
    posts: dict[str, list[Any]] = field(default_factory=dict)
    feeds: dict[str, list[Any]] = field(default_factory=dict)
    changed: bool = False

    # --- posts -------------------------------------------------------------------------

    def post(
        self, relative: str, status: os.stat_result, source: Path
    ) -> tuple[Post | None, list[Problem]] | None:
        """The cached reading of a post file, if its stat proves it unchanged."""
        entry = self.posts.get(relative)
        if entry is None or entry[:4] != _stat_key(status):
            return None
        if status.st_mtime_ns >= self.written_ns - _RACY_NS:
            return None
        try:
            post = None if entry[4] is None else _post_from_json(entry[4], source, status)
            problems = [
                Problem(source, line, message, Severity(severity))
                for line, message, severity in entry[5]
            ]
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        return post, problems

    def remember_post(
        self, relative: str, status: os.stat_result, post: Post | None, problems: list[Problem]
    ) -> None:
        self.posts[relative] = [
            *_stat_key(status),
            None if post is None else _post_to_json(post),
            [[p.line, p.message, p.severity.value] for p in problems],
        ]
        self.changed = True

    def forget_posts_except(self, relatives: set[str]) -> None:
        gone = set(self.posts) - relatives
        for relative in gone:
            del self.posts[relative]
        self.changed = self.changed or bool(gone)

    # --- feeds -------------------------------------------------------------------------

    def feed_is_current(self, target: Path, fingerprint: str) -> bool:
        """True when `target` holds exactly what this fingerprint would render."""
        record = self.feeds.get(str(target))
        if record is None or record[0] != fingerprint:
            return False
        try:
            status = target.stat()
        except OSError:
            return False
        return [status.st_size, status.st_mtime_ns] == record[1:]

    def remember_feed(self, target: Path, fingerprint: str) -> None:
        try:
            status = target.stat()
        except OSError:
            self.feeds.pop(str(target), None)
            return
        self.feeds[str(target)] = [fingerprint, status.st_size, status.st_mtime_ns]
        self.changed = True


def cache_key(config: SiteConfig) -> str:
    """Everything a cached reading or rendering depends on besides the posts themselves."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in _RENDERERS:
        try:
            versions.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name}=?")
    material = (
        "\n".join(
            [
                f"format={CACHE_FORMAT}",
                *versions,
                f"config={config.path}",
                f"posts={config.posts_dir}",
            ]
        ).encode()
        + b"\n"
        + config.path.read_bytes()
    )
    return hashlib.sha256(material).hexdigest()


def load_cache(config: SiteConfig) -> BuildCache:
    """The cache for this config, or an empty one when there is none worth trusting."""
    path = config.path.parent / CACHE_DIR / "build.json"
    try:
        key = cache_key(config)
    except OSError:
        return BuildCache(path, "")
    empty = BuildCache(path, key)
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return empty
    if not (
        isinstance(data, dict)
        and data.get("format") == CACHE_FORMAT
        and data.get("key") == key
        and isinstance(data.get("written_ns"), int)
        and isinstance(data.get("posts"), dict)
        and isinstance(data.get("feeds"), dict)
        and all(isinstance(v, list) and len(v) == 6 for v in data["posts"].values())
        and all(isinstance(v, list) and len(v) == 3 for v in data["feeds"].values())
    ):
        return empty
    return BuildCache(path, key, data["written_ns"], data["posts"], data["feeds"])


def save_cache(cache: BuildCache) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    if not cache.changed:
        return
    data = {
        "format": CACHE_FORMAT,
        "key": cache.key,
        "written_ns": time.time_ns(),
        "posts": cache.posts,
        "feeds": cache.feeds,
    }
    with contextlib.suppress(OSError):
        cache.path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in cache.path.parent.glob(f"{cache.path.name}.*.tmp"):
            leftover.unlink()  # from a killed run
        descriptor, temporary = tempfile.mkstemp(
            dir=cache.path.parent, prefix=f"{cache.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False, separators=(",", ":"))
            os.replace(temporary, cache.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _stat_key(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns]


def _post_to_json(post: Post) -> dict[str, Any]:
    return {
        "slug": post.slug,
        "id": post.id,
        "link": post.link,
        "title": post.title,
        "published": post.published.isoformat(),
        "updated": post.updated.isoformat(),
        "categories": [[c.slug, c.name] for c in post.categories],
        "tags": list(post.tags),
        "author": None if post.author is None else [post.author.name, post.author.email],
        "summary": post.summary,
        "body_line": post.body_line,
        "draft": post.draft,
    }


def _post_from_json(data: dict[str, Any], source: Path, status: os.stat_result) -> Post:
    author = data["author"]
    return Post(
        source=source,
        stamp=(status.st_size, status.st_mtime_ns),
        slug=str(data["slug"]),
        id=str(data["id"]),
        link=str(data["link"]),
        title=str(data["title"]),
        published=_aware(data["published"]),
        updated=_aware(data["updated"]),
        categories=tuple(Category(str(s), str(n)) for s, n in data["categories"]),
        tags=tuple(str(t) for t in data["tags"]),
        author=None if author is None else Person(str(author[0]), author[1]),
        summary=data["summary"],
        body_line=int(data["body_line"]),
        draft=bool(data["draft"]),
    )


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("naive datetime in cache")
    return moment
