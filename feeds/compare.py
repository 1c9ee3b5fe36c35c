"""`feeds compare`: a site's current feed, as its old generator published it, against the
posts as feeds would publish them: does every entry keep its id (else feed readers show
it again as new) and its link (else it breaks)?

Reads the saved feed (Atom 1.0 or 0.3, RSS 2.0/0.9x, RSS 1.0/RDF, JSON Feed) and the
site's posts; writes nothing (no feed, no build cache). Ids are compared as feed
readers compare them: exactly, but for the whitespace around them, which XML readers
strip. Links are compared as a browser requests them: a space or a letter beyond ASCII
written as it is (Zola's links) is the same link as its percent-encoding (feeds'). A
trailing slash, http against https or another host case is another URL to a reader
(and often to the server), so it is reported. The saved feed is read as
`feedreader` reads untrusted feeds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from .feedreader import FeedError, ReadEntry, read_feed, title_key
from .model import Post, Problem, display_path, printable
from .text import as_uri

SAME_DAY = timedelta(hours=48)
"""How far apart an old entry's date and a post's may be and still match by title: a
date written without its time zone can be read up to a day off either way (UTC-12 to
UTC+14), never more."""


class Finding(NamedTuple):
    """One difference between an old entry and what feeds publishes for it."""

    entry: ReadEntry
    kind: str
    """`id`, `link` or `missing`."""
    detail: str

    def format(self, feed: Path) -> str:
        where = display_path(feed)
        return printable(f"{where}: entry '{self.entry.title}' ({self.entry.id}): {self.detail}")


class Comparison(NamedTuple):
    """One old feed against the site."""

    feed: Path
    entries: int
    findings: tuple[Finding, ...]
    unreadable: str | None = None
    """Why the file cannot be read as a feed; then there are no entries."""
    added: tuple[Post, ...] = ()
    """Posts feeds' site feed would hold that this feed lacks and that are older than its
    oldest entry: readers would show them as new (see `_added_older`)."""
    max_items: int | None = None
    """The `max_items` that leaves `added` out of feeds' site feed."""

    def added_lines(self) -> list[str]:
        where = display_path(self.feed)
        return [
            printable(
                f"{where}: feeds adds '{post.title}' ({post.published.date().isoformat()}), "
                f"older than the feed's oldest entry: readers would show it as new; "
                f"set max_items to {self.max_items}"
            )
            for post in self.added
        ]

    @property
    def counts(self) -> dict[str, int]:
        """Entries with a difference of each kind (an entry may have two)."""
        kinds: dict[str, set[int]] = {"id": set(), "link": set(), "missing": set()}
        for finding in self.findings:
            kinds[finding.kind].add(id(finding.entry))
        return {kind: len(entries) for kind, entries in kinds.items()}

    def summary(self) -> str:
        counts = self.counts
        differing = len({id(finding.entry) for finding in self.findings})
        noun = "entry" if self.entries == 1 else "entries"
        return (
            f"{display_path(self.feed)}: {self.entries} {noun}: {self.entries - differing} same, "
            f"{counts['id']} with another id, {counts['link']} with another link, "
            f"{counts['missing']} missing"
            + (f", {len(self.added)} added older than its oldest entry" if self.added else "")
        )


class SitePosts(NamedTuple):
    """Every valid post of the site, and the ids of those feeds publishes now."""

    posts: tuple[Post, ...]
    published: frozenset[str]
    problems: tuple[Problem, ...]
    now: datetime
    config_read: bool
    """False when site.yaml has errors: then there are no posts to compare with."""
    feed_posts: tuple[Post, ...] = ()
    """The posts of feeds' site feed (the newest `max_items` published)."""
    invalid: tuple[Problem, ...] = ()
    """The first error of each post file left out for its errors."""

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


def site_posts(config_path: Path | str, now: datetime | None = None) -> SitePosts:
    """Every post as a build at `now` would read it, and which of them it publishes (all
    that are due: those beyond max_items too, as readers that saw them keep them).
    Raises `ConfigNotFoundError`; a site.yaml with errors gives no posts, and its
    problems. Reads only: no build cache is used or written."""
    from .config import load_config
    from .plan.streams import published
    from .source.reading import key_of, read_posts

    now = now if now is not None else datetime.now(UTC)  # the clock, read once
    config, problems = load_config(Path(config_path).absolute())
    if config is None:
        return SitePosts((), frozenset(), tuple(problems), now, config_read=False)
    read = read_posts(config)
    whole = {post.source: post for post in read.posts}
    keys = [key_of(post, config) for post in read.posts]
    due = [whole[key.source] for key in published(keys, now)]
    visible = frozenset(post.id for post in due)
    invalid: dict[Path | None, Problem] = {}
    for problem in read.problems:
        if problem.is_error and problem.path is not None:
            invalid.setdefault(problem.path, problem)
    return SitePosts(
        read.posts,
        visible,
        (*problems, *read.problems),
        now,
        config_read=True,
        feed_posts=tuple(due[: config.max_items]),
        invalid=tuple(invalid.values()),
    )


def compare_feed(path: Path, site: SitePosts) -> Comparison:
    """The old feed at `path` against the site's posts; raises `FeedError`."""
    entries = read_feed(path)
    match = _Matcher(site.posts)
    findings: list[Finding] = []
    matched: dict[int, Post] = {}
    for number, entry in enumerate(entries):
        post = match(entry)
        if post is None:
            findings.append(Finding(entry, "missing", _missing_reason(entry, site)))
            continue
        matched[number] = post
        if post.id not in site.published:
            reason = _unpublished_reason(post, site.now)
            findings.append(Finding(entry, "missing", f"not published by feeds ({reason})"))
            continue
        if entry.id.strip() != post.id.strip():
            findings.append(Finding(entry, "id", f"id differs: feeds gives {post.id}"))
        # An entry without a link has none to break; feeds adding one changes nothing.
        if entry.link is not None and _as_requested(entry.link) != _as_requested(post.link):
            findings.append(
                Finding(entry, "link", f"link differs: old {entry.link}, feeds {post.link}")
            )
    added, max_items = _added_older(entries, matched, site)
    return Comparison(path, len(entries), tuple(findings), added=added, max_items=max_items)


def _as_requested(url: str) -> str:
    """The URL as a browser sends it: what cannot be sent as it is percent-encoded
    (UTF-8), escapes in upper case."""
    return _ESCAPE.sub(lambda escape: escape[0].upper(), as_uri(url.strip()))


_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def _missing_reason(entry: ReadEntry, site: SitePosts) -> str:
    """An entry no valid post stands for: a post file with errors, when one file's name
    is the last part of the entry's link (`hello.md` for `/2024/hello/`)."""
    urls = [url for url in (entry.link, entry.id) if url and "://" in url]
    last = {_path_key(url).rstrip("/").rsplit("/", 1)[-1].casefold() for url in urls}
    files = [
        problem
        for problem in site.invalid
        if problem.path is not None
        and _DATED_NAME.sub("", Path(problem.path).stem).casefold() in last
    ]
    if len(files) == 1:
        problem = files[0]
        where = display_path(Path(problem.path)) if problem.path is not None else "?"
        return f"not published by feeds ({where} has errors: {problem.message})"
    return "not published by feeds"


_DATED_NAME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-")


def _added_older(
    entries: Sequence[ReadEntry], matched: dict[int, Post], site: SitePosts
) -> tuple[tuple[Post, ...], int | None]:
    """Posts of feeds' site feed that the old feed lacks and that are older than its
    oldest entry, and the `max_items` that leaves them out. Only for an old feed that is
    the site's feed: one that lacks more than a tenth of the site feed's posts of its own
    time span (any, for fewer than ten) is taken for a category's or tag's, and is not
    checked."""
    dates = [
        matched[number].published if number in matched else entry.date
        for number, entry in enumerate(entries)
    ]
    known = [date for date in dates if date is not None]
    if not known or not site.feed_posts:
        return (), None
    oldest, newest = min(known), max(known)
    have = {id(post) for post in matched.values()}
    span = [post for post in site.feed_posts if oldest <= post.published <= newest]
    if sum(id(post) not in have for post in span) > len(span) // 10:
        return (), None
    added = [
        (number, post)
        for number, post in enumerate(site.feed_posts)
        if id(post) not in have and post.published < oldest
    ]
    if not added:
        return (), None
    return tuple(post for _, post in added), added[0][0]


def _unpublished_reason(post: Post, now: datetime) -> str:
    source = display_path(Path(post.source))
    if post.draft:
        return f"{source} is a draft"
    if post.expires is not None and post.expires <= now:
        return f"{source} expired on {post.expires.isoformat()}"
    return f"{source} is scheduled for {post.published.isoformat()}"


class _Matcher:
    """Finds the post an old entry stands for, by the surest evidence first:

    1. its id is the post's id (feeds was told it with `id:`, or derives the same);
    2. its link, or its id when that is a URL (RSS guids, Hugo's and Zola's Atom ids),
       is the post's link;
    3. its link or URL id is the post's link but for how generators spell the same
       path (http/https, host case, a trailing slash, `.html`, `index.html`), and
       only one post is that close: a page that moved by a slash is still this post,
       and the report says the link differs;
    4. its title is the post's, but for case, spacing, HTML escapes and typographic
       quotes (jekyll-feed "smartifies" titles), and its date within `SAME_DAY` of
       the post's, and only one post fits: a post retitled or redated is missed
       (reported as not published), never another post taken for it.
    """

    def __init__(self, posts: Sequence[Post]) -> None:
        self.by_id = {post.id.strip(): post for post in posts}
        self.by_link: dict[str, list[Post]] = defaultdict(list)
        self.by_path: dict[str, list[Post]] = defaultdict(list)
        self.by_title: dict[str, list[Post]] = defaultdict(list)
        for post in posts:
            self.by_link[post.link.strip()].append(post)
            self.by_path[_path_key(post.link)].append(post)
            self.by_title[title_key(post.title)].append(post)

    def __call__(self, entry: ReadEntry) -> Post | None:
        old_id = entry.id.strip()
        if old_id in self.by_id:
            return self.by_id[old_id]
        urls = [url.strip() for url in (entry.link, entry.id) if url and "://" in url]
        for url in urls:
            if len(found := self.by_link.get(url, [])) == 1:
                return found[0]
        for url in urls:
            if len(found := self.by_path.get(_path_key(url), [])) == 1:
                return found[0]
        if entry.date is not None:
            date = entry.date
            near = [
                post
                for post in self.by_title.get(title_key(entry.title), [])
                if abs(post.published - date) <= SAME_DAY
            ]
            if len(near) == 1:
                return near[0]
        return None


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _path_key(url: str) -> str:
    """A URL with what generators vary for one page taken off (matching only)."""
    url = _SCHEME.sub("", url.strip())
    host, slash, path = url.partition("/")
    path = path.split("#", 1)[0]
    for ending in ("index.html", ".html", "/"):
        path = path.removesuffix(ending)
    return f"{host.lower()}{slash}{path}"


def compare(
    config_path: Path | str, feeds: Iterable[Path], now: datetime | None = None
) -> tuple[SitePosts, list[Comparison]]:
    """Each feed against the site's posts at `now` (none if site.yaml has errors).
    Raises `ConfigNotFoundError`."""
    site = site_posts(config_path, now)
    if not site.config_read:
        return site, []
    results: list[Comparison] = []
    for feed in feeds:
        try:
            results.append(compare_feed(feed, site))
        except FeedError as error:
            results.append(Comparison(feed, 0, (), unreadable=str(error)))
    return site, results
