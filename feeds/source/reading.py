"""Reading every post of a listing, and refusing the posts that clash.

A build keeps of each post its key alone (`model.PostKey`, see `scan_posts`), and reads
the few posts its feeds show whole again (`load_posts`): its memory grows with its
feeds, not with the site. `read_posts` gives every post whole, for a program (or
`feeds compare`) that wants them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..model import Post, PostKey, Problem, display_path
from .listing import Listing, list_posts
from .media import MediaSeen, find_media, media_seen
from .post import Reading, read_post

if TYPE_CHECKING:
    from ..config import SiteConfig

Scanned = tuple[PostKey | None, tuple[Problem, ...], MediaSeen | None]
"""A file as a build keeps it: its post's key (None: no post), the problems found in it
and in its media, and the media files looked at (None: none)."""

FileScanner = Callable[[Listing, "SiteConfig", "Scanning"], None]
"""Scans every file of a listing into a `Scanning`: `scan_files`, or the incremental
layer's scanner, which reuses unchanged files' readings and reads the rest on every
core."""


class ReadResult(NamedTuple):
    """Valid posts, and every problem found."""

    posts: tuple[Post, ...]
    problems: tuple[Problem, ...]

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


class Scan(NamedTuple):
    """The keys of the valid posts, every problem found, and the media files looked at."""

    keys: tuple[PostKey, ...]
    problems: tuple[Problem, ...]
    media: MediaSeen


def finished(reading: Reading, config: SiteConfig) -> Reading:
    """A file's reading with its post's media found (on every run: the files may change);
    no post when they have an error."""
    post, problems = reading
    if post is None or not post.media:
        return reading
    post, found = find_media(post, config)
    return (None if any(p.is_error for p in found) else post), [*problems, *found]


def key_of(post: Post, config: SiteConfig) -> PostKey:
    """What of `post` decides which feeds show it under `config`, and where (see
    `PostKey`): its tags and authors only where a feed is chosen by them."""
    terms = config.planned_terms
    return PostKey(
        post.source,
        post.instant,
        post.slug,
        post.categories,
        post.tags if "tags" in terms else (),
        post.authors if "authors" in terms else (),
        post.language,
        post.draft,
        post.expires,
        post.refs,
        hash(post.link),
        hash(post.id),
    )


def scanned(reading: Reading, config: SiteConfig) -> Scanned:
    """What a build keeps of a file's reading (see `Scanned`)."""
    post, problems = finished(reading, config)
    if post is None:
        return None, tuple(problems), None
    return key_of(post, config), tuple(problems), media_seen(post, config) or None


class Scanning:
    """What the scan of a listing finds, file by file, in whatever order the files are
    read: the keys in the listing's order, and the few files' problems and media by
    their place in it, so that nothing is kept per file beyond its key."""

    def __init__(self, files: int) -> None:
        self.keys: list[PostKey | None] = [None] * files
        self.problems: dict[int, tuple[Problem, ...]] = {}
        self.media: dict[int, MediaSeen] = {}

    def found(self, index: int, scan: Scanned) -> None:
        """What the file at `index` of the listing gave."""
        self.keys[index], problems, media = scan
        if problems:
            self.problems[index] = problems
        if media:
            self.media[index] = media


def scan_files(listing: Listing, config: SiteConfig, scanning: Scanning) -> None:
    """Each file read and scanned; values checked once are remembered."""
    remembered: dict[tuple[str, Any], Any] = {}
    for index, file in enumerate(listing.files):
        scanning.found(index, scanned(read_post(file.path, config, file.stamp, remembered), config))


def scan_posts(
    config: SiteConfig, listing: Listing | None = None, scan: FileScanner = scan_files
) -> Scan:
    """The key of every post of `listing` (default: the config's posts folder, listed
    without a stat per file: reading a file takes its stat), scanned with `scan`; the
    posts that clash are left out, with a problem each."""
    if listing is None:
        listing = list_posts(config, stamped=False)
    scanning = Scanning(len(listing))
    scan(listing, config, scanning)
    keys = [key for key in scanning.keys if key is not None]
    found = scanning.problems
    problems = [*listing.problems, *(p for index in sorted(found) for p in found[index])]
    media: MediaSeen = {}
    for index in sorted(scanning.media):
        media |= scanning.media[index]
    unique, clashes = _drop_key_clashes(keys, config)
    return Scan(tuple(unique), (*problems, *clashes), media)


def read_posts(config: SiteConfig, listing: Listing | None = None) -> ReadResult:
    """Every post of `listing` (default: the config's posts folder), whole."""
    if listing is None:
        listing = list_posts(config, stamped=False)
    problems = list(listing.problems)
    posts: list[Post] = []
    remembered: dict[tuple[str, Any], Any] = {}
    for file in listing.files:
        post, found = finished(read_post(file.path, config, file.stamp, remembered), config)
        problems += found
        if post is not None:
            posts.append(post)
    unique, clashes = _drop_clashes(posts, config)
    return ReadResult(tuple(unique), (*problems, *clashes))


def load_posts(
    keys: Iterable[PostKey], config: SiteConfig, read: Callable[[str], Reading] | None = None
) -> tuple[dict[str, Post], list[Problem]]:
    """The posts of `keys`, read whole again (with `read`, given a post's source, else
    from its file), by source, with the links of their `refs` as their keys have them
    (see `plan.refs`); an error for each whose reading no longer gives the post its key
    was made from: its file changed while this build read the site."""
    posts: dict[str, Post] = {}
    problems: list[Problem] = []
    remembered: dict[tuple[str, Any], Any] = {}
    for key in keys:
        reading = (
            read_post(key.source, config, None, remembered) if read is None else read(key.source)
        )
        post, _ = finished(reading, config)
        if post is None or key_of(post, config)._replace(refs=key.refs) != key:
            message = "changed while feeds was reading the posts; run feeds again"
            problems.append(Problem(Path(key.source), None, message))
            continue
        posts[key.source] = post._replace(refs=key.refs) if key.refs else post
    return posts, problems


def _drop_key_clashes(
    keys: list[PostKey], config: SiteConfig
) -> tuple[list[PostKey], list[Problem]]:
    """`_drop_clashes` for keys: the posts whose slugs, or hashes of their links or
    ids, are shared are read whole, and those that clash left out."""
    attributes = ("link_hash" if config.rules.generator else "slug", "id_hash")
    suspects = {k.source: k for a in attributes for _, group in _shared(keys, a) for k in group}
    if not suspects:
        return keys, []
    ordered = [key for key in keys if key.source in suspects]
    posts, changed = load_posts(ordered, config)
    clashing, problems = _clashes(list(posts.values()), config)
    clashing |= suspects.keys() - posts.keys()
    return [key for key in keys if key.source not in clashing], [*changed, *problems]


Item = TypeVar("Item", Post, PostKey)


def _shared(items: list[Item], attribute: str) -> list[tuple[object, list[Item]]]:
    """The values of `attribute` that more than one of `items` has, each with those
    items in their order."""
    values = list(map(attrgetter(attribute), items))
    if len(set(values)) == len(values):
        return []  # the usual case, found without grouping every item
    groups: dict[object, list[Item]] = defaultdict(list)
    for item, value in zip(items, values, strict=True):
        groups[value].append(item)
    return [(value, group) for value, group in groups.items() if len(group) > 1]


def _drop_clashes(posts: list[Post], config: SiteConfig) -> tuple[list[Post], list[Problem]]:
    """`posts` without those that clash (see `_clashes`), and why."""
    clashing, problems = _clashes(posts, config)
    if not clashing:
        return posts, problems
    return [post for post in posts if post.source not in clashing], problems


def _clashes(posts: list[Post], config: SiteConfig) -> tuple[set[str], list[Problem]]:
    """The sources of the posts to refuse, as they share a slug (a link, under a
    generator's conventions) or an id: readers would merge or lose them; and why.

    Generators let dated posts share a name (`2015-08-31-confoo-cfp.md`, then
    `2016-08-26-confoo-cfp.md`) as long as their URLs differ, so there it is the
    link that must be unique. Every post involved is left out (not just the later
    one), since nothing says which of them the editor meant to keep.
    """
    problems: list[Problem] = []
    clashing: set[str] = set()
    unique_name = (
        ("link", "add {year} or {month} to 'permalink' in site.yaml, or set 'slug:'")
        if config.rules.generator
        else ("slug", "rename one file or set 'slug:'")
    )
    for attribute, advice in (
        unique_name,
        ("id", "remove 'id:' from the copy, or give each its own"),
    ):
        for value, group in _shared(posts, attribute):
            for post in group:
                others = ", ".join(display_path(Path(p.source)) for p in group if p is not post)
                problems.append(
                    Problem(
                        Path(post.source),
                        1,
                        f"{attribute} {value!r} is also used by {others}; {advice}",
                    )
                )
                clashing.add(post.source)
    return clashing, problems
