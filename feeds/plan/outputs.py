"""Every file a build writes, as an `Output`: what it shows, and a fingerprint of all
its bytes depend on. Pure: the same streams and config give the same outputs.

A fingerprint must change whenever anything that reaches the file does, since a run
with the build cache skips an output whose file already holds its fingerprint's
bytes. So it is derived from the data, never from a hand-made list of fields: a
stream's every field, and for each post what it is made from besides the config and
feeds' code, by which the cache is keyed (`Post.made_from`: its file's stamp, the
links to other posts its body shows, its media files' stats).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from ..formats import BY_NAME, OPML, STYLESHEET, Format, feed_file
from ..model import Post, Stream

if TYPE_CHECKING:
    from ..config import SiteConfig

INDEX_ENTRIES = 5
"""Newest entries the index page shows per feed."""


class Listed(NamedTuple):
    """A subscription feed as pages list it: its stream, its formats, preferred first,
    and its posts."""

    stream: Stream
    formats: tuple[Format, ...]
    posts: tuple[Post, ...]


class Output(NamedTuple):
    """One output file: a feed in `format`, or a page (`kind` "index", "opml",
    "stylesheet"), the posts whose entries it shows, and a fingerprint of everything
    its bytes depend on."""

    path: str
    kind: str
    fingerprint: str
    posts: tuple[Post, ...] = ()
    stream: Stream | None = None
    format: Format | None = None
    listed: tuple[Listed, ...] = ()

    @property
    def is_subscribed(self) -> bool:
        """A feed readers subscribe to (not a page, not an archive page)."""
        return self.stream is not None and not self.stream.is_archive


def plan_outputs(
    streams: Iterable[Stream], config: SiteConfig, posts: Mapping[str, Post]
) -> list[Output]:
    """Every output file of the site, with the fingerprint of what its bytes depend on;
    `posts` holds the streams' posts, whole, by source."""
    # Where every feed is, which the links between feeds and the pages show.
    paths = tuple(sorted(config.feed_paths.items()))
    outputs: list[Output] = []
    listed: list[Listed] = []
    all_formats: dict[str, Format] = {}
    for stream in streams:
        written = written_formats(stream, config)
        all_formats |= {f.name: f for f in written}
        shown = tuple(posts[key.source] for key in stream.posts)
        material = _stream_material(stream, shown)
        for feed_format, path in zip(written, feed_paths(stream, config), strict=True):
            outputs.append(
                Output(
                    path,
                    "feed",
                    _digest((feed_format.name, material, paths)),
                    shown,
                    stream,
                    feed_format,
                )
            )
        if not stream.is_archive and written:
            listed.append(Listed(stream, written, shown))
    if not listed:
        return outputs
    if any(feed_format.archivable for feed_format in all_formats.values()):
        outputs.append(Output(STYLESHEET, "stylesheet", _digest("stylesheet")))
    pages = [
        (tuple(f.name for f in item.formats), _stream_material(item.stream, item.posts), paths)
        for item in listed
    ]
    outputs.append(Output(OPML, "opml", _digest(("opml", pages)), listed=tuple(listed)))
    if config.index_page:
        front = dict.fromkeys(post for item in listed for post in item.posts[:INDEX_ENTRIES])
        fingerprint = _digest(("index", pages))
        outputs.append(
            Output(config.index_page, "index", fingerprint, tuple(front), listed=tuple(listed))
        )
    return outputs


def written_formats(stream: Stream, config: SiteConfig) -> tuple[Format, ...]:
    """The formats a stream's files are in: its own or site.yaml's, archive pages only in
    those that can be archived."""
    formats = [BY_NAME[name] for name in stream.formats or config.formats]
    return tuple(f for f in formats if f.archivable or not stream.is_archive)


def feed_paths(stream: Stream, config: SiteConfig) -> list[str]:
    """The paths of the stream's files, as `plan_outputs` names them."""
    return [
        feed_file(stream.directory, feed_format, config.feed_paths)
        for feed_format in written_formats(stream, config)
    ]


def _stream_material(stream: Stream, posts: tuple[Post, ...]) -> tuple[object, ...]:
    return tuple(
        tuple(post.made_from for post in posts) if name == "posts" else value
        for name, value in zip(Stream._fields, stream, strict=True)
    )


def _digest(material: object) -> str:
    return hashlib.sha256(repr(material).encode()).hexdigest()
