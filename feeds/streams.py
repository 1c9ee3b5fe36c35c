"""Which posts go into which feed, in which order. Pure: no files, no clock.

A stream is one feed's worth of posts regardless of format: the whole site,
one category, and (when switched on) one tag or one author. Drafts, posts
scheduled after `now` and expired posts are left out, so a cron run publishes a
scheduled post on the first run after its time and removes an expired one on
the first run after it expires.

With `archives`, each stream is also cut into RFC 5005 archive pages of
`max_items` posts, counted from the oldest: page k holds posts (k-1)N+1..kN in
publication order, so its entries never change when newer posts arrive, and
the pages plus the subscription feed (the newest N) hold every post. Each page
links to the one before (prev-archive) and, once it exists, the one after
(next-archive): a page is written when it fills and once more when the next
one does, and never again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .config import SiteConfig
from .layout import ARCHIVE_FOLDER
from .posts import Post
from .text import term_key, term_slug


@dataclass(frozen=True)
class Stream:
    """One feed's posts, newest first.

    `directory` is where the feed's files go, relative to the output folder and
    its URL ("" for the site-wide feed, "categories/news/" for a category).
    `prev_archive` is the directory of the newest archive page before this
    one; on archive pages, `next_archive` is the page after it and `current`
    the directory of the subscription feed.
    """

    key: str
    title: str
    description: str
    directory: str
    posts: tuple[Post, ...]
    prev_archive: str | None = None
    next_archive: str | None = None
    current: str | None = None

    @property
    def is_archive(self) -> bool:
        return self.current is not None


def published(posts: Iterable[Post], now: datetime) -> list[Post]:
    """Posts a reader may see at `now`, newest first; equal times by slug."""
    visible = [
        post
        for post in posts
        if not post.draft and post.published <= now and (post.expires is None or now < post.expires)
    ]
    return sorted(visible, key=lambda post: (-post.published.timestamp(), post.slug))


def plan_streams(posts: Iterable[Post], config: SiteConfig, now: datetime) -> list[Stream]:
    """The site feed plus one feed per category (tag, author) with a published post.

    Categories whose names differ only by case or punctuation (`iOS`, `ios`,
    `i-OS`: see `text.term_key`) are one feed, at the slug and under the name most
    posts use. No stream at all when nothing is published yet: a feed needs an
    updated time, and the only honest source of one is a post.
    """
    visible = published(posts, now)
    if not visible:
        return []
    streams = _with_archives(
        Stream("all", config.title, config.description, "", tuple(visible)), config
    )
    categories = config.categories or {}

    def category_terms(post: Post) -> list[tuple[str, str]]:
        return [(category.slug, category.name) for category in post.categories]

    def category_info(slug: str, name: str) -> tuple[str, str]:
        info = categories.get(slug)
        if info is None:
            return name, config.description
        return info.title, info.description or config.description

    streams += _term_streams(visible, config, "categories", category_terms, category_info)
    if config.tag_feeds:
        streams += _term_streams(
            visible,
            config,
            "tags",
            lambda post: [(term_slug(tag), tag) for tag in post.tags if term_slug(tag)],
            lambda slug, name: (f"#{name}", config.description),
        )
    if config.author_feeds:
        streams += _term_streams(
            visible,
            config,
            "authors",
            lambda post: (
                [(term_slug(post.author.name), post.author.name)]
                if post.author is not None and term_slug(post.author.name)
                else []
            ),
            lambda slug, name: (name, config.description),
        )
    return streams


def _term_streams(
    visible: list[Post],
    config: SiteConfig,
    section: str,
    terms_of: Callable[[Post], list[tuple[str, str]]],
    describe: Callable[[str, str], tuple[str, str]],
) -> list[Stream]:
    """One stream per term (category, tag, author), titled by its most common spelling."""
    members: defaultdict[str, list[Post]] = defaultdict(list)
    names: defaultdict[str, Counter[str]] = defaultdict(Counter)
    slugs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for post in visible:
        terms = {term_key(slug): (slug, name) for slug, name in terms_of(post)}
        for key, (slug, name) in terms.items():
            members[key].append(post)
            names[key][name] += 1
            slugs[key][slug] += 1
    by_slug = {_most_common(slugs[key]): key for key in members}
    streams: list[Stream] = []
    for slug in sorted(by_slug):
        key = by_slug[slug]
        title, description = describe(slug, _most_common(names[key]))
        stream = Stream(
            key=f"{section}:{slug}",
            title=f"{config.title}: {title}",
            description=description,
            directory=f"{section}/{slug}/",
            posts=tuple(members[key]),
        )
        streams += _with_archives(stream, config)
    return streams


def _with_archives(stream: Stream, config: SiteConfig) -> list[Stream]:
    """The subscription feed (newest `max_items`), then its archive pages if enabled."""
    size = config.max_items
    pages: list[Stream] = []
    if config.archives:
        oldest_first = stream.posts[::-1]
        full_pages = len(oldest_first) // size
        for number in range(1, full_pages + 1):
            page = oldest_first[(number - 1) * size : number * size]
            pages.append(
                Stream(
                    key=f"{stream.key}:archive:{number}",
                    title=f"{stream.title} (archive {number})",
                    description=stream.description,
                    directory=_page_directory(stream, number),
                    posts=page[::-1],
                    prev_archive=_page_directory(stream, number - 1) if number > 1 else None,
                    next_archive=(
                        _page_directory(stream, number + 1) if number < full_pages else None
                    ),
                    current=stream.directory,
                )
            )
    newest = pages[-1].directory if pages else None
    subscription = Stream(
        stream.key,
        stream.title,
        stream.description,
        stream.directory,
        stream.posts[:size],
        prev_archive=newest,
    )
    return [subscription, *pages]


def _page_directory(stream: Stream, number: int) -> str:
    return f"{stream.directory}{ARCHIVE_FOLDER}/{number}/"


def _most_common(spellings: Counter[str]) -> str:
    """The spelling most posts use; ties go to the alphabetically first, for determinism."""
    return min(spellings, key=lambda name: (-spellings[name], name))
