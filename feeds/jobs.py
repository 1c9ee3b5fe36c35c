"""Every file a build writes, as a job: what it shows, and a fingerprint of all its
bytes depend on; and rendering jobs into bytes.

Pure: the same streams and config give the same jobs, fingerprints and bytes. A
run renders only the jobs whose file does not already hold exactly their
fingerprint's bytes (see feeds.cache), so a fingerprint must change whenever
anything that reaches the file does.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import pages
from .config import SiteConfig
from .fields import Person
from .layout import FORMAT_NAMES, OPML, STYLESHEET, XML_FEED_FILES
from .posts import Post
from .render import FORMATS, Feed, load_libraries
from .streams import Stream

if TYPE_CHECKING:
    from .content import Entry


@dataclass(frozen=True)
class Job:
    """One output file: a feed (`kind` is its format's file name) or a page
    ("index", "opml", "stylesheet"), the posts whose entries it shows, and a
    fingerprint of everything its bytes depend on."""

    path: str
    kind: str
    fingerprint: str
    posts: tuple[Post, ...] = ()
    stream: Stream | None = None
    listed: tuple[pages.Listed, ...] = ()


def plan_jobs(streams: Iterable[Stream], config: SiteConfig) -> list[Job]:
    """Every output file of the site, with the fingerprint of what its bytes depend on."""
    formats = [FORMAT_NAMES[name] for name in config.formats]
    jobs: list[Job] = []
    listed: list[pages.Listed] = []
    for stream in streams:
        names = [name for name in formats if not stream.is_archive or name in XML_FEED_FILES]
        for name in names:
            material = (name, _stream_material(stream))
            jobs.append(Job(stream.directory + name, name, _digest(material), stream.posts, stream))
        if not stream.is_archive and names:
            listed.append(pages.Listed(stream, tuple(names)))
    if not listed:
        return jobs
    if any(name in XML_FEED_FILES for name in formats):
        jobs.append(Job(STYLESHEET, "stylesheet", _digest(pages.FEED_CSS)))
    page_material = [(item.files, _stream_material(item.stream)) for item in listed]
    jobs.append(Job(OPML, "opml", _digest(("opml", page_material)), listed=tuple(listed)))
    if config.index_page:
        shown = tuple(
            dict.fromkeys(
                post for item in listed for post in item.stream.posts[: pages.INDEX_ENTRIES]
            )
        )
        jobs.append(
            Job(
                config.index_page,
                "index",
                _digest(("index", page_material)),
                shown,
                listed=tuple(listed),
            )
        )
    return jobs


def render_jobs(
    jobs: Iterable[Job], config: SiteConfig, bodies: Mapping[str, str]
) -> dict[str, bytes]:
    """The bytes of each job's file. Pure; `bodies` holds each job's posts' bodies by id.

    Imports the Markdown, HTML and XML libraries only here: a run with nothing
    to render never pays for loading them.
    """
    from .content import make_entry

    files: dict[str, bytes] = {}
    entries: dict[str, Entry] = {}
    for job in jobs:
        for post in job.posts:
            if post.id not in entries:
                entries[post.id] = make_entry(post, bodies.get(post.id, ""), config)
        files[job.path] = _render_job(job, config, entries)
    return files


def load_renderers() -> None:
    """Import now what `render_jobs` would import on first use: the Markdown, HTML and
    XML libraries (about 60 ms). A cold build does it while workers read posts, which
    then read more in the meantime."""
    importlib.import_module(".content", __package__)
    load_libraries()


def render_site(
    streams: Iterable[Stream], config: SiteConfig, bodies: Mapping[str, str]
) -> dict[str, bytes]:
    """Every file of `streams` as `relative path -> bytes`; `bodies` by post id. Pure."""
    return render_jobs(plan_jobs(streams, config), config, bodies)


def _render_job(job: Job, config: SiteConfig, entries: Mapping[str, Entry]) -> bytes:
    if job.kind == "stylesheet":
        return pages.render_stylesheet()
    if job.kind == "opml":
        return pages.render_opml(job.listed, config)
    if job.kind == "index":
        return pages.render_index(job.listed, entries, config)
    stream = job.stream
    assert stream is not None
    stream_entries = tuple(entries[post.id] for post in stream.posts)
    links = []
    if stream.prev_archive is not None:
        links.append(("prev-archive", config.url + stream.prev_archive + job.kind))
    if stream.next_archive is not None:
        links.append(("next-archive", config.url + stream.next_archive + job.kind))
    if stream.current is not None:
        links.append(("current", config.url + stream.current + job.kind))
    feed = Feed(
        title=stream.title,
        description=stream.description,
        site_url=config.url,
        self_url=config.url + job.path,
        author=config.author or Person(config.title),
        language=config.language,
        updated=max(entry.updated for entry in stream_entries),
        entries=stream_entries,
        hub=None if stream.is_archive else config.websub_hub,
        links=tuple(links),
        archive=stream.is_archive,
        stylesheet=pages.stylesheet_href(job.path) if job.kind in XML_FEED_FILES else None,
    )
    return FORMATS[job.kind](feed)


def _stream_material(stream: Stream) -> tuple[object, ...]:
    posts = [(post.source, post.stamp, post.id) for post in stream.posts]
    return (
        stream.key,
        stream.title,
        stream.description,
        stream.directory,
        stream.prev_archive,
        stream.next_archive,
        stream.current,
        posts,
    )


def _digest(material: object) -> str:
    return hashlib.sha256(repr(material).encode()).hexdigest()
