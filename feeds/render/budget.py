"""A feed file kept under its size budget (`max_bytes`). Pure: the same feed and budget
give the same cut.

Readers and services refuse feeds by size, not by entry count, so each file is measured
by its own serialized bytes, and cut the least that fits:

1. the whole feed, when it fits (the common case: one serialization, as without a budget);
2. else the oldest entries with their summary only, as few as fit, from the oldest up:
   readers have shown those longest, and the post stays one link away;
3. else, all of them summary-only, the oldest left out, as few as fit; never more than
   `keep` stay (the newest entry always does, and archive pages hold the rest).

Each step's boundary is found by binary search over serializations, so a cut costs the
all-summary feed's and about log2(entries) more per step, never one per entry. Where
making an entry summary-only does not shrink the file (a summary longer than the body),
the search still returns a cut that fits, if not always the fullest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..model import Entry, Feed


class Cut(NamedTuple):
    """A feed as written: its bytes, and how many of its oldest entries the budget made
    summary-only (`shortened`) or left out (`dropped`)."""

    data: bytes
    shortened: int = 0
    dropped: int = 0


def within_budget(feed: Feed, serialize: Callable[[Feed], bytes], budget: int, keep: int) -> Cut:
    """`feed` serialized in at most `budget` bytes, if it can be with `keep` entries or
    more; else its newest `keep`, all summary-only, over budget."""
    whole = serialize(feed)
    if len(whole) <= budget:
        return Cut(whole)
    entries, count = feed.entries, len(feed.entries)
    summaries = tuple(_summary_only(entry) for entry in entries)

    def measured(full: int, kept: int) -> bytes:
        """The feed with its newest `kept` entries, the first `full` of them whole."""
        return serialize(feed._replace(entries=entries[:full] + summaries[full:kept]))

    all_summaries = measured(0, count)
    if len(all_summaries) <= budget:
        full, data = _largest(lambda n: measured(n, count), 0, all_summaries, count, budget)
        return Cut(data, count - full)
    keep = min(keep, count)
    fewest = all_summaries if keep == count else measured(0, keep)
    if len(fewest) > budget:
        return Cut(fewest, keep, count - keep)
    kept, data = _largest(lambda n: measured(0, n), keep, fewest, count, budget)
    return Cut(data, kept, count - kept)


def _largest(
    serialized: Callable[[int], bytes], low: int, fitting: bytes, high: int, budget: int
) -> tuple[int, bytes]:
    """The largest n in [low, high) whose serialization fits `budget`, with its bytes, by
    binary search: n = low is known to fit (`fitting` are its bytes), n = high not to."""
    while high - low > 1:
        middle = (low + high) // 2
        attempt = serialized(middle)
        if len(attempt) <= budget:
            low, fitting = middle, attempt
        else:
            high = middle
    return low, fitting


def _summary_only(entry: Entry) -> Entry:
    return entry._replace(content_html=None)
