"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. Two files, beside
site.yaml in `.feeds-cache/`:

- `state.json` (small): a digest of the posts tree (every file's name, size,
  mtime, inode and ctime), when the next scheduled post falls due, and the last
  run's feeds with each file's fingerprint, size and mtime. A run whose tree
  digest matches, before the next post falls due, with every feed file as it
  was written, has nothing to do: it replays the last run's warnings and counts.
- `posts-NN.pickle`: per post file, its checked front matter (or its problems)
  under its stat, in 32 files by a hash of the path (an edit rewrites one).
  Loaded only when something changed, so only changed posts are read.
  A pickle, because 10,000 posts load from it in a fraction of the time JSON
  takes to be turned back into posts. Its SHA-256 comes first, so damage is
  noticed; it is read by an unpickler that can make only posts' parts, dates and
  plain values, so a planted file cannot run code.

It is never trusted blindly:
- it lives beside site.yaml, never in the output folder, where the web server
  would publish drafts' and scheduled posts' metadata;
- a file that is corrupt, truncated, of another format, or written for another
  config, posts folder, or version of feeds' code or renderers is ignored;
- a post modified within two seconds of the cache being written is re-read,
  since its mtime cannot prove it did not change again ("racy" timestamps).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import time
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.util import find_spec
from itertools import chain
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .posts import Listing, Post, PostRecord, Stamp, post_from_record, post_record
from .problems import Problem, Severity

CACHE_FORMAT = 4
CACHE_DIR = ".feeds-cache"
_RACY_NS = 2_000_000_000
POSTS_SHARDS = 32
"""The per-post readings are split over this many files by a hash of the post's
path, so an edit rewrites one small file, not the readings of the whole site."""
_CHECKSUM_BYTES = 32  # the SHA-256 of the pickle, in front of it
PostEntry = tuple[Stamp, PostRecord | None, list[tuple[int | None, str, str]]]
"""A post file's stat, its post (or None) and its problems as (line, message, severity)."""
_LIBRARIES = ("feedgen", "cmarkgfm", "nh3", "lxml", "yaml", "dateutil")


@dataclass
class LastRun:
    """What the last complete, error-free run saw and wrote."""

    tree: str
    next_due_ns: int | None
    out_dir: str
    posts: int
    feeds: dict[str, str]  # relative path -> fingerprint
    warnings: list[list[Any]]  # [path, line, message, severity]: warnings and notes


@dataclass
class BuildCache:
    """Loaded (or empty) cache. Per-post readings are loaded on first use."""

    folder: Path
    key: str
    last_run: LastRun | None = None
    feeds: dict[str, list[Any]] = field(default_factory=dict)  # abs path -> [fp, size, mtime]
    pending_pings: list[str] = field(default_factory=list)  # feed URLs the hub has not heard of
    _shards: list[dict[str, PostEntry]] | None = None
    _shards_written_ns: list[int] = field(default_factory=list)
    _changed_shards: set[int] = field(default_factory=set)

    # --- the whole run -------------------------------------------------------------------

    def replay(self, tree: str, now: datetime, out_dir: Path) -> LastRun | None:
        """The last run, if this one would do exactly the same and find every feed in place."""
        last = self.last_run
        if last is None or last.tree != tree or last.out_dir != str(out_dir):
            return None
        if last.next_due_ns is not None and _ns(now) >= last.next_due_ns:
            return None
        for relative, fingerprint in last.feeds.items():
            if not self.feed_is_current(out_dir / relative, fingerprint):
                return None
        return last

    def remember_run(self, last_run: LastRun | None) -> None:
        self.last_run = last_run

    # --- posts -------------------------------------------------------------------------

    @property
    def shards(self) -> list[dict[str, PostEntry]]:
        if self._shards is None:
            folder, key = self.folder, self.key
            loaded = [_load_posts(posts_file(folder, n), key) for n in range(POSTS_SHARDS)]
            self._shards = [shard for shard, _ in loaded]
            self._shards_written_ns = [written_ns for _, written_ns in loaded]
        return self._shards

    def post(
        self, relative: str, stamp: Stamp, path: str
    ) -> tuple[Post | None, list[Problem]] | None:
        """The cached reading of a post file, if its stat proves it unchanged."""
        number = _shard_of(relative)
        entry = self.shards[number].get(relative)
        if entry is None or entry[0] != stamp:
            return None
        mtime_ns = stamp[1]
        if mtime_ns >= self._shards_written_ns[number] - _RACY_NS:
            return None
        try:
            post = None if entry[1] is None else post_from_record(entry[1], path, stamp)
            problems = [
                Problem(Path(path), line, message, Severity(severity))
                for line, message, severity in entry[2]
            ]
        except (TypeError, ValueError, IndexError):
            return None
        return post, problems

    def remember_post(
        self, relative: str, stamp: Stamp, post: Post | None, problems: list[Problem]
    ) -> None:
        number = _shard_of(relative)
        self.shards[number][relative] = (
            stamp,
            None if post is None else post_record(post),
            [(p.line, p.message, p.severity.value) for p in problems],
        )
        self._changed_shards.add(number)

    def forget_posts_except(self, relatives: set[str]) -> None:
        for number, shard in enumerate(self.shards):
            gone = shard.keys() - relatives
            for relative in gone:
                del shard[relative]
            if gone:
                self._changed_shards.add(number)

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


def tree_digest(listing: Listing) -> str:
    """Changes whenever a post file is added, removed, renamed or touched."""
    files = listing.files
    digest = hashlib.sha256("\0".join([post_file.relative for post_file in files]).encode())
    # The stamps as one array of integers: formatting 10,000 tuples took 20 ms.
    unstated = (-1, -1, -1, -1)  # no file has a negative size
    stamps = chain.from_iterable([post_file.stamp or unstated for post_file in files])
    digest.update(array("q", stamps).tobytes())
    for problem in listing.problems:
        digest.update(f"{problem.path}\0{problem.message}\n".encode())
    return digest.hexdigest()


def cache_key(config: SiteConfig) -> str:
    """Everything a cached reading or rendering depends on besides the posts themselves:
    the config's bytes and where it is, and the code of feeds and of the libraries
    that render (by their files' stat: importing them to ask their version would
    cost more than a no-change run may take)."""
    material = [f"format={CACHE_FORMAT}", f"config={config.path}", f"posts={config.posts_dir}"]
    package = Path(__file__).parent
    material += [f"{p.name}={_file_stamp(p)}" for p in sorted(package.glob("*.py"))]
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        material.append(f"{name}={origin}={_file_stamp(Path(origin)) if origin else None}")
    digest = hashlib.sha256("\n".join(material).encode())
    digest.update(config.path.read_bytes())
    return digest.hexdigest()


def load_cache(config: SiteConfig) -> BuildCache:
    """The cache for this config, or an empty one when there is none worth trusting."""
    folder = config.path.parent / CACHE_DIR
    try:
        key = cache_key(config)
    except OSError:
        return BuildCache(folder, "")
    empty = BuildCache(folder, key)
    data = _load_json(folder / "state.json", key)
    if data is None:
        return empty
    try:
        feeds = data["feeds"]
        if not all(isinstance(v, list) and len(v) == 3 for v in feeds.values()):
            return empty
        last = data["last_run"]
        last_run = None if last is None else LastRun(**last)
        if last_run is not None and not (
            isinstance(last_run.feeds, dict) and isinstance(last_run.warnings, list)
        ):
            return empty
    except (KeyError, TypeError, AttributeError):
        return empty
    pending = data.get("pending_pings", [])
    if not (isinstance(pending, list) and all(isinstance(url, str) for url in pending)):
        pending = []
    return BuildCache(folder, key, last_run, feeds, pending)


def save_cache(cache: BuildCache) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    written_ns = time.time_ns()
    last = cache.last_run
    state = {
        "format": CACHE_FORMAT,
        "key": cache.key,
        "written_ns": written_ns,
        "last_run": None if last is None else last.__dict__,
        "feeds": cache.feeds,
        "pending_pings": cache.pending_pings,
    }
    with contextlib.suppress(OSError):
        cache.folder.mkdir(parents=True, exist_ok=True)
        for number in sorted(cache._changed_shards):
            assert cache._shards is not None
            posts = {"format": CACHE_FORMAT, "key": cache.key, "written_ns": written_ns}
            posts["posts"] = cache._shards[number]
            encoded = pickle.dumps(posts, protocol=5)
            target = posts_file(cache.folder, number)
            _write_atomically(target, hashlib.sha256(encoded).digest() + encoded)
        # One C-encoded string and one write: json.dump streams small chunks through Python.
        encoded = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _write_atomically(cache.folder / "state.json", encoded)


def posts_file(folder: Path, number: int) -> Path:
    return folder / f"posts-{number:02d}.pickle"


def _shard_of(relative: str) -> int:
    return zlib.crc32(relative.encode()) % POSTS_SHARDS


def _load_posts(path: Path, key: str) -> tuple[dict[str, PostEntry], int]:
    """The readings and when they were written (racy mtimes are judged against that)."""
    try:
        stored = path.read_bytes()
        checksum, encoded = stored[:_CHECKSUM_BYTES], memoryview(stored)[_CHECKSUM_BYTES:]
        if hashlib.sha256(encoded).digest() != checksum:
            return {}, 0  # damaged on disk, or changed by hand
        data = _PostsUnpickler(io.BytesIO(encoded)).load()
    except _UNREADABLE:
        return {}, 0
    if not _is_ours(data, key) or not isinstance(posts := data.get("posts"), dict):
        return {}, 0
    return posts, data["written_ns"]


_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, LookupError)
_UNREADABLE += (AttributeError, ImportError, MemoryError, RecursionError)
"""How reading a file that is not one of our pickles can fail: each damage its own way."""


class _PostsUnpickler(pickle.Unpickler):
    """Makes nothing but what `post_record` holds: a cache file written by anyone
    else can at worst be wrong, which its key and each record's check then catch."""

    ALLOWED = frozenset(
        {
            ("datetime", "datetime"),
            ("datetime", "timezone"),
            ("datetime", "timedelta"),
            ("zoneinfo", "ZoneInfo._unpickle"),
            ("feeds.posts", "Category"),
            ("feeds.fields", "Person"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def _load_json(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if _is_ours(data, key) else None


def _is_ours(data: object, key: str) -> bool:
    """Written by this version of feeds for this config (see `cache_key`)."""
    return (
        isinstance(data, dict)
        and data.get("format") == CACHE_FORMAT
        and data.get("key") == key
        and isinstance(data.get("written_ns"), int)
    )


def _write_atomically(path: Path, encoded: bytes) -> None:
    for leftover in path.parent.glob(f"{path.name}.*.tmp"):
        leftover.unlink()  # from a killed run
    import tempfile  # with shutil, bz2 and lzma: 4 ms a no-change run does not need

    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(encoded)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _file_stamp(path: Path) -> str:
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000_000)


def next_due_ns(posts: Iterable[Post], now: datetime) -> int | None:
    """When the earliest scheduled post falls due or a post expires: until then, time
    changes no feed."""
    due = [
        moment
        for post in posts
        if not post.draft
        for moment in (post.published, post.expires)
        if moment is not None and moment > now
    ]
    return _ns(min(due)) if due else None
