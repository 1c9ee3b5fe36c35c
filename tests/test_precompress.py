"""site.yaml's `precompress`: every output file's gzip and brotli companions, through the
command line as a user runs it.

Each build's files are all checked: the plain ones validated as feeds and pages, every
companion decompressed and compared with its file, nothing else beside them. With the
build cache and without (`--no-cache`), the bytes are the same, and a file whose bytes
are right is never rewritten (its mtime stays, so servers keep answering 304).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
import pytest
from conftest import BASIC_CONFIG, Cli, Site, check_all, check_atom, feed_files

SUFFIXES = {"gzip": ".gz", "br": ".br"}
BOTH = "precompress: [gzip, br]\n"
SITE = BASIC_CONFIG + "archives: true\nmax_items: 2\ntag_feeds: true\n"


def write_site(site: Site, precompress: str = BOTH) -> None:
    """Five posts in two categories, with tags: feeds, category, tag and archive pages."""
    site.write_config(SITE + precompress)
    for number in range(5):
        category = "news" if number % 2 else "reviews"
        site.post(
            f"post-{number}",
            date=f"2024-05-0{number + 1}T09:00:00Z",
            categories=f"[{category}]",
            tags="[one, two]" if number < 3 else "[one]",
        )


def built(site: Site, feeds: Cli, *args: str, encodings: tuple[str, ...] = ("gzip", "br")) -> str:
    """Build without errors; every file checked (see `check_output`); what it printed."""
    run = feeds(site, *args)
    assert run.code == 0, run.output
    check_output(site.output, encodings)
    return run.output


def check_output(folder: Path, encodings: tuple[str, ...]) -> None:
    """Every plain file valid, each with exactly one companion per encoding, holding its
    bytes, made the same way every time (gzip: no name, no time in the header)."""
    files = feed_files(folder)
    plain = {path: data for path, data in files.items() if not path.endswith((".gz", ".br"))}
    check_all(plain)
    companions = {path + SUFFIXES[encoding] for path in plain for encoding in encodings}
    assert set(files) - set(plain) == companions
    for path, data in plain.items():
        if "gzip" in encodings:
            packed = files[path + ".gz"]
            assert gzip.decompress(packed) == data
            assert packed[3] == 0 and packed[4:8] == bytes(4)  # no name, no mtime
        if "br" in encodings:
            assert brotli.decompress(files[path + ".br"]) == data


def stamps(folder: Path) -> dict[str, int]:
    """Every file's mtime, in nanoseconds."""
    return {path: (folder / path).stat().st_mtime_ns for path in feed_files(folder)}


def test_every_output_has_its_companions(site: Site, feeds: Cli) -> None:
    write_site(site)
    output = built(site, feeds, "-v")
    files = site.files()
    for path in ("atom.xml", "categories/news/rss.xml", "tags/one/feed.json", "feed.css"):
        assert path + ".gz" in files and path + ".br" in files
    assert any("/archive/" in path and path.endswith(".br") for path in files)
    for page in ("index.html", "feeds.opml"):
        assert page + ".gz" in files
    assert "wrote atom.xml\n" in output and ".gz" not in output and ".br" not in output


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_rebuild_is_byte_identical_and_rewrites_nothing(
    site: Site, feeds: Cli, tmp_path: Path, cache: list[str]
) -> None:
    write_site(site)
    built(site, feeds, *cache)
    files, times = site.files(), stamps(site.output)
    built(site, feeds, *cache)
    built(site, feeds, *cache)
    assert site.files() == files and stamps(site.output) == times
    assert "0 written" in built(site, feeds, "--no-cache")
    assert stamps(site.output) == times
    elsewhere = tmp_path / "elsewhere"
    built(site, feeds, "--out", str(elsewhere), "--no-cache")
    assert feed_files(elsewhere) == files


def test_an_edit_rewrites_its_feeds_and_their_companions_only(site: Site, feeds: Cli) -> None:
    write_site(site)
    built(site, feeds)
    files, times = site.files(), stamps(site.output)
    site.post("post-4", date="2024-05-05T09:00:00Z", categories="[reviews]", body="New.\n")
    output = built(site, feeds, "-v")
    changed = {path for path, data in site.files().items() if files.get(path) != data}
    assert "categories/reviews/atom.xml.br" in changed and "atom.xml.gz" in changed
    assert not any(path.startswith("categories/news/") for path in changed)
    for path in set(times) - changed:
        assert (site.output / path).stat().st_mtime_ns == times[path], path
    written = {line.removeprefix("wrote ") for line in output.splitlines() if "wrote " in line}
    assert {path.rsplit(".", 1)[0] for path in changed if path.endswith(".gz")} == written
    cold = site.root / "cold"
    built(site, feeds, "--out", str(cold), "--no-cache")
    assert feed_files(cold) == site.files()


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_missing_stale_and_extra_companions_are_repaired(
    site: Site, feeds: Cli, cache: list[str]
) -> None:
    write_site(site, "precompress: [gzip]\n")
    built(site, feeds, encodings=("gzip",))
    built(site, feeds, encodings=("gzip",))  # the cache knows every file now
    out = site.output
    (out / "atom.xml.gz").unlink()
    (out / "rss.xml.gz").write_bytes(gzip.compress(b"<rss>an older feed</rss>", mtime=0))
    (out / "feed.json.gz").write_bytes(b"not gzip at all")
    (out / "categories/news/atom.xml.br").write_bytes(b"a brotli file nobody asked for")
    times = stamps(out)
    output = built(site, feeds, *cache, encodings=("gzip",))
    assert "0 written" in output and "stale" not in output
    repaired = {"atom.xml.gz", "rss.xml.gz", "feed.json.gz"}
    for path, time in stamps(out).items():
        assert (time == times.get(path)) == (path not in repaired), path
    again = stamps(out)
    built(site, feeds, *cache, encodings=("gzip",))
    assert stamps(out) == again


def test_turning_precompress_off_removes_the_companions(site: Site, feeds: Cli) -> None:
    write_site(site)
    built(site, feeds)
    times = stamps(site.output)
    write_site(site, "precompress: [gzip]\n")
    output = built(site, feeds, encodings=("gzip",))
    assert "stale" not in output
    assert all(
        stamps(site.output)[path] == time for path, time in times.items() if ".br" not in path
    )
    write_site(site, "")
    built(site, feeds, encodings=())
    assert stamps(site.output) == {p: t for p, t in times.items() if not p.endswith((".gz", ".br"))}


def test_a_stale_feed_keeps_its_companions_until_pruned(site: Site, feeds: Cli) -> None:
    write_site(site)
    built(site, feeds)
    for number in (1, 3):  # the news posts, and with them an archive page
        (site.posts / f"post-{number}.md").unlink()
    output = feeds(site).output
    stale = [line.split(":")[0] for line in output.splitlines() if "stale feed kept" in line]
    assert {f"categories/news/{name}" for name in ("atom.xml", "feed.json", "rss.xml")} < {*stale}
    files = site.files()
    for path in stale:  # reported once, by the file's name; its companions kept with it
        assert gzip.decompress(files[path + ".gz"]) == files[path]
        assert brotli.decompress(files[path + ".br"]) == files[path]
    output = built(site, feeds, "--prune")
    assert output.count("removed stale feed") == len(stale)
    assert not [path for path in site.files() if path.startswith("categories/news/")]


def test_a_companion_without_its_file_is_stale(site: Site, feeds: Cli) -> None:
    write_site(site)
    built(site, feeds)
    gone = site.output / "categories/gone"
    gone.mkdir()
    (gone / "atom.xml.gz").write_bytes((site.output / "atom.xml.gz").read_bytes())
    run = feeds(site)
    assert run.code == 0 and "categories/gone/atom.xml.gz: stale feed kept" in run.output
    output = built(site, feeds, "--prune")
    assert "categories/gone/atom.xml.gz: removed stale feed" in output and not gone.exists()


def test_a_run_killed_between_a_companion_and_its_file(
    site: Site, feeds: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Companions are renamed into place before their file: killed in between, the
    server sends the newer feed to some readers and the older to the others for a
    while, never an older companion; the next run renames the file, leaving the
    companions it finds right as they are."""

    class Killed(BaseException):
        pass

    write_site(site)
    built(site, feeds)
    old = (site.output / "atom.xml").read_bytes()
    site.post("post-4", date="2024-05-05T09:00:00Z", categories="[reviews]", body="New.\n")
    replace = os.replace

    def killed_at_atom(source: str, target: str | Path) -> None:
        if str(target).endswith("/public/atom.xml"):
            raise Killed
        replace(source, target)

    monkeypatch.setattr(os, "replace", killed_at_atom)
    with pytest.raises(Killed):
        feeds(site)
    monkeypatch.setattr(os, "replace", replace)
    assert (site.output / "atom.xml").read_bytes() == old
    new = gzip.decompress((site.output / "atom.xml.gz").read_bytes())
    assert new != old and brotli.decompress((site.output / "atom.xml.br").read_bytes()) == new
    companions = stamps(site.output)
    built(site, feeds)
    assert (site.output / "atom.xml").read_bytes() == new
    for suffix in (".gz", ".br"):
        path = "atom.xml" + suffix
        assert (site.output / path).stat().st_mtime_ns == companions[path]


JEKYLL = """\
feed_paths:
  atom: feed.xml
  category_atom: feed/{slug}.xml
precompress: [gzip]
"""


def test_feeds_at_the_sites_own_paths(site: Site, feeds: Cli) -> None:
    """Companions beside feeds at feed_paths' addresses; in a folder the site's old
    generator also writes to, its files and theirs companions are left alone."""
    site.write_config(BASIC_CONFIG + JEKYLL)
    site.post("hello", categories="[news]")
    folder = site.output / "feed"
    folder.mkdir(parents=True)
    theirs = b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'
    packed = gzip.compress(theirs)
    (folder / "old.xml").write_bytes(theirs)
    (folder / "old.xml.gz").write_bytes(packed)
    (folder / "lost.xml.gz").write_bytes(packed)
    run = feeds(site, "-v")
    assert run.code == 0 and "stale" not in run.output, run.output
    files = site.files()
    for path in ("feed.xml", "feed/news.xml"):
        check_atom(gzip.decompress(files[path + ".gz"]))
        assert gzip.decompress(files[path + ".gz"]) == files[path]
    assert files["feed/old.xml.gz"] == files["feed/lost.xml.gz"] == packed
    (folder / "gone.xml.gz").write_bytes(files["feed/news.xml.gz"])
    run = feeds(site, "--prune")
    assert "feed/gone.xml.gz: removed stale feed" in run.output, run.output
    assert "lost" not in run.output and "old" not in run.output
    assert {"feed/old.xml", "feed/old.xml.gz", "feed/lost.xml.gz"} <= set(site.files())
    assert "feed/gone.xml.gz" not in site.files()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[gzip, zstd]", "'precompress' lists 'zstd'; it can list gzip and br"),
        ("{gzip: 9}", "'precompress' must be a list of words"),
        ("[[gzip]]", "'precompress' must be a list of words"),
    ],
)
def test_config_errors_are_located(site: Site, feeds: Cli, value: str, message: str) -> None:
    site.write_config(BASIC_CONFIG + f"precompress: {value}\n")
    site.post("hello")
    run = feeds(site)
    assert run.code == 1
    assert f"site.yaml:4: {message}" in run.output, run.output
    assert not site.output.exists() or not site.files()
