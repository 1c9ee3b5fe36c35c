"""feeds: publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter.

Library use::

    from feeds import build
    result = build("site.yaml")
    for problem in result.problems:
        print(problem.format())
"""

from typing import TYPE_CHECKING, Any

from .build import BuildResult, build
from .config import ConfigNotFoundError, SiteConfig, load_config
from .posts import Post, read_posts
from .problems import Problem, Severity

if TYPE_CHECKING:
    from .jobs import render_site


def __getattr__(name: str) -> Any:
    """`render_site` on first use: `feeds build` from cron mostly has nothing to render."""
    if name == "render_site":
        from .jobs import render_site

        return render_site
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
