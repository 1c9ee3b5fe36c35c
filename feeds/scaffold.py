"""Starting a site and a post: what `feeds init` and `feeds new` write.

Both only ever create files: a file that exists already is never replaced, and a
file is written whole or not at all (a temporary file beside it, then a hard link
to its name, which fails if the name is taken). The clock is read by the caller
and passed in as `now`, so that the same call always writes the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .model import display_path
from .publish import os_reason, write_new
from .text import fields, slugify, term_key, term_slug, xml_safe

if TYPE_CHECKING:
    from .config import SiteConfig

POSTS_FOLDER = "posts"
EXAMPLE_TITLE = "Welcome to your feeds"
FALLBACK_SLUG = "post"
"""The file name's slug for a title with no letters or digits to make one from."""
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_NULL_WORDS = frozenset({"null", "Null", "NULL"})
"""YAML's no value, which feeds read as no term even quoted (see `fields.text_list`)."""
_PLAIN_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._+-]*(?<! )")
"""A category or tag that YAML reads as the same text without quotes, inside `[...]`."""


class ScaffoldError(Exception):
    """Why nothing was written: `path: what is wrong; what to do instead`."""


class NewSite(NamedTuple):
    """What `init_site` did: the config file and example post it wrote (None when a
    file of that name was there already and was kept), and the folders it created."""

    config: Path
    example: Path | None
    kept: Path | None
    folders: tuple[Path, ...]


def init_site(config_path: Path, now: datetime, *, timezone: str = "UTC") -> NewSite:
    """A new site: `config_path` (site.yaml, commented, every value a new site needs)
    and an example post in the posts folder beside it, dated `now` in `timezone`.

    Creates the missing folders. Raises ScaffoldError, having written nothing, if the
    config file exists. An example post already there under the same name is kept.
    """
    from zoneinfo import ZoneInfo

    config_path = Path(config_path).absolute()
    if config_path.exists() or config_path.is_symlink():
        raise ScaffoldError(f"{display_path(config_path)}: {_CONFIG_EXISTS}")
    moment = _moment(now, ZoneInfo(timezone))
    posts = config_path.parent / POSTS_FOLDER
    folders = _make_folders(posts)
    example = posts / post_file_name(EXAMPLE_TITLE, moment)
    wrote_example = _create(example, example_post(moment).encode("utf-8"))
    if not _create(config_path, site_config(timezone).encode("utf-8")):
        raise ScaffoldError(f"{display_path(config_path)}: {_CONFIG_EXISTS}")
    return NewSite(
        config_path,
        example if wrote_example else None,
        None if wrote_example else example,
        folders,
    )


_CONFIG_EXISTS = "exists already; run feeds init in a new folder, or edit that file"


def new_post(config: SiteConfig, title: str, now: datetime, categories: Iterable[str] = ()) -> Path:
    """Write a draft post titled `title` in the site's posts folder, dated `now` in the
    site's time zone, named `YYYY-MM-DD-slug.md`; returns its path.

    Raises ScaffoldError, having written nothing, for a title that cannot be written
    exactly, a category the site does not list, or a file name that is taken.
    """
    title = checked_title(title)
    terms = checked_categories(config, categories)
    moment = _moment(now, config.tz)
    text = post_text(title, moment, categories=terms).encode("utf-8")
    _make_folders(config.posts_dir)
    target = config.posts_dir / post_file_name(title, moment)
    if slugify(title):
        if _create(target, text):
            return target
        raise ScaffoldError(
            f"{display_path(target)}: exists already; choose another title or edit that file"
        )
    # No slug to be had from the title: the first free name of `post`, `post-2`, ...
    for number in range(2, _MAX_FALLBACKS + 2):
        if _create(target, text):
            return target
        target = target.with_name(f"{moment.date().isoformat()}-{FALLBACK_SLUG}-{number}.md")
    raise ScaffoldError(
        f"{display_path(target.parent)}: has {_MAX_FALLBACKS} posts of today named "
        f"{FALLBACK_SLUG}-...; give the post a title with some letters or digits"
    )


_MAX_FALLBACKS = 100


def checked_title(title: str) -> str:
    """The title as feeds will read it back: without spaces around it. Raises
    ScaffoldError for one that is empty, or that would not come back as written."""
    cleaned = title.strip()
    if not cleaned:
        raise ScaffoldError('the title is empty; give the post a title: feeds new "My title"')
    _check_one_line("title", cleaned)
    return cleaned


def _check_one_line(what: str, text: str) -> None:
    """Refuse line breaks, and characters a feed cannot carry (which feeds drop when
    they read a post): either would not read back as written."""
    for character in text:
        if character in _LINE_BREAKS or not xml_safe(character):
            raise ScaffoldError(
                f"the {what} has a line break or control character "
                f"(U+{ord(character):04X}); write it as one line of text"
            )


def checked_categories(config: SiteConfig, names: Iterable[str]) -> list[str]:
    """The categories as the post should name them (one per feed, under the slug
    site.yaml gives it). Raises ScaffoldError for one without letters or digits, or,
    when site.yaml lists categories, for one that is not among them."""
    known, known_keys = config.categories, config.category_keys
    result: dict[str, str] = {}
    for written in names:
        name = written.strip()
        _check_one_line(f"category {name!r}", name)
        slug, key = term_slug(name), term_key(name)
        if not slug:
            raise ScaffoldError(
                f"category {written!r} has no letters or digits to make a path from; "
                "name it with some"
            )
        if name in _NULL_WORDS:
            raise ScaffoldError(
                f"category {name!r} is YAML's word for no value, which names no category; "
                "choose another name"
            )
        if known is not None and key not in known_keys:
            listed = f"use one of {', '.join(known)}, or" if known else "to use it,"
            raise ScaffoldError(
                f"{display_path(config.path)}: has no category {name!r}"
                f"{fields.suggest(slug, known)}; {listed} add it under 'categories:' there"
            )
        result.setdefault(key, known_keys[key] if known is not None else name)
    return list(result.values())


def post_file_name(title: str, moment: datetime) -> str:
    """`YYYY-MM-DD-slug.md`: the day of `moment` and a slug of the title."""
    return f"{moment.date().isoformat()}-{slugify(title) or FALLBACK_SLUG}.md"


def post_text(
    title: str,
    moment: datetime,
    *,
    categories: Iterable[str] = (),
    tags: Iterable[str] = (),
    summary: str = "",
    body: str = "Write the post here, in Markdown.\n",
    draft: bool = True,
) -> str:
    """A post file: front matter that reads back as given, then the body."""
    lines = [
        "---",
        f"title: {yaml_quoted(title)}",
        f"date: {moment.isoformat(timespec='seconds')}",
        f"categories: {_yaml_list(categories)}",
        f"tags: {_yaml_list(tags)}",
        "# One or two sentences for feed readers; left empty, feeds show the post's first words.",
        f"summary: {yaml_quoted(summary)}",
    ]
    if draft:
        lines += [
            "# A draft is in no feed: delete the next line to publish the post.",
            "draft: true",
        ]
    return "\n".join([*lines, "---", body])


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar, which reads back as exactly `text`: JSON's
    string escapes are YAML's, and YAML's own line breaks (NEL, U+2028, U+2029), which
    JSON leaves as they are, are escaped too, as YAML would fold them."""
    return json.dumps(text, ensure_ascii=False).translate(_YAML_BREAKS)


_YAML_BREAKS = str.maketrans({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"})


def _yaml_list(terms: Iterable[str]) -> str:
    return "[" + ", ".join(t if _PLAIN_TERM.fullmatch(t) else yaml_quoted(t) for t in terms) + "]"


def example_post(moment: datetime) -> str:
    """The post `feeds init` writes: published, and a short guide to writing posts."""
    return post_text(
        EXAMPLE_TITLE,
        moment,
        categories=["news"],
        tags=["welcome"],
        summary="An example post: what a post file holds, and how to write your own.",
        draft=False,
        body=_EXAMPLE_BODY,
    )


_EXAMPLE_BODY = """\
This is an example post. Every post is a Markdown file in the `posts` folder that
starts with front matter: the lines between the two `---` lines above.

- `title` and `date` are required. A date without an offset, like `2024-05-01 09:30`,
  is read in the site's time zone (`timezone` in `site.yaml`).
- `categories` must be ones that `site.yaml` lists; each category gets feeds of its own.
- `tags` and `summary` are optional; without a summary, feeds use the post's first words.
- `draft: true` keeps a post out of every feed until you delete that line.

To write a post, run `feeds new "Its title"`, write the file it names, delete its
`draft: true` line, and run `feeds build`: the feeds are written to `public`.

Delete this post, or make it your first one.
"""


def site_config(timezone: str) -> str:
    """The commented site.yaml `feeds init` writes."""
    return _SITE_CONFIG.format(timezone=timezone)


_SITE_CONFIG = """\
# The settings `feeds build` reads (feeds' README lists every one). Lines starting
# with # are comments. Change the values marked CHANGE ME before you publish the feeds.

# CHANGE ME: the site's name, the title of its feeds.
title: My Site
# CHANGE ME, before the first publish: the site's address; post links and ids start with it.
url: https://example.org/
# CHANGE ME: one sentence about the site, which feed readers show.
description: News and notes from My Site.
# The language the posts are written in: a tag like en, de or pt-BR.
language: en
# Who writes the posts, unless a post names its own: remove the # and write a name.
# author: Your Name <you@example.org>
# The time zone of dates written without an offset, and of the dates feeds new writes.
timezone: {timezone}
# The folder of the posts (Markdown files with front matter), relative to this file.
posts: posts
# The folder the feeds are written to, relative to this file; publish it with the site.
output: public
# The categories posts may name, each with feeds of its own; remove them all to allow any.
categories:
  news:
    title: News
    description: What is new on the site.
"""


def local_timezone() -> str:
    """This machine's time zone as an IANA name (from TZ, else /etc/localtime or
    /etc/timezone), or UTC when it has none that site.yaml could name."""
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    with contextlib.suppress(OSError):
        candidates.append(os.readlink("/etc/localtime").rpartition("zoneinfo/")[2])
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        if name in ("Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"):
            return "UTC"
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", name):
            continue
        try:
            ZoneInfo(name)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            continue
        return name
    return "UTC"


def _moment(now: datetime, zone: tzinfo) -> datetime:
    """`now` in the site's zone, to the second (as the post will say it)."""
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime (with a time zone)")
    return now.astimezone(zone).replace(microsecond=0)


def _make_folders(folder: Path) -> tuple[Path, ...]:
    """Create `folder` and its missing parents; the ones created, outermost first."""
    missing = [f for f in (folder, *folder.parents) if not f.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ScaffoldError(
            f"{display_path(_first_file(folder))}: is a file, not a folder; "
            "choose another folder or move the file"
        ) from None
    except OSError as error:
        raise ScaffoldError(
            f"{display_path(folder)}: cannot create the folder ({error.strerror or error}); "
            "check the permissions of its parent or choose another folder"
        ) from None
    return tuple(missing)


def _first_file(folder: Path) -> Path:
    return next((f for f in (*folder.parents[::-1], folder) if f.is_file()), folder)


def _create(target: Path, data: bytes) -> bool:
    """Write a new file `target` whole (see `publish.write_new`); False, having written
    nothing, if it exists. Raises ScaffoldError for a file that cannot be written."""
    try:
        return write_new(target, data)
    except OSError as error:
        raise ScaffoldError(
            f"{display_path(target)}: cannot write the file ({os_reason(error)}); "
            "check the folder's permissions and free space"
        ) from None
