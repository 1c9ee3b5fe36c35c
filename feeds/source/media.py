"""A post's image and attachments: what front matter names, as readers need it.

Readers show an image by its URL alone, but download an attachment (a podcast's
audio, a video, a PDF) by its URL, MIME type and length in bytes, and refuse or
mislabel one whose type or length is wrong. So:

- Front matter names a file by a URL, a path from the site's root (`/media/ep1.mp3`),
  or a path from the post (`cover.jpg` beside `my-post/index.md`). Paths become
  absolute URLs as body links do (`text.absolute_url`).
- A path is the site's own file: beside the post (a page bundle), else in the
  `static` folder at the URL's path. Its length is the file's size and its type what
  its first bytes say (`filetype`), else its name (Python's own table, the same on
  every machine); a type or length front matter gives for it is ignored, with a
  warning when it differs: the file is what readers download. A path that leaves the
  site's folders is refused.
- A URL is another site's file: an attachment there needs `type:` and `length:` in
  front matter (nothing else can tell them); an image needs neither.
- A type is never guessed: an attachment whose type cannot be told is an error, an
  image whose file is missing or whose type cannot be told is published by its URL
  alone, with a warning.

Reading front matter (`image_ref`, `attachment_refs`, for a row of `keys.KEYS`) is
pure, and the build cache keeps its result with the post; `find_media` looks for the
files on every build that reads posts, so a file added, replaced or removed is seen
even when its post is unchanged. Every problem names the key's line.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..model import Media, MediaRef, Post, Problem, Severity, display_path
from ..text import absolute_url, as_uri, fields
from ..text.fields import FieldError
from .listing import file_stamp

if TYPE_CHECKING:
    from ..config import SiteConfig

IMAGE = "image"
BANNER = "banner"
ATTACHMENT = "attachment"

IMAGE_KEYS = ("image", "cover", "featured_image", "featuredImage", "thumbnail", "images")
"""Where sites name a post's image: Jekyll's `image` (jekyll-seo-tag's `{path, alt}`
too), Hugo themes' `cover` (`{image, alt}`), `featured_image`, `thumbnail`, Hugo's
`images` list (its first); the first given wins."""
IMAGE_ALT_KEYS = ("image_alt",)
BANNER_KEYS = ("banner_image", "banner")
ATTACHMENT_KEYS = ("attachments", "enclosure")
MEDIA_KEYS = (*IMAGE_KEYS, *IMAGE_ALT_KEYS, *BANNER_KEYS, *ATTACHMENT_KEYS)

_URL_KEYS = ("url", "path", "src", "image", "file")
"""Where a mapping gives the file: `image: {path: x}` (jekyll-seo-tag), `cover: {image:
x}` (Hugo's PaperMod), JSON Feed's `url`."""
_TEXT_KEYS = ("alt", "title", "caption")
_TYPE_KEYS = ("type", "mime_type")
_LENGTH_KEYS = ("length", "size_in_bytes", "size")
_MIME = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")
_SNIFFED_BYTES = 8192
_BY_NAME = mimetypes.MimeTypes(filenames=())
"""Python's own table of file name extensions, without the machine's mime.types, so
that the same site gives the same feeds on every machine with the same Python."""


def image_ref(key: str, value: Any, *, line: int, kind: str = IMAGE) -> MediaRef | None:
    """`image: x.jpg`, `image: {path: x.jpg, alt: ...}`, or a list's first (Hugo's
    `images: [x.jpg]`); None for null or an empty list."""
    if isinstance(value, list):
        items = [item for item in value if not fields.is_null(item)]
        return image_ref(f"{key}[1]", items[0], line=line, kind=kind) if items else None
    if fields.is_null(value):
        return None
    return _ref(key, value, line, kind)


def attachment_refs(key: str, value: Any, *, line: int) -> list[MediaRef]:
    """`attachments:` (or `enclosure:`): one file or a list of them, each a URL or path,
    or a mapping with `url`, `type`, `length` and `title`."""
    items = value if isinstance(value, list) else [value]
    return [
        _ref(f"{key}[{number}]" if isinstance(value, list) else key, item, line, ATTACHMENT)
        for number, item in enumerate(items, 1)
        if not fields.is_null(item)
    ]


def _ref(key: str, value: Any, line: int, kind: str) -> MediaRef:
    if isinstance(value, str):
        return MediaRef(kind, _written(key, value), key, line)
    example = "/media/file.mp3" if kind == ATTACHMENT else "/images/cover.jpg"
    if not isinstance(value, dict):
        raise FieldError(f"'{key}' must be a URL or a path, e.g. {key}: {example}")
    # Other keys are the theme's (`cover: {relative: true}`, `image: {width: 800}`),
    # unless they look like a typo of one read here.
    for unknown in sorted(set(value) - {*_URL_KEYS, *_TEXT_KEYS, *_TYPE_KEYS, *_LENGTH_KEYS}):
        hint = fields.suggest(unknown, (*_URL_KEYS, *_TEXT_KEYS, *_TYPE_KEYS, *_LENGTH_KEYS))
        if hint:
            raise FieldError(f"'{key}' has unknown key '{unknown}'{hint}")
    url_key, url = _first(value, _URL_KEYS)
    if url is None:
        raise FieldError(f"'{key}' names no file; write {key}: {{url: {example}}}")
    type_key, media_type = _first(value, _TYPE_KEYS)
    media_type = fields.text(f"{key}.{type_key}", media_type or "")
    if media_type is not None and not _MIME.fullmatch(media_type):
        raise FieldError(f"'{key}.type' must be a MIME type like audio/mpeg, not {media_type!r}")
    length_key, length = _first(value, _LENGTH_KEYS)
    text_key, text = _first(value, _TEXT_KEYS)
    return MediaRef(
        kind,
        _written(f"{key}.{url_key}", url),
        key,
        line,
        media_type.lower() if media_type is not None else None,
        fields.whole_number(f"{key}.{length_key}", length, minimum=1, maximum=2**53)
        if length is not None
        else None,
        fields.text(f"{key}.{text_key}", text or ""),
    )


def _first(value: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    """The first of `keys` that `value` gives a value, and that value; else the
    first key, and None."""
    given = ((key, value[key]) for key in keys if value.get(key) is not None)
    return next(given, (keys[0], None))


def _written(key: str, value: Any) -> str:
    written = fields.text(key, value, required=True)
    assert written is not None
    if any(char.isspace() for char in written):
        raise FieldError(f"'{key}' must be a URL or a path without spaces (write %20 for one)")
    return written


def find_media(post: Post, config: SiteConfig) -> tuple[Post, list[Problem]]:
    """The post with its image, banner and attachments found (`Post.media`), and the
    problems: an error when an attachment cannot be published as readers need it."""
    problems: list[Problem] = []
    found = {IMAGE: [], BANNER: [], ATTACHMENT: []}  # type: dict[str, list[Media]]
    for ref in post.media:
        media = _find(ref, post.link, post.source, config, problems)
        if media is not None:
            found[ref.kind].append(media)
    post = post._replace(
        image=next(iter(found[IMAGE]), None),
        banner=next(iter(found[BANNER]), None),
        attachments=tuple(found[ATTACHMENT]),
    )
    return post, problems


def _find(
    ref: MediaRef, link: str, source: str, config: SiteConfig, problems: list[Problem]
) -> Media | None:
    """The file `ref` names, for the post at `link` read from `source`: its absolute URL,
    type and length; None, with a problem, when an attachment cannot have them."""

    def report(message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(Path(source), ref.line, f"'{ref.key}': {message}", severity))

    try:
        url = as_uri(
            absolute_url(ref.written, _base(ref.written, link, source, config), config.url)
        )
        parts = urlsplit(url)
    except ValueError:
        report(f"{ref.written!r} is not a URL or a path")
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        report(f"{ref.written!r} is not an http(s) URL or a path; write a path or https://...")
        return None
    if not _is_own(ref.written):
        return _remote(ref, url, report)
    file = _site_file(ref.written, url, source, config)
    static = display_path(config.static_dir)
    if file is None:
        report(
            f"{ref.written} is outside the site's folders; give the file's path in "
            f"{static}/ (the static folder), or its full URL"
        )
        return None
    relative = os.path.relpath(file, config.path.parent)
    try:
        status = os.stat(file)
        if not stat.S_ISREG(status.st_mode):  # a folder; a FIFO would block the build
            raise OSError(f"{file} is not a regular file")
        media_type = _file_type(file)
    except OSError:
        where = f"{static}/ (the static folder) or beside the post"
        if ref.kind != ATTACHMENT:
            report(f"{ref.written} is not a file in {where}; its URL is used", Severity.WARNING)
            return Media(url, ref.type, ref.length, ref.text, relative)
        report(
            f"{ref.written} is not a file in {where}; correct the path, or set static: "
            "in site.yaml to the folder the site publishes"
        )
        return None
    if media_type is None and ref.kind == ATTACHMENT:
        report(f"cannot tell the type of {ref.written} from its bytes or its name; add type: ...")
        return None
    if media_type is None and ref.type is None:
        report(
            f"cannot tell the type of {ref.written} from its bytes or its name, so the "
            "feeds give none; name the file with its extension (.jpg, .png...) or add type:",
            Severity.WARNING,
        )
    given = ((ref.type, media_type, "type"), (ref.length, status.st_size, "length"))
    for said, found, what in given:
        if said is not None and found is not None and said != found:
            report(
                f"{what} {said} is not the file's ({found}); the file's is used, "
                f"remove {what}: or correct it",
                Severity.WARNING,
            )
    return Media(url, media_type, status.st_size, ref.text, relative, file_stamp(status))


def _remote(ref: MediaRef, url: str, report: Callable[..., None]) -> Media | None:
    """Another site's file: an attachment needs its type and length from front matter."""
    if ref.kind == ATTACHMENT and (ref.type is None or ref.length is None):
        missing = " and ".join(
            what for what, value in (("length", ref.length), ("type", ref.type)) if value is None
        )
        report(
            f"{ref.written} is not the site's own file, so feeds cannot read its {missing}; "
            f"write {ref.key}: {{url: {ref.written}, type: audio/mpeg, length: <bytes>}} "
            "with the file's real values"
        )
        return None
    return Media(url, ref.type, ref.length, ref.text)


def _is_own(written: str) -> bool:
    """A path (the site's own file), not another site's URL."""
    return "://" not in written and not written.startswith("//")


def _base(written: str, link: str, source: str, config: SiteConfig) -> str:
    """What a relative path is joined to: the post's URL, as a body's links are; under a
    generator that takes such paths from the site's root, the site's URL, unless the file
    is beside the post (see `Convention.media_from_site_root`)."""
    if not config.rules.media_from_site_root:
        return link
    beside = beside_post(written, source, config)
    return link if beside is not None and os.path.isfile(beside) else config.url


def beside_post(written: str, source: str, config: SiteConfig) -> str | None:
    """Where the file `written` would be beside the post read from `source` (a page
    bundle's), the first place `find_media` looks: for a relative path that stays in
    the posts folder; else None. The build cache watches it (see `feeds.incremental`):
    a file that appears there replaces the static folder's."""
    path = unquote(urlsplit(written).path)
    if not _is_own(written) or path.startswith("/"):
        return None
    beside = os.path.normpath(os.path.join(os.path.dirname(source), path))
    return beside if _inside(beside, config.posts_dir) else None


def _site_file(written: str, url: str, source: str, config: SiteConfig) -> str | None:
    """The site's file at `written`: beside the post when it is relative and there, else
    in the static folder at the URL's path below the site's; None when it would lie
    outside the static and posts folders."""
    beside = beside_post(written, source, config)
    if beside is not None and os.path.isfile(beside):
        return beside
    site, parts = urlsplit(config.url), urlsplit(url)
    if parts[:2] != site[:2] or not parts.path.startswith(site.path):
        return None  # `../../x.mp3` above the site's path, or a post `link:` elsewhere
    below = unquote(parts.path[len(site.path) :])
    in_static = os.path.normpath(os.path.join(config.static_dir, below))
    return in_static if _inside(in_static, config.static_dir) else None


def _inside(path: str, folder: Path) -> bool:
    return os.path.commonpath([path, str(folder)]) == str(folder)


def _file_type(path: str) -> str | None:
    """What the file's first bytes say it is, else its name; None when neither tells."""
    import filetype  # only for posts with files of their own

    with open(path, "rb") as file:
        head = file.read(_SNIFFED_BYTES)
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    by_name, _ = _BY_NAME.guess_type(path, strict=True)
    return by_name


MediaSeen = dict[str, list[int] | None]
"""Site files `find_media` looked at, by their path from site.yaml's folder: the stamp
of each it read, None for each it found missing."""


def media_seen(post: Post, config: SiteConfig) -> MediaSeen:
    """The site files `find_media` looked at for `post`, whose media it found: each file
    it read or found missing (`Media.file`), and each place beside the post where it
    looked first and found no file, since a file that appears there replaces the static
    folder's (or none). A build's result depends on them, and no post's stat changes
    with them, so the build cache watches them (see `feeds.incremental`)."""
    seen: MediaSeen = {}
    if not post.media:
        return seen
    root = config.path.parent
    found = [m for m in (post.image, post.banner, *post.attachments) if m is not None]
    for media in found:
        if media.file is not None:
            seen[media.file] = None if media.stamp is None else list(media.stamp)
    files = {media.file for media in found}
    for ref in post.media:
        beside = beside_post(ref.written, post.source, config)
        if beside is not None and (relative := os.path.relpath(beside, root)) not in files:
            seen[relative] = None
    return seen
