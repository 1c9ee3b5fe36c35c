"""Which posts go into which feed, in which order. Pure: no files, no clock.

A stream is one feed's worth of posts regardless of format: the whole site,
or one category. Drafts, posts scheduled after `now` and expired posts are left
out, so a cron run publishes a scheduled post on the first run after its time
and removes an expired one on the first run after it expires.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .config import SiteConfig
from .posts import Post
from .text import term_key

SECTIONS = ("categories",)
"""Output folders holding one feed folder per term; stale feeds are looked for there."""


@dataclass(frozen=True)
class Stream:
    """One feed's posts, newest first, at most `max_items` of them.

    `directory` is where the feed's files go, relative to the output folder and
    its URL ("" for the site-wide feed, "categories/news/" for a category).
    """

    key: str
    title: str
    description: str
    directory: str
    posts: tuple[Post, ...]


def published(posts: Iterable[Post], now: datetime) -> list[Post]:
    """Posts a reader may see at `now`, newest first; equal times by slug."""
    visible = [
        post
        for post in posts
        if not post.draft and post.published <= now and (post.expires is None or now < post.expires)
    ]
    return sorted(visible, key=lambda post: (-post.published.timestamp(), post.slug))


def plan_streams(posts: Iterable[Post], config: SiteConfig, now: datetime) -> list[Stream]:
    """The site feed plus one feed per category that has a published post.

    Categories whose names differ only by case or punctuation (`iOS`, `ios`,
    `i-OS`: see `text.term_key`) are one feed, at the slug and under the name most
    posts use. No stream at all when nothing is published yet: a feed needs an
    updated time, and the only honest source of one is a post.
    """
    visible = published(posts, now)
    if not visible:
        return []
    limit = config.max_items
    streams = [Stream("all", config.title, config.description, "", tuple(visible[:limit]))]
    members: dict[str, list[Post]] = {}
    names: dict[str, Counter[str]] = {}
    slugs: dict[str, Counter[str]] = {}
    for post in visible:
        for category in post.categories:
            key = term_key(category.slug)
            members.setdefault(key, []).append(post)
            names.setdefault(key, Counter())[category.name] += 1
            slugs.setdefault(key, Counter())[category.slug] += 1
    by_slug = {_most_common(slugs[key]): key for key in members}
    for slug in sorted(by_slug):
        key = by_slug[slug]
        configured = (config.categories or {}).get(slug)
        title = configured.title if configured else _most_common(names[key])
        description = (configured.description if configured else None) or config.description
        streams.append(
            Stream(
                key=f"category:{slug}",
                title=f"{config.title}: {title}",
                description=description,
                directory=f"{SECTIONS[0]}/{slug}/",
                posts=tuple(members[key][:limit]),
            )
        )
    return streams


def _most_common(spellings: Counter[str]) -> str:
    """The spelling most posts use; ties go to the alphabetically first, for determinism."""
    return min(spellings, key=lambda name: (-spellings[name], name))
