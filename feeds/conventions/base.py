"""What every generator's record holds, and feeds' own link and id rules.

A record (`Convention`) says where a generator's posts differ from feeds' own; its
`links` (a `LinkRule`, in the generator's own module) computes a post's URL and
the entry id the generator's feed published. The reader asks the record; no
generator name is tested anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..config import SiteConfig
    from ..dates import WrittenDate
    from ..text.yamltext import Located

_JEKYLL_DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
ZOLA_DATED_NAME = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?"
    r"(?:\s?[_-](?P<slug>.+)$)?"
)
"""Zola's `RFC3339_DATE`: a date, or an RFC 3339 date-time, opening a page's file (or
bundle folder) name gives the page its date whatever follows; the slug is what
follows an optional white space and a `_` or `-`, else the whole name. Groups: year,
month, day, slug (for `Convention.file_name_date`)."""
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
    plain_times_are_utc: bool = False
    """Jekyll (Ruby's Psych) reads an unquoted `date: 2024-05-01 09:30:00`, a YAML
    timestamp without an offset, as UTC; quoted, in the site's time zone (see
    `keys.psych_utc`)."""
    media_from_site_root: bool = False
    """A relative image or file path in front matter is below the site's root, not the
    post's URL, unless the file is beside the post (a page bundle's): Jekyll (jekyll-feed
    and jekyll-seo-tag write it through `absolute_url`) and Hugo (its templates through
    `absURL`), checked with jekyll-feed 0.17 and Hugo 0.111's Open Graph template."""
    links: LinkRule | None = None
    """The generator's permalink syntax and entry ids; None: feeds' own are used."""
    template_dialects: frozenset[str] = frozenset({"hugo", "liquid"})
    """The template syntaxes (`source.templates`' dialects) whose built-in tags render in
    bodies as the generator renders them; other template text is dropped with a warning.
    Without conventions both, as a body shows which it is written in."""

    @property
    def generator(self) -> bool:
        """A generator's folder holds pages that are not posts: those are skipped, not errors."""
        return self.name is not None

    @property
    def script_front_matter(self) -> frozenset[str]:
        """Front matter languages the generator runs as code (Eleventy's `---js`): feeds
        does not run it, so such a post is left out with a warning, not an error."""
        return frozenset({"js", "javascript"}) if self.name == "eleventy" else frozenset()

    def file_name_date(self, stem: str) -> tuple[date, str] | None:
        """The date and the rest of a dated file name such as `2024-5-1-hello`; under
        Zola, its `ZOLA_DATED_NAME` (`2024-05-01`, a time, then `-hello`, all but the date
        optional: the rest is then "")."""
        match = (ZOLA_DATED_NAME if self.name == "zola" else _JEKYLL_DATED_NAME).match(stem)
        if match is None:
            return None
        try:
            written = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return written, match[4] or ""

    def uses_generator_links(self, config: SiteConfig) -> bool:
        """Whether posts get the generator's links: it has a link rule, and site.yaml's
        permalink is not written in feeds' own syntax."""
        return self.links is not None and not own_syntax(config.permalink)


class PostFacts(NamedTuple):
    """What a generator builds a post's URL and id from."""

    source: str
    """The file's path."""
    name: str
    """The file's name without its extension; a page bundle's folder name."""
    slug: str
    """feeds' slug (lower-case ASCII); the generators make their own from `values`."""
    date: WrittenDate
    values: Mapping[str, Located]
    """The front matter as written (keys as the reader canonicalised them)."""
    title: str


class LinkRule(Protocol):
    """A generator's permalink syntax, the links it makes, and its feed's entry ids."""

    default: str
    """The permalink the generator uses when site.yaml gives none."""
    ugly_urls: bool
    """Whether site.yaml's `ugly_urls` (Hugo's uglyURLs) means anything here."""

    def parse(self, key: str, written: str) -> str:
        """`written` in the generator's syntax, checked (a `FieldError` if the generator
        would refuse it), named styles expanded."""
        ...

    def link(self, config: SiteConfig, post: PostFacts) -> str:
        """The absolute URL the generator gives the post."""
        ...

    def entry_id(self, config: SiteConfig, post: PostFacts, link: str) -> str:
        """The id the generator's own feed gave the entry whose URL is `link`."""
        ...


@runtime_checkable
class SectionLinkRule(LinkRule, Protocol):
    """A generator whose permalink may differ by section (Hugo's `[permalinks]`)."""

    def parse_sections(self, key: str, written: Mapping[str, Any]) -> dict[str, str]:
        """`written` (section -> pattern, each in the generator's syntax) checked."""
        ...

    def section(self, config: SiteConfig, post: PostFacts) -> str:
        """The section the post belongs to ("" for none)."""
        ...


OWN_TOKEN = re.compile(r"(?<!\{)\{([a-z]+)\}(?!\})")
"""feeds' own permalink tokens, `{year}`: a site that set its permalink so before
issue 23, under a generator's conventions, keeps it (no generator reads single
braces; Eleventy's templates use doubled ones, `{{title}}`, which are not these)."""


def own_syntax(pattern: str) -> bool:
    return OWN_TOKEN.search(pattern) is not None


def own_link(config: SiteConfig, date: WrittenDate, slug: str, category: str | None) -> str:
    """feeds' own permalink: its tokens {year} {month} {day} {slug} {category}, the
    date as written (the same in every time zone), joined to the site's URL."""
    written = date.written
    return config.link_pattern.format(
        year=f"{written.year:04d}",
        month=f"{written.month:02d}",
        day=f"{written.day:02d}",
        slug=slug,
        category=category or "uncategorized",
    )


def path_date(path: str) -> date | None:
    """The `YYYY/MM/DD` in a URL path such as Zola's `path = "2024/05/01/hello"`."""
    match = _DATED_PATH.search(path)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
