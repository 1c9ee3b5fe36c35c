"""Where static-site generators' posts differ from feeds' own, one record per generator.

`conventions:` in site.yaml picks one; without it feeds reads every generator's
keys and shapes that conflict with none of its own rules (see README, "Use with
an existing site"). The reader asks the record; no generator name is tested
anywhere else. `base` holds what a record is; a generator with its own permalink
syntax and feed ids has a module of its own (`jekyll`, `hugo`, `zola`, `eleventy`).
"""

from __future__ import annotations

from .base import (
    Convention,
    LinkRule,
    PostFacts,
    own_link,
    own_syntax,
    path_date,
)
from .eleventy import EleventyLinks
from .hugo import HugoLinks
from .jekyll import JekyllLinks
from .zola import ZolaLinks

__all__ = [
    "CONVENTIONS",
    "OURS",
    "Convention",
    "LinkRule",
    "PostFacts",
    "convention",
    "own_link",
    "own_syntax",
    "path_date",
]

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
        plain_times_are_utc=True,
        media_from_site_root=True,
        links=JekyllLinks(),
        template_dialects=frozenset({"liquid"}),
    ),
    "hugo": Convention(
        "hugo",
        frozenset(_HUGO_KEYS),
        link_key="url",
        case_insensitive_keys=True,
        media_from_site_root=True,
        links=HugoLinks(),
        template_dialects=frozenset({"hugo"}),
    ),
    "zola": Convention(
        "zola",
        frozenset(_ZOLA_KEYS),
        link_key="path",
        link_adds_slash=True,
        dated_names_drop_date=True,
        links=ZolaLinks(),
        template_dialects=frozenset(),
    ),
    "eleventy": Convention(
        "eleventy",
        frozenset(_ELEVENTY_KEYS),
        link_key="permalink",
        dated_names_drop_date=True,
        links=EleventyLinks(),
        template_dialects=frozenset({"liquid"}),  # Nunjucks and Liquid share the tags
    ),
}


def convention(name: str | None) -> Convention:
    return OURS if name is None else CONVENTIONS[name]
