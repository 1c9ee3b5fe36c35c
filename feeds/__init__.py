"""feeds: publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter.

Library use::

    from feeds import build
    result = build("site.yaml")
    for problem in result.problems:
        print(problem.format())
"""

from .build import BuildResult, build, render_site
from .config import ConfigNotFoundError, SiteConfig, load_config
from .posts import Post, read_posts
from .problems import Problem, Severity

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
