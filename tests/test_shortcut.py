"""The `feeds` command's no-change shortcut (feeds.console): a cron run that finds nothing
changed says exactly what the whole run would say, without importing click or the
pipeline; every other run goes to the whole command line."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import Site, feed_files

from feeds.cli import build_command
from feeds.console import ShortcutOptions, shortcut_options
from feeds.publish import LOCK_NAME

_THE_COMMAND = """
import json, os, sys
leave, scandir, listed = os._exit, os.scandir, []
def listing(path):
    listed.append(os.fspath(path))
    return scandir(path)
def leave_saying_what_was_imported(code):
    sys.stdout.flush()
    with open(os.environ["MODULES_FILE"], "w") as modules:
        json.dump({"modules": list(sys.modules), "listed": listed}, modules)
    leave(code)
os.scandir, os._exit = listing, leave_saying_what_was_imported
sys.argv[0] = "feeds"
from feeds.console import run
run()
"""
"""`feeds` as installed (feeds.console.run), telling which modules it imported and
which folders it listed."""

_THE_WHOLE_RUN = "import sys; sys.argv[0] = 'feeds'; from feeds.cli import main; main()"


class Ran:
    def __init__(
        self, done: subprocess.CompletedProcess, modules: set[str], listed: list[str]
    ) -> None:
        self.code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.modules, self.listed = modules, listed

    @property
    def said(self) -> tuple[int, str, str]:
        """Everything the run printed, but how long it took."""
        return self.code, re.sub(r" in \d+\.\d\d s$", "", self.stdout, flags=re.M), self.stderr

    @property
    def took_the_shortcut(self) -> bool:
        assert "feeds.console" in self.modules
        return "click" not in self.modules


def feeds(site: Site, *arguments: str) -> Ran:
    modules_file = site.root.parent / "modules.txt"
    done = _run(site, _THE_COMMAND, arguments, MODULES_FILE=str(modules_file))
    seen = json.loads(modules_file.read_text())
    return Ran(done, set(seen["modules"]), seen["listed"])


def whole_run(site: Site, *arguments: str) -> Ran:
    return Ran(_run(site, _THE_WHOLE_RUN, arguments), set(), [])


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


def mtimes(site: Site) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in site.output.rglob("*.*")}


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
def test_the_shortcut_says_what_the_whole_run_says(site: Site, arguments: list[str]) -> None:
    built(site)
    add_stale_feed(site)
    before = mtimes(site)
    shortcut = feeds(site, *arguments)
    assert shortcut.took_the_shortcut
    assert shortcut.code == 0, shortcut.stderr
    assert "Traceback" not in shortcut.stderr
    pruned = "--prune" in arguments
    assert (site.output / STALE).exists() is not pruned
    assert mtimes(site) == {p: t for p, t in before.items() if not (pruned and STALE in str(p))}
    add_stale_feed(site)
    assert shortcut.said == whole_run(site, *arguments).said


def test_what_the_shortcut_prints(site: Site) -> None:
    built(site)
    add_stale_feed(site)
    shortcut = feeds(site, "build", "-v")
    assert shortcut.took_the_shortcut
    assert "posts/second.md:4: warning: unknown key 'colour' is ignored" in shortcut.stderr
    assert "posts/_draft.md: note: skipped" in shortcut.stderr
    assert f"{STALE}: stale feed kept" in shortcut.stderr
    assert "unchanged categories/news/atom.xml" in shortcut.stdout.splitlines()
    assert re.search(
        r"^2 posts -> .* \(0 written, \d+ unchanged\) in \d+\.\d\d s$", shortcut.stdout, re.M
    )
    assert feeds(site, "build", "-q").said == (0, "", "")


def test_a_no_change_run_imports_neither_click_nor_the_pipeline(site: Site) -> None:
    """Importing them, and dataclasses, was over a quarter of a no-change run's
    instructions at 10,000 posts (497 M against 363 M, callgrind)."""
    built(site)
    loaded = feeds(site, "build", "-q").modules
    assert {"feeds.console", "feeds.replay", "feeds.state", "feeds.listing"} <= loaded
    pipeline = {"cli", "pipeline", "config", "cache", "yamltext", "dates", "posts", "reading"}
    needless = {"click", "yaml", "pickle", "tempfile", "zoneinfo", "dateutil", "feedgen", "lxml"}
    needless |= {"dataclasses", "inspect"}  # a tenth of the shortcut's instructions
    assert loaded & (needless | {f"feeds.{name}" for name in pipeline}) == set()


@pytest.mark.parametrize(
    "arguments",
    [
        ["build", "--wait", "1"],
        ["build", "--no-cache"],
        ["build", "-qv"],  # click's short options run together: not the shortcut's to read
        ["build", "--skip-invalid"],
        ["build", "--config"],
        ["build", "--quiet", "extra"],
        ["check"],
        ["--version"],
    ],
)
def test_any_other_command_line_goes_to_the_whole_run(site: Site, arguments: list[str]) -> None:
    built(site)
    ran = feeds(site, *arguments)
    assert not ran.took_the_shortcut
    assert ran.said == whole_run(site, *arguments).said


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
def test_a_change_goes_to_the_whole_run(site: Site, change) -> None:
    built(site)
    change(site)
    ran = feeds(site, "build")
    assert not ran.took_the_shortcut
    assert ran.code == 0 and "Traceback" not in ran.stderr
    assert re.search(r"\(\d+ written", ran.stdout)
    assert ran.listed.count(str(site.posts)) == 1  # the whole run goes on from the check's
    again = feeds(site, "build")
    assert again.took_the_shortcut and "(0 written" in again.stdout
    assert feed_files(site.output) == feed_files(whole_cold_build(site))


def whole_cold_build(site: Site) -> Path:
    out = site.root.parent / "cold"
    assert whole_run(site, "build", "--no-cache", "--out", str(out)).code == 0
    return out


def test_another_run_holding_the_output_folder_is_reported_by_the_whole_run(site: Site) -> None:
    built(site)
    descriptor = os.open(site.output / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        ran = feeds(site, "build", "-q")
    finally:
        os.close(descriptor)
    assert not ran.took_the_shortcut
    assert ran.code == 75 and "another feeds run" in ran.stderr


@pytest.mark.parametrize(
    ("arguments", "options"),
    [
        (["build"], ShortcutOptions()),
        (["build", "-q", "--config", "a.yaml"], ShortcutOptions(config="a.yaml", quiet=True)),
        (["build", "--out=o", "--verbose", "--out", "p"], ShortcutOptions(out="p", verbose=True)),
        (
            ["build", "--prune", "--ping", "--quiet"],
            ShortcutOptions(quiet=True, prune=True, ping=True),
        ),
        (["build", "--out="], None),
        (["build", "--out"], None),
        (["build", "-x"], None),
        (["build", "--"], None),
        (["build", "-h"], None),
        (["check"], None),
        ([], None),
    ],
)
def test_shortcut_options(arguments: list[str], options: ShortcutOptions | None) -> None:
    assert shortcut_options(arguments) == options


def test_the_shortcuts_options_are_the_commands() -> None:
    """Every spelling `feeds build` declares (feeds.cli) sets the same option in the
    shortcut, and each has the same value when not given."""
    unset = build_command.make_context("build", []).params
    names = {"config": "config_path", "out": "output_dir"}
    for field, default in ShortcutOptions._field_defaults.items():
        param = next(p for p in build_command.params if p.name == names.get(field, field))
        assert isinstance(param, click.Option)
        given = unset[param.name]
        assert (str(given) if isinstance(given, Path) else given) == default
        value: str | bool = True if param.is_flag else "x"
        for spelling in param.opts:
            arguments = [spelling] if param.is_flag else [spelling, "x"]
            assert shortcut_options(["build", *arguments]) == ShortcutOptions(**{field: value})


def test_every_part_of_the_last_run_is_checked_on_load() -> None:
    from feeds.state import _LAST_RUN_TYPES, LastRun

    assert tuple(_LAST_RUN_TYPES) == LastRun._fields
