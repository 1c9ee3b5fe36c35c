"""Posts and problems as the build cache and the reading workers keep them: plain
values (text, numbers, dates, tuples) that pickle at C speed and hold no paths, with
the checks that a record read back from disk has the shape it was written in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, get_origin, get_type_hints

from ..model import Post, Problem, Severity, Stamp

if TYPE_CHECKING:
    from ..source.post import Reading

PostRecord = tuple[Any, ...]
"""A post without its source and stamp, which the cache and the listing know already."""

ProblemRows = tuple[tuple[int | None, str, str], ...]
"""A file's problems as (line, message, severity)."""

PostEntry = tuple[Stamp | None, PostRecord | None, ProblemRows]
"""How the cache keeps a reading: the file's stamp, its post (or None), its problems."""

LocatedRow = tuple[str, int | None, str, str]
"""A problem with its file, (path, line, message, severity): how the saved plan and
state.json keep a run's warnings."""

_RECORD_TYPES = tuple(
    hint if get_origin(hint) is UnionType else get_origin(hint) or hint
    for hint in list(get_type_hints(Post).values())[2:]
)
"""The type of each field of a record, as `Post` declares it."""


def post_record(post: Post) -> PostRecord:
    return tuple(post)[2:]


def post_from_record(record: PostRecord, source: str, stamp: Stamp) -> Post:
    """The inverse of `post_record`; raises ValueError on a record of another shape."""
    if len(record) != len(_RECORD_TYPES) or not all(map(isinstance, record, _RECORD_TYPES)):
        raise ValueError("not a post record")
    return Post(source, stamp, *record)


def problem_rows(problems: Iterable[Problem]) -> ProblemRows:
    """A tuple, so that the many files without problems share the one empty tuple."""
    return tuple((p.line, p.message, p.severity.value) for p in problems)


def problems_from_rows(path: str, rows: ProblemRows) -> list[Problem]:
    if not rows:
        return []
    where = Path(path)
    return [Problem(where, line, message, Severity(severity)) for line, message, severity in rows]


def reading_entry(stamp: Stamp | None, reading: Reading) -> PostEntry:
    post, problems = reading
    return stamp, None if post is None else post_record(post), problem_rows(problems)


def reading_from_entry(entry: PostEntry, path: str, stamp: Stamp) -> Reading | None:
    """The inverse of `reading_entry`, for the file at `path` as listed with `stamp`;
    None if the entry is not of the shape `reading_entry` makes."""
    try:
        _, record, rows = entry
        post = None if record is None else post_from_record(record, path, stamp)
        return post, problems_from_rows(path, rows)
    except (TypeError, ValueError, IndexError):
        return None


def located_rows(problems: Iterable[Problem]) -> list[LocatedRow]:
    return [(str(p.path), p.line, p.message, p.severity.value) for p in problems]


def problems_from_located_rows(rows: Iterable[Sequence[Any]]) -> tuple[Problem, ...]:
    """The inverse of `located_rows`; from state.json, each row is a list."""
    return tuple(
        Problem(Path(path), line, message, Severity(severity))
        for path, line, message, severity in rows
    )
