"""What goes into each feed and entry: the rules of the feed publisher issue, format by format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conftest import BASIC_CONFIG, NOW, Site, check_all, feed_paths
from lxml import etree

from feeds import build


def built(site: Site, now: datetime = NOW) -> dict[str, bytes]:
    result = build(site.config, now=now)
    assert not result.has_errors, [p.format() for p in result.problems]
    files = site.files()
    check_all(files)
    return files


def entry_titles(site: Site, name: str = "atom.xml") -> list[str]:
    return [e.title for e in check_all(site.files())[name].entries]


def test_newest_first_and_equal_instants_by_slug(site: Site) -> None:
    site.post("old", date="2020-01-01")
    site.post("b-same", date="2024-05-01T12:00:00+02:00")
    site.post("a-same", date="2024-05-01T10:00:00Z")  # the same instant, other offset
    site.post("new", date="2025-01-01")
    built(site)
    for name in ("atom.xml", "rss.xml"):
        assert entry_titles(site, name) == ["New", "A Same", "B Same", "Old"]


def test_equal_instants_are_ordered_by_slug_not_title(site: Site) -> None:
    site.post("a-post", title="Zebra", date="2024-05-01T12:00:00+02:00")
    site.post("b-post", title="Apple", date="2024-05-01T10:00:00Z")
    built(site)
    for name in ("atom.xml", "rss.xml", "feed.json"):
        assert entry_titles(site, name) == ["Zebra", "Apple"]


def test_max_items_keeps_the_newest(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "max_items: 2\n")
    for day in range(1, 6):
        site.post(f"day-{day}", date=f"2024-01-0{day}")
    built(site)
    assert entry_titles(site) == ["Day 5", "Day 4"]


def test_drafts_and_scheduled_posts_are_left_out_until_due(site: Site) -> None:
    site.post("live", date="2024-01-01")
    site.post("draft", date="2024-01-02", draft="true")
    site.post("scheduled", date="2026-06-01T08:00:00Z", categories="[later]")
    built(site)
    assert entry_titles(site) == ["Live"]
    assert "categories/later/atom.xml" not in site.files()
    built(site, now=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    assert entry_titles(site) == ["Scheduled", "Live"]
    assert "categories/later/atom.xml" in site.files()


def test_feed_updated_is_the_newest_entry_update_never_the_clock(site: Site) -> None:
    site.post("a", date="2024-01-01T10:00:00+01:00", updated="2024-03-01T08:00:00+01:00")
    site.post("b", date="2024-02-01T10:00:00+01:00")
    first = built(site, now=datetime(2025, 1, 1, tzinfo=UTC))
    second = built(site, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert first == second
    assert b"<updated>2024-03-01T08:00:00+01:00</updated>\n  <author>" in first["atom.xml"]
    assert b"<lastBuildDate>Fri, 01 Mar 2024 07:00:00 +0000</lastBuildDate>" in first["rss.xml"]


def test_atom_keeps_written_offsets_and_rss_uses_gmt(site: Site) -> None:
    site.post("p", date="2024-05-01T09:30:00+05:45")
    files = built(site)
    assert b"<published>2024-05-01T09:30:00+05:45</published>" in files["atom.xml"]
    assert b"<pubDate>Wed, 01 May 2024 03:45:00 +0000</pubDate>" in files["rss.xml"]


def test_dates_without_offset_use_the_site_time_zone(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "timezone: Europe/Berlin\n")
    site.post("summer", date="2024-07-01 12:00")
    site.post("winter", date="2024-01-15")
    atom = built(site)["atom.xml"]
    assert b"<published>2024-07-01T12:00:00+02:00</published>" in atom
    assert b"<published>2024-01-15T00:00:00+01:00</published>" in atom


def test_feed_links_self_and_channel_link(site: Site) -> None:
    site.post("p", categories="[News]")
    parsed = check_all(built(site))
    for name, media_type in (
        ("atom.xml", "application/atom+xml"),
        ("rss.xml", "application/rss+xml"),
    ):
        feed = parsed[name].feed
        links = {link.rel: link for link in feed.links}
        assert links["self"].href == f"https://example.org/blog/{name}"
        assert links["self"].type == media_type
        assert feed.link == "https://example.org/blog/"
    category = parsed["categories/news/rss.xml"].feed
    assert {ln.rel: ln.href for ln in category.links}["self"] == (
        "https://example.org/blog/categories/news/rss.xml"
    )
    assert category.title == "Test Site: News"
    rss = built(site)["rss.xml"]
    assert b"<link>https://example.org/blog/</link>" in rss  # not the self URL (feedgen trap)


def test_no_generator_version_and_no_cdata(site: Site) -> None:
    site.post("p", body="Literal ]]> in *text*.\n")
    for name, data in built(site).items():
        if not name.endswith(".xml"):
            continue
        assert b"<![CDATA[" not in data
        assert b"feedgen" not in data
        assert b"<generator>feeds</generator>" in data
        assert b"<generator version" not in data and b"<generator uri" not in data


def test_titles_are_plain_text(site: Site) -> None:
    site.post("p", title="'<b>Bold</b> & AT&T'")
    parsed = check_all(built(site))
    assert parsed["atom.xml"].entries[0].title == "<b>Bold</b> & AT&T"
    assert b"<title>&lt;b&gt;Bold&lt;/b&gt; &amp; AT&amp;T</title>" in site.files()["rss.xml"]


def test_authors(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "author: {name: Site Owner, email: owner@example.org}\n")
    site.post("by-email", author="'Jo Doe <jo@example.org>'")
    site.post("by-name", author="Ann", date="2024-05-02")
    site.post("default", date="2024-05-03")
    files = built(site)
    rss, atom = files["rss.xml"], files["atom.xml"]
    assert b"<author>jo@example.org (Jo Doe)</author>" in rss
    assert b"<dc:creator>Ann</dc:creator>" in rss
    assert b"<author>owner@example.org (Site Owner)</author>" in rss
    assert b"<managingEditor>owner@example.org (Site Owner)</managingEditor>" in rss
    parsed = check_all(files)["atom.xml"]
    assert [e.author_detail.name for e in parsed.entries] == ["Site Owner", "Ann", "Jo Doe"]
    assert b"<name>Site Owner</name>\n      <email>owner@example.org</email>" in atom


AUTHORS_CONFIG = BASIC_CONFIG + "authors:\n  ann: {name: Ann Example, email: ann@example.org}\n"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_several_authors_each_as_every_format_has_them(site: Site) -> None:
    """Atom: an <author> each; JSON Feed: `authors`; RSS: a dc:creator each, since its one
    <author> is an email, which only a post by one author with one gets."""
    site.write_config(AUTHORS_CONFIG)
    site.post("two", "authors: [ann, Bo, Ann Example]\n")  # a handle, and her name again
    site.post("one", "author: ann\n", date="2024-04-01")
    files = built(site)
    parsed = check_all(files)
    for name in ("atom.xml", "rss.xml"):
        names = [[author.name for author in entry.authors] for entry in parsed[name].entries]
        assert names == [["Ann Example", "Bo"], ["Ann Example"]]
    assert [item["authors"] for item in json.loads(files["feed.json"])["items"]] == [
        [{"name": "Ann Example", "url": "mailto:ann@example.org"}, {"name": "Bo"}],
        [{"name": "Ann Example", "url": "mailto:ann@example.org"}],
    ]
    two, one = etree.fromstring(files["rss.xml"]).iter("item")
    assert [creator.text for creator in two.iter(DC_CREATOR)] == ["Ann Example", "Bo"]
    assert two.find("author") is None
    assert one.findtext("author") == "ann@example.org (Ann Example)"
    assert one.find(DC_CREATOR) is None
    entry = next(etree.fromstring(files["atom.xml"]).iter(f"{ATOM}entry"))
    assert [
        (author.findtext(f"{ATOM}name"), author.findtext(f"{ATOM}email"))
        for author in entry.iter(f"{ATOM}author")
    ] == [("Ann Example", "ann@example.org"), ("Bo", None)]


def test_author_feeds_hold_a_post_in_each_of_its_authors_feeds(site: Site) -> None:
    site.write_config(AUTHORS_CONFIG + "author_feeds: true\n")
    site.post("joint", "authors: [ann, Bo]\n")
    site.post("solo", "author: Bo\n", date="2024-04-01")
    parsed = check_all(built(site))
    for folder, titles in (("ann-example", ["Joint"]), ("bo", ["Joint", "Solo"])):
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert [e.title for e in parsed[f"authors/{folder}/{name}"].entries] == titles


def test_feed_author_falls_back_to_the_site_title(site: Site) -> None:
    site.post("p")
    parsed = check_all(built(site))["atom.xml"]
    assert parsed.feed.author == "Test Site"


def test_categories_tags_and_language(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "language: de-AT\n")
    site.post("p", category="Café Reviews", tags="[no, on, 2024]")
    files = built(site)
    parsed = check_all(files)
    entry = parsed["categories/cafe-reviews/atom.xml"].entries[0]
    assert [t.term for t in entry.tags] == ["cafe-reviews", "no", "on", "2024"]
    assert entry.tags[0].label == "Café Reviews"
    assert parsed["rss.xml"].feed.language == "de-AT"
    assert b'xml:lang="de-AT"' in files["atom.xml"]


def test_category_without_published_posts_gets_no_feed(site: Site) -> None:
    site.post("p", categories="[news]")
    site.post("d", categories="[drafts-only]", draft="yes")
    assert sorted(built(site)) == feed_paths("", "categories/news/")


def test_category_title_is_the_most_common_spelling_or_the_configured_one(site: Site) -> None:
    site.post("a", categories="[iOS]")
    site.post("b", categories="[ios]")
    site.post("c", categories="[iOS]")
    parsed = check_all(built(site))
    assert parsed["categories/ios/atom.xml"].feed.title == "Test Site: iOS"
    site.write_config(BASIC_CONFIG + "categories:\n  ios: {title: Apple, description: Phones}\n")
    parsed = check_all(built(site))
    assert parsed["categories/ios/atom.xml"].feed.title == "Test Site: Apple"
    assert parsed["categories/ios/rss.xml"].feed.description == "Phones"


def test_links_from_permalink_and_link(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "permalink: /{category}/{year}/{month}/{day}/{slug}.html\n")
    site.post("p", date="2024-05-01T23:30:00-05:00", categories="[News, Other]")
    site.post("u", date="2024-05-02")
    site.post("rel", date="2024-05-03", link="/pages/rel/")
    site.post("abs", date="2024-05-04", link="https://other.example/x")
    links = [e.link for e in check_all(built(site))["atom.xml"].entries]
    assert links == [
        "https://other.example/x",
        "https://example.org/blog/pages/rel/",
        "https://example.org/blog/news/2024/05/01/p.html",  # the date as written, not UTC's
        "https://example.org/blog/uncategorized/2024/05/02/u.html",
    ]


def test_ids_are_tag_uris_that_survive_edits_and_agree_across_formats(site: Site) -> None:
    path = site.post("p", date="2024-05-01T23:30:00-05:00", categories="[a]")
    parsed = check_all(built(site))
    atom_id = parsed["atom.xml"].entries[0].id
    assert atom_id == "tag:example.org,2024-05-01:p"
    assert parsed["rss.xml"].entries[0].id == atom_id
    assert (
        b'<guid isPermaLink="false">tag:example.org,2024-05-01:p</guid>' in site.files()["rss.xml"]
    )
    # Title, category, time of day, site time zone and site URL do not change the id.
    path.write_text(
        path.read_text()
        .replace("title: P", "title: Renamed")
        .replace("[a]", "[b]")
        .replace("23:30", "10:00")
    )
    site.write_config(
        BASIC_CONFIG.replace("example.org/blog", "new.example/")
        + "timezone: Asia/Tokyo\nid_authority: example.org\n"
    )
    assert check_all(built(site))["atom.xml"].entries[0].id == atom_id


def test_explicit_id_is_kept(site: Site) -> None:
    site.post("p", id="urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a")
    entry = check_all(built(site))["atom.xml"].entries[0]
    assert entry.id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"


def test_summary_only_feeds_carry_no_content(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "summary_only: true\n")
    site.post("p", body="Hello *world*.\n")
    files = built(site)
    assert b"<content" not in files["atom.xml"]
    assert b"content:encoded" not in files["rss.xml"]
    assert check_all(files)["atom.xml"].entries[0].summary == "Hello world."


def test_full_content_by_default(site: Site) -> None:
    site.post("p", body="Hello *world*.\n")
    entry = check_all(built(site))["atom.xml"].entries[0]
    assert entry.content[0].value == "<p>Hello <em>world</em>.</p>"
    assert entry.content[0].type == "text/html"


def test_post_without_body_is_valid(site: Site) -> None:
    site.post("empty", body="")
    entry = check_all(built(site))["atom.xml"].entries[0]
    assert "content" not in entry and "summary" not in entry


def test_no_published_posts_means_no_feeds(site: Site) -> None:
    site.post("d", draft="true")
    result = build(site.config, now=NOW)
    assert not result.has_errors and result.feeds == ()
    assert site.files() == {}


def test_subfolders_are_read_and_text_stays_text(site: Site) -> None:
    # YAML 1.1's booleans and numbers stay words. (Its null is no term: see
    # test_real_sites_input.py.)
    site.post("2024/deep/p", title="2024", tags="[yes, off, 1.0]", categories="[no]")
    entry = check_all(built(site))["categories/no/atom.xml"].entries[0]
    assert entry.title == "2024"
    assert [t.term for t in entry.tags] == ["no", "yes", "off", "1.0"]
