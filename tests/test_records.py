"""How the build cache keeps a post: plain values that name no class, and back to the
very post, dates' zones and folds included."""

from __future__ import annotations

import pickle
import pickletools
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import given
from hypothesis import strategies as st

from feeds.incremental.pickles import dump_entry, load_entry
from feeds.incremental.records import post_from_record, post_record, reading_entry
from feeds.model import Category, Media, MediaRef, Person, Post

STAMP = (120, 1_700_000_000_000_000_000, 42, 1_700_000_000_000_000_000)

ZONES = st.one_of(
    st.just(UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes))),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]).map(ZoneInfo),
)
MOMENTS = st.builds(
    lambda moment, zone, fold: moment.replace(tzinfo=zone, fold=fold),
    st.datetimes(datetime(1900, 1, 2), datetime(9999, 12, 30)),
    ZONES,
    st.sampled_from([0, 1]),
)
TEXT = st.text(max_size=20)
OPTIONAL_TEXT = st.none() | TEXT
MEDIA = st.builds(
    Media,
    TEXT,
    OPTIONAL_TEXT,
    st.none() | st.integers(0, 2**40),
    OPTIONAL_TEXT,
    OPTIONAL_TEXT,
    st.none() | st.tuples(*[st.integers(0, 2**62)] * 4),
)
POSTS = st.builds(
    Post,
    source=st.just("posts/a.md"),
    stamp=st.just(STAMP),
    slug=TEXT,
    id=TEXT,
    link=TEXT,
    title=TEXT,
    published=MOMENTS,
    instant=st.integers(-(2**62), 2**62),
    updated=MOMENTS,
    categories=st.lists(st.builds(Category, TEXT, TEXT), max_size=3).map(tuple),
    tags=st.lists(TEXT, max_size=3).map(tuple),
    authors=st.lists(st.builds(Person, TEXT, OPTIONAL_TEXT), max_size=3).map(tuple),
    summary=OPTIONAL_TEXT,
    body_line=st.integers(1, 10_000),
    language=OPTIONAL_TEXT,
    draft=st.booleans(),
    expires=st.none() | MOMENTS,
    refs=st.lists(st.tuples(TEXT, TEXT, st.integers(1, 99), TEXT, OPTIONAL_TEXT), max_size=2).map(
        tuple
    ),
    media=st.lists(
        st.builds(MediaRef, TEXT, TEXT, TEXT, st.integers(1, 99), OPTIONAL_TEXT), max_size=2
    ).map(tuple),
    image=st.none() | MEDIA,
    banner=st.none() | MEDIA,
    attachments=st.lists(MEDIA, max_size=2).map(tuple),
    id_given=st.booleans(),
)


def dates(post: Post) -> list[tuple[str, int, object]]:
    """Each date as output shows it, with what `==` on aware datetimes overlooks: the
    fold and the zone itself."""
    moments = [post.published, post.updated, post.expires]
    return [(m.isoformat(), m.fold, m.tzinfo) for m in moments if m is not None]


def classes_named(data: bytes) -> list[str]:
    return [op.name for op, _, _ in pickletools.genops(data) if "GLOBAL" in op.name]


@given(POSTS)
def test_a_post_comes_back_from_the_cache_as_it_was_read(post: Post) -> None:
    stored = dump_entry(reading_entry(STAMP, (post, [])))
    assert classes_named(stored) == []  # so the cache's unpickler can refuse every class
    entry = load_entry(stored)
    assert isinstance(entry, tuple)
    again = post_from_record(entry[1], post.source, STAMP)
    assert again == post
    assert dates(again) == dates(post)
    assert all(type(a) is type(b) for a, b in zip(again, post, strict=True))


def test_a_date_in_a_zone_without_a_code_is_read_again() -> None:
    """A zone neither a fixed offset nor a named zone (feeds makes none) stays itself in
    the record, which the cache's unpickler then refuses: the file is read again."""
    odd = datetime(2024, 5, 1, 10, tzinfo=dateutil_tz.tzoffset(None, 7200))
    post = next_post(published=odd, updated=odd)
    stored = dump_entry(reading_entry(STAMP, (post, [])))
    assert classes_named(stored) != []
    assert load_entry(stored) is None


@pytest.mark.parametrize(
    "moment",
    [
        ("2024", 0),  # the state is not bytes
        (b"\x07\xe8\x0d\x01\x00\x00\x00\x00\x00\x00", 0),  # month 13
        (b"\x07\xe8\x05\x01\x00\x00\x00\x00\x00\x00", 10**20),  # no such offset
        (b"\x07\xe8\x05\x01\x00\x00\x00\x00\x00\x00", "No/Such_Zone"),
        (b"\x07\xe8\x05\x01\x00\x00\x00\x00\x00\x00", 1.5),
        (b"\x07\xe8\x05\x01\x00\x00\x00\x00\x00\x00",),
        "2024-05-01",
    ],
)
def test_a_damaged_date_is_no_record(moment: object) -> None:
    record = list(post_record(next_post()))
    record[4] = moment  # published
    with pytest.raises(ValueError, match="not a post record"):
        post_from_record(tuple(record), "posts/a.md", STAMP)


def next_post(**changes: object) -> Post:
    moment = datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    post = Post(
        "posts/a.md", STAMP, "a", "tag:a", "https://a/", "A", moment, 0, moment,
        (Category("news", "News"),), (), (Person("Ann"),), None, 3,
    )  # fmt: skip
    return post._replace(**changes)


def test_the_unpickler_refuses_every_class() -> None:
    assert load_entry(pickle.dumps((STAMP, (datetime(2024, 1, 1),), ()))) is None
    assert load_entry(pickle.dumps(Person("Ann"))) is None


def test_posts_read_back_share_their_categories_and_authors() -> None:
    """A full read makes every post's key from the cache: a million posts holding their
    own copies of a site's few categories and authors took 300 MB more."""
    first, second = next_post(), next_post(slug="b")
    records = [post_record(post) for post in (first, second)]
    again = [post_from_record(pickle.loads(pickle.dumps(r)), "x.md", STAMP) for r in records]
    assert again[0].categories == first.categories
    assert again[0].categories is again[1].categories
    assert again[0].authors is again[1].authors
