"""What real sites' generators accept (issue #22) does not stop a whole site.

Each case is built as a user builds it: `feeds build` and `feeds check` in a process of
their own, printing in strict UTF-8 as a terminal takes it. With the build cache (cold,
again with nothing changed, then once another post is added, so that the others'
readings come from the cache) and without it, every run must print the same problems,
and the builds must write the same bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, Site, check_all, check_atom, feed_files

_STRICT_UTF8 = {"PYTHONIOENCODING": "utf-8:strict"}
"""A lone surrogate printed raises UnicodeEncodeError then, on standard error too."""


def feeds(site: Site, *arguments: str) -> tuple[int, list[str]]:
    """`python -m feeds ARGUMENTS` in the site's folder: its exit code, and the problem
    lines it printed (those naming a post)."""
    done = subprocess.run(
        [sys.executable, "-m", "feeds", *arguments],
        cwd=site.root,
        capture_output=True,
        timeout=60,
        env={**os.environ, **_STRICT_UTF8},
    )
    stderr = done.stderr.decode("utf-8")  # strict: what was printed is UTF-8
    done.stdout.decode("utf-8")
    assert "Traceback" not in stderr, stderr
    return done.returncode, [line for line in stderr.splitlines() if line.startswith("posts/")]


def built_every_way(site: Site) -> tuple[int, list[str]]:
    """The exit code and problem lines of building the site, the same every way."""
    cold = feeds(site, "build")
    assert feeds(site, "build") == cold  # nothing changed: the last run's word again
    site.post("zz-added", date="2023-01-01")
    warm = feeds(site, "build")
    assert warm == cold
    assert feeds(site, "build", "--no-cache", "--out", "reference") == cold
    assert feed_files(site.output) == feed_files(site.root / "reference")
    assert feeds(site, "check") == cold
    state = site.root / ".feeds-cache" / "state.json"
    json.loads(state.read_bytes().decode("utf-8"))  # strict UTF-8, and JSON
    if cold[0] == 0:
        check_all(site.files())
    return cold


def terms(site: Site, feed: str = "atom.xml") -> dict[str, list[str]]:
    """Each entry's categories and tags as the feed gives them, by title."""
    parsed = check_atom(site.files()[feed])
    return {entry.title: [tag.term for tag in entry.get("tags", [])] for entry in parsed.entries}


# --- a date that cannot be read, in a file named with a date ---------------------------

TWICE = "2024-05-01 09:30:00 +0200 2024"
"""A Jekyll site's date with the year written twice, which Ruby reads and feeds cannot."""


def test_a_date_that_cannot_be_read_gives_way_to_the_file_names(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "timezone: Europe/Paris\n")
    site.raw_post("2024-05-01-twice.md", f"---\ntitle: Twice\ndate: {TWICE}\n---\nText.\n")
    site.raw_post("2024-05-02-undated.md", "---\ntitle: Undated\n---\nText.\n")
    # The date written as the warning says: read, at its time.
    site.raw_post(
        "2024-05-03-fixed.md", "---\ntitle: Fixed\ndate: 2024-05-03 09:30:00 +02:00\n---\nText.\n"
    )
    assert built_every_way(site) == (
        0,
        [
            "posts/2024-05-01-twice.md:3: warning: 'date' cannot be read: "
            f"'{TWICE}' is not a date (Unknown string format); the file name's date "
            "2024-05-01 is used instead; write it like 2024-05-01 09:30:00 +02:00"
        ],
    )
    entries = {entry.title: entry for entry in check_atom(site.files()["atom.xml"]).entries}
    # The file name's date as a file without `date:` has it: midnight, the site's zone.
    assert entries["Twice"].published == "2024-05-01T00:00:00+02:00"
    assert entries["Undated"].published == "2024-05-02T00:00:00+02:00"
    assert entries["Fixed"].published == "2024-05-03T09:30:00+02:00"


def test_a_date_that_cannot_be_read_without_one_in_the_file_name_is_an_error(
    site: Site,
) -> None:
    site.raw_post("twice.md", f"---\ntitle: Twice\ndate: {TWICE}\n---\nText.\n")
    assert built_every_way(site) == (
        1,
        [
            f"posts/twice.md:3: 'date': '{TWICE}' is not a date (Unknown string format); "
            "write a date like 2024-05-01 or 2024-05-01T09:30:00+02:00"
        ],
    )


# --- null as a list -----------------------------------------------------------------------


@pytest.mark.parametrize("conventions", ["", "conventions: jekyll\n"])
def test_null_lists_have_no_terms_and_null_items_are_dropped(site: Site, conventions: str) -> None:
    """`~`, `null`, `Null`, `NULL` or nothing, for a list or in it; under Jekyll's
    conventions too, where `tags: a b` is two terms but `tags: ~` none."""
    site.write_config(BASIC_CONFIG + conventions + "tag_feeds: true\nauthor_feeds: true\n")
    front = {
        "tilde": "tags: ~\ncategories: ~\nauthor: ~\n",
        "null": "tags: null\ncategory: Null\nauthors: NULL\n",
        "empty": "tags:\ncategories:\nauthors:\n",
        "items": "tags: [news, ~, null]\ncategories: [reviews, NULL]\nauthors: [Jo, ~]\n",
        "block": "tags:\n  - ~\n  - news\n  -\ncategories:\n  - Null\n",
    }
    for number, (name, keys) in enumerate(front.items(), start=1):
        site.raw_post(
            f"2024-05-0{number}-{name}.md",
            f"---\ntitle: {name}\ndate: 2024-05-0{number}\n{keys}---\nText.\n",
        )
    assert built_every_way(site) == (0, [])
    assert terms(site) == {
        "tilde": [],
        "null": [],
        "empty": [],
        "items": ["reviews", "news"],
        "block": ["news"],
        "Zz Added": [],
    }
    parsed = check_atom(site.files()["atom.xml"])
    authors = {entry.title: entry.get("author") for entry in parsed.entries}
    # No author but the site's, as a post without the key has.
    assert authors == {"items": "Jo", **dict.fromkeys(front.keys() - {"items"}), "Zz Added": None}
    folders = {path.rsplit("/", 1)[0] for path in site.files() if path.count("/") == 2}
    assert folders == {"categories/reviews", "tags/news", "authors/jo"}


# --- a tag with no letters or digits ------------------------------------------------------


def test_a_tag_with_no_letters_or_digits_stays_on_the_entry_without_a_feed(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "tag_feeds: true\n")
    site.post("marks", tags="['!!!', ok, '---']")
    site.post("many", tags="['!', '!!', '!!!', '?', '??', '???', ok]")
    assert built_every_way(site) == (
        0,
        [
            "posts/many.md:4: warning: the tag '!' (also '!!', '!!!', '?' and 2 more) has "
            "no letters or digits to make a path from, so it can have no tag feed (it stays "
            "on the entry); add a letter or digit to it for a feed of its own, or remove it",
            "posts/marks.md:4: warning: the tag '!!!' (also '---') has no letters or digits "
            "to make a path from, so it can have no tag feed (it stays on the entry); add a "
            "letter or digit to it for a feed of its own, or remove it",
        ],
    )
    assert terms(site)["Marks"] == ["!!!", "ok", "---"]
    tag_feeds = {path for path in site.files() if path.startswith("tags/")}
    assert tag_feeds == {"tags/ok/atom.xml", "tags/ok/rss.xml", "tags/ok/feed.json"}
    assert terms(site, "tags/ok/atom.xml").keys() == {"Marks", "Many"}


def test_without_tag_feeds_such_a_tag_is_no_problem(site: Site) -> None:
    site.post("marks", tags="['!!!', ok]")
    assert feeds(site, "check") == (0, [])


def test_a_category_with_no_letters_or_digits_is_still_an_error(site: Site) -> None:
    site.post("marks", categories="['!!!']")
    assert feeds(site, "build") == (
        1,
        [
            "posts/marks.md:4: category '!!!' has no letters or digits to make a path from; "
            "rename it"
        ],
    )


# --- a file name that is not UTF-8 --------------------------------------------------------


def not_utf8(name: bytes) -> str:
    """The name as Python lists it: its bytes that are not UTF-8 as lone surrogates."""
    return os.fsdecode(name)


def test_a_file_name_that_is_not_utf8_is_published_the_same_with_the_cache(site: Site) -> None:
    site.raw_post(not_utf8(b"caf\xe9.md"), "---\ntitle: Cafe\ndate: 2024-05-01\ncolour: x\n---\n")
    site.raw_post(not_utf8(b"old/caf\xe9s.md"), "---\ntitle: Cafes\ndate: 2024-05-02\n---\nA.\n")
    site.raw_post(not_utf8(b"notes\xe9.html"), "<p>A page, not a post.</p>\n")
    site.raw_post(not_utf8(b"_dr\xe9ft.md"), "---\ntitle: Draft\n---\n")  # not listed
    assert built_every_way(site) == (
        0,
        [r"posts/caf\xe9.md:4: warning: unknown key 'colour' is ignored"],
    )
    entries = {entry.title: entry for entry in check_atom(site.files()["atom.xml"]).entries}
    # The bytes that are not UTF-8 are left out of the slug, as letters with no ASCII
    # form are: links and ids are plain ASCII. (Hugo publishes it at /posts/caf/ too.)
    assert entries["Cafe"].link == "https://example.org/blog/caf/"
    assert entries["Cafe"].id == "tag:example.org,2024-05-01:caf"
    assert entries["Cafes"].link == "https://example.org/blog/cafs/"
    # Notes, shown with -v, come back from state.json when nothing changed.
    for _ in range(2):
        code, said = feeds(site, "build", "-v")
        assert code == 0
        assert r"posts/notes\xe9.html: note: skipped: no front matter" in said
        assert any(line.startswith(r"posts/_dr\xe9ft.md: note: skipped: a name") for line in said)


def test_a_file_name_that_is_not_utf8_is_named_printably_in_errors(site: Site) -> None:
    site.raw_post(not_utf8(b"\xe9\xe8.md"), "---\ntitle: Accents\ndate: 2024-05-01\n---\n")
    site.raw_post(not_utf8(b"caf\xe9.md"), "---\ntitle: One\ndate: 2024-05-01\n---\n")
    site.raw_post(not_utf8(b"caf\xe8.md"), "---\ntitle: Two\ndate: 2024-05-02\n---\n")
    assert built_every_way(site) == (
        1,
        [
            r"posts/\xe9\xe8.md:1: the file name gives no usable slug; rename the file or "
            "add 'slug: some-name'",
            r"posts/caf\xe8.md:1: slug 'caf' is also used by posts/caf\xe9.md; "
            "rename one file or set 'slug:'",
            r"posts/caf\xe9.md:1: slug 'caf' is also used by posts/caf\xe8.md; "
            "rename one file or set 'slug:'",
        ],
    )


def test_a_site_in_a_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    """Its paths are in the cache's key, state.json and messages."""
    site = Site(tmp_path / not_utf8(b"caf\xe9"))
    site.post("first", colour="x")
    assert built_every_way(site) == (
        0,
        ["posts/first.md:4: warning: unknown key 'colour' is ignored"],
    )
