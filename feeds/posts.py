"""One post file to one `Post`: front matter split, parsed and checked.

Post files are read only here (`feeds.listing` finds them, `feeds.reading` reads
them all). Everything a post's id and URL depend on is settled here, so that
problems such as two posts sharing an id are reported against the files that
cause them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import datetime, time
from functools import cached_property, lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from . import fields
from .config import SiteConfig
from .conventions import READ_KEYS, path_date
from .dates import DateError, WrittenDate, instant, parse_date
from .fields import FieldError, Person
from .listing import Stamp, file_stamp
from .problems import Problem, ProblemRows, Severity, problem_rows, problems_from_rows
from .templates import has_template_text, strip_templates
from .text import decode_utf8, slugify, term_key, term_slug, xml_safe
from .tomltext import load_toml_mapping
from .yamltext import Located, YamlTextError, load_mapping

_FENCE = re.compile(r"(---|\+\+\+)([A-Za-z]*)[ \t]*(\n|$)")
_YAML_NAMES = ("", "yaml", "json")  # Eleventy's `---json`: JSON is YAML
_CLOSING_FENCES = {"---": ("\n---", "\n..."), "+++": ("\n+++",)}
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
_NOT_A_PATH = re.compile(r"[:{}%\s]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


class Category(NamedTuple):
    """A category as it appears in paths (`slug`) and to people (`name`)."""

    slug: str
    name: str


@lru_cache(maxsize=4096)
def _category(slug: str, name: str) -> Category:
    """One object per category, shared by its posts: less memory, and the build
    cache's pickle stores it once."""
    return Category(slug, name)


class Post(NamedTuple):
    """A post's front matter, checked. The body is not kept: `read_body` fetches it
    for the few posts that reach a feed, so memory does not grow with the site.

    A named tuple rather than a dataclass: a site has tens of thousands, and tuples
    are the cheapest objects to make, to pickle between processes and into the
    build cache, and to load back from it.
    """

    source: str
    """The file's path. Text, not a Path: making 10,000 Paths costs 30 ms a run."""
    stamp: Stamp
    """The file's stat when it was read: changes whenever the body does."""
    slug: str
    id: str
    link: str
    title: str
    published: datetime
    instant: int
    """`published` as `dates.instant`: what feeds are ordered and scheduled by."""
    updated: datetime
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    author: Person | None
    summary: str | None
    body_line: int
    draft: bool = False
    expires: datetime | None = None
    """Hugo's `expiryDate`: the post leaves every feed at this moment."""

    @property
    def is_markdown(self) -> bool:
        return _is_markdown(self.source)


new_post = partial(tuple.__new__, Post)
"""`Post(...)` from all its fields in order, without the named tuple's Python-level
__new__: a run makes one per post of the site, read or cached."""


Reading = tuple[Post | None, list[Problem]]
"""A file's post, or None, and the problems found in it."""


def read_post(
    path: Path | str,
    config: SiteConfig,
    listed: Stamp | None = None,
    repeats: Repeats | None = None,
) -> Reading:
    """One file to one post, or None with the reasons.

    The post keeps the path as given (a listing's string, not a copy) and, when the file
    is still as `listed`, that stamp: 100,000 posts each with their own copies of both
    held 33 MB more. `repeats` carries what earlier posts of the same run, read with the
    same `config`, had in common.
    """
    source = os.fspath(path)
    document, stamp, problem = _read_text(source, config)
    if stamp == listed:
        stamp = listed
    if problem is not None:
        return None, [problem]
    parts = split_front_matter(document)
    if isinstance(parts, str):
        if not document.startswith(("---", "+++")) and (
            config.rules.generator or not _is_markdown(source)
        ):
            return None, [Problem(Path(source), None, "skipped: no front matter", Severity.NOTE)]
        return None, [Problem(Path(source), 1, parts)]
    front, body_line, fence = parts
    problems: list[Problem] = []
    try:
        if fence == "+++":
            values = load_toml_mapping(xml_safe(front))
        else:
            values = _load_front_matter(xml_safe(front), source, problems)
    except YamlTextError as error:
        line = error.line + 1 if error.line is not None else 1
        return None, [Problem(Path(source), line, error.message)]
    builder = _PostBuilder(source, config, values, repeats or Repeats())
    post, found = builder.build(stamp, body_line)
    if post is not None and has_template_text(document):  # spares splitting the body
        _, dropped = strip_templates(_body(document, body_line), body_line, _is_markdown(source))
        found += [Problem(Path(source), line, text, Severity.WARNING) for line, text in dropped]
    return post, problems + found


def read_body(post: Post, config: SiteConfig) -> str:
    """The body of a post read earlier, without template text (see `templates`);
    "" if the file has become unreadable."""
    document, _, problem = _read_text(post.source, config)
    if problem is not None:
        return ""
    body = xml_safe(_body(document, post.body_line))
    return strip_templates(body, post.body_line, post.is_markdown)[0]


def _body(document: str, body_line: int) -> str:
    return "\n".join(document.split("\n")[body_line - 1 :])


def _is_markdown(path: str | Path) -> bool:
    """`.html` posts are HTML (Jekyll's rule): no Markdown code blocks in them."""
    return os.path.splitext(path)[1] != ".html"


def split_front_matter(document: str) -> tuple[str, int, str] | str:
    """The front matter text, the line the body starts on, and its fence: `---` for
    YAML, `+++` for TOML (Hugo, Zola); or why there is none."""
    opening = _FENCE.match(document)
    if opening is None:
        return (
            "no front matter; start the file with a line '---', then 'title: ...' and "
            "'date: ...', then a line '---'"
        )
    fence, language = opening.group(1), opening.group(2)
    if language.lower() not in (_YAML_NAMES if fence == "---" else ("", "toml")):
        return (
            f"front matter in {language!r} cannot be read; write it as YAML between "
            "'---' lines or as TOML between '+++' lines"
        )
    closing = _closing_line(document, opening.end(), fence)
    if closing is None or not opening.group(3):
        return f"the front matter has no closing '{fence}'; add a line '{fence}' after its last key"
    front = document[opening.end() : closing]
    return front, front.count("\n") + 3, fence


def _closing_line(document: str, start: int, fence: str) -> int | None:
    """Where the first line from `start` on that closes the front matter begins: the
    fence (YAML's also `...`) and nothing else but spaces and tabs.

    Found with `str.find`: a multi-line regular expression tries every character of
    the front matter in turn, and took a tenth of reading a post.
    """
    closing = len(document)  # the search for the next mark stops at the one found
    for mark in _CLOSING_FENCES[fence]:
        at = start - 1  # the newline ending the opening fence
        while (at := document.find(mark, at, closing)) != -1:
            rest = at + len(mark)
            end = document.find("\n", rest)
            if not document[rest : end if end != -1 else len(document)].strip(" \t"):
                closing = at
                break
            at = rest
    return closing + 1 if closing < len(document) else None


def _read_text(path: str, config: SiteConfig) -> tuple[str, Stamp, Problem | None]:
    """The file as text with newlines normalised, read at most `max_post_bytes` deep."""
    limit = config.max_post_bytes
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            status = os.fstat(descriptor)
            # Never more than the limit, so a huge file is not read whole; and no more
            # than the file holds, since read(n) first allocates n bytes.
            raw = _read_up_to(descriptor, min(status.st_size, limit) + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        return (
            "",
            (0, 0, 0, 0),
            Problem(Path(path), None, f"cannot read the file ({error.strerror or error})"),
        )
    stamp = file_stamp(status)
    if len(raw) > limit:
        message = (
            f"the file is larger than max_post_bytes ({limit} bytes); shorten it, "
            f"or raise max_post_bytes in {config.path.name}"
        )
        return "", stamp, Problem(Path(path), None, message)
    try:
        document = decode_utf8(raw)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = "this is not UTF-8 text; save the file as UTF-8"
        return "", stamp, Problem(Path(path), line, message)
    if "\r" in document:
        document = document.replace("\r\n", "\n").replace("\r", "\n")
    return document, stamp, None


def _read_up_to(descriptor: int, size: int) -> bytes:
    """Up to `size` bytes: one `os.read` for a whole post (a file object's buffering
    costs more than the read), more if the file grew or the system returns less."""
    chunks = []
    while size > 0 and (chunk := os.read(descriptor, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _load_front_matter(front: str, path: str, problems: list[Problem]) -> dict[str, Located]:
    """YAML forbids tabs for indentation, yet editors type them; read them as spaces."""
    try:
        return load_mapping(front)
    except YamlTextError:
        if "\t" not in front:
            raise
    values = load_mapping(_LEADING_TABS.sub(lambda m: "  " * len(m.group()), front))
    problems.append(
        Problem(
            Path(path),
            2,
            "tabs in the front matter were read as two spaces each; indent with spaces",
            Severity.WARNING,
        )
    )
    return values


_required_text = partial(fields.text, required=True)
_READ_KEY_SET = frozenset(READ_KEYS)
_MAX_REPEATS = 4096
"""Values `Repeats` keeps of each kind: a site whose every post has a category list of
its own must not hold a copy of each."""
_UNSEEN = object()
_value_of = itemgetter(0)
T = TypeVar("T")


class Repeats:
    """What the posts of one run, read with one config, write alike: their category
    lists and their authors, each checked once rather than once a post.

    The bench site's 10,000 posts have 276 category lists and 6 authors; checking
    them post by post was a tenth of reading a post. Only values that raised no
    problem are kept, since a problem names its post's line.
    """

    def __init__(self) -> None:
        self.categories: dict[str | tuple[Any, ...], tuple[Category, ...]] = {}
        self.authors: dict[str | tuple[Any, ...], Person | None] = {}


def _written_alike(value: Any) -> str | tuple[Any, ...] | None:
    """A value written as text or a list, as a key of `Repeats`; None for any other
    (mappings, numbers in TOML), which is then checked every time. A list holding
    anything but text always raises a problem, so its key is never kept."""
    if type(value) is str:
        return value
    return tuple(value) if type(value) is list else None


class _PostBuilder:
    """Checks each field, collecting every problem rather than stopping at the first.

    Where generators name a field differently (`lastmod`, `last_modified_at`,
    `[extra] updated`), the keys are tried in order and the first one given wins.
    """

    def __init__(
        self, source: str, config: SiteConfig, values: dict[str, Located], repeats: Repeats
    ) -> None:
        self.source = source
        self.config = config
        self.rules = config.rules
        self.repeats = repeats
        if self.rules.case_insensitive_keys:
            canonical = {key.lower(): key for key in READ_KEYS}
            values = {canonical.get(key.lower(), key): value for key, value in values.items()}
        self.values = values
        self.given = values
        """Every key by the name it is looked up by: tables' keys also as `table.key`."""
        if dict in map(type, map(_value_of, values.values())):  # TOML's tables: few posts
            self.given = {**values}
            for head, located in values.items():
                if type(located.value) is dict:
                    for inner, value in located.value.items():
                        self.given[f"{head}.{inner}"] = Located(value, located.line)
        self.problems: list[Problem] = []
        self.undated = False
        file_name = source[source.rfind(os.sep) + 1 :]  # os.path.basename, without its calls
        dot = file_name.rfind(".")  # as Path.stem has it: `.hidden` and `x.` are stems
        stem = file_name[:dot] if 0 < dot < len(file_name) - 1 else file_name
        folder = os.path.dirname(source) if stem == "index" else ""
        bundle = stem == "index" and Path(folder) != config.posts_dir
        self.name = os.path.basename(folder) if bundle else stem
        """The post's name: its file's, or its folder's for a page bundle (`slug/index.md`)."""

    @cached_property
    def path(self) -> Path:
        """For problems only: most posts have none, and a Path costs more than a post's
        other fields together."""
        return Path(self.source)

    def build(self, stamp: Stamp, body_line: int) -> Reading:
        date = self._published()
        if date is None and self.undated and self.rules.generator:
            note = (
                "skipped: no date in 'date', the file name or 'path', so a page, not a post "
                "(the generator's own feed leaves it out too)"
            )
            return None, [Problem(self.path, None, note, Severity.NOTE)]
        self._check_keys()
        given = self.given  # most posts leave most keys out: `in` spares parsing nothing
        title = self._field("title", _required_text, required=True)
        updated_key = self._present("updated", "lastmod", "last_modified_at", "extra.updated")
        updated = self._field(updated_key, self._date) if updated_key else None
        expires = self._field("expiryDate", self._date) if "expiryDate" in given else None
        slug = ("slug" in given and self._field("slug", self._slug)) or self._slug_from_file_name()
        categories = self._categories()
        tags = tuple(
            dict.fromkeys(map(sys.intern, self._terms(*self._given("tags", "taxonomies.tags"))))
        )
        author = self._author()
        summary = self._field(("summary", "excerpt", "description"), fields.text)
        post_id = self._field("id", self._uri) if "id" in given else None
        link = ("link" in given and self._field("link", self._link)) or self._generator_link()
        draft = ("draft" in given and self._field("draft", fields.flag)) or (
            "published" in given and self._field("published", fields.flag) is False
        )
        if date is not None and updated is not None and updated.moment < date.moment:
            assert updated_key is not None
            self._report(
                self._line(updated_key),
                f"'{updated_key}' is before 'date'; write the time of the last real change, "
                f"on or after the date, or remove '{updated_key}'",
            )
        if any(problem.is_error for problem in self.problems):
            return None, self.problems
        assert title is not None and date is not None and slug is not None
        first_category = categories[0].slug if categories else "uncategorized"
        link = link or self._permalink(date, slug, first_category)
        if post_id is None and self.config.id_scheme == "link":
            post_id = link
        post = new_post(
            (
                self.source,
                stamp,
                slug,
                post_id or f"tag:{self.config.id_authority},{date.written.isoformat()}:{slug}",
                link,
                title,
                date.moment,
                instant(date.moment),
                (updated or date).moment,
                categories,
                tags,
                author,
                summary,
                body_line,
                draft,
                expires.moment if expires is not None else None,
            )
        )
        return post, self.problems

    def _check_keys(self) -> None:
        """Warn about keys feeds does not know; with a generator's conventions, only
        about those that look like a typo of a key feeds reads: the rest belong to
        the generator or its theme (`comments: true`)."""
        if _READ_KEY_SET.issuperset(self.values):  # the usual case, in one set operation
            return
        for key, located in self.values.items():
            if key in _READ_KEY_SET or key in self.rules.page_keys:
                continue
            hint = fields.suggest(key, READ_KEYS)
            if hint or not self.rules.generator:
                self._report(
                    located.line + 1, f"unknown key '{key}' is ignored{hint}", Severity.WARNING
                )

    def _given(self, *keys: str) -> list[str]:
        """Those of `keys` the front matter has (most posts have few of the keys tried).
        A loop: for a few keys, a generator expression costs four times as much."""
        given = []
        for key in keys:
            if key in self.given:
                given.append(key)
        return given

    def _present(self, *keys: str) -> str | None:
        for key in keys:
            if key in self.given:
                return key
        return None

    def _field(self, keys: str | tuple[str, ...], parse: Any, *, required: bool = False) -> Any:
        """The first of `keys` given, parsed; None (and a problem, if it is bad or required)."""
        key = keys if type(keys) is str else self._present(*keys)
        located = self.given.get(key) if key is not None else None
        if located is None:
            if required:
                self._report(1, f"'{key}' is missing; add a line '{key}: ...' to the front matter")
            return None
        try:
            return parse(key, located.value)
        except (FieldError, DateError) as error:
            self._report(
                located.line + 1,
                f"'{key}': {error}" if isinstance(error, DateError) else str(error),
            )
            return None

    def _line(self, key: str) -> int:
        located = self.given.get(key)
        return located.line + 1 if located is not None else 1

    def _report(self, line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.path, line, message, severity))

    def _published(self) -> WrittenDate | None:
        """`date` (else Hugo's `publishDate`), else the date in a Jekyll file name, else
        the `YYYY/MM/DD` of Zola's `path`. A key that disagrees with the file name by
        more than a day is probably a typo in one of them: a warning."""
        named = self.rules.file_name_date(self.name)
        from_name = named[0] if named else None
        key = self._present("date", "publishDate")
        if key is not None:
            date = self._field(key, self._date)
            if date is not None and from_name and abs((date.written - from_name).days) > 1:
                self._report(
                    self._line(key),
                    f"'{key}' says {date.written}, the file name {from_name}; the key wins. "
                    "Rename the file or correct the date",
                    Severity.WARNING,
                )
            return date
        path = self.given.get("path")
        day = from_name or (path_date(path.value) if path and isinstance(path.value, str) else None)
        if day is None:
            self.undated = True
            if not self.rules.generator:
                self._report(1, "'date' is missing; add a line 'date: ...' to the front matter")
            return None
        return WrittenDate(datetime.combine(day, time(), self.config.tz), day)

    def _date(self, key: str, value: Any) -> WrittenDate:
        written = fields.text(key, value, required=True)
        assert written is not None
        try:
            return parse_date(written, self.config.tz)
        except DateError as error:
            raise DateError(
                f"{error}; write a date like 2024-05-01 or 2024-05-01T09:30:00+02:00"
            ) from None

    def _slug(self, key: str, value: Any) -> str:
        """Feeds' own posts must write a slug as it will appear; a generator's posts
        are slugified as the generator does (`slug: My Post` -> `my-post`)."""
        written = fields.text(key, value, required=True)
        assert written is not None
        better = slugify(written)
        if better != written and not (self.rules.generator and better):
            hint = f"write {key}: {better}" if better else "use letters or digits"
            raise FieldError(f"'{key}' must be lower-case letters, digits and hyphens; {hint}")
        return better

    def _slug_from_file_name(self) -> str | None:
        name = self.name
        named = self.rules.file_name_date(name) if self.rules.dated_names_drop_date else None
        slug = slugify(named[1] if named and named[1] else name)
        if not slug:
            self._report(
                1, "the file name gives no usable slug; rename the file or add 'slug: some-name'"
            )
        return slug or None

    def _uri(self, key: str, value: Any) -> str:
        written = fields.text(key, value, required=True)
        assert written is not None
        if not _URI.match(written):
            raise FieldError(
                f"'{key}' must be a URI that never changes, e.g. "
                f"tag:{self.config.id_authority},2024-05-01:my-post; or remove it to get one"
            )
        return written

    def _link(self, key: str, value: Any) -> str:
        written = fields.text(key, value, required=True)
        assert written is not None
        if "://" in written:
            return fields.absolute_url(key, written)
        if any(c.isspace() for c in written):
            raise FieldError(f"'{key}' must be a URL or a path without spaces")
        return self.config.url + written.lstrip("/")

    def _generator_link(self) -> str | None:
        """The URL the generator gave the post (`permalink`, `url`, `path`), when it is a
        plain path: patterns such as `/:year/:title/` are the generator's to expand."""
        key = self.rules.link_key
        located = self.given.get(key) if key else None
        if key is None or located is None or not isinstance(located.value, str):
            return None
        written = located.value.strip()
        if not written or _NOT_A_PATH.search(written):
            return None
        if self.rules.link_adds_slash and not written.endswith("/"):
            written += "/"
        return self._link(key, written)

    def _terms(self, *keys: str) -> list[str]:
        """Every term of `keys`, merged."""
        terms: list[str] = []
        for key in keys:
            terms += self._field(key, self._term_list) or ()
        return terms

    def _term_list(self, key: str, value: Any) -> list[str]:
        """Under Jekyll's rule `a b` is two terms."""
        if self.rules.split_term_strings and isinstance(value, str):
            return value.split()
        return fields.text_list(key, value)

    def _once(
        self,
        remembered: dict[str | tuple[Any, ...], T],
        keys: list[str],
        check: Callable[[list[str]], T],
    ) -> T:
        """`check(keys)`, or what it gave for an earlier post that wrote the same value
        under a single key."""
        written = _written_alike(self.given[keys[0]].value) if len(keys) == 1 else None
        if written is None:
            return check(keys)
        try:
            seen = remembered.get(written, _UNSEEN)
        except TypeError:  # a list holding a mapping or a list
            return check(keys)
        if seen is not _UNSEEN:
            return seen  # type: ignore[return-value]
        problems = len(self.problems)
        checked = check(keys)
        if len(self.problems) == problems and len(remembered) < _MAX_REPEATS:
            remembered[written] = checked
        return checked

    def _categories(self) -> tuple[Category, ...]:
        keys = self._given("category", "categories", "taxonomies.categories", "taxonomies.category")
        if not keys:
            return ()
        return self._once(self.repeats.categories, keys, self._checked_categories)

    def _checked_categories(self, keys: list[str]) -> tuple[Category, ...]:
        known = self.config.categories
        known_keys = self.config.category_keys
        line = self._line(keys[0])
        result: dict[str, Category] = {}
        for name in self._terms(*keys):
            slug, key = term_slug(name), term_key(name)
            if not slug:
                self._report(
                    line,
                    f"category {name!r} has no letters or digits to make a path from; rename it",
                )
            elif known is not None and key not in known_keys:
                self._report(
                    line,
                    f"unknown category {name!r}{fields.suggest(slug, known)}; "
                    f"use one of {', '.join(known)}, or add it under 'categories:' in "
                    f"{self.config.path.name}",
                )
            elif key not in result:
                if known is not None:
                    slug = known_keys[key]
                result[key] = _category(slug, known[slug].title if known is not None else name)
        return tuple(result.values())

    def _author(self) -> Person | None:
        """`author` and `authors`, each one person or a list, handles mapped through the
        site's `authors:`; several people share the entry's one author element."""
        keys = self._given("author", "authors")
        if not keys:
            return self.config.author
        return self._once(self.repeats.authors, keys, self._checked_author)

    def _checked_author(self, keys: list[str]) -> Person | None:
        people: list[Person] = []
        for key in keys:
            people += self._field(key, fields.people) or ()
        if not people:
            return self.config.author
        handles = self.config.authors
        if len(people) == 1:
            return handles.get(people[0].name, people[0])
        names = dict.fromkeys(handles.get(person.name, person).name for person in people)
        return Person(", ".join(names))

    def _permalink(self, date: WrittenDate, slug: str, category: str) -> str:
        pattern, dated = self.config.link_pattern
        if not dated:
            return pattern.format(slug=slug, category=category)
        written = date.written
        return pattern.format(
            year=f"{written.year:04d}",
            month=f"{written.month:02d}",
            day=f"{written.day:02d}",
            slug=slug,
            category=category,
        )


PostRecord = tuple[Any, ...]
"""A post without its source and stamp, which the cache and the reading process
know already: plain values (str, datetime, tuples) that pickle at C speed."""

PostEntry = tuple[Stamp | None, PostRecord | None, ProblemRows]
"""How the build cache keeps a reading: the file's stat, its post (or None) and its
problems."""

_RECORD_TYPES = (str, str, str, str, datetime, int, datetime, tuple, tuple)


def post_record(post: Post) -> PostRecord:
    return tuple(post)[2:]


def post_from_record(record: PostRecord, source: str, stamp: Stamp) -> Post:
    """The inverse of `post_record`; raises ValueError on a record of another shape."""
    if len(record) != len(Post._fields) - 2 or not all(
        map(isinstance, record, _RECORD_TYPES)  # a cheap check of the leading fields
    ):
        raise ValueError("not a post record")
    return new_post((source, stamp, *record))


def reading_entry(stamp: Stamp | None, post: Post | None, problems: list[Problem]) -> PostEntry:
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
