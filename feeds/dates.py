"""Reading the dates editors write, and refusing the ones that cannot be trusted.

A date that is only partly given ("May 2024") or names a zone nobody can place
("CEST") must not be completed from today's date or silently read as UTC: a feed
would then publish a wrong time that readers sort by. Such dates are errors.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache, partial
from typing import NamedTuple

MAX_OFFSET = timedelta(hours=14)
_NAMED_OFFSET = re.compile(r"\b(?:UTC|GMT|UT|Z)\s*[+-]\s*\d", re.IGNORECASE)
MIN_YEAR = 1900
MAX_YEAR = 9999

# Two different fill-in values: a field that differs between the two parses
# was not in the text.
_PROBE_A = datetime(2001, 1, 1)
_PROBE_B = datetime(2002, 2, 2)


class WrittenDate(NamedTuple):
    """A moment plus the calendar date exactly as the editor wrote it.

    The written date feeds entry ids, which must not change with the site's
    time zone setting or the machine's. A named tuple: one is made per post read.
    """

    moment: datetime
    written: date


class DateError(ValueError):
    """Why the text is not a usable date, phrased to be shown to the editor, and what to
    write instead when this problem calls for more than a date in the usual form."""

    def __init__(self, problem: str, advice: str | None = None) -> None:
        super().__init__(problem if advice is None else f"{problem}; {advice}")
        self.problem = problem
        self.advice = advice


def parse_date(text: str, default_tz: tzinfo) -> WrittenDate:
    """Parse an ISO 8601/YAML timestamp, or any text naming year, month and day.

    No time means midnight; no offset means `default_tz`.
    """
    text = text.strip()
    if not text:
        raise DateError("the date is empty")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_free_form(text)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise DateError(f"the year {parsed.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    zone = parsed.tzinfo if parsed.tzinfo is not None else default_tz
    if type(zone) is timezone:  # a fixed offset: checked once, then shared
        zone, problem = _fixed_offset(zone)
        moment = _new_moment(parsed, parsed.time(), zone)
    else:  # a named zone, whose offset depends on the date
        moment = _new_moment(parsed, parsed.time(), zone)
        problem = _offset_problem(moment.utcoffset())
    if problem is not None:
        raise DateError(f"the offset in '{text}' {problem}")
    if parsed.year == MAX_YEAR:  # only there can the moment in UTC fall past datetime.max
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise DateError(f"'{text}' is too close to the end of year 9999") from None
    return _new_written_date((moment, parsed.date()))


_new_moment = datetime.combine
"""A date, time and zone as one moment: `combine`, not `replace(tzinfo=...)`, which
is far slower on a datetime that has an offset already."""
_new_written_date = partial(tuple.__new__, WrittenDate)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def instant(moment: datetime) -> int:
    """An aware moment as whole microseconds since the Unix epoch: exact, and cheap to
    compare: aware datetimes in different zones compare through their offsets, and
    feeds sort and schedule every post of a site by this."""
    return (moment - _EPOCH) // _MICROSECOND


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822_date(moment: datetime) -> str:
    """An aware moment as RFC 2822 writes dates, in GMT (`Sun, 22 Nov 2026 13:05:00 GMT`).

    English names whatever the machine's locale, which strftime's `%a` and `%b` would
    follow; and not `email.utils.format_datetime`, whose import (with socket and
    random) outweighs the few lines here."""
    utc = moment.astimezone(UTC)
    weekday, month = _WEEKDAYS[utc.weekday()], _MONTHS[utc.month - 1]
    return f"{weekday}, {utc.day:02d} {month} {utc.year:04d} {utc:%H:%M:%S} GMT"


@lru_cache(maxsize=256)
def _fixed_offset(zone: timezone) -> tuple[timezone, str | None]:
    """One object per offset, however many dates carry it (a site's posts use a few
    offsets, and the build cache's pickle then stores each once), and what is wrong
    with the offset, if anything."""
    return zone, _offset_problem(zone.utcoffset(None))


def _offset_problem(offset: timedelta | None) -> str | None:
    if offset is not None and abs(offset) > MAX_OFFSET:
        return "is beyond ±14:00, which no time zone uses"
    if offset is not None and offset.seconds % 60:
        return "has seconds; feeds allow hours and minutes"
    return None


def _parse_free_form(text: str) -> datetime:
    from dateutil import parser as dateutil_parser  # only for dates ISO 8601 cannot read

    if _NAMED_OFFSET.search(text):
        # dateutil reads "UTC+3" the POSIX way, as three hours *behind* UTC; people
        # writing it mean ahead. Neither reading can be trusted.
        raise DateError(f"'{text}' is ambiguous", "write the offset alone, like +03:00")
    try:
        first = dateutil_parser.parse(text, default=_PROBE_A, tzinfos=_zone)
        second = dateutil_parser.parse(text, default=_PROBE_B, tzinfos=_zone)
    except DateError:
        raise
    except (ValueError, OverflowError) as error:
        raise DateError(f"'{text}' is not a date ({_reason(error)})") from None
    missing = [
        name
        for name, a, b in (
            ("year", first.year, second.year),
            ("month", first.month, second.month),
            ("day", first.day, second.day),
        )
        if a != b
    ]
    if missing:
        raise DateError(f"'{text}' does not name the {' and '.join(missing)}")
    return first


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """Resolve a zone the same way on every machine.

    dateutil on its own maps any abbreviation found in the machine's
    `time.tzname` to the local zone, so "CEST" would mean one thing on a server
    in Berlin and be dropped elsewhere. Only UTC names and numeric offsets are
    unambiguous.
    """
    if name is None:  # without a zone (the site's time zone applies), or an offset
        return None if offset is None else timezone(timedelta(seconds=offset))
    if name.upper() in _UTC_NAMES and not offset:
        return UTC
    raise DateError(
        f"the time zone name '{name}' is ambiguous", "write a numeric offset like +02:00 instead"
    )


_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})


def _reason(error: Exception) -> str:
    message = str(error.args[0]) if error.args else str(error)
    return message.split(":")[0]
