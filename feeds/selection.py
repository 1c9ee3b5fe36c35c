"""Feeds a site declares itself (`feeds:` in site.yaml): which posts each selects.

Sites want feeds the fixed kinds (the site, a category, a tag, an author) do not
give: "featured", one per language, "news but not events". Each declared feed names
the posts it takes by their categories, tags, authors and language: a post is in it
when, for every facet the feed lists, the post has any of the values listed, and
for every facet under `not:`, none of them. Terms match as category feeds group
them (`term_key`: `iOS` is `ios`); an author by name or by site.yaml's handle; a
language as RFC 4647's basic filtering does (`fr` takes `fr` and `fr-CA`).

Pure: parsed with site.yaml, asked by the plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .formats import ARCHIVE_FOLDER, SECTIONS, parse_formats
from .model import Person, PostKey
from .text import fields, term_key
from .text.fields import FieldError

FACETS = ("categories", "tags", "authors", "language")
_SETTINGS = (
    "path",
    "title",
    "description",
    "not",
    "max_items",
    "max_bytes",
    "summary_only",
    "formats",
)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_FOLDER = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9._-]*/)+")

if TYPE_CHECKING:
    Selection = Mapping[str, tuple[str, ...]]


class FeedSpec(NamedTuple):
    """A feed site.yaml declares: where, under which title, which posts, and how."""

    name: str
    directory: str
    """Its folder below the output folder (`featured/`), for every format's file."""
    title: str
    description: str | None
    any_of: Selection
    """By facet, the values a post needs one of (every facet listed)."""
    none_of: Selection
    """By facet, the values a post must have none of."""
    max_items: int | None = None
    summary_only: bool | None = None
    formats: tuple[str, ...] | None = None
    max_bytes: int | None = None

    @property
    def language(self) -> str | None:
        """The feed's language, when it selects one: a feed per language says so."""
        languages = self.any_of.get("language", ())
        return languages[0] if len(languages) == 1 else None


def parse_feeds(key: str, value: Any) -> tuple[FeedSpec, ...]:
    """site.yaml's `feeds:`, a mapping from each feed's name to its settings."""
    if not isinstance(value, dict) or not value:
        raise FieldError(
            f"'{key}' must map feed names to their settings, e.g. "
            f"{key}: {{featured: {{title: Featured, tags: [featured]}}}}"
        )
    specs = [_spec(f"{key}.{name}", name, settings) for name, settings in value.items()]
    folders: dict[str, str] = {}
    for spec in specs:
        if spec.directory in folders:
            raise FieldError(
                f"'{key}': {spec.name} and {folders[spec.directory]} are both at "
                f"{spec.directory}; give one another path:"
            )
        folders[spec.directory] = spec.name
    return tuple(specs)


def _spec(key: str, name: str, settings: Any) -> FeedSpec:
    if not _NAME.fullmatch(name):
        raise FieldError(
            f"'{key}': a feed's name must be lower-case letters, digits, - and _, "
            f"like featured; not {name!r}"
        )
    if not isinstance(settings, dict):
        raise FieldError(f"'{key}' must be a mapping, e.g. {key}: {{title: ..., tags: [...]}}")
    _check_keys(key, settings, (*_SETTINGS, *FACETS))
    excluded = settings.get("not", {})
    if not isinstance(excluded, dict):
        raise FieldError(f"'{key}.not' must map facets to values, e.g. not: {{categories: [x]}}")
    _check_keys(f"{key}.not", excluded, FACETS)
    title = fields.text(f"{key}.title", settings.get("title", ""), required=True)
    assert title is not None
    return FeedSpec(
        name=name,
        directory=_directory(f"{key}.path", settings.get("path", f"{name}/")),
        title=title,
        description=fields.text(f"{key}.description", settings.get("description", "")),
        any_of=_selection(key, settings),
        none_of=_selection(f"{key}.not", excluded),
        max_items=_optional(settings, "max_items", key, fields.item_count),
        summary_only=_optional(settings, "summary_only", key, fields.flag),
        formats=_optional(settings, "formats", key, parse_formats),
        max_bytes=_optional(settings, "max_bytes", key, fields.byte_count),
    )


def _check_keys(key: str, given: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise FieldError(
            f"'{key}' has unknown key '{unknown[0]}'{fields.suggest(unknown[0], known)}; "
            f"use {', '.join(known)}"
        )


def _selection(key: str, settings: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    selection: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        if facet not in settings:
            continue
        values = fields.text_list(f"{key}.{facet}", settings[facet])
        if not values:
            raise FieldError(f"'{key}.{facet}' lists nothing; list values or remove it")
        if facet == "language":
            values = [fields.language(f"{key}.{facet}", value) for value in values]
        selection[facet] = tuple(values)
    return selection


def _optional(
    settings: Mapping[str, Any], name: str, key: str, parse: Callable[[str, Any], Any]
) -> Any:
    return parse(f"{key}.{name}", settings[name]) if name in settings else None


def _directory(key: str, value: Any) -> str:
    """A folder of its own below the output folder: not one the site's other feeds use."""
    written = fields.text(key, value, required=True)
    assert written is not None
    folder = written.strip("/") + "/"
    if not _FOLDER.fullmatch(folder) or any(part in (".", "..") for part in folder.split("/")):
        raise FieldError(f"'{key}' must be a folder below the output folder, like featured/")
    if folder.split("/")[0] in (*SECTIONS, ARCHIVE_FOLDER):
        raise FieldError(
            f"'{key}': {folder.split('/')[0]}/ holds the site's own feeds; choose another folder"
        )
    return folder


def selects(
    spec: FeedSpec, post: PostKey, language: str | None, people: Mapping[str, Person]
) -> bool:
    """Whether the feed takes `post`, whose language is `language` (its own, else the
    site's); `people` are site.yaml's `authors:` handles."""
    facets = _facets(post, language)
    for facet, wanted in spec.any_of.items():
        if not _matches(facet, facets[facet], wanted, people):
            return False
    return not any(
        _matches(facet, facets[facet], unwanted, people) for facet, unwanted in spec.none_of.items()
    )


def _facets(post: PostKey, language: str | None) -> dict[str, tuple[str, ...]]:
    return {
        "categories": tuple(category.slug for category in post.categories),
        "tags": post.tags,
        "authors": tuple(author.name for author in post.authors),
        "language": (language,) if language else (),
    }


def _matches(
    facet: str, values: tuple[str, ...], listed: tuple[str, ...], people: Mapping[str, Person]
) -> bool:
    if facet == "language":
        return any(
            value.lower() == tag.lower() or value.lower().startswith(tag.lower() + "-")
            for value in values
            for tag in listed
        )
    if facet == "authors":
        listed = tuple(people[name].name if name in people else name for name in listed)
    keys = {term_key(value) for value in listed}
    return any(term_key(value) in keys for value in values)
