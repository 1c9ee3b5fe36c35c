"""Links between posts: each post's `refs` (Hugo's `ref` and `relref`, Jekyll's `link`
and `post_url`, as `source.templates` collected them) resolved to the link of the post
at their target, among every post read (drafts aside), as the generators find them:

- Hugo: a path below the content folder (the nearest `content` folder above the
  post, else the posts folder's parent), with or without its extension or a leading
  `/` ("posts/x.md", "/posts/x", a bundle's folder "posts/x"); else the same path
  below the linking post's folder; else a file name alone ("x.md", "x") when one post
  alone has it. `ref` gives the post's link, `relref` its path on the site; a
  `#fragment` is kept.
- Jekyll: `link` takes the file's path below the site's folder (the posts folder's
  parent when it is named `_posts`, else the posts folder), as "_posts/x.md";
  `post_url` the name below the `_posts` folder, without its extension, as
  "2024-01-02-x" or "sub/2024-01-02-x" (a name alone, when one post alone has it).
  Both give the post's path on the site (the site's `url` path, then the post's).

A target that is no post (another page, a draft, two posts) stays None, and its tag
is dropped with a warning, as before. Pure: keys in, keys and warnings out; the link of
a post a ref finds is asked of the plan's loader.

The links of a post's `refs` are part of it, so that the fingerprints of the feeds
showing it change when a post it links to moves (see `outputs`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ..model import PostKey, Problem, Severity
from ..source.templates import dropped_message, unknown_post_reason

if TYPE_CHECKING:
    from ..config import SiteConfig
    from . import Loader

_BUNDLE = {"index", "_index"}


def resolve_refs(
    posts: Sequence[PostKey], config: SiteConfig, load: Loader
) -> tuple[list[PostKey], list[Problem]]:
    """`posts` with the links of their `refs` found, and a warning for each not found."""
    if not any(post.refs for post in posts):
        return list(posts), []
    index = _Index([post for post in posts if not post.draft], config, load)
    resolved: list[PostKey] = []
    problems: list[Problem] = []
    for post in posts:
        if not post.refs:
            resolved.append(post)
            continue
        refs = []
        for tag, target, line, shown, _ in post.refs:
            link = index.link(tag, target, post)
            if link is None:
                message = dropped_message(shown, unknown_post_reason(target))
                problems.append(Problem(Path(post.source), line, message, Severity.WARNING))
            refs.append((tag, target, line, shown, link))
        resolved.append(post._replace(refs=tuple(refs)))
    return resolved, problems


def _relative(link: str) -> str:
    """The link's path on its site, with its query and fragment."""
    parts = urlsplit(link)
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class _Index:
    def __init__(self, posts: Iterable[PostKey], config: SiteConfig, load: Loader) -> None:
        self.config = config
        self.load = load
        self.links: dict[str, str | None] = {}
        """The link of each post found, read once."""
        self.posts: dict[str, PostKey] = {}
        self.hugo: dict[str, set[str]] = defaultdict(set)
        self.hugo_names: dict[str, set[str]] = defaultdict(set)
        self.files: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, set[str]] = defaultdict(set)
        self.name_alone: dict[str, set[str]] = defaultdict(set)
        for post in posts:
            self.posts[post.source] = post
            content = self.content_path(post)
            stem, extension = os.path.splitext(content)
            keys = {content, stem}
            parts = PurePath(stem).parts
            if len(parts) > 1 and parts[-1] in _BUNDLE:
                keys.add(str(PurePath(*parts[:-1]).as_posix()))
                self.hugo_names[parts[-2]].add(post.source)
            else:
                self.hugo_names[parts[-1] + extension].add(post.source)
                self.hugo_names[parts[-1]].add(post.source)
            for key in keys:
                self.hugo[key].add(post.source)
            self.files[self.site_path(post)].add(post.source)
            name = self.posts_name(post)
            self.names[name].add(post.source)
            self.name_alone[PurePath(name).name].add(post.source)

    def content_path(self, post: PostKey) -> str:
        path = PurePath(post.source)
        folders = path.parent.parts
        if "content" in folders:
            start = len(folders) - folders[::-1].index("content")
            return PurePath(*path.parts[start:]).as_posix()
        return _below(path, PurePath(self.config.posts_dir).parent).as_posix()

    def site_path(self, post: PostKey) -> str:
        posts_dir = PurePath(self.config.posts_dir)
        root = posts_dir.parent if posts_dir.name == "_posts" else posts_dir
        return _below(PurePath(post.source), root).as_posix()

    def posts_name(self, post: PostKey) -> str:
        path = PurePath(post.source)
        folders = path.parent.parts
        if "_posts" in folders:
            start = len(folders) - folders[::-1].index("_posts")
            below = PurePath(*path.parts[start:])
        else:
            below = _below(path, self.config.posts_dir)
        return os.path.splitext(below.as_posix())[0]

    def one(self, sources: set[str] | None) -> PostKey | None:
        """The post, when there is one alone."""
        if sources is None or len(sources) != 1:
            return None
        return self.posts[next(iter(sources))]

    def link(self, tag: str, target: str, linking: PostKey) -> str | None:
        if tag in ("ref", "relref"):
            path, _, fragment = target.partition("#")
            post = self.hugo_post(path, linking) if path else linking
            link = None if post is None else self.link_of(post)
            if link is None:
                return None
            link += "#" + fragment if fragment else ""
            return link if tag == "ref" else _relative(link)
        if tag == "link":
            post = self.one(self.files.get(target.lstrip("/")))
        else:  # post_url
            name = target.strip("/")
            post = self.one(self.names.get(name)) or (
                None if "/" in name else self.one(self.name_alone.get(name))
            )
        link = None if post is None else self.link_of(post)
        return None if link is None else _relative(link)

    def link_of(self, post: PostKey) -> str | None:
        """The post's link, read whole once; None if its file has changed since."""
        if post.source not in self.links:
            found = self.load([post])[0].get(post.source)
            self.links[post.source] = None if found is None else found.link
        return self.links[post.source]

    def hugo_post(self, path: str, linking: PostKey) -> PostKey | None:
        key = path.strip("/")
        found = self.one(self.hugo.get(key))
        if found is not None or path.startswith("/"):
            return found
        folder = PurePath(self.content_path(linking)).parent
        beside = os.path.normpath((folder / key).as_posix()).replace(os.sep, "/")
        found = self.one(self.hugo.get(beside))
        if found is not None or "/" in key:
            return found
        return self.one(self.hugo_names.get(key))


def _below(path: PurePath, folder: PurePath | str) -> PurePath:
    try:
        return path.relative_to(folder)
    except ValueError:  # a post outside the posts folder: found by its name
        return PurePath(path.name)
