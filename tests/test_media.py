"""What subscribers see of a post's image and attachments, through the command line.

Every feed a test publishes passes `check_all` (Atom's RELAX NG schema, the JSON Feed
schema, feedparser), and what readers look for is read back: feedparser's
`media_content`, `media_thumbnail` and `enclosures`, the JSON Feed's `image`,
`banner_image` and `attachments`. Bad input ends in `posts/x.md:LINE: ...`, exit code 1
and nothing published.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple

import feedparser
import pytest
import yaml
from conftest import BASIC_CONFIG, Cli, Run, Site, check_all
from hypothesis import event, given
from hypothesis import strategies as st
from lxml import etree
from test_properties import ANY_TEXT, budget, new_site

from feeds.cli import main
from feeds.text import xml_safe

BLOG = "https://example.org/blog/"
MEDIA_NS = "{http://search.yahoo.com/mrss/}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(990)
PDF = b"%PDF-1.7\n" + b"%" * 491
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(2000)


class Published(NamedTuple):
    files: dict[str, bytes]
    atom: feedparser.FeedParserDict
    rss: feedparser.FeedParserDict
    json: dict[str, Any]
    """feed.json as written (fastfeedparser keeps one author and no banner)."""
    output: str


def publish(site: Site, feeds: Cli, *args: str) -> Published:
    """Build without errors; the feeds validated and parsed."""
    run = feeds(site, *args)
    assert run.code == 0, run.output
    files = site.files()
    parsed = check_all(files)
    return Published(
        files, parsed["atom.xml"], parsed["rss.xml"], json.loads(files["feed.json"]), run.output
    )


def put(site: Site, path: str, data: bytes) -> Path:
    """A file of the site's own, at `path` from site.yaml's folder."""
    file = site.root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    return file


def only_entry(published: Published) -> tuple[Any, Any, dict[str, Any]]:
    """The single entry of each format: Atom's, RSS's, JSON Feed's."""
    (atom,), (rss,), (item,) = (
        published.atom.entries,
        published.rss.entries,
        published.json["items"],
    )
    return atom, rss, item


def contents(published: Published) -> list[str]:
    """The single entry's HTML content in Atom, RSS and JSON Feed, as written (feedparser
    rewrites HTML); in RSS, `content:encoded`, else the description (with no summary)."""
    atom = etree.fromstring(published.files["atom.xml"]).find(f"{ATOM_NS}entry/{ATOM_NS}content")
    (item,) = etree.fromstring(published.files["rss.xml"]).iter("item")
    rss = item.findtext(CONTENT_ENCODED) or item.findtext("description")
    assert atom is not None and rss is not None
    return [str(atom.text), rss, only_entry(published)[2]["content_html"]]


def image_descriptions(data: bytes) -> list[str | None]:
    """The `media:description` (the alt text) of each `media:content`, in document order."""
    return [
        c.findtext(f"{MEDIA_NS}description")
        for c in etree.fromstring(data).iter(f"{MEDIA_NS}content")
    ]


def check_image(published: Published, url: str, alt: str | None, length: int | None) -> None:
    """The image as every reader looks for it: Media RSS in Atom and RSS, JSON Feed's
    `image`, and once at the top of the content."""
    for entry in only_entry(published)[:2]:
        (content,) = entry.media_content
        assert content["url"] == url and content["medium"] == "image"
        assert content.get("filesize") == (None if length is None else str(length))
        assert content.get("type") == ("image/png" if length is not None else None)
        assert [thumbnail["url"] for thumbnail in entry.media_thumbnail] == [url]
    for name in ("atom.xml", "rss.xml"):
        assert image_descriptions(published.files[name]) == [alt]
    assert only_entry(published)[2]["image"] == url
    for html in contents(published):
        assert html.startswith(f'<p><img src="{url}" alt="{alt or ""}"></p>\n')
        assert html.count("<img") == 1


# --- The image --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "config", "alt"),
    [
        ("image: /img/x.png\n", "", None),
        ("image: {path: /img/x.png, alt: A green dot}\n", "", "A green dot"),  # jekyll-seo-tag
        ("image: /img/x.png\nimage_alt: A green dot\n", "", "A green dot"),
        ("cover: {image: /img/x.png, alt: A green dot, hidden: true}\n", "", "A green dot"),
        ("featured_image: /img/x.png\n", "", None),
        ("featuredImage: /img/x.png\n", "conventions: hugo\n", None),
        ("thumbnail: /img/x.png\n", "", None),
        ("images: [/img/x.png, /img/other.png]\n", "", None),  # Hugo's: the first
        ("images:\n  - ~\n  - /img/x.png\n", "", None),
        ("image: /blog/img/x.png\n", "", None),  # the site's path written: not twice
        ("image: https://example.org/blog/img/x.png\n", "", None),  # its own URL: no size read
    ],
)
def test_every_image_key_reaches_every_format(
    site: Site, feeds: Cli, front: str, config: str, alt: str | None
) -> None:
    site.write_config(BASIC_CONFIG + config)
    put(site, "img/x.png", PNG)
    site.post("p", front)
    published = publish(site, feeds)
    length = None if front.startswith("image: https") else len(PNG)
    check_image(published, f"{BLOG}img/x.png", alt, length)
    assert "warning" not in published.output


@pytest.mark.parametrize(
    ("config", "front"),
    [
        ("conventions: jekyll\n", "image: img/x.png\n"),  # jekyll-feed: .../blog/img/x.png
        ("conventions: jekyll\n", "image: {path: img/x.png}\n"),
        ("conventions: hugo\n", "images: [img/x.png]\n"),  # Hugo's absURL: the same
    ],
)
def test_under_jekyll_and_hugo_a_relative_path_is_from_the_sites_root(
    site: Site, feeds: Cli, config: str, front: str
) -> None:
    """As jekyll-feed 0.17 (`absolute_url`) and Hugo 0.111's Open Graph template (`absURL`)
    write it, checked with both here: not against the post's URL."""
    site.write_config(BASIC_CONFIG + config)
    put(site, "img/x.png", PNG)
    site.post("2024-05-01-p", front)
    check_image(publish(site, feeds), f"{BLOG}img/x.png", None, len(PNG))


def test_under_hugo_a_bundles_own_file_is_beside_the_post(site: Site, feeds: Cli) -> None:
    site.write_config(BASIC_CONFIG + "conventions: hugo\n")
    site.post("trip/index", "images: [sunrise.png]\n")
    put(site, "posts/trip/sunrise.png", PNG)
    published = publish(site, feeds)
    link = only_entry(published)[0].link
    check_image(published, link + "sunrise.png", None, len(PNG))


def test_page_bundle_image_beside_the_post(site: Site, feeds: Cli) -> None:
    site.post("trip/index", "cover: {image: sunrise.png, alt: Sunrise, relative: true}\n")
    put(site, "posts/trip/sunrise.png", PNG)
    check_image(publish(site, feeds), f"{BLOG}trip/sunrise.png", "Sunrise", len(PNG))


def test_the_static_setting_names_the_folder_of_the_sites_files(site: Site, feeds: Cli) -> None:
    site.write_config(BASIC_CONFIG + "static: static\n")
    put(site, "static/img/x.png", PNG)
    put(site, "img/x.png", PNG + b"not this one")
    site.post("p", "image: /img/x.png\n")
    check_image(publish(site, feeds), f"{BLOG}img/x.png", None, len(PNG))


def test_a_remote_image_is_published_by_its_url_as_a_url(site: Site, feeds: Cli) -> None:
    """No file to read: no type, no size. Not an IRI: the W3C validator wants URLs."""
    site.post("p", "image: https://cdn.example.com/pics/café.jpg\n")
    published = publish(site, feeds)
    assert only_entry(published)[2]["image"] == "https://cdn.example.com/pics/caf%C3%A9.jpg"
    assert b"caf\xc3\xa9" not in published.files["atom.xml"]


def test_a_missing_image_is_a_warning_and_its_url_is_kept(site: Site, feeds: Cli) -> None:
    site.post("p", "image: {path: /img/gone.png, alt: Gone}\n")
    published = publish(site, feeds)
    (warning,) = re.findall(r"posts/p\.md:4: warning: .*", published.output)
    assert "'image': /img/gone.png is not a file in" in warning
    assert only_entry(published)[0].media_content == [
        {"url": f"{BLOG}img/gone.png", "medium": "image"}
    ]


def test_an_image_of_no_known_type_is_shown_without_one(site: Site, feeds: Cli) -> None:
    put(site, "img/photo", b"\x01\x02" * 20)
    site.post("p", "image: /img/photo\n")
    published = publish(site, feeds)
    assert "posts/p.md:4: warning: 'image': cannot tell the type of /img/photo" in published.output
    (content,) = only_entry(published)[0].media_content
    assert "type" not in content and content["filesize"] == "40"


def test_banner_image_is_json_feeds_banner(site: Site, feeds: Cli) -> None:
    put(site, "img/x.png", PNG)
    put(site, "img/wide.png", PNG)
    site.post("p", "image: /img/x.png\nbanner_image: /img/wide.png\n")
    published = publish(site, feeds)
    item = only_entry(published)[2]
    assert (item["image"], item["banner_image"]) == (f"{BLOG}img/x.png", f"{BLOG}img/wide.png")
    check_image(published, f"{BLOG}img/x.png", None, len(PNG))  # the banner is no media:content


# --- The image at the top of the content ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("Text.\n", False),
        ("![Dot](/img/x.png)\n\nText.\n", True),
        ("![Dot](x.png)\n\nText.\n", False),  # page-relative: /blog/p/x.png, another image
        ("![Dot](https://example.org/blog/img/x.png)\n", True),
        ("[![Dot](/img/x.png)](/img/big.png)\n\nText.\n", True),  # inside a link
        ('<figure><img src="/img/x.png" alt=""><figcaption>Dot</figcaption></figure>\n', True),
        ("![Other](/img/other.png)\n\nText.\n", False),
        ("# Heading\n\n![Dot](/img/x.png)\n", False),  # text comes first
        ("", False),
    ],
)
def test_the_image_tops_the_content_once(site: Site, feeds: Cli, body: str, shown: bool) -> None:
    put(site, "img/x.png", PNG)
    site.post("p", "image: /img/x.png\n", body=body)
    published = publish(site, feeds)
    added = '<p><img src="https://example.org/blog/img/x.png" alt=""></p>\n'
    for html in contents(published):
        assert html.startswith(added) != shown, html
        assert (
            html.count('src="https://example.org/blog/img/x.png"')
            == 1 + body.count("/img/x.png") - shown
        )


def test_an_image_the_body_shows_with_other_characters_is_not_added(site: Site, feeds: Cli) -> None:
    """Markdown percent-encodes `é` in the body's link; front matter gives it as typed."""
    put(site, "img/café.png", PNG)
    site.post("p", "image: /img/café.png\n", body="![Café](/img/café.png)\n")
    published = publish(site, feeds)
    for html in contents(published):
        assert html.count("<img") == 1
    assert only_entry(published)[2]["image"] == f"{BLOG}img/caf%C3%A9.png"
    assert only_entry(published)[0].media_content[0]["filesize"] == str(len(PNG))


def test_summary_only_feeds_carry_the_image_as_media(site: Site, feeds: Cli) -> None:
    site.write_config(BASIC_CONFIG + "summary_only: true\n")
    put(site, "img/x.png", PNG)
    site.post("p", "image: /img/x.png\n")
    published = publish(site, feeds)
    atom, rss, item = only_entry(published)
    assert "content" not in atom and "content" not in rss and "content_html" not in item
    assert atom.summary == rss.summary == item["summary"] == "Some text."
    assert atom.media_content[0]["url"] == rss.media_content[0]["url"] == item["image"]


# --- Attachments ------------------------------------------------------------------------


def test_local_attachments_have_their_real_size_and_type(site: Site, feeds: Cli) -> None:
    put(site, "media/ep1.mp3", MP3)
    put(site, "media/notes.pdf", PDF)
    put(site, "media/clip.mp4", MP4)
    site.post(
        "p",
        "attachments:\n  - /media/ep1.mp3\n  - {url: /media/notes.pdf, title: The notes}\n"
        "  - media/clip.mp4\n",  # page-relative: not beside the post, so static/p/media/
    )
    put(site, "p/media/clip.mp4", MP4)
    published = publish(site, feeds)
    expected = [
        (f"{BLOG}media/ep1.mp3", "audio/mpeg", len(MP3), None),
        (f"{BLOG}media/notes.pdf", "application/pdf", len(PDF), "The notes"),
        (f"{BLOG}p/media/clip.mp4", "video/mp4", len(MP4), None),
    ]
    atom, rss, item = only_entry(published)
    assert [(e.href, e.type, int(e.length), e.get("title")) for e in atom.enclosures] == expected
    # RSS allows one enclosure: the first.
    assert [(e.href, e.type, int(e.length)) for e in rss.enclosures] == [expected[0][:3]]
    assert published.files["rss.xml"].count(b"<enclosure ") == 1
    assert [
        (a["url"], a["mime_type"], a["size_in_bytes"], a.get("title")) for a in item["attachments"]
    ] == expected
    assert "media_content" not in atom  # attachments are no image


def test_a_single_enclosure_key(site: Site, feeds: Cli) -> None:
    put(site, "media/ep1.mp3", MP3)
    site.post("p", "enclosure: /media/ep1.mp3\n")
    atom, rss, item = only_entry(publish(site, feeds))
    assert (
        [e.href for e in atom.enclosures]
        == [e.href for e in rss.enclosures]
        == [f"{BLOG}media/ep1.mp3"]
    )
    assert item["attachments"] == [
        {"url": f"{BLOG}media/ep1.mp3", "mime_type": "audio/mpeg", "size_in_bytes": len(MP3)}
    ]


def test_the_bytes_tell_the_type_not_the_name(site: Site, feeds: Cli) -> None:
    put(site, "media/episode.mp3", PDF)
    site.post("p", "attachments: /media/episode.mp3\n")
    item = only_entry(publish(site, feeds))[2]
    assert item["attachments"][0]["mime_type"] == "application/pdf"


def test_front_matter_that_contradicts_the_file_is_a_warning(site: Site, feeds: Cli) -> None:
    put(site, "media/ep1.mp3", MP3)
    site.post("p", "attachments: [{url: /media/ep1.mp3, type: audio/ogg, length: 5}]\n")
    published = publish(site, feeds)
    assert published.output.count("posts/p.md:4: warning: 'attachments[1]': ") == 2
    assert "type audio/ogg is not the file's (audio/mpeg)" in published.output
    assert f"length 5 is not the file's ({len(MP3)})" in published.output
    assert only_entry(published)[2]["attachments"][0]["size_in_bytes"] == len(MP3)


def test_a_remote_attachment_with_type_and_length(site: Site, feeds: Cli) -> None:
    front = "enclosure:\n  url: https://cdn.example.com/ep2.mp3\n  type: Audio/MPEG\n"
    site.post("p", front + "  length: 9007199254740992\n")  # JSON's largest exact integer
    atom, rss, item = only_entry(publish(site, feeds))
    expected = ("https://cdn.example.com/ep2.mp3", "audio/mpeg", "9007199254740992")
    assert (atom.enclosures[0].href, atom.enclosures[0].type, atom.enclosures[0].length) == expected
    assert (rss.enclosures[0].href, rss.enclosures[0].type, rss.enclosures[0].length) == expected
    assert item["attachments"][0]["size_in_bytes"] == 2**53


def test_toml_front_matter_gives_the_length_as_a_number(site: Site, feeds: Cli) -> None:
    site.write_config(BASIC_CONFIG + "conventions: hugo\n")
    site.raw_post(
        "p.md",
        "+++\ntitle = 'P'\ndate = 2024-05-01\nauthors = ['Ann', 'Bo']\n"
        "featured_image = 'https://cdn.example.com/p.jpg'\n"
        "[[attachments]]\nurl = 'https://cdn.example.com/ep.mp3'\ntype = 'audio/mpeg'\n"
        "length = 12345\n+++\nBody.\n",
    )
    atom, _, item = only_entry(publish(site, feeds))
    assert item["attachments"][0]["size_in_bytes"] == 12345
    assert atom.enclosures[0].length == "12345"
    assert item["image"] == "https://cdn.example.com/p.jpg"
    assert [a["name"] for a in item["authors"]] == ["Ann", "Bo"]


def errors(run: Run) -> list[str]:
    return [
        line
        for line in run.output.splitlines()
        if line.startswith("posts/") and ": warning:" not in line
    ]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (
            "attachments: https://cdn.example.com/a.mp3\n",
            "'attachments': https://cdn.example.com/a.mp3 is not the site's own file, so feeds "
            "cannot read its length and type; write attachments: {url: ",
        ),
        (
            "attachments:\n  - {url: https://cdn.example.com/a.mp3, length: 12}\n",
            "'attachments[1]': https://cdn.example.com/a.mp3 is not the site's own file, so "
            "feeds cannot read its type;",
        ),
        (
            "enclosure: {url: //cdn.example.com/a.mp3, type: audio/mpeg}\n",
            "cannot read its length;",
        ),
        (
            "attachments: ../../etc/passwd\n",
            "'attachments': ../../etc/passwd is outside the site's folders; give the file's "
            "path in",
        ),
        ("attachments: ../../../x.mp3\n", "is outside the site's folders"),
        ("attachments: /../../x.mp3\n", "is outside the site's folders"),
        ("attachments: '%2e%2e/%2e%2e/%2e%2e/x.mp3'\n", "is outside the site's folders"),
        ("attachments: /media\n", "'attachments': /media is not a file in"),
        ("attachments: /media/gone.mp3\n", "'attachments': /media/gone.mp3 is not a file in"),
        (
            "attachments: /media/blob\n",
            "cannot tell the type of /media/blob from its bytes or its name; add type:",
        ),
        (
            "attachments: 'javascript:alert(1)'\n",
            "'attachments': 'javascript:alert(1)' is not an http(s) URL or a path; write a path or https://",
        ),
        (
            "image: 'data:image/png;base64,iVBORw0KGgo='\n",
            "'image': 'data:image/png;base64,iVBORw0KGgo=' is not an http(s) URL",
        ),
        ("image: file:///etc/passwd\n", "is not an http(s) URL or a path"),
        (
            "attachments: {url: /media/ep1.mp3, length: 0}\n",
            "'attachments.length' must be a whole number from 1 to 9007199254740992, not '0'",
        ),
        ("attachments: {url: /media/ep1.mp3, length: -5}\n", "must be a whole number"),
        ("attachments: {url: /media/ep1.mp3, length: ten}\n", "not 'ten'"),
        (
            "attachments: {url: /media/ep1.mp3, length: 9007199254740993}\n",
            "must be a whole number",
        ),
        (
            "attachments: {url: /media/ep1.mp3, type: [audio/mpeg]}\n",
            "'attachments.type' must be text, not a list",
        ),
        (
            "attachments: {url: /media/ep1.mp3, type: mpeg}\n",
            "'attachments.type' must be a MIME type like audio/mpeg, not 'mpeg'",
        ),
        (
            "attachments: {url: /media/ep1.mp3, tpye: audio/mpeg}\n",
            "'attachments' has unknown key 'tpye' (did you mean 'type'?)",
        ),
        (
            "attachments: {title: Notes}\n",
            "'attachments' names no file; write attachments: {url: /media/file.mp3}",
        ),
        ("image: {alt: Dot}\n", "'image' names no file; write image: {url: /images/cover.jpg}"),
        ("image: {path: /img/x.png, alt: [a, b]}\n", "'image.alt' must be text, not a list"),
        (
            "image: /img/a b.png\n",
            "'image' must be a URL or a path without spaces (write %20 for one)",
        ),
    ],
)
def test_bad_media_is_a_located_error_and_nothing_is_published(
    site: Site, feeds: Cli, front: str, message: str
) -> None:
    put(site, "media/ep1.mp3", MP3)
    put(site, "media/blob", b"\x01\x02" * 20)
    site.post("p", "author: Ann\n" + front)
    run = feeds(site)
    assert run.code == 1
    (error,) = errors(run)
    assert error.startswith("posts/p.md:5: ") and message in error, error
    assert not site.output.exists()


def test_skip_invalid_publishes_the_other_posts(site: Site, feeds: Cli) -> None:
    put(site, "media/ep1.mp3", MP3)
    site.post("bad", "attachments:\n  - /media/ep1.mp3\n  - https://cdn.example.com/a.mp3\n")
    site.post("good", "attachments: /media/ep1.mp3\n")
    run = feeds(site, "--skip-invalid")
    assert run.code == 1
    (error,) = errors(run)
    assert error.startswith("posts/bad.md:4: 'attachments[2]': https://cdn.example.com/a.mp3")
    parsed = check_all(site.files())
    for name in ("atom.xml", "rss.xml", "feed.json"):
        assert [entry.title for entry in parsed[name].entries] == ["Good"]


def test_replacing_or_removing_a_file_changes_the_feeds(site: Site, feeds: Cli) -> None:
    """The feeds depend on the file, not only on the post naming it: the next run sees a
    file replaced, even with nothing else changed and the build cache on."""
    mp3 = put(site, "media/ep1.mp3", MP3)
    image = put(site, "img/x.png", PNG)
    site.post("p", "attachments: /media/ep1.mp3\nimage: /img/x.png\n")
    assert only_entry(publish(site, feeds))[2]["attachments"][0]["size_in_bytes"] == len(MP3)
    mp3.write_bytes(MP3 + bytes(24))
    image.write_bytes(PNG + bytes(3))
    item = only_entry(publish(site, feeds))[2]
    assert item["attachments"][0]["size_in_bytes"] == len(MP3) + 24
    assert only_entry(publish(site, feeds))[0].media_content[0]["filesize"] == str(len(PNG) + 3)
    mp3.unlink()
    run = feeds(site)
    assert (
        run.code == 1 and "posts/p.md:4: 'attachments': /media/ep1.mp3 is not a file" in run.output
    )


# --- Anything typed -------------------------------------------------------------------------

PATH_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
TYPED_TEXT = ANY_TEXT.filter(lambda text: not any(c in text for c in "\x85\u2028\u2029"))
"""Text as typed: PyYAML writes YAML 1.1's other line breaks raw, which front matter
reads as characters (see `text.yamltext`) and PyYAML as breaks, so no text means them."""


@budget(40)
@given(alt=TYPED_TEXT, title=TYPED_TEXT, name=PATH_TEXT, remote=st.booleans())
def test_any_alt_title_or_path_gives_valid_feeds_or_a_located_error(
    alt: str, title: str, name: str, remote: bool
) -> None:
    """Whatever an editor types as an image's path and alt text or an attachment's
    title, the build publishes valid feeds that show the text as typed, or exits 1
    naming the line and publishes nothing; never a traceback."""
    where = "https://cdn.example.com/" if remote else "/img/"
    front = {
        "image": {"path": where + name, "alt": alt},
        "attachments": [{"url": "/media/ep1.mp3", "title": title}],
    }
    written = yaml.safe_dump(front, allow_unicode=True)
    with new_site() as site:
        put(site, "media/ep1.mp3", MP3)
        site.post("p", written)  # after title and date: lines 4 on
        with redirect_stdout(io.StringIO()) as out, redirect_stderr(out):
            code = main(["build", "--config", str(site.config), "-q"])
        files = site.files()
    event("refused" if code else "published")
    if code != 0:
        assert not files
        errors = re.findall(r"posts/p\.md:(\d+): (?!warning)", out.getvalue())
        assert errors, out.getvalue()
        assert all(4 <= int(line) <= 3 + written.count("\n") for line in errors), out.getvalue()
        return
    parsed = check_all(files)
    (item,) = json.loads(files["feed.json"])["items"]
    assert all(char.isascii() and not char.isspace() for char in item["image"])
    for feed in (parsed["atom.xml"], parsed["rss.xml"]):
        assert feed.entries[0].media_content[0]["url"] == item["image"]
    shown = xml_safe(alt).strip() or None
    assert image_descriptions(files["atom.xml"]) == image_descriptions(files["rss.xml"]) == [shown]
    (attachment,) = item["attachments"]
    assert attachment.get("title") == (xml_safe(title).strip() or None)
    assert attachment["size_in_bytes"] == len(MP3)
