"""feeds: publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter.

Library use::

    from feeds import build
    result = build("site.yaml")
    for problem in result.problems:
        print(problem.format())
"""

import importlib
from typing import TYPE_CHECKING, Any

from .model import BuildResult, ConfigNotFoundError, Post, Problem, Severity
from .run import build

if TYPE_CHECKING:
    from .config import SiteConfig, load_config
    from .source.reading import read_posts

_LOADED_ON_FIRST_USE = {
    "SiteConfig": "config",
    "load_config": "config",
    "read_posts": "source.reading",
}
"""Names whose modules a run that finds nothing changed never needs."""


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
]
