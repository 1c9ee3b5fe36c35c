"""Which posts go into which feed, in which order. Pure: no files, no clock.

A stream is one feed's worth of posts regardless of format: the whole site,
one category, (when switched on) one tag or one author, and each feed site.yaml
declares (`selection`). Drafts, posts
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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

from ..config import SiteConfig
from ..dates import instant
from ..formats import ARCHIVE_FOLDER
from ..model import Category, PostKey, Stream
from ..selection import selects
from ..text import term_key, term_slug


def published(posts: Iterable[PostKey], now: datetime) -> list[PostKey]:
    """Posts a reader may see at `now`, newest first; equal times by slug."""
    now_us = instant(now)
    visible = [
        post
        for post in posts
        if not post.draft
        and post.instant <= now_us
        and (post.expires is None or now < post.expires)
    ]
    # By slug, then stably by time, newest first: two sorts by C-level keys rather
    # than one by a key tuple made in Python for each post.
    visible.sort(key=_slug)
    visible.sort(key=_instant, reverse=True)
    return visible


_slug = attrgetter("slug")
_instant = attrgetter("instant")


def next_change(posts: Iterable[PostKey], now: datetime) -> int | None:
    """When, in microseconds since the epoch, the earliest scheduled post falls due or a
    post expires: until then, the passing of time changes no feed."""
    now_us = instant(now)
    due = [
        moment
        for post in posts
        if not post.draft
        for moment in (post.instant, None if post.expires is None else instant(post.expires))
        if moment is not None and moment > now_us
    ]
    return min(due) if due else None


class Planned(NamedTuple):
    """The streams of a site: its subscription feeds, and their archive pages."""

    feeds: list[Stream]
    archives: list[Archive]


def plan_streams(posts: Iterable[PostKey], config: SiteConfig, now: datetime) -> Planned:
    """The site feed plus one feed per category (tag, author) with a published post,
    and one per feed site.yaml declares; each with its archive pages (`Archive`).

    Categories whose names differ only by case or punctuation (`iOS`, `ios`,
    `i-OS`: see `text.term_key`) are one feed, at the slug and under the name most
    posts use. No stream at all when nothing is published yet: a feed needs an
    updated time, and the only honest source of one is a post.
    """
    visible = published(posts, now)
    if not visible:
        return Planned([], [])
    streams = [Stream("all", config.title, config.description, "", tuple(visible))]
    categories = config.categories or {}

    def category_terms(post: PostKey) -> tuple[Category, ...]:
        return post.categories  # unique by term_key already (posts._categories)

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
            lambda post: _unique_terms((term_slug(tag), tag) for tag in post.tags),
            lambda slug, name: (f"#{name}", config.description),
        )
    if config.author_feeds:
        streams += _term_streams(
            visible,
            config,
            "authors",
            lambda post: _unique_terms((term_slug(a.name), a.name) for a in post.authors),
            lambda slug, name: (name, config.description),
        )
    cut = [_with_archives(stream, config) for stream in streams]
    cut += [_with_archives(stream, config, most) for stream, most in _declared(visible, config)]
    return Planned([feed for feed, _ in cut], [archive for _, archive in cut if archive])


def _declared(visible: list[PostKey], config: SiteConfig) -> list[tuple[Stream, int | None]]:
    """One stream per feed site.yaml declares (`feeds:`) that selects a published post,
    with the most posts its feed shows."""
    streams: list[tuple[Stream, int | None]] = []
    for spec in config.feeds:
        members = tuple(
            post
            for post in visible
            if selects(spec, post, post.language or config.language, config.authors)
        )
        if not members:
            continue  # a feed needs a post for its updated time, as category feeds do
        stream = Stream(
            key=f"feeds:{spec.name}",
            title=spec.title,
            description=spec.description or config.description,
            directory=spec.directory,
            posts=members,
            summary_only=spec.summary_only,
            formats=spec.formats,
            language=spec.language,
            max_bytes=spec.max_bytes,
        )
        streams.append((stream, spec.max_items))
    return streams


def _unique_terms(terms: Iterable[tuple[str, str]]) -> Sequence[tuple[str, str]]:
    """A post's terms as `_term_streams` needs them: one per term key (the last spelling
    given wins), none without a slug."""
    return list({term_key(slug): (slug, name) for slug, name in terms if slug}.values())


def _term_streams(
    visible: list[PostKey],
    config: SiteConfig,
    section: str,
    terms_of: Callable[[PostKey], Sequence[tuple[str, str]]],
    describe: Callable[[str, str], tuple[str, str]],
) -> list[Stream]:
    """One stream per term (category, tag, author), at the slug and under the name most
    of its posts use.

    `terms_of` gives each post's terms as (slug, name), one per term key. Posts are
    grouped by their exact spelling first, one dictionary lookup per term, and the
    spellings of each term counted afterwards, once per spelling rather than once
    per post.
    """
    spelt: defaultdict[tuple[str, str], list[PostKey]] = defaultdict(list)
    for post in visible:
        for term in terms_of(post):
            spelt[term].append(post)
    spellings: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for term in spelt:
        spellings[term_key(term[0])].append(term)
    by_slug: dict[str, tuple[str, list[PostKey]]] = {}
    for terms in spellings.values():
        names: Counter[str] = Counter()
        slugs: Counter[str] = Counter()
        for slug, name in terms:
            names[name] += len(spelt[slug, name])
            slugs[slug] += len(spelt[slug, name])
        members = spelt[terms[0]] if len(terms) == 1 else _in_order(visible, terms, spelt)
        by_slug[_most_common(slugs)] = (_most_common(names), members)
    streams: list[Stream] = []
    for slug in sorted(by_slug):
        name, members = by_slug[slug]
        title, description = describe(slug, name)
        streams.append(
            Stream(
                key=f"{section}:{slug}",
                title=f"{config.title}: {title}",
                description=description,
                directory=f"{section}/{slug}/",
                posts=tuple(members),
            )
        )
    return streams


def _in_order(
    visible: list[PostKey],
    terms: list[tuple[str, str]],
    spelt: Mapping[tuple[str, str], list[PostKey]],
) -> list[PostKey]:
    """The posts of a term spelt several ways, in the order of `visible`."""
    members = {id(post) for term in terms for post in spelt[term]}
    return [post for post in visible if id(post) in members]


class Archive(NamedTuple):
    """A stream's archive pages, made one at a time as they are asked for (`pages`):
    together they show every post the stream has, so a plan holding them all as
    streams would grow with the site, not with its feeds."""

    feed: Stream
    """The stream's subscription feed, which links to the newest page."""
    posts: tuple[PostKey, ...]
    """Every post of the stream, newest first."""
    size: int
    """Posts per page."""

    @property
    def archived(self) -> tuple[PostKey, ...]:
        """The posts on the pages: all but the newest, which fill no page yet."""
        return self.posts[len(self.posts) % self.size :]

    def pages(self) -> Iterator[Stream]:
        """Page 1 (the oldest posts) onwards."""
        return map(self.page, range(1, len(self.posts) // self.size + 1))

    def page(self, number: int) -> Stream:
        full_pages, size, feed = len(self.posts) // self.size, self.size, self.feed
        end = len(self.posts) - (number - 1) * size
        return feed._replace(
            key=f"{feed.key}:archive:{number}",
            title=f"{feed.title} (archive {number})",
            directory=_page_directory(feed, number),
            posts=self.posts[end - size : end],
            prev_archive=_page_directory(feed, number - 1) if number > 1 else None,
            next_archive=_page_directory(feed, number + 1) if number < full_pages else None,
            current=feed.directory,
            min_items=size,
        )


def _with_archives(
    stream: Stream, config: SiteConfig, max_items: int | None = None
) -> tuple[Stream, Archive | None]:
    """The subscription feed (newest `max_items`, else site.yaml's), and its archive
    pages if enabled and the stream fills one.

    With archives, the byte budget may leave out of a file only posts another page holds
    (`Stream.min_items`): a page none of its posts, and the subscription feed those of
    the newest page, which it links to; the posts since, on no page until it fills, stay."""
    size = max_items or config.max_items
    full_pages = len(stream.posts) // size if config.archives else 0
    subscription = stream._replace(
        posts=stream.posts[:size],
        prev_archive=_page_directory(stream, full_pages) if full_pages else None,
        min_items=max(1, len(stream.posts) % size) if config.archives else 1,
    )
    return subscription, Archive(subscription, stream.posts, size) if full_pages else None


def _page_directory(stream: Stream, number: int) -> str:
    return f"{stream.directory}{ARCHIVE_FOLDER}/{number}/"


def _most_common(spellings: Counter[str]) -> str:
    """The spelling most posts use; ties go to the alphabetically first, for determinism."""
    return min(spellings, key=lambda name: (-spellings[name], name))
