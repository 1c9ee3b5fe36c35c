"""Posts and problems as the build cache and the reading workers keep them: plain
values (text, numbers, tuples) that pickle at C speed, name no class and hold no paths,
with the checks that a record read back from disk has the shape it was written in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, cast, get_args, get_origin, get_type_hints

from ..model import Post, Problem, Severity, Stamp

if TYPE_CHECKING:
    from ..source.post import Reading

PostRecord = tuple[Any, ...]
"""A post without its source and stamp, which the cache and the listing know already,
in plain values: each date as a `Moment`, each named tuple (a category, an author, a
media file) as a plain tuple. Pickling a class's object names the class, and pickle
looks each name up again for every record: plain values pickle in a fifth of the time."""

Moment = tuple[bytes, int | str | None]
"""A date as a record keeps it: `datetime`'s own pickled state (its fields, fold
included) and its zone's code (see `_zone_code`)."""

ProblemRows = tuple[tuple[int | None, str, str], ...]
"""A file's problems as (line, message, severity)."""

PostEntry = tuple[Stamp | None, PostRecord | None, ProblemRows]
"""How the cache keeps a reading: the file's stamp, its post (or None), its problems."""

LocatedRow = tuple[str, int | None, str, str]
"""A problem with its file, (path, line, message, severity): how the saved plan and
state.json keep a run's warnings."""

_FIELD_TYPES = list(get_type_hints(Post).values())[2:]
_RECORD_TYPES = tuple(
    hint if get_origin(hint) is UnionType else get_origin(hint) or hint for hint in _FIELD_TYPES
)
"""The type of each field of a post, as `Post` declares it."""


def post_record(post: Post) -> PostRecord:
    """The post's fields after its source and stamp, as plain values (see `PostRecord`)."""
    record = list(post[2:])
    for index, plain, _ in _CONVERTED:
        record[index] = plain(record[index])
    return tuple(record)


def post_from_record(record: PostRecord, source: str, stamp: Stamp) -> Post:
    """The inverse of `post_record`; raises ValueError on a record of another shape."""
    if not isinstance(record, tuple) or len(record) != len(_RECORD_TYPES):
        raise ValueError("not a post record")
    fields = list(record)
    try:
        for index, _, restored in _CONVERTED:
            fields[index] = restored(fields[index])
    except (TypeError, ValueError, LookupError, OverflowError) as error:
        raise ValueError("not a post record") from error
    if not all(map(isinstance, fields, _RECORD_TYPES)):
        raise ValueError("not a post record")
    return Post(source, stamp, *fields)


def _moment(moment: datetime) -> Moment | datetime:
    """A date as a `Moment`; one in a zone without a code as itself, which the cache's
    unpickler refuses (such a reading is read again: never wrong)."""
    try:
        code = _zone_code(moment.tzinfo)
    except (LookupError, TypeError):
        return moment
    reduced: Any = moment.__reduce_ex__(4)  # (class, (state, zone)), as pickle takes it
    return reduced[1][0], code


def _datetime(moment: Moment | datetime) -> datetime:
    """The inverse of `_moment`."""
    if isinstance(moment, datetime):
        return moment
    state, code = moment
    if not isinstance(state, bytes):
        raise TypeError("not a moment")
    return _from_state(state, _zone(code))


_from_state = cast(Callable[[bytes, tzinfo | None], datetime], datetime)
"""`datetime(state, zone)`: how pickle makes a date again."""


def _zone_code(zone: tzinfo | None) -> int | str | None:
    """A fixed offset as its seconds, a named zone as its key, none as None; LookupError
    (or TypeError, for one that cannot be hashed) for any other zone."""
    if zone is None:
        return None
    if type(zone) is timezone:
        return _seconds(zone)
    return _key(zone)


@cache
def _seconds(zone: timezone) -> int:
    return zone.utcoffset(None) // timedelta(seconds=1)


@cache
def _key(zone: tzinfo) -> str:
    from zoneinfo import ZoneInfo  # not imported by a run that finds nothing changed

    if type(zone) is ZoneInfo and zone.key is not None:
        return zone.key
    raise LookupError(f"no code for the zone {zone!r}")


@cache
def _zone(code: int | str | None) -> tzinfo | None:
    """The inverse of `_zone_code`: one object per zone, however many dates carry it."""
    from zoneinfo import ZoneInfo

    if code is None:
        return None
    if isinstance(code, str):
        return ZoneInfo(code)
    if type(code) is int:
        return timezone(timedelta(seconds=code))
    raise TypeError("not a zone's code")


def _converters(hint: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """How a field of type `hint` becomes plain and back; None if it is plain already
    (text, numbers, flags, tuples of these)."""
    arguments = get_args(hint)
    if hint is datetime:
        return _moment, _datetime
    if _is_named_tuple(hint):
        return tuple, hint._make
    inner = _converters(arguments[0]) if arguments else None
    if inner is None:
        return None
    if get_origin(hint) is UnionType and arguments[1:] == (NoneType,):
        return _optional(inner[0]), _optional(inner[1])
    if get_origin(hint) is tuple and arguments[1:] == (Ellipsis,):
        return _each(inner[0]), lru_cache(maxsize=_SHARED_VALUES)(_each(inner[1]))
    return None


_SHARED_VALUES = 4096
"""How many of a field's latest values (a post's categories, say) are made once and
shared by the posts read back that have them: a site has few, repeated across its posts,
and a full read makes a million posts' keys from the cache."""


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda items: tuple(map(convert, items))


def _is_named_tuple(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields")


_CONVERTED = tuple(
    (index, *converters)
    for index, converters in enumerate(map(_converters, _FIELD_TYPES))
    if converters is not None
)
"""For each field of a post that is not plain: its place in a record, how it becomes
plain and how it is made again."""


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
