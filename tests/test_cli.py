"""The command line as a user and cron run it: real subprocesses, real exit codes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Site, check_all, feed_files

FEEDS = str(Path(sys.executable).parent / "feeds")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FEEDS, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample site."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root)
    shutil.copytree(REPO / "posts", root / "posts")
    return root


def output_of(root: Path) -> dict[str, bytes]:
    return feed_files(root / "public")


def test_build_prints_one_summary_line_then_rebuild_changes_nothing(sample: Path) -> None:
    first = run("build", cwd=sample)
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    assert re.fullmatch(
        r"7 posts -> 15 feeds and 3 pages \(18 written, 0 unchanged\) in \d+\.\d\d s\n",
        first.stdout,
    )
    check_all(output_of(sample))
    mtimes = {p: p.stat().st_mtime_ns for p in (sample / "public").rglob("*.xml")}
    second = run("build", cwd=sample)
    assert "(0 written, 18 unchanged)" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_quiet_prints_nothing_on_success(sample: Path) -> None:
    result = run("build", "--quiet", cwd=sample)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


_MODULES_AT_EXIT = """
import sys
from feeds.cli import main
try:
    sys.exit(main())
finally:
    print(*sys.modules, file=sys.stderr)
"""


def test_a_no_change_run_imports_no_parser_renderer_or_pickle(sample: Path) -> None:
    """Cron's usual run finds nothing changed: importing PyYAML for site.yaml's nested
    categories alone was a sixth of it. The command line's `main` (as the library's
    users get it) replays it as the installed command does (tests/test_shortcut.py)."""
    assert run("build", "-q", cwd=sample).returncode == 0
    again = subprocess.run(
        [sys.executable, "-c", _MODULES_AT_EXIT, "build", "-q"],
        cwd=sample,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and again.stdout == ""
    loaded = set(again.stderr.split())
    assert {"feeds.cli", "feeds.incremental.replay"} <= loaded  # the run did happen, here
    libraries = {"yaml", "pickle", "tempfile", "email.utils", "feedgen", "lxml", "cmarkgfm", "nh3"}
    stages = {"source.post", "source.reading", "conventions", "plan.streams", "render"}
    stages |= {"incremental.pickles"}
    needless = libraries | {f"feeds.{stage}" for stage in stages}
    assert loaded & needless == set()


def test_verbose_lists_each_file(sample: Path) -> None:
    result = run("build", "-v", cwd=sample)
    assert "wrote categories/news/atom.xml" in result.stdout.splitlines()


def test_out_and_config_options(sample: Path, tmp_path: Path) -> None:
    result = run(
        "build", "--config", str(sample / "site.yaml"), "--out", str(tmp_path / "o"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "categories" / "reviews" / "rss.xml").is_file()
    assert not (sample / "public").exists()


def test_bad_input_exits_1_with_located_messages_and_writes_nothing(site: Site) -> None:
    site.post("good")
    site.raw_post("bad.md", "---\ntitle: x\ndate: May 2024\n---\n")
    result = run("build", cwd=site.root)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("posts/bad.md:3: 'date': 'May 2024' does not name the day")
    assert "nothing written" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not site.output.exists()


def test_skip_invalid_publishes_and_still_exits_1(site: Site) -> None:
    site.post("good")
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    result = run("build", "--skip-invalid", "--quiet", cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.startswith("posts/bad.md:1: 'date' is missing")
    assert (site.output / "atom.xml").is_file()


def test_quiet_tells_a_warning_once_but_a_build_by_hand_every_time(site: Site) -> None:
    """The cron sequence in full is in test_operator.py."""
    site.post("good", colour="blue")
    assert "warning: unknown key 'colour'" in run("build", "-q", cwd=site.root).stderr
    assert run("build", "-q", cwd=site.root).stderr == ""
    assert "warning: unknown key 'colour'" in run("build", cwd=site.root).stderr


def test_bad_site_yaml_exits_1(site: Site) -> None:
    site.write_config("title: x\n")
    result = run("build", cwd=site.root)
    assert result.returncode == 1
    assert "site.yaml:1: 'url' is required" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build"], "site.yaml: no such file; create it or pass --config"),
        (["build", "--no-such-option"], "--no-such-option"),
        (["publish"], "No such command 'publish'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_validates_and_writes_nothing(sample: Path) -> None:
    result = run("check", cwd=sample)
    assert (result.returncode, result.stdout) == (0, "7 posts OK -> 15 feeds and 3 pages\n")
    assert not (sample / "public").exists()
    (sample / "posts" / "broken.md").write_text("---\ntitle: x\n")
    result = run("check", cwd=sample)
    assert result.returncode == 1
    assert "posts/broken.md:1: the front matter has no closing '---'" in result.stderr


def test_python_dash_m_works(sample: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feeds", "build", "-q"],
        cwd=sample,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (sample / "public" / "atom.xml").is_file()


def test_output_does_not_depend_on_time_zone_or_locale(sample: Path, tmp_path: Path) -> None:
    outputs = []
    for index, env in enumerate(
        [
            {"TZ": "UTC", "LC_ALL": "C"},
            {"TZ": "Asia/Kathmandu", "LC_ALL": "C.UTF-8"},
            {"TZ": "America/St_Johns", "LANG": "de_DE.UTF-8"},
        ]
    ):
        out = tmp_path / f"out{index}"
        result = run("build", "--out", str(out), cwd=sample, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.xml")})
    assert outputs[0] == outputs[1] == outputs[2]
