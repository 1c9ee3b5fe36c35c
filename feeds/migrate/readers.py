"""Each generator's configuration read as that generator reads it: the site.yaml
settings it gives, and notes on what the user must check (see `feeds.migrate`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ELEVENTY_FILES = (
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    ".eleventy.js",
)
"""Eleventy's configuration files, which are JavaScript: literal values are looked for."""

Settings = tuple[dict[str, Any], list[str]]
"""site.yaml's settings, in the order written, and notes on what to check by hand."""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return str(value).strip() or None if isinstance(value, str | int | float) else None


def _jekyll(folder: Path, config: Mapping[str, Any]) -> Settings:
    """Jekyll with jekyll-feed: one Atom feed at `feed.path` (feed.xml) of the newest
    `feed.posts_limit` (10) posts; category feeds at feed/<category>.xml for those
    `feed.categories` lists."""
    notes: list[str] = []
    base = (_text(config.get("url")) or "").rstrip("/")
    baseurl = (_text(config.get("baseurl")) or "").strip("/")
    feed = _mapping(config.get("feed"))
    paths = {"atom": (_text(feed.get("path")) or "feed.xml").lstrip("/")}
    if feed.get("categories"):
        paths["category_atom"] = "feed/{slug}.xml"
        notes.append(
            "jekyll-feed names a category's feed after the category as written "
            "(feed/<category>.xml), feeds after its slug: check category feeds' addresses"
        )
    if not config.get("timezone"):
        notes.append(
            "_config.yml sets no timezone, so Jekyll dated URLs in its build machine's "
            "zone: set timezone to that zone"
        )
    collections = (_text(config.get("collections_dir")) or "").strip("/")
    # Jekyll 4 makes posts a collection, whose own permalink wins over the site's.
    posts_collection = _mapping(_mapping(config.get("collections")).get("posts"))
    title = _text(config.get("title")) or _text(config.get("name")) or folder.resolve().name
    settings: dict[str, Any] = {
        "conventions": "jekyll",
        "title": title,
        "url": f"{base}/{baseurl}/" if baseurl else f"{base}/" if base else None,
        "description": _text(config.get("description")) or title,
        "language": _text(config.get("lang")),
        "timezone": _text(config.get("timezone")),
        "posts": f"{collections}/_posts" if collections else "_posts",
        "output": _text(config.get("destination")) or "_site",
        "permalink": _text(posts_collection.get("permalink"))
        or _text(config.get("permalink"))
        or "date",
        "id_scheme": "generator",
        "max_items": _limit(feed.get("posts_limit"), default=10),
        "formats": ["atom"],
        "feed_paths": paths,
        "index_page": False,
    }
    variables = _jekyll_site_variables(folder / settings["posts"], config)
    if variables:
        settings["site_variables"] = variables
    return settings, notes


_SITE_VARIABLE = re.compile(r"\{\{-?\s*site\.([A-Za-z_][\w-]*)")
_JEKYLL_OWN = frozenset({"url", "baseurl"})
"""Jekyll's `site.url` and `site.baseurl`, which feeds takes from the site's `url`."""


def _jekyll_site_variables(posts: Path, config: Mapping[str, Any]) -> dict[str, Any]:
    """The `site.<name>` values the posts show, from `_config.yml`. One it does not set,
    which Jekyll writes as nothing, and Jekyll's computed ones (`site.posts`) are left
    out, for the build to warn about: the post is likely wrong there."""
    from ..source.templates import is_computed_site_variable

    used: set[str] = set()
    for path in sorted(posts.rglob("*")) if posts.is_dir() else ():
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            used.update(_SITE_VARIABLE.findall(text))
    variables: dict[str, Any] = {}
    for name in sorted(used - _JEKYLL_OWN):
        if name in config and not is_computed_site_variable(name):
            variables[name] = config[name]
    return variables


def _hugo(folder: Path, config: Mapping[str, Any]) -> Settings:
    """Hugo's RSS: the home page's index.xml with every page of the main section (no
    limit unless `rssLimit`), a term's at categories/<term>/index.xml."""
    notes: list[str] = []
    params = _mapping(config.get("params"))
    content = (_text(config.get("contentdir")) or "content").strip("/")
    section = _main_section(folder / content, params)
    if section is None:
        notes.append(f"no section with posts found in {content}/; set posts by hand")
    permalinks = _mapping(config.get("permalinks"))
    permalinks = _mapping(permalinks.get("page")) or permalinks  # Hugo 0.119's per-kind form
    # Several sections with posts, each its own permalink: the whole content folder,
    # each section's pattern (the others get Hugo's default, as in Hugo).
    by_section = _section_permalinks(folder / content, params, permalinks)
    if by_section:
        section = None
        notes.append(
            f"posts are read from all of {content}/ (sections {', '.join(by_section)}, each "
            "with its own permalink), pages in other sections too, as Hugo's home feed "
            "has them unless its theme's RSS template says otherwise"
        )
    title = _text(config.get("title")) or folder.resolve().name
    # Hugo's default taxonomies, unless `[taxonomies]` names its own; each term a feed
    taxonomies = set(_mapping(config.get("taxonomies")).values()) or {"categories", "tags"}
    limit = config.get(
        "rsslimit", _mapping(_mapping(config.get("services")).get("rss")).get("limit")
    )
    settings: dict[str, Any] = {
        "conventions": "hugo",
        "title": title,
        "url": _text(config.get("baseurl")),
        "description": _text(params.get("description")) or f"Recent content on {title}",
        "language": _text(config.get("languagecode")),
        "timezone": _text(config.get("timezone")),
        "posts": f"{content}/{section}" if section else content,
        "output": (_text(config.get("publishdir")) or "public").strip("/"),
        "static": _hugo_static(config.get("staticdir"), notes),
        "permalink": by_section or (_text(permalinks.get(section)) if section else None),
        "ugly_urls": True if config.get("uglyurls") is True else None,
        "id_scheme": "generator",
        "max_items": _limit(limit, default=_ALL),
        "formats": ["rss"],
        "tag_feeds": "tags" in taxonomies or None,
        "feed_paths": {
            "rss": "index.xml",
            "category_rss": "categories/{slug}/index.xml",
            **({"tag_rss": "tags/{slug}/index.xml"} if "tags" in taxonomies else {}),
        },
        "index_page": False,
    }
    return settings, notes


_ALL = 100_000
"""feeds' largest `max_items`: for generators whose feed holds every post."""


def _hugo_static(value: Any, notes: list[str]) -> str:
    """Hugo's `staticDir`, whose files it publishes at the site's root: `static`, or the
    first of a list (images and attachments are looked for in one folder)."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(value, list) and len(value) > 1:
        notes.append(
            f"staticDir lists {len(value)} folders; images and attachments are looked for "
            "in the first only: give the others' files by URL"
        )
    return (_text(first) or "static").strip("/")


def _limit(value: Any, *, default: int) -> int:
    """A feed's item limit as the generator configures it (-1 or 0: no limit)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 < number <= _ALL else _ALL


def _main_section(content: Path, params: Mapping[str, Any]) -> str | None:
    """Hugo's main section: `params.mainSections`, else the section with most pages."""
    named = params.get("mainsections")
    if isinstance(named, list) and named and isinstance(named[0], str):
        return named[0]
    try:
        sections = [entry for entry in content.iterdir() if entry.is_dir()]
    except OSError:
        return None
    counted = {s.name: sum(1 for _ in s.rglob("*.md")) for s in sections}
    best = max(counted, key=lambda name: (counted[name], name), default=None)
    return best if best is not None and counted[best] else None


def _section_permalinks(
    content: Path, params: Mapping[str, Any], permalinks: Mapping[str, Any]
) -> dict[str, str] | None:
    """`[permalinks]` for the sections with posts (those of `params.mainSections`, when
    it names them), when it gives two or more of them a pattern; else None."""
    named = params.get("mainsections")
    wanted = set(named) if isinstance(named, list) and named else None
    patterns = {
        name: pattern
        for name, value in permalinks.items()
        if (pattern := _text(value))
        and (wanted is None or name in wanted)
        and any(page.name != "_index.md" for page in (content / name).rglob("*.md"))
    }
    return patterns if len(patterns) > 1 else None


def _zola(folder: Path, config: Mapping[str, Any]) -> Settings:
    """Zola's feeds: with `generate_feeds` (0.19+; `generate_feed` before), one per
    name of `feed_filenames` (`feed_filename`; default atom.xml) holding every dated
    page of the site, whatever its section (so `posts` is all of content/), and one
    per term of each taxonomy with `feed = true`, at <taxonomy>/<term>/<name>.
    Without it, a section's own feed (`generate_feeds` in its _index.md) at
    <section>/<name> is the one subscribed to, when only one section has one.
    `[slugify] paths` is written as `permalink` (see `conventions.zola`)."""
    notes: list[str] = []
    site_feed = config.get("generate_feeds", config.get("generate_feed", False)) is True
    written = config.get("feed_filenames") or [config.get("feed_filename") or "atom.xml"]
    names: dict[str, str] = {}  # format -> file name, the first of each
    for name in (n for n in written if isinstance(n, str)):
        kind = _zola_feed_format(folder, config, name, notes)
        if kind is not None:
            names.setdefault(kind, name)
            continue
        notes.append(
            f"{name} is the site's own feed template, not Atom or RSS: feeds writes no such feed"
        )
    names = names or {"atom": "atom.xml"}
    sections = _zola_section_feeds(folder / "content")
    base = ""
    posts = "content"
    if not site_feed and len(sections) == 1:
        base = f"{sections[0]}/" if sections[0] else ""
        posts = f"content/{sections[0]}".rstrip("/")
        notes.append(
            f"the site's feed is section {sections[0] or '/'}'s: Zola's has only the pages "
            "directly in it (and in its transparent subsections), feeds all below it"
        )
    elif not site_feed:
        notes.append("the Zola site publishes no site feed: choose the feeds' paths")
    notes += [
        f"section {section or '/'} has a feed of its own ({section}/{name}), which feeds "
        "does not write: redirect it to the site's feed"
        if section
        else f"the root section's feed and the site's are both {name}: check which one "
        "Zola's build keeps"
        for section in sections
        if site_feed or len(sections) > 1
        for name in names.values()
    ]
    slugs = _mapping(config.get("slugify"))
    if slugs.get("paths_keep_dates") is True:
        notes.append(
            "[slugify] paths_keep_dates is not followed: dated file names' slugs lose the date"
        )
    if _mapping(config.get("languages")):
        notes.append(
            "[languages]: pages in other languages (hello.fr.md) are read as posts of "
            "their own, outside Zola's /fr/; keep them out of posts"
        )
    taxonomy_feeds = {
        str(t.get("name")): t
        for t in config.get("taxonomies") or []
        if isinstance(t, Mapping) and t.get("feed") is True
    }
    term_paths = {"category": "categories", "tag": "tags"}
    notes += [
        f"taxonomy {name!r} has a feed per term, which feeds does not write: only "
        "categories and tags have feeds"
        for name in taxonomy_feeds
        if name not in term_paths.values()
    ]
    if taxonomy_feeds.keys() & term_paths.values():
        notes.append(
            "feeds names a term's feed by its own slug, Zola by [slugify] taxonomies: the "
            "same for ASCII names, but check terms with other letters (Straße: Zola "
            "strasse, feeds strae)"
        )
    tags = "tags" in taxonomy_feeds
    paths = {kind: f"{base}{name}" for kind, name in names.items()}
    for kind, name in names.items():
        paths[f"category_{kind}"] = f"categories/{{slug}}/{name}"
        if tags:
            paths[f"tag_{kind}"] = f"tags/{{slug}}/{name}"
    strategy = _text(slugs.get("paths"))
    title = _text(config.get("title")) or folder.resolve().name
    settings: dict[str, Any] = {
        "conventions": "zola",
        "title": title,
        "url": _text(config.get("base_url")),
        "description": _text(config.get("description")) or title,
        "language": _text(config.get("default_language")),
        "posts": posts,
        "output": (_text(config.get("output_dir")) or "public").strip("/"),
        "static": "static",  # Zola publishes it at the site's root
        "permalink": strategy if strategy in ("safe", "off") else None,
        "id_scheme": "generator",
        "max_items": _limit(config.get("feed_limit"), default=_ALL),
        "formats": list(names),
        "tag_feeds": tags or None,
        "feed_paths": paths,
        "index_page": False,
    }
    return settings, notes


def _zola_feed_format(
    folder: Path, config: Mapping[str, Any], name: str, notes: list[str]
) -> str | None:
    """The format of the feed Zola renders from the template `name`: the site's (or its
    theme's) own, when it has one, by its root element (noted: its ids may be its
    own); else Zola's built-in atom.xml or rss.xml."""
    theme = _text(config.get("theme"))
    for template in (
        folder / "templates" / name,
        *([folder / "themes" / theme / "templates" / name] if theme else []),
    ):
        if template.is_file():
            text = _read_text(template)
            kind = "atom" if "<feed" in text else "rss" if "<rss" in text else None
            if kind is not None:
                notes.append(
                    f"{name} is the site's own template: its entries' ids, links and dates "
                    "may not be Zola's; check them with feeds compare"
                )
            return kind
    return {"atom.xml": "atom", "rss.xml": "rss"}.get(name)


_TOML_FRONT_MATTER = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*$", re.S | re.M)


def _zola_section_feeds(content: Path) -> list[str]:
    """The sections (folders below content/, "" for its root) whose _index.md sets
    `generate_feeds` (`generate_feed` before Zola 0.19)."""
    found = []
    for index in sorted(content.rglob("_index.md")):
        front = _TOML_FRONT_MATTER.match(_read_text(index))
        try:
            values = tomllib.loads(front[1]) if front else {}
        except tomllib.TOMLDecodeError:
            continue
        if values.get("generate_feeds", values.get("generate_feed")) is True:
            found.append("/".join(index.parent.relative_to(content).parts))
    return found


def read_eleventy(folder: Path) -> Settings:
    """Eleventy keeps its settings in JavaScript, which is not run: what the usual
    layouts (eleventy-base-blog) write literally is looked for instead, and the user
    told to check it."""
    code = "\n".join(
        _read_text(folder / name)
        for name in (*ELEVENTY_FILES, "_data/metadata.js", "_data/metadata.json")
    )
    found = {key: _js_value(code, key) for key in ("title", "description", "url", "base")}
    title = found["title"] or folder.resolve().name
    posts = next(
        (
            p
            for p in ("content/blog", "content/posts", "src/posts", "posts")
            if (folder / p).is_dir()
        ),
        "posts",
    )
    feed = (_js_value(code, "outputPath") or "/feed.xml").lstrip("/")
    limit = re.search(r"\blimit:\s*(\d+)", code)
    settings: dict[str, Any] = {
        "conventions": "eleventy",
        "title": title,
        "url": found["url"] or found["base"],
        "description": found["description"] or title,
        "posts": posts,
        "output": "_site",
        "permalink": _eleventy_data_permalink(folder, posts),
        "id_scheme": "generator",
        "max_items": _limit(limit[1] if limit else None, default=_ALL),
        "formats": ["atom"],
        "feed_paths": {"atom": feed},
        "index_page": False,
    }
    notes = [
        "Eleventy's configuration is JavaScript, which feeds does not run: check title, "
        "description, url, posts, permalink and the feed's path and limit against it"
    ]
    return settings, notes


def _eleventy_data_permalink(folder: Path, posts: str) -> str | None:
    """The posts' `permalink` from Eleventy's directory data files, as its data cascade
    gives it: the posts folder's own first, then each folder above it; in a folder,
    `<name>.11tydata.js` over `<name>.11tydata.json` over `<name>.json`. A permalink
    JavaScript computes is not read (the user is told to check the permalink)."""
    path = Path(posts)
    for depth in range(len(path.parts), 0, -1):
        here = folder.joinpath(*path.parts[:depth])
        for suffix in (*(f".11tydata{ext}" for ext in (".js", ".cjs", ".mjs", ".json")), ".json"):
            found = _js_value(_read_text(here / f"{here.name}{suffix}"), "permalink")
            if found is not None:
                return found
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _js_value(code: str, key: str) -> str | None:
    """The first string literal given to `key:` (or `"key":`) in JavaScript or JSON."""
    found = re.search(rf"""["']?\b{key}["']?\s*:\s*(["'`])([^"'`\n]*)\1""", code)
    return found[2].strip() or None if found else None


READERS: dict[str, Callable[[Path, Mapping[str, Any]], Settings]] = {
    "jekyll": _jekyll,
    "hugo": _hugo,
    "zola": _zola,
}
