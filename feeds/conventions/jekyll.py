"""Jekyll's permalinks and jekyll-feed's entry ids, as Jekyll 4.3 computes them.

Checked against Jekyll 4.3.1 and jekyll-feed 0.17.0 building the fixture site
tests/sites/jekyll-links (see tests/test_links_jekyll.py). The rules, from Jekyll's
`Drops::UrlDrop`, `URL`, `Document#id` and jekyll-feed's feed.xml:

- `:title` is the post's `slug:` or the file name after its date, keeping case and
  the punctuation `._~!$&'()+,;=@`; `:slug` and `:name` are lower-case; both keep
  letters beyond ASCII (`Utils.slugify`, modes `pretty` and `default`).
- URL dates are the post's date in the site's time zone (Jekyll calls `localtime`
  after setting TZ from `timezone:`), so `09:50 +0300` can be the day before.
- A date without an offset is in the site's time zone when quoted (Jekyll parses the
  string), but in UTC when unquoted: Ruby's YAML loader, Psych, types a plain
  `date: 2021-03-06 02:00:00` (YAML 1.1's timestamp, time and no offset) as
  `Time.utc` before Jekyll sees it (`Convention.plain_times_are_utc`,
  `keys.psych_utc`). A date without a time is a `Date`: midnight in the site's zone.
- `:categories` are the post's categories lower-cased, joined by `/`, spaces kept
  (then percent-encoded).
- The URL is made absolute by the `absolute_url` filter: Unicode normalised (NFKC)
  and percent-encoded; `&` and `!` stay as they are.
- jekyll-feed's `<id>` is `post.id` made absolute: the URL's folder, then the slug as
  written (`File.join(File.dirname(url), slug)`): no `.html`, no trailing slash.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from ..text.fields import FieldError
from .base import PostFacts

if TYPE_CHECKING:
    from ..config import SiteConfig

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's named permalink styles (`Configuration::STYLE_TO_PERMALINK`)."""

_TOKEN = re.compile(r":([a-z_]+)")
_MARKDOWN = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html", ".htm"}
_DATED_NAME = re.compile(r"^\d{2,4}-\d{1,2}-\d{1,2}-(.*)$")
# What `absolute_url` (Addressable's normalize) leaves unencoded in a path: the
# unreserved characters, the sub-delimiters, ':', '@' and '/'.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def _slugify(text: str, pretty: bool, cased: bool) -> str:
    """`Utils.slugify` in the modes `default` and `pretty`: every run of characters
    that are not letters, marks or decimal digits (in `pretty`, nor `._~!$&'()+,;=@`)
    becomes one hyphen; one hyphen is trimmed from each end; lower-cased unless
    `cased`."""
    kept = "._~!$&'()+,;=@" if pretty else ""
    out: list[str] = []
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] in "LM" or kind == "Nd" or char in kept:
            out.append(char)
        elif not out or out[-1] != "\0":
            out.append("\0")  # a run of other characters: one hyphen
    slug = "".join(out).replace("\0", "-")
    slug = slug.removeprefix("-").removesuffix("-")
    return slug if cased else slug.lower()


def _raw_slug(post: PostFacts) -> str:
    """`data["slug"]`: front matter's `slug:` as written, else the file name after its
    date, trailing dots removed."""
    given = post.values.get("slug")
    if given is not None and given.value is not None and str(given.value) != "":
        return str(given.value)
    match = _DATED_NAME.match(post.name)
    return (match[1] if match else post.name).rstrip(".")


def _categories(post: PostFacts) -> list[str]:
    """`categories:` (a string is split at spaces) then `category:` (a string is one
    category), each as text, without repeats, in order."""
    names: list[str] = []
    for key in ("categories", "category"):
        located = post.values.get(key)
        value = located.value if located is not None else None
        if isinstance(value, str):
            names += value.split() if key == "categories" else [value]
        elif isinstance(value, list):
            names += [str(item) for item in value if item is not None]
    return list(dict.fromkeys(names))


def _output_ext(post: PostFacts) -> str:
    ext = os.path.splitext(post.source)[1]
    return ".html" if ext.lower() in _MARKDOWN else ext


_DATE_TOKENS: dict[str, Callable[[datetime], str]] = {
    "year": lambda d: f"{d.year:04d}",
    "month": lambda d: f"{d.month:02d}",
    "day": lambda d: f"{d.day:02d}",
    "hour": lambda d: f"{d.hour:02d}",
    "minute": lambda d: f"{d.minute:02d}",
    "second": lambda d: f"{d.second:02d}",
    "i_day": lambda d: str(d.day),
    "i_month": lambda d: str(d.month),
    "short_month": lambda d: d.strftime("%b"),
    "long_month": lambda d: d.strftime("%B"),
    "short_year": lambda d: f"{d.year % 100:02d}",
    "w_year": lambda d: str(d.isocalendar()[0]),
    "week": lambda d: f"{d.isocalendar()[1]:02d}",
    "w_day": lambda d: str(d.isoweekday()),
    "short_day": lambda d: d.strftime("%a"),
    "long_day": lambda d: d.strftime("%A"),
    "y_day": lambda d: d.strftime("%j"),
}
_POST_TOKENS: dict[str, Callable[[PostFacts, SiteConfig], str]] = {
    "title": lambda p, c: _slugify(_raw_slug(p), pretty=True, cased=True),
    "slug": lambda p, c: _slugify(_raw_slug(p), pretty=False, cased=False),
    "name": lambda p, c: _slugify(p.name, pretty=False, cased=False),
    "categories": lambda p, c: "/".join(dict.fromkeys(n.lower() for n in _categories(p))),
    "slugified_categories": lambda p, c: "/".join(
        dict.fromkeys(_slugify(n, pretty=False, cased=False) for n in _categories(p))
    ),
    "output_ext": lambda p, c: _output_ext(p),
    "collection": lambda p, c: "posts",
    "path": lambda p, c: "/" + os.path.splitext(os.path.relpath(p.source, c.posts_dir))[0],
}
TOKENS = (*_DATE_TOKENS, *_POST_TOKENS)


def _names(match: re.Match[str]) -> list[str]:
    """Jekyll reads `:month_:day` as `:month` then `_`: a name ending in `_` is tried
    whole, then without it."""
    name = match[1]
    return [name, name[:-1]] if name.endswith("_") else [name]


def _known(match: re.Match[str]) -> str | None:
    return next((name for name in _names(match) if name in TOKENS), None)


def _absolute(config: SiteConfig, path: str) -> str:
    """`absolute_url`: the site's URL, then the path Unicode-normalised (NFKC) and
    percent-encoded as Addressable normalises it."""
    return config.url + quote(unicodedata.normalize("NFKC", path), safe=_PATH_SAFE).lstrip("/")


def _sanitize(path: str) -> str:
    """`URL#sanitize_url`: one leading slash, `..` and `./` removed, slashes squeezed."""
    path = ("/" + path).replace("..", "/").replace("./", "")
    return re.sub(r"/+", "/", path)


def _dirname(path: str) -> str:
    """Ruby's `File.dirname`: trailing slashes first dropped, then the last part."""
    stripped = path.rstrip("/")
    head = stripped.rsplit("/", 1)[0] if "/" in stripped else "."
    return head or "/"


class JekyllLinks:
    ugly_urls = False
    default = STYLES["date"]

    def parse(self, key: str, written: str) -> str:
        if written in STYLES:
            return STYLES[written]
        if written.startswith(":") and written[1:] in STYLES:  # `permalink: :pretty`
            return STYLES[written[1:]]
        for match in _TOKEN.finditer(written):
            if _known(match) is None:
                raise FieldError(
                    f"'{key}' has unknown token :{match[1]}; use a style "
                    f"({', '.join(STYLES)}) or the tokens " + " ".join(":" + t for t in TOKENS)
                )
        if "://" in written or any(c.isspace() for c in written):
            raise FieldError(f"'{key}' must be a path like /:year/:title/, not {written!r}")
        return written

    def path(self, config: SiteConfig, post: PostFacts) -> str:
        """The post's URL path before encoding: front matter's `permalink:` when it is
        a pattern (a plain path is the reader's `link`), else site.yaml's."""
        given = post.values.get("permalink")
        pattern = given.value if given is not None and isinstance(given.value, str) else None
        local = post.date.moment.astimezone(config.tz)

        def value(match: re.Match[str]) -> str:
            name = _known(match)
            if name is None:  # only front matter gets here: Jekyll refuses to build
                return match[0]
            rest = match[1][len(name) :]
            if name in _DATE_TOKENS:
                return _DATE_TOKENS[name](local) + rest
            return _POST_TOKENS[name](post, config) + rest

        return _sanitize(_TOKEN.sub(value, pattern or config.permalink))

    def link(self, config: SiteConfig, post: PostFacts) -> str:
        return _absolute(config, self.path(config, post))

    def entry_id(self, config: SiteConfig, post: PostFacts, link: str) -> str:
        # The link's path below the site's URL, as Jekyll's `url` (before `baseurl`).
        if link.startswith(config.url):
            path = "/" + link[len(config.url) :]
        else:
            path = urlsplit(link).path.removeprefix(urlsplit(config.url).path.rstrip("/"))
        folder = unquote(_dirname(path))
        return _absolute(config, folder.rstrip("/") + "/" + _raw_slug(post))
