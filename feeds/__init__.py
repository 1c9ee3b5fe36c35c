"""feeds: publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter.

Library use::

    from feeds import build
    result = build("site.yaml")
    for problem in result.problems:
        print(problem.format())
"""

import importlib
from typing import TYPE_CHECKING, Any

from .build import BuildResult, build
from .config import ConfigNotFoundError, SiteConfig, load_config
from .problems import Problem, Severity

if TYPE_CHECKING:
    from .jobs import render_site
    from .posts import Post
    from .reading import read_posts

_LOADED_ON_FIRST_USE = {"Post": "posts", "read_posts": "reading", "render_site": "jobs"}
"""`feeds build` from cron mostly finds nothing changed: it reads no post, renders nothing."""


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
