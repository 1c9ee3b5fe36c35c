"""Hugo's permalinks and its RSS guids, as Hugo 0.111 computes them.

Checked against Hugo 0.111.3 (Debian 12's `hugo`) building the fixture site
tests/sites/hugo-links (see tests/test_links_hugo.py). The rules:

- Tokens are the page's `urlize`d values: letters (any script), marks and digits are
  kept and lower-cased; `.` `_` `#` `/` `\\` too; a run of spaces or hyphens
  between kept characters is one hyphen; every other character (`+ & ! ? , : ( ) %`,
  dashes) is dropped; then the path is percent-encoded (`ü` -> `%C3%BC`; `#` stays).
- `:slug` is front matter's `slug:`, else the title; `:slugorfilename` the slug, else
  the file name (a page bundle's folder name).
- URL dates are the date as written, in its own offset (no offset: the site's zone):
  `01:30 +03:00` stays on its day, unlike Jekyll.
- Without `[permalinks]`, a post is at `/:sections/:slugorfilename/`.
- `[permalinks]` maps sections to patterns (site.yaml: `permalink:` as a mapping); a
  post's section is the first folder below the content folder (a deeper folder without
  `_index.md` is no section of its own), and a section not listed, or a page directly
  in the content folder, gets the default above (tests/sites/hugo-sections).
- `uglyURLs` (site.yaml `ugly_urls: true`): a path ending in `/` ends in `.html`
  instead; front matter's `url:` is kept as written.
- The RSS `<guid>` is the permalink.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..text.fields import FieldError
from .base import PostFacts, own_syntax

if TYPE_CHECKING:
    from ..config import SiteConfig

_TOKEN = re.compile(r":([a-z]+)")
_KEPT = "./\\_#"


def urlize(text: str) -> str:
    """Hugo's `UnicodeSanitize` then lower-case: see the module's docstring."""
    out: list[str] = []
    hyphen = False
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] in "LM" or kind == "Nd" or char in _KEPT:
            if hyphen:
                out.append("-")
                hyphen = False
            out.append(char)
        elif out and (char == "-" or char.isspace()):
            hyphen = True
    return "".join(out).lower()


def _given(post: PostFacts, key: str) -> str | None:
    located = post.values.get(key)
    value = located.value if located is not None else None
    return str(value) if value not in (None, "") else None


def _sections(post: PostFacts, config: SiteConfig) -> list[str]:
    """The folders between Hugo's content folder (the nearest one named `content`
    above the post; else the posts folder's parent, or, when site.yaml maps sections
    to permalinks and the posts folder is not one of them, the posts folder itself)
    and the post (a bundle's own folder left out)."""
    path = PurePath(post.source)
    posts_dir = PurePath(config.posts_dir)
    folders = list(path.parent.parts)
    if path.stem == "index" and path.parent != posts_dir:
        folders.pop()  # a page bundle: its folder is the page
    if "content" in folders:
        start = len(folders) - folders[::-1].index("content")
    elif config.section_permalinks and urlize(posts_dir.name) not in config.section_permalinks:
        start = len(posts_dir.parts)
    else:
        start = len(posts_dir.parent.parts)
    return [urlize(folder) for folder in folders[start:]]


_DATE_TOKENS: dict[str, Callable[[datetime], str]] = {
    "year": lambda d: f"{d.year:04d}",
    "month": lambda d: f"{d.month:02d}",
    "monthname": lambda d: d.strftime("%B").lower(),
    "day": lambda d: f"{d.day:02d}",
    "weekday": lambda d: str(d.isoweekday() % 7),  # Go's Weekday: Sunday is 0
    "weekdayname": lambda d: d.strftime("%A").lower(),
    "yearday": lambda d: str(d.timetuple().tm_yday),
}
_POST_TOKENS: dict[str, Callable[[PostFacts, SiteConfig], str]] = {
    "title": lambda p, c: urlize(p.title),
    "slug": lambda p, c: urlize(_given(p, "slug") or p.title),
    "slugorfilename": lambda p, c: urlize(_given(p, "slug") or p.name),
    "filename": lambda p, c: urlize(p.name),
    "section": lambda p, c: (_sections(p, c) or [""])[0],
    "sections": lambda p, c: "/".join(_sections(p, c)),
}
TOKENS = (*_DATE_TOKENS, *_POST_TOKENS)


class HugoLinks:
    ugly_urls = True
    default = "/:sections/:slugorfilename/"

    def parse_sections(self, key: str, written: Mapping[str, Any]) -> dict[str, str]:
        """Hugo's `[permalinks]`: `{posts: /:year/:title/, news: /news/:slug/}`."""
        if not written:
            raise FieldError(
                f"'{key}' must be a pattern, or map sections to patterns, e.g. "
                f"{key}: {{posts: /:year/:title/, news: /news/:slug/}}"
            )
        patterns: dict[str, str] = {}
        for section, pattern in written.items():
            name = urlize(str(section))
            if not isinstance(pattern, str) or not pattern.strip():
                raise FieldError(f"'{key}.{section}' must be a pattern like /:year/:title/")
            if own_syntax(pattern):
                raise FieldError(
                    f"'{key}.{section}' is in feeds' {{token}} syntax; a section's permalink "
                    f"is written in Hugo's, like /:year/:title/"
                )
            if name in patterns:
                raise FieldError(f"'{key}' names the section {section!r} twice")
            patterns[name] = self.parse(f"{key}.{section}", pattern)
        return patterns

    def section(self, config: SiteConfig, post: PostFacts) -> str:
        return (_sections(post, config) or [""])[0]

    def parse(self, key: str, written: str) -> str:
        for match in _TOKEN.finditer(written):
            if match[1] not in TOKENS:
                raise FieldError(
                    f"'{key}' has unknown token :{match[1]}; use "
                    + " ".join(":" + t for t in TOKENS)
                )
        if "://" in written or any(c.isspace() for c in written):
            raise FieldError(f"'{key}' must be a path like /:year/:month/:title/, not {written!r}")
        return written

    def link(self, config: SiteConfig, post: PostFacts) -> str:
        moment = post.date.moment  # as written: Hugo does not move it to the site's zone

        def value(match: re.Match[str]) -> str:
            name = match[1]
            if name in _DATE_TOKENS:
                return _DATE_TOKENS[name](moment)
            return _POST_TOKENS[name](post, config)

        pattern = config.section_permalinks.get(self.section(config, post), config.permalink)
        path = re.sub(r"/+", "/", "/" + _TOKEN.sub(value, pattern))
        if config.ugly_urls and path.endswith("/") and path != "/":
            path = path.rstrip("/") + ".html"
        return config.url + quote(path, safe="/#._-~").lstrip("/")

    def entry_id(self, config: SiteConfig, post: PostFacts, link: str) -> str:
        return link  # Hugo's RSS template: <guid>{{ .Permalink }}</guid>
