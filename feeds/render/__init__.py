"""Rendering: outputs to bytes. Pure: the same outputs, config and bodies give the same
bytes. Markdown, HTML and XML libraries load with this package, every serializer a
`formats.Format` names included, so a run with nothing to render never loads them and
a build can load them all at once while its workers read posts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from ..config import SiteConfig
from ..formats import feed_file
from ..ids import feed_id
from ..model import Entry, Feed, Person, Problem, Severity
from ..plan.outputs import Output
from . import jsonfeed, pages, xml  # noqa: F401  (the serializers, loaded with the package)
from .budget import Cut, within_budget
from .content import make_entry


class Rendered(NamedTuple):
    """The bytes of each output's file, by path, and what the operator should know of
    them, by path too: the feeds cut to fit their size budget (see `budget`)."""

    files: dict[str, bytes]
    problems: dict[str, tuple[Problem, ...]]


def render_outputs(
    outputs: Iterable[Output], config: SiteConfig, bodies: Mapping[str, str]
) -> Rendered:
    """The bytes of each output's file; `bodies` holds its posts' bodies by post id.
    A post shown in several outputs is made into an entry once."""
    files: dict[str, bytes] = {}
    problems: dict[str, tuple[Problem, ...]] = {}
    entries: dict[str, Entry] = {}
    for output in outputs:
        for post in output.posts:
            if post.id not in entries:
                entries[post.id] = make_entry(post, bodies.get(post.id, ""), config)
        if output.kind == "feed":
            cut = _render_feed(output, config, entries)
            files[output.path] = cut.data
            if cut.shortened:
                problems[output.path] = _cut_warnings(output, config, cut)
        else:
            files[output.path] = _render_page(output, config, entries)
    return Rendered(files, problems)


def _render_page(output: Output, config: SiteConfig, entries: Mapping[str, Entry]) -> bytes:
    if output.kind == "stylesheet":
        return pages.render_stylesheet()
    if output.kind == "opml":
        return pages.render_opml(output.listed, config)
    return pages.render_index(output.listed, entries, config)


def _render_feed(output: Output, config: SiteConfig, entries: Mapping[str, Entry]) -> Cut:
    """The feed in its format, cut to its stream's size budget."""
    stream, feed_format = output.stream, output.format
    assert stream is not None and feed_format is not None
    stream_entries = tuple(entries[post.id] for post in output.posts)
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
        id=feed_id(config.url + output.path, config.id_authority),
        author=config.author or Person(config.title),
        language=stream.language or config.language,
        updated=max(entry.updated for entry in stream_entries),
        entries=stream_entries,
        hub=None if stream.is_archive else config.websub_hub,
        links=tuple(links),
        archive=stream.is_archive,
        stylesheet=pages.stylesheet_href(output.path) if feed_format.archivable else None,
    )
    return within_budget(feed, feed_format.serialize, _budget(output, config), stream.min_items)


def _budget(output: Output, config: SiteConfig) -> int:
    assert output.stream is not None
    return output.stream.max_bytes or config.max_bytes


def _cut_warnings(output: Output, config: SiteConfig, cut: Cut) -> tuple[Problem, ...]:
    """What the budget did to the feed (a cut shortens one entry at least): at the
    post's file when it left one entry (that post is what fills the budget), else at
    site.yaml, where it is set."""
    budget, size = _budget(output, config), len(cut.data)
    kept = len(output.posts) - cut.dropped
    limit = f"max_bytes ({budget} bytes)"
    if kept == 1:
        message = f"{output.path} holds this post alone, summary only, " + (
            f"and is still {size} bytes, over {limit}; shorten its summary or raise max_bytes"
            if size > budget
            else f"to fit {limit}"
        )
        return (Problem(Path(output.posts[0].source), None, message, Severity.WARNING),)
    stream = output.stream
    assert stream is not None
    if size > budget:
        kept_why = (
            "an archive page keeps every post it holds"
            if stream.is_archive
            else "no archive page holds them yet"
        )
        message = (
            f"{output.path} is {size} bytes, over {limit}, with summary only for its {kept} "
            f"entries: {kept_why}; lower max_items or raise max_bytes"
        )
    elif cut.dropped:
        held = " (its newest archive page holds them)" if stream.prev_archive else ""
        message = (
            f"{output.path} is over {limit} even with summaries only: its oldest "
            f"{_entries(cut.dropped)} left out{held}, summary only for the other {kept}; "
            "raise max_bytes to keep more"
        )
    else:
        message = (
            f"{output.path} is over {limit} in full: summary only for its oldest "
            f"{_entries(cut.shortened)}; raise max_bytes to keep them whole"
        )
    return (Problem(config.path, None, message, Severity.WARNING),)


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"
