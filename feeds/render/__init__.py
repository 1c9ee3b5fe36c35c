"""Rendering: outputs to bytes. Pure: the same outputs, config and bodies give the same
bytes. Markdown, HTML and XML libraries load with this package, every serializer a
`formats.Format` names included, so a run with nothing to render never loads them and
a build can load them all at once while its workers read posts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..config import SiteConfig
from ..formats import feed_file
from ..model import Entry, Feed, Person
from ..plan.outputs import Output
from . import jsonfeed, pages, xml  # noqa: F401  (the serializers, loaded with the package)
from .content import make_entry


def render_outputs(
    outputs: Iterable[Output], config: SiteConfig, bodies: Mapping[str, str]
) -> dict[str, bytes]:
    """The bytes of each output's file; `bodies` holds its posts' bodies by post id.
    A post shown in several outputs is made into an entry once."""
    files: dict[str, bytes] = {}
    entries: dict[str, Entry] = {}
    for output in outputs:
        for post in output.posts:
            if post.id not in entries:
                entries[post.id] = make_entry(post, bodies.get(post.id, ""), config)
        files[output.path] = _render(output, config, entries)
    return files


def _render(output: Output, config: SiteConfig, entries: Mapping[str, Entry]) -> bytes:
    if output.kind == "stylesheet":
        return pages.render_stylesheet()
    if output.kind == "opml":
        return pages.render_opml(output.listed, config)
    if output.kind == "index":
        return pages.render_index(output.listed, entries, config)
    stream, feed_format = output.stream, output.format
    assert stream is not None and feed_format is not None
    stream_entries = tuple(entries[post.id] for post in stream.posts)
    summary_only = config.summary_only if stream.summary_only is None else stream.summary_only
    if summary_only:
        stream_entries = tuple(entry._replace(content_html=None) for entry in stream_entries)
    links = [
        (rel, config.url + feed_file(directory, feed_format, config.feed_paths))
        for rel, directory in (
            ("prev-archive", stream.prev_archive),
            ("next-archive", stream.next_archive),
            ("current", stream.current),
        )
        if directory is not None
    ]
    feed = Feed(
        title=stream.title,
        description=stream.description,
        site_url=config.url,
        self_url=config.url + output.path,
        author=config.author or Person(config.title),
        language=stream.language or config.language,
        updated=max(entry.updated for entry in stream_entries),
        entries=stream_entries,
        hub=None if stream.is_archive else config.websub_hub,
        links=tuple(links),
        archive=stream.is_archive,
        stylesheet=pages.stylesheet_href(output.path) if feed_format.archivable else None,
    )
    return feed_format.serialize(feed)
