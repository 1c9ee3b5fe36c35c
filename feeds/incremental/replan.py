"""Planning after an edit without the rest of the site: the last run's plan, redone.

A cron run after an editor fixed a typo must not load 10,000 cached readings
and sort them all again to learn that every feed holds the same posts in the
same order. When each changed file is a post that was already there and whose
`plan_key` (everything that decides which feeds show it, where, and whether it
clashes with another post) and problems are as before, the last run's streams
still hold: only the changed posts' entries differ. Then the subscription
streams are rebuilt from the saved plan (which keeps the readings of their
posts only) with the changed posts swapped in, and archive pages, whose posts
did not change, are kept as they are. The saved posts' media are as the last run
found them, so every media file it looked at must be as it was; the changed
posts' are found again, as the full path finds them.

Anything else falls back to the full path, which is always right: a file added,
removed or renamed, a media file added, replaced or removed, a changed date, slug,
category, tag, author or draft flag, a new or fixed problem (a media file's too),
an edited post on an archive page, a scheduled post falling due, an archive page
not as it was written, or a plan that is missing, damaged or from another tree.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from ..config import SiteConfig
from ..dates import instant
from ..model import Post, PostKey, Problem, Stream
from ..plan.streams import Archive
from ..source.listing import Listing, PostFile
from ..source.media import find_media, media_seen
from ..source.post import read_post
from ..source.reading import key_of
from .records import (
    located_rows,
    post_from_record,
    post_record,
    problem_rows,
    problems_from_located_rows,
    reading_entry,
)
from .rows import POSTS_SHARDS
from .state import utf8
from .store import BuildCache, PostsTree, SavedPlan

MAX_CHANGED_SHARDS = POSTS_SHARDS // 4
"""Beyond this many changed files of readings, the full path is about as quick."""


class Replan(NamedTuple):
    """The last run's plan with this run's changes: what `build` needs of the posts."""

    streams: list[Stream]
    """The subscription streams, exactly as the full path would plan them; archive
    pages are the last run's (see `LastRun.feeds`)."""
    shown: dict[str, Post]
    """Their posts, whole, by source."""
    problems: tuple[Problem, ...]
    posts: int
    next_change: int | None
    plan: SavedPlan
    """The plan to save for the next run."""
    media: dict[str, list[int] | None]
    """The media files to watch for the next run (see `LastRun.media`)."""


TEXT_FIELDS = frozenset(
    {"source", "stamp", "title", "updated", "summary", "body_line"}
    | {"media", "image", "banner", "attachments"}
)
"""The fields of a post that only its entries show: an edit of these leaves the plan as
it was. Every other field, a new one too, may decide a post's feeds."""
_PLAN_FIELDS = [index for index, name in enumerate(Post._fields) if name not in TEXT_FIELDS]


def plan_key(post: Post) -> tuple[Any, ...]:
    """What decides a post's feeds, its place in them and its clashes: not its text."""
    return tuple(post[index] for index in _PLAN_FIELDS)


def save_plan(
    streams: list[Stream],
    archives: Iterable[Archive],
    shown: Mapping[str, Post],
    problems: tuple[Problem, ...],
    tree: PostsTree,
) -> SavedPlan:
    """The plan of a full run: `streams` and `archives` as `plan_streams` made them,
    `shown` the streams' posts whole."""
    codes = {_code(key.source) for archive in archives for key in archive.archived}
    return _plan(streams, shown, array("I", sorted(codes)).tobytes(), problems, tree)


def is_archived(plan: SavedPlan, source: str) -> bool:
    """Whether the post at `source` is on an archive page of `plan`, or its source's
    CRC-32 is that of one that is (see `SavedPlan.archived`)."""
    codes, code = memoryview(plan.archived).cast("I"), _code(source)
    at = bisect_left(codes, code)
    return at < len(codes) and codes[at] == code


def _code(source: str) -> int:
    return zlib.crc32(utf8(source))


def _plan(
    subscription: list[Stream],
    shown: Mapping[str, Post],
    archived: bytes,
    problems: tuple[Problem, ...],
    tree: PostsTree,
) -> SavedPlan:
    return SavedPlan(
        tree=tree.digest,
        shard_trees=tree.shard_digests,
        streams=[_stored(stream) for stream in subscription],
        archived=archived,
        records={
            key.source: post_record(shown[key.source]) for s in subscription for key in s.posts
        },
        problems=located_rows(problems),
    )


def _stored(stream: Stream) -> tuple[Any, ...]:
    """The stream's fields, its posts by their sources."""
    return tuple(
        tuple(post.source for post in stream.posts) if name == "posts" else value
        for name, value in zip(Stream._fields, stream, strict=True)
    )


def replan(cache: BuildCache, tree: PostsTree, config: SiteConfig, now: datetime) -> Replan | None:
    """The last run's plan updated for the posts edited since, or None for the full path.

    Reads only the changed files, and remembers their readings in `cache`.
    """
    last, plan = cache.state.last_run, cache.plan
    if last is None or plan is None or plan.tree != last.tree or last.falls_due(instant(now)):
        return None
    if not last.media_unchanged(config.path.parent):
        return None  # the saved posts' media are no longer what the full path finds
    changed = _changed_files(cache, tree, plan)
    if changed is None:
        return None
    readings = {f: read_post(f.path, config, f.stamp) for f in changed}
    fresh: dict[str, Post] = {}
    for post_file, (post, problems) in readings.items():
        post = None if post is None else _as_planned(cache, post_file, post, problems, plan, config)
        if post is None:
            return None
        if post.refs:
            post = _with_links(post, plan)
            if post is None:
                return None
        fresh[post.source] = post
    try:
        streams, shown = _streams(plan, tree.listing, fresh, config)
    except (TypeError, ValueError, KeyError):
        return None  # a plan of another shape
    cache.remember_readings(
        (post_file.relative, reading_entry(post_file.stamp, reading))
        for post_file, reading in readings.items()
        if post_file.stamp is not None
    )
    planned_problems = problems_from_located_rows(plan.problems)
    new_plan = _plan(streams, shown, plan.archived, planned_problems, tree)
    # The last run's files, unchanged, and the edited posts': a file only an edited
    # post's old reading named is watched until the next full read, at worst causing one.
    media = dict(last.media)
    for post in fresh.values():
        media |= media_seen(post, config)
    return Replan(streams, shown, planned_problems, last.posts, last.next_change, new_plan, media)


def _changed_files(cache: BuildCache, tree: PostsTree, plan: SavedPlan) -> list[PostFile] | None:
    """The post files changed since the plan was made, if all were there before."""
    shards, listing = tree.shards, tree.listing
    differing = [n for n, digest in enumerate(tree.shard_digests) if digest != plan.shard_trees[n]]
    if POSTS_SHARDS in differing or len(differing) > MAX_CHANGED_SHARDS:
        return None  # the listing's own problems changed, or much did
    changed: list[PostFile] = []
    for number in differing:
        stamps = cache.shard_stamps(number)
        files = [listing.post_file(index) for index in shards[number]]
        if {post_file.relative for post_file in files} != stamps.keys():
            return None  # a file added, removed or renamed (or a damaged cache file)
        for post_file in files:
            if post_file.stamp is None:
                return None
            if post_file.stamp != stamps[post_file.relative] or cache.is_racy(
                post_file.relative, post_file.stamp
            ):
                changed.append(post_file)
    return changed


def _as_planned(
    cache: BuildCache,
    post_file: PostFile,
    post: Post,
    problems: list[Problem],
    plan: SavedPlan,
    config: SiteConfig,
) -> Post | None:
    """The edited post with its media found, as `read_posts` gives it, if the edit leaves
    the plan as it was: same planning keys, same problems (its media's too, which its
    last reading's media, found again among the same files, show as the last run found
    them), and not on an archive page (whose files this run keeps); else None."""
    entry = cache.entry(post_file.relative)
    if entry is None:
        return None
    stamp, record, rows = entry
    if record is None or stamp is None or is_archived(plan, post.source):
        return None
    try:
        before = post_from_record(record, post.source, stamp)
    except ValueError:
        return None
    post, found = find_media(post, config)
    _, found_before = find_media(before, config)
    if problem_rows([*problems, *found]) != (*rows, *problem_rows(found_before)):
        return None  # a new or fixed problem (an error, dropping the post, is new)
    return post if plan_key(post) == plan_key(before) else None


def _with_links(post: Post, plan: SavedPlan) -> Post | None:
    """The post with the links of its `refs` as the last run's plan found them (the
    same refs, as `_same_plan` saw: and no post's link changes on this path), or None
    for the full path, which finds them among all posts."""
    record = plan.records.get(post.source)
    if record is None:
        return None
    try:
        planned = post_from_record(record, post.source, post.stamp).refs
    except ValueError:
        return None
    if [ref[:4] for ref in planned] != [ref[:4] for ref in post.refs]:
        return None
    return post._replace(refs=planned)


def _streams(
    plan: SavedPlan, listing: Listing, fresh: dict[str, Post], config: SiteConfig
) -> tuple[list[Stream], dict[str, Post]]:
    """The saved subscription streams, their posts rebuilt from the plan's readings, and
    those posts whole, by source."""
    posts = dict(fresh)
    keys: dict[str, PostKey] = {}

    def planned(source: str) -> PostKey:
        if source not in keys:
            if source not in posts:
                stamp = listing.stamp(listing.index(source))
                if stamp is None:
                    raise ValueError("a post file that cannot be stat'ed")
                posts[source] = post_from_record(plan.records[source], source, stamp)
            keys[source] = key_of(posts[source], config)
        return keys[source]

    at = Stream._fields.index("posts")
    streams = [
        Stream(*stored[:at], tuple(map(planned, stored[at])), *stored[at + 1 :])  # type: ignore[call-arg]
        for stored in plan.streams
    ]
    return streams, {source: posts[source] for source in keys}
