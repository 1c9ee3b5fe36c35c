"""Front-matter keys: one reader per `Post` field, in a table (`KEYS`).

To read a new key: add a field to `model.Post`, and a row to `KEYS` naming the keys
generators write it under and the reader that checks it; then show it where it is
rendered. Where generators name a field differently (`lastmod`, `last_modified_at`,
`[extra] updated`), the row lists every name, first given first. `source.post`
makes the post from what the table read, and the fields that follow from others
(a link from the permalink, an id from the date and slug).

Every problem is collected, in the order of the table, rather than stopping at the
first; each names the line its key is on.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..dates import DateError, WrittenDate, parse_date
from ..model import Category, MediaRef, Person, Problem, Severity
from ..text import fields, slugify, term_key, term_slug
from ..text.fields import FieldError
from ..text.yamltext import Located
from .media import (
    ATTACHMENT_KEYS,
    BANNER,
    BANNER_KEYS,
    IMAGE,
    IMAGE_KEYS,
    MEDIA_KEYS,
    attachment_refs,
    image_ref,
)

if TYPE_CHECKING:
    from ..config import SiteConfig

_NOT_A_PATH = re.compile(r"[:{}%\s]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")

Reader = Callable[["PostKeys", list[str]], Any]
"""Reads a field from those of its keys the front matter gives (maybe none)."""


class Key(NamedTuple):
    """A `Post` field, the keys it is read from, and how.

    `absent`: the field's value when none of its keys is given, without asking the
    reader; unless it is `ASK`: the reader then decides (a default from elsewhere, or
    a problem). `repeated`: posts write the same few values thousands of times (a
    site's category lists, its authors), so a value read without a problem is
    remembered for the rest of the run and not checked again.
    """

    field: str
    names: tuple[str, ...]
    read: Reader
    absent: Any = None
    repeated: bool = False


ASK = object()


class PostKeys:
    """One post's front matter while its fields are read: each key by the name it is
    looked up by (TOML tables' keys also as `table.key`), and the problems found."""

    def __init__(
        self,
        source: str,
        config: SiteConfig,
        values: dict[str, Located],
        remembered: dict[tuple[str, Any], Any],
        plain: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.plain = plain
        """The top-level keys whose values were plain YAML scalars (unquoted, untagged),
        when the conventions need to know (`Convention.plain_times_are_utc`)."""
        self.config = config
        self.rules = config.rules
        self.remembered = remembered
        if self.rules.case_insensitive_keys:
            values = {_CANONICAL.get(key.lower(), key): value for key, value in values.items()}
        self.values = values
        self.given = values
        if dict in map(type, map(_value_of, values.values())):
            self.given = {**values}
            for head, located in values.items():
                if type(located.value) is dict:
                    for inner, value in located.value.items():
                        self.given[f"{head}.{inner}"] = Located(value, located.line)
        self.problems: list[Problem] = []
        file_name = os.path.basename(source)
        dot = file_name.rfind(".")  # as Path.stem has it: `.hidden` and `x.` are stems
        stem = file_name[:dot] if 0 < dot < len(file_name) - 1 else file_name
        folder = os.path.dirname(source) if stem == "index" else ""
        bundle = stem == "index" and Path(folder) != config.posts_dir
        self.name = os.path.basename(folder) if bundle else stem
        """The post's name: its file's, or its folder's for a page bundle (`slug/index.md`)."""

    def report(self, line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(Path(self.source), line, message, severity))

    def line(self, key: str) -> int:
        located = self.given.get(key)
        return located.line + 1 if located is not None else 1

    def parsed(self, key: str, parse: Callable[[str, Any], Any]) -> Any:
        """The key's value through `parse`; None, with a problem on its line, if refused."""
        located = self.given[key]
        try:
            return parse(key, located.value)
        except (FieldError, DateError) as error:
            message = f"'{key}': {error}" if isinstance(error, DateError) else str(error)
            self.report(located.line + 1, message)
            return None

    def fields(self) -> dict[str, Any]:
        """Every field of `KEYS`, read in the table's order."""
        given: dict[str, list[str]] = {}
        for name in self.given:  # a post gives a few of the many names
            field = _FIELD_OF.get(name)
            if field is not None:
                given.setdefault(field, []).append(name)
        read = {}
        for key in KEYS:
            names = given.get(key.field)
            if names is None:
                read[key.field] = key.absent if key.absent is not ASK else key.read(self, [])
                continue
            if len(names) > 1:
                names.sort(key=key.names.index)  # the first name given wins
            read[key.field] = (
                self._remembered(key, names)
                if key.repeated and len(names) == 1
                else key.read(self, names)
            )
        return read

    def _remembered(self, key: Key, given: list[str]) -> Any:
        """A `repeated` key's value as read for an earlier post that wrote it alike (as
        text, or a list of text), or read now and remembered if it raised no problem."""
        value = self.given[given[0]].value
        if type(value) is str:
            written: tuple[str, Any] = (key.field, value)
        elif type(value) is list and all(type(item) is str for item in value):
            written = (key.field, tuple(value))
        else:
            return key.read(self, given)
        seen = self.remembered.get(written, _UNSEEN)
        if seen is not _UNSEEN:
            return seen
        problems = len(self.problems)
        result = key.read(self, given)
        if len(self.problems) == problems and len(self.remembered) < _MAX_REMEMBERED:
            self.remembered[written] = result
        return result


_UNSEEN = object()
_value_of = itemgetter(0)
_MAX_REMEMBERED = 8192
"""Values remembered per run: a site whose every post has a category list of its own
must not hold a copy of each."""


def first(parse: Callable[[str, Any], Any]) -> Reader:
    """A field read from the first of its keys given, through `parse`; None if none is."""

    def read(post: PostKeys, given: list[str]) -> Any:
        return post.parsed(given[0], parse) if given else None

    return read


def _title(post: PostKeys, given: list[str]) -> str | None:
    if not given:
        post.report(1, "'title' is missing; add a line 'title: ...' to the front matter")
        return None
    return post.parsed(given[0], _required_text)


def _required_text(key: str, value: Any) -> str | None:
    return fields.text(key, value, required=True)


def _date(post: PostKeys, named: date | None) -> Callable[[str, Any], WrittenDate]:
    """A date key's reader; see `read_date` for `named`."""

    def parse(key: str, value: Any) -> WrittenDate:
        written = fields.text(key, value, required=True)
        assert written is not None
        zone: tzinfo = post.config.tz
        if key in post.plain and post.rules.plain_times_are_utc and psych_utc(written):
            zone = UTC
        try:
            return parse_date(written, zone)
        except DateError as error:
            if named is None:
                advice = error.advice or "write a date like 2024-05-01 or 2024-05-01T09:30:00+02:00"
                raise DateError(error.problem, advice) from None
            post.report(
                post.line(key),
                f"'{key}' cannot be read: {error.problem}; the file name's date {named} is "
                f"used instead; {error.advice or f'write it like {named} 09:30:00 +02:00'}",
                Severity.WARNING,
            )
            return start_of(named, post)

    return parse


_PSYCH_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?")
"""Psych's YAML 1.1 timestamp (`ScalarScanner::TIME`) without its offset part."""


def psych_utc(written: str) -> bool:
    """Whether Ruby's YAML loader, Psych, reads `written`, if a plain scalar, as a moment
    in UTC: a timestamp with a time and no offset (`2024-05-01 09:30:00`,
    `2024-05-01T09:30:00.5`; `Psych::ScalarScanner#parse_time` makes it `Time.utc`).
    Quoted, it stays a string, which Jekyll reads in the site's time zone, as feeds
    reads every date without an offset; with an offset, or without a time (a `Date`),
    both read it alike."""
    return _PSYCH_TIME.fullmatch(written) is not None


def read_date(post: PostKeys, given: list[str], named: date | None = None) -> WrittenDate | None:
    """The date of the first key given. With `named`, the date a file name carries
    (Jekyll's `2024-05-01-slug.md`), text there that is no date feeds can read gives
    the post that date, with a warning, rather than stop the site: Ruby, which reads
    Jekyll's dates, reads more than feeds does (`2024-05-01 09:30:00 +0200 2024`, the
    year written twice), and the file name's date is the one the generator gives a
    post whose `date:` is missing. An empty value, or one that is no text, stays an
    error."""
    return post.parsed(given[0], _date(post, named)) if given else None


def start_of(day: date, post: PostKeys) -> WrittenDate:
    """A date given without a time (by a file name, or Zola's `path`): its midnight in
    the site's time zone, as a `date:` without a time is read."""
    return WrittenDate(datetime.combine(day, time(), post.config.tz), day)


def _slug(post: PostKeys, given: list[str]) -> str | None:
    """`slug:`, else the file name's. Feeds' own posts must write a slug as it will
    appear; a generator's posts are slugified as the generator does (`slug: My Post`
    -> `my-post`)."""

    def parse(key: str, value: Any) -> str:
        written = fields.text(key, value, required=True)
        assert written is not None
        better = slugify(written)
        if better != written and not (post.rules.generator and better):
            hint = f"write {key}: {better}" if better else "use letters or digits"
            raise FieldError(f"'{key}' must be lower-case letters, digits and hyphens; {hint}")
        return better

    return (given and post.parsed(given[0], parse)) or _slug_from_file_name(post)


def _terms(post: PostKeys, given: list[str]) -> list[str]:
    """Every term of the keys given, merged (see `fields.text_list`: `~` is none). Under
    Jekyll's rule `a b` is two terms."""

    def parse(key: str, value: Any) -> list[str]:
        return fields.text_list(key, value, split=post.rules.split_term_strings)

    terms: list[str] = []
    for key in given:
        terms += post.parsed(key, parse) or ()
    return terms


def _tags(post: PostKeys, given: list[str]) -> tuple[str, ...]:
    """A tag with no letters or digits to make a path from (`!!!`, `---`, or one no
    letter of which has an ASCII form, `日本`) has no slug, so no tag feed
    (`plan.streams` leaves it out): with tag feeds on, a warning; without them nothing
    is lost. It stays on the entry all the same, as a term of its own: Hugo too keeps
    it in the post's tags while giving it no term page. One warning per post, naming
    the first few such tags."""
    tags = tuple(dict.fromkeys(map(sys.intern, _terms(post, given))))
    if post.config.tag_feeds:
        slugless = [tag for tag in tags if not term_slug(tag)]
        if slugless:
            more = ", ".join(map(repr, slugless[1:4]))
            if len(slugless) > 4:
                more += f" and {len(slugless) - 4} more"
            also = f" (also {more})" if more else ""
            post.report(
                post.line(given[0]),
                f"the tag {slugless[0]!r}{also} has no letters or digits to make a path from, "
                "so it can have no tag feed (it stays on the entry); add a letter or digit "
                "to it for a feed of its own, or remove it",
                Severity.WARNING,
            )
    return tags


def _categories(post: PostKeys, given: list[str]) -> tuple[Category, ...]:
    """Categories by `term_key`, so `News` and `news` are one; with `categories:` in
    site.yaml, only those, under their configured titles."""
    if not given:
        return ()
    known, known_keys = post.config.categories, post.config.category_keys
    line = post.line(given[0])
    result: dict[str, Category] = {}
    for name in _terms(post, given):
        slug, key = term_slug(name), term_key(name)
        if not slug:
            post.report(
                line, f"category {name!r} has no letters or digits to make a path from; rename it"
            )
        elif known is not None and key not in known_keys:
            post.report(
                line,
                f"unknown category {name!r}{fields.suggest(slug, known)}; "
                f"use one of {', '.join(known)}, or add it under 'categories:' in "
                f"{post.config.path.name}",
            )
        elif key not in result:
            if known is not None:
                slug = known_keys[key]
            result[key] = Category(slug, known[slug].title if known is not None else name)
    return tuple(result.values())


def _authors(post: PostKeys, given: list[str]) -> tuple[Person, ...]:
    """`author` and `authors`, each one person or a list, handles mapped through the
    site's `authors:`, each person once; the site's `author` when they name nobody."""
    people: list[Person] = []
    for key in given:
        people += post.parsed(key, fields.people) or ()
    if not people:
        return (post.config.author,) if post.config.author is not None else ()
    unique: dict[str, Person] = {}
    for person in people:
        known = post.config.authors.get(person.name, person)
        unique.setdefault(known.name, known)
    return tuple(unique.values())


def _id(post: PostKeys, given: list[str]) -> str | None:
    def parse(key: str, value: Any) -> str:
        written = fields.text(key, value, required=True)
        assert written is not None
        if not _URI.match(written):
            raise FieldError(
                f"'{key}' must be a URI that never changes, e.g. "
                f"tag:{post.config.id_authority},2024-05-01:my-post; or remove it to get one"
            )
        return written

    return post.parsed(given[0], parse) if given else None


def _link(post: PostKeys, given: list[str]) -> str | None:
    """`link:`, else the URL the generator gave the post (`permalink`, `url`, `path`)
    when it is a plain path: patterns such as `/:year/:title/` are the generator's to
    expand, and the post then gets the site's permalink."""
    if given:
        return post.parsed(given[0], _site_link(post.config)) or _generator_link(post)
    return _generator_link(post)


def _site_link(config: SiteConfig) -> Callable[[str, Any], str]:
    def parse(key: str, value: Any) -> str:
        written = fields.text(key, value, required=True)
        assert written is not None
        if "://" in written:
            return fields.absolute_url(key, written)
        if any(c.isspace() for c in written):
            raise FieldError(f"'{key}' must be a URL or a path without spaces")
        return config.url + written.lstrip("/")

    return parse


def _generator_link(post: PostKeys) -> str | None:
    key = post.rules.link_key
    located = post.given.get(key) if key else None
    if key is None or located is None or not isinstance(located.value, str):
        return None
    written = located.value.strip()
    if not written or _NOT_A_PATH.search(written):
        return None
    if post.rules.link_adds_slash and not written.endswith("/"):
        written += "/"
    return _site_link(post.config)(key, written)  # a plain path: nothing to refuse


def _draft(post: PostKeys, given: list[str]) -> bool:
    """`draft: true`, or Jekyll's `published: false`."""
    draft = "draft" in given and post.parsed("draft", fields.flag)
    return bool(draft) or ("published" in given and post.parsed("published", fields.flag) is False)


def _media(post: PostKeys, given: list[str]) -> tuple[MediaRef, ...]:
    """The files the front matter names: its image (the first of `IMAGE_KEYS` given,
    with `image_alt`), its banner, and its attachments, in that order."""
    refs: list[MediaRef] = []
    for kind, keys in ((IMAGE, IMAGE_KEYS), (BANNER, BANNER_KEYS)):
        key = next((name for name in keys if name in given), None)
        if key is None:
            continue
        ref = post.parsed(key, partial(image_ref, line=post.line(key), kind=kind))
        if ref is not None and kind == IMAGE and "image_alt" in given:
            ref = ref._replace(text=post.parsed("image_alt", fields.text))
        refs += [ref] if ref is not None else []
    for key in ATTACHMENT_KEYS:
        if key in given:
            refs += post.parsed(key, partial(attachment_refs, line=post.line(key))) or ()
    return tuple(refs)


KEYS = (
    Key("title", ("title",), _title, ASK),
    Key("updated", ("updated", "lastmod", "last_modified_at", "extra.updated"), read_date),
    Key("expires", ("expiryDate",), read_date),
    Key("slug", ("slug",), _slug, ASK),
    Key(
        "categories",
        ("category", "categories", "taxonomies.categories", "taxonomies.category"),
        _categories,
        (),
        repeated=True,
    ),
    Key("tags", ("tags", "taxonomies.tags"), _tags, ()),
    Key("authors", ("author", "authors"), _authors, ASK, repeated=True),
    Key("summary", ("summary", "excerpt", "description"), first(fields.text)),
    Key("id", ("id",), _id),
    Key("link", ("link",), _link, ASK),
    Key("language", ("language", "lang"), first(fields.language)),
    Key("draft", ("draft", "published"), _draft, False),
    Key("media", MEDIA_KEYS, _media, ()),
)
"""Every field read from front matter but the date (see `_published`), in the order
they are read."""

KEY_NAMES = {key.field: key.names for key in KEYS}
_FIELD_OF = {name: key.field for key in KEYS for name in key.names}
DATE_KEYS = ("date", "publishDate")
READ_KEYS = tuple(
    dict.fromkeys(name.split(".")[0] for name in (*DATE_KEYS, *(n for k in KEYS for n in k.names)))
)
"""Every key feeds reads, whatever the conventions."""
READ_KEY_SET = frozenset(READ_KEYS)
_CANONICAL = {key.lower(): key for key in READ_KEYS}


def _slug_from_file_name(post: PostKeys) -> str | None:
    named = post.rules.file_name_date(post.name) if post.rules.dated_names_drop_date else None
    slug = slugify(named[1] if named and named[1] else post.name)
    if not slug:
        post.report(
            1, "the file name gives no usable slug; rename the file or add 'slug: some-name'"
        )
    return slug or None
