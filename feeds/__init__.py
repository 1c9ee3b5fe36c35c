"""feeds: publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter.

Library use::

    from feeds import build
    result = build("site.yaml")
    for problem in result.problems:
        print(problem.format())
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import ConfigNotFoundError, SiteConfig, load_config
    from .jobs import render_site
    from .pipeline import build
    from .posts import Post
    from .problems import Problem, Severity
    from .reading import read_posts
    from .result import BuildResult

_LOADED_ON_FIRST_USE = {
    "BuildResult": "result",
    "ConfigNotFoundError": "config",
    "Post": "posts",
    "Problem": "problems",
    "Severity": "problems",
    "SiteConfig": "config",
    "build": "pipeline",
    "load_config": "config",
    "read_posts": "reading",
    "render_site": "jobs",
}
"""Every name from the module that defines it, on first use: the `feeds` command's
no-change check (feeds.console) imports this package and must not load the pipeline."""


def __getattr__(name: str) -> Any:
    if name in _LOADED_ON_FIRST_USE:
        module = importlib.import_module(f".{_LOADED_ON_FIRST_USE[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'feeds' has no attribute {name!r}")


__all__ = [
    "BuildResult",
    "ConfigNotFoundError",
    "Post",
    "Problem",
    "Severity",
    "SiteConfig",
    "build",
    "load_config",
    "read_posts",
    "render_site",
]
