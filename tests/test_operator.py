"""What the operator who schedules `feeds build` sees: each warning told once under
--quiet, errors and alerts every run, messages that fit the situation, and
`feeds check` writing nothing. Real subprocesses, as cron runs them."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Site, check_all

FEEDS = str(Path(sys.executable).parent / "feeds")
TYPO = "posts/typo.md:4: warning: unknown key 'catgories' is ignored"


def feeds(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, *args], cwd=site.root, capture_output=True, text=True, timeout=60, check=False
    )


def edit(path: Path, text: str) -> None:
    """Append to a file as an editor would; its stat changes even within one clock tick."""
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "no-cache"])
def test_cron_tells_a_warning_once_and_again_when_its_post_changes(
    site: Site, cache: list[str]
) -> None:
    site.post("fine")
    typo = site.post("typo", front="catgories: [news]\n")
    quiet = ["build", "--quiet", *cache]

    first = feeds(site, *quiet)
    assert (first.returncode, first.stdout) == (0, "")
    assert first.stderr.startswith(TYPO)
    assert first.stderr.count("\n") == 1

    for _ in range(2):  # nothing new: a cron run every five minutes stays silent
        again = feeds(site, *quiet)
        assert (again.returncode, again.stdout, again.stderr) == (0, "", "")

    edit(typo, "An edit that leaves the typo.\n")
    edited = feeds(site, *quiet)
    assert edited.stderr.startswith(TYPO)
    assert feeds(site, *quiet).stderr == ""

    typo.write_text(typo.read_text().replace("catgories", "categories"))
    assert feeds(site, *quiet).stderr == ""
    typo.write_text(typo.read_text().replace("categories", "catgories"))
    assert feeds(site, *quiet).stderr.startswith(TYPO), "a warning that comes back is new"

    # `feeds check` and a build without --quiet list everything, every time.
    assert TYPO in feeds(site, "check").stderr
    assert TYPO in feeds(site, "build", *cache).stderr


def test_a_build_by_hand_counts_as_told(site: Site) -> None:
    site.post("typo", front="catgories: [news]\n")
    assert TYPO in feeds(site, "build").stderr
    assert feeds(site, "build", "-q").stderr == ""


def test_a_new_warning_is_told_without_repeating_the_old_ones(site: Site) -> None:
    site.post("typo", front="catgories: [news]\n")
    feeds(site, "build", "-q")
    site.post("second", front="tgas: [x]\n")
    told = feeds(site, "build", "-q").stderr
    assert told.startswith("posts/second.md:4: warning: unknown key 'tgas'")
    assert "typo.md" not in told


def test_errors_are_printed_on_every_run(site: Site) -> None:
    site.post("fine")
    site.post("broken", date="someday")
    for _ in range(3):
        result = feeds(site, "build", "-q")
        assert result.returncode == 1
        assert result.stderr.startswith("posts/broken.md:3: 'date'")


def test_the_memory_holds_fingerprints_only(site: Site) -> None:
    """It sits in the output folder, which the web server publishes."""
    site.post("secret-draft", front="catgories: [news]\n")
    feeds(site, "build", "-q")
    memory = (site.output / ".feeds-told").read_text()
    assert re.fullmatch(r"([0-9a-f]{32}\n)+", memory)
    check_all(site.files())


def test_check_writes_nothing(site: Site) -> None:
    site.post("typo", front="catgories: [news]\n")
    result = feeds(site, "check")
    assert result.returncode == 0
    assert sorted(p.name for p in site.root.iterdir()) == ["posts", "site.yaml"]

    assert feeds(site, "build").returncode == 0
    edit(site.posts / "typo.md", "Changed, so that check has a post to read anew.\n")
    site.post("new")
    before = {p: p.stat().st_mtime_ns for p in site.root.rglob("*")}
    assert TYPO in feeds(site, "check").stderr
    assert {p: p.stat().st_mtime_ns for p in site.root.rglob("*")} == before


def test_a_cache_that_cannot_be_written_is_told_once(site: Site) -> None:
    """Tests run as root, who may write anything: a file where the cache's folder
    belongs stops it as a missing permission would."""
    site.post("fine")
    (site.root / ".feeds-cache").write_text("not a folder")
    first = feeds(site, "build", "-q")
    assert first.returncode == 0
    assert first.stderr == (
        ".feeds-cache: warning: the build cache cannot be written (File exists), so every "
        "run reads every post again; let the user who runs feeds write this folder\n"
    )
    assert feeds(site, "build", "-q").stderr == ""
    assert "(0 written, 6 unchanged)" in feeds(site, "build").stdout
    check_all(site.files())


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_a_read_only_site_folder_is_told_once(site: Site) -> None:
    site.post("fine")
    site.output.mkdir()
    site.root.chmod(0o555)
    try:
        assert "build cache cannot be written (Permission denied)" in feeds(site, "build").stderr
        assert feeds(site, "build", "-q").stderr == ""
    finally:
        site.root.chmod(0o755)


def test_private_folders_inside_the_output_are_told_every_run(site: Site) -> None:
    site.write_config("title: T\nurl: https://example.org/\ndescription: D\noutput: .\n")
    site.post("fine")
    alerts = [
        "site.yaml: warning: the posts folder posts/ lies inside the output folder ./, so "
        "the web server publishes it, drafts and scheduled posts included; set 'output:' to "
        "a folder of its own, like output: public",
        "site.yaml: warning: the build cache .feeds-cache/ lies inside the output folder ./, "
        "so the web server publishes it, drafts and scheduled posts included; set 'output:' "
        "to a folder of its own, like output: public",
    ]
    for _ in range(3):  # the first builds, the next ones find nothing changed
        result = feeds(site, "build", "-q")
        assert result.returncode == 0
        assert result.stderr.splitlines() == alerts
    assert feeds(site, "check").stderr.splitlines() == alerts


def test_the_posts_folder_beside_the_output_is_fine(site: Site) -> None:
    site.write_config("title: T\nurl: https://example.org/\ndescription: D\noutput: public\n")
    site.post("fine")
    assert feeds(site, "build", "-q").stderr == ""


def test_many_problems_of_one_kind_are_summed_up(site: Site) -> None:
    unknown = "".join(f"junk{number}: x\n" for number in range(2000))
    site.post("crowded", front=unknown)
    site.post("typo", front="catgories: [news]\n")
    result = feeds(site, "build")
    lines = result.stderr.splitlines()
    assert lines == [
        *(f"posts/crowded.md:{4 + n}: warning: unknown key 'junk{n}' is ignored" for n in range(5)),
        "posts/crowded.md: 1,995 more warnings like these (-v lists them all)",
        TYPO + " (did you mean 'categories'?)",
    ]
    assert len(feeds(site, "check", "-v").stderr.splitlines()) == 2001


def test_skip_invalid_is_suggested_only_where_it_helps(site: Site) -> None:
    site.post("broken", date="someday")
    hint = "or use --skip-invalid to publish the valid posts"
    assert hint in feeds(site, "build").stderr
    assert hint not in feeds(site, "build", "--skip-invalid").stderr

    site.write_config("title: T\nurl: nowhere\n")
    for args in (["build"], ["build", "--skip-invalid"]):
        result = feeds(site, *args)
        assert result.returncode == 1
        assert "feeds: nothing written; fix the errors above\n" in result.stderr
        assert "--skip-invalid" not in result.stderr


def test_busy_output_folder_advice_fits_the_wait_given(site: Site) -> None:
    site.post("fine")
    site.output.mkdir()
    with (site.output / ".feeds.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        at_once = feeds(site, "build")
        waited = feeds(site, "build", "--wait", "0.2")
    assert (at_once.returncode, waited.returncode) == (75, 75)
    assert at_once.stderr == (
        "feeds: public: another feeds run is writing here; try again later or pass --wait SECONDS\n"
    )
    assert waited.stderr == (
        "feeds: public: another feeds run kept writing here for the 0.2 s --wait allowed; "
        "try again later\n"
    )


def test_help_names_every_format(site: Site) -> None:
    assert "RSS 2.0, Atom 1.0 and JSON Feed" in " ".join(feeds(site, "--help").stdout.split())
