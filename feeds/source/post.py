"""One post file to one `Post`: read, its front matter split off and parsed, its keys
read (see `keys`), its template text checked. Post files are read only here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..conventions import PostFacts, own_link, path_date
from ..dates import WrittenDate, instant
from ..model import Category, Post, Problem, Severity, Stamp
from ..text import decode_utf8, fields, xml_safe
from ..text.yamltext import Located, YamlTextError
from .frontmatter import load_front_matter, split_front_matter
from .keys import DATE_KEYS, KEY_NAMES, READ_KEY_SET, READ_KEYS, PostKeys, read_date, start_of
from .listing import file_stamp
from .templates import Ref, has_template_text, strip_templates

if TYPE_CHECKING:
    from ..config import SiteConfig

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)

Reading = tuple[Post | None, list[Problem]]
"""A file's post, or None, and the problems found in it."""


def read_post(
    path: Path | str,
    config: SiteConfig,
    listed: Stamp | None = None,
    remembered: dict[tuple[str, Any], Any] | None = None,
) -> Reading:
    """One file to one post, or None with the reasons.

    `listed` is the file's stamp as the listing saw it: when the file is unchanged,
    the post shares that stamp rather than holding a copy. `remembered` carries the
    values earlier posts of the same run and config checked (see `keys.Key`).
    """
    source = os.fspath(path)
    document, stamp, problem = _read_text(source, config)
    if stamp == listed:
        stamp = listed
    if problem is not None:
        return None, [problem]
    parts = split_front_matter(document)
    if isinstance(parts, str):
        first = document.partition("\n")[0]
        scripts = config.rules.script_front_matter
        if first.startswith("---") and first[3:].strip().lower() in scripts:
            message = (
                "front matter in JavaScript is not run; the post is left out of the feeds; "
                "write it as YAML to publish it"
            )
            return None, [Problem(Path(source), 1, message, Severity.WARNING)]
        if not document.startswith(("---", "+++")) and (
            config.rules.generator or not _is_markdown(source)
        ):
            return None, [Problem(Path(source), None, "skipped: no front matter", Severity.NOTE)]
        return None, [Problem(Path(source), 1, parts)]
    front, body_line, fence = parts
    problems: list[Problem] = []
    plain: set[str] | None = set() if config.rules.plain_times_are_utc else None
    try:
        values = load_front_matter(front, fence, source, problems, plain)
    except YamlTextError as error:
        line = error.line + 1 if error.line is not None else 1  # the fence is line 1
        return None, [Problem(Path(source), line, error.message)]
    post, found = make_post(
        source,
        stamp,
        body_line,
        values,
        config,
        remembered if remembered is not None else {},
        plain or frozenset(),
    )
    if post is not None and has_template_text(document):  # spares splitting the body
        refs: list[Ref] = []
        _, dropped = strip_templates(
            _body(document, body_line),
            body_line,
            post.is_markdown,
            dialects=config.rules.template_dialects,
            site_url=config.url,
            variables=config.site_variables,
            refs=refs,
        )
        found += [Problem(Path(source), line, text, Severity.WARNING) for line, text in dropped]
        if refs:  # the site's plan finds their links, or warns (see `plan.refs`)
            post = post._replace(refs=tuple(refs))
    return post, sorted(problems + found, key=_line_of)  # as the editor reads the file


def _line_of(problem: Problem) -> int:
    return problem.line or 0


def read_body(post: Post, config: SiteConfig) -> str:
    """The body of a post read earlier, its template text rendered or dropped (see
    `templates`); "" if the file has become unreadable. The site's `url` and
    `site_variables` give Jekyll's `site.*` values; the post's `refs` the links to other
    posts, as the site's plan found them."""
    document, _, problem = _read_text(post.source, config)
    if problem is not None:
        return ""
    body = xml_safe(_body(document, post.body_line))
    return strip_templates(
        body,
        post.body_line,
        post.is_markdown,
        dialects=config.rules.template_dialects,
        site_url=config.url,
        variables=config.site_variables,
        links={(tag, target): link for tag, target, _, _, link in post.refs},
    )[0]


def front_matter_fence(post: Post, config: SiteConfig) -> str | None:
    """The fence of the post's front matter as its file has it now: `---` for YAML,
    `+++` for TOML; None if the file cannot be read or has none."""
    document, _, problem = _read_text(post.source, config)
    parts = split_front_matter(document) if problem is None else None
    return parts[2] if isinstance(parts, tuple) else None


def _body(document: str, body_line: int) -> str:
    return "\n".join(document.split("\n")[body_line - 1 :])


def _is_markdown(path: str) -> bool:
    """`.html` files are HTML (Jekyll's rule), and need front matter to be posts."""
    return os.path.splitext(path)[1] != ".html"


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
    """Up to `size` bytes: one `os.read` for a whole post (no file object, whose
    buffering would copy it again), more if the file grew or the system returns less."""
    chunks = []
    while size > 0 and (chunk := os.read(descriptor, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def make_post(
    source: str,
    stamp: Stamp,
    body_line: int,
    values: dict[str, Located],
    config: SiteConfig,
    remembered: dict[tuple[str, Any], Any],
    plain: set[str] | frozenset[str] = frozenset(),
) -> tuple[Post | None, list[Problem]]:
    """The post the front matter `values` describe, or None; and the problems found.

    The date comes first: under a generator's conventions a file without one is a
    page, not a post, and is skipped without a word about its other keys. `plain`: the
    keys whose values were plain YAML scalars, where the conventions ask for them.
    """
    post = PostKeys(source, config, values, remembered, plain)
    date, undated = _published(post)
    if date is None and undated and post.rules.generator:
        note = (
            "skipped: no date in 'date', the file name or 'path', so a page, not a post "
            "(the generator's own feed leaves it out too)"
        )
        return None, [Problem(Path(source), None, note, Severity.NOTE)]
    _check_keys(post)
    read = post.fields()
    updated: WrittenDate | None = read["updated"]
    if date is not None and updated is not None and updated.moment < date.moment:
        key = next(name for name in KEY_NAMES["updated"] if name in post.given)
        post.report(
            post.line(key),
            f"'{key}' is before 'date'; write the time of the last real change, "
            f"on or after the date, or remove '{key}'",
        )
    slug = read["slug"]
    if any(problem.is_error for problem in post.problems):
        return None, post.problems
    assert date is not None and slug is not None
    categories: tuple[Category, ...] = read["categories"]
    facts = PostFacts(source, post.name, slug, date, post.given, read["title"])
    link = read["link"] or _permalink(config, facts, categories)
    post_id = read["id"] or _generator_id(config, facts, link)
    expires: WrittenDate | None = read["expires"]
    made = Post(
        **{
            **read,
            "source": source,
            "stamp": stamp,
            "id": post_id or f"tag:{config.id_authority},{date.written.isoformat()}:{slug}",
            "id_given": read["id"] is not None,
            "link": link,
            "published": date.moment,
            "instant": instant(date.moment),
            "updated": (updated or date).moment,
            "body_line": body_line,
            "expires": expires.moment if expires is not None else None,
        }
    )
    return made, post.problems


def _published(post: PostKeys) -> tuple[WrittenDate | None, bool]:
    """`date` (else Hugo's `publishDate`), else the date in a Jekyll file name, else the
    `YYYY/MM/DD` of Zola's `path`; and whether none of them was given. A key that
    disagrees with the file name by more than a day is probably a typo in one of
    them: a warning; one that cannot be read gives way to the file name's date, with
    a warning too (see `keys.read_date`)."""
    named = post.rules.file_name_date(post.name)
    from_name = named[0] if named else None
    given = [key for key in DATE_KEYS if key in post.given]
    if given:
        date: WrittenDate | None = read_date(post, given, from_name)
        if date is not None and from_name and abs((date.written - from_name).days) > 1:
            post.report(
                post.line(given[0]),
                f"'{given[0]}' says {date.written}, the file name {from_name}; the key wins. "
                "Rename the file or correct the date",
                Severity.WARNING,
            )
        return date, False
    path = post.given.get("path")
    day = from_name or (path_date(path.value) if path and isinstance(path.value, str) else None)
    if day is None:
        if not post.rules.generator:
            post.report(1, "'date' is missing; add a line 'date: ...' to the front matter")
        return None, True
    return start_of(day, post), False


def _check_keys(post: PostKeys) -> None:
    """Warn about keys feeds does not know; with a generator's conventions, only about
    those that look like a typo of a key feeds reads: the rest belong to the generator
    or its theme (`comments: true`)."""
    if READ_KEY_SET.issuperset(post.values):
        return
    for key, located in post.values.items():
        if key in READ_KEY_SET or key in post.rules.page_keys:
            continue
        hint = fields.suggest(key, READ_KEYS)
        if hint or not post.rules.generator:
            post.report(located.line + 1, f"unknown key '{key}' is ignored{hint}", Severity.WARNING)


def _permalink(config: SiteConfig, post: PostFacts, categories: tuple[Category, ...]) -> str:
    """The post's URL from site.yaml's `permalink`: in the generator's syntax and by its
    rules under its conventions (see `conventions.jekyll`, `conventions.hugo`), else
    with feeds' own tokens."""
    rules = config.rules
    if rules.links is not None and rules.uses_generator_links(config):
        return rules.links.link(config, post)
    return own_link(config, post.date, post.slug, categories[0].slug if categories else None)


def _generator_id(config: SiteConfig, post: PostFacts, link: str) -> str | None:
    """`id_scheme: link`: the link; `generator`: the id the generator's own feed gave
    the post; None: feeds' tag: id (`make_post`)."""
    if config.id_scheme == "link":
        return link
    links = config.rules.links
    if config.id_scheme == "generator" and links is not None:
        return links.entry_id(config, post, link)
    return None
