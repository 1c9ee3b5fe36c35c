"""Eleventy's page URLs and eleventy-plugin-rss's entry ids, as Eleventy 3 computes them.

Checked against Eleventy 3.1.8 and @11ty/eleventy-plugin-rss 3.0.0 (its virtual Atom
feed, `feedPlugin` with `type: "atom"`) building the fixture site
tests/sites/eleventy-links (see tests/test_links_eleventy.py). The rules, from
`TemplatePermalink`, `TemplateFileSlug`, the `slugify` filter and the plugin's
`virtualTemplate.js`:

- Without `permalink`, a page is at its input path below the input folder, its
  extension dropped, plus `/`: `posts/2024-05-01-hello.md` is `/posts/2024-05-01-hello/`
  (the date stays); `index.md` and `x/x.md` are their folder's URL. feeds takes the
  posts folder's parent for the input folder (`posts`, `src/posts`, `content/blog`).
- A `permalink` is a template: feeds runs the expressions real sites use in it,
  `page.fileSlug` (the file name after a `YYYY-MM-DD-` date; an `index` file's folder
  name), `page.filePathStem` (`/` + folders + that name), and front matter values
  (`title`), each optionally through `slugify`. A result ending in `/` gets
  `index.html`, and `/index.html` is then dropped from the URL again.
- `slugify` is @sindresorhus/slugify without decamelizing: characters transliterated
  (`ä` -> `ae`, `ß` -> `ss`, `&` -> ` and `), accents dropped, lower-cased, `'s` and
  `'t` joined, every run of other characters one hyphen (`C++` -> `c`).
- The URL is made absolute by WHATWG `new URL(url, base)`: space, `"<>`{}` and
  every character beyond ASCII percent-encoded, `'&^|[]` kept.
- The Atom `<id>` (and `<link>`) is that URL escaped twice for XML (the template
  captures it with `{% set %}` and prints it escaped again): a reader sees `&amp;`
  for `&` and `&#39;` for `'`. Other URLs are the `<id>` as they are.

A `permalink` in directory data files (`posts/posts.json`, `posts.11tydata.js`) is
site.yaml's, as `feeds init --from` copies it (`migrate`); global data files and
`eleventyComputed` are not read.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..text.fields import FieldError
from .base import PostFacts

if TYPE_CHECKING:
    from ..config import SiteConfig

DEFAULT = "default"
"""site.yaml's `permalink` for Eleventy's own rule (the input path), its default."""

_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_VARIABLE = re.compile(r"^(page\.fileSlug|page\.filePathStem|[A-Za-z_][A-Za-z0-9_]*)$")
FILTERS = ("slugify",)
_DATE_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-(.*)")  # unanchored, as Eleventy has it

# @sindresorhus/transliterate's table, where it differs from dropping accents, for
# U+00A0-U+024F, U+1E00-U+1EFF and U+2000-U+214F (derived by running it on every
# character there), with slugify's own `&` `♥` `🦄`. Other scripts (Cyrillic,
# Greek, Arabic...) are in its table too and are not here: such titles need `link:`.
_TRANSLITERATED_GROUPS = {
    "c": "¢",
    "Y": "¥",
    "Ae": "Ä",
    "AE": "Æ",
    "D": "ÐĐ",
    "Oe": "Ö",
    "O": "ØΩ",
    "Ue": "Ü",
    "TH": "Þ",
    "ss": "ß",
    "ae": "äæ",
    "d": "ðđ",
    "oe": "ö",
    "o": "ø",
    "ue": "ü",
    "th": "þ",
    "H": "Ħ",
    "h": "ħ",
    "i": "ı",
    "IJ": "Ĳ",
    "ij": "ĳ",
    "L": "Ł₺",
    "l": "ł",
    "SS": "ẞ",
    "CE": "₠",
    "C": "₡₵",
    "Cr": "₢",
    "F": "₣",
    "m": "₥",
    "N": "₦",
    "Pt": "₧",
    "Rs": "₨",
    "W": "₩",
    "s": "₫",
    "E": "€",
    "K": "₭",
    "T": "₮₸",
    "Dp": "₯",
    "S": "₰₴₷",
    "P": "₱₽",
    "G": "₲",
    "A": "₳",
    "tt": "₶",
    "R": "₹",
    "B": "₿",
    " and ": "&",
    " love ": "♥",
    " unicorn ": "🦄",
}
_TRANSLITERATED = {c: ascii for ascii, chars in _TRANSLITERATED_GROUPS.items() for c in chars}


def _diacritic(char: str) -> bool:
    """Unicode's `Diacritic` property below U+0370 (`^` `` ` `` `¨` `¯` `´` `·` `¸`,
    modifier letters, combining marks), and combining marks beyond."""
    code = ord(char)
    if code < 0x370:
        return (
            char in "^`\xa8\xaf\xb4\xb7\xb8"
            or 0x2B0 <= code <= 0x34E
            or 0x350 <= code <= 0x357
            or 0x35D <= code <= 0x362
        )
    return unicodedata.category(char) == "Mn"


def slugify(text: str) -> str:
    """Eleventy's `slugify` filter: see the module's docstring."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(_TRANSLITERATED.get(char, char) for char in text)
    text = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in text if not _diacritic(c)))
    text = text.lower()
    text = re.sub(r"([a-zA-Z\d]+)'([ts])(\s|$)", r"\1\2\3", text)  # it's -> its
    text = re.sub(r"[^a-z\d]+", "-", text)
    return text.strip("-")


_FILTERS = {"slugify": slugify}


class _Page:
    """`page.fileSlug` and `page.filePathStem` of one input file (`TemplateFileSlug`)."""

    def __init__(self, config: SiteConfig, source: str) -> None:
        path = PurePath(source)
        try:
            self.folders = list(path.parent.relative_to(PurePath(config.posts_dir).parent).parts)
        except ValueError:
            self.folders = []
        self.name = path.stem  # the template extension dropped: `a.b.md` is `a.b`
        dated = _DATE_IN_NAME.search(self.name)
        self.raw_slug = dated[1] if dated else self.name

    @property
    def file_slug(self) -> str:
        if self.raw_slug != "index":
            return self.raw_slug
        if not self.folders:
            return ""
        dated = _DATE_IN_NAME.search(self.folders[-1])
        return dated[1] if dated else self.folders[-1]

    @property
    def file_path_stem(self) -> str:
        return "/" + "/".join([*self.folders, self.raw_slug])

    def default_path(self) -> str:
        """`TemplatePermalink.generate`: the folders, then the name unless it is `index`
        or the folder's own name, then `index.html`."""
        parts = list(self.folders)
        if self.name != "index" and not (parts and parts[-1] == self.name):
            parts.append(self.name)
        return "/".join([*parts, "index.html"])


def check_pattern(key: str, written: str) -> None:
    """A `FieldError` unless every `{{ }}` holds a variable feeds knows and `slugify`s."""
    if "{%" in written:
        raise FieldError(
            f"'{key}' has a template tag {{% %}}; feeds runs only {{{{ }}}} with "
            "page.fileSlug, page.filePathStem or a front matter key like title, "
            "optionally | slugify; give such posts a link: instead"
        )
    for match in _EXPRESSION.finditer(written):
        variable, *filters = (part.strip() for part in match[1].split("|"))
        if not _VARIABLE.match(variable):
            raise FieldError(
                f"'{key}' has {match[0]}, which feeds cannot run: use page.fileSlug, "
                "page.filePathStem or a front matter key like title, optionally | slugify"
            )
        unknown = [name for name in filters if name not in _FILTERS]
        if unknown:
            raise FieldError(
                f"'{key}' has the filter {unknown[0]!r}, which feeds cannot run; use "
                + ", ".join(FILTERS)
                + ", or give such posts a link: instead"
            )
    outside = _EXPRESSION.sub("x", written)
    if "://" in outside or any(c.isspace() for c in outside):
        raise FieldError(
            f"'{key}' must be a path like /blog/{{{{ page.fileSlug }}}}/, not {written!r}"
        )


def _render(pattern: str, page: _Page, post: PostFacts) -> str:
    def value(match: re.Match[str]) -> str:
        variable, *filters = (part.strip() for part in match[1].split("|"))
        if variable == "page.fileSlug":
            text = page.file_slug
        elif variable == "page.filePathStem":
            text = page.file_path_stem
        else:
            located = post.values.get(variable)
            given = located.value if located is not None else None
            text = "" if given is None else str(given)  # Liquid prints nothing for none
        for name in filters:
            text = _FILTERS[name](text)
        return text

    return _EXPRESSION.sub(value, pattern)


def url_path(output: str) -> str:
    """`TemplatePermalink.toHref`: `index.html` after a trailing `/`, the path joined
    (`.` and `..` resolved, slashes squeezed), a leading `/`, and a final
    `/index.html`, `/index/` or `/index` back to `/`."""
    if output.endswith("/"):
        output += "index.html"
    output = posixpath.normpath(re.sub(r"/+", "/", output))
    output = output if output.startswith("/") else "/" + output
    for needle in ("/index.html", "/index/", "/index"):
        if output.endswith(needle):
            return output[: -len(needle)] + "/"
    return output


# What WHATWG URL leaves unencoded in a path: ASCII but controls, space and "<>`{}.
_PATH_SAFE = "/!$%&'()*+,;=:@[]^|~#?"


class EleventyLinks:
    ugly_urls = False
    default = DEFAULT

    def parse(self, key: str, written: str) -> str:
        if written != DEFAULT:
            check_pattern(key, written)
        return written

    def path(self, config: SiteConfig, post: PostFacts) -> str:
        """The URL path: front matter's `permalink` when it is a template feeds can
        run (a plain path is the reader's `link`), else site.yaml's, else the input path."""
        page = _Page(config, post.source)
        given = post.values.get("permalink")
        pattern = given.value if given is not None and isinstance(given.value, str) else None
        if pattern is not None:
            try:
                check_pattern("permalink", pattern)
            except FieldError:
                pattern = None
        pattern = pattern or config.permalink
        if pattern == DEFAULT:
            return url_path(page.default_path())
        return url_path(_render(pattern, page, post))

    def link(self, config: SiteConfig, post: PostFacts) -> str:
        path = self.path(config, post).replace("\\", "/")  # WHATWG: `\` is `/`
        return config.url + quote(path, safe=_PATH_SAFE).lstrip("/")

    def entry_id(self, config: SiteConfig, post: PostFacts, link: str) -> str:
        # The plugin's Atom template escapes the URL twice: readers see `&amp;`, `&#39;`.
        return link.replace("&", "&amp;").replace("'", "&#39;")
