"""site.yaml: the site's settings, checked in full before any post is read."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .conventions.base import SectionLinkRule, own_syntax
from .formats import (
    FEED_PATH_KEYS,
    feed_globs,
    feed_path_clashes,
    feed_path_problem,
    parse_formats,
)
from .model import ConfigNotFoundError, Person, Problem, Severity, display_path
from .precompress import parse_precompress
from .selection import FeedSpec, parse_feeds
from .text import decode_utf8, fields, slugify, term_key, xml_safe
from .text.fields import FieldError
from .text.yamltext import Duplicate, YamlTextError, load_mapping

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .conventions import Convention, LinkRule

PERMALINK_TOKENS = ("year", "month", "day", "slug", "category")
_TOKEN = re.compile(r"\{([^{}]*)\}")
_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)


@dataclass(frozen=True)
class CategoryInfo:
    """A category's feed title and description as site.yaml gives them; without a
    description, its feeds describe themselves from the site's."""

    title: str
    description: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """Everything the pipeline needs to know about the site; paths are absolute."""

    path: Path
    title: str
    url: str
    description: str
    posts_dir: Path
    output_dir: Path
    language: str | None = None
    author: Person | None = None
    timezone: str = "UTC"
    max_items: int = 20
    max_bytes: int = 512_000
    """Each feed file's size budget: past it, a feed's oldest entries carry their summary
    only, then the oldest are left out (see `render.budget`). The default is FeedBurner's
    limit ("larger than 512K"), the strictest a widely used feed service documents,
    taken as 1000-byte kilobytes so that it holds either way it is read."""
    summary_only: bool = False
    excerpt_words: int = 55
    max_post_bytes: int = 1024 * 1024
    permalink: str = "/{slug}/"
    id_authority: str = ""
    categories: Mapping[str, CategoryInfo] | None = field(default=None)
    formats: tuple[str, ...] = ("atom", "rss", "json")
    tag_feeds: bool = False
    author_feeds: bool = False
    archives: bool = False
    websub_hub: str | None = None
    index_page: str | None = "index.html"
    conventions: str | None = None
    """A generator (`jekyll`, `hugo`, `zola`, `eleventy`) whose rules win where they
    differ from feeds' own; None: feeds' own rules."""
    posts_glob: tuple[str, ...] | None = None
    id_scheme: str = "tag"
    """`tag`: stable tag: URIs; `link`: the post's URL; `generator` (with `conventions:`):
    the ids the generator's own feed published (jekyll-feed's `<id>`, Hugo's RSS
    `<guid>`, Zola's and eleventy-plugin-rss's permalinks), so readers do not see a
    switched site's old posts as new.
    Never the default: an entry's id must not change once published, and sites whose
    feeds already carry feeds' tag: ids keep them."""
    authors: Mapping[str, Person] = field(default_factory=dict)
    """Handles used in front matter (`author: jo`) to the people they stand for."""
    ugly_urls: bool = False
    """Hugo's `uglyURLs` (with `conventions: hugo`): `/posts/hello.html`, not `/posts/hello/`."""
    section_permalinks: Mapping[str, str] = field(default_factory=dict)
    """Hugo's `[permalinks]` by section (`permalink:` written as a mapping, with
    `conventions: hugo`); a section not listed gets `permalink`, Hugo's default."""
    site_variables: Mapping[str, Any] = field(default_factory=dict)
    """The generator's site variables that posts show (Jekyll's `{{ site.repository }}`),
    as written in its configuration: text, lists and mappings of them. `feeds init
    --from` copies those the posts use."""
    static: str = "."
    """The folder, relative to site.yaml's, where the site's own files are as it
    publishes them (`/img/x.png` is `<static>/img/x.png`): images and attachments are
    read there for their size and type."""
    feeds: tuple[FeedSpec, ...] = ()
    """The feeds site.yaml declares besides the fixed kinds (see `selection`)."""
    feed_paths: Mapping[str, str] = field(default_factory=dict)
    """Feeds at the site's own paths (`atom: feed.xml`, `category_rss:
    categories/{slug}/index.xml`), by `formats.FEED_PATH_KEYS`; the others stay at
    feeds' default paths. Empty: every feed at its default path."""
    precompress: tuple[str, ...] = ()
    """Encodings (`gzip`, `br`) each output file also gets written in, beside it, for web
    servers to send as they are (see `precompress`)."""

    # Cached: every post asks for these.
    @cached_property
    def tz(self) -> ZoneInfo:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    @cached_property
    def planned_terms(self) -> frozenset[str]:
        """The terms besides categories that choose which feeds show a post ("tags",
        "authors"): those with feeds of their own, or by which a declared feed selects."""
        chosen = {"tags": self.tag_feeds, "authors": self.author_feeds}
        for spec in self.feeds:
            for facet in (*spec.any_of, *spec.none_of):
                chosen[facet] = True
        return frozenset(term for term in ("tags", "authors") if chosen[term])

    @cached_property
    def feed_globs(self) -> list[str]:
        """Where `feed_paths` and `feeds:` put feeds, for finding stale ones (see
        `publish.stale_outputs`)."""
        return feed_globs(self.feed_paths, [spec.directory for spec in self.feeds])

    @cached_property
    def static_dir(self) -> Path:
        return (self.path.parent / self.static).absolute()

    @cached_property
    def rules(self) -> Convention:
        from .conventions import convention

        return convention(self.conventions)

    @cached_property
    def link_pattern(self) -> str:
        """`permalink` as a whole URL to `str.format` (the site's URL escaped as such)."""
        return self.url.replace("{", "{{").replace("}", "}}") + self.permalink.lstrip("/")

    @cached_property
    def category_keys(self) -> dict[str, str]:
        """The configured categories by `term_key`, so `News` and `news` are one."""
        return {term_key(slug): slug for slug in self.categories or ()}


def load_config(path: Path | str) -> tuple[SiteConfig | None, list[Problem]]:
    """Read and check site.yaml; returns the config, or None and every problem found.
    Takes a path as text too, as `build` does."""
    path = Path(path).absolute()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigNotFoundError(
            f"{display_path(path)}: no such file; create it or pass --config"
        ) from None
    except IsADirectoryError:
        raise ConfigNotFoundError(
            f"{display_path(path)}: is a folder; pass the path of site.yaml"
        ) from None
    try:
        document = decode_utf8(raw)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(path, line, "the file is not UTF-8 text; save it as UTF-8")]
    duplicates: list[Duplicate] = []
    try:
        values = load_mapping(xml_safe(document), duplicates)
    except YamlTextError as error:
        return None, [Problem(path, error.line, error.message)]
    # A key given twice is read as its last value, with a warning; site.yaml's lines are
    # the document's own.
    warnings = [
        Problem(path, *duplicate.warning(), severity=Severity.WARNING) for duplicate in duplicates
    ]
    config, problems = _build(path, values)
    if config is not None and config.conventions is not None:
        warnings += _permalink_drift(config, values)
    return config, warnings + problems


_DEFAULT_PERMALINKS = {"jekyll": "date"}
"""What `feeds init --from` writes for a generator's default permalink, when it names one."""


def _permalink_drift(config: SiteConfig, values: Mapping[str, Any]) -> list[Problem]:
    """Under `conventions:`, a site.yaml beside the generator's own configuration whose
    `permalink` says otherwise than it (the generator's default when neither gives one):
    the links would silently differ from the site's pages, so each link in the feeds
    would break. `feeds init --from` writes site.yaml from that configuration."""
    from .migrate import MigrationError, read_site

    try:
        theirs = read_site(config.path.parent)
    except MigrationError:
        return []
    if theirs.generator != config.conventions:
        return []
    ours = values["permalink"].value if "permalink" in values else None
    wanted = theirs.settings.get("permalink")
    if (isinstance(ours, str) and "{" in ours) or (
        ours if ours is not None else _DEFAULT_PERMALINKS.get(config.conventions)
    ) == wanted:
        return []  # the same, or in feeds' own syntax, which cannot be compared
    line = values["permalink"].line if "permalink" in values else values["conventions"].line
    said = f"'{ours}'" if ours is not None else f"none ({config.conventions}'s default)"
    fix = f"write permalink: '{wanted}'" if wanted else "remove 'permalink' (its default applies)"
    return [
        Problem(
            config.path,
            line,
            f"{theirs.source.name} gives the posts' permalink "
            f"{repr(wanted) if wanted else f'as {config.conventions} does by default'}, but "
            f"site.yaml {said}: every link would differ from the site's pages; {fix}",
            Severity.WARNING,
        )
    ]


def _build(path: Path, values: Mapping[str, Any]) -> tuple[SiteConfig | None, list[Problem]]:
    problems: list[Problem] = []
    settings: dict[str, Any] = {}
    links = _generator_links(values)
    for key, located in values.items():
        parse = _PARSERS.get(key)
        if key == "permalink" and links is not None:
            parse = _generator_permalink(links)
        if parse is None:
            problems.append(
                Problem(
                    path,
                    located.line,
                    f"unknown setting '{key}'{fields.suggest(key, _PARSERS)}; "
                    f"known settings: {', '.join(_PARSERS)}",
                )
            )
            continue
        try:
            settings[key] = parse(key, located.value)
        except FieldError as error:
            problems.append(Problem(path, located.line, str(error)))
    if settings.get("id_scheme") == "generator" and links is None:
        problems.append(
            Problem(
                path,
                values["id_scheme"].line,
                "'id_scheme: generator' needs the generator's ids; add 'conventions: jekyll', "
                "'conventions: hugo', 'conventions: zola' or 'conventions: eleventy', "
                "or write id_scheme: tag",
            )
        )
    if settings.get("ugly_urls") and (links is None or not links.ugly_urls):
        problems.append(
            Problem(
                path,
                values["ugly_urls"].line,
                "'ugly_urls' is Hugo's uglyURLs; add 'conventions: hugo', or remove it",
            )
        )
    if isinstance(settings.get("permalink"), dict):  # by section: the others get the default
        settings["section_permalinks"] = settings.pop("permalink")
    if links is not None and "permalink" not in settings:
        settings["permalink"] = links.default  # the generator's own default
    if "feed_paths" in settings:  # against every other output's path, once all are known
        problems += [
            Problem(path, values["feed_paths"].line, message)
            for message in _feed_path_clashes(settings)
        ]
    if "feeds" in settings:
        problems += [
            Problem(path, values["feeds"].line, message)
            for message in _declared_feed_problems(settings)
        ]
    for key in ("title", "url", "description"):
        if key not in values:
            problems.append(Problem(path, 1, f"'{key}' is required; add a line '{key}: ...'"))
    if problems:
        return None, problems
    root = path.parent
    url = settings.pop("url")
    if not url.endswith("/"):
        url += "/"
    config = SiteConfig(
        path=path,
        url=url,
        posts_dir=(root / settings.pop("posts", "posts")).absolute(),
        output_dir=(root / settings.pop("output", "public")).absolute(),
        id_authority=settings.pop("id_authority", None) or (urlsplit(url).hostname or ""),
        **settings,
    )
    return config, []


def _required_text(key: str, value: Any) -> str:
    result = fields.text(key, value, required=True)
    assert result is not None
    return result


def _url(key: str, value: Any) -> str:
    return fields.absolute_url(key, _required_text(key, value))


def _timezone(key: str, value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _required_text(key, value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin or UTC"
        ) from None
    return name


def _permalink(key: str, value: Any) -> str:
    pattern = _required_text(key, value)
    unknown = [t for t in _TOKEN.findall(pattern) if t not in PERMALINK_TOKENS]
    if unknown:
        raise FieldError(
            f"'{key}' has unknown token {{{unknown[0]}}}; use "
            + ", ".join("{" + t + "}" for t in PERMALINK_TOKENS)
        )
    if "{slug}" not in pattern:
        raise FieldError(f"'{key}' must contain {{slug}} so every post gets its own URL")
    if "://" in pattern or any(c.isspace() for c in pattern):
        raise FieldError(f"'{key}' must be a path like /{{year}}/{{slug}}/, not {pattern!r}")
    return pattern


def _generator_links(values: Mapping[str, Any]) -> LinkRule | None:
    """The link rule of the generator `conventions:` names, if it has one: then
    `permalink` is read in that generator's syntax, and defaults to its default."""
    from .conventions import CONVENTIONS

    located = values.get("conventions")
    named = CONVENTIONS.get(located.value) if located and isinstance(located.value, str) else None
    return named.links if named is not None else None


def _generator_permalink(links: LinkRule) -> Callable[[str, Any], str | dict[str, str]]:
    """`permalink` in the generator's syntax (`/:year/:title/`, Jekyll's `pretty`);
    or in feeds' own (`/{year}/{slug}/`), as sites set up before the generator's
    syntax was read keep it: no generator reads braces, so the two cannot be
    confused. Both in one pattern is refused. Hugo's may map sections to patterns."""

    def parse(key: str, value: Any) -> str | dict[str, str]:
        if isinstance(value, dict) and isinstance(links, SectionLinkRule):
            return links.parse_sections(key, value)
        written = _required_text(key, value)
        if own_syntax(written):
            if ":" in written.replace("://", ""):
                raise FieldError(
                    f"'{key}' mixes feeds' {{tokens}} with the generator's :tokens; "
                    f"write it in the generator's syntax, like /:year/:title/"
                )
            return _permalink(key, written)
        return links.parse(key, written)

    return parse


def _id_authority(key: str, value: Any) -> str:
    authority = _required_text(key, value)
    name = authority.rsplit("@", 1)[-1]
    if not _DNS_NAME.match(name) or authority.count("@") > 1:
        raise FieldError(
            f"'{key}' must be a domain name like example.org (or an email address), "
            f"not {authority!r}"
        )
    return authority.lower()


def _folder(key: str, value: Any) -> str:
    return _required_text(key, value)


def _categories(key: str, value: Any) -> dict[str, CategoryInfo]:
    if not isinstance(value, dict):
        raise FieldError(
            f"'{key}' must map category slugs to titles, e.g. "
            f"{key}: {{news: {{title: News, description: ...}}}}"
        )
    result = {}
    for slug, info in value.items():
        if slugify(slug) != slug:
            raise FieldError(
                f"category key {slug!r} is not a slug; write {slugify(slug) or 'a-name'!r} "
                "(lower-case letters, digits and hyphens)"
            )
        if isinstance(info, dict):
            unknown = sorted(set(info) - {"title", "description"})
            if unknown:
                raise FieldError(
                    f"category '{slug}' has unknown key '{unknown[0]}'; use title and description"
                )
            title = fields.text(f"{slug}.title", info.get("title", "")) or slug
            description = fields.text(f"{slug}.description", info.get("description", ""))
            result[slug] = CategoryInfo(title, description)
        else:
            result[slug] = CategoryInfo(fields.text(slug, info) or slug)
    return result


def _index_page(key: str, value: Any) -> str | None:
    """A file name for the HTML index of the feeds, or false for none."""
    name = _required_text(key, value)
    if name.lower() in ("false", "no", "off", "none"):
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html?", name):
        raise FieldError(f"'{key}' must be a file name like feeds.html (or false), not {name!r}")
    return name


def _choice(*choices: str) -> Callable[[str, Any], str]:
    def parse(key: str, value: Any) -> str:
        written = _required_text(key, value)
        if written not in choices:
            raise FieldError(
                f"'{key}' must be one of {', '.join(choices)}, not {written!r}"
                f"{fields.suggest(written, choices)}"
            )
        return written

    return parse


def _conventions(key: str, value: Any) -> str:
    from .conventions import CONVENTIONS

    return _choice(*CONVENTIONS)(key, value)


def _globs(key: str, value: Any) -> tuple[str, ...]:
    patterns = fields.text_list(key, value)
    if not patterns or any(p.startswith("/") or ".." in p.split("/") for p in patterns):
        raise FieldError(
            f"'{key}' must be patterns below the posts folder, e.g. {key}: ['**/*.md', '*.html']"
        )
    return tuple(patterns)


def _authors(key: str, value: Any) -> dict[str, Person]:
    if not isinstance(value, dict):
        raise FieldError(
            f"'{key}' must map handles to people, e.g. "
            f"{key}: {{jo: {{name: Jo Doe, email: jo@example.org}}}}"
        )
    return {handle: fields.person(f"{key}.{handle}", who) for handle, who in value.items()}


def _site_variables(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise FieldError(
            f"'{key}' must map the names posts use to their values, e.g. "
            f"{key}: {{repository: jekyll/jekyll}} for {{{{ site.repository }}}}"
        )
    return value


def _feed_paths(key: str, value: Any) -> dict[str, str]:
    """Paths of the site's own for its feeds, checked one by one (`formats.feed_path_problem`);
    against each other and the rest of the site in `_feed_path_clashes`."""
    if not isinstance(value, dict) or not value:
        raise FieldError(
            f"'{key}' must map feeds to paths below the output folder, e.g. "
            f"{key}: {{atom: feed.xml, category_atom: feed/{{slug}}.xml}}"
        )
    paths = {}
    for name, written in value.items():
        if name not in FEED_PATH_KEYS:
            raise FieldError(
                f"'{key}' has unknown feed '{name}'{fields.suggest(name, FEED_PATH_KEYS)}; "
                f"use {', '.join(FEED_PATH_KEYS)}"
            )
        path = _required_text(f"{key}.{name}", written)
        problem = feed_path_problem(name, path)
        if problem is not None:
            raise FieldError(f"{key}: {problem}")
        paths[name] = path
    return paths


def _feed_path_clashes(settings: Mapping[str, Any]) -> list[str]:
    """feed_paths against the formats and feeds written and the pages' names."""
    sections = ["categories"]
    sections += ["tags"] * bool(settings.get("tag_feeds")) + ["authors"] * bool(
        settings.get("author_feeds")
    )
    return feed_path_clashes(
        settings["feed_paths"],
        settings.get("formats", SiteConfig.formats),
        sections,
        settings.get("index_page", SiteConfig.index_page),
    )


def _declared_feed_problems(settings: Mapping[str, Any]) -> list[str]:
    """`feeds:` against the rest of site.yaml: categories it lists must be the site's,
    and its folders must hold no feed `feed_paths` places."""
    problems = []
    known: Mapping[str, CategoryInfo] = settings.get("categories") or {}
    placed = settings.get("feed_paths", {}).values()
    for spec in settings["feeds"]:
        listed = (*spec.any_of.get("categories", ()), *spec.none_of.get("categories", ()))
        for category in listed if known else ():
            if slugify(category) not in known:
                problems.append(
                    f"'feeds.{spec.name}' lists category '{category}', which 'categories' "
                    f"does not have{fields.suggest(slugify(category), known)}"
                )
        problems += [
            f"'feeds.{spec.name}' is at {spec.directory}, where feed_paths puts {where}; "
            "give it another path:"
            for where in placed
            if where.startswith(spec.directory)
        ]
    return problems


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "title": _required_text,
    "url": _url,
    "description": _required_text,
    "language": fields.language,
    "author": fields.person,
    "timezone": _timezone,
    "posts": _folder,
    "output": _folder,
    "max_items": fields.item_count,
    "max_bytes": fields.byte_count,
    "summary_only": fields.flag,
    "excerpt_words": lambda key, value: fields.whole_number(key, value, minimum=1, maximum=10_000),
    "max_post_bytes": lambda key, value: fields.whole_number(
        key, value, minimum=1024, maximum=1024**3
    ),
    "permalink": _permalink,
    "id_authority": _id_authority,
    "categories": _categories,
    "formats": parse_formats,
    "tag_feeds": fields.flag,
    "author_feeds": fields.flag,
    "archives": fields.flag,
    "websub_hub": _url,
    "index_page": _index_page,
    "conventions": _conventions,
    "posts_glob": _globs,
    "id_scheme": _choice("tag", "link", "generator"),
    "ugly_urls": fields.flag,
    "authors": _authors,
    "feed_paths": _feed_paths,
    "site_variables": _site_variables,
    "static": _folder,
    "feeds": parse_feeds,
    "precompress": parse_precompress,
}
