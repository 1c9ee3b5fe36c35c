"""Ids that never slip, through the command line: a post whose entry would come back
under a new id (a renamed file) is told with the line that keeps the old one, and
`--strict-ids` publishes nothing; the Atom feed's own id stays put when the site moves
with `id_authority`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Site, check_all, feed_files
from lxml import etree

FEEDS = str(Path(sys.executable).parent / "feeds")
ATOM = "{http://www.w3.org/2005/Atom}"
OLD_ID = "tag:example.org,2024-05-01:old-name"
NEW_ID = "tag:example.org,2024-05-01:new-name"
WARNING = (
    f"posts/new-name.md:1: warning: its id changes from {OLD_ID} to {NEW_ID} (its file was "
    "renamed or its slug changed), so feed readers would show it again as a new post; add "
    f"a line 'id: {OLD_ID}' to the front matter to keep the old id"
)
CACHE = pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "no-cache"])


def feeds(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, *args], cwd=site.root, capture_output=True, text=True, timeout=60, check=False
    )


def built(site: Site, *args: str) -> str:
    """Standard error of a build that succeeded."""
    result = feeds(site, "build", *args)
    assert result.returncode == 0, result.stderr
    return result.stderr


def entry_ids(site: Site) -> dict[str, list[str]]:
    """Every feed's entry ids, by file; every file validated."""
    files = site.files()
    check_all(files)
    ids = {}
    for name, data in files.items():
        if name.endswith("atom.xml"):
            ids[name] = [e.text for e in etree.fromstring(data).iter(f"{ATOM}id")][1:]
        elif name.endswith("rss.xml"):
            ids[name] = [e.text for e in etree.fromstring(data).iter("guid")]
        elif name.endswith("feed.json"):
            ids[name] = [item["id"] for item in json.loads(data)["items"]]
    return ids


def rename(site: Site, old: str, new: str) -> Path:
    path = site.posts / f"{old}.md"
    return path.rename(site.posts / f"{new}.md")


def add_line(path: Path, line: str) -> None:
    """Insert `line` as the front matter's first, as a person pastes it."""
    fence, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{fence}\n{line}\n{rest}", encoding="utf-8")


def told_line(stderr: str) -> str:
    """The line a warning or error says to add."""
    found = re.findall(r"add a line '(.*?)' to the front matter", stderr)
    assert len(found) == 1, stderr
    return found[0]


@CACHE
def test_a_renamed_file_is_told_once_with_the_line_that_keeps_its_id(
    site: Site, cache: list[str]
) -> None:
    site.write_config("""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        categories:
          news: {title: News}
        """)
    site.post("old-name", body="The old post.\n", categories="[news]")
    site.post("other", body="Another post.\n", date="2024-04-01")
    built(site, *cache)
    rename(site, "old-name", "new-name")
    # Six feeds show the post (site and category, three formats): told once.
    assert built(site, *cache).splitlines() == [WARNING]
    assert all(NEW_ID in ids for ids in entry_ids(site).values())  # published, as warned
    assert built(site, *cache) == ""  # the feeds hold the new id now: nothing changes


@CACHE
def test_the_line_told_keeps_the_old_id_and_quiets_the_warning(
    site: Site, cache: list[str]
) -> None:
    site.post("old-name", body="The old post.\n")
    built(site, *cache)
    before = entry_ids(site)
    path = rename(site, "old-name", "new-name")
    refused = feeds(site, "build", "--strict-ids", *cache)
    add_line(path, told_line(refused.stderr))
    assert built(site, "--strict-ids", *cache) == ""
    assert entry_ids(site) == before


@CACHE
def test_strict_ids_publishes_nothing_and_says_how_to_go_on(site: Site, cache: list[str]) -> None:
    site.post("old-name", body="The old post.\n")
    site.post("other", body="Another post.\n", date="2024-04-01")
    built(site, *cache)
    files = site.files()
    rename(site, "old-name", "new-name")
    site.post("newer", body="A new post.\n", date="2024-06-01")
    result = feeds(site, "build", "--strict-ids", *cache)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        WARNING.replace("warning: ", "")
        + ", or build without --strict-ids to publish it under the new one",
        "feeds: nothing written; fix the errors above",  # --skip-invalid would not help
    ]
    assert site.files() == files
    again = feeds(site, "build", "--strict-ids", *cache)  # an error is told every run
    assert (again.returncode, again.stderr) == (1, result.stderr)
    assert site.files() == files
    assert built(site, *cache).splitlines() == [WARNING]  # without the flag: published
    assert "tag:example.org,2024-06-01:newer" in entry_ids(site)["atom.xml"]


def test_quiet_tells_it_once(site: Site) -> None:
    site.post("old-name", body="The old post.\n")
    built(site, "--quiet")
    rename(site, "old-name", "new-name")
    assert built(site, "--quiet").splitlines() == [WARNING]
    assert built(site, "--quiet") == ""


def test_a_title_changed_with_the_file_is_found_by_its_content(site: Site) -> None:
    body = "Read [the notes](notes/) and [the index](/blog/).\n"  # relative: moves with it
    site.post("old-name", body=body, title="A first title")
    built(site)
    (site.posts / "old-name.md").unlink()
    site.post("new-name", body=body, title="Another title")
    assert built(site).splitlines() == [WARNING]
    assert "new-name/notes/" in site.files()["feed.json"].decode()


def test_a_post_replaced_by_another_the_same_day_is_no_id_change(site: Site) -> None:
    site.post("old-name", body="The old post.\n")
    built(site)
    (site.posts / "old-name.md").unlink()
    site.post("new-name", body="Something else entirely.\n")
    assert built(site, "--strict-ids") == ""
    assert entry_ids(site)["atom.xml"] == [NEW_ID]


def test_posts_pushed_out_by_max_items_are_no_id_change(site: Site) -> None:
    """A daily post of one title: the oldest leaves the feed as the next arrives."""
    site.write_config("""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        max_items: 2
        """)
    for day in (1, 2):
        site.post(f"links-{day}", title="Links", body="Links.\n", date=f"2024-05-0{day}")
    built(site)
    site.post("links-3", title="Links", body="Links.\n", date="2024-05-03")
    assert built(site, "--strict-ids") == ""
    assert len(entry_ids(site)["atom.xml"]) == 2


def test_an_id_set_by_hand_is_the_authors_to_change(site: Site) -> None:
    """Published under its new id, a post given its old one back is not told to keep
    the new one: readers hold both."""
    site.post("old-name", body="The old post.\n")
    built(site)
    path = rename(site, "old-name", "new-name")
    assert built(site).splitlines() == [WARNING]
    add_line(path, f"id: {OLD_ID}")
    assert built(site, "--strict-ids") == ""
    assert entry_ids(site)["atom.xml"] == [OLD_ID]
    path.write_text(path.read_text(encoding="utf-8").replace(f"id: {OLD_ID}\n", ""))
    assert "from tag:example.org,2024-05-01:old-name to" in built(site)  # an id: line lost


@pytest.mark.parametrize("formats", ["[atom]", "[rss]", "[json]"])
def test_every_format_is_compared(site: Site, formats: str) -> None:
    site.write_config(f"""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        formats: {formats}
        """)
    site.post("old-name", body="The old post.\n")
    built(site)
    rename(site, "old-name", "new-name")
    assert built(site).splitlines() == [WARNING]


def test_toml_front_matter_is_told_a_toml_line(site: Site) -> None:
    site.write_config("""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        conventions: hugo
        """)
    site.raw_post(
        "old-name.md",
        '+++\ntitle = "Hello"\ndate = 2024-05-01T09:00:00+02:00\n\n[extra]\nmood = "calm"\n+++\n'
        "Body.\n",
    )
    built(site)
    before = entry_ids(site)
    path = rename(site, "old-name", "new-name")
    line = told_line(built(site))
    assert line == f'id = "{OLD_ID}"'
    add_line(path, line)  # above [extra], where a top-level key must be
    assert built(site, "--strict-ids") == ""
    assert entry_ids(site) == before


def atom_id(site: Site) -> str:
    return etree.fromstring(site.files()["atom.xml"]).findtext(f"{ATOM}id")


def test_the_feed_id_stays_put_when_the_site_moves_with_id_authority(site: Site) -> None:
    site.post("hello", body="Hello.\n")
    built(site)
    before = entry_ids(site)
    assert atom_id(site) == "https://example.org/blog/atom.xml"
    site.write_config("""\
        title: Test Site
        url: https://www.example.net:8443/blog/
        description: A site for tests.
        id_authority: example.org
        """)
    assert built(site, "--strict-ids") == ""
    assert atom_id(site) == "https://example.org/blog/atom.xml"
    assert entry_ids(site) == before
    self_link = etree.fromstring(site.files()["atom.xml"]).find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://www.example.net:8443/blog/atom.xml"


def test_an_id_authority_that_is_the_sites_host_changes_no_byte(site: Site, tmp_path: Path) -> None:
    site.post("hello", body="Hello.\n")
    built(site)
    site.write_config("""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        id_authority: example.org
        """)
    built(site, "--out", str(tmp_path / "other"))
    assert feed_files(tmp_path / "other") == site.files()


def test_an_email_address_authority_at_the_sites_host_keeps_the_self_url(site: Site) -> None:
    site.write_config("""\
        title: Test Site
        url: https://example.org/blog/
        description: A site for tests.
        id_authority: jo@example.org
        """)
    site.post("hello", body="Hello.\n")
    built(site)
    assert atom_id(site) == "https://example.org/blog/atom.xml"
    assert entry_ids(site)["atom.xml"] == ["tag:jo@example.org,2024-05-01:hello"]
