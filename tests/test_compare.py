"""`feeds compare`: a site's current feed, saved as its old generator wrote it, against
the posts as feeds would publish them; run as a user runs it (a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, Site

FEEDS = str(Path(sys.executable).parent / "feeds")
TAG = "tag:example.org,2024-05-01:"
"""feeds' own ids of the Site fixture's posts (dated 2024-05-01 unless told)."""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=os.environ
    )


def saved(site: Site, name: str, text: str) -> str:
    """A feed as the old generator published it, saved next to site.yaml."""
    (site.root / name).write_text(text, encoding="utf-8")
    return name


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file and folder below `root` with its mtime and bytes."""
    return {
        path.relative_to(root).as_posix(): (
            path.stat().st_mtime_ns,
            path.read_bytes() if path.is_file() else b"",
        )
        for path in sorted(root.rglob("*"))
    }


def atom(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<title>Old</title><id>https://example.org/blog/</id>"
        "<updated>2024-05-02T00:00:00Z</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    )


def rss(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Old</title><link>https://example.org/blog/</link><description>d</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


# -- feeds' own feeds ------------------------------------------------------------------


def test_a_site_compared_with_its_own_feeds_has_no_differences(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "max_items: 2\ncategories: {news: News}\n")
    site.post("hello", categories="[news]")
    site.post("second", date="2024-05-02T09:00:00+02:00")
    site.post("third & last", date="2024-05-03T09:00:00+02:00", slug="third")
    built = run("build", cwd=site.root)
    assert built.returncode == 0, built.stderr
    # Entries that fell out of the 2-item feed are still published: an old feed that
    # has all three (saved before max_items was lowered) is the same too.
    saved(site, "all.xml", atom(_atom_entry("Hello", "hello", "hello/")))
    names = ["public/atom.xml", "public/rss.xml", "public/feed.json"]
    names += ["public/categories/news/atom.xml", "all.xml"]
    result = run("compare", *names, cwd=site.root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "public/atom.xml: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing",
        "public/rss.xml: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing",
        "public/feed.json: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing",
        "public/categories/news/atom.xml: 1 entry: 1 same, 0 with another id, "
        "0 with another link, 0 missing",
        "all.xml: 1 entry: 1 same, 0 with another id, 0 with another link, 0 missing",
    ]


def _atom_entry(title: str, slug: str, path: str, entry_id: str | None = None) -> str:
    link = f"https://example.org/blog/{path}"
    return (
        f"<entry><title>{title}</title><link href='{link}'/>"
        f"<id>{entry_id or TAG + slug}</id><updated>2024-05-01T07:00:00Z</updated></entry>"
    )


# -- other generators' feeds -----------------------------------------------------------


def test_jekyll_feed_atom_ids_are_urls_without_the_trailing_slash(site: Site) -> None:
    """jekyll-feed: <id> is the post's URL without its trailing slash; `title` is
    type="html" and "smartified" (curly quotes); links as Jekyll serves them."""
    site.write_config(
        BASIC_CONFIG + "conventions: jekyll\npermalink: /{year}/{month}/{day}/{slug}/\n"
    )
    site.raw_post("2024-05-01-hello.md", "---\ntitle: Hello\n---\nText.\n")
    site.raw_post("2024-05-02-moved.md", '---\ntitle: "Jo\'s move"\n---\nText.\n')
    site.raw_post("2024-05-03-later.md", "---\ntitle: Later\ndraft: true\n---\nText.\n")
    base = "https://example.org/blog/2024/05/0"
    feed = saved(
        site,
        "feed.xml",
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Old</title>'
        + "".join(
            f'<entry><title type="html">{title}</title>'
            f'<link href="{base}{path}" rel="alternate" type="text/html" title="t"/>'
            f"<published>2024-05-0{path[0]}T00:00:00+00:00</published>"
            f"<id>{base}{path.removesuffix('/').removesuffix('.html')}</id></entry>"
            for title, path in (
                ("Hello", "1/hello/"),
                ("Jo&amp;#8217;s move", "2/move.html"),  # renamed since: found by title
                ("Later", "3/later/"),
                ("Gone", "4/gone/"),
            )
        )
        + "</feed>",
    )
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"feed.xml: entry 'Hello' ({base}1/hello): id differs: feeds gives {TAG}hello",
        f"feed.xml: entry 'Jo’s move' ({base}2/move): id differs: feeds gives "
        "tag:example.org,2024-05-02:moved",
        f"feed.xml: entry 'Jo’s move' ({base}2/move): link differs: old {base}2/move.html, "
        f"feeds {base}2/moved/",
        f"feed.xml: entry 'Later' ({base}3/later): not published by feeds "
        "(posts/2024-05-03-later.md is a draft)",
        f"feed.xml: entry 'Gone' ({base}4/gone): not published by feeds",
        "feed.xml: 4 entries: 0 same, 2 with another id, 1 with another link, 2 missing",
    ]


def test_hugo_rss_guid_is_the_permalink_and_slashes_and_schemes_count(site: Site) -> None:
    """Hugo: <guid isPermaLink="false"> holding the permalink, as `id_scheme: link`
    gives it; a link that differs only by a trailing slash or http is still found,
    and reported, since readers and servers take it for another URL."""
    site.write_config(BASIC_CONFIG + "permalink: /posts/{slug}/\nid_scheme: link\n")
    for name in ("same", "slash", "http"):
        site.post(name)
    url = "https://example.org/blog/posts/"
    feed = saved(
        site,
        "index.xml",
        rss(
            *(
                f"<item><title>{title}</title><link>{link}</link>"
                "<pubDate>Wed, 01 May 2024 07:00:00 +0000</pubDate>"
                f'<guid isPermaLink="false">\n  {link}\n</guid></item>'
                for title, link in (
                    ("Same", f"{url}same/"),
                    ("Slash", f"{url}slash"),
                    ("Http", f"{url}http/".replace("https:", "http:")),
                )
            )
        ),
    )
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    http = url.replace("https:", "http:")
    assert result.stdout.splitlines() == [
        f"index.xml: entry 'Slash' ({url}slash): id differs: feeds gives {url}slash/",
        f"index.xml: entry 'Slash' ({url}slash): link differs: old {url}slash, feeds {url}slash/",
        f"index.xml: entry 'Http' ({http}http/): id differs: feeds gives {url}http/",
        f"index.xml: entry 'Http' ({http}http/): link differs: old {http}http/, feeds {url}http/",
        "index.xml: 3 entries: 1 same, 2 with another id, 2 with another link, 0 missing",
    ]


def test_links_are_compared_as_a_browser_requests_them(site: Site) -> None:
    """Zola writes a page's path as it is (`café`, a space); feeds percent-encodes it:
    the same page to a browser, so not a difference. Ids stay exact."""
    site.post("cafe", link="/caf%C3%A9%20au%20lait/", id="https://example.org/café")
    entry = (
        "<entry><title>Cafe</title><id>https://example.org/café</id>"
        '<link href="https://example.org/blog/caf%c3%a9 au lait/"/></entry>'
    )
    result = run("compare", saved(site, "atom.xml", atom(entry)), cwd=site.root)
    assert result.stdout.splitlines() == [
        "atom.xml: 1 entry: 1 same, 0 with another id, 0 with another link, 0 missing"
    ]
    assert result.returncode == 0


def test_rss_without_guid_is_keyed_on_its_link(site: Site) -> None:
    """No guid: readers key the item on its link, so feeds' tag: guid is a new id."""
    site.post("hello")
    link = "https://example.org/blog/hello/"
    feed = saved(site, "rss.xml", rss(f"<item><title>Hello</title><link>{link}</link></item>"))
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"rss.xml: entry 'Hello' ({link}): id differs: feeds gives {TAG}hello",
        "rss.xml: 1 entry: 0 same, 1 with another id, 0 with another link, 0 missing",
    ]


def test_eleventy_atom_with_the_same_ids_and_links_exits_0_but_one_missing_exits_1(
    site: Site,
) -> None:
    """eleventy-plugin-rss: <id> and <link href> are both the absolute post URL."""
    site.write_config(BASIC_CONFIG + "permalink: /{slug}/\nid_scheme: link\n")
    site.post("hello")
    url = "https://example.org/blog/hello/"
    entry = f'<entry><title>Hello</title><link href="{url}"/><id>{url}</id></entry>'
    result = run("compare", saved(site, "feed.xml", atom(entry)), cwd=site.root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "feed.xml: 1 entry: 1 same, 0 with another id, 0 with another link, 0 missing\n"
    )
    gone = "https://example.org/blog/old-post/"
    other = f'<entry><title>Old post</title><link href="{gone}"/><id>{gone}</id></entry>'
    result = run("compare", saved(site, "feed.xml", atom(entry, other)), cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"feed.xml: entry 'Old post' ({gone}): not published by feeds",
        "feed.xml: 2 entries: 1 same, 0 with another id, 0 with another link, 1 missing",
    ]


def test_json_feed_ids_and_urls(site: Site) -> None:
    """A WordPress-like JSON Feed: ids are `?p=N` shortlinks (a number in JSON Feed
    1.0 feeds), urls the permalinks."""
    site.post("hello")
    site.post("world", id="https://example.org/?p=2")
    url = "https://example.org/blog/"
    items = (
        f'{{"id": 1, "url": "{url}hello/", "title": "Hello", '
        '"date_published": "2024-05-01T07:00:00Z"}, '
        f'{{"id": "https://example.org/?p=2", "url": "{url}world/", "title": "World"}}'
    )
    feed = saved(
        site,
        "feed.json",
        f'{{"version": "https://jsonfeed.org/version/1", "title": "Old", "items": [{items}]}}',
    )
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"feed.json: entry 'Hello' (1): id differs: feeds gives {TAG}hello",
        "feed.json: 2 entries: 1 same, 1 with another id, 0 with another link, 0 missing",
    ]


def test_rss_1_rdf_is_keyed_on_rdf_about_and_matched_by_title_and_date(site: Site) -> None:
    """RSS 1.0: readers key an item on rdf:about. An item whose URL and id both
    changed is still found by its title (typographic quotes, spacing and case aside)
    and its date within a day, when only one post fits."""
    site.post("new-name", title="'\"Quoted\"  title'", date="2024-05-01T23:30:00+02:00")
    site.post("other", title="Other", date="2024-03-01T10:00:00Z")
    old = "https://example.org/archives/2024/quoted.php"
    feed = saved(
        site,
        "index.rdf",
        '<?xml version="1.0"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://example.org/"><title>Old</title></channel>'
        f'<item rdf:about="{old}"><title>“Quoted” Title</title><link>{old}</link>'
        "<dc:date>2024-05-02</dc:date></item>"
        # the same title on another day is another post: not taken for this one
        '<item rdf:about="https://example.org/x"><title>Other</title>'
        "<link>https://example.org/x</link><dc:date>2023-03-01</dc:date></item>"
        "</rdf:RDF>",
    )
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"index.rdf: entry '“Quoted” Title' ({old}): id differs: feeds gives {TAG}new-name",
        f"index.rdf: entry '“Quoted” Title' ({old}): link differs: old {old}, "
        "feeds https://example.org/blog/new-name/",
        "index.rdf: entry 'Other' (https://example.org/x): not published by feeds",
        "index.rdf: 2 entries: 0 same, 1 with another id, 1 with another link, 1 missing",
    ]


def test_scheduled_and_expired_posts_are_not_published(site: Site) -> None:
    site.post("soon", date="2999-01-01T00:00:00Z")
    site.post("over", date="2019-05-01T00:00:00Z", expiryDate="2020-01-01T00:00:00Z")
    entries = [_atom_entry("Soon", "soon", "soon/", "tag:example.org,2999-01-01:soon")]
    entries.append(_atom_entry("Over", "over", "over/", "tag:example.org,2019-05-01:over"))
    result = run("compare", saved(site, "atom.xml", atom(*entries)), cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "atom.xml: entry 'Soon' (tag:example.org,2999-01-01:soon): not published by feeds "
        "(posts/soon.md is scheduled for 2999-01-01T00:00:00+00:00)",
        "atom.xml: entry 'Over' (tag:example.org,2019-05-01:over): not published by feeds "
        "(posts/over.md expired on 2020-01-01T00:00:00+00:00)",
        "atom.xml: 2 entries: 0 same, 0 with another id, 0 with another link, 2 missing",
    ]


# -- the site's own problems, usage --------------------------------------------------


def test_problems_in_the_site_are_shown_and_exit_1(site: Site) -> None:
    site.post("hello")
    site.raw_post("bad.md", "---\ntitle: Bad\n---\nNo date.\n")
    feed = saved(site, "atom.xml", atom(_atom_entry("Hello", "hello", "hello/")))
    result = run("compare", feed, cwd=site.root)
    assert result.returncode == 1
    assert "posts/bad.md:1: 'date' is missing" in result.stderr
    assert "atom.xml: 1 entry: 1 same," in result.stdout
    site.write_config("title: T\n")
    result = run("compare", feed, cwd=site.root)
    assert (result.returncode, result.stdout) == (1, "")
    assert "site.yaml:1: 'url' is required" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare"], "Error: The following arguments are required: FEED."),
        (["compare", "x.xml", "--config", "nope.yaml"], "nope.yaml: no such file"),
    ],
)
def test_usage_errors_exit_2(site: Site, args: list[str], message: str) -> None:
    result = run(*args, cwd=site.root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- unreadable and hostile feeds ----------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 2 else "&lol;" * 10}">\n'
        for n in range(2, 10)
    )
    + ']>\n<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>\n'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<rss version="2.0"><channel><item><title>&xxe;</title><guid>&xxe;</guid>'
    "</item></channel></rss>\n"
)
PARAMETER_XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]>\n<rss/>\n'
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("Hello, world\n", "not well-formed XML: "),
        ("<rss><channel><item><title>cut off", "not well-formed XML: "),
        (
            "<html><body><p>A page</p></body></html>",
            "an XML document whose root is <html>, no feed",
        ),
        ('{"version": "x"}', "JSON without an 'items' list, so no JSON Feed"),
        ("{not json", "not JSON: "),
        ("[" * 100_000, "not well-formed XML: "),
        ("{" + '"a":[' * 100_000, "not JSON: "),
        (BILLION_LAUGHS, "not well-formed XML: "),
        (XXE, "it declares XML entities, which no feed needs; refused as unsafe"),
        (PARAMETER_XXE, "it declares XML entities, which no feed needs; refused as unsafe"),
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "html",
        "json-no-items",
        "bad-json",
        "brackets",
        "deep-json",
        "billion-laughs",
        "xxe",
        "parameter-entity",
    ],
)
def test_unreadable_and_hostile_feeds_are_refused_cleanly_and_fast(
    site: Site, content: str, reason: str
) -> None:
    site.post("hello")
    feed = saved(site, "feed.xml", content)
    started = time.perf_counter()
    result = run("compare", feed, "missing.xml", cwd=site.root)
    assert time.perf_counter() - started < 10
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"feed.xml: cannot read it as a feed ({reason}")
    assert lines[1] == (
        "missing.xml: cannot read it as a feed (cannot read the file: No such file or directory)"
    )
    assert "root:" not in result.stderr  # nothing of /etc/passwd


def test_one_unreadable_feed_does_not_stop_the_others(site: Site) -> None:
    site.post("hello")
    good = saved(site, "atom.xml", atom(_atom_entry("Hello", "hello", "hello/")))
    result = run("compare", "posts", good, cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.startswith("posts: cannot read it as a feed (cannot read the file: ")
    assert result.stdout == (
        "atom.xml: 1 entry: 1 same, 0 with another id, 0 with another link, 0 missing\n"
    )


def test_compare_writes_nothing(site: Site) -> None:
    """No feed, no build cache, no lock: the site folder is as it was."""
    site.post("hello")
    site.post("draft", draft="true")
    saved(site, "atom.xml", atom(_atom_entry("Hello", "hello", "hello/")))
    before = tree(site.root)
    result = run("compare", "atom.xml", cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert tree(site.root) == before


# -- the warning for links feeds guesses -----------------------------------------------


def test_skip_invalid_compares_the_valid_posts_and_says_why_one_is_missing(site: Site) -> None:
    site.post("hello")
    site.raw_post("bad.md", "---\ntitle: Bad\n---\nNo date.\n")
    good = saved(site, "good.xml", atom(_atom_entry("Hello", "hello", "hello/")))
    both = saved(
        site,
        "both.xml",
        atom(_atom_entry("Hello", "hello", "hello/"), _atom_entry("Bad", "bad", "bad/")),
    )
    assert run("compare", good, cwd=site.root).returncode == 1  # the error fails it
    result = run("compare", "--skip-invalid", good, both, cwd=site.root)
    assert result.returncode == 1  # both.xml loses an entry
    assert "posts/bad.md:1: 'date' is missing" in result.stderr
    assert result.stdout.splitlines() == [
        "good.xml: 1 entry: 1 same, 0 with another id, 0 with another link, 0 missing",
        f"both.xml: entry 'Bad' ({TAG}bad): not published by feeds (posts/bad.md has errors: "
        + result.stderr.split("posts/bad.md:1: ", 1)[1].splitlines()[0]
        + ")",
        "both.xml: 2 entries: 1 same, 0 with another id, 0 with another link, 1 missing",
    ]
    assert run("compare", "--skip-invalid", good, cwd=site.root).returncode == 0


def test_posts_older_than_the_old_feeds_oldest_entry_would_show_as_new(site: Site) -> None:
    site.post("hello")  # 2024-05-01
    site.post("second", date="2024-05-02T09:00:00+02:00")
    site.post("third", date="2024-05-03T09:00:00+02:00")
    site.post("ancient", date="2020-01-01T09:00:00+02:00")
    entries = [
        _atom_entry(title.title(), slug, f"{slug}/", f"tag:example.org,2024-05-0{day}:{slug}")
        for day, title, slug in ((3, "third", "third"), (2, "second", "second"))
    ]
    result = run("compare", saved(site, "atom.xml", atom(*entries)), cwd=site.root)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "atom.xml: feeds adds 'Hello' (2024-05-01), older than the feed's oldest entry: "
        "readers would show it as new; set max_items to 2",
        "atom.xml: feeds adds 'Ancient' (2020-01-01), older than the feed's oldest entry: "
        "readers would show it as new; set max_items to 2",
        "atom.xml: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing, "
        "2 added older than its oldest entry",
    ]
    site.write_config(BASIC_CONFIG + "max_items: 2\n")
    result = run("compare", "atom.xml", cwd=site.root)
    assert (result.returncode, result.stdout.splitlines()) == (
        0,
        ["atom.xml: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing"],
    )


def test_a_category_feed_is_not_checked_for_older_posts(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "categories: {news: News}\n")
    site.post("hello")  # 2024-05-01, not in the category
    site.post("second", date="2024-05-02T09:00:00+02:00")
    site.post("third", date="2024-05-03T09:00:00+02:00", categories="[news]")
    site.post("fourth", date="2024-05-04T09:00:00+02:00")
    site.post("fifth", date="2024-05-05T09:00:00+02:00", categories="[news]")
    entries = [
        _atom_entry(slug.title(), slug, f"{slug}/", f"tag:example.org,2024-05-0{day}:{slug}")
        for day, slug in ((5, "fifth"), (3, "third"))
    ]
    result = run("compare", saved(site, "news.xml", atom(*entries)), cwd=site.root)
    assert (result.returncode, result.stdout.splitlines()) == (
        0,
        ["news.xml: 2 entries: 2 same, 0 with another id, 0 with another link, 0 missing"],
    )


def test_a_saved_feed_is_read_whole_up_to_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed file is read as far as it goes (a regular file by its size, anything else
    up to the limit), and one larger than `MAX_FEED_BYTES` is refused unread."""
    from feeds import feedreader

    entry = "<entry><id>tag:x,2024:{0}</id><title>T{0}</title></entry>"
    entries = "".join(entry.format(number) for number in range(40))
    feed = f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
    saved = tmp_path / "saved.xml"
    saved.write_text(feed)
    assert [e.id for e in feedreader.read_feed(saved)][-1] == "tag:x,2024:39"
    fifo = tmp_path / "fifo.xml"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'w').write({feed!r})"])
    assert len(feedreader.read_feed(fifo)) == 40
    writer.wait()
    monkeypatch.setattr(feedreader, "MAX_FEED_BYTES", len(feed) - 1)
    with pytest.raises(feedreader.FeedError, match="larger than"):
        feedreader.read_feed(saved)
