"""For subscribers: JSON Feed, tag and author feeds, OPML, archives, WebSub, the index page."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import feedparser
import pytest
from conftest import BASIC_CONFIG, NOW, Site, check_all, feed_files
from lxml import etree, html

from feeds import build

URL = "https://example.org/blog/"


def posts(site: Site, count: int, **extra: str) -> None:
    for index in range(count):
        site.post(f"p{index:02d}", date=f"2024-01-{index + 1:02d}T10:00:00+01:00", **extra)


def test_json_feed_has_the_atom_feeds_entries_ids_and_dates(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "author: {name: Owner, email: o@example.org}\n")
    site.post("a", categories="[News]", tags="[x]", author="Ann", body="Hello *there*.\n")
    site.post("b", date="2024-06-01T08:00:00-04:00", summary="Short.", updated="2024-06-02")
    build(site.config, now=NOW)
    parsed = check_all(site.files())
    document = json.loads(site.files()["feed.json"])
    atom = parsed["atom.xml"]
    assert [i["id"] for i in document["items"]] == [e.id for e in atom.entries]
    assert [i["title"] for i in document["items"]] == [e.title for e in atom.entries]
    assert [i["url"] for i in document["items"]] == [e.link for e in atom.entries]
    newest, older = document["items"]
    assert newest["date_published"] == "2024-06-01T08:00:00-04:00"
    assert newest["date_modified"] == "2024-06-02T00:00:00+00:00"
    assert older["content_html"] == "<p>Hello <em>there</em>.</p>"
    assert older["tags"] == ["News", "x"] and older["authors"] == [{"name": "Ann"}]
    assert document["feed_url"] == URL + "feed.json" and document["home_page_url"] == URL
    assert document["authors"] == [{"name": "Owner", "url": "mailto:o@example.org"}]
    assert parsed["categories/news/feed.json"].entries[0].id == atom.entries[1].id


def test_formats_choose_what_is_written(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "formats: [json, atom]\n")
    site.post("a")
    build(site.config, now=NOW)
    assert sorted(site.files()) == ["atom.xml", "feed.css", "feed.json", "feeds.opml", "index.html"]
    site.write_config(BASIC_CONFIG + "formats: [json]\n")
    result = build(site.config, now=NOW, prune_stale=True)
    assert "feed.css" not in result.pages and "atom.xml" in result.stale


def test_unknown_format_is_an_error(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "formats: [atom, html]\n")
    result = build(site.config, now=NOW)
    assert "'html' is not one of them" in result.problems[0].message


def test_tag_and_author_feeds_are_off_by_default_and_follow_category_rules(site: Site) -> None:
    site.post("a", tags="[Python, C++]", author="María Núñez")
    site.post("b", tags="[python]", author="Ann", date="2024-05-02")
    build(site.config, now=NOW)
    assert not any(p.startswith(("tags/", "authors/")) for p in site.files())
    site.write_config(BASIC_CONFIG + "tag_feeds: true\nauthor_feeds: true\n")
    build(site.config, now=NOW)
    parsed = check_all(site.files())
    assert [e.title for e in parsed["tags/python/atom.xml"].entries] == ["B", "A"]
    assert parsed["tags/python/atom.xml"].feed.title == "Test Site: #Python"
    assert "tags/c/rss.xml" in parsed
    assert [e.title for e in parsed["authors/maria-nunez/feed.json"].entries] == ["A"]
    assert parsed["authors/ann/atom.xml"].feed.title == "Test Site: Ann"


def test_opml_lists_every_subscription_feed(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "tag_feeds: true\n")
    site.post("a", categories="[News]", tags="[t]")
    build(site.config, now=NOW)
    outlines = check_all(site.files())["feeds.opml"].findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("Test Site", URL + "atom.xml"),
        ("Test Site: News", URL + "categories/news/atom.xml"),
        ("Test Site: #t", URL + "tags/t/atom.xml"),
    ]


def test_index_page_lists_feeds_entries_and_autodiscovery_links(site: Site) -> None:
    site.post("a", categories="[News]", summary="'<b>not bold</b>'")
    build(site.config, now=NOW)
    page = html.fromstring(site.files()["index.html"])
    alternates = page.findall(".//link[@rel='alternate']")
    assert {(a.get("type"), a.get("href")) for a in alternates} == {
        (kind, directory + name)
        for directory in ("", "categories/news/")
        for name, kind in (
            ("atom.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
        )
    }
    text = page.text_content()
    assert "Test Site: News" in text and URL + "categories/news/rss.xml" in text
    assert "<b>not bold</b>" in text  # summaries are text, escaped


def test_a_sites_own_index_page_is_never_overwritten(site: Site) -> None:
    site.post("a")
    site.output.mkdir()
    (site.output / "index.html").write_text("<html>my home page</html>")
    result = build(site.config, now=NOW)
    assert (site.output / "index.html").read_text() == "<html>my home page</html>"
    assert "was not written by feeds" in result.problems[0].message
    site.write_config(BASIC_CONFIG + "index_page: feeds.html\n")
    build(site.config, now=NOW)
    assert b"Test Site" in site.files()["feeds.html"]


def test_xml_feeds_name_the_stylesheet_relative_to_themselves(site: Site) -> None:
    site.post("a", categories="[News]")
    build(site.config, now=NOW)
    files = site.files()
    assert b'<?xml-stylesheet type="text/css" href="feed.css"?>' in files["atom.xml"]
    assert b'href="../../feed.css"?>' in files["categories/news/rss.xml"]
    assert b"display: none" in files["feed.css"]
    check_all(files)  # feed readers still read them


# --- archives (RFC 5005) --------------------------------------------------------------


def follow_archives(site: Site, start: str) -> list[str]:
    """Backfill as a reader that fell behind would: subscription feed, then prev-archive."""
    files, seen, ids, path = site.files(), set(), [], start
    while path:
        assert path not in seen
        seen.add(path)
        parsed = feedparser.parse(files[path])
        ids += [entry.id for entry in parsed.entries]
        previous = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        path = previous[0].removeprefix(URL) if previous else ""
    return ids


@pytest.mark.parametrize("count", [2, 3, 7, 9, 10])
def test_archives_together_hold_every_post(site: Site, count: int) -> None:
    site.write_config(BASIC_CONFIG + "archives: true\nmax_items: 3\n")
    posts(site, count, categories="[c]")
    build(site.config, now=NOW)
    check_all(site.files())
    for start in ("atom.xml", "rss.xml", "categories/c/atom.xml"):
        ids = follow_archives(site, start)
        assert set(ids) == {f"tag:example.org,2024-01-{i + 1:02d}:p{i:02d}" for i in range(count)}
    assert len([p for p in site.files() if p.startswith("archive/")]) == 2 * (count // 3)


def test_full_archive_pages_are_immutable(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "archives: true\nmax_items: 3\n")
    posts(site, 9)
    build(site.config, now=NOW)
    page = site.files()["archive/2/atom.xml"]
    assert b"<fh:archive/>" in page and b'rel="current"' in page
    before = site.files()
    site.post("p09", date="2024-01-10T10:00:00+01:00")
    site.post("p10", date="2024-01-11T10:00:00+01:00")
    result = build(site.config, now=NOW)
    assert result.report is not None
    assert not any(p.startswith("archive/") for p in result.report.written)
    site.post("p11", date="2024-01-12T10:00:00+01:00")  # fills page 4
    result = build(site.config, now=NOW)
    assert sorted(p for p in result.report.written if p.startswith("archive/")) == [
        "archive/3/atom.xml",
        "archive/3/rss.xml",  # gains its next-archive link, once
        "archive/4/atom.xml",
        "archive/4/rss.xml",
    ]
    after = site.files()
    assert all(after[p] == before[p] for p in before if p.startswith(("archive/1/", "archive/2/")))


# --- WebSub ---------------------------------------------------------------------------


class Hub:
    """A WebSub hub stub on 127.0.0.1 that records publish notifications."""

    def __init__(self) -> None:
        self.received: list[dict[str, list[str]]] = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hub.received.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(hub.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self) -> list[str]:
        urls = [form["hub.url"][0] for form in self.received]
        assert all(form["hub.mode"] == ["publish"] for form in self.received)
        self.received.clear()
        return sorted(urls)


@pytest.fixture
def hub() -> Iterator[Hub]:
    stub = Hub()
    yield stub
    stub.server.shutdown()


def test_feeds_carry_hub_and_self_links(site: Site, hub: Hub) -> None:
    site.write_config(BASIC_CONFIG + f"websub_hub: {hub.url}\n")
    site.post("a")
    build(site.config, now=NOW)
    parsed = check_all(site.files())
    for name in ("atom.xml", "rss.xml"):
        links = {link.rel: link.href for link in parsed[name].feed.links}
        assert links["hub"] == hub.url and links["self"] == URL + name
    assert json.loads(site.files()["feed.json"])["hubs"] == [{"type": "WebSub", "url": hub.url}]
    atom = etree.fromstring(site.files()["atom.xml"])
    assert atom.find("{http://www.w3.org/2005/Atom}link[@rel='hub']") is not None


def test_ping_tells_the_hub_of_changed_feeds_only(site: Site, hub: Hub) -> None:
    site.write_config(BASIC_CONFIG + f"websub_hub: {hub.url}\n")
    site.post("a", categories="[x]")
    site.post("b", categories="[y]", date="2024-06-01")
    result = build(site.config, now=NOW, ping=True)
    everything = sorted(
        URL + d + n
        for d in ("", "categories/x/", "categories/y/")
        for n in ("atom.xml", "rss.xml", "feed.json")
    )
    assert hub.urls() == everything and not result.ping_failures
    build(site.config, now=NOW, ping=True)
    assert hub.urls() == []
    edited = site.posts / "b.md"
    edited.write_text(edited.read_text().replace("title: B", "title: B2"))
    build(site.config, now=NOW, ping=True)
    assert hub.urls() == sorted(
        URL + d + n for d in ("", "categories/y/") for n in ("atom.xml", "rss.xml", "feed.json")
    )
    build(site.config, now=NOW)  # without --ping: nothing sent
    assert hub.urls() == []


def test_a_failed_ping_is_reported_and_retried_next_run(site: Site, hub: Hub) -> None:
    site.write_config(BASIC_CONFIG + f"websub_hub: {hub.url}\nformats: [atom]\n")
    site.post("a")
    hub.status = 503
    result = build(site.config, now=NOW, ping=True)
    assert result.published and list(result.ping_failures) == [URL + "atom.xml"]
    assert "503" in result.ping_failures[URL + "atom.xml"]
    hub.received.clear()
    hub.status = 204
    result = build(site.config, now=NOW, ping=True)  # nothing changed, but owed a ping
    assert hub.urls() == [URL + "atom.xml"] and not result.ping_failures
    build(site.config, now=NOW, ping=True)
    assert hub.urls() == []


def test_an_unreachable_hub_is_reported_not_fatal(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "websub_hub: http://127.0.0.1:9/\nformats: [rss]\n")
    site.post("a")
    result = build(site.config, now=NOW, ping=True)
    assert result.published and "cannot reach the hub" in result.ping_failures[URL + "rss.xml"]
    assert feed_files(site.output)["rss.xml"]
