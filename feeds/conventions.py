"""Where static-site generators' posts differ from feeds' own, one record per generator.

`conventions:` in site.yaml picks one; without it feeds reads every generator's
keys and shapes that conflict with none of its own rules (see README, "Use with
an existing site"). The reader asks the record; no generator name is tested
anywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_JEKYLL_DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_ZOLA_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_](.+))?$")
_DATED_PATH = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")


@dataclass(frozen=True)
class Convention:
    """One generator's rules, as far as they decide what a feed says."""

    name: str | None
    page_keys: frozenset[str] = frozenset()
    """Keys the generator uses to build pages; known, so not warned about, and not read."""
    link_key: str | None = None
    """The key that sets a post's URL path in the generator (`permalink`, `url`, `path`)."""
    link_adds_slash: bool = False
    """Zola serves `path = "2024/05/01/hello"` at `/2024/05/01/hello/`."""
    split_term_strings: bool = False
    """Jekyll: `categories: a b` names two categories."""
    dated_names_drop_date: bool = False
    """`2024-05-01-hello.md` has the slug `hello` (Jekyll, Zola, Eleventy), not the whole name."""
    case_insensitive_keys: bool = False
    """Hugo reads `publishdate` as `publishDate`."""

    @property
    def generator(self) -> bool:
        """A generator's folder holds pages that are not posts: those are skipped, not errors."""
        return self.name is not None

    def file_name_date(self, stem: str) -> tuple[date, str] | None:
        """The date and the rest of a dated file name such as `2024-5-1-hello`."""
        match = _JEKYLL_DATED_NAME.match(stem) or (
            _ZOLA_DATED_NAME.match(stem) if self.name == "zola" else None
        )
        if match is None:
            return None
        try:
            written = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return written, match[4] or ""


def path_date(path: str) -> date | None:
    """The `YYYY/MM/DD` in a URL path such as Zola's `path = "2024/05/01/hello"`."""
    match = _DATED_PATH.search(path)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_JEKYLL_KEYS = {"layout", "permalink", "excerpt_separator", "render_with_liquid", "sitemap"}
_JEKYLL_KEYS |= {"redirect_from", "redirect_to", "image", "lang", "seo", "comments", "share"}
_HUGO_KEYS = {"aliases", "audio", "build", "cascade", "headless", "images", "isCJKLanguage"}
_HUGO_KEYS |= {"keywords", "layout", "linkTitle", "markup", "menu", "menus", "outputs"}
_HUGO_KEYS |= {"params", "resources", "series", "sitemap", "toc", "translationKey", "type"}
_HUGO_KEYS |= {"url", "videos", "weight"}
_ZOLA_KEYS = {"weight", "path", "aliases", "in_search_index", "template", "render"}
_ELEVENTY_KEYS = {"permalink", "layout", "eleventyExcludeFromCollections", "eleventyNavigation"}
_ELEVENTY_KEYS |= {"eleventyComputed", "eleventyImport", "pagination", "templateEngineOverride"}

OURS = Convention(None)
CONVENTIONS = {
    "jekyll": Convention(
        "jekyll",
        frozenset(_JEKYLL_KEYS),
        link_key="permalink",
        split_term_strings=True,
        dated_names_drop_date=True,
    ),
    "hugo": Convention("hugo", frozenset(_HUGO_KEYS), link_key="url", case_insensitive_keys=True),
    "zola": Convention(
        "zola",
        frozenset(_ZOLA_KEYS),
        link_key="path",
        link_adds_slash=True,
        dated_names_drop_date=True,
    ),
    "eleventy": Convention(
        "eleventy", frozenset(_ELEVENTY_KEYS), link_key="permalink", dated_names_drop_date=True
    ),
}


def convention(name: str | None) -> Convention:
    return OURS if name is None else CONVENTIONS[name]
