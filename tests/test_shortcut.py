"""A `feeds build` that finds nothing changed (feeds.run.build asks
feeds.incremental's replay first): cron's usual run says exactly what a full run would
say and writes nothing, without importing the config parser, the post reader, the
renderers or the pickled cache; every other command line works as it did."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import Site, feed_files

from feeds.publish import LOCK_NAME

_THE_COMMAND = """
import json, os, sys
leave, scandir, listed = os._exit, os.scandir, []
def listing(path):
    listed.append(os.fspath(path))
    return scandir(path)
def leave_saying_what_was_imported(code):
    sys.stdout.flush()
    sys.stderr.flush()
    with open(os.environ["MODULES_FILE"], "w") as modules:
        json.dump({"modules": list(sys.modules), "listed": listed}, modules)
    leave(code)
os.scandir, os._exit = listing, leave_saying_what_was_imported
sys.argv[0] = "feeds"
from feeds.cli import run
try:
    run()
except SystemExit as ending:  # usage errors, --help, --version, a run's own exits
    leave_saying_what_was_imported(ending.code or 0)
"""
"""`feeds` as installed (feeds.cli.run), telling which modules it imported and
which folders it listed."""

_THE_WHOLE_RUN = "import sys; sys.argv[0] = 'feeds'; from feeds.cli import main; sys.exit(main())"
"""The command line as the library's users get it (feeds.cli.main)."""


class Ran:
    def __init__(
        self,
        done: subprocess.CompletedProcess,
        modules: set[str],
        listed: list[str],
        changed: set[str],
    ) -> None:
        self.code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.modules, self.listed, self.changed = modules, listed, changed

    @property
    def said(self) -> tuple[int, str, str]:
        """Everything the run printed, but how long it took."""
        return self.code, re.sub(r" in \d+\.\d\d s$", "", self.stdout, flags=re.M), self.stderr


def feeds(site: Site, *arguments: str) -> Ran:
    modules_file = site.root.parent / "modules.txt"
    modules_file.unlink(missing_ok=True)
    before = files(site)
    done = _run(site, _THE_COMMAND, arguments, MODULES_FILE=str(modules_file))
    after = files(site)
    seen = json.loads(modules_file.read_text())
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    return Ran(done, set(seen["modules"]), seen["listed"], changed)


def whole_run(site: Site, *arguments: str) -> Ran:
    return Ran(_run(site, _THE_WHOLE_RUN, arguments), set(), [], set())


def full_run(site: Site, *arguments: str) -> Ran:
    """The reference build, with no cache to find anything unchanged with."""
    return whole_run(site, *arguments, "--no-cache")


def files(site: Site) -> dict[str, tuple[int, int, int]]:
    """Each file below the site's folder (posts, output, build cache) with its inode,
    size and mtime, which writing it changes."""
    found = {}
    for path in site.root.rglob("*"):
        if not path.is_dir():
            status = path.stat()
            relative = path.relative_to(site.root).as_posix()
            found[relative] = (status.st_ino, status.st_size, status.st_mtime_ns)
    return found


def _run(
    site: Site, script: str, arguments: tuple[str, ...], **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script, *arguments],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


STALE = "categories/gone/atom.xml"


def built(site: Site) -> Site:
    """A site with a warning, a file skipped with a note, and an index page; built once."""
    site.post("first", categories="[news]")
    site.post("second", colour="blue")  # an unknown key: a warning every run repeats
    site.raw_post("_draft.md", "---\ntitle: draft\n---\n")  # skipped, with a note
    assert whole_run(site, "build").code == 0
    return site


def add_stale_feed(site: Site) -> None:
    stale = site.output / STALE
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("<feed/>")


@pytest.mark.parametrize(
    "arguments",
    [
        ["build"],
        ["build", "-q"],
        ["build", "--verbose"],
        ["build", "-v", "--config", "site.yaml", "--out", "public"],
        ["build", "--config=site.yaml", "--quiet", "--ping"],
        ["build", "--prune", "-v"],
    ],
)
def test_a_no_change_run_says_what_a_full_run_says(site: Site, arguments: list[str]) -> None:
    built(site)
    add_stale_feed(site)
    unchanged = feeds(site, *arguments)
    assert unchanged.code == 0, unchanged.stderr
    assert "Traceback" not in unchanged.stderr
    pruned = "--prune" in arguments
    assert (site.output / STALE).exists() is not pruned
    # It writes nothing, in the output or the build cache (but a stale feed it prunes).
    assert unchanged.changed == ({f"public/{STALE}"} if pruned else set())
    assert unchanged.listed.count(str(site.posts)) == 1
    add_stale_feed(site)
    assert unchanged.said == full_run(site, *arguments).said
    add_stale_feed(site)
    assert unchanged.said == whole_run(site, *arguments).said


def test_what_a_no_change_run_prints(site: Site) -> None:
    built(site)
    add_stale_feed(site)
    unchanged = feeds(site, "build", "-v")
    assert unchanged.changed == set()
    assert "posts/second.md:4: warning: unknown key 'colour' is ignored" in unchanged.stderr
    assert "posts/_draft.md: note: skipped" in unchanged.stderr
    assert f"{STALE}: stale feed kept" in unchanged.stderr
    assert "unchanged categories/news/atom.xml" in unchanged.stdout.splitlines()
    assert re.search(
        r"^2 posts -> .* \(0 written, \d+ unchanged\) in \d+\.\d\d s$", unchanged.stdout, re.M
    )
    assert feeds(site, "build", "-q").said == (0, "", "")


def test_a_no_change_run_imports_neither_the_parser_nor_the_pipeline(site: Site) -> None:
    """Importing them, and dataclasses, was over a quarter of a no-change run's
    instructions at 10,000 posts (497 M against 363 M, callgrind)."""
    built(site)
    unchanged = feeds(site, "build", "-q")
    assert unchanged.code == 0 and unchanged.changed == set()
    loaded = unchanged.modules
    checked = {"feeds.cli", "feeds.incremental.replay", "feeds.incremental.state"}
    assert checked | {"feeds.source.listing"} <= loaded  # the check did happen
    stages = {"config", "source.keys", "source.post", "text.yamltext", "source.reading"}
    stages |= {"plan", "render", "incremental.store", "incremental.database"}
    stages |= {"incremental.pickles"}
    needless = {"click", "yaml", "pickle", "tempfile", "zoneinfo", "dateutil", "feedgen", "lxml"}
    needless |= {"cmarkgfm", "nh3"}
    needless |= {"dataclasses", "inspect"}  # a tenth of a no-change run's instructions
    assert loaded & (needless | {f"feeds.{stage}" for stage in stages}) == set()


@pytest.mark.parametrize(
    ("arguments", "like"),
    [
        (["build", "--wait", "1"], ["build"]),
        (["build", "--no-cache"], ["build"]),
        (["build", "-qv"], ["build", "-q", "-v"]),  # short options run together
        (["build", "--skip-invalid"], ["build"]),
    ],
)
def test_other_build_options_work_as_they_did(
    site: Site, arguments: list[str], like: list[str]
) -> None:
    built(site)
    ran = feeds(site, *arguments)
    assert ran.code == 0 and "Traceback" not in ran.stderr
    assert ran.said == feeds(site, *like).said
    assert ran.said == whole_run(site, *arguments).said


_USAGE = "Usage: feeds [OPTIONS] COMMAND [ARGS]...\nTry 'feeds --help' for help.\n\n"
_BUILD_USAGE = "Usage: feeds build [OPTIONS]\nTry 'feeds build --help' for help.\n\n"

COMMAND_LINES: dict[str, tuple[int, str, str]] = {
    "build --config": (2, "", "Error: Option '--config' requires an argument.\n"),
    "build --quiet extra": (2, "", f"{_BUILD_USAGE}Error: Got unexpected extra argument (extra)\n"),
    "build --bogus": (2, "", f"{_BUILD_USAGE}Error: No such option '--bogus'.\n"),
    "publish": (2, "", f"{_USAGE}Error: No such command 'publish'.\n"),
    "check": (
        0,
        "2 posts OK -> 6 feeds and 3 pages\n",
        "posts/second.md:4: warning: unknown key 'colour' is ignored\n",
    ),
    "--version": (0, f"feeds, version {version('feeds')}\n", ""),
}
"""What each command line printed (to standard output, then to standard error)."""


@pytest.mark.parametrize(("line", "said"), COMMAND_LINES.items(), ids=COMMAND_LINES.keys())
def test_other_command_lines_say_what_they_did(
    site: Site, line: str, said: tuple[int, str, str]
) -> None:
    """Usage errors say what click (the command line's parser before argparse) said:
    how to use the command, then what is wrong (click gave no usage before a missing
    value)."""
    built(site)
    ran = feeds(site, *line.split())
    code, stdout, stderr = ran.said
    assert (code, stdout) == said[:2] and "Traceback" not in stderr
    if code == 2:
        assert stderr.endswith(said[2])
    else:
        assert stderr == said[2]
    assert ran.said == whole_run(site, *line.split()).said


def edit_a_post(site: Site) -> None:
    site.post("first", categories="[news]", summary="Edited.")


def change_a_feed_by_hand(site: Site) -> None:
    (site.output / "rss.xml").write_text("vandalised")


def change_the_config(site: Site) -> None:
    site.write_config(site.config.read_text() + "max_items: 5\n")


def damage_the_state(site: Site) -> None:
    """Valid JSON under the right key, but a part of the wrong type."""
    state = site.root / ".feeds-cache" / "state.json"
    state.write_bytes(state.read_bytes().replace(b'"posts":', b'"posts":"two","x":', 1))


@pytest.mark.parametrize(
    "change", [edit_a_post, change_a_feed_by_hand, change_the_config, damage_the_state]
)
def test_a_change_takes_the_full_run(site: Site, change) -> None:
    built(site)
    change(site)
    ran = feeds(site, "build")
    assert ran.code == 0 and "Traceback" not in ran.stderr
    assert re.search(r"\(\d+ written", ran.stdout)
    assert ".feeds-cache/state.json" in ran.changed  # what the full run found, kept
    assert ran.listed.count(str(site.posts)) == 1  # the full run goes on from the check's
    again = feeds(site, "build")
    assert again.changed == set() and "(0 written" in again.stdout
    assert feed_files(site.output) == feed_files(whole_cold_build(site))


def whole_cold_build(site: Site) -> Path:
    out = site.root.parent / "cold"
    assert whole_run(site, "build", "--no-cache", "--out", str(out)).code == 0
    return out


def test_another_run_holding_the_output_folder_is_reported(site: Site) -> None:
    built(site)
    descriptor = os.open(site.output / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        ran = feeds(site, "build", "-q")
    finally:
        os.close(descriptor)
    assert ran.code == 75 and "another feeds run" in ran.stderr
    assert ran.changed == set()


def test_every_part_of_the_last_run_is_checked_on_load() -> None:
    from feeds.incremental.state import _LAST_RUN_TYPES, LastRun

    assert tuple(_LAST_RUN_TYPES) == LastRun._fields
