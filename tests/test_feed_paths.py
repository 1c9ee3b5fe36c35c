"""site.yaml's `feed_paths`: feeds at the addresses a site's old generator gave them
(jekyll-feed's feed.xml, Hugo's index.xml), through the command line as a user runs it.

Every feed produced is validated as its format (the file names no longer say which),
and every address a reader or page sees (self links, archive links, the index page,
OPML, JSON Feed's feed_url) must be the configured one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Site, check_atom, check_json, check_opml, check_page, check_rss, feed_files
from lxml import etree

FEEDS = str(Path(sys.executable).parent / "feeds")
URL = "https://example.org/blog/"
CHECKS = {"atom": check_atom, "rss": check_rss, "json": check_json}

HEAD = """\
title: Test Site
url: https://example.org/blog/
description: A site for tests.
"""

JEKYLL = """\
feed_paths:
  atom: feed.xml
  category_atom: feed/{slug}.xml
  json: feed.json
  rss: rss.xml
"""

HUGO = """\
formats: [rss]
archives: true
max_items: 1
websub_hub: https://hub.example.org/
feed_paths:
  rss: index.xml
  category_rss: categories/{slug}/index.xml
"""


def run(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, "build", *args],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


def built(site: Site, *args: str) -> dict[str, bytes]:
    result = run(site, *args)
    assert result.returncode == 0, result.stderr
    return site.files()


def posts(site: Site) -> None:
    site.post("first", categories="[News]", date="2024-05-01T09:00:00Z")
    site.post("second", categories="[News, Tech]", date="2024-05-02T09:00:00Z")
    site.post("third", categories="[Tech]", date="2024-05-03T09:00:00Z")


def format_of(path: str, data: bytes) -> str:
    if path.endswith(".json"):
        return "json"
    return "atom" if etree.fromstring(data).tag == "{http://www.w3.org/2005/Atom}feed" else "rss"


def check_feeds(files: dict[str, bytes], pages: tuple[str, ...]) -> dict[str, str]:
    """Validate every feed as its format and the pages; returns each feed's format."""
    formats = {}
    for path, data in files.items():
        if path in pages:
            continue
        formats[path] = format_of(path, data)
        CHECKS[formats[path]](data)
    check_opml(files["feeds.opml"])
    check_page(files["index.html"])
    return formats


def self_link(path: str, data: bytes, feed_format: str) -> str:
    if feed_format == "json":
        return str(json.loads(data)["feed_url"])
    (link,) = etree.fromstring(data).iterfind(".//{http://www.w3.org/2005/Atom}link[@rel='self']")
    return str(link.get("href"))


def reported(stderr: str, what: str) -> set[str]:
    """The files the build's messages say `what` of (stale feed kept, removed)."""
    return {line.split(what)[0] for line in stderr.splitlines() if what in line}


def links(data: bytes, rel: str) -> list[str]:
    found = etree.fromstring(data).iterfind(f".//{{http://www.w3.org/2005/Atom}}link[@rel='{rel}']")
    return [str(link.get("href")) for link in found]


# --- layouts ------------------------------------------------------------------------------


def test_a_jekyll_layout_keeps_jekyll_feeds_addresses(site: Site) -> None:
    site.write_config(HEAD + JEKYLL)
    posts(site)
    files = built(site)
    pages = ("feed.css", "feeds.opml", "index.html")
    assert sorted(files) == sorted(
        [
            *pages,
            "feed.json",
            "feed.xml",
            "rss.xml",
            "feed/news.xml",
            "feed/tech.xml",
            *(
                f"categories/{slug}/{name}"
                for slug in ("news", "tech")
                for name in ("rss.xml", "feed.json")
            ),
        ]
    )
    formats = check_feeds(files, pages)
    assert formats["feed.xml"] == formats["feed/news.xml"] == "atom"
    for path, feed_format in formats.items():
        assert self_link(path, files[path], feed_format) == URL + path
    # The Atom id is the feed's address, as jekyll-feed's is.
    assert etree.fromstring(files["feed.xml"]).findtext("{*}id") == URL + "feed.xml"
    # Browsers find the stylesheet from a feed one folder down.
    assert b'href="../feed.css"' in files["feed/news.xml"]
    outlines = check_opml(files["feeds.opml"]).findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        URL + "feed.xml",
        URL + "feed/news.xml",
        URL + "feed/tech.xml",
    ]
    index = check_page(files["index.html"])
    hrefs = [link.get("href") for link in index.iterfind(".//head/link[@rel='alternate']")]
    assert hrefs == [
        "feed.xml",
        "rss.xml",
        "feed.json",
        "feed/news.xml",
        "categories/news/rss.xml",
        "categories/news/feed.json",
        "feed/tech.xml",
        "categories/tech/rss.xml",
        "categories/tech/feed.json",
    ]
    assert [a.get("href") for a in index.iterfind(".//section//a")][:3] == hrefs[:3]
    assert f"<code>{URL}feed/tech.xml</code>".encode() in files["index.html"]


def test_a_hugo_layout_with_archives_and_websub(site: Site) -> None:
    site.write_config(HEAD + HUGO)
    posts(site)
    files = built(site)
    pages = ("feed.css", "feeds.opml", "index.html")
    assert sorted(files) == sorted(
        [
            *pages,
            "index.xml",
            "archive/1/index.xml",
            "archive/2/index.xml",
            "archive/3/index.xml",
            "categories/news/index.xml",
            "categories/news/archive/1/index.xml",
            "categories/news/archive/2/index.xml",
            "categories/tech/index.xml",
            "categories/tech/archive/1/index.xml",
            "categories/tech/archive/2/index.xml",
        ]
    )
    formats = check_feeds(files, pages)
    assert set(formats.values()) == {"rss"}
    for path in formats:
        assert self_link(path, files[path], "rss") == URL + path
    # RFC 5005: the subscription feed points at its newest archive page, each page at
    # the one before and after it and at the subscription feed, all at Hugo's names.
    news = "categories/news/"
    assert links(files[news + "index.xml"], "prev-archive") == [URL + news + "archive/2/index.xml"]
    page = files[news + "archive/1/index.xml"]
    assert links(page, "next-archive") == [URL + news + "archive/2/index.xml"]
    assert links(page, "current") == [URL + news + "index.xml"]
    assert links(files["archive/2/index.xml"], "prev-archive") == [URL + "archive/1/index.xml"]
    # WebSub: the subscription feeds name the hub, archive pages do not.
    assert links(files["index.xml"], "hub") == ["https://hub.example.org/"]
    assert links(files["archive/1/index.xml"], "hub") == []
    assert b'href="../../../../feed.css"' in files[news + "archive/1/index.xml"]
    outlines = check_opml(files["feeds.opml"]).findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        URL + "index.xml",
        URL + news + "index.xml",
        URL + "categories/tech/index.xml",
    ]


def test_tag_and_author_feeds_take_paths_too(site: Site) -> None:
    site.write_config(
        HEAD
        + "tag_feeds: true\nauthor_feeds: true\nformats: [atom]\nfeed_paths:\n"
        + "  tag_atom: tags/{slug}.xml\n  author_atom: people/{slug}/feed.xml\n"
    )
    site.post("first", tags="[Python]", author="Jo Doe")
    files = built(site)
    assert {"tags/python.xml", "people/jo-doe/feed.xml", "atom.xml"} <= set(files)
    for path in ("tags/python.xml", "people/jo-doe/feed.xml"):
        assert self_link(path, check_atom(files[path]) and files[path], "atom") == URL + path


def test_the_default_paths_written_out_give_the_same_bytes_as_no_key(site: Site) -> None:
    posts(site)
    site.write_config(HEAD + "archives: true\nmax_items: 1\n")
    plain = built(site, "--no-cache")
    site.write_config(
        HEAD
        + "archives: true\nmax_items: 1\nfeed_paths:\n  atom: atom.xml\n"
        + "  category_rss: categories/{slug}/rss.xml\n"
    )
    assert built(site, "--no-cache") == plain


# --- refused paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("  atom: /feed.xml", "'atom' is '/feed.xml', which starts with '/'"),
        ("  atom: ../feed.xml", "'atom' is '../feed.xml', which has an empty, '.' or '..' part"),
        ("  atom: feed/", "'atom' is 'feed/', which has an empty, '.' or '..' part"),
        ("  atom: feed", "'atom' is 'feed', which does not end in a file name like feed.xml"),
        ("  atom: .feed.xml", "which web servers hide"),
        ("  atom: feeds.html", "the name of a page, not a feed"),
        ("  atom: my feed.xml", "'atom' has ' ' in 'my feed.xml'"),
        ("  atom: feed/{slug}.xml", "'atom' is the site's one feed, with no slug"),
        ("  category_atom: feed.xml", "'category_atom' must contain {slug} once"),
        ("  category_atom: feed/{name}.xml", "(the one token is {slug})"),
        ("  category_atom: archive/{slug}.xml", "'archive' is kept for archive pages"),
        ("  atm: feed.xml", "unknown feed 'atm' (did you mean 'atom'?)"),
        ("  json: feed.xml\nformats: [atom]", "'formats' leaves json out"),
        ("  tag_atom: tags/{slug}.xml", "tag feeds are off; set tag_feeds: true"),
    ],
)
def test_bad_paths_are_refused_at_their_line(site: Site, lines: str, message: str) -> None:
    site.write_config(HEAD + "feed_paths:\n" + lines + "\n")
    site.post("first")
    result = run(site)
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml:4: ")
    assert "feed_paths" in result.stderr.splitlines()[0]
    assert message in result.stderr
    assert "; " in result.stderr.splitlines()[0]  # what is wrong; what to write instead
    assert not site.output.exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "feed_paths:\n  atom: rss.xml\n",
            "atom: rss.xml and rss (rss.xml, by default) could both write rss.xml",
        ),
        (
            "feed_paths:\n  category_atom: feed/{slug}.xml\n  category_rss: feed/{slug}.xml\n",
            "category_atom: feed/{slug}.xml and category_rss: feed/{slug}.xml could both "
            "write feed/news.xml",
        ),
        (
            "feed_paths:\n  atom: feed/news.xml\n  category_atom: feed/{slug}.xml\n",
            "atom: feed/news.xml and category_atom: feed/{slug}.xml could both write feed/news.xml",
        ),
        (
            "feed_paths:\n  category_atom: feed/{slug}.xml\n  category_rss: feed/{slug}-rss.xml\n",
            "could both write feed/news-rss.xml",
        ),
        (
            "tag_feeds: true\nfeed_paths:\n  category_atom: f/{slug}.xml\n"
            "  tag_atom: f/{slug}.xml\n",
            "category_atom: f/{slug}.xml and tag_atom: f/{slug}.xml could both write f/news.xml",
        ),
        ("feed_paths:\n  atom: feeds.opml\n", "the OPML list feeds.opml and atom: feeds.opml"),
        ("feed_paths:\n  atom: feed.css\n", "the stylesheet feed.css and atom: feed.css"),
        (
            "feed_paths:\n  category_atom: categories/{slug}/rss.xml\n",
            "category_atom: categories/{slug}/rss.xml and category_rss "
            "(categories/{slug}/rss.xml, by default) could both write categories/news/rss.xml",
        ),
    ],
)
def test_two_outputs_at_one_path_are_refused_naming_both(
    site: Site, config: str, message: str
) -> None:
    site.write_config(HEAD + config)
    site.post("first")
    result = run(site)
    assert result.returncode == 1
    line = next(
        n for n, text in enumerate((HEAD + config).splitlines(), 1) if text == "feed_paths:"
    )
    (first,) = [text for text in result.stderr.splitlines() if text.startswith("site.yaml")]
    assert first.startswith(f"site.yaml:{line}: ") and message in first
    assert first.endswith("; give each a path of its own, in another folder or under another name")
    assert not site.output.exists()


def test_paths_that_can_never_meet_are_accepted(site: Site) -> None:
    # A slug holds no '/', so feed/{slug}.xml never reaches feed/tags/.
    site.write_config(
        HEAD
        + "tag_feeds: true\nformats: [atom]\nfeed_paths:\n  category_atom: feed/{slug}.xml\n"
        + "  tag_atom: feed/tags/{slug}.xml\n"
    )
    site.post("first", categories="[Tags]", tags="[News]")
    files = built(site)
    assert {"feed/tags.xml", "feed/tags/news.xml"} <= set(files)


# --- stale feeds ------------------------------------------------------------------------------


@pytest.mark.parametrize("cache", [True, False])
def test_prune_removes_only_feeds_that_feeds_wrote(site: Site, cache: bool) -> None:
    """The output folder is the site's web root, as Jekyll's _site is: its own files,
    at paths feed_paths' patterns match too, must survive --prune."""
    nocache = () if cache else ("--no-cache",)
    site.write_config(HEAD + JEKYLL.replace("  atom: feed.xml\n", ""))
    posts(site)
    built(site, *nocache)
    web_root = {
        "sitemap.xml": b"<?xml version='1.0'?><urlset/>",
        "feed/old-category.xml": (
            b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b'<generator uri="https://jekyllrb.com/" version="4.3.3">Jekyll</generator></feed>'
        ),
        "feed/notes.txt": b"not a feed",
        "assets/feed.json": b'{"not": "a feed"}',
    }
    for relative, data in web_root.items():
        (site.output / relative).parent.mkdir(parents=True, exist_ok=True)
        (site.output / relative).write_bytes(data)
    # A category loses its posts, and the site's Atom feed moves from its default path
    # to feed.xml: both leave a feed feeds wrote behind.
    site.post("second", categories="[News]", date="2024-05-02T09:00:00Z")
    site.post("third", categories="[News]", date="2024-05-03T09:00:00Z")
    site.write_config(HEAD + JEKYLL)
    kept = run(site, *nocache)
    assert kept.returncode == 0, kept.stderr
    gone = {"atom.xml", "feed/tech.xml", "categories/tech/rss.xml", "categories/tech/feed.json"}
    assert reported(kept.stderr, ": stale feed kept") == gone
    # Nothing changed since: a cached run replays, and must prune the same.
    pruned = run(site, "--prune", *nocache)
    assert pruned.returncode == 0, pruned.stderr
    assert reported(pruned.stderr, ": removed stale feed") == gone
    files = site.files()
    assert "feed/tech.xml" not in files and "atom.xml" not in files
    assert "categories/tech/rss.xml" not in files and "categories/tech/feed.json" not in files
    assert {relative: files[relative] for relative in web_root} == web_root
    assert "feed/news.xml" in files and "feed.xml" in files


def test_a_stale_json_feed_at_a_configured_path_is_found(site: Site) -> None:
    site.write_config(HEAD + "formats: [json]\nfeed_paths:\n  category_json: j/{slug}.json\n")
    posts(site)
    built(site)
    (site.output / "j/other.json").write_bytes(
        b'{\n  "version": "https://jsonfeed.org/version/1.1"}'
    )
    site.post("second", categories="[News]", date="2024-05-02T09:00:00Z")
    site.post("third", categories="[News]", date="2024-05-03T09:00:00Z")
    result = run(site, "--prune")
    assert reported(result.stderr, ": removed stale feed") == {"j/tech.json"}
    assert (site.output / "j/other.json").exists() and not (site.output / "j/tech.json").exists()


# --- the build cache --------------------------------------------------------------------------


@pytest.mark.parametrize("layout", [JEKYLL, HUGO])
def test_cached_builds_write_the_bytes_of_a_cold_build(site: Site, layout: str) -> None:
    site.write_config(HEAD + layout)
    posts(site)
    built(site)
    site.post("fourth", categories="[Tech]", date="2024-05-04T09:00:00Z")
    built(site)  # planned again from the cache
    site.post("fourth", categories="[Tech]", date="2024-05-04T09:00:00Z", body="Edited.\n")
    cached = built(site)  # an edit of a post's text: the last plan, redone
    assert run(site).returncode == 0  # nothing changed: replayed
    assert site.files() == cached
    cold = site.root / "cold"
    result = run(site, "--no-cache", "--out", str(cold))
    assert result.returncode == 0, result.stderr
    assert feed_files(cold) == cached
