"""Ids that do not slip once published: the Atom feed's own `<id>`, and the check that
a build keeps every entry's id. Pure.

Feed readers know an entry by its id, and show an entry with an id they have not seen
as a new post. A post's tag: id is made from its slug, so renaming its file gives it
a new id, and every subscriber sees the post twice. The feeds in the output folder are
the record of what subscribers hold: an entry that leaves a feed while an entry of the
same moment with the same title, or the same content, arrives is the same post under a
new id (`id_changes`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from .feedreader import ReadEntry, title_key
from .model import Post, Problem, Severity


def feed_id(self_url: str, id_authority: str) -> str:
    """The Atom feed's `<id>`: its self URL, with the host `id_authority` names in place
    of the URL's when they differ (the domain of an email address authority).

    `id_authority` defaults to the URL's host, so a site that never moved has its self
    URL as the id; a site that moved to a new host and set `id_authority` to the old
    one, as entry ids need, keeps the feed's id too. The scheme and path are the URL's:
    a site that moved from http to https, or to another folder, gets a new feed id
    (its entries keep theirs), as nothing in site.yaml records the old ones.
    """
    parts = urlsplit(self_url)
    host = id_authority.rsplit("@", 1)[-1]
    if not host or parts.hostname == host:
        return self_url
    return urlunsplit(parts._replace(netloc=host))


class IdProblem(Problem):
    """A post whose entry's id would change: no fault of the post's own, so not one
    that `--skip-invalid` leaves out."""


class IdChange(NamedTuple):
    """A post whose entry would be published under a new id, though a feed holds it
    under the old one."""

    post: Post
    old: str
    new: str

    def problem(self, *, toml: bool, strict: bool) -> Problem:
        """What to tell: the line that keeps the old id, in the language of the post's
        front matter (`toml`: between `+++` lines), to copy as it is. With `strict` it
        is an error (nothing is published), else a warning."""
        line = f"id = {json.dumps(self.old, ensure_ascii=False)}" if toml else f"id: {self.old}"
        cause = " (its file was renamed or its slug changed)" if _slug_changed(self) else ""
        message = (
            f"its id changes from {self.old} to {self.new}{cause}, so feed readers would "
            f"show it again as a new post; add a line '{line}' to the front matter to keep "
            "the old id"
        )
        if strict:
            message += ", or build without --strict-ids to publish it under the new one"
        severity = Severity.ERROR if strict else Severity.WARNING
        return IdProblem(Path(self.post.source), 1, message, severity)


def _slug_changed(change: IdChange) -> bool:
    """Whether both ids are tag: ids that differ in their slug only."""
    old, new = change.old.rpartition(":")[0], change.new.rpartition(":")[0]
    return old.startswith("tag:") and old == new


def id_changes(
    held: Sequence[ReadEntry], written: Sequence[ReadEntry], posts: Sequence[Post]
) -> list[IdChange]:
    """The entries of the feed file as it is (`held`) that the feed about to replace it
    (`written`, made from `posts`) holds under another id.

    An entry is gone when its id is not written, and arrived when its id was not held,
    unless its post sets `id:`: an id the author wrote is theirs to choose (it is how
    the old id of an entry published under a new one comes back). A gone and an
    arrived entry are one post when they have the same date, to the second, and the
    same title (as `feedreader.title_key` compares titles) or the same content (but for
    links to the entry's own URL, which moves with its slug); only a pair that matches
    no other entry is taken, never a guess between two. So an entry that fell off the
    end of the feed (`max_items`, `max_bytes`) is not taken for a changed one: entries
    arrive at the new end, with other dates than the one that left.
    """
    written_ids = {entry.id for entry in written}
    held_ids = {entry.id for entry in held}
    by_id = {post.id.strip(): post for post in posts}
    arrived: dict[datetime, list[ReadEntry]] = defaultdict(list)
    for entry in written:
        post = by_id.get(entry.id)
        if entry.id not in held_ids and entry.date is not None and post and not post.id_given:
            arrived[entry.date].append(entry)
    pairs = [
        (gone, new)
        for gone in held
        if gone.id not in written_ids and gone.date is not None
        for new in arrived.get(gone.date, ())
        if _same_post(gone, new)
    ]
    times = Counter(entry.id for pair in pairs for entry in pair)
    return [
        IdChange(by_id[new.id], gone.id, new.id)
        for gone, new in pairs
        if times[gone.id] == times[new.id] == 1
    ]


def _same_post(held: ReadEntry, written: ReadEntry) -> bool:
    if title_key(held.title) == title_key(written.title):
        return True
    content = _content_key(held)
    return content is not None and content == _content_key(written)


def _content_key(entry: ReadEntry) -> str | None:
    """An entry's content with its own URL taken out (relative links in a post are
    made absolute against it) and whitespace collapsed; None if it has none."""
    text = entry.text
    if not text:
        return None
    if entry.link:
        text = text.replace(entry.link, "")
    return " ".join(text.split())
